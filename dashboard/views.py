"""The staff dashboard: thin views over the missions and companies services."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from companies import selectors as company_selectors
from companies import services as company_services
from companies.models import Operator
from core.ids import parse_ids, parse_search
from core.permissions import staff_required
from matchmaking import services as mm_services
from matchmaking.forms import SessionForm
from matchmaking.models import OPEN_REQUESTS, MeetingRequest
from missions import services
from missions.forms import (
    CancelForm,
    DecisionForm,
    ImportUploadForm,
    MissionForm,
    ProgrammeItemForm,
    RegistrationDecisionForm,
)
from missions.models import Application, Mission, OperatorRegistration
from missions.operator_import import ACTION_LABELS, ImportFileError, import_preview, importable
from missions.selectors import (
    APPLICATION_SORTS,
    mission_application,
    mission_applications,
    mission_history,
    mission_registrations,
    missions_overview,
)
from proposals import services as proposals
from proposals.models import PROPOSAL_TIME_LIMIT_MAX, ProposalStatus
from proposals.tasks import proposal_compute_task

from . import cockpit
from .common import mission_or_404


@staff_required
def index(request):
    missions = list(cockpit.missions_figures())
    return render(
        request,
        "dashboard/index.html",
        {
            "missions": missions,
            "decisions": cockpit.decisions_now(missions, cockpit.interpreter_counts(missions)),
        },
    )


@staff_required
def mission_create(request):
    form = MissionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            mission = services.mission_save(
                mission=form.instance, sectors=form.cleaned_data["sectors"]
            )
            messages.success(request, _("The mission has been created as a draft."))
            return redirect("dashboard:mission", slug=mission.slug)
        return render(request, "dashboard/mission_form.html", {"form": form}, status=400)
    return render(request, "dashboard/mission_form.html", {"form": form})


@staff_required
def mission_edit(request, slug):
    mission = mission_or_404(slug)
    form = MissionForm(request.POST or None, request.FILES or None, instance=mission)
    if request.method == "POST":
        if form.is_valid():
            mission = services.mission_save(
                mission=form.instance, sectors=form.cleaned_data["sectors"]
            )
            messages.success(request, _("The mission has been saved."))
            return redirect("dashboard:mission", slug=mission.slug)
        return render(
            request, "dashboard/mission_form.html", {"form": form, "mission": mission}, status=400
        )
    return render(request, "dashboard/mission_form.html", {"form": form, "mission": mission})


def _mission_page(request, mission, *, programme_form=None, cancel_form=None, status=200):
    with timezone.override(mission.timezone):
        return render(
            request,
            "dashboard/mission_detail.html",
            {
                "mission": mission,
                "figures": missions_overview().get(pk=mission.pk),
                "history": mission_history(mission=mission),
                "programme": mission.programme.all(),
                "programme_form": programme_form or ProgrammeItemForm(),
                "cancel_form": cancel_form or CancelForm(),
                "next_steps": [
                    (target, Mission.Status(target).label)
                    for target, sources in services.LIFE_CYCLE.items()
                    if mission.status in sources and target in services.TRANSITIONS
                ],
                "can_cancel": mission.status in services.LIFE_CYCLE[Mission.Status.CANCELLED],
            },
            status=status,
        )


@staff_required
def mission_detail(request, slug):
    return _mission_page(request, mission_or_404(slug))


@require_POST
@staff_required
def mission_transition(request, slug):
    mission = mission_or_404(slug)
    move = services.TRANSITIONS.get(request.POST.get("to", ""))
    if move is None:
        messages.error(request, _("Unknown status change."))
        return _mission_page(request, mission, status=400)
    try:
        mission = move(mission=mission, by=request.user)
    except services.MissionError as exc:
        messages.error(request, str(exc))
        return _mission_page(request, mission, status=400)
    messages.success(
        request, _("The mission is now “%(status)s”.") % {"status": mission.get_status_display()}
    )
    return redirect("dashboard:mission", slug=mission.slug)


@require_POST
@staff_required
def mission_cancel(request, slug):
    mission = mission_or_404(slug)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.mission_cancel(
                mission=mission, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.MissionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The mission has been cancelled."))
            return redirect("dashboard:mission", slug=mission.slug)
    return _mission_page(request, mission, cancel_form=form, status=400)


@require_POST
@staff_required
def programme_add(request, slug):
    mission = mission_or_404(slug)
    with timezone.override(mission.timezone):
        form = ProgrammeItemForm(request.POST)
        if form.is_valid():
            services.programme_item_save(item=form.instance, mission=mission)
            messages.success(request, _("The programme item has been added."))
            return redirect(f"{reverse('dashboard:mission', args=[mission.slug])}#programme")
    return _mission_page(request, mission, programme_form=form, status=400)


@staff_required
def programme_edit(request, slug, pk):
    mission = mission_or_404(slug)
    item = get_object_or_404(mission.programme, pk=pk)
    with timezone.override(mission.timezone):
        form = ProgrammeItemForm(request.POST or None, instance=item)
        if request.method == "POST":
            if form.is_valid():
                services.programme_item_save(item=form.instance, mission=mission)
                messages.success(request, _("The programme item has been saved."))
                return redirect(f"{reverse('dashboard:mission', args=[mission.slug])}#programme")
            status = 400
        else:
            status = 200
        return render(
            request,
            "dashboard/programme_form.html",
            {"mission": mission, "item": item, "form": form},
            status=status,
        )


@require_POST
@staff_required
def programme_delete(request, slug, pk):
    mission = mission_or_404(slug)
    item = get_object_or_404(mission.programme, pk=pk)
    services.programme_item_delete(item=item)
    messages.success(request, _("The programme item has been deleted."))
    return redirect(f"{reverse('dashboard:mission', args=[mission.slug])}#programme")


# --- Applications -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidates:
    """Who staff decide on in bulk, on one page per mission: the firms' applications or the
    operators' registrations."""

    kind: str  # "applications" or "registrations": the rows' template and the tab
    statuses: list
    form: type[forms.Form]
    of_mission: Callable  # mission -> all of the mission's
    rows: Callable  # (mission, status, search, sort) -> the page's rows, filtered and sorted
    decide: Callable  # (selected rows of the mission, decision, by, note) -> the changed ones
    done: Callable  # count -> the message
    sorts: dict | None = None


