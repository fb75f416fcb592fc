"""Writes of matchmaking: B2B sessions, availability, meeting requests, bookings, and staff
changes on the cockpit's grid (attendance, reminders and calendar feeds: ``attendance.py``).

Double bookings are refused by the database (see ``Meeting``); the services lock the slot row so
that concurrent bookings of one slot are served one after the other, turn a constraint refusal
into a clear message, and send each side its calendar invitation after the commit.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from companies.models import Company, Operator
from core.languages import speakers_first, spoken
from core.locking import lock, retried, violated_constraint
from missions.models import (
    Application,
    Delegate,
    Mission,
    MissionStatus,
    OperatorRegistration,
)
from missions.services import MissionError
from outbox.services import email_send, phone_send, recipients_for_users

from .freshness import meetings_changed, mission_changed
from .models import (
    OPEN_REQUESTS,
    Meeting,
    MeetingRequest,
    MeetingSession,
    MeetingStatus,
    Origin,
    RequestStatus,
    Side,
    Slot,
    Table,
    Unavailability,
)


class MatchmakingError(Exception):
    """A rule of matchmaking refused the change; the message is for the user."""


SLOT_TAKEN = gettext_lazy("Someone has just taken this time slot. Choose another one.")
MEETING_CHANGED = gettext_lazy(
    "Someone has just changed this meeting. Look at it again, then try once more."
)
# What a database constraint that refused a meeting means to the user (see ``Meeting``).
CONSTRAINT_REFUSALS = {
    "meeting_pair_once_per_mission": gettext_lazy("These two already have a meeting."),
    "meeting_operator_once_per_slot": gettext_lazy(
        "The operator already has a meeting at this time."
    ),
    "meeting_delegate_once_per_slot": gettext_lazy(
        "All the firm's delegates already have a meeting at this time."
    ),
}


def _refused(exc: IntegrityError, default=SLOT_TAKEN) -> MatchmakingError:
    """The refusal that tells the real reason a meeting could not take its place."""
    return MatchmakingError(str(CONSTRAINT_REFUSALS.get(violated_constraint(exc), default)))


def _slot_race():
    return MatchmakingError(str(SLOT_TAKEN))


def _meeting_race():
    return MatchmakingError(str(MEETING_CHANGED))


# Participants can look for each other and book from scheduling until the mission runs.
MATCHMAKING_OPEN = (MissionStatus.SCHEDULING, MissionStatus.PUBLISHED, MissionStatus.RUNNING)


@dataclass(frozen=True)
class Participant:
    """The firm or the operator that a user represents in one mission."""

    mission: Mission
    side: str
    company: Company | None = None
    operator: Operator | None = None
    application: Application | None = None

    @property
    def organisation(self):
        return self.company if self.side == Side.COMPANY else self.operator

    def owns(self, meeting_or_request) -> bool:
        if self.side == Side.COMPANY:
            return meeting_or_request.company_id == self.company.pk
        return meeting_or_request.operator_id == self.operator.pk


def _check_open(mission: Mission) -> None:
    if mission.status not in MATCHMAKING_OPEN:
        raise MatchmakingError(_("Meetings of this mission cannot be booked or changed now."))


# --- Sessions ---------------------------------------------------------------------------------


def _slot_times(session: MeetingSession) -> list[tuple[datetime, datetime]]:
    zone = session.mission.tzinfo
    start = datetime.combine(session.day, session.start_time, tzinfo=zone)
    end = datetime.combine(session.day, session.end_time, tzinfo=zone)
    length = timedelta(minutes=session.slot_minutes)
    step = length + timedelta(minutes=session.break_minutes)
    times = []
    while start + length <= end:
        times.append((start, start + length))
        start += step
    return times


def _generate(session: MeetingSession) -> None:
    times = _slot_times(session)
    if not times:
        raise MatchmakingError(_("The session is too short for a single meeting."))
    Slot.objects.bulk_create(
        Slot(session=session, mission=session.mission, index=i, starts_at=s, ends_at=e)
        for i, (s, e) in enumerate(times)
    )
    Table.objects.bulk_create(
        Table(session=session, number=n) for n in range(1, session.tables + 1)
    )


def _check_day(mission: Mission, day) -> None:
    if (
        mission.start_date
        and mission.end_date
        and not (mission.start_date <= day <= mission.end_date)
    ):
        raise MatchmakingError(
            _("The session must take place during the mission (%(start)s – %(end)s).")
            % {"start": date_format(mission.start_date), "end": date_format(mission.end_date)}
        )


@transaction.atomic
def session_create(*, mission: Mission, data: dict) -> MeetingSession:
    _check_day(mission, data["day"])
    session = MeetingSession.objects.create(mission=mission, **data)
    _generate(session)
    return session


def _active_meetings(session: MeetingSession):
    return Meeting.objects.filter(slot__session=session).exclude(status=MeetingStatus.CANCELLED)


def _when(moment: datetime, mission: Mission) -> str:
    """A moment in the mission's time, as the reader's language writes it briefly."""
    return date_format(timezone.localtime(moment, mission.tzinfo), "SHORT_DATETIME_FORMAT")


def _describe(meetings) -> str:
    return "; ".join(
        f"{m.company.display_name} – {m.operator.name} ({_when(m.slot.starts_at, m.mission)})"
        for m in meetings.select_related("company", "operator", "slot", "mission")[:10]
    )


@transaction.atomic
def session_update(*, session: MeetingSession, data: dict) -> MeetingSession:
    """Change a session. With meetings booked, only the place may change and tables be added:
    anything else would move meetings, so it is refused with the list of those meetings."""
    session = lock(MeetingSession.objects).get(pk=session.pk)
    _check_day(session.mission, data["day"])
    timing = ("day", "start_time", "end_time", "slot_minutes", "break_minutes")
    timing_changed = any(getattr(session, f) != data[f] for f in timing)
    meetings = _active_meetings(session)
    if meetings.exists():
        used = max(meetings.values_list("table__number", flat=True))
        if timing_changed or data["tables"] < used:
            count = meetings.count()
            raise MatchmakingError(
                ngettext(
                    "%(count)s meeting is booked in this session: its times cannot change and it "
                    "needs at least %(tables)s tables. Move or cancel it first: %(meetings)s.",
                    "%(count)s meetings are booked in this session: their times cannot change "
                    "and it needs at least %(tables)s tables. Move or cancel them first: "
                    "%(meetings)s.",
                    count,
                )
                % {"count": count, "tables": used, "meetings": _describe(meetings)}
            )
    for field, value in data.items():
        setattr(session, field, value)
    session.save()
    cancelled = Meeting.objects.filter(slot__session=session, status=MeetingStatus.CANCELLED)
    if timing_changed:
        # New times: new slots (the old ones held no active meeting; their cancelled meetings
        # and the marks of unavailability go with them).
        cancelled.delete()
        session.slots.all().delete()
        session.table_set.all().delete()
        _generate(session)
    else:
        have = session.table_set.count()
        Table.objects.bulk_create(
            Table(session=session, number=n) for n in range(have + 1, session.tables + 1)
        )
        cancelled.filter(table__number__gt=session.tables).delete()
        session.table_set.filter(number__gt=session.tables).delete()
    return session


@transaction.atomic
def session_delete(*, session: MeetingSession) -> None:
    meetings = _active_meetings(session)
    if meetings.exists():
        count = meetings.count()
        raise MatchmakingError(
            ngettext(
                "%(count)s meeting is booked in this session; cancel it first: %(meetings)s.",
                "%(count)s meetings are booked in this session; cancel them first: %(meetings)s.",
                count,
            )
            % {"count": count, "meetings": _describe(meetings)}
        )
    Meeting.objects.filter(slot__session=session).delete()  # cancelled ones only
    session.delete()


# --- Availability -----------------------------------------------------------------------------


@retried(_slot_race)
def availability_set(*, participant: Participant, unavailable_slot_ids: set[int]) -> None:
    """Record the slots where the participant cannot meet anyone (replacing the former set)."""
    party = {participant.side: participant.organisation}
    # The slot rows are locked as a booking locks them: no booking slips in meanwhile.
    slots = set(
        lock(
            Slot.objects.filter(mission=participant.mission, pk__in=unavailable_slot_ids)
        ).values_list("pk", flat=True)
    )
    busy = Meeting.objects.filter(slot_id__in=slots, **party).exclude(
        status=MeetingStatus.CANCELLED
    )
    if busy.exists():
        raise MatchmakingError(
            _(
                "You have a meeting in a slot you marked unavailable: cancel or move it first "
                "(%(meetings)s)."
            )
            % {"meetings": _describe(busy)}
        )
    Unavailability.objects.filter(slot__mission=participant.mission, **party).exclude(
        slot_id__in=slots
    ).delete()
    existing = set(
        Unavailability.objects.filter(slot_id__in=slots, **party).values_list("slot_id", flat=True)
    )
    Unavailability.objects.bulk_create(Unavailability(slot_id=s, **party) for s in slots - existing)
    meetings_changed(  # a bulk_create sends no signal to the read cache
        participant.mission.pk, parties=[(participant.side, participant.organisation.pk)]
    )


# --- Requests ---------------------------------------------------------------------------------


def _lock_participation(mission_id: int, *pairs: tuple[int, int]) -> None:
    """Lock the applications of the firms, then the registrations of the operators, of the
    ``(company_id, operator_id)`` pairs (level 2 of core.locking): their status cannot change
    until this transaction ends."""
    list(
        lock(
            Application.objects.filter(mission_id=mission_id, company_id__in={c for c, _o in pairs})
        )
    )
    list(
        lock(
            OperatorRegistration.objects.filter(
                mission_id=mission_id, operator_id__in={o for _c, o in pairs}
            )
        )
    )


def _counterpart_ok(mission: Mission, company: Company, operator: Operator) -> Application:
    """The firm's approved application if both parties take part in the mission; otherwise a
    refusal that says which one does not."""
    application = Application.objects.filter(
        mission=mission, company=company, status=Application.Status.APPROVED
    ).first()
    if application is None:
        raise MatchmakingError(_("This firm is not part of the delegation."))
    if not OperatorRegistration.objects.filter(
        mission=mission, operator=operator, status=OperatorRegistration.Status.CONFIRMED
    ).exists():
        raise MatchmakingError(_("This operator is not confirmed for the mission."))
    return application


def _people(side: str, company: Company, operator: Operator) -> list[User]:
    people = company.members if side == Side.COMPANY else operator.contacts
    return list(people.filter(is_active=True))


@transaction.atomic
def request_create(
    *, participant: Participant, counterpart, priority: int, message: str, by: User
) -> MeetingRequest:
    mission = participant.mission
    _check_open(mission)
    company, operator = (
        (participant.company, counterpart)
        if participant.side == Side.COMPANY
        else (counterpart, participant.operator)
    )
    # The pair's participation is locked as a booking locks it: a booking of the pair in
    # progress commits first, and its meeting is seen here.
    _lock_participation(mission.pk, (company.pk, operator.pk))
    _counterpart_ok(mission, company, operator)
    if (
        Meeting.objects.filter(mission=mission, company=company, operator=operator)
        .exclude(status=MeetingStatus.CANCELLED)
        .exists()
    ):
        raise MatchmakingError(_("You already have a meeting with them: see your agenda."))
    request, created = MeetingRequest.objects.select_for_update().get_or_create(
        mission=mission,
        company=company,
        operator=operator,
        side=participant.side,
        defaults={"requested_by": by, "priority": priority, "message": message},
    )
    if not created:
        if request.status in (RequestStatus.PENDING, RequestStatus.ACCEPTED):
            raise MatchmakingError(_("You have already asked for this meeting."))
        request.status, request.priority, request.message = RequestStatus.PENDING, priority, message
        request.requested_by, request.responded_at = by, None
        request.save()
    other = Side.OPERATOR if participant.side == Side.COMPANY else Side.COMPANY
    email_send(
        event=f"meeting-requested:{request.pk}:{timezone.now().isoformat()}",
        mission=mission,
        recipients=recipients_for_users(_people(other, company, operator)),
        template="meeting_requested",
        context={
            "request": request,
            "mission": mission,
            "company": company,
            "operator": operator,
            "from_company": participant.side == Side.COMPANY,
        },
    )
    return request


@transaction.atomic
def request_respond(
    *, request: MeetingRequest, participant: Participant, accept: bool
) -> MeetingRequest:
    request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if not participant.owns(request) or request.side == participant.side:
        raise MatchmakingError(_("Only the party that was asked can answer this request."))
    if request.status == RequestStatus.MET:
        raise MatchmakingError(_("You already have a meeting with them: see your agenda."))
    if request.status != RequestStatus.PENDING:
        raise MatchmakingError(_("This request has already been answered or withdrawn."))
    request.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "responded_at"])
    email_send(
        event=f"meeting-request-answered:{request.pk}:{request.status}:{request.responded_at.isoformat()}",
        mission=request.mission,
        recipients=recipients_for_users(_people(request.side, request.company, request.operator)),
        template="meeting_request_answered",
        context={
            "request": request,
            "mission": request.mission,
            "accepted": accept,
            "company": request.company,
            "operator": request.operator,
        },
    )
    return request


@transaction.atomic
def request_withdraw(*, request: MeetingRequest, participant: Participant) -> MeetingRequest:
    request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if not participant.owns(request) or request.side != participant.side:
        raise MatchmakingError(_("Only the party that asked can withdraw this request."))
    if request.status == RequestStatus.MET:
        raise MatchmakingError(
            _("A meeting holds this request: cancel the meeting in your agenda instead.")
        )
    if request.status not in OPEN_REQUESTS:
        raise MatchmakingError(_("This request is no longer open."))
    request.status = RequestStatus.WITHDRAWN
    request.save(update_fields=["status"])
    return request


def requests_settle(mission_id: int, *pairs: tuple[int, int]) -> int:
    """Make the requests of the ``(company_id, operator_id)`` pairs (every pair of the mission if
    none is given) tell whether an active meeting holds their pair: an open request becomes met,
    a met one whose meeting was cancelled reopens (accepted if it had been answered, else
    pending). Every service that creates or cancels a meeting calls it in its transaction, after
    the change; it returns how many requests changed."""
    requests = MeetingRequest.objects.filter(mission_id=mission_id)
    if pairs:
        requests = requests.filter(
            Q.create([Q(company_id=c, operator_id=o) for c, o in pairs], connector=Q.OR)
        )
    held = Exists(
        Meeting.objects.filter(
            mission_id=mission_id, company_id=OuterRef("company_id"),
            operator_id=OuterRef("operator_id"),
        ).exclude(status=MeetingStatus.CANCELLED)
    )  # fmt: skip
    now = timezone.now()
    changed = requests.filter(held, status__in=OPEN_REQUESTS).update(
        status=RequestStatus.MET, updated_at=now
    )
    changed += requests.filter(~held, status=RequestStatus.MET).update(
        status=Case(
            When(responded_at__isnull=False, then=Value(RequestStatus.ACCEPTED)),
            default=Value(RequestStatus.PENDING),
        ),
        updated_at=now,
    )
    if changed:  # update() sends no signal to the read cache
        parties = {(Side.COMPANY, c) for c, _o in pairs} | {(Side.OPERATOR, o) for _c, o in pairs}
        if pairs:
            meetings_changed(mission_id, parties=parties)
        else:
            mission_changed(mission_id)
    return changed


# --- Booking ----------------------------------------------------------------------------------


def _invite(meeting: Meeting, *, template: str, method: str, extra: dict | None = None) -> None:
    # The firm's members and the operator's contacts, in one query.
    people = User.objects.filter(
        Q(company_id=meeting.company_id) | Q(operator_id=meeting.operator_id), is_active=True
    ).order_by("pk")
    recipients = recipients_for_users(people)
    event = f"{template}:{meeting.pk}:{meeting.sequence}"
    context = {"meeting": meeting, "mission": meeting.mission, **(extra or {})}
    # An invitation overtaken by a later change (moved again, cancelled) stays unsent: the
    # later message tells. A cancellation always leaves.
    current = (meeting, "sequence") if method == "REQUEST" else None
    email_send(
        event=event,
        mission=meeting.mission,
        recipients=recipients,
        template=template,
        context=context,
        attachments=[("meeting_invite", {"meeting": meeting, "method": method})],
        while_current=current,
    )
    # The same news, short, on the phone of those who asked (matchmaking.short_messages).
    phone_send(
        event=event,
        mission=meeting.mission,
        recipients=recipients,
        template=template,
        context={"meeting": meeting, "mission": meeting.mission},
        while_current=current,
    )


def _place(
    *,
    meeting_qs,
    slot: Slot,
    company: Company,
    operator: Operator,
    application: Application,
    table: Table | None = None,
):
    """A free delegate of the firm and a free table for ``slot`` (``table`` if given), or a
    clear refusal."""
    away = set(
        Unavailability.objects.filter(
            Q(company=company) | Q(operator=operator), slot=slot
        ).values_list("company_id", flat=True)
    )  # the firm's id if it is away; None if the operator is
    if company.pk in away:
        raise MatchmakingError(_("The firm is not available at this time."))
    if away:
        raise MatchmakingError(_("The operator is not available at this time."))
    in_slot = list(
        meeting_qs.filter(slot=slot)
        .order_by()
        .values_list("operator_id", "company_id", "delegate_id", "table_id")
    )
    if any(operator_id == operator.pk for operator_id, *_rest in in_slot):
        raise MatchmakingError(_("The operator already has a meeting at this time."))
    taken = {delegate_id for _o, company_id, delegate_id, _t in in_slot if company_id == company.pk}
    free = [d for d in application.delegates.all() if d.pk not in taken]
    if not free:
        raise MatchmakingError(_("All the firm's delegates already have a meeting at this time."))
    if len(free) > 1:  # send one who speaks a language of the operator's contacts, if any does
        contacts = operator.contacts.filter(is_active=True).values_list(
            "languages", "other_languages"
        )
        free = speakers_first(free, frozenset().union(*(spoken(*c) for c in contacts)))
    delegate = free[0]
    used = {table_id for *_rest, table_id in in_slot}
    if table is not None:
        if table.session_id != slot.session_id:
            raise MatchmakingError(
                _("This table does not belong to the session of this time slot.")
            )
        if table.pk in used:
            raise MatchmakingError(
                _("Table %(number)s is taken at this time.") % {"number": table.number}
            )
        return delegate, table
    table = slot.session.table_set.exclude(pk__in=used).order_by("number").first()
    if table is None:
        raise MatchmakingError(_("Every table is taken at this time."))
    return delegate, table


def _check_slot(mission: Mission, slot: Slot, *, on_the_spot: bool = False) -> None:
    if slot.mission_id != mission.pk:
        raise MatchmakingError(_("This time slot does not belong to the mission."))
    if on_the_spot:
        if slot.ends_at <= timezone.now():
            raise MatchmakingError(_("This time slot is over."))
    elif slot.starts_at <= timezone.now():
        raise MatchmakingError(_("This time slot has already started."))


@retried(_slot_race)
def meeting_book(
    *,
    mission: Mission,
    company: Company,
    operator: Operator,
    slot: Slot,
    by: User | None,
    origin: str = Origin.BOOKED,
    table: Table | None = None,
    on_the_spot: bool = False,
) -> Meeting:
    """Book ``slot`` for the firm and the operator. The first to commit wins; the other gets a
    MatchmakingError that says why.

    Staff on the floor seat a meeting arranged on the spot (``onsite``): ``on_the_spot`` lets
    them book a slot that has started and not ended, at the ``table`` they chose; every other
    rule is the booking's."""
    # The pair's participation, then the slot (core.locking): the slot's lock orders the
    # bookings of one slot; the mission is read fresh (its status decides), without locking it:
    # bookings of other slots go on meanwhile.
    _lock_participation(mission.pk, (company.pk, operator.pk))
    if lock(Slot.objects.filter(pk=slot.pk)).first() is None:
        raise MatchmakingError(_("This time slot no longer exists. Choose another one."))
    slot = Slot.objects.select_related("session", "mission").get(pk=slot.pk)
    _check_slot(mission, slot, on_the_spot=on_the_spot)
    mission = slot.mission
    _check_open(mission)
    application = _counterpart_ok(mission, company, operator)
    active = Meeting.objects.filter(mission=mission).exclude(status=MeetingStatus.CANCELLED)
    existing = (
        active.filter(company=company, operator=operator)
        .order_by()
        .values_list("slot__starts_at", flat=True)
        .first()
    )
    if existing:
        raise MatchmakingError(
            _("These two already meet on %(when)s.") % {"when": _when(existing, mission)}
        )
    delegate, table = _place(
        meeting_qs=active,
        slot=slot,
        company=company,
        operator=operator,
        application=application,
        table=table,
    )
    try:
        # No savepoint: a refusal rolls the whole booking back anyway.
        with transaction.atomic(savepoint=False):
            meeting = Meeting.objects.create(
                mission=mission,
                company=company,
                operator=operator,
                delegate=delegate,
                slot=slot,
                table=table,
                booked_by=by,
                origin=origin,
                status=MeetingStatus.CONFIRMED,
            )
    except IntegrityError as exc:
        raise _refused(exc) from exc
    requests_settle(mission.pk, (company.pk, operator.pk))
    _invite(meeting, template="meeting_booked", method="REQUEST")
    return meeting


