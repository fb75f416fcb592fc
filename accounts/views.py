from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .forms import MobileForm, ProfileForm
from .services import AccountError, user_mobile_set, user_profile_save, user_set_language


@login_required
def home(request):
    """Where a user lands after logging in: their own space, which depends on their role."""
    if request.user.is_staff:
        return redirect("dashboard:index")
    if request.user.operator_id:
        return redirect("portal:operator_home")
    return redirect("portal:home")


def _mobile_initial(user) -> dict:
    return {
        "mobile": user.mobile,
        "mobile_channel": user.mobile_channel,
        "mobile_sms_fallback": user.mobile_sms_fallback,
        "consent": bool(user.mobile_channel),
    }


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_profile_save(user=form.instance)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    mobile_form = (
        None if request.user.is_staff else MobileForm(initial=_mobile_initial(request.user))
    )
    return render(request, "accounts/profile.html", {"form": form, "mobile_form": mobile_form})


@login_required
@require_POST
def mobile(request):
    """The phone part of the profile, a form of its own: number, channel, consent."""
    mobile_form = MobileForm(request.POST)
    if mobile_form.is_valid():
        data = mobile_form.cleaned_data
        try:
            user_mobile_set(
                user=request.user,
                mobile=data["mobile"],
                channel=data["mobile_channel"],
                sms_fallback=data["mobile_sms_fallback"],
            )
        except AccountError as exc:
            mobile_form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your choice of messages on the phone has been saved."))
            return redirect("accounts:profile")
    form = ProfileForm(instance=request.user)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "mobile_form": mobile_form},
        status=400,
    )


def language_set(request):
    """Django's set_language, plus the choice is kept on the account of a signed-in user."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return set_language(request)
