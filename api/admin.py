from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read only: tokens are made and revoked in the staff dashboard (the secret is shown once)."""

    list_display = ("name", "prefix", "created_by", "created_at", "expires_at", "revoked_at")
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
