"""Bulk upload through the web: a JSON bundle or a CSV of technologies, previewed, then confirmed.

The parsed upload waits in the session between the preview and the confirmation; the import is
validated again when confirmed, against the database as it is then.
"""

import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import files
from .forms import BundleUploadForm
from .importer import import_bundle
from .validation import BundleInvalid, prepare

SESSION_KEY = "bundles.upload"


def uploader_required(view):
    """JPO moderators, or a verified member of an organisation (its TLO)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_moderator or user.can_post):
            raise PermissionDenied(
                _("Uploads need a confirmed e-mail address and an organisation membership.")
            )
        return view(request, *args, **kwargs)

    return wrapper


def _scope(user):
    """Staff import for any organisation named in the bundle; a TLO only for its own."""
    return None if user.is_moderator else user.organization


@uploader_required
def upload(request):
    """JPO moderators and verified organisation members: upload a bundle or CSV for a preview."""
    moderator = request.user.is_moderator
    form = BundleUploadForm(request.POST or None, request.FILES or None, moderator=moderator)
    context = {"form": form, "csv_columns": files.CSV_COLUMNS, "csv_required": files.CSV_REQUIRED}
    if request.method != "POST":
        return render(request, "bundles/upload.html", context)
    if not form.is_valid():
        return render(request, "bundles/upload.html", context, status=400)
    publish = moderator and form.cleaned_data.get("publish", False)
    plan = prepare(
        form.bundle, user=request.user, organization=_scope(request.user), publish=publish
    )
    if not plan.is_valid:
        context["errors"] = plan.errors
        return render(request, "bundles/upload.html", context, status=400)
    request.session[SESSION_KEY] = {
        "token": secrets.token_urlsafe(16),
        "bundle": form.bundle,
        "publish": publish,
        "name": form.cleaned_data["file"].name[:120],
    }
    return redirect("bundles:preview")


@uploader_required
def preview(request):
    """The uploader: what the upload will create or change, and the confirm button."""
    upload = request.session.get(SESSION_KEY)
    if not upload:
        messages.info(request, _("There is no upload waiting for confirmation."))
        return redirect("bundles:upload")
    plan = prepare(
        upload["bundle"],
        user=request.user,
        organization=_scope(request.user),
        publish=upload["publish"],
    )
    context = {"plan": plan, "upload": upload, "errors": plan.errors}
    return render(request, "bundles/preview.html", context, status=200 if plan.is_valid else 400)


@require_POST
@uploader_required
def confirm(request):
    """The uploader: import the previewed upload (validated again, all or nothing)."""
    upload = request.session.get(SESSION_KEY)
    if not upload or request.POST.get("token") != upload["token"]:
        messages.warning(request, _("This upload was already imported or has expired."))
        return redirect("bundles:upload")
    try:
        plan = import_bundle(
            upload["bundle"],
            user=request.user,
            organization=_scope(request.user),
            publish=upload["publish"],
        )
    except BundleInvalid as invalid:
        context = {"plan": None, "upload": upload, "errors": invalid.errors}
        return render(request, "bundles/preview.html", context, status=400)
    del request.session[SESSION_KEY]
    messages.success(request, plan.summary())
    if not upload["publish"]:
        messages.info(request, _("The new and changed items wait for review by JPO moderators."))
    return redirect("dashboard")


@require_POST
@uploader_required
def cancel(request):
    """The uploader: drop the upload waiting for confirmation."""
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("The upload was discarded; nothing was imported."))
    return redirect("bundles:upload")
