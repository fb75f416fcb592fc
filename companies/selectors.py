import unicodedata
from collections import defaultdict

from django.db.models import Count, QuerySet

from accounts.models import User

from .models import CompanyInvitation, Operator


def company_members(*, company) -> QuerySet[User]:
    return company.members.order_by("-company_role", "full_name", "email")


def company_pending_invitations(*, company) -> QuerySet[CompanyInvitation]:
    return company.invitations.filter(accepted_at__isnull=True).select_related("invited_by")


def name_key(name: str) -> str:
    """What two spellings of one organisation's name share: letters and digits only, without
    accents or case ("Banque  Horizon", "banque-horizon" and "BANQUE HORIZÔN" are one)."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


def operators_named(name: str) -> list[Operator]:
    """The operators already registered under ``name``, however it is spelt."""
    key = name_key(name)
    if not key:
        return []
    return [o for o in Operator.objects.order_by("pk") if name_key(o.name) == key]


def operator_duplicates() -> list[list[Operator]]:
    """Groups of operators registered under one name (oldest first), for staff to merge."""
    groups: dict[str, list[Operator]] = defaultdict(list)
    operators = Operator.objects.annotate(
        contact_count=Count("contacts", distinct=True),
        registration_count=Count("registrations", distinct=True),
    ).order_by("pk")
    for operator in operators:
        groups[name_key(operator.name)].append(operator)
    return [group for key, group in sorted(groups.items()) if key and len(group) > 1]
