from django.contrib import admin

from .models import Company, CompanyInvitation, Operator, Sector
from .services import company_delete


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_fr", "name_en", "name_ar", "position"]
    list_editable = ["position"]
    search_fields = ["slug", "name_fr", "name_en", "name_ar"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "trade_name", "ice", "city", "size_band"]

    def delete_model(self, request, obj):
        company_delete(company=obj)

    def delete_queryset(self, request, queryset):
        for company in queryset:
            company_delete(company=company)

    list_filter = ["size_band", "sectors"]
    search_fields = ["legal_name", "trade_name", "ice", "city"]
    filter_horizontal = ["sectors"]


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "city"]
    list_filter = ["kind", "country", "sectors"]
    search_fields = ["name", "city"]
    filter_horizontal = ["sectors"]


@admin.register(CompanyInvitation)
class CompanyInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "company", "created_at", "accepted_at"]
    search_fields = ["email", "company__legal_name"]
    list_select_related = ["company"]
    exclude = ["token"]
