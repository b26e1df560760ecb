"""Needs in the site-wide pages: home, dashboard and organisation profile (composed by
`portal.views`)."""

from listings.selectors import group_by_status

from .models import Need


def home_sections() -> dict:
    return {
        "new_needs": list(Need.objects.open().for_cards().order_by("-published_at")[:6]),
        "need_count": Need.objects.open().count(),
    }


def dashboard_sections(user) -> dict:
    if user.organization is None:
        return {}
    needs = list(Need.objects.owned_by(user).order_by("status", "-updated_at"))
    return {
        "needs_by_status": group_by_status(needs),
    }


def organization_sections(organization) -> dict:
    return {"needs": list(Need.objects.open().for_cards().filter(organization=organization)[:50])}
