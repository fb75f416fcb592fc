"""Schedule proposals: run the optimiser on a mission, let staff review the result, publish it.

The flow: ``proposal_start`` records a proposal, the caller queues ``proposal_compute_task``
after the commit; the task calls ``proposal_compute``, which builds the instance from the
database (``proposals.instance``), solves it outside any transaction and stores the schedule
with its difference from the meetings of the moment. Staff then ``proposal_publish`` it (new
meetings created, proposed ones moved, e-mails sent) or ``proposal_discard`` it.

Choices:

- One computation at a time per mission (the database refuses a second one); a computation
  that has not finished long after its time limit (a killed worker) no longer blocks the next.
- Starting a computation discards the proposals still awaiting review: only the latest counts.
- A stale proposal is never published: the digest of the meetings, availability, delegates,
  operators and tables it was computed from (``mission_basis``) must be unchanged.
- Publishing never touches a locked, confirmed, held or no-show meeting; it creates the new
  meetings as confirmed (origin "scheduled"), so that a later run never moves a published agenda;
  it moves only meetings that are proposed and unlocked.
- Each firm and operator whose agenda the publication changes (a meeting added or moved) gets
  one "agenda published" e-mail listing its whole agenda, with the agenda attached as ``.ics``
  (same UID per meeting as every other invitation, so calendars update in place). Parties whose
  agenda did not change get nothing: they already hold the invitations of their meetings.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from companies.models import Company, Operator
from core.languages import speakers_first
from core.locking import lock
from matchmaking.freshness import mission_changed
from matchmaking.models import Meeting, MeetingStatus, Origin, Slot
from matchmaking.selectors import operators_languages
from matchmaking.services import requests_settle
from missions.models import Application, Mission, MissionStatus
from outbox.services import email_send, recipients_for_users
from scheduling.problem import Solution
from scheduling.validate import count_breaks

from .instance import (
    MissionInstance,
    firm_key,
    mission_basis,
    mission_instance,
    operator_key,
    parse_key,
    with_movable_fixed,
)
from .models import PROPOSAL_TIME_LIMIT_MAX, ProposalStatus, ScheduleProposal

logger = logging.getLogger(__name__)

# Staff compute a schedule once the delegation is known, until the agenda is published.
SCHEDULING_STATUSES = (MissionStatus.SCHEDULING, MissionStatus.PUBLISHED)
WORKERS = 2
ADDED, MOVED, UNCHANGED = "added", "moved", "unchanged"


class ProposalError(Exception):
    """A rule of scheduling refused the change; the message is for staff."""


def _progress_key(proposal_id: int) -> str:
    return f"schedule-progress:{proposal_id}"


def _is_abandoned(proposal: ScheduleProposal, now=None) -> bool:
    """A computation still "computing" well after its time limit lost its worker."""
    now = now or timezone.now()
    since = proposal.started_at or proposal.created_at
    return now - since > timedelta(seconds=2 * proposal.time_limit + 120)


def _check_mission(mission: Mission) -> None:
    if mission.status not in SCHEDULING_STATUSES:
        raise ProposalError(
            _(
                "A schedule can be computed and published only while the mission is in "
                "“%(scheduling)s” or “%(published)s” (it is “%(status)s”)."
            )
            % {
                "scheduling": MissionStatus.SCHEDULING.label,
                "published": MissionStatus.PUBLISHED.label,
                "status": mission.get_status_display(),
            }
        )


# --- Writes -----------------------------------------------------------------------------------


@transaction.atomic
def proposal_start(*, mission: Mission, by: User | None, time_limit: int = 30) -> ScheduleProposal:
    """Record a proposal to compute; the caller then runs ``proposal_compute``, or queues
    ``tasks.proposal_compute_task`` (which imports this module)."""
    mission = lock(Mission.objects).get(pk=mission.pk)
    _check_mission(mission)
    if (
        isinstance(time_limit, bool)
        or not isinstance(time_limit, int)
        or not 1 <= time_limit <= PROPOSAL_TIME_LIMIT_MAX
    ):
        raise ProposalError(
            _("The time limit must be a whole number of seconds from 1 to %(max)s.")
            % {"max": PROPOSAL_TIME_LIMIT_MAX}
        )
    if not Slot.objects.filter(mission=mission, starts_at__gt=timezone.now()).exists():
        raise ProposalError(
            _("This mission has no B2B time slot to come: add a B2B session first.")
        )
    now = timezone.now()
    for running in mission.schedule_proposals.filter(status=ProposalStatus.COMPUTING):
        if not _is_abandoned(running, now):
            raise ProposalError(
                _("A schedule is already being computed for this mission: wait for it to end.")
            )
        running.status, running.finished_at = ProposalStatus.FAILED, now
        running.error = _("The computation was interrupted before it finished.")
        running.save(update_fields=["status", "finished_at", "error"])
    mission.schedule_proposals.filter(status=ProposalStatus.READY).update(
        status=ProposalStatus.DISCARDED, decided_by=by, decided_at=now
    )
    try:
        with transaction.atomic():
            proposal = ScheduleProposal.objects.create(
                mission=mission, requested_by=by, time_limit=time_limit
            )
    except IntegrityError as exc:  # a concurrent start won
        raise ProposalError(
            _("A schedule is already being computed for this mission: wait for it to end.")
        ) from exc
    return proposal


def _progress_reporter(proposal: ScheduleProposal, offset: int) -> Callable[..., None]:
    """A callback for the optimiser's ``on_progress`` (a dict: phase, fraction of the time used,
    objective, bound, breaks). It may be called from a solver thread, so it writes to the cache
    only (never the database), at most five times a second, and always the final report."""
    started = time.monotonic()
    last = [0.0]

    def report(*args: Any, **kwargs: Any) -> None:
        data: dict[str, Any] = {}
        if args and isinstance(args[0], Mapping):
            data.update(args[0])
        data.update(kwargs)
        data = {k: v for k, v in data.items() if isinstance(v, int | float | str)}
        now = time.monotonic()
        if now - last[0] < 0.2 and data.get("fraction", 0) < 1:
            return
        last[0] = now
        for name in ("objective", "bound"):
            # Movable meetings carry a keeping bonus: staff see the plain weights.
            if isinstance(data.get(name), int | float):
                data[name] = max(0, round(data[name] - offset))
        data["elapsed"] = round(now - started, 1)
        cache.set(_progress_key(proposal.pk), data, 2 * proposal.time_limit + 300)

    return report


def _key_of(meeting) -> tuple[int, int, int]:
    """(company pk, operator pk, slot pk) of an optimiser meeting, whatever its orientation."""
    parts = dict(parse_key(k) for k in (meeting.a, meeting.b))
    return parts["company"], parts["operator"], parse_key(meeting.slot)[1]


def proposal_result(mi: MissionInstance, solution: Solution) -> dict:
    """The schedule of ``solution`` and its difference from the present meetings (JSON)."""
    current = mi.current
    rows = []
    for m in solution.meetings:
        company, operator, slot = _key_of(m)
        existing = current.get(m.pair)
        if existing is None:
            change = ADDED
        elif existing.slot_id == slot:
            change = UNCHANGED
        else:
            change = MOVED
        rows.append(
            {
                "company": company,
                "operator": operator,
                "slot": slot,
                "change": change,
                "meeting": existing.pk if existing else None,
                "from_slot": existing.slot_id if change == MOVED else None,
                "weight": mi.base_weights.get(m.pair, 0),
            }
        )
    proposed = solution.meetings
    before = mi.current_meetings()
    mine: dict[str, list] = defaultdict(list)
    mine_before: dict[str, list] = defaultdict(list)
    for m in proposed:
        mine[m.a].append(m)
        mine[m.b].append(m)
    for m in before:
        mine_before[m.a].append(m)
        mine_before[m.b].append(m)
    changes = {(r["company"], r["operator"]): r["change"] for r in rows}
    participants = []
    for key in sorted(set(mine) | set(mine_before)):
        side, pk = parse_key(key)
        own = [_key_of(m) for m in mine[key]]
        participants.append(
            {
                "key": key,
                "side": side,
                "pk": pk,
                "meetings": len(own),
                "meetings_before": len(mine_before[key]),
                "added": sum(1 for c, o, _s in own if changes[c, o] == ADDED),
                "moved": sum(1 for c, o, _s in own if changes[c, o] == MOVED),
                "breaks": count_breaks(mi.instance, mine[key]),
                "breaks_before": count_breaks(mi.instance, mine_before[key]),
            }
        )
    held = {m.pair for m in proposed}
    unmet = []
    for pair, weight in mi.base_weights.items():
        if pair not in held:
            parts = dict(parse_key(k) for k in pair)
            unmet.append({"company": parts["company"], "operator": parts["operator"]})
            unmet[-1]["weight"] = weight
    unmet.sort(key=lambda r: (-r["weight"], r["company"], r["operator"]))
    counts = {c: sum(1 for r in rows if r["change"] == c) for c in (ADDED, MOVED, UNCHANGED)}
    counts.update(
        requests=mi.requests,
        held=sum(1 for pair in mi.base_weights if pair in held),
        meetings=len(rows),
        meetings_before=len(before),
        kept_apart=mi.kept_apart,
    )
    return {"meetings": rows, "participants": participants, "unmet": unmet, "counts": counts}


def _finish(proposal_id: int, **fields: Any) -> ScheduleProposal | None:
    with transaction.atomic():
        proposal = ScheduleProposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status != ProposalStatus.COMPUTING:
            return proposal  # discarded (or finished by another run) meanwhile
        progress = cache.get(_progress_key(proposal_id))
        if progress:
            fields.setdefault("progress", progress)
        for name, value in fields.items():
            setattr(proposal, name, value)
        proposal.finished_at = timezone.now()
        proposal.save()
    cache.delete(_progress_key(proposal_id))
    return proposal


def proposal_compute(*, proposal_id: int) -> ScheduleProposal | None:
    """Compute a proposal (``proposal_compute_task``); safe to run twice."""
    with transaction.atomic():
        proposal = (
            ScheduleProposal.objects.select_for_update()
            .select_related("mission")
            .filter(pk=proposal_id)
            .first()
        )
        if proposal is None or proposal.status != ProposalStatus.COMPUTING:
            return proposal
        if proposal.started_at is not None:
            # Handed out again after its worker died (out of memory, killed): computing it again
            # would kill the next worker too. Staff see why and may start a shorter one.
            proposal.status, proposal.finished_at = ProposalStatus.FAILED, timezone.now()
            proposal.error = _("The computation was interrupted before it finished.")
            proposal.save(update_fields=["status", "finished_at", "error"])
            return proposal
        proposal.started_at = timezone.now()
        proposal.save(update_fields=["started_at"])
    # Imported here: OR-Tools (with pandas) costs each web process 80 MB and 0.3 s to load, and
    # only the worker that computes needs it.
    from scheduling import solver

    mission = proposal.mission
    started = time.monotonic()
    try:
        # The digest first: a change made while the instance is read then makes the proposal
        # stale (refused at publication) rather than silently missing.
        basis = mission_basis(mission)
        mi = mission_instance(mission)
        offset = mi.keep_bonus * len(mi.movable)
        reporter = _progress_reporter(proposal, offset)
        solution = solver.solve(
            mi.instance, time_limit=proposal.time_limit, workers=WORKERS, on_progress=reporter
        )
        kept = {m.pair for m in solution.meetings}
        if solution.status != "infeasible" and not set(mi.movable) <= kept:
            # The optimiser ran out of time before keeping every movable meeting: solve again
            # with them where they are (always possible), in the time that is left.
            left = max(1.0, proposal.time_limit - (time.monotonic() - started))
            instance = with_movable_fixed(mi)
            mi = MissionInstance(
                instance=instance,
                base_weights=mi.base_weights,
                fixed=mi.current,
                movable={},
                keep_bonus=0,
                requests=mi.requests,
                slots=mi.slots,
                kept_apart=mi.kept_apart,
            )
            solution = solver.solve(
                instance, time_limit=left, workers=WORKERS, on_progress=reporter
            )
    except Exception as exc:  # never leave a proposal "computing" after a crash
        logger.exception("schedule proposal %s failed", proposal_id)
        return _finish(
            proposal_id,
            status=ProposalStatus.FAILED,
            error=_("The optimiser stopped on an error: %(error)s") % {"error": exc},
            seconds=round(time.monotonic() - started, 3),
        )
    if solution.status == "infeasible":
        return _finish(
            proposal_id,
            status=ProposalStatus.FAILED,
            solver_status=solution.status,
            error=_("No schedule can keep every fixed (locked or confirmed) meeting: %(reason)s")
            % {"reason": solution.error or "?"},
            basis=basis,
            seconds=round(solution.seconds, 3),
        )
    result = proposal_result(mi, solution)
    held = {m.pair for m in solution.meetings}
    objective = sum(w for pair, w in mi.base_weights.items() if pair in held)
    # Bound among the schedules that keep every movable meeting (which this one does).
    bound = max(objective, solution.bound - mi.keep_bonus * len(mi.movable))
    return _finish(
        proposal_id,
        status=ProposalStatus.READY,
        solver_status=solution.status,
        objective=objective,
        bound=bound,
        breaks=solution.breaks,
        breaks_before=count_breaks(mi.instance, mi.current_meetings()),
        seconds=round(solution.seconds, 3),
        basis=basis,
        result=result,
    )


def _place_all(
    mission: Mission, rows: list[dict], moving: list[Meeting], by: User | None
) -> tuple[list[Meeting], list[Meeting]]:
    """Give each added or moved meeting a free delegate and a free table, and save it."""
    staying = (
        Meeting.objects.filter(mission=mission)
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(pk__in=[m.pk for m in moving])
        .values_list("slot_id", "table_id", "delegate_id")
    )
    tables_used: dict[int, set[int]] = defaultdict(set)
    delegates_used: dict[int, set[int]] = defaultdict(set)
    for slot_id, table_id, delegate_id in staying:
        tables_used[slot_id].add(table_id)
        delegates_used[slot_id].add(delegate_id)
    slots = {
        s.pk: s
        for s in Slot.objects.filter(pk__in={r["slot"] for r in rows})
        .select_related("session")
        .prefetch_related("session__table_set")
    }
    delegates = defaultdict(list)
    for application in Application.objects.filter(
        mission=mission, company_id__in={r["company"] for r in rows}
    ).prefetch_related("delegates"):
        delegates[application.company_id] = list(application.delegates.all())
    languages = operators_languages({r["operator"] for r in rows})
    by_pk = {m.pk: m for m in moving}
    added, moved = [], []
    for row in sorted(rows, key=lambda r: (r["slot"], r["company"], r["operator"])):
        slot = slots[row["slot"]]
        table = next(
            (t for t in slot.session.table_set.all() if t.pk not in tables_used[slot.pk]), None
        )
        free = [d for d in delegates[row["company"]] if d.pk not in delegates_used[slot.pk]]
        # One who speaks a language of the operator's contacts, if any does.
        delegate = next(iter(speakers_first(free, languages[row["operator"]])), None)
        if table is None or delegate is None:
            raise ProposalError(_stale_message())
        tables_used[slot.pk].add(table.pk)
        delegates_used[slot.pk].add(delegate.pk)
        if row["change"] == MOVED:
            meeting = by_pk[row["meeting"]]
            meeting.relocate(slot=slot, table=table, delegate=delegate)
            meeting.save(update_fields=[*Meeting.RELOCATED, "status"])
            moved.append(meeting)
        else:
            meeting = Meeting.objects.create(
                mission=mission,
                company_id=row["company"],
                operator_id=row["operator"],
                delegate=delegate,
                slot=slot,
                table=table,
                status=MeetingStatus.CONFIRMED,
                origin=Origin.SCHEDULED,
                booked_by=by,
            )
            added.append(meeting)
    return added, moved


def _stale_message() -> str:
    return _(
        "The meetings, availability or participants of this mission have changed since this "
        "proposal was computed. Compute the schedule again."
    )


def proposal_changes(proposal: ScheduleProposal) -> int:
    """How many meetings publishing ``proposal`` would add or move (0: nothing to publish)."""
    rows = (proposal.result or {}).get("meetings", [])
    return sum(1 for r in rows if r["change"] in (ADDED, MOVED))


@transaction.atomic
def proposal_publish(*, proposal: ScheduleProposal, by: User | None) -> ScheduleProposal:
    """Create and move the proposal's meetings, then tell every party whose agenda changed."""
    # In the order of core.locking: the mission, the proposal, meetings, slots.
    mission = lock(Mission.objects).get(pk=proposal.mission_id)
    proposal = lock(ScheduleProposal.objects).get(pk=proposal.pk)
    if proposal.status != ProposalStatus.READY:
        raise ProposalError(_("Only a proposal ready for review can be published."))
    _check_mission(mission)
    if not proposal_changes(proposal):
        raise ProposalError(
            _("This proposal adds or moves no meeting: there is nothing to publish. Discard it.")
        )
    rows = [r for r in proposal.result.get("meetings", []) if r["change"] in (ADDED, MOVED)]
    moving = list(
        lock(
            Meeting.objects.filter(
                mission=mission,
                pk__in=[r["meeting"] for r in rows if r["change"] == MOVED],
                status=MeetingStatus.PROPOSED,
                locked=False,
            )
        )
    )
    # The slot rows are locked as a booking locks them: no booking slips in meanwhile.
    list(lock(Slot.objects.filter(mission=mission)).values("pk"))
    if mission_basis(mission) != proposal.basis:
        raise ProposalError(_stale_message())
    now = timezone.now()
    if Slot.objects.filter(pk__in={r["slot"] for r in rows}, starts_at__lte=now).exists():
        raise ProposalError(
            _(
                "Some proposed meetings fall in time slots that have already started. "
                "Compute the schedule again."
            )
        )
    if len(moving) != sum(1 for r in rows if r["change"] == MOVED):
        raise ProposalError(_stale_message())
    try:
        with transaction.atomic():
            # The moved meetings leave their slots first, so that two meetings trading places
            # never meet the database's one-per-slot rules half-way (they are set back to
            # "proposed" when saved in their new slot).
            Meeting.objects.filter(pk__in=[m.pk for m in moving]).update(
                status=MeetingStatus.CANCELLED
            )
            for m in moving:
                m.status = MeetingStatus.PROPOSED
            added, moved = _place_all(mission, rows, moving, by)
    except IntegrityError as exc:
        raise ProposalError(_stale_message()) from exc
    requests_settle(mission.pk)  # the requests of the pairs now scheduled are met
    proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.PUBLISHED, by, now
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    _agendas_send(proposal, mission, added=added, moved=moved)
    mission_changed(mission.pk)
    return proposal


