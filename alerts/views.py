from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from listings.models import Technology
from needs.models import Need

from . import services
from .forms import SavedSearchForm, SaveSearchForm
from .models import Follow, SavedSearch


@login_required
def saved_search_list(request):
    """Signed-in users: their saved searches and what they follow."""
    return render(
        request,
        "alerts/saved_search_list.html",
        {
            "saved_searches": SavedSearch.objects.owned_by(request.user),
            "follows": Follow.objects.filter(user=request.user).select_related(
                "technology", "need"
            ),
        },
    )


@login_required
@require_POST
def saved_search_create(request):
    """Signed-in users: save the list query they are looking at."""
    form = SaveSearchForm(request.POST)
    if form.is_valid():
        try:
            saved = services.save_search(
                request.user, language=request.LANGUAGE_CODE[:2], **form.cleaned_data
            )
        except services.AlertError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("Your search “%(name)s” was saved.") % {"name": saved.name})
            return redirect("alerts:saved_search_list")
    return render(request, "alerts/save_search.html", {"form": form}, status=400)


def _owned(request, pk) -> SavedSearch:
    """The user's own saved search; anyone else's is a 404."""
    return get_object_or_404(SavedSearch.objects.owned_by(request.user), pk=pk)


@login_required
def saved_search_edit(request, pk):
    """The owner: rename a saved search or change its e-mail frequency."""
    saved_search = _owned(request, pk)
    form = SavedSearchForm(request.POST or None, instance=saved_search)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_search(
                saved_search,
                name=form.cleaned_data["name"],
                frequency=form.cleaned_data["frequency"],
                language=request.LANGUAGE_CODE[:2],
            )
        except services.AlertError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("The saved search was updated."))
            return redirect("alerts:saved_search_list")
    return render(
        request,
        "alerts/saved_search_form.html",
        {"form": form, "saved_search": saved_search},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def saved_search_delete(request, pk):
    """The owner: delete a saved search (its feed address stops working)."""
    saved_search = _owned(request, pk)
    saved_search.delete()
    messages.success(request, _("The saved search was deleted."))
    return redirect("alerts:saved_search_list")


@login_required
@require_POST
def saved_search_revoke_feed(request, pk):
    """The owner: a new private feed address; the old one is refused from now on."""
    services.revoke_feed(_owned(request, pk))
    messages.success(request, _("The feed has a new address; the old one no longer works."))
    return redirect("alerts:saved_search_list")


@csrf_exempt
def unsubscribe(request, token):
    """Anyone holding the signed link (no sign-in): stop these mails. GET from the mail's link,
    POST from a mail program's one-click button (RFC 8058)."""
    subscription = services.unsubscribe(token)
    if subscription is None:
        raise Http404
    return render(request, "alerts/unsubscribed.html", {"subscription": subscription})


def _listing(listing_type, pk):
    model = {"technology": Technology, "need": Need}.get(listing_type)
    if model is None:
        raise Http404
    return get_object_or_404(model.objects.published(), pk=pk)


@login_required
@require_POST
def follow(request, listing_type, pk):
    """Signed-in users: follow a published technology or need."""
    listing = _listing(listing_type, pk)
    services.follow(request.user, listing, request.LANGUAGE_CODE[:2])
    messages.success(request, _("You follow “%(title)s” now.") % {"title": listing.title})
    return redirect(listing)


@login_required
@require_POST
def unfollow(request, listing_type, pk):
    """Signed-in users: stop following."""
    model = {"technology": Technology, "need": Need}.get(listing_type)
    if model is None:
        raise Http404
    listing = get_object_or_404(model.objects.all(), pk=pk)
    services.unfollow(request.user, listing)
    messages.success(request, _("You no longer follow “%(title)s”.") % {"title": listing.title})
    return redirect(request.POST.get("next") or "alerts:saved_search_list")
