"""The registration portal of the Moroccan firms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.permissions import company_side_required, operator_required
from missions import services as mission_services
from missions.forms import ApplicationForm, DelegateFormSet
from missions.models import MATCHMAKING_VISIBLE_STATUSES, Application, Mission
from missions.selectors import (
    application_for_member,
    applications_for_company,
    missions_open_for_applications,
    missions_public_for_operators,
    registrations_for_operator,
)

from . import services
from .forms import CompanyForm, InviteForm, OperatorProfileForm
from .models import CompanyInvitation
from .selectors import company_members, company_pending_invitations


def _form_data(form) -> dict:
    return {f: v for f, v in form.cleaned_data.items() if f in form._meta.fields}


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
        "companies/portal.html",
        {
            "company": company,
            "applications": applications,
            "open_missions": open_missions,
            "matchmaking_statuses": MATCHMAKING_VISIBLE_STATUSES,
        },
    )


@company_side_required
def company_create(request):
    if request.user.company_id:
        return redirect("companies:edit")
    form = CompanyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.company_create(user=request.user, data=_form_data(form))
            except services.CompanyError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your company profile has been created."))
                return redirect("companies:portal")
        return render(
            request, "companies/company_form.html", {"form": form, "creating": True}, status=400
        )
    return render(request, "companies/company_form.html", {"form": form, "creating": True})


@company_side_required
def company_edit(request):
    company = request.user.company
    if company is None:
        return redirect("companies:create")
    form = CompanyForm(request.POST or None, request.FILES or None, instance=company)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.company_update(company=company, by=request.user, data=_form_data(form))
            except services.CompanyError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your company profile has been saved."))
                return redirect("companies:portal")
        return render(request, "companies/company_form.html", {"form": form}, status=400)
    return render(request, "companies/company_form.html", {"form": form})


def _members_page(request, form=None, status=200):
    company = request.user.company
    return render(
        request,
        "companies/members.html",
        {
            "company": company,
            "members": company_members(company=company),
            "invitations": company_pending_invitations(company=company),
            "form": form or InviteForm(),
            "is_owner": request.user.company_role == User.CompanyRole.OWNER,
        },
        status=status,
    )


@company_side_required
def members(request):
    if request.user.company is None:
        return redirect("companies:create")
    if request.method != "POST":
        return _members_page(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.company_invite(
                company=request.user.company,
                by=request.user,
                email=form.cleaned_data["email"],
                language=request.LANGUAGE_CODE,
            )
        except services.CompanyError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("companies:members")
    return _members_page(request, form=form, status=400)


@require_POST
@company_side_required
def member_remove(request, pk):
    company = request.user.company
    if company is None:
        raise Http404
    member = get_object_or_404(company.members, pk=pk)
    try:
        services.member_remove(company=company, member=member, by=request.user)
    except services.CompanyError as exc:
        messages.error(request, str(exc))
        return _members_page(request, status=400)
    messages.success(request, _("%(name)s is no longer a member.") % {"name": member})
    return redirect("companies:members")


@require_POST
@company_side_required
def invitation_cancel(request, pk):
    company = request.user.company
    if company is None:
        raise Http404
    invitation = get_object_or_404(company.invitations, pk=pk, accepted_at__isnull=True)
    try:
        services.invitation_cancel(invitation=invitation, by=request.user)
    except services.CompanyError as exc:
        messages.error(request, str(exc))
        return _members_page(request, status=400)
    messages.success(request, _("The invitation has been cancelled."))
    return redirect("companies:members")


@login_required
def invitation_accept(request, token):
    invitation = CompanyInvitation.objects.filter(token=token).select_related("company").first()
    if request.method == "POST":
        try:
            company = services.invitation_accept(token=token, user=request.user)
        except services.CompanyError as exc:
            messages.error(request, str(exc))
            return render(
                request, "companies/invitation.html", {"invitation": invitation}, status=400
            )
        messages.success(request, _("Welcome to %(company)s.") % {"company": company.display_name})
        return redirect("companies:portal")
    return render(request, "companies/invitation.html", {"invitation": invitation})


@operator_required
def operator_profile(request):
    form = OperatorProfileForm(request.POST or None, instance=request.user.operator)
    if request.method == "POST":
        if form.is_valid():
            services.operator_update(
                operator=request.user.operator, by=request.user, data=_form_data(form)
            )
            messages.success(request, _("Your organisation's profile has been saved."))
            return redirect("operators:home")
        return render(request, "companies/operator_profile.html", {"form": form}, status=400)
    return render(request, "companies/operator_profile.html", {"form": form})


# --- Applications -----------------------------------------------------------------------------


def _application_page(request, *, mission, form, formset, application=None, status=200):
    return render(
        request,
        "companies/application_form.html",
        {"mission": mission, "form": form, "formset": formset, "application": application},
        status=status,
    )


def _delegates(formset) -> list[dict]:
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
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
        return redirect("companies:application", pk=existing.pk)
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
                return redirect("companies:application", pk=application.pk)
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
        else [{"full_name": d.full_name, "role": d.role} for d in application.delegates.all()],
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
                return redirect("companies:application", pk=application.pk)
        status = 400
    return render(
        request,
        "companies/application_detail.html",
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
        return redirect("companies:application", pk=pk)
    messages.success(request, _("Your application has been withdrawn."))
    return redirect("companies:portal")


# --- Operators --------------------------------------------------------------------------------


@operator_required
def operator_home(request):
    operator = request.user.operator
    registrations = registrations_for_operator(operator=operator)
    registered = {r.mission_id for r in registrations}
    others = [m for m in missions_public_for_operators() if m.pk not in registered]
    return render(
        request,
        "companies/operator_home.html",
        {
            "operator": operator,
            "registrations": registrations,
            "other_missions": others,
            "matchmaking_statuses": MATCHMAKING_VISIBLE_STATUSES,
        },
    )
