from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Scope

MAX_LIFETIME = timedelta(days=2 * 365)


def _default_expiry():
    return timezone.localdate() + timedelta(days=90)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who uses it and for what, for example “CRM of the agency”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        initial=_default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most two years from today."),
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("The expiry must be in the future."))
        if day > today + MAX_LIFETIME:
            raise forms.ValidationError(_("A token lasts at most two years."))
        return day

    def clean_scopes(self):
        scopes = self.cleaned_data["scopes"]
        if Scope.READ_CONTACTS in scopes and Scope.READ_MISSIONS not in scopes:
            raise forms.ValidationError(
                _("Contact data is read with the participants: choose “Read missions” too.")
            )
        return scopes
