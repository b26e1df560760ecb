from django.conf import settings

from lib.urls import site_url
from licensing.selectors import unread_count


def site(request):
    """Site name and the signed-in user's organisation, for the base layout."""
    user = getattr(request, "user", None)
    membership = user.active_membership if user is not None and user.is_authenticated else None
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": site_url(request),
        "current_membership": membership,
        "current_organization": membership.organization if membership else None,
    }
    if membership is not None:
        # The navigation's badge: unread licence-request and proposal messages.
        context["nav_unread"] = unread_count(membership.organization)
    return context