def _relocate(meeting: Meeting, *, slot: Slot, table: Table, delegate) -> None:
    """Move a locked meeting; the database's one-per-slot rules decide a race."""
    meeting.relocate(slot=slot, table=table, delegate=delegate)
    try:
        with transaction.atomic():
            meeting.save(update_fields=Meeting.RELOCATED)
    except IntegrityError as exc:
        raise _refused(exc) from exc


def lock_meeting(meeting: Meeting) -> Meeting:
    """The meeting's row locked, after its parties' participation (core.locking), then read
    with what it names as it is now."""
    _lock_participation(meeting.mission_id, (meeting.company_id, meeting.operator_id))
    lock(Meeting.objects.filter(pk=meeting.pk)).get()
    return Meeting.objects.select_related(*Meeting.OUTBOX_RELATED).get(pk=meeting.pk)


def _cancel(meeting: Meeting, *, reason: str = "", departure: str = "") -> Meeting:
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason[:300]
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    requests_settle(meeting.mission_id, (meeting.company_id, meeting.operator_id))
    _invite(meeting, template="meeting_cancelled", method="CANCEL", extra={"departure": departure})
    return meeting


@retried(_meeting_race)
def meeting_cancel(*, meeting: Meeting, by: User, reason: str = "", staff: bool = False) -> Meeting:
    meeting = lock_meeting(meeting)
    if not meeting.is_active:
        raise MatchmakingError(_("This meeting is already cancelled."))
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.NO_SHOW):
        raise MatchmakingError(_("This meeting has already taken place."))
    if not staff:
        _check_open(meeting.mission)
        if meeting.slot.starts_at <= timezone.now():
            raise MatchmakingError(_("This meeting has already started."))
        if meeting.locked:
            raise MatchmakingError(
                _("The agency has locked this meeting: ask the agency to change it.")
            )
    return _cancel(meeting, reason=reason)


