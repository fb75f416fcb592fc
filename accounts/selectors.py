from allauth.mfa.models import Authenticator

from .models import User

# What counts as a second factor: recovery codes only back one of these up.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def user_has_second_factor(*, user: User) -> bool:
    """Whether the user protects their login with an authenticator app or a security key."""
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()
