from django.conf import settings

from lib.urls import site_url

from . import hooks


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
        # Apps add navigation badges (e.g. `nav_unread`: unread licence-request messages).
        context.update(hooks.collect("navigation", user))
    return context