@retried(_meeting_race)
def meetings_cancel_for_departure(
    *,
    mission: Mission,
    reason: str,
    company: Company | None = None,
    operator: Operator | None = None,
) -> int:
    """A firm or an operator leaves the mission: its coming meetings are cancelled and the
    other side of each is told (``reason`` is "firm-left" or "operator-left")."""
    party = {"company": company} if company else {"operator": operator}
    list(lock(Meeting.objects.filter(mission=mission, **party)))
    upcoming = (
        Meeting.objects.filter(mission=mission, slot__starts_at__gt=timezone.now(), **party)
        .filter(status__in=[MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED])
        .select_related(*Meeting.OUTBOX_RELATED)
    )
    count = 0
    for meeting in upcoming:
        _cancel(meeting, departure=reason)
        count += 1
    return count


def meetings_cancel_for_departure_receiver(sender, *, mission, reason, **party) -> None:
    """``missions.signals.participant_left``: the party's coming meetings are cancelled. A race
    lost twice refuses the decision as a whole, in the words of the missions' services."""
    try:
        meetings_cancel_for_departure(
            mission=mission,
            reason=reason,
            company=party.get("company"),
            operator=party.get("operator"),
        )
    except MatchmakingError as exc:
        raise MissionError(str(exc)) from exc


