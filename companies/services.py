"""Writes of the companies domain: the company profile, its members and their invitations,
and the merge of an operator registered twice."""

import logging
import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core import cache
from core.locking import lock, violated_constraint
from outbox.recipients import Recipient
from outbox.services import email_send

from .models import Company, CompanyInvitation, Operator

logger = logging.getLogger(__name__)


class CompanyError(Exception):
    """A rule of the companies domain refused the change; the message is for the user."""


def _save_profile(company: Company, data: dict) -> Company:
    sectors = data.pop("sectors", None)
    for field, value in data.items():
        # A ticked "clear" box comes as False: the file field becomes empty.
        setattr(company, field, "" if value is False else value)
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError as exc:
        raise CompanyError(_("A company with this ICE is already registered.")) from exc
    if sectors is not None:
        company.sectors.set(sectors)
    return company


@transaction.atomic
def company_create(*, user: User, data: dict) -> Company:
    """Create the company of a user who has none yet; the user becomes its owner."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_staff or user.operator_id:
        raise CompanyError(_("Agency staff and operator contacts cannot own a company."))
    if user.company_id:
        raise CompanyError(_("You are already a member of a company."))
    if Company.objects.filter(ice=data.get("ice")).exists():
        raise CompanyError(_("A company with this ICE is already registered."))
    company = _save_profile(Company(), dict(data))
    user.company, user.company_role = company, User.CompanyRole.OWNER
    user.save(update_fields=["company", "company_role"])
    return company


@transaction.atomic
def company_update(*, company: Company, by: User, data: dict) -> Company:
    if by.company_id != company.pk:
        raise CompanyError(_("Only the company's members can change its profile."))
    if Company.objects.filter(ice=data.get("ice", company.ice)).exclude(pk=company.pk).exists():
        raise CompanyError(_("A company with this ICE is already registered."))
    company = _save_profile(company, dict(data))
    return company


@transaction.atomic
def operator_update(*, operator: Operator, by: User, data: dict) -> Operator:
    if by.operator_id != operator.pk:
        raise CompanyError(_("Only the organisation's contacts can change its profile."))
    sectors = data.pop("sectors", None)
    for field, value in data.items():
        setattr(operator, field, value)
    operator.save()
    if sectors is not None:
        operator.sectors.set(sectors)
    return operator


def _require_owner(company: Company, by: User) -> None:
    if by.company_id != company.pk or by.company_role != User.CompanyRole.OWNER:
        raise CompanyError(_("Only the company's owner can manage its members."))


@transaction.atomic
def company_invite(*, company: Company, by: User, email: str, language: str) -> CompanyInvitation:
    """Invite a colleague by e-mail; the link makes them a member once they are signed in."""
    _require_owner(company, by)
    email = User.objects.normalize_email(email)
    existing = User.objects.filter(email__iexact=email).first()
    if existing and existing.company_id == company.pk:
        raise CompanyError(_("%(email)s is already a member.") % {"email": email})
    if existing and (existing.company_id or existing.operator_id or existing.is_staff):
        raise CompanyError(
            _("%(email)s already belongs to another organisation.") % {"email": email}
        )
    if company.invitations.filter(email__iexact=email, accepted_at__isnull=True).exists():
        raise CompanyError(_("An invitation is already waiting for %(email)s.") % {"email": email})
    try:
        with transaction.atomic():
            invitation = CompanyInvitation.objects.create(
                company=company, email=email, invited_by=by, token=secrets.token_urlsafe(32)
            )
    except IntegrityError as exc:  # the same invitation sent twice at the same moment
        raise CompanyError(
            _("An invitation is already waiting for %(email)s.") % {"email": email}
        ) from exc
    email_send(
        event=f"company-invitation:{invitation.pk}",
        recipients=[Recipient(email=email, language=existing.language if existing else language)],
        template="company_invitation",
        context={
            "company": company,
            "inviter": by.get_full_name(),
            "accept_path": reverse("companies:invitation_accept", args=[invitation.token]),
        },
    )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Company:
    invitation = (
        CompanyInvitation.objects.select_for_update()
        .select_related("company")
        .filter(token=token, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        raise CompanyError(_("This invitation is no longer valid. Ask the owner for a new one."))
    if invitation.email.lower() != user.email.lower():
        raise CompanyError(
            _("This invitation was sent to %(email)s: log in with that address to accept it.")
            % {"email": invitation.email}
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.company_id or user.operator_id or user.is_staff:
        raise CompanyError(_("Your account already belongs to an organisation."))
    user.company, user.company_role = invitation.company, User.CompanyRole.MEMBER
    user.save(update_fields=["company", "company_role"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return invitation.company


@transaction.atomic
def invitation_cancel(*, invitation: CompanyInvitation, by: User) -> None:
    _require_owner(invitation.company, by)
    invitation.delete()


@transaction.atomic
def member_remove(*, company: Company, member: User, by: User) -> None:
    _require_owner(company, by)
    if member.company_id != company.pk:
        raise CompanyError(_("This person is not a member of your company."))
    if member.pk == by.pk:
        raise CompanyError(_("The owner cannot remove themselves."))
    member.company, member.company_role = None, ""
    member.save(update_fields=["company", "company_role"])


@transaction.atomic
def company_delete(*, company: Company) -> None:
    """Delete a company: its members stay as users without a company."""
    User.objects.filter(company=company).update(company=None, company_role="")
    company.delete()


# What a database constraint that refused a merge means to staff (the rows of both operators
# would collide). The constraints belong to the apps above; only their names are known here.
MERGE_CONFLICTS = {
    "registration_one_per_operator_and_mission": gettext_lazy(
        "both are registered for the same mission"
    ),
    "meeting_operator_once_per_slot": gettext_lazy("both have a meeting at the same time"),
    "meeting_pair_once_per_mission": gettext_lazy(
        "both have a meeting with the same firm in one mission"
    ),
    "request_once_per_side": gettext_lazy("both asked to meet the same firm in one mission"),
    "unavailable_operator_once": gettext_lazy("both marked the same time slot unavailable"),
}
# Rows are moved in the order of core.locking: participations, then meetings, then the rest.
_MERGE_ORDER = {"missions.operatorregistration": 0, "matchmaking.meeting": 1}


@transaction.atomic
def operators_merge(*, keep: Operator, duplicate: Operator, by: User) -> dict[str, int]:
    """Staff merge ``duplicate`` (one organisation registered twice) into ``keep``: every row
    that names the duplicate (its contacts, registrations, requests, meetings, availability,
    presences...) names ``keep`` instead, row by row so that the audit trail records each move;
    ``keep`` takes the sectors and the profile fields it lacks; the duplicate is deleted.
    Refused, and nothing changes, when rows of both would collide (both registered for one
    mission, both meeting at one time...). Returns the number of rows moved, by kind."""
    if keep.pk == duplicate.pk:
        raise CompanyError(_("Choose two different organisations to merge."))
    list(lock(Operator.objects.filter(pk__in=[keep.pk, duplicate.pk])))
    keep = Operator.objects.filter(pk=keep.pk).first()
    duplicate = Operator.objects.filter(pk=duplicate.pk).first()
    if keep is None or duplicate is None:
        raise CompanyError(_("One of these organisations has just been merged or deleted."))
    relations = sorted(
        (
            r  # every foreign key to Operator, those without a reverse accessor included
            for r in Operator._meta.get_fields(include_hidden=True)
            if (r.one_to_many or r.one_to_one)
            and r.auto_created
            and not r.concrete
            and not r.related_model._meta.auto_created  # the sectors' table: below
        ),
        key=lambda r: (_MERGE_ORDER.get(r.related_model._meta.label_lower, 2), r.name),
    )
    moved: dict[str, int] = {}
    try:
        with transaction.atomic():
            for relation in relations:
                name = relation.field.name
                rows = relation.related_model._default_manager.filter(**{name: duplicate})
                for row in rows.order_by("pk"):
                    setattr(row, name, keep)
                    row.save(update_fields=[name])
                    label = str(relation.related_model._meta.verbose_name_plural)
                    moved[label] = moved.get(label, 0) + 1
    except IntegrityError as exc:
        reason = MERGE_CONFLICTS.get(violated_constraint(exc))
        raise CompanyError(
            _("These two organisations cannot be merged: %(reason)s. Resolve it first.")
            % {"reason": reason or _("their records collide")}
        ) from exc
    for field in ("website", "needs", "city"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    keep.save()
    keep.sectors.add(*duplicate.sectors.all())
    duplicate.delete()
    cache.expire()  # every page that named the duplicate
    logger.info("operator %s merged into %s by %s: %s", duplicate.pk, keep.pk, by.pk, moved)
    return moved
