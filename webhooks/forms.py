from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Event


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The receiver's address; https:// in production."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class EndpointEditForm(EndpointForm):
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A paused endpoint receives no new event."),
    )


class SecretRotateForm(forms.Form):
    GRACE_CHOICES = [
        ("0", _("Revoke it now (the secret has leaked)")),
        ("3600", _("1 hour")),
        ("86400", _("24 hours")),
        ("604800", _("7 days")),
    ]
    grace = forms.TypedChoiceField(
        label=_("The former secret stays valid"),
        choices=GRACE_CHOICES,
        coerce=int,
        initial="86400",
        help_text=_(
            "Meanwhile every request is signed with both secrets, so that the receiver can "
            "switch to the new one without refusing an event."
        ),
    )
