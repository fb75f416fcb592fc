"""Writes of the missions domain: the life cycle, applications and operator registrations.

Every function takes keyword arguments, checks its rules, writes inside a transaction (locking the
mission row where two staff members could race) and raises ``MissionError`` with a message for the
user when a rule refuses.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.auth import email_address_add
from accounts.models import User
from companies.models import Company, Operator
from core.languages import OTHER_MAX_LENGTH, clean_languages
from core.locking import lock
from outbox.services import email_send, recipients_for_users

from .models import (
    REGISTRATION_OPEN_STATUSES,
    Application,
    ApplicationStatus,
    Delegate,
    Mission,
    MissionStatus,
    MissionTransition,
    Objective,
    OperatorRegistration,
    ProgrammeItem,
    RegistrationStatus,
)
from .signals import participant_left


class MissionError(Exception):
    """A rule of the missions domain refused the change; the message is for the user."""


# --- Life cycle -------------------------------------------------------------------------------

LIFE_CYCLE = {
    # target: the statuses it may come from
    MissionStatus.OPEN: {MissionStatus.DRAFT},
    MissionStatus.SELECTION: {MissionStatus.OPEN},
    MissionStatus.SCHEDULING: {MissionStatus.SELECTION},
    MissionStatus.PUBLISHED: {MissionStatus.SCHEDULING},
    MissionStatus.RUNNING: {MissionStatus.PUBLISHED},
    MissionStatus.CLOSED: {MissionStatus.RUNNING},
    MissionStatus.CANCELLED: {
        MissionStatus.DRAFT,
        MissionStatus.OPEN,
        MissionStatus.SELECTION,
        MissionStatus.SCHEDULING,
        MissionStatus.PUBLISHED,
    },
}


def _lock(mission: Mission) -> Mission:
    return lock(Mission.objects).get(pk=mission.pk)


def _move(*, mission: Mission, to: str, by: User | None, note: str = "") -> Mission:
    if mission.status not in LIFE_CYCLE[to]:
        raise MissionError(
            _("A mission cannot go from “%(from)s” to “%(to)s”.")
            % {"from": mission.get_status_display(), "to": MissionStatus(to).label}
        )
    MissionTransition.objects.create(
        mission=mission, from_status=mission.status, to_status=to, by=by, note=note
    )
    mission.status = to
    mission.save(update_fields=["status", "updated_at"])
    return mission


# --- Details and programme (staff) ------------------------------------------------------------


@transaction.atomic
def mission_save(*, mission: Mission, sectors: Iterable | None = None) -> Mission:
    """Create a mission (a draft) or save staff's changes to its details (``mission`` holds
    them, as a form built it). Its status changes only through the transitions above."""
    if mission.pk is None:
        mission.status = MissionStatus.DRAFT
    else:
        mission.status = Mission.objects.values_list("status", flat=True).get(pk=mission.pk)
    mission.save()
    if sectors is not None:
        mission.sectors.set(sectors)
    return mission


@transaction.atomic
def programme_item_save(*, item: ProgrammeItem, mission: Mission) -> ProgrammeItem:
    """Add an item to the mission's programme, or save changes to one of its items."""
    item.mission = mission
    item.save()
    return item


def programme_item_delete(*, item: ProgrammeItem) -> None:
    item.delete()


def _local_today(mission: Mission):
    return timezone.now().astimezone(mission.tzinfo).date()


@transaction.atomic
def mission_open(*, mission: Mission, by: User) -> Mission:
    """Open applications: the mission needs its dates, a capacity and a deadline still ahead."""
    mission = _lock(mission)
    problems = []
    if not (mission.start_date and mission.end_date):
        problems.append(_("set the mission's dates"))
    if not mission.capacity:
        problems.append(_("set the firm capacity"))
    if not mission.application_deadline:
        problems.append(_("set the application deadline"))
    elif mission.application_deadline <= timezone.now():
        problems.append(_("choose an application deadline in the future"))
    elif (
        mission.start_date
        and mission.application_deadline.astimezone(mission.tzinfo).date() > mission.start_date
    ):
        problems.append(_("choose an application deadline before the first day"))
    if problems:
        raise MissionError(
            _("The mission cannot open yet: %(problems)s.") % {"problems": "; ".join(problems)}
        )
    return _move(mission=mission, to=MissionStatus.OPEN, by=by)


