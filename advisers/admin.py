from django.contrib import admin

from .models import AdviserAssignment, AssignmentEvent, Proposal


class AssignmentEventInline(admin.TabularInline):
    model = AssignmentEvent
    extra = 0
    readonly_fields = ["action", "actor", "start", "end", "created_at"]
    can_delete = False


@admin.register(AdviserAssignment)
class AdviserAssignmentAdmin(admin.ModelAdmin):
    """Read-mostly: appoint and end assignments on the moderator pages, so each change is logged."""

    list_display = ["adviser", "organization", "start", "end", "appointed_by"]
    list_filter = ["organization"]
    search_fields = ["adviser__email", "organization__name"]
    readonly_fields = ["adviser", "organization", "start", "end", "appointed_by", "created_at"]
    inlines = [AssignmentEventInline]

    def has_add_permission(self, request):
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["technology", "adviser", "state", "score_before", "score_after", "created_at"]
    list_filter = ["state"]
    readonly_fields = ["technology", "adviser", "data", "score_before", "score_after"]
