"""Pages of the participants of a mission: directory, requests, booking, agenda, calendars."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from core import cache
from core.ids import MAX_ID, parse_id, parse_ids
from missions.models import MATCHMAKING_VISIBLE_STATUSES

from . import attendance, selectors, services
from .calendar import calendar_bytes
from .forms import DirectoryFilterForm, MeetingCancelForm, RequestForm
from .models import CalendarFeed, Meeting, MeetingRequest, Side, Slot
from .reasons import reasons_text

DIRECTORY_PAGE = 50  # entries per page of the directory


def _participant(request, slug) -> services.Participant:
    """The user's firm or operator in this mission; other users get a 403."""
    mission = selectors.mission_by_slug(slug)
    participant = selectors.participant_for(user=request.user, mission=mission)
    if participant is None or mission.status not in MATCHMAKING_VISIBLE_STATUSES:
        # The 403 page tells why, and what comes next.
        raise PermissionDenied(selectors.not_participant_reason(user=request.user, mission=mission))
    return participant


def _counterpart(participant, pk):
    if pk > MAX_ID:  # past the database's integers (the lookup by foreign key would overflow)
        raise Http404
    try:
        return selectors.counterpart(participant=participant, pk=pk)
    except (
        selectors.Application.DoesNotExist,
        selectors.Company.DoesNotExist,
        selectors.Operator.DoesNotExist,
    ):
        raise Http404 from None


def _slot(mission, value: str) -> Slot | None:
    pk = parse_id(value)
    return Slot.objects.filter(mission=mission, pk=pk).first() if pk else None


@login_required
def directory(request, slug):
    participant = _participant(request, slug)
    mission, side, pk = participant.mission, participant.side, participant.organisation.pk
    form = DirectoryFilterForm(
        request.GET or None,
        sectors=selectors.sector_names().items(),
        # Only firms filter operators by country.
        countries=selectors.operator_countries(mission=mission) if side == Side.COMPANY else (),
    )
    valid = form.is_valid()
    filters = {name: value for name, value in form.cleaned_data.items() if value} if valid else {}
    page_number = parse_id(request.GET.get("page", "")) or 1

    def entries():
        found = selectors.directory(participant=participant, filters=filters)
        page = Paginator(found, DIRECTORY_PAGE).get_page(page_number)
        names = selectors.sector_names()
        for entry in page:
            entry.reasons = reasons_text(entry.match, names, side)
        return page

    return render(
        request,
        "matchmaking/directory.html",
        {
            "participant": participant,
            "mission": mission,
            # Read only when the template's cached fragment of the list is missing.
            "page": SimpleLazyObject(entries),
            "stamp": cache.stamp(mission.pk, cache.party(side, pk)),
            # The list's fragment varies with the filters once cleaned, never with raw input.
            "list_key": f"{sorted(filters.items())}:{page_number}",
            "filters": filters,
            "form": form,
        },
        status=400 if form.errors else 200,  # the list is shown unfiltered, the errors said
    )


def _party_page(request, participant, party, *, request_form=None, status=200):
    """The booking page of ``party`` (a firm or an operator of the other side): its profile, the
    same for every reader of this side, is a cached fragment of the template; the pair's parts
    (compatibility, requests, free slots) and the forms are rendered for each request."""
    mission = participant.mission
    other_side = Side.OPERATOR if participant.side == Side.COMPANY else Side.COMPANY
    # Every version the page's parts depend on, in one round trip (read once per request).
    cache.stamp(
        mission.pk,
        cache.ACTIVITY,
        cache.party(participant.side, participant.organisation.pk),
        cache.party(other_side, party.pk),
    )
    entry = selectors.directory_entry(participant=participant, party=party)
    entry.reasons = reasons_text(entry.match, selectors.sector_names(), participant.side)
    booking_open = mission.status in services.MATCHMAKING_OPEN
    free = []
    if booking_open and not entry.meeting_start:
        if participant.side == Side.COMPANY:
            company, operator, application = participant.company, party, participant.application
        else:
            company, operator = party, participant.operator
            application = party.mission_applications[0]
        free = selectors.free_slots(
            mission=mission, company=company, operator=operator, application=application
        )
    return render(
        request,
        "matchmaking/party.html",
        {
            "mission": mission,
            "participant": participant,
            "party": party,
            "entry": entry,
            "booking_open": booking_open,
            "free": free,
            "request_form": request_form or RequestForm(),
            "stamp": cache.stamp(mission.pk),
        },
        status=status,
    )


