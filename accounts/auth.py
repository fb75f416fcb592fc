"""Bridges to allauth's flows for the product's own sign-up pages."""

from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from allauth.account.models import EmailAddress
from django.http import HttpRequest

from .models import User


def email_address_add(*, user: User, verified: bool = False) -> EmailAddress:
    """Record the user's address for allauth (login by code marks it verified once used)."""
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": verified}
    )
    return address


def login_code_send(*, request: HttpRequest, user: User) -> None:
    """Start allauth's "log in with a code" for a user who has just signed up without a
    password: the code is e-mailed, and the next page asks for it."""
    LoginCodeVerificationProcess.initiate(request=request, user=user, email=user.email)
