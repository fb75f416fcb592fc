from django.contrib import admin

from .models import Mission, ProgrammeItem


class ProgrammeItemInline(admin.TabularInline):
    model = ProgrammeItem
    extra = 0


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ["title", "city", "country", "start_date", "end_date", "status", "capacity"]
    list_filter = ["status", "country"]
    search_fields = ["title", "city", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["sectors"]
    inlines = [ProgrammeItemInline]
    date_hierarchy = "start_date"
