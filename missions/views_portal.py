"""The missions seen from the portal: a firm's applications (apply, change, withdraw) and the
home pages of firms and operators, which list their missions."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import company_side_required, operator_required

from . import services as mission_services
from .forms import ApplicationForm, DelegateFormSet
from .models import MATCHMAKING_VISIBLE_STATUSES, Application, Mission, RegistrationStatus
from .selectors import (
    DELEGATION_VISIBLE,
    application_for_member,
    applications_for_company,
    missions_open_for_applications,
    missions_public_for_operators,
    registrations_for_operator,
)


@company_side_required
def portal(request):
    company = request.user.company
    if company is None:
        return redirect("companies:create")
    applications = applications_for_company(company=company)
    applied = {a.mission_id for a in applications}
    open_missions = [m for m in missions_open_for_applications() if m.pk not in applied]
    return render(
        request,
        "missions/portal.html",
        {
            "company": company,
            "applications": applications,
            "open_missions": open_missions,
            "matchmaking_statuses": MATCHMAKING_VISIBLE_STATUSES,
        },
    )


# --- Applications -----------------------------------------------------------------------------


def _application_page(request, *, mission, form, formset, application=None, status=200):
    return render(
        request,
        "missions/application_form.html",
        {"mission": mission, "form": form, "formset": formset, "application": application},
        status=status,
    )


def _delegates(formset) -> list[dict]:
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data.get("full_name") and not f.cleaned_data.get("DELETE")
    ]


@company_side_required
def application_create(request, slug):
    company = request.user.company
    if company is None:
        messages.info(request, _("Create your company profile first, then apply."))
        return redirect(f"{reverse('companies:create')}?next={request.path}")
    mission = get_object_or_404(Mission, slug=slug, status=Mission.Status.OPEN)
    existing = company.applications.filter(mission=mission).first()
    if existing:
        return redirect("portal:application", pk=existing.pk)
    form = ApplicationForm(request.POST or None)
    formset = DelegateFormSet(
        request.POST or None,
        prefix="delegates",
        initial=[{"full_name": request.user.full_name}] if request.method != "POST" else None,
    )
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                application = mission_services.application_submit(
                    mission=mission,
                    company=company,
                    by=request.user,
                    objectives=form.cleaned_data["objectives"],
                    motivation=form.cleaned_data["motivation"],
                    delegates=_delegates(formset),
                )
            except mission_services.MissionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your application has been submitted."))
                return redirect("portal:application", pk=application.pk)
        return _application_page(request, mission=mission, form=form, formset=formset, status=400)
    return _application_page(request, mission=mission, form=form, formset=formset)


@company_side_required
def application_edit(request, pk):
    try:
        application = application_for_member(user=request.user, pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None
    mission = application.mission
    editable = application.status not in ("withdrawn",) and mission.status == Mission.Status.OPEN
    form = ApplicationForm.from_application(application, request.POST or None)
    # Initial rows only on display: on submission, an emptied row means "remove this delegate".
    formset = DelegateFormSet(
        request.POST or None,
        prefix="delegates",
        initial=None
        if request.method == "POST"
        else [
            {
                "full_name": d.full_name,
                "role": d.role,
                "languages": d.languages,
                "other_languages": d.other_languages,
            }
            for d in application.delegates.all()
        ],
    )
    status = 200
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                mission_services.application_update(
                    application=application,
                    by=request.user,
                    objectives=form.cleaned_data["objectives"],
                    motivation=form.cleaned_data["motivation"],
                    delegates=_delegates(formset),
                )
            except mission_services.MissionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your application has been saved."))
                return redirect("portal:application", pk=application.pk)
        status = 400
    return render(
        request,
        "missions/application_detail.html",
        {"application": application, "form": form, "formset": formset, "editable": editable},
        status=status,
    )


@require_POST
@company_side_required
def application_withdraw(request, pk):
    try:
        application = application_for_member(user=request.user, pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None
    try:
        mission_services.application_withdraw(application=application, by=request.user)
    except mission_services.MissionError as exc:
        messages.error(request, str(exc))
        return redirect("portal:application", pk=pk)
    messages.success(request, _("Your application has been withdrawn."))
    return redirect("portal:home")


# --- Operators ---------------------------------------------------------------------------------


@operator_required
def operator_home(request):
    operator = request.user.operator
    registrations = registrations_for_operator(operator=operator)
    registered = {r.mission_id for r in registrations}
    others = [m for m in missions_public_for_operators() if m.pk not in registered]
    # What firms read before choosing whom to meet, and that this profile still lacks.
    missing = [
        label
        for label, present in (
            (_("your needs"), operator.needs),
            (_("your sectors of interest"), operator.sectors.exists()),
            (_("your website"), operator.website),
        )
        if not present
    ]
    return render(
        request,
        "missions/operator_home.html",
        {
            "operator": operator,
            "missing": missing,
            "pending": [r for r in registrations if r.status == RegistrationStatus.PENDING],
            "delegation_statuses": DELEGATION_VISIBLE,
            "registrations": registrations,
            "other_missions": others,
            "matchmaking_statuses": MATCHMAKING_VISIBLE_STATUSES,
        },
    )
