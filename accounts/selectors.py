"""Accounts in the site-wide pages: the dashboard (composed by `portal.views.dashboard`)."""

from .models import Membership


def dashboard_sections(user) -> dict:
    """Organisation administrators see how many people wait to join."""
    membership = user.active_membership
    if membership is None or not membership.is_admin:
        return {}
    return {
        "join_request_count": Membership.objects.pending()
        .filter(organization_id=membership.organization_id)
        .count(),
    }