APPLICATIONS = Candidates(
    kind="applications",
    statuses=Application.Status.choices,
    form=DecisionForm,
    of_mission=lambda mission: mission.applications,
    rows=lambda mission, sort, **filters: mission_applications(
        mission=mission, sort=sort, **filters
    ),
    decide=lambda rows, **kwargs: services.applications_decide(applications=rows, **kwargs),
    done=lambda count: (
        ngettext("%(count)s application updated.", "%(count)s applications updated.", count)
        % {"count": count}
    ),
    sorts=APPLICATION_SORTS,
)
REGISTRATIONS = Candidates(
    kind="registrations",
    statuses=OperatorRegistration.Status.choices,
    form=RegistrationDecisionForm,
    of_mission=lambda mission: mission.operator_registrations,
    rows=lambda mission, sort, **filters: mission_registrations(mission=mission, **filters),
    decide=lambda rows, **kwargs: services.registrations_decide(registrations=rows, **kwargs),
    done=lambda count: (
        ngettext("%(count)s registration updated.", "%(count)s registrations updated.", count)
        % {"count": count}
    ),
)


def _candidates_page(request, mission, candidates: Candidates, *, form=None, status=200):
    filters = {
        "status": request.GET.get("status", ""),
        "search": parse_search(request.GET.get("q", "")),
        "sort": request.GET.get("sort", "submitted"),
    }
    return render(
        request,
        "dashboard/candidates.html",
        {
            "mission": mission,
            "kind": candidates.kind,
            "rows": candidates.rows(mission, **filters),
            "figures": missions_overview().get(pk=mission.pk),
            "filters": filters,
            "statuses": candidates.statuses,
            "sorts": candidates.sorts,
            "form": form or candidates.form(),
        },
        status=status,
    )


