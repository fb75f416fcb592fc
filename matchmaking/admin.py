"""Raw views for the rare manual edit; the work is done on the staff dashboard, whose services
keep the rules (a meeting changed here sends no e-mail and is checked only by the database)."""

from django.contrib import admin

from .models import (
    CalendarFeed,
    Meeting,
    MeetingRequest,
    MeetingSession,
    Slot,
    Table,
    Unavailability,
)


class SlotInline(admin.TabularInline):
    model = Slot
    extra = 0
    fields = ["index", "starts_at", "ends_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(MeetingSession)
class MeetingSessionAdmin(admin.ModelAdmin):
    list_display = ["mission", "day", "start_time", "end_time", "slot_minutes", "tables", "place"]
    list_filter = ["mission"]
    list_select_related = ["mission"]
    inlines = [SlotInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["mission", "company", "operator", "slot", "table", "status", "origin", "locked"]
    list_filter = ["status", "origin", "locked", "mission"]
    search_fields = ["company__legal_name", "company__trade_name", "operator__name"]
    list_select_related = ["mission", "company", "operator", "slot", "table"]
    raw_id_fields = ["company", "operator", "delegate", "slot", "table", "booked_by"]
    readonly_fields = ["sequence", "created_at", "updated_at"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = ["mission", "company", "operator", "side", "priority", "status", "created_at"]
    list_filter = ["status", "side", "priority", "mission"]
    search_fields = ["company__legal_name", "operator__name"]
    list_select_related = ["mission", "company", "operator"]
    raw_id_fields = ["company", "operator", "requested_by"]


@admin.register(Unavailability)
class UnavailabilityAdmin(admin.ModelAdmin):
    list_display = ["slot", "company", "operator"]
    list_select_related = ["slot", "company", "operator"]
    raw_id_fields = ["slot", "company", "operator"]


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["session", "number"]
    list_select_related = ["session__mission"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    exclude = ["token"]
    raw_id_fields = ["user"]
