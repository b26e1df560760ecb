from django.contrib import admin

from .models import Agreement, DeclineFeedback, LicenceRequest, RequestMessage


class RequestMessageInline(admin.TabularInline):
    model = RequestMessage
    extra = 0
    fields = ["created_at", "side", "author", "new_status", "body"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LicenceRequest)
class LicenceRequestAdmin(admin.ModelAdmin):
    """Read-only: requests change only through their thread, and nothing is deleted."""

    list_display = ["technology", "requester_organization", "purpose", "status", "last_activity_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["technology__title", "requester_organization__name", "message"]
    inlines = [RequestMessageInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(DeclineFeedback)
class DeclineFeedbackAdmin(admin.ModelAdmin):
    """Read-only: reasons are given through the site, never edited."""

    list_display = [
        "path",
        "reason",
        "decliner_organization",
        "recipient_organization",
        "created_at",
    ]
    list_filter = ["path", "reason", "share_name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    """Staff correct agreements on the conversation page (licensing:agreement_correct)."""

    list_display = ["request", "type", "signed_on", "confirmed_at", "corrected_at"]
    list_filter = ["type"]
    readonly_fields = ["request", "recorded_by", "confirmed_by", "corrected_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
