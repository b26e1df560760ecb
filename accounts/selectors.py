"""Accounts in the site-wide pages: the dashboard."""

from portal import hooks

from .models import Membership


@hooks.register("dashboard")
def dashboard_sections(user) -> dict:
    """Organisation administrators see how many people wait to join."""
    membership = user.active_membership
    if membership is None or not membership.is_admin:
        return {}
    return {
        "join_request_count": Membership.objects.pending()
        .filter(organization_id=membership.organization_id)
        .count(),
        "dashboard_templates": ["accounts/includes/dashboard_join_requests.html"],
    }