@retried(_slot_race)
def meeting_move(*, meeting: Meeting, slot: Slot, by: User, staff: bool = False) -> Meeting:
    """Move a meeting to another slot (another delegate or table if needed); the calendar
    event keeps its UID and its SEQUENCE goes up."""
    meeting = lock_meeting(meeting)
    mission = meeting.mission
    _check_open(mission)
    if not meeting.is_active:
        raise MatchmakingError(_("This meeting is cancelled."))
    if meeting.locked and not staff:
        raise MatchmakingError(
            _("The agency has locked this meeting: ask the agency to change it.")
        )
    application = _counterpart_ok(mission, meeting.company, meeting.operator)
    target = _lock_slots(slot.pk, meeting.slot_id)[slot.pk]
    _check_slot(mission, target)
    if target.pk == meeting.slot_id:
        raise MatchmakingError(_("The meeting is already at this time."))
    others = (
        Meeting.objects.filter(mission=mission)
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(pk=meeting.pk)
    )
    delegate, table = _place(
        meeting_qs=others,
        slot=target,
        company=meeting.company,
        operator=meeting.operator,
        application=application,
    )
    _relocate(meeting, slot=target, table=table, delegate=delegate)
    _invite(meeting, template="meeting_moved", method="REQUEST", extra={"by": by})
    return meeting