@login_required
def party(request, slug, pk):
    participant = _participant(request, slug)
    return _party_page(request, participant, _counterpart(participant, pk))


@require_POST
@login_required
def book(request, slug, pk):
    participant = _participant(request, slug)
    other = _counterpart(participant, pk)
    slot = _slot(participant.mission, request.POST.get("slot", ""))
    if slot is None:
        messages.error(request, _("Choose a time slot."))
        return _party_page(request, participant, other, status=400)
    company, operator = (
        (participant.company, other)
        if participant.side == Side.COMPANY
        else (other, participant.operator)
    )
    try:
        services.meeting_book(
            mission=participant.mission,
            company=company,
            operator=operator,
            slot=slot,
            by=request.user,
        )
    except services.MatchmakingError as exc:
        # The first to commit won: say why, and show the slots still free.
        messages.error(request, str(exc))
        return _party_page(request, participant, other, status=409)
    messages.success(
        request, _("The meeting is booked. Both sides receive a calendar invitation by e-mail.")
    )
    return redirect("matchmaking:agenda", slug=slug)


@require_POST
@login_required
def request_create(request, slug, pk):
    participant = _participant(request, slug)
    other = _counterpart(participant, pk)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_create(
                participant=participant,
                counterpart=other,
                priority=form.cleaned_data["priority"],
                message=form.cleaned_data["message"],
                by=request.user,
            )
        except services.MatchmakingError as exc:
            messages.error(request, str(exc))
            return _party_page(request, participant, other, request_form=form, status=409)
        messages.success(request, _("Your request has been sent."))
        return redirect("matchmaking:party", slug=slug, pk=pk)
    return _party_page(request, participant, other, request_form=form, status=400)


def _requests_page(request, participant, status=200):
    items = list(selectors.requests_for(participant=participant))
    asked = {
        (r.company_id, r.operator_id)
        for r in items
        if r.side == participant.side and r.status != "withdrawn"
    }
    theirs = {
        (r.company_id, r.operator_id)
        for r in items
        if r.side != participant.side and r.status != "withdrawn"
    }
    for item in items:
        item.mutual = (item.company_id, item.operator_id) in (asked & theirs)
        item.mine = item.side == participant.side
        item.other = item.operator if participant.side == Side.COMPANY else item.company
    return render(
        request,
        "matchmaking/requests.html",
        {
            "participant": participant,
            "mission": participant.mission,
            "incoming": [r for r in items if not r.mine],
            "outgoing": [r for r in items if r.mine],
        },
        status=status,
    )


@login_required
def requests(request, slug):
    return _requests_page(request, _participant(request, slug))


@require_POST
@login_required
def request_action(request, slug, pk):
    participant = _participant(request, slug)
    item = get_object_or_404(MeetingRequest, pk=pk, mission=participant.mission)
    if not participant.owns(item):
        raise Http404
    action = request.POST.get("action")
    try:
        if action in ("accept", "decline"):
            services.request_respond(
                request=item, participant=participant, accept=action == "accept"
            )
        elif action == "withdraw":
            services.request_withdraw(request=item, participant=participant)
        else:
            raise services.MatchmakingError(_("Unknown action."))
    except services.MatchmakingError as exc:
        messages.error(request, str(exc))
        return _requests_page(request, participant, status=409)
    messages.success(request, _("Done."))
    return redirect("matchmaking:requests", slug=slug)


@login_required
def agenda(request, slug):
    participant = _participant(request, slug)
    side, pk = participant.side, participant.organisation.pk
    return render(
        request,
        "matchmaking/agenda.html",
        {
            "participant": participant,
            "mission": participant.mission,
            # Read only when the template's cached fragment of the agenda is missing.
            "rows": SimpleLazyObject(lambda: selectors.agenda_rows(participant=participant)),
            "stamp": cache.stamp(participant.mission.pk, cache.party(side, pk)),
        },
    )


@login_required
def agenda_ics(request, slug):
    participant = _participant(request, slug)
    meetings = selectors.meetings_for_calendar(meetings=selectors.agenda(participant=participant))
    body = calendar_bytes(meetings, method="PUBLISH", name=participant.mission.title)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="agenda-{slug}.ics"'
    return response


def _own_meeting(participant, pk) -> Meeting:
    meeting = get_object_or_404(Meeting, pk=pk, mission=participant.mission)
    if not participant.owns(meeting):
        raise Http404  # another party's meeting does not exist for this user
    return meeting


