from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ProfileForm


@login_required
def home(request):
    """Where a user lands after logging in: their own space, which depends on their role."""
    if request.user.is_staff:
        return redirect("dashboard:index")
    if request.user.operator_id:
        return redirect("operators:home")
    return redirect("companies:portal")


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
