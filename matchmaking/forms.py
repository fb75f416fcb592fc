from django import forms
from django.utils.translation import gettext_lazy as _

from companies.models import OperatorKind
from missions.forms import TranslatedFieldsForm, translated

from .models import MeetingSession, Priority


class SessionForm(TranslatedFieldsForm):
    translated_fields = ("place",)
    required_translations = ()

    class Meta:
        model = MeetingSession
        fields = [
            "day",
            "start_time",
            "end_time",
            "slot_minutes",
            "break_minutes",
            "tables",
            *translated("place"),
        ]
        widgets = {
            "day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The end must come after the start."))
        return cleaned


class RequestForm(forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you would like to discuss."),
    )


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    city = forms.CharField(label=_("City"), required=False, max_length=100)

    def __init__(self, *args, sectors=(), countries=(), **kwargs):
        """``sectors`` and ``countries``: the choices, as (value, label) pairs."""
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *countries]
        self.fields["sector"].choices = [("", _("All sectors")), *sectors]
        self.fields["kind"].choices = [("", _("All kinds")), *OperatorKind.choices]
        for name in ("sector", "kind", "country"):
            self.fields[name].widget.attrs["class"] = "form-select"


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)
