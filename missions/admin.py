from django import forms
from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from core.languages import LanguagesField

from .forms import require_one_language, translated
from .models import (
    Application,
    Delegate,
    Mission,
    MissionTransition,
    OperatorRegistration,
    ProgrammeItem,
)


class ProgrammeItemAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        require_one_language(self, cleaned, ["title"])
        return cleaned


class MissionAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        require_one_language(self, cleaned, ["title", "city"])
        return cleaned


class ProgrammeItemInline(TranslationTabularInline):
    model = ProgrammeItem
    form = ProgrammeItemAdminForm
    extra = 0


@admin.register(Mission)
class MissionAdmin(TranslationAdmin):
    """The languages of each text side by side (title [fr], [en], [ar]); one is enough."""

    form = MissionAdminForm
    list_display = ["title", "city", "country", "start_date", "end_date", "status", "capacity"]
    list_filter = ["status", "country"]
    search_fields = [*translated("title", "city"), "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["sectors"]
    inlines = [ProgrammeItemInline]
    date_hierarchy = "start_date"
    readonly_fields = ["status"]  # changed by the life-cycle transitions of the dashboard


class DelegateForm(forms.ModelForm):
    languages = LanguagesField()

    class Meta:
        model = Delegate
        fields = ["full_name", "role", "languages", "other_languages"]


class DelegateInline(admin.StackedInline):
    model = Delegate
    form = DelegateForm
    extra = 0


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["company", "mission", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "mission"]
    search_fields = [
        "company__legal_name",
        "company__trade_name",
        *(f"mission__{f}" for f in translated("title")),
    ]
    list_select_related = ["company", "mission"]
    autocomplete_fields = ["company"]
    raw_id_fields = ["submitted_by"]
    # Decided on the dashboard, which keeps the capacity and tells the firm.
    readonly_fields = ["status", "decided_by", "decided_at"]
    inlines = [DelegateInline]


@admin.register(OperatorRegistration)
class OperatorRegistrationAdmin(admin.ModelAdmin):
    list_display = ["operator", "mission", "status", "created_at", "decided_at"]
    list_filter = ["status", "mission"]
    search_fields = ["operator__name", *(f"mission__{f}" for f in translated("title"))]
    list_select_related = ["operator", "mission"]
    autocomplete_fields = ["operator"]
    raw_id_fields = ["registered_by"]
    # Decided on the dashboard, which tells the operator (and cancels its meetings if need be).
    readonly_fields = ["status", "decided_by", "decided_at"]


@admin.register(MissionTransition)
class MissionTransitionAdmin(admin.ModelAdmin):
    list_display = ["mission", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    list_select_related = ["mission", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
