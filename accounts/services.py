from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.languages import clean_languages
from outbox.services import phone_resume, phone_stop

from .consent import CONSENT_VERSION
from .models import MobileChannel, MobileConsent, User
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


@transaction.atomic
def user_mobile_set(
    *, user: User, mobile: str, channel: str, sms_fallback: bool, source: str = "profile"
) -> User:
    """A participant's mobile number and the channel they want short messages on (WhatsApp,
    SMS, or neither), their consent recorded with the wording's version. Choosing neither stops
    the messages already queued too (the outbox checks at each send)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    number = str(mobile or "")
    if channel and not number:
        raise AccountError(_("Give a mobile number to receive messages on it."))
    sms_fallback = sms_fallback and channel == MobileChannel.WHATSAPP
    before = (str(user.mobile or ""), user.mobile_channel, user.mobile_sms_fallback)
    if before == (number, channel, sms_fallback):
        return user
    old_number, old_channel, _fallback = before
    user.mobile, user.mobile_channel, user.mobile_sms_fallback = number, channel, sms_fallback
    user.mobile_consent_at = timezone.now() if channel else None
    user.save(
        update_fields=["mobile", "mobile_channel", "mobile_sms_fallback", "mobile_consent_at"]
    )
    if old_channel and (not channel or old_number != number):
        MobileConsent.objects.create(
            user=user, action=MobileConsent.Action.STOP, number=old_number,
            channel=old_channel, source=source,
        )  # fmt: skip
        phone_stop(number=old_number, source=source)
    if channel:
        MobileConsent.objects.create(
            user=user, action=MobileConsent.Action.OPT_IN, number=number, channel=channel,
            sms_fallback=sms_fallback, source=source, wording_version=CONSENT_VERSION,
        )  # fmt: skip
        phone_resume(number=number)
    return user


def mobile_stopped_receiver(sender, *, number: str, source: str, **kwargs) -> None:
    """The outbox heard STOP from ``number`` (a reply, the stop link): its holders' channel is
    turned off, the stop recorded with their consents."""
    for user in User.objects.select_for_update().filter(mobile=number).exclude(mobile_channel=""):
        MobileConsent.objects.create(
            user=user, action=MobileConsent.Action.STOP, number=number,
            channel=user.mobile_channel, source=source,
        )  # fmt: skip
        user.mobile_channel, user.mobile_sms_fallback, user.mobile_consent_at = "", False, None
        user.save(update_fields=["mobile_channel", "mobile_sms_fallback", "mobile_consent_at"])
