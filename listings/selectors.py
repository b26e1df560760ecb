"""Reads shared by several pages: home sections, dashboards, moderation queue, related items.

The home page, dashboard and organisation profile are composed by `portal.views`, which calls
the `*_sections` functions of every app by name.
"""

from django.db.models import Exists, OuterRef

from .models import ModerationEvent, Technology
from .registry import listing_models


def home_sections() -> dict:
    return {
        "new_technologies": list(
            Technology.objects.published().for_cards().order_by("-published_at")[:6]
        ),
        "technology_count": Technology.objects.published().count(),
    }


def dashboard_sections(user) -> dict:
    context = {"technologies_by_status": []}
    if user.organization is not None:
        technologies = list(
            Technology.objects.owned_by(user)
            .select_related("organization")
            .order_by("status", "-updated_at")
        )
        context["technologies_by_status"] = group_by_status(technologies)
    if user.is_moderator:
        models = listing_models()
        context["submitted_count"] = sum(model.objects.submitted().count() for model in models)
        context["revision_count"] = sum(
            model.objects.with_submitted_revision().count() for model in models
        )
    return context


def organization_sections(organization) -> dict:
    return {
        "technologies": list(
            Technology.objects.published().for_cards().filter(organization=organization)[:50]
        )
    }


def group_by_status(listings) -> list[tuple[str, list]]:
    groups = {}
    for listing in listings:
        groups.setdefault(listing.get_status_display(), []).append(listing)
    return list(groups.items())


def moderation_queue(model):
    """Submitted listings and pending revisions, oldest first."""
    submitted = model.objects.submitted().select_related("organization", "author")
    revisions = model.objects.with_submitted_revision().select_related("organization", "author")
    items = list(submitted) + list(revisions)
    items.sort(key=lambda item: item.queued_since())
    return items


def related_technologies(technology, limit=4):
    """The newest published technologies sharing a field. EXISTS (no join + DISTINCT) and a plain
    `-published_at` order (published rows always have it) let PostgreSQL walk the
    (status, -published_at) index and stop after `limit` rows: ~1 ms at 100,000 technologies."""
    field_ids = [f.pk for f in technology.fields.all()]
    through = Technology.fields.through
    return list(
        Technology.objects.published()
        .filter(
            Exists(through.objects.filter(technology_id=OuterRef("pk"), field_id__in=field_ids))
        )
        .exclude(pk=technology.pk)
        .for_cards()
        .order_by("-published_at", "-pk")[:limit]
    )


def moderation_log(listing):
    return list(ModerationEvent.objects.for_listing(listing))
