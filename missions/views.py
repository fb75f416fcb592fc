"""Public mission pages, and the operators' sign-up for a mission."""

from allauth.core import ratelimit
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.auth import login_code_send
from accounts.forms import MobileForm
from accounts.services import user_mobile_set
from companies.selectors import operators_named
from core import cache

from . import services
from .forms import OperatorSignupForm
from .models import MATCHMAKING_VISIBLE_STATUSES, REGISTRATION_OPEN_STATUSES, Mission
from .selectors import mission_delegation, mission_for_viewer, missions_public


def home(request):
    return render(request, "missions/home.html", {"missions": missions_public()[:6]})


def mission_list(request):
    return render(request, "missions/mission_list.html", {"missions": missions_public()})


def _mission_or_404(request, slug) -> Mission:
    try:
        return mission_for_viewer(slug=slug, user=request.user)
    except Mission.DoesNotExist:
        raise Http404 from None


def mission_detail(request, slug):
    mission = _mission_or_404(request, slug)
    user = request.user
    context = {
        "mission": mission,
        # Read only when the template's cached fragments are missing.
        "delegation": mission_delegation(mission=mission),
        "stamp": cache.stamp(mission.pk),
        "registration": None,
        "application": None,
        "registration_open": mission.status in REGISTRATION_OPEN_STATUSES,
        "matchmaking_open": mission.status in MATCHMAKING_VISIBLE_STATUSES,
    }
    if user.is_authenticated and user.operator_id:
        context["registration"] = mission.operator_registrations.filter(
            operator_id=user.operator_id
        ).first()
    elif user.is_authenticated and user.company_id:
        context["application"] = mission.applications.filter(company_id=user.company_id).first()
    return render(request, "missions/mission_detail.html", context)


def _meet_page(request, mission, form, mobile_form, status=200, same_name=()):
    return render(
        request,
        "missions/meet.html",
        {"mission": mission, "form": form, "mobile_form": mobile_form, "same_name": same_name},
        status=status,
    )


def mission_meet(request, slug):
    """'Meet the delegation': a visitor signs their organisation up; a signed-in operator
    registers in one click; other roles are told why they cannot."""
    mission = _mission_or_404(request, slug)
    user = request.user
    if mission.status not in REGISTRATION_OPEN_STATUSES:
        messages.info(request, _("This mission does not take operator registrations."))
        return redirect(mission)
    if user.is_authenticated:
        if not user.operator_id:
            return render(
                request, "missions/meet_wrong_role.html", {"mission": mission}, status=403
            )
        if request.method == "POST":
            try:
                services.operator_register(mission=mission, operator=user.operator, by=user)
            except services.MissionError as exc:
                messages.error(request, str(exc))
                return redirect(mission)
            messages.success(request, _("Your organisation is registered for this mission."))
            return redirect("portal:operator_home")
        return render(request, "missions/meet_operator.html", {"mission": mission})

    # Most operators are local: the mission's country and city are offered by default.
    form = OperatorSignupForm(
        request.POST or None, initial={"country": mission.country, "city": mission.city}
    )
    # WhatsApp or SMS reminders, chosen with the consent's wording (a fieldset of its own).
    mobile_form = MobileForm(request.POST or None, prefix="mobile")
    if request.method == "POST":
        # Each sign-up makes an account and e-mails a code: allauth's sign-up limit applies.
        if too_many := ratelimit.consume_or_429(request, action="signup"):
            return too_many
        valid = form.is_valid() & mobile_form.is_valid()
        same_name = valid and operators_named(form.cleaned_data["name"])
        if same_name and not form.cleaned_data["same_name"]:
            # Offer the organisation already registered rather than a second one.
            return _meet_page(request, mission, form, mobile_form, status=409, same_name=same_name)
        if valid:
            try:
                new_user, _registration = services.operator_signup(
                    mission=mission,
                    email=form.cleaned_data["email"],
                    full_name=form.cleaned_data["full_name"],
                    phone=form.cleaned_data["phone"],
                    language=request.LANGUAGE_CODE,
                    profile=form.profile(),
                    contact=form.contact(),
                )
            except services.MissionError as exc:
                form.add_error(None, str(exc))
            else:
                if channel := mobile_form.cleaned_data["mobile_channel"]:
                    user_mobile_set(
                        user=new_user,
                        mobile=mobile_form.cleaned_data["mobile"],
                        channel=channel,
                        sms_fallback=mobile_form.cleaned_data["mobile_sms_fallback"],
                        source="signup",
                    )
                # No password: the new contact logs in with the code e-mailed to them now.
                login_code_send(request=request, user=new_user)
                messages.success(
                    request,
                    _(
                        "Your organisation is registered. Enter the code we have just sent to "
                        "%(email)s to log in."
                    )
                    % {"email": new_user.email},
                )
                return redirect(
                    f"{reverse('account_confirm_login_code')}?next={reverse('portal:operator_home')}"
                )
        return _meet_page(request, mission, form, mobile_form, status=400)
    return _meet_page(request, mission, form, mobile_form)