# --- Staff changes on the cockpit's grid (dashboard) ------------------------------------------
# Staff move a meeting to a chosen slot and table, swap two meetings, lock or unlock one. Every
# change passes the checks of a booking (availability, one meeting per operator, delegate and
# table per slot) and the database constraints behind them, and the sides are told as for a
# move by a participant (``meeting_moved``, SEQUENCE raised). Cancelling is ``meeting_cancel``
# with ``staff=True``.

_TAKEN_PLACE = (MeetingStatus.HELD, MeetingStatus.NO_SHOW)


def _staff_check(meeting: Meeting) -> None:
    if not meeting.is_active:
        raise MatchmakingError(_("This meeting is cancelled."))
    if meeting.status in _TAKEN_PLACE:
        raise MatchmakingError(_("This meeting has already taken place."))


def _staff_fit(
    meeting: Meeting, *, slot: Slot, table: Table, others, planned: tuple = ()
) -> Delegate:
    """The delegate that lets ``meeting`` sit at ``table`` in ``slot``, or a clear refusal.

    ``others`` are the active meetings that stay where they are; ``planned`` the meetings of the
    same change already placed (a swap): ``(slot_id, operator_id, delegate_id, table_id)``."""
    if table.session_id != slot.session_id:
        raise MatchmakingError(_("This table does not belong to the session of this time slot."))
    if Unavailability.objects.filter(slot=slot, company=meeting.company_id).exists():
        raise MatchmakingError(_("The firm is not available at this time."))
    if Unavailability.objects.filter(slot=slot, operator=meeting.operator_id).exists():
        raise MatchmakingError(_("The operator is not available at this time."))
    busy = others.filter(slot=slot)
    here = [p for p in planned if p[0] == slot.pk]
    if busy.filter(operator=meeting.operator_id).exists() or any(
        p[1] == meeting.operator_id for p in here
    ):
        raise MatchmakingError(_("The operator already has a meeting at this time."))
    if busy.filter(table=table).exists() or any(p[3] == table.pk for p in here):
        raise MatchmakingError(
            _("Table %(number)s is taken at this time.") % {"number": table.number}
        )
    taken = set(busy.filter(company=meeting.company_id).values_list("delegate_id", flat=True))
    taken |= {p[2] for p in here}
    application = Application.objects.prefetch_related("delegates").get(
        mission=meeting.mission_id, company=meeting.company_id, status=Application.Status.APPROVED
    )
    delegates = list(application.delegates.all())
    # The delegate keeps the meeting if free; otherwise another one of the firm takes it.
    delegate = next(
        (
            d
            for d in sorted(delegates, key=lambda d: d.pk != meeting.delegate_id)
            if d.pk not in taken
        ),
        None,
    )
    if delegate is None:
        raise MatchmakingError(_("All the firm's delegates already have a meeting at this time."))
    return delegate


