"""Pages of the day. Thin: the services write, the selectors read.

Who sees what: the scan pages are open to anyone holding a code (the signed value is the
proof, see ``onsite.services``); a badge scanned by a signed-in staff member checks its holder in
at the door instead. The agenda of the day is for the mission's approved firms and confirmed
operators, each its own; the floor board, the seating and the no-shows are for staff.
"""

import json
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST

from core.ids import MAX_ID
from core.permissions import staff_required
from matchmaking.models import Meeting, MeetingSession, Slot, Table
from matchmaking.services import MatchmakingError
from missions.models import Mission
from missions.selectors import mission_for_staff

from . import selectors, services
from .codes import meeting_url, qr_svg
from .forms import MarginForm, MoveForm, SeatForm, SuspectForm, place_ids
from .models import Floor

SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "onsite" / "sw.js"


def _mission(slug: str) -> Mission:
    mission = Mission.objects.filter(slug=slug).first()
    if mission is None:
        raise Http404
    return mission


def _staff_mission(slug: str) -> Mission:
    try:
        return mission_for_staff(slug=slug)
    except Mission.DoesNotExist:
        raise Http404 from None


def _pk(value: int) -> int:
    if value > MAX_ID:
        raise Http404
    return value


# --- The app's shell ----------------------------------------------------------------------------


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """The service worker, from the project's static files, at the root of its scope
    (``/onsite/``): a worker controls only the pages under its own address."""
    return HttpResponse(SERVICE_WORKER.read_bytes(), content_type="text/javascript")


@require_GET
def offline(request):
    """The page the service worker shows for a scan made without network: it lists the scans
    waiting and sends them when the network returns (``static/onsite/queue.js``)."""
    return render(request, "onsite/offline.html")


@require_GET
@never_cache
def csrf(request):
    """A fresh CSRF token for the queue of offline scans (a cached page's may be stale)."""
    return JsonResponse({"token": get_token(request)})


@require_GET
def home(request):
    """Where the installed app opens: the missions under way for this user."""
    missions = Mission.objects.filter(status__in=services.ON_THE_DAY).order_by("start_date", "pk")
    if request.user.is_authenticated and request.user.is_staff:
        entries = [(m, reverse("onsite:floor", args=[m.slug])) for m in missions]
    else:
        entries = [
            (m, reverse("onsite:agenda", args=[m.slug]))
            for m in missions
            if selectors.attendee_for(user=request.user, mission=m)
        ]
    return render(request, "onsite/home.html", {"entries": entries})


# --- Scans --------------------------------------------------------------------------------------


def _scan_page(request, mission, *, scan=None, check_in=None, refusal=None):
    status = refusal.status if refusal else 200
    context = {
        "mission": mission,
        "scan": scan,
        "check_in": check_in,
        "refusal": refusal,
        "meeting": scan.meeting if scan else (refusal.meeting if refusal else None),
    }
    return render(request, "onsite/scan.html", context, status=status)


def _by(request):
    return request.user if request.user.is_authenticated else None


@require_GET
@never_cache
def badge(request, slug, token):
    """A badge's code: staff at the door check its holder in; anyone else is at the table, and
    the holder's meeting of the moment starts."""
    mission = _mission(slug)
    with timezone.override(mission.tzinfo):
        try:
            if request.user.is_authenticated and request.user.is_staff:
                check_in = services.presence_record(mission=mission, token=token, by=request.user)
                return _scan_page(request, mission, check_in=check_in)
            scan = services.badge_scan(mission=mission, token=token, by=_by(request))
            return _scan_page(request, mission, scan=scan)
        except services.ScanRefused as refusal:
            return _scan_page(request, mission, refusal=refusal)


@require_GET
@never_cache
def meeting(request, slug, token):
    """A meeting's code (printed agenda, or on the other side's phone): the meeting starts."""
    mission = _mission(slug)
    with timezone.override(mission.tzinfo):
        try:
            scan = services.meeting_code_scan(mission=mission, token=token, by=_by(request))
            return _scan_page(request, mission, scan=scan)
        except services.ScanRefused as refusal:
            return _scan_page(request, mission, refusal=refusal)


