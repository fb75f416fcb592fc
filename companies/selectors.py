from django.db.models import QuerySet

from accounts.models import User

from .models import CompanyInvitation


def company_members(*, company) -> QuerySet[User]:
    return company.members.order_by("-company_role", "full_name", "email")


def company_pending_invitations(*, company) -> QuerySet[CompanyInvitation]:
    return company.invitations.filter(accepted_at__isnull=True).select_related("invited_by")