def _staff_prepare(meeting: Meeting) -> Meeting:
    meeting = lock_meeting(meeting)
    _check_open(meeting.mission)
    _staff_check(meeting)
    _counterpart_ok(meeting.mission, meeting.company, meeting.operator)
    return meeting


def _lock_slots(*slot_ids: int) -> dict[int, Slot]:
    list(lock(Slot.objects.filter(pk__in=slot_ids)))
    return {s.pk: s for s in Slot.objects.select_related("session").filter(pk__in=slot_ids)}


def _active_others(mission: Mission, *excluded: int):
    return (
        Meeting.objects.filter(mission=mission)
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(pk__in=excluded)
    )


def _staff_moved(meetings: list[Meeting], by: User) -> None:
    for meeting in meetings:
        _invite(meeting, template="meeting_moved", method="REQUEST", extra={"by": by})


@retried(_slot_race)
def meeting_staff_move(
    *, meeting: Meeting, slot: Slot, by: User, table: Table | None = None
) -> Meeting:
    """Staff move a meeting to ``slot``, at ``table`` if given (the same slot at another table
    is a move too), else at the first free table as ``meeting_move`` does. Locked meetings
    move too: the lock keeps the optimiser and the participants off, not staff."""
    if table is None:
        meeting = lock_meeting(meeting)
        _staff_check(meeting)
        return meeting_move(meeting=meeting, slot=slot, by=by, staff=True)
    meeting = _staff_prepare(meeting)
    mission = meeting.mission
    target = _lock_slots(slot.pk, meeting.slot_id)[slot.pk]
    _check_slot(mission, target)
    if target.pk == meeting.slot_id and table.pk == meeting.table_id:
        raise MatchmakingError(_("The meeting is already at this time and table."))
    delegate = _staff_fit(
        meeting, slot=target, table=table, others=_active_others(mission, meeting.pk)
    )
    _relocate(meeting, slot=target, table=table, delegate=delegate)
    _staff_moved([meeting], by)
    return meeting


