from django.contrib import admin

from .models import Follow, SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "list", "frequency", "checked_at"]
    list_filter = ["list", "frequency"]
    search_fields = ["name", "user__email"]
    raw_id_fields = ["user"]
    exclude = ["feed_token"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "technology", "need", "mail", "created_at"]
    raw_id_fields = ["user", "technology", "need"]
