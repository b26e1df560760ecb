from functools import partial

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import member_required, moderator_required
from lib.kept import VisitorPages

from . import selectors, services
from .filters import TechnologyFilterSet
from .forms import DecisionForm, ImageForm, PatentFormSet, TechnologyForm
from .lifecycle import Actor, Status, allowed_actions
from .models import Technology, TechnologyImage
from .registry import listing_model, listing_models
from .signals import listing_viewed

#: a technologies list's page (a search's results) as visitors who are not signed in see it,
#: kept per its address and version (`selectors.results_version`; about 36 kB a page at
#: 100,000 technologies; docs/performance.md, *Tenth pass*).
SEARCH_PAGES = VisitorPages(max_entries=300)


def listing_list(request, *, model, filterset_class, template):
    """The public list shared by technologies and needs: filters, search, sort, pages."""
    results = selectors.search_listings(
        model, filterset_class, request.GET, request.GET.get("page")
    )
    filter_version = selectors.filter_panel_version(results.filterset, request.path)
    context = {
        "filter": results.filterset,
        "filter_version": filter_version,
        "page_obj": results.page,
        "query": results.query,
        "similar": results.similar,
    }
    if not results.valid:
        return render(request, template, context, status=400)
    version = selectors.results_version(results, filter_version)
    key = SEARCH_PAGES.key(request, version, [*results.filterset.filters, "page"])
    if key is None:
        return render(request, template, context)
    return SEARCH_PAGES.get(request, key) or SEARCH_PAGES.render(request, key, template, context)


def technology_list(request):
    """Anyone: published technologies."""
    return listing_list(
        request,
        model=Technology,
        filterset_class=TechnologyFilterSet,
        template="listings/technology_list.html",
    )


def count_view(request, listing, actor) -> None:
    """A view of a public listing by someone outside its organisation is appended to the
    analytics log; the listing's own row is never written on a page view."""
    if listing.is_public and actor not in (Actor.OWNER, Actor.MODERATOR):
        listing_viewed.send(sender=type(listing), request=request, listing=listing)


def detail_context(request, listing) -> dict:
    """What a listing's detail and review pages show of the listing itself; the sections other
    apps add (licence requests, suggestions, follows, analytics) are composed by `portal.views`."""
    actor = services.actor_for(listing, request.user)
    can_manage = actor in (Actor.OWNER, Actor.MODERATOR)
    return {
        "listing": listing,
        "object": listing,
        "actor": actor,
        "is_owner": actor == Actor.OWNER,
        "is_moderator_view": actor == Actor.MODERATOR,
        "owner_actions": allowed_actions(listing.status, Actor.OWNER)
        if actor == Actor.OWNER
        else [],
        "events": selectors.moderation_log(listing) if can_manage else [],
        # Built when the page renders them: its markup kept for this version needs none.
        "related": SimpleLazyObject(partial(selectors.related_technologies, listing))
        if isinstance(listing, Technology)
        else [],
        "show_contact_email": selectors.shows_contact_email(listing, request.user),
    }


@member_required
def technology_create(request):
    """Verified members of an organisation: a new technology, saved as a draft."""
    return technology_form(request, Technology(language=request.LANGUAGE_CODE[:2]))


@member_required
def technology_edit(request, pk):
    """Members of the owner organisation: edit (a published one goes back to review)."""
    technology = get_object_or_404(Technology.objects.owned_by(request.user), pk=pk)
    return technology_form(request, technology)


def technology_form(request, technology):
    is_new = technology.pk is None
    editing_published = technology.status == Status.PUBLISHED
    # A published technology's edit starts from its pending revision, if one is held.
    revision = technology.revision if editing_published else None
    initial = revision.data if revision else None
    form = TechnologyForm(
        request.POST or None, request.FILES or None, instance=technology, initial=initial
    )
    formset = PatentFormSet(request.POST or None, instance=technology, prefix="patents")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        technology = services.save_listing(
            technology, form, request.user, extra_save=lambda t: _save_patents(formset, t)
        )
        if editing_published and technology.revision:
            messages.success(
                request,
                _(
                    "Your changes were sent for review; the published version stays visible until then."
                ),
            )
        else:
            messages.success(request, _("The technology was saved."))
        return redirect(technology.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "listings/technology_form.html",
        {"form": form, "formset": formset, "technology": technology, "is_new": is_new},
        status=status,
    )


def _save_patents(formset, technology):
    formset.instance = technology
    formset.save()


@member_required
def technology_images(request, pk):
    """Members of the owner organisation: the image gallery (up to six)."""
    technology = get_object_or_404(Technology.objects.owned_by(request.user), pk=pk)
    form = ImageForm(request.POST or None, request.FILES or None, technology=technology)
    if request.method == "POST" and form.is_valid():
        services.add_image(technology, form.cleaned_data["image"], form.cleaned_data["caption"])
        messages.success(request, _("The image was added."))
        return redirect("listings:technology_images", pk=technology.pk)
    return render(
        request,
        "listings/technology_images.html",
        {"technology": technology, "form": form, "images": technology.images.all()},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def technology_image_delete(request, pk, image_pk):
    """Members of the owner organisation: remove one image."""
    technology = get_object_or_404(Technology.objects.owned_by(request.user), pk=pk)
    image = get_object_or_404(TechnologyImage, pk=image_pk, technology=technology)
    services.remove_image(image)
    messages.success(request, _("The image was removed."))
    return redirect("listings:technology_images", pk=technology.pk)


@require_POST
def listing_action(request, listing_type, pk):
    """Owners (submit, withdraw, reopen) and moderators (approve, request changes, reject)."""
    if not request.user.is_authenticated:
        raise Http404
    model = listing_model(listing_type)
    listing = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This action is not possible."))
        return redirect(listing.get_absolute_url())
    try:
        services.transition(
            listing, form.cleaned_data["action"], request.user, form.cleaned_data["reason"]
        )
    except services.TransitionError as error:
        messages.error(request, str(error))
        if request.user.is_moderator:
            return redirect("listings:review", listing_type=listing_type, pk=pk)
        return redirect(listing.get_absolute_url())
    messages.success(
        request,
        _("Done: the listing is now “%(status)s”.") % {"status": listing.get_status_display()},
    )
    if request.user.is_moderator and request.POST.get("next") == "queue":
        return redirect("listings:moderation_queue")
    return redirect(listing.get_absolute_url())


@moderator_required
def moderation_queue(request):
    """JPO moderators: submitted technologies and needs and pending revisions, oldest first."""
    queues = [
        (model._meta.verbose_name_plural, selectors.moderation_queue(model))
        for model in listing_models()
    ]
    return render(request, "listings/moderation_queue.html", {"queues": queues})


@moderator_required
def review(request, listing_type, pk):
    """JPO moderators: everything about one listing, what a revision changes, and the decision."""
    model = listing_model(listing_type)
    listing = get_object_or_404(model.objects.select_related("organization", "author"), pk=pk)
    context = detail_context(request, listing)
    context.update(
        {
            "listing_type": listing_type,
            "review_template": model.review_template,
            "changes": services.revision_changes(listing),
            # One form per decision, each reason labelled by its decision.
            "decision_forms": [
                DecisionForm(action=action)
                for action in allowed_actions(
                    listing.status,
                    Actor.MODERATOR,
                    has_revision=listing.revision is not None and listing.revision.is_submitted,
                )
            ],
        }
    )
    return render(request, "listings/review.html", context)
