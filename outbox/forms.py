from django import forms
from django.utils.translation import gettext_lazy as _


class RetryForm(forms.Form):
    to_email = forms.EmailField(
        label=_("Send to"),
        max_length=254,
        required=False,
        help_text=_("Leave empty to send again to the same address."),
    )