@transaction.atomic
def mission_start_selection(*, mission: Mission, by: User) -> Mission:
    """Close applications and start choosing the delegation."""
    mission = _lock(mission)
    return _move(mission=mission, to=MissionStatus.SELECTION, by=by)


@transaction.atomic
def mission_start_scheduling(*, mission: Mission, by: User) -> Mission:
    """The delegation is chosen: it becomes public and matchmaking opens."""
    mission = _lock(mission)
    if not mission.applications.filter(status=ApplicationStatus.APPROVED).exists():
        raise MissionError(_("Approve at least one firm before scheduling meetings."))
    return _move(mission=mission, to=MissionStatus.SCHEDULING, by=by)


@transaction.atomic
def mission_publish(*, mission: Mission, by: User) -> Mission:
    """Publish the agenda to every participant."""
    mission = _lock(mission)
    if not mission.operator_registrations.filter(status=RegistrationStatus.CONFIRMED).exists():
        raise MissionError(_("Confirm at least one operator before publishing the agenda."))
    return _move(mission=mission, to=MissionStatus.PUBLISHED, by=by)


@transaction.atomic
def mission_start(*, mission: Mission, by: User) -> Mission:
    mission = _lock(mission)
    if mission.start_date and _local_today(mission) < mission.start_date:
        raise MissionError(
            _("The mission starts on %(date)s (local time): it cannot run before.")
            % {"date": date_format(mission.start_date)}
        )
    return _move(mission=mission, to=MissionStatus.RUNNING, by=by)


@transaction.atomic
def mission_close(*, mission: Mission, by: User) -> Mission:
    mission = _lock(mission)
    if mission.end_date and _local_today(mission) < mission.end_date:
        raise MissionError(
            _("The mission ends on %(date)s (local time): close it on its last day or after.")
            % {"date": date_format(mission.end_date)}
        )
    return _move(mission=mission, to=MissionStatus.CLOSED, by=by)


@transaction.atomic
def mission_cancel(*, mission: Mission, by: User, reason: str) -> Mission:
    mission = _lock(mission)
    if not reason.strip():
        raise MissionError(_("Give the reason for the cancellation: participants will read it."))
    return _move(mission=mission, to=MissionStatus.CANCELLED, by=by, note=reason.strip()[:300])


TRANSITIONS = {
    "open": mission_open,
    "selection": mission_start_selection,
    "scheduling": mission_start_scheduling,
    "published": mission_publish,
    "running": mission_start,
    "closed": mission_close,
}


# --- Applications -----------------------------------------------------------------------------


def _check_application_window(mission: Mission) -> None:
    if mission.status != MissionStatus.OPEN:
        raise MissionError(_("This mission is not open for applications."))
    if mission.application_deadline and mission.application_deadline <= timezone.now():
        raise MissionError(_("The application deadline has passed."))


def _clean_objectives(objectives: Iterable[str]) -> list[str]:
    chosen = [o for o in Objective.values if o in set(objectives)]
    if not chosen:
        raise MissionError(_("Choose at least one objective."))
    return chosen


def _clean_delegates(delegates: list[dict]) -> list[dict]:
    rows = [
        {
            "full_name": d["full_name"].strip(),
            "role": d.get("role", "").strip(),
            "languages": clean_languages(d.get("languages", [])),
            "other_languages": d.get("other_languages", "").strip()[:OTHER_MAX_LENGTH],
        }
        for d in delegates
        if d.get("full_name", "").strip()
    ]
    if not rows:
        raise MissionError(_("Name at least one delegate who will travel."))
    return rows


def _notify_company(application: Application, template: str) -> None:
    members = application.company.members.filter(is_active=True)
    email_send(
        event=f"{template}:{application.pk}:{application.status}:{application.updated_at.isoformat()}",
        mission=application.mission,
        recipients=recipients_for_users(members),
        template=template,
        context={
            "mission": application.mission,
            "company": application.company,
            "application": application,
            "status": application.status,
        },
    )


