from django.contrib import admin

from .models import ScheduleProposal


@admin.register(ScheduleProposal)
class ScheduleProposalAdmin(admin.ModelAdmin):
    """Read-only: proposals are computed, published and discarded from the dashboard."""

    list_display = ["mission", "status", "created_at", "solver_status", "objective", "bound"]
    list_filter = ["status", "mission"]
    list_select_related = ["mission"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