@retried(_meeting_race)
def meetings_swap(*, first: Meeting, second: Meeting, by: User) -> tuple[Meeting, Meeting]:
    """Staff swap two meetings of a mission: each takes the other's slot and table (a delegate
    of its firm who is free then). Refused, and nothing changes, if either would double-book."""
    if first.pk == second.pk:
        raise MatchmakingError(_("Choose two different meetings to swap."))
    if first.mission_id != second.mission_id:
        raise MatchmakingError(_("These two meetings are not of the same mission."))
    # Both pairs' participation, then the meetings in id order (core.locking).
    _lock_participation(
        first.mission_id,
        (first.company_id, first.operator_id),
        (second.company_id, second.operator_id),
    )
    a, b = sorted([first, second], key=lambda m: m.pk)
    a, b = _staff_prepare(a), _staff_prepare(b)
    mission = a.mission
    slots = _lock_slots(a.slot_id, b.slot_id)
    for slot in slots.values():
        _check_slot(mission, slot)
    if a.slot_id == b.slot_id and a.table_id == b.table_id:
        raise MatchmakingError(_("These two meetings are at the same place and time."))
    others = _active_others(mission, a.pk, b.pk)
    a_slot, a_table, b_slot, b_table = slots[a.slot_id], a.table, slots[b.slot_id], b.table
    a_delegate = _staff_fit(a, slot=b_slot, table=b_table, others=others)
    b_delegate = _staff_fit(
        b,
        slot=a_slot,
        table=a_table,
        others=others,
        planned=((b_slot.pk, a.operator_id, a_delegate.pk, b_table.pk),),
    )
    a_status = a.status
    try:
        with transaction.atomic():
            # The unique constraints are checked row by row: ``a`` leaves the active set while
            # ``b`` takes its place, then comes back at ``b``'s former place.
            Meeting.objects.filter(pk=a.pk).update(status=MeetingStatus.CANCELLED)
            b.relocate(slot=a_slot, table=a_table, delegate=b_delegate)
            b.save(update_fields=Meeting.RELOCATED)
            a.relocate(slot=b_slot, table=b_table, delegate=a_delegate)
            a.status = a_status
            a.save(update_fields=[*Meeting.RELOCATED, "status"])
    except IntegrityError as exc:
        raise _refused(
            exc, _("Someone has just changed one of these meetings. Look at the grid again.")
        ) from exc
    _staff_moved([a, b], by)
    return (a, b) if first.pk == a.pk else (b, a)