@transaction.atomic
def application_submit(
    *,
    mission: Mission,
    company: Company,
    by: User,
    objectives: Iterable[str],
    motivation: str,
    delegates: list[dict],
) -> Application:
    mission = _lock(mission)
    _check_application_window(mission)
    if by.company_id != company.pk:
        raise MissionError(_("Only members of the company can apply on its behalf."))
    if Application.objects.filter(mission=mission, company=company).exists():
        raise MissionError(_("Your company has already applied to this mission."))
    application = Application.objects.create(
        mission=mission,
        company=company,
        submitted_by=by,
        objectives=_clean_objectives(objectives),
        motivation=motivation.strip(),
    )
    Delegate.objects.bulk_create(
        Delegate(application=application, **row) for row in _clean_delegates(delegates)
    )
    _notify_company(application, "application_received")
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    by: User,
    objectives: Iterable[str],
    motivation: str,
    delegates: list[dict],
) -> Application:
    application = lock(Application.objects).get(pk=application.pk)
    _check_application_window(application.mission)
    if by.company_id != application.company_id:
        raise MissionError(_("Only members of the company can change its application."))
    if application.status == ApplicationStatus.WITHDRAWN:
        raise MissionError(_("This application was withdrawn."))
    application.objectives = _clean_objectives(objectives)
    application.motivation = motivation.strip()
    application.save(update_fields=["objectives", "motivation", "updated_at"])
    application.delegates.all().delete()
    Delegate.objects.bulk_create(
        Delegate(application=application, **row) for row in _clean_delegates(delegates)
    )
    return application


def _promote_waitlisted(
    mission: Mission, by: User | None, exclude: Iterable[int] = ()
) -> list[Application]:
    """Offer the free places to the firms on the waiting list, first decided first served
    (never to a firm that staff have just decided on)."""
    free = (mission.capacity or 0) - _approved_count(mission)
    if free <= 0:
        return []
    waiting = (
        Application.objects.filter(mission=mission, status=ApplicationStatus.WAITLISTED)
        .exclude(pk__in=list(exclude))
        .order_by("decided_at", "pk")
        .values_list("pk", flat=True)[:free]
    )
    ids = list(lock(Application.objects.filter(pk__in=list(waiting))).values_list("pk", flat=True))
    promoted = list(
        Application.objects.filter(pk__in=ids, status=ApplicationStatus.WAITLISTED)
        .select_related("company")
        .order_by("decided_at", "pk")
    )
    for application in promoted:
        application.status = ApplicationStatus.APPROVED
        application.decided_by, application.decided_at = by, timezone.now()
        # The e-mail says why; the note field is staff's own words to the firm.
        application.decision_note = ""
        application.save(
            update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
        )
        _notify_company(application, "application_decision")
    return promoted


def _leave(application: Application) -> None:
    """A firm no longer approved leaves the matchmaking: its meetings are cancelled."""
    participant_left.send(
        sender=Application,
        mission=application.mission,
        company=application.company,
        reason="firm-left",
    )


@transaction.atomic
def application_withdraw(*, application: Application, by: User) -> Application:
    mission = _lock(application.mission)
    application = lock(Application.objects).get(pk=application.pk)
    if by.company_id != application.company_id:
        raise MissionError(_("Only members of the company can withdraw its application."))
    if application.status == ApplicationStatus.WITHDRAWN:
        raise MissionError(_("This application was already withdrawn."))
    deadline_passed = bool(
        mission.application_deadline and mission.application_deadline <= timezone.now()
    )
    if application.status != ApplicationStatus.APPROVED and deadline_passed:
        raise MissionError(_("The application deadline has passed."))
    if mission.status in (MissionStatus.RUNNING, MissionStatus.CLOSED, MissionStatus.CANCELLED):
        raise MissionError(_("The mission is over: its applications can no longer change."))
    was_approved = application.status == ApplicationStatus.APPROVED
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    if was_approved:
        _leave(application)
        _promote_waitlisted(mission, by=None)
    return application


def _approved_count(mission: Mission) -> int:
    return mission.applications.filter(status=ApplicationStatus.APPROVED).count()


DECISIONS = (ApplicationStatus.APPROVED, ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED)


