"""Raw views for the rare manual edit; the work is done on the staff dashboard. A meeting's time,
place, parties and status change only through the services (the dashboard's grid), which check
the rules and tell both sides; here they are shown read-only."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.templatetags.mission_time import tz_label

from .models import (
    CalendarFeed,
    Meeting,
    MeetingRequest,
    MeetingSession,
    Slot,
    Table,
    Unavailability,
)
from .services import MatchmakingError, meeting_lock_set


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: the dashboard's services keep the rules of these rows."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def mission_time(start, end, mission) -> str:
    """``07/12/2027 09:00–09:30 (Africa/Abidjan (GMT))``: a slot in the mission's own time, as
    every page shows it (the admin would show it in the server's zone)."""
    zone = mission.tzinfo
    start, end = timezone.localtime(start, zone), timezone.localtime(end, zone)
    return (
        f"{date_format(start, 'SHORT_DATE_FORMAT')} {start:%H:%M}–{end:%H:%M} "
        f"({tz_label(mission.timezone, start)})"
    )


class SlotInline(admin.TabularInline):
    model = Slot
    extra = 0
    fields = ["index", "local_time"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session__mission")

    @admin.display(description=_("time (mission's local time)"))
    def local_time(self, slot):
        return mission_time(slot.starts_at, slot.ends_at, slot.session.mission)


@admin.register(MeetingSession)
class MeetingSessionAdmin(ReadOnlyAdmin):
    """Sessions are made and changed on the dashboard: a change of times makes new slots."""

    list_display = ["mission", "day", "start_time", "end_time", "slot_minutes", "tables", "place"]
    list_filter = ["mission"]
    list_select_related = ["mission"]
    inlines = [SlotInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["mission", "company", "operator", "when", "table", "status", "origin", "locked"]
    list_filter = ["status", "origin", "locked", "mission"]
    search_fields = ["company__legal_name", "company__trade_name", "operator__name"]
    list_select_related = ["mission", "company", "operator", "slot", "table"]
    fields = [
        "mission", "company", "operator", "delegate", "when", "table", "status", "origin",
        "locked", "sequence", "booked_by", "cancel_reason", "company_confirmed_at",
        "operator_confirmed_at", "created_at", "updated_at",
    ]  # fmt: skip
    readonly_fields = [f for f in fields if f != "locked"]

    @admin.display(description=_("time (mission's local time)"), ordering="slot__starts_at")
    def when(self, meeting):
        return mission_time(meeting.slot.starts_at, meeting.slot.ends_at, meeting.mission)

    def has_add_permission(self, request):
        return False  # a meeting is booked or scheduled, with its checks and e-mails

    def has_delete_permission(self, request, obj=None):
        return False  # cancelled from the dashboard, which tells both sides

    def save_model(self, request, obj, form, change):
        """Only the lock can change here, through its service."""
        if "locked" in form.changed_data:
            try:
                meeting_lock_set(meeting=obj, locked=obj.locked, by=request.user)
            except MatchmakingError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)


@admin.register(MeetingRequest)
class MeetingRequestAdmin(ReadOnlyAdmin):
    list_display = ["mission", "company", "operator", "side", "priority", "status", "created_at"]
    list_filter = ["status", "side", "priority", "mission"]
    search_fields = ["company__legal_name", "operator__name"]
    list_select_related = ["mission", "company", "operator"]
    raw_id_fields = ["company", "operator", "requested_by"]


@admin.register(Unavailability)
class UnavailabilityAdmin(ReadOnlyAdmin):
    list_display = ["slot", "company", "operator"]
    list_select_related = ["slot", "company", "operator"]
    raw_id_fields = ["slot", "company", "operator"]


@admin.register(Table)
class TableAdmin(ReadOnlyAdmin):
    list_display = ["session", "number"]
    list_select_related = ["session__mission"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    exclude = ["token"]
    raw_id_fields = ["user"]