@retried(_meeting_race)
def meeting_lock_set(*, meeting: Meeting, locked: bool, by: User) -> Meeting:
    """Lock a meeting (the optimiser keeps it where it is, the participants cannot move or
    cancel it) or unlock it. Nobody is told: the meeting itself does not change."""
    meeting = lock_meeting(meeting)
    if not meeting.is_active:
        raise MatchmakingError(_("This meeting is cancelled."))
    if meeting.locked == locked:
        raise MatchmakingError(
            _("This meeting is already locked.") if locked else _("This meeting is not locked.")
        )
    meeting.locked = locked
    meeting.save(update_fields=["locked", "updated_at"])
    return meeting


# --- Held or no-show: staff record what became of a meeting (dashboard cockpit) ---------------
# After each meeting, staff record whether it was held or a side did not come. A mistake is
# corrected the same way (held <-> no-show, or back to "not recorded", that is confirmed). Nobody
# is told: the meeting's time and place do not change, so its SEQUENCE stays as it is. A no-show
# gets no feedback request (``matchmaking.feedback.TOOK_PLACE``).

OUTCOME_STATUSES = (MeetingStatus.HELD, MeetingStatus.NO_SHOW, MeetingStatus.CONFIRMED)


@retried(_meeting_race)
def meeting_outcome_set(*, meeting: Meeting, status: str, by: User) -> Meeting:
    """Record that ``meeting`` was held (``HELD``) or a no-show (``NO_SHOW``), or take the record
    back (``CONFIRMED``). Only for a meeting that is not cancelled and whose slot has started;
    recording the status it already has changes nothing."""
    if status not in OUTCOME_STATUSES:
        raise MatchmakingError(_("Choose held, no-show or not recorded."))
    meeting = lock_meeting(meeting)
    if not meeting.is_active:
        raise MatchmakingError(_("This meeting is cancelled: there is no outcome to record."))
    if meeting.slot.starts_at > timezone.now():
        raise MatchmakingError(
            _("This meeting has not started yet: record its outcome once it has begun.")
        )
    unchanged = meeting.status == status or (
        status == MeetingStatus.CONFIRMED and meeting.status not in _TAKEN_PLACE
    )
    if unchanged:
        return meeting  # a second click, or "not recorded" on a meeting never recorded
    meeting.status = status
    meeting.save(update_fields=["status", "updated_at"])
    return meeting
