from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from core.languages import LanguagesField, other_languages_field

from .consent import CONSENT_VERSION, CONSENT_WORDINGS
from .models import MobileChannel, User


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (allauth adds e-mail and passwords)."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)

    field_order = ["full_name", "email", "password1", "password2"]

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])


class ProfileForm(forms.ModelForm):
    languages = LanguagesField()
    other_languages = other_languages_field()

    class Meta:
        model = User
        fields = ["full_name", "job_title", "phone", "language", "languages", "other_languages"]
        labels = {"language": _("Language of the site and of your e-mails")}


class MobileForm(forms.Form):
    """Short messages on the phone: the number, the channel, and the consent to the wording."""

    mobile = PhoneNumberField(
        label=_("Mobile number"),
        required=False,
        help_text=_("With the country code, for example +226 70 12 34 56."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "dir": "ltr"}),
    )
    mobile_channel = forms.ChoiceField(
        label=_("Receive confirmations and reminders of my meetings"),
        choices=[
            (MobileChannel.WHATSAPP, _("by WhatsApp")),
            (MobileChannel.SMS, _("by SMS")),
            (MobileChannel.NONE, _("neither (e-mail only)")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    mobile_sms_fallback = forms.BooleanField(
        label=_("If a WhatsApp message cannot be delivered, send it by SMS"), required=False
    )
    consent = forms.BooleanField(label=CONSENT_WORDINGS[CONSENT_VERSION], required=False)

    def clean(self):
        data = super().clean()
        if data.get("mobile_channel"):
            if not data.get("mobile") and "mobile" not in self.errors:
                self.add_error("mobile", _("Give a mobile number to receive messages on it."))
            if not data.get("consent"):
                self.add_error("consent", _("Tick this box to receive messages on your phone."))
        return data
