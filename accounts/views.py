from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.i18n import set_language

from .forms import ProfileForm
from .services import user_profile_save, user_set_language


@login_required
def home(request):
    """Where a user lands after logging in: their own space, which depends on their role."""
    if request.user.is_staff:
        return redirect("dashboard:index")
    if request.user.operator_id:
        return redirect("portal:operator_home")
    return redirect("portal:home")


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_profile_save(user=form.instance)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def language_set(request):
    """Django's set_language, plus the choice is kept on the account of a signed-in user."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return set_language(request)