@transaction.atomic
def applications_decide(
    *, applications: Iterable[Application], decision: str, by: User, note: str = ""
) -> list[Application]:
    """Approve, waitlist or reject one or several applications of a mission, all or none."""
    if decision not in DECISIONS:
        raise MissionError(_("Unknown decision."))
    ids = [a.pk for a in applications]
    if not ids:
        raise MissionError(_("Select at least one application."))
    missions = set(Application.objects.filter(pk__in=ids).values_list("mission_id", flat=True))
    if len(missions) != 1:
        raise MissionError(_("Decide on the applications of one mission at a time."))
    mission = lock(Mission.objects).get(pk=missions.pop())
    if mission.status not in (
        MissionStatus.OPEN,
        MissionStatus.SELECTION,
        MissionStatus.SCHEDULING,
    ):
        raise MissionError(
            _("Applications are decided while the mission is open, in selection or in scheduling.")
        )
    list(lock(Application.objects.filter(pk__in=ids)))
    locked = list(Application.objects.filter(pk__in=ids).select_related("company").order_by("pk"))
    if any(a.status == ApplicationStatus.WITHDRAWN for a in locked):
        raise MissionError(_("A withdrawn application cannot be decided."))
    if decision == ApplicationStatus.APPROVED:
        newly = sum(a.status != ApplicationStatus.APPROVED for a in locked)
        free = (mission.capacity or 0) - _approved_count(mission)
        if newly > free:
            left = max(free, 0)
            raise MissionError(
                ngettext(
                    "Approving %(count)s firm would exceed the capacity of %(capacity)s.",
                    "Approving %(count)s firms would exceed the capacity of %(capacity)s.",
                    newly,
                )
                % {"count": newly, "capacity": mission.capacity}
                + " "
                + ngettext(
                    "%(free)s place is left: waitlist them instead.",
                    "%(free)s places are left: waitlist them instead.",
                    left,
                )
                % {"free": left}
            )
    now = timezone.now()
    changed, places_freed = [], False
    for application in locked:
        was_approved = application.status == ApplicationStatus.APPROVED
        if application.status == decision and application.decision_note == note:
            continue
        application.status = decision
        application.decision_note = note
        application.decided_by, application.decided_at = by, now
        application.save(
            update_fields=["status", "decision_note", "decided_by", "decided_at", "updated_at"]
        )
        _notify_company(application, "application_decision")
        changed.append(application)
        if was_approved and decision != ApplicationStatus.APPROVED:
            _leave(application)
            places_freed = True
    if places_freed:
        _promote_waitlisted(mission, by=by, exclude=ids)
    return changed


# --- Operators --------------------------------------------------------------------------------


def _notify_operator(registration: OperatorRegistration, template: str) -> None:
    contacts = registration.operator.contacts.filter(is_active=True)
    stamp = (registration.decided_at or registration.created_at).isoformat()
    email_send(
        event=f"{template}:{registration.pk}:{registration.status}:{stamp}",
        mission=registration.mission,
        recipients=recipients_for_users(contacts),
        template=template,
        context={
            "mission": registration.mission,
            "operator": registration.operator,
            "registration": registration,
            "status": registration.status,
        },
    )


def _check_registration_window(mission: Mission) -> None:
    if mission.status not in REGISTRATION_OPEN_STATUSES:
        raise MissionError(_("This mission does not take operator registrations."))


@transaction.atomic
def operator_register(
    *, mission: Mission, operator: Operator, by: User | None
) -> OperatorRegistration:
    """Register an operator for a mission (confirmed at once if the mission says so)."""
    mission = _lock(mission)
    _check_registration_window(mission)
    registration, created = OperatorRegistration.objects.get_or_create(
        mission=mission, operator=operator, defaults={"registered_by": by}
    )
    if not created:
        raise MissionError(_("Your organisation is already registered for this mission."))
    if mission.auto_confirm_operators:
        registration.status = RegistrationStatus.CONFIRMED
        registration.decided_at = timezone.now()
        registration.save(update_fields=["status", "decided_at"])
    _notify_operator(registration, "registration_received")
    return registration


