from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Company, Operator, Sector
from .uploads import clean_brochure, clean_logo


class SectorChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class CompanyForm(forms.ModelForm):
    sectors = SectorChoiceField(queryset=Sector.objects.all(), label=_("Sectors"))
    # A plain file field: clean_logo checks the content itself, with its own messages.
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    class Meta:
        model = Company
        fields = [
            "legal_name", "trade_name", "ice", "city", "website", "size_band", "founded",
            "sectors", "offer", "references", "logo", "brochure",
        ]  # fmt: skip
        widgets = {
            "offer": forms.Textarea(attrs={"rows": 4}),
            "references": forms.Textarea(attrs={"rows": 3}),
            "brochure": forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and logo != self.initial.get("logo") and hasattr(logo, "content_type"):
            return clean_logo(logo)
        return logo

    def clean_brochure(self):
        brochure = self.cleaned_data.get("brochure")
        if (
            brochure
            and brochure != self.initial.get("brochure")
            and hasattr(brochure, "content_type")
        ):
            return clean_brochure(brochure)
        return brochure


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail address"))


class OperatorProfileForm(forms.ModelForm):
    sectors = SectorChoiceField(
        queryset=Sector.objects.all(), label=_("Sectors of interest"), required=False
    )

    class Meta:
        model = Operator
        fields = ["name", "kind", "country", "city", "website", "sectors", "needs"]
        widgets = {"needs": forms.Textarea(attrs={"rows": 3})}
