from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import user_has_second_factor


class StaffSecondFactorMiddleware:
    """Staff reach the dashboard and the admin only once their account has a second factor
    (an authenticator app or a security key). Until then every page there leads to the
    two-factor settings, where they set one up; allauth then asks for it at every login.

    The check reads the database on each staff request to those pages (one indexed query):
    a factor removed in another session takes effect at once."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefixes: tuple[str, ...] | None = None

    def _protected(self, path: str) -> bool:
        if self._prefixes is None:  # the URLconf is not loaded yet when the middleware is built
            self._prefixes = (reverse("dashboard:index"), reverse("admin:index"))
        return path.startswith(self._prefixes)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and self._protected(request.path_info)
            and not user_has_second_factor(user=user)
        ):
            messages.warning(
                request,
                _(
                    "Staff accounts need two-factor authentication: set up an authenticator "
                    "app or a security key to continue."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)