@transaction.atomic
def operator_signup(
    *,
    mission: Mission,
    email: str,
    full_name: str,
    phone: str,
    language: str,
    profile: dict,
    contact: dict | None = None,
) -> tuple[User, OperatorRegistration]:
    """A visitor signs up their organisation for a mission: a contact account (no password; they
    log in by e-mailed code; ``contact``: their role and languages spoken), the operator profile
    and the registration."""
    email = User.objects.normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise MissionError(
            _(
                "An account already exists for this e-mail address. Log in (a code can be sent "
                "to you) and register from the mission page."
            )
        )
    sectors = profile.pop("sectors", [])
    operator = Operator.objects.create(**profile)
    operator.sectors.set(sectors)
    contact = contact or {}
    user = User(
        email=email,
        full_name=full_name,
        phone=phone,
        language=language,
        operator=operator,
        job_title=contact.get("job_title", "").strip(),
        languages=clean_languages(contact.get("languages", [])),
        other_languages=contact.get("other_languages", "").strip()[:OTHER_MAX_LENGTH],
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same address signed up a moment ago
        raise MissionError(
            _(
                "An account already exists for this e-mail address. Log in (a code can be sent "
                "to you) and register from the mission page."
            )
        ) from exc
    email_address_add(user=user)
    registration = operator_register(mission=mission, operator=operator, by=user)
    return user, registration


@transaction.atomic
def registrations_decide(
    *, registrations: Iterable[OperatorRegistration], decision: str, by: User, note: str = ""
) -> list[OperatorRegistration]:
    if decision not in (RegistrationStatus.CONFIRMED, RegistrationStatus.REJECTED):
        raise MissionError(_("Unknown decision."))
    ids = [r.pk for r in registrations]
    if not ids:
        raise MissionError(_("Select at least one registration."))
    list(lock(OperatorRegistration.objects.filter(pk__in=ids)))
    locked = OperatorRegistration.objects.filter(pk__in=ids).order_by("pk")
    now = timezone.now()
    changed = []
    for registration in locked.select_related("mission", "operator"):
        if registration.status == decision:
            continue
        if registration.status == RegistrationStatus.CONFIRMED:
            # An operator no longer confirmed leaves the matchmaking: its meetings are cancelled.
            participant_left.send(
                sender=OperatorRegistration,
                mission=registration.mission,
                operator=registration.operator,
                reason="operator-left",
            )
        registration.status = decision
        registration.decision_note = note
        registration.decided_by, registration.decided_at = by, now
        registration.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
        _notify_operator(registration, "registration_decision")
        changed.append(registration)
    return changed


@transaction.atomic
def operators_import(*, mission: Mission, rows: list[dict], by: User) -> dict[str, int]:
    """Import previewed rows: new operators and contacts are created, registered (confirmed:
    staff vetted the list) and invited by e-mail; known contacts are registered."""
    from .operator_import import operator_fields

    mission = _lock(mission)
    _check_registration_window(mission)
    counts = {"created": 0, "registered": 0, "skipped": 0}
    now = timezone.now()
    for row in rows:
        email = User.objects.normalize_email(row["email"])
        user = User.objects.filter(email__iexact=email).select_related("operator").first()
        if user is None:
            operator = Operator.objects.create(**operator_fields(row))
            operator.sectors.set(row.get("sectors", []))
            user = User(
                email=email,
                full_name=row["full_name"],
                phone=row.get("phone", ""),
                language=row.get("language") or "fr",
                operator=operator,
            )
            user.set_unusable_password()
            user.save()
            email_address_add(user=user)
            counts["created"] += 1
        elif user.operator_id is None:
            counts["skipped"] += 1
            continue
        registration, created = OperatorRegistration.objects.get_or_create(
            mission=mission,
            operator_id=user.operator_id,
            defaults={
                "registered_by": by,
                "status": RegistrationStatus.CONFIRMED,
                "decided_by": by,
                "decided_at": now,
            },
        )
        if not created:
            counts["skipped"] += 1
            continue
        counts["registered"] += 1
        email_send(
            event=f"operator-invitation:{registration.pk}",
            mission=mission,
            recipients=recipients_for_users([user]),
            template="operator_invitation",
            context={"mission": mission, "operator": registration.operator},
        )
    return counts
