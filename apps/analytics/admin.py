"""Django admin for analytics: candidates editable; the read model and traffic read-only (they
are rebuilt from their sources)."""

from django.contrib import admin

from .models import Candidate, ProfitRefresh, TrafficDay


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "category", "price", "currency", "organization"]
    list_filter = ["organization", "source"]
    search_fields = ["name"]
    raw_id_fields = ["marketplace"]


@admin.register(TrafficDay)
class TrafficDayAdmin(ReadOnlyAdmin):
    list_display = ["day", "store", "product", "sessions", "page_views", "organization"]
    list_filter = ["organization"]
    raw_id_fields = ["store", "product"]


@admin.register(ProfitRefresh)
class ProfitRefreshAdmin(ReadOnlyAdmin):
    list_display = ["organization", "built_at", "full_built_at", "days_refreshed", "duration_ms"]
