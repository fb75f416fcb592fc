from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from core.languages import LanguagesField

from .models import MobileConsent, User


class MobileConsentInline(admin.TabularInline):
    """The record of consents: read only, written by the participant's own choices."""

    model = MobileConsent
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "created_at", "action", "number", "channel", "sms_fallback", "source", "wording_version",
    ]  # fmt: skip

    def has_add_permission(self, request, obj=None):
        return False


class UserAdminForm(UserChangeForm):
    languages = LanguagesField()


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminForm
    ordering = ["email"]
    list_display = ["email", "full_name", "company", "operator", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "language", "company_role"]
    search_fields = ["email", "full_name", "company__legal_name", "operator__name"]
    list_select_related = ["company", "operator"]
    autocomplete_fields = ["company", "operator"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Person"),
            {
                "fields": [
                    "full_name",
                    "job_title",
                    "phone",
                    "language",
                    "languages",
                    "other_languages",
                ]
            },
        ),
        (_("Organisation"), {"fields": ["company", "company_role", "operator"]}),
        (
            _("Messages on the phone"),
            {"fields": ["mobile", "mobile_channel", "mobile_sms_fallback", "mobile_consent_at"]},
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    # Only the participant gives (or withdraws) consent: accounts.services.user_mobile_set.
    readonly_fields = ["mobile", "mobile_channel", "mobile_sms_fallback", "mobile_consent_at"]
    inlines = [MobileConsentInline]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]


# Single sign-on is configured by the environment (OIDC_*) and stores no tokens: allauth's pages
# for provider apps and tokens would only let someone add a second, unreviewed configuration.
# Its accounts (which provider identity belongs to which staff member) stay, to unlink one.
admin.site.unregister(SocialApp)
admin.site.unregister(SocialToken)
