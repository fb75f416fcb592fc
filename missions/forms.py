from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from companies.forms import OperatorProfileForm

from .models import Application, Mission, Objective, ProgrammeItem
from .operator_import import MAX_BYTES


class MissionForm(forms.ModelForm):
    class Meta:
        model = Mission
        fields = [
            "title", "slug", "city", "country", "timezone", "start_date", "end_date",
            "description", "partners", "sectors", "capacity", "application_deadline", "cover",
            "auto_confirm_operators",
        ]  # fmt: skip
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "application_deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 5}),
            "partners": forms.Textarea(attrs={"rows": 3}),
            "sectors": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "application_deadline": _("In Moroccan time (Africa/Casablanca)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].label_from_instance = lambda s: s.name

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        if self.instance.pk:
            self._check_anchored(cleaned)
        if cleaned.get("cover"):
            from companies.uploads import clean_logo

            cover = cleaned["cover"]
            if hasattr(cover, "content_type"):
                try:
                    cleaned["cover"] = clean_logo(cover)
                except forms.ValidationError as exc:
                    self.add_error("cover", exc)
        return cleaned

    def _check_anchored(self, cleaned):
        """Programme items and B2B slots are stored as instants of the mission's zone: the zone
        cannot change under them, nor the dates leave them outside the mission."""
        mission = self.instance
        has_times = mission.programme.exists() or mission.meeting_sessions.exists()
        zone = cleaned.get("timezone")
        if has_times and zone and zone != Mission.objects.get(pk=mission.pk).timezone:
            self.add_error(
                "timezone",
                _(
                    "The programme and the B2B sessions are set in this time zone: delete them "
                    "before changing it."
                ),
            )
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            outside = mission.meeting_sessions.exclude(day__range=(start, end))
            if outside.exists():
                self.add_error(
                    "end_date",
                    _("B2B sessions are planned outside these dates (%(days)s): move them first.")
                    % {"days": ", ".join(date_format(s.day) for s in outside)},
                )


class ProgrammeItemForm(forms.ModelForm):
    """Times are typed in the mission's local time (the view activates its time zone)."""

    class Meta:
        model = ProgrammeItem
        fields = ["kind", "title", "starts_at", "ends_at", "place", "description"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end must come after the start."))
        return cleaned


class ApplicationForm(forms.Form):
    objectives = forms.MultipleChoiceField(
        label=_("What are you looking for?"),
        choices=Objective.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Your targets in this market, your references in the region."),
    )

    @classmethod
    def from_application(cls, application: Application, data=None):
        return cls(
            data,
            initial={"objectives": application.objectives, "motivation": application.motivation},
        )


class DelegateForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.CharField(label=_("Role"), max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.empty_permitted:
            # A row beyond the first may stay empty: not marked required; once half filled,
            # ``clean`` asks for the rest.
            for field in self.fields.values():
                field.required = False

    def clean(self):
        data = super().clean()
        if self.empty_permitted and any(data.get(name) for name in self.fields):
            for name, field in self.fields.items():
                if not data.get(name):
                    self.add_error(name, forms.ValidationError(
                        field.error_messages["required"], code="required"
                    ))  # fmt: skip
        return data


class BaseDelegateFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        """Every row past the first may stay empty, a delegate already named included (emptied,
        it leaves the delegation)."""
        kwargs = super().get_form_kwargs(index)
        if index is not None and index >= self.min_num:
            kwargs["empty_permitted"] = True
        return kwargs


DelegateFormSet = forms.formset_factory(
    DelegateForm,
    formset=BaseDelegateFormSet,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=6,
    validate_max=True,
)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approved", _("Approve")),
            ("waitlisted", _("Waitlist")),
            ("rejected", _("Reject")),
        ],
    )
    note = forms.CharField(
        label=_("Note to the firm"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RegistrationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("confirmed", _("Confirm")), ("rejected", _("Reject"))]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class OperatorSignupForm(OperatorProfileForm):
    """The operator's organisation and its contact, on one short page."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail address"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    # Asked only when an organisation of the same name is registered already (see the view).
    same_name = forms.BooleanField(
        label=_("Register me anyway: the agency attaches me to it if it is the same organisation"),
        required=False,
    )

    class Meta(OperatorProfileForm.Meta):
        pass

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "An account already exists for this address. Log in with a code sent by "
                    "e-mail, then register from the mission page."
                ),
                code="exists",
            )
        return email

    def profile(self) -> dict:
        return {f: self.cleaned_data[f] for f in OperatorProfileForm.Meta.fields}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        """Refused by its size before anything reads it (Django keeps a large upload in a
        temporary file, not in memory)."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."), code="too_large")
        return upload
