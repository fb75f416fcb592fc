from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from companies.forms import OperatorProfileForm
from core.languages import LanguagesField, other_languages_field

from .models import Application, Mission, Objective, ProgrammeItem
from .operator_import import MAX_BYTES

CONTENT_LANGUAGES = settings.MODELTRANSLATION_LANGUAGES
LANGUAGE_NAMES = {
    "fr": pgettext_lazy("content language", "French"),
    "en": pgettext_lazy("content language", "English"),
    "ar": pgettext_lazy("content language", "Arabic"),
}


def translated(*names: str) -> list[str]:
    """The form fields of translated model fields, one per content language, in order."""
    return [f"{name}_{language}" for name in names for language in CONTENT_LANGUAGES]


def require_one_language(form: forms.BaseForm, cleaned: dict, names) -> None:
    """Each of ``names`` is written in one content language at least (the others fall back)."""
    for name in names:
        if not any((cleaned.get(f) or "").strip() for f in translated(name)):
            form.add_error(
                f"{name}_{CONTENT_LANGUAGES[0]}",
                _("Write it in one language at least: readers of the others see it instead."),
            )


class TranslatedFieldsForm(forms.ModelForm):
    """A form whose translated fields (``translated``) stand side by side, one column per
    language, labelled "Title (English)"; those of ``required_translations`` are required in
    one language at least: readers of the others see it in its stead."""

    translated_fields: tuple[str, ...] = ()
    required_translations: tuple[str, ...] = ("title",)
    textareas: dict[str, int] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.translated_fields:
            label = self._meta.model._meta.get_field(name).verbose_name
            for language in CONTENT_LANGUAGES:
                field = self.fields[f"{name}_{language}"]
                field.label = f"{capfirst(label)} ({LANGUAGE_NAMES[language]})"
                field.required = False
                if language == "ar":
                    field.widget.attrs.update(dir="rtl", lang="ar")
                if name in self.textareas:
                    field.widget = forms.Textarea(
                        attrs={**field.widget.attrs, "rows": self.textareas[name]}
                    )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*self._layout())

    def _layout(self):
        done = set()
        for name in self.fields:
            base = name.rsplit("_", 1)[0]
            if base in self.translated_fields:
                if base not in done:
                    done.add(base)
                    yield Row(
                        *(
                            Column(Field(f"{base}_{language}"), css_class="col-md")
                            for language in CONTENT_LANGUAGES
                        )
                    )
            else:
                yield Field(name)

    def clean(self):
        cleaned = super().clean()
        require_one_language(self, cleaned, self.required_translations)
        return cleaned


class MissionForm(TranslatedFieldsForm):
    translated_fields = ("title", "city", "description")
    required_translations = ("title", "city")
    textareas = {"description": 5}

    class Meta:
        model = Mission
        fields = [
            *translated("title"), "slug", *translated("city"), "country", "timezone",
            "start_date", "end_date", *translated("description"), "partners", "sectors",
            "capacity", "application_deadline", "cover", "auto_confirm_operators",
            "keep_apart_without_shared_language",
        ]  # fmt: skip
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "application_deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
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


class ProgrammeItemForm(TranslatedFieldsForm):
    """Times are typed in the mission's local time (the view activates its time zone)."""

    translated_fields = ("title", "place", "description")
    textareas = {"description": 2}

    class Meta:
        model = ProgrammeItem
        fields = [
            "kind", *translated("title"), "starts_at", "ends_at", *translated("place"),
            *translated("description"),
        ]  # fmt: skip
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
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
    languages = LanguagesField(label=_("Languages they can hold a meeting in"))
    other_languages = other_languages_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.empty_permitted:
            # A row beyond the first may stay empty: not marked required; once half filled,
            # ``clean`` asks for the rest.
            for field in self.fields.values():
                field.required = False

    def clean(self):
        data = super().clean()
        needed = ("full_name", "role")  # languages stay optional on every row
        if self.empty_permitted and any(data.get(name) for name in self.fields):
            for name in needed:
                field = self.fields[name]
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
    job_title = forms.CharField(
        label=_("Your role"),
        max_length=150,
        required=False,
        help_text=_("For example: CIO, purchasing director."),
    )
    email = forms.EmailField(label=_("Your e-mail address"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    languages = LanguagesField()
    other_languages = other_languages_field()
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

    def contact(self) -> dict:
        """What the contact says of themselves: role and languages."""
        return {f: self.cleaned_data[f] for f in ("job_title", "languages", "other_languages")}


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
