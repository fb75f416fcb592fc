from django import forms
from django.utils.translation import gettext_lazy as _

from core.languages import LanguagesField, other_languages_field

from .models import User


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