def _candidates(request, slug, candidates: Candidates):
    """The page of ``candidates``, and staff's decision on those selected."""
    mission = mission_or_404(slug)
    if request.method != "POST":
        return _candidates_page(request, mission, candidates)
    form = candidates.form(request.POST)
    selected = candidates.of_mission(mission).filter(
        pk__in=parse_ids(request.POST.getlist("selected"))
    )
    if form.is_valid():
        try:
            changed = candidates.decide(
                selected,
                decision=form.cleaned_data["decision"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except services.MissionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, candidates.done(len(changed)))
            return redirect(request.get_full_path())
    return _candidates_page(request, mission, candidates, form=form, status=400)


@staff_required
def applications(request, slug):
    return _candidates(request, slug, APPLICATIONS)


@staff_required
def registrations(request, slug):
    return _candidates(request, slug, REGISTRATIONS)


@staff_required
def application_detail(request, slug, pk):
    mission = mission_or_404(slug)
    try:
        application = mission_application(mission=mission, pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None
    form = DecisionForm(request.POST or None, initial={"note": application.decision_note})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.applications_decide(
                    applications=[application],
                    decision=form.cleaned_data["decision"],
                    by=request.user,
                    note=form.cleaned_data["note"],
                )
            except services.MissionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("The decision has been recorded and the firm told."))
                return redirect("dashboard:applications", slug=mission.slug)
        status = 400
    return render(
        request,
        "dashboard/application_detail.html",
        {"mission": mission, "application": application, "form": form},
        status=status,
    )


IMPORT_SESSION_KEY = "operator-import"


@staff_required
def operator_import(request, slug):
    """Upload a spreadsheet, see every row's errors and what would happen, then confirm."""
    mission = mission_or_404(slug)
    context = {"mission": mission, "form": ImportUploadForm(), "action_labels": ACTION_LABELS}
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        if (
            pending.get("token") != request.POST.get("confirm")
            or pending.get("mission") != mission.pk
        ):
            messages.error(request, _("This preview has expired: upload the file again."))
            return render(request, "dashboard/operator_import.html", context, status=400)
        try:
            counts = services.operators_import(
                mission=mission, rows=pending["rows"], by=request.user
            )
        except services.MissionError as exc:
            messages.error(request, str(exc))
            return render(request, "dashboard/operator_import.html", context, status=400)
        del request.session[IMPORT_SESSION_KEY]
        messages.success(
            request,
            " ".join(
                [
                    ngettext(
                        "Import done: %(count)s new operator,",
                        "Import done: %(count)s new operators,",
                        counts["created"],
                    )
                    % {"count": counts["created"]},
                    ngettext(
                        "%(count)s registration,",
                        "%(count)s registrations,",
                        counts["registered"],
                    )
                    % {"count": counts["registered"]},
                    ngettext("%(count)s row skipped.", "%(count)s rows skipped.", counts["skipped"])
                    % {"count": counts["skipped"]},
                    _("Invitations are on their way."),
                ]
            ),
        )
        return redirect("dashboard:registrations", slug=mission.slug)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return render(request, "dashboard/operator_import.html", context, status=400)
        upload = form.cleaned_data["file"]
        try:
            rows = import_preview(mission=mission, name=upload.name, content=upload.read())
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return render(request, "dashboard/operator_import.html", context, status=400)
        token = secrets.token_urlsafe(16)
        request.session[IMPORT_SESSION_KEY] = {
            "token": token,
            "mission": mission.pk,
            "rows": importable(rows),
        }
        context.update({"rows": rows, "token": token, "importable": len(importable(rows))})
    return render(request, "dashboard/operator_import.html", context)


# --- B2B sessions -----------------------------------------------------------------------------


def _sessions_page(request, mission, *, form=None, status=200):
    sessions = mission.meeting_sessions.annotate(
        slot_count=Count("slots", distinct=True),
        meeting_count=Count(
            "slots__meetings", filter=~Q(slots__meetings__status="cancelled"), distinct=True
        ),
    )
    return render(
        request,
        "dashboard/sessions.html",
        {"mission": mission, "sessions": sessions, "form": form or SessionForm()},
        status=status,
    )


@staff_required
def sessions(request, slug):
    mission = mission_or_404(slug)
    if request.method != "POST":
        return _sessions_page(request, mission)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            mm_services.session_create(mission=mission, data=form.cleaned_data)
        except mm_services.MatchmakingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The B2B session and its time slots have been created."))
            return redirect("dashboard:sessions", slug=mission.slug)
    return _sessions_page(request, mission, form=form, status=400)


@staff_required
def session_edit(request, slug, pk):
    mission = mission_or_404(slug)
    session = get_object_or_404(mission.meeting_sessions, pk=pk)
    form = SessionForm(request.POST or None, instance=session)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                mm_services.session_update(session=session, data=form.cleaned_data)
            except mm_services.MatchmakingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The B2B session has been saved."))
                return redirect("dashboard:sessions", slug=mission.slug)
        status = 400
        session.refresh_from_db()
    return render(
        request,
        "dashboard/session_form.html",
        {"mission": mission, "session": session, "form": form},
        status=status,
    )


@require_POST
@staff_required
def session_delete(request, slug, pk):
    mission = mission_or_404(slug)
    session = get_object_or_404(mission.meeting_sessions, pk=pk)
    try:
        mm_services.session_delete(session=session)
    except mm_services.MatchmakingError as exc:
        messages.error(request, str(exc))
        return _sessions_page(request, mission, status=409)
    messages.success(request, _("The B2B session has been deleted."))
    return redirect("dashboard:sessions", slug=mission.slug)


# --- Schedule optimiser -----------------------------------------------------------------------


class ScheduleForm(forms.Form):
    # Lazy: read in the staff member's language, not the one active when the module loaded.
    time_limit = forms.IntegerField(
        label=gettext_lazy("Time limit (seconds)"),
        min_value=5,
        max_value=PROPOSAL_TIME_LIMIT_MAX,
        initial=30,
        help_text=gettext_lazy(
            "The optimiser stops at this limit with the best schedule found so far."
        ),
    )


def _schedule_page(request, mission, *, proposal=None, form=None, status=200):
    proposal = proposal or proposals.proposal_latest(mission=mission)
    context = {
        "mission": mission,
        "form": form or ScheduleForm(),
        "proposal": proposal,
        "history": mission.schedule_proposals.select_related("requested_by")[:10],
        "meetings_now": mission.meetings.exclude(status="cancelled").count(),
        "requests_now": MeetingRequest.objects.filter(
            mission=mission, status__in=OPEN_REQUESTS
        ).count(),
        "can_compute": mission.status in proposals.SCHEDULING_STATUSES,
    }
    if proposal is not None:
        if proposal.status == ProposalStatus.COMPUTING:
            context["progress"] = proposals.proposal_progress(proposal)
        elif proposal.result:
            context["report"] = proposals.proposal_report(proposal)
            context["publishable"] = proposals.proposal_changes(proposal) > 0
            if proposal.gap is not None:
                context["gap_percent"] = round(100 * proposal.gap, 2)
    return render(request, "dashboard/schedule.html", context, status=status)


@staff_required
def schedule(request, slug):
    """The optimiser's page: compute a proposal, follow it, review the latest one."""
    mission = mission_or_404(slug)
    if request.method != "POST":
        return _schedule_page(request, mission)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _schedule_page(request, mission, form=form, status=400)
    try:
        proposal = proposals.proposal_start(
            mission=mission, by=request.user, time_limit=form.cleaned_data["time_limit"]
        )
    except proposals.ProposalError as exc:
        messages.error(request, str(exc))
        return _schedule_page(request, mission, form=form, status=409)
    # No message: the proposal's page says itself whether it is computing or ready (without a
    # worker, it is ready by the time the page opens).
    transaction.on_commit(lambda: proposal_compute_task.delay(proposal_id=proposal.pk))
    return redirect("dashboard:schedule_proposal", slug=mission.slug, pk=proposal.pk)


def _proposal(mission, pk):
    return get_object_or_404(mission.schedule_proposals.select_related("requested_by"), pk=pk)


@staff_required
def schedule_proposal(request, slug, pk):
    mission = mission_or_404(slug)
    return _schedule_page(request, mission, proposal=_proposal(mission, pk))


@require_POST
@staff_required
def schedule_publish(request, slug, pk):
    mission = mission_or_404(slug)
    proposal = _proposal(mission, pk)
    try:
        proposals.proposal_publish(proposal=proposal, by=request.user)
    except proposals.ProposalError as exc:
        messages.error(request, str(exc))
        proposal.refresh_from_db()
        return _schedule_page(request, mission, proposal=proposal, status=409)
    messages.success(
        request,
        _("The schedule has been published: each participant whose agenda changed is told."),
    )
    return redirect("dashboard:schedule_proposal", slug=mission.slug, pk=proposal.pk)


@require_POST
@staff_required
def schedule_discard(request, slug, pk):
    mission = mission_or_404(slug)
    proposal = _proposal(mission, pk)
    try:
        proposals.proposal_discard(proposal=proposal, by=request.user)
    except proposals.ProposalError as exc:
        messages.error(request, str(exc))
        return _schedule_page(request, mission, proposal=proposal, status=409)
    messages.success(request, _("The proposal has been discarded."))
    return redirect("dashboard:schedule", slug=mission.slug)


# --- Organisations registered twice -----------------------------------------------------------


@staff_required
def operator_duplicates(request):
    """Operators registered under one name, however spelt: staff merge each group into the
    organisation they keep (``companies.services.operators_merge``)."""
    status = 200
    if request.method == "POST":
        ids = parse_ids(request.POST.getlist("operator"))
        keep_id = parse_ids([request.POST.get("keep", "")])
        operators = Operator.objects.in_bulk(ids)
        keep = operators.get(keep_id[0]) if keep_id else None
        if keep is None or len(operators) < 2:
            messages.error(request, _("Choose the organisation to keep among at least two."))
            status = 400
        else:
            try:
                with transaction.atomic():
                    for duplicate in operators.values():
                        if duplicate.pk != keep.pk:
                            company_services.operators_merge(
                                keep=keep, duplicate=duplicate, by=request.user
                            )
            except company_services.CompanyError as exc:
                messages.error(request, str(exc))
                status = 409
            else:
                messages.success(
                    request,
                    _("The organisations are merged into %(name)s.") % {"name": keep.name},
                )
                return redirect("dashboard:operator_duplicates")
    return render(
        request,
        "dashboard/operator_duplicates.html",
        {"groups": company_selectors.operator_duplicates()},
        status=status,
    )
