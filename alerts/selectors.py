"""Saved searches and follows in the site-wide pages: dashboard and detail pages (composed by
`portal.views`)."""

from .models import Follow, SavedSearch

DASHBOARD_ROWS = 10


def dashboard_sections(user) -> dict:
    return {
        "alert_searches": list(SavedSearch.objects.owned_by(user)[:DASHBOARD_ROWS]),
        "alert_follows": list(
            Follow.objects.filter(user=user).select_related("technology", "need")[:DASHBOARD_ROWS]
        ),
    }


def _follow_context(request, listing, listing_type) -> dict:
    if not listing.is_public:
        return {}
    context = {"follow_listing_type": listing_type}
    if request.user.is_authenticated:
        context["is_following"] = Follow.objects.filter(
            user=request.user, **{listing_type: listing}
        ).exists()
    return context


def technology_detail(request, technology, actor) -> dict:
    return _follow_context(request, technology, "technology")


def need_detail(request, need, actor) -> dict:
    return _follow_context(request, need, "need")