@require_POST
def sync(request, slug):
    """A scan queued offline, sent again with the time it was made. Applied once: a second
    copy finds the meeting started or the person checked in, and changes nothing."""
    mission = _mission(slug)
    kind, token = request.POST.get("kind", ""), request.POST.get("token", "")
    try:
        at = parse_datetime(request.POST.get("at", "")[:40])
    except ValueError:  # well formed, but no such date (a 31 February)
        at = None
    if kind not in ("badge", "meeting") or not token or len(token) > 400 or at is None:
        return JsonResponse({"ok": False, "message": _("This scan cannot be read.")}, status=400)
    if timezone.is_naive(at):
        at = timezone.make_aware(at, timezone.UTC)
    try:
        if kind == "badge" and request.user.is_authenticated and request.user.is_staff:
            check_in = services.presence_record(
                mission=mission, token=token, by=request.user, at=at
            )
            message = _("%(name)s is checked in.") % {"name": check_in.name}
        elif kind == "badge":
            scan = services.badge_scan(mission=mission, token=token, at=at, by=_by(request))
            message = _meeting_message(scan)
        else:
            scan = services.meeting_code_scan(mission=mission, token=token, at=at, by=_by(request))
            message = _meeting_message(scan)
    except services.ScanRefused as refusal:
        return JsonResponse({"ok": False, "message": refusal.message}, status=refusal.status)
    return JsonResponse({"ok": True, "message": message})


def _meeting_message(scan) -> str:
    m = scan.meeting
    return _("Meeting started: %(firm)s and %(operator)s, table %(table)s.") % {
        "firm": m.company.display_name,
        "operator": m.operator.name,
        "table": m.table.number,
    }


# --- The participant's agenda of the day ------------------------------------------------------


@login_required
@require_GET
@never_cache
def agenda(request, slug):
    mission = _mission(slug)
    attendee = selectors.attendee_for(user=request.user, mission=mission)
    if attendee is None or mission.status not in services.ON_THE_DAY:
        raise PermissionDenied
    with timezone.override(mission.tzinfo):
        days = [
            (day, [(m, qr_svg(meeting_url(m, mission.slug))) for m in meetings])
            for day, meetings in selectors.agenda_days(attendee=attendee)
        ]
        return render(
            request,
            "onsite/agenda.html",
            {
                "mission": mission,
                "attendee": attendee,
                "days": days,
                "fetched_at": timezone.localtime(),
            },
        )


# --- Staff: the floor, the board, the no-shows -----------------------------------------------


@staff_required
def floor(request, slug):
    mission = _staff_mission(slug)
    instance = Floor.objects.filter(mission=mission).first() or Floor(mission=mission)
    form = MarginForm(request.POST or None, instance=instance)
    if request.method == "POST":
        if form.is_valid():
            services.floor_set(
                mission=mission, margin_minutes=form.cleaned_data["scan_margin_minutes"]
            )
            messages.success(request, _("The margin is saved."))
            return redirect("onsite:floor", slug=mission.slug)
        status = 400
    else:
        status = 200
    context = {
        "mission": mission,
        "sessions": selectors.floor_sessions(mission=mission),
        "form": form,
        "suspects": sum(1 for s in selectors.suspects(mission=mission) if s.absent),
    }
    return render(request, "onsite/floor.html", context, status=status)


def _session(mission, pk) -> MeetingSession:
    return get_object_or_404(
        MeetingSession.objects.select_related("mission"), mission=mission, pk=_pk(pk)
    )


def _board_context(request, mission, session, **forms):
    data = selectors.board(session=session)
    return {
        "mission": mission,
        "board": data,
        "seat_form": forms.get("seat_form") or SeatForm(board=data),
        "move_form": MoveForm(board=data),
    }


