from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from core.languages import clean_languages

from .models import User
from .permissions import STAFF_GROUP


class AccountError(Exception):
    """A rule of the accounts domain refused the change; the message is for the user."""


@transaction.atomic
def user_make_staff(*, user: User) -> User:
    """Give a user the agency staff role: the flag and the group that carries the permissions."""
    if user.company_id or user.operator_id:
        raise AccountError(_("A company member or an operator contact cannot also be staff."))
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    return user


PROFILE_FIELDS = ["full_name", "job_title", "phone", "language", "languages", "other_languages"]


def user_profile_save(*, user: User) -> User:
    """Save the changes a user made to their own profile (name, role, phone, language of the
    site, languages spoken)."""
    user.languages = clean_languages(user.languages)
    user.other_languages = user.other_languages.strip()
    user.save(update_fields=PROFILE_FIELDS)
    return user


def user_set_language(*, user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def user_totp_add(*, user: User, secret: str) -> Authenticator:
    """Give a user an authenticator app with a known secret (base32), as allauth's own
    activation page does once the user has typed a code: for the demo data and the tests. A
    person sets theirs up on the two-factor page."""
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        raise AccountError(_("This account already has an authenticator app."))
    return Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.TOTP,
        data={"secret": get_mfa_adapter().encrypt(secret)},
    )
