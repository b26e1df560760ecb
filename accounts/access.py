"""Who may use which view. Each view names one of these (or Django's login_required)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def member_required(view):
    """Signed in, e-mail verified, and an active member of an organisation."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_verified:
            messages.warning(request, _("Please confirm your e-mail address first."))
            return redirect("accounts:verify_needed")
        if user.active_membership is None:
            raise PermissionDenied(_("You need an active organisation membership for this."))
        return view(request, *args, **kwargs)

    return wrapper


def organization_admin_required(view):
    """An administrator of the signed-in user's organisation."""

    @member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.active_membership.is_admin:
            raise PermissionDenied(_("Only the organisation's administrators may do this."))
        return view(request, *args, **kwargs)

    return wrapper


def moderator_required(view):
    """A moderator: `user.is_moderator` (the "JPO moderators" group, or a superuser).

    Django's `is_staff` does not count: it only opens the Django admin."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_moderator:
            raise PermissionDenied(_("This page is for JPO moderators."))
        return view(request, *args, **kwargs)

    return wrapper