def _agendas_send(
    proposal: ScheduleProposal, mission: Mission, *, added: list[Meeting], moved: list[Meeting]
) -> None:
    """One "agenda published" message per party whose agenda changed, with its whole agenda."""
    placed = added + moved
    new_ids, moved_ids = {m.pk for m in added}, {m.pk for m in moved}
    companies = {m.company_id for m in placed}
    operators = {m.operator_id for m in placed}
    active = (
        Meeting.objects.filter(mission=mission)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("slot")
        .order_by("slot__starts_at", "pk")
    )
    agenda: dict[tuple[str, int], list[Meeting]] = defaultdict(list)
    for m in active.filter(company_id__in=companies) | active.filter(operator_id__in=operators):
        agenda["company", m.company_id].append(m)
        agenda["operator", m.operator_id].append(m)
    parties = [("company", c) for c in Company.objects.filter(pk__in=companies).order_by("pk")] + [
        ("operator", o) for o in Operator.objects.filter(pk__in=operators).order_by("pk")
    ]
    for side, party in parties:
        people = (party.members if side == "company" else party.contacts).filter(is_active=True)
        meetings = agenda[side, party.pk]
        key = firm_key(party.pk) if side == "company" else operator_key(party.pk)
        email_send(
            event=f"agenda-published:{proposal.pk}:{key}",
            mission=mission,
            recipients=recipients_for_users(people),
            template="agenda_published",
            context={
                "mission": mission,
                "party_name": party.display_name if side == "company" else party.name,
                "is_company": side == "company",
                "meetings": meetings,
                "new": [m.pk for m in meetings if m.pk in new_ids],
                "moved": [m.pk for m in meetings if m.pk in moved_ids],
            },
            attachments=[("agenda_ics", {"mission": mission, side: party})],
        )


