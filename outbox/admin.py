"""The outbox for the rare look at one message; staff retry failures from the mission's e-mail
page, which goes through the outbox service."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Email, EmailStatus
from .services import OutboxError, email_retry


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = [
        "to_email",
        "to_phone",
        "channel",
        "template",
        "language",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["channel", "status", "template", "language", "mission"]
    search_fields = ["to_email", "to_phone", "key", "subject"]
    list_select_related = ["mission"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Email._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.sensitive:  # a login code or a reset link: not for display
            fields = [f for f in fields if f not in ("text", "html")]
        return fields

    @admin.action(description=_("Send the selected messages again"))
    def send_again(self, request, queryset):
        done = 0
        # Account messages (no mission) carry secrets that expire: the reader asks for a new one.
        for email in queryset.exclude(status=EmailStatus.SENT).exclude(mission=None):
            try:
                email_retry(email=email)
                done += 1
            except OutboxError as exc:
                self.message_user(request, str(exc), messages.WARNING)
        self.message_user(
            request,
            ngettext("%(count)s message queued again.", "%(count)s messages queued again.", done)
            % {"count": done},
        )