@require_GET
@staff_required
@never_cache
def board(request, slug, pk):
    """The floor board of one session; polled every few seconds for its live part."""
    mission = _staff_mission(slug)
    session = _session(mission, pk)
    with timezone.override(mission.tzinfo):
        context = _board_context(request, mission, session)
        if request.headers.get("HX-Request"):
            return render(request, "onsite/_board_live.html", context)
        return render(request, "onsite/board.html", context)


def _place(session, value) -> tuple[Slot, Table]:
    slot_id, table_id = place_ids(value)
    return (
        get_object_or_404(Slot, session=session, pk=slot_id),
        get_object_or_404(Table, session=session, pk=table_id),
    )


@require_POST
@staff_required
def seat(request, slug, pk):
    mission = _staff_mission(slug)
    session = _session(mission, pk)
    with timezone.override(mission.tzinfo):
        form = SeatForm(request.POST, board=selectors.board(session=session))
        if form.is_valid():
            slot, table = _place(session, form.cleaned_data["place"])
            company = mission.applications.get(company_id=form.cleaned_data["company"]).company
            operator = mission.operator_registrations.get(
                operator_id=form.cleaned_data["operator"]
            ).operator
            refused = False
            try:
                services.meeting_seat(
                    mission=mission,
                    company=company,
                    operator=operator,
                    slot=slot,
                    table=table,
                    by=request.user,
                )
            except MatchmakingError as exc:
                form.add_error(None, str(exc))
                refused = True
            else:
                messages.success(
                    request,
                    _("%(firm)s and %(operator)s are seated at table %(table)s.")
                    % {
                        "firm": company.display_name,
                        "operator": operator.name,
                        "table": table.number,
                    },
                )
                return redirect("onsite:board", slug=mission.slug, pk=session.pk)
        else:
            refused = False
        context = _board_context(request, mission, session, seat_form=form)
        return render(request, "onsite/board.html", context, status=409 if refused else 400)


@require_POST
@staff_required
def move(request, slug, pk, meeting_pk):
    mission = _staff_mission(slug)
    session = _session(mission, pk)
    meeting = get_object_or_404(Meeting, slot__session=session, pk=_pk(meeting_pk))
    with timezone.override(mission.tzinfo):
        form = MoveForm(request.POST, board=selectors.board(session=session))
        if not form.is_valid():
            messages.error(request, _("Choose a free table in a slot to come."))
            return redirect("onsite:board", slug=mission.slug, pk=session.pk)
        slot, table = _place(session, form.cleaned_data["place"])
        try:
            services.meeting_late_move(meeting=meeting, slot=slot, table=table, by=request.user)
        except MatchmakingError as exc:
            messages.error(request, str(exc))
        else:
            moved = _("The meeting is moved to table %(table)s.") % {"table": table.number}
            messages.success(request, moved)
        return redirect("onsite:board", slug=mission.slug, pk=session.pk)


@require_GET
@staff_required
def suspects(request, slug):
    mission = _staff_mission(slug)
    with timezone.override(mission.tzinfo):
        found = selectors.suspects(mission=mission)
        return render(
            request,
            "onsite/suspects.html",
            {
                "mission": mission,
                "absent": [s for s in found if s.absent],
                "unscanned": [s for s in found if not s.absent],
            },
        )


@require_POST
@staff_required
def suspect_settle(request, slug, pk):
    mission = _staff_mission(slug)
    meeting = get_object_or_404(Meeting, mission=mission, pk=_pk(pk))
    form = SuspectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose no-show or held."))
        return redirect("onsite:suspects", slug=mission.slug)
    try:
        status = form.cleaned_data["status"]
        services.suspect_settle(meeting=meeting, status=status, by=request.user)
    except MatchmakingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recorded."))
    return redirect("onsite:suspects", slug=mission.slug)


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    """The web app manifest (its names are translated)."""
    data = {
        "name": _("Maroc Export · on the day"),
        "short_name": "Maroc Export",
        "start_url": reverse("onsite:home"),
        "scope": reverse("onsite:home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#a3222a",
        "icons": [
            {"src": static("onsite/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("onsite/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("onsite/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(json.dumps(data), content_type="application/manifest+json")