@transaction.atomic
def proposal_discard(*, proposal: ScheduleProposal, by: User | None) -> ScheduleProposal:
    """Set a proposal aside (a computation in progress is abandoned: its result is dropped)."""
    proposal = ScheduleProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status in (ProposalStatus.PUBLISHED, ProposalStatus.DISCARDED):
        raise ProposalError(_("This proposal has already been published or discarded."))
    if proposal.status == ProposalStatus.COMPUTING:
        proposal.finished_at = timezone.now()
    proposal.status, proposal.decided_by, proposal.decided_at = (
        ProposalStatus.DISCARDED,
        by,
        timezone.now(),
    )
    proposal.save()
    return proposal


# --- Reads ------------------------------------------------------------------------------------


def proposal_progress(proposal: ScheduleProposal) -> dict:
    """What a computation in progress has reported, and how long it has run."""
    since = proposal.started_at or proposal.created_at
    elapsed = max(0.0, (timezone.now() - since).total_seconds())
    reported = cache.get(_progress_key(proposal.pk)) or proposal.progress or {}
    fraction = reported.get("fraction") or 0
    done = max(elapsed, fraction * proposal.time_limit) if proposal.started_at else 0
    return {
        "started": proposal.started_at is not None,
        "elapsed": round(elapsed),
        "limit": proposal.time_limit,
        "value": min(round(done), proposal.time_limit),
        "objective": reported.get("objective"),
        "bound": reported.get("bound"),
        "breaks": reported.get("breaks"),
    }


