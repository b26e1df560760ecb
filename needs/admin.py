from django.contrib import admin

from .models import Need


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = [
        "title", "organization", "status", "trl_min", "trl_max", "deadline", "published_at",
    ]  # fmt: skip
    list_filter = ["status", "language", "fields__parent"]
    search_fields = ["title", "description", "organization__name", "import_key"]
    autocomplete_fields = ["organization", "author"]
    filter_horizontal = ["fields"]
    readonly_fields = ["status", "submitted_at", "published_at", "view_count", "pending_revision"]