@login_required
def meeting_cancel(request, slug, pk):
    """The page that asks before cancelling (with an optional reason), and the cancellation."""
    participant = _participant(request, slug)
    meeting = _own_meeting(participant, pk)
    form = MeetingCancelForm(request.POST if request.method == "POST" else None)
    if form.is_valid():  # a POST: the reason is optional
        try:
            services.meeting_cancel(
                meeting=meeting, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.MatchmakingError as exc:
            messages.error(request, str(exc))
            return redirect("matchmaking:agenda", slug=slug)
        messages.success(request, _("The meeting is cancelled; both sides are told by e-mail."))
        return redirect("matchmaking:agenda", slug=slug)
    return render(
        request,
        "matchmaking/cancel.html",
        {
            "participant": participant,
            "mission": participant.mission,
            "meeting": meeting,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
def meeting_move(request, slug, pk):
    participant = _participant(request, slug)
    meeting = _own_meeting(participant, pk)
    status = 200
    if request.method == "POST":
        slot = _slot(participant.mission, request.POST.get("slot", ""))
        try:
            if slot is None:
                raise services.MatchmakingError(_("Choose a time slot."))
            services.meeting_move(meeting=meeting, slot=slot, by=request.user)
        except services.MatchmakingError as exc:
            messages.error(request, str(exc))
            status = 409
        else:
            messages.success(
                request, _("The meeting has moved; both calendars are updated by e-mail.")
            )
            return redirect("matchmaking:agenda", slug=slug)
    application = participant.application or meeting.company.applications.get(
        mission=participant.mission
    )
    free = selectors.free_slots(
        mission=participant.mission,
        company=meeting.company,
        operator=meeting.operator,
        application=application,
    )
    return render(
        request,
        "matchmaking/move.html",
        {
            "participant": participant,
            "mission": participant.mission,
            "meeting": meeting,
            "free": free,
        },
        status=status,
    )


@login_required
def availability(request, slug):
    participant = _participant(request, slug)
    status = 200
    if request.method == "POST":
        chosen = set(parse_ids(request.POST.getlist("unavailable")))
        try:
            services.availability_set(participant=participant, unavailable_slot_ids=chosen)
        except services.MatchmakingError as exc:
            messages.error(request, str(exc))
            status = 409
        else:
            messages.success(request, _("Your availability has been saved."))
            return redirect("matchmaking:availability", slug=slug)
    slots = Slot.objects.filter(mission=participant.mission).select_related("session")
    return render(
        request,
        "matchmaking/availability.html",
        {
            "participant": participant,
            "mission": participant.mission,
            "days": selectors.by_local_day(slots, participant.mission.tzinfo),
            "unavailable": selectors.unavailable_slot_ids(participant=participant),
            "busy": selectors.busy_slot_ids(participant=participant),
        },
        status=status,
    )


@cache_control(private=True)
def feed(request, token):
    """The private calendar subscription: whoever has the URL sees that user's meetings."""
    subscription = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if subscription is None or not subscription.user.is_active:
        raise Http404
    body = calendar_bytes(selectors.feed_meetings(user=subscription.user), name="Maroc Export B2B")
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
def calendar_settings(request):
    if not (request.user.company_id or request.user.operator_id):
        raise PermissionDenied
    if request.method == "POST":
        attendance.calendar_feed_renew(user=request.user)
        messages.success(
            request, _("A new private address has been made; the former one no longer works.")
        )
        return redirect("matchmaking:calendar")
    subscription = CalendarFeed.objects.filter(user=request.user).first()
    return render(request, "matchmaking/calendar.html", {"subscription": subscription})


def attend(request, token):
    """The confirm-attendance link of a confirmation e-mail: no login needed, the signed token
    is the proof. GET shows the meeting (mail scanners follow links); POST confirms, once."""
    try:
        found = attendance.attendance_check(token)
        if request.method == "POST":
            found = attendance.attendance_confirm(token)
            done = True
        else:
            done = False
    except attendance.AttendanceLinkError as error:
        return render(
            request,
            "matchmaking/attend.html",
            {"error": str(error)},
            status=error.status,
        )
    meeting = found.meeting
    return render(
        request,
        "matchmaking/attend.html",
        {"meeting": meeting, "mission": meeting.mission, "attendance": found, "done": done},
    )