def proposal_report(proposal: ScheduleProposal) -> dict:
    """The proposal's meetings and participants with names and slots (a fixed number of
    queries, whatever the size)."""
    result = proposal.result or {}
    rows = result.get("meetings", [])
    participants = result.get("participants", [])
    unmet = result.get("unmet", [])
    company_ids = {r["company"] for r in rows + unmet} | {
        p["pk"] for p in participants if p["side"] == "company"
    }
    operator_ids = {r["operator"] for r in rows + unmet} | {
        p["pk"] for p in participants if p["side"] == "operator"
    }
    slot_ids = {r["slot"] for r in rows} | {r["from_slot"] for r in rows if r["from_slot"]}
    companies = Company.objects.in_bulk(company_ids)
    operators = Operator.objects.in_bulk(operator_ids)
    slots = Slot.objects.in_bulk(slot_ids)

    def firm(pk):
        c = companies.get(pk)
        return c.display_name if c else f"#{pk}"

    def operator(pk):
        o = operators.get(pk)
        return o.name if o else f"#{pk}"

    meetings = {ADDED: [], MOVED: [], UNCHANGED: []}

    def when(r):
        slot = slots.get(r["slot"])  # a session deleted since: its rows go last
        return (slot is None, slot.starts_at if slot else None, r["company"])

    for r in sorted(rows, key=when):
        meetings[r["change"]].append(
            {
                "firm": firm(r["company"]),
                "operator": operator(r["operator"]),
                "slot": slots.get(r["slot"]),
                "from_slot": slots.get(r["from_slot"]) if r["from_slot"] else None,
                "weight": r["weight"],
            }
        )
    people = [
        {
            **p,
            "name": firm(p["pk"]) if p["side"] == "company" else operator(p["pk"]),
        }
        for p in participants
    ]
    people.sort(key=lambda p: (p["side"], p["name"].lower()))
    return {
        "added": meetings[ADDED],
        "moved": meetings[MOVED],
        "unchanged": meetings[UNCHANGED],
        "participants": people,
        "unmet": [
            {"firm": firm(u["company"]), "operator": operator(u["operator"]), **u} for u in unmet
        ],
        "counts": result.get("counts", {}),
    }


def proposal_latest(*, mission: Mission) -> ScheduleProposal | None:
    return mission.schedule_proposals.select_related("requested_by", "decided_by").first()
