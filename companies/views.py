"""The registration portal of the Moroccan firms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.permissions import company_side_required, operator_required

from . import services
from .forms import CompanyForm, InviteForm, OperatorProfileForm
from .models import CompanyInvitation
from .selectors import company_members, company_pending_invitations


def _form_data(form) -> dict:
    return {f: v for f, v in form.cleaned_data.items() if f in form._meta.fields}


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
                return redirect("portal:home")
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
                return redirect("portal:home")
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
        return redirect("portal:home")
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
            return redirect("portal:operator_home")
        return render(request, "companies/operator_profile.html", {"form": form}, status=400)
    return render(request, "companies/operator_profile.html", {"form": form})


# --- Operators --------------------------------------------------------------------------------
