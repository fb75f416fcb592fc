"""Authentication backends: Django's and allauth's, reading each request's user with the
prebuilt query of ``UserManager.for_session``."""

from allauth.account import auth_backends
from django.contrib.auth import backends

from .models import User


class _SessionUser:
    def get_user(self, user_id):
        user = User.objects.for_session(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_SessionUser, backends.ModelBackend):
    """E-mail and password (the admin's login)."""


class AuthenticationBackend(_SessionUser, auth_backends.AuthenticationBackend):
    """allauth's: password, login by code, e-mail confirmation."""
