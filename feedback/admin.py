from django.contrib import admin

from .models import MeetingFeedback


@admin.register(MeetingFeedback)
class MeetingFeedbackAdmin(admin.ModelAdmin):
    list_display = ["meeting", "side", "stage", "rating", "outcome", "estimated_value"]
    list_filter = ["stage", "outcome", "side", "meeting__mission"]
    search_fields = ["meeting__company__legal_name", "meeting__operator__name", "comment"]
    list_select_related = ["meeting__company", "meeting__operator"]
    raw_id_fields = ["meeting", "submitted_by"]
