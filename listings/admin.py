from django.contrib import admin

from .models import Field, ModerationEvent, Patent, Technology, TechnologyImage


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_ja", "parent", "position"]
    list_filter = ["parent"]
    search_fields = ["slug", "name_en", "name_ja"]
    list_editable = ["name_en", "name_ja", "position"]


class PatentInline(admin.TabularInline):
    model = Patent
    extra = 0


class ImageInline(admin.TabularInline):
    model = TechnologyImage
    extra = 0
    fields = ["image", "caption", "position"]


@admin.register(Technology)
class TechnologyAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "organization",
        "status",
        "trl",
        "ip_status",
        "language",
        "published_at",
        "view_count",
    ]
    list_filter = ["status", "ip_status", "trl", "language", "fields__parent"]
    search_fields = ["title", "summary", "organization__name", "import_key"]
    autocomplete_fields = ["organization", "author"]
    filter_horizontal = ["fields"]
    readonly_fields = ["status", "submitted_at", "published_at", "view_count", "pending_revision"]
    inlines = [PatentInline, ImageInline]


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "content_type",
        "object_id",
        "action",
        "from_status",
        "to_status",
        "actor",
    ]
    list_filter = ["action", "to_status", "content_type"]
    search_fields = ["reason", "actor__email"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
