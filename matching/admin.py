from django.contrib import admin

from .models import Match


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["need", "technology", "score", "confirmed", "confirmed_at", "confirmed_by"]
    list_filter = ["confirmed", "dismissed_by_need_owner", "dismissed_by_technology_owner"]
    search_fields = ["need__title", "technology__title", "note"]
    raw_id_fields = ["need", "technology"]
    readonly_fields = ["score", "reasons", "confirmed_by", "confirmed_at"]
