from django.contrib import messages
from django.contrib.postgres.search import SearchHeadline
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import member_required, moderator_required
from portal import hooks

from . import search, selectors, services
from .filters import TechnologyFilterSet
from .forms import DecisionForm, ImageForm, PatentFormSet, TechnologyForm
from .lifecycle import Actor, Status, allowed_actions
from .models import Technology, TechnologyImage
from .registry import listing_model, listing_models
from .signals import listing_viewed

PAGE_SIZE = 20


def paginate(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def with_headline(queryset, query: str, field: str = "summary"):
    """Highlighted snippets of the matched words (computed for the page's rows only)."""
    if not query:
        return queryset
    ts_query = search.cross_language_query(query)
    return queryset.annotate(
        headline=SearchHeadline(
            field,
            ts_query,
            config=search.SEARCH_CONFIG,
            start_sel=search.MARK_START,
            stop_sel=search.MARK_STOP,
            max_words=40,
            min_words=20,
        )
    )


def listing_list(request, *, model, filterset_class, template, extra=None):
    """The public list shared by technologies and needs: filters, search, sort, pages."""
    base = model.objects.published().for_cards()
    filterset = filterset_class(request.GET or None, queryset=base)
    valid = not filterset.is_bound or filterset.is_valid()
    queryset = filterset.qs if valid else base.none()
    query = filterset.form.cleaned_data.get("q", "") if valid and filterset.is_bound else ""
    page = paginate(request, with_headline(queryset, query, model.headline_field))
    similar = False
    if query and page.paginator.count == 0:
        # Typo tolerance: nothing matched the words, so offer titles that look like the query.
        data = request.GET.copy()
        data.pop("q", None)
        unfiltered = filterset_class(data, queryset=base)
        queryset = unfiltered.qs.similar_titles(query) if unfiltered.is_valid() else base.none()
        page = paginate(request, queryset)
        similar = page.paginator.count > 0
    elif query:
        page.object_list = list(page.object_list)
        marks = search.highlight_terms(query)
        for listing in page.object_list:
            listing.headline = search.safe_headline(listing.headline, marks)
    context = {
        "filter": filterset,
        "page_obj": page,
        "query": query,
        "similar": similar,
        **(extra or {}),
    }
    return render(request, template, context, status=200 if valid else 400)


def technology_list(request):
    """Anyone: published technologies."""
    return listing_list(
        request,
        model=Technology,
        filterset_class=TechnologyFilterSet,
        template="listings/technology_list.html",
    )


def technology_detail(request, pk):
    """Anyone for a published technology; its organisation's members and moderators otherwise."""
    technology = get_object_or_404(
        Technology.objects.visible_to(request.user)
        .select_related("organization", "author")
        .prefetch_related("fields__parent", "patents", "images"),
        pk=pk,
    )
    context = detail_context(request, technology)
    count_view(request, technology, context["actor"])
    return render(request, "listings/technology_detail.html", context)


def count_view(request, listing, actor) -> None:
    """A view of a public listing by someone outside its organisation is appended to the
    analytics log; the listing's own row is never written on a page view."""
    if listing.is_public and actor not in (Actor.OWNER, Actor.MODERATOR):
        listing_viewed.send(sender=type(listing), request=request, listing=listing)


def detail_context(request, listing) -> dict:
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
        "related": selectors.related_technologies(listing)
        if isinstance(listing, Technology)
        else [],
        # Other apps add to detail pages: the licence-request button, matching suggestions.
        **hooks.collect(f"{listing._meta.model_name}_detail", request, listing, actor),
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
    initial = None
    if editing_published and technology.pending_revision:
        initial = technology.pending_revision["data"]
    form = TechnologyForm(
        request.POST or None, request.FILES or None, instance=technology, initial=initial
    )
    formset = PatentFormSet(request.POST or None, instance=technology, prefix="patents")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        if is_new:
            technology.organization = request.user.organization
            technology.author = request.user
        with transaction.atomic():
            technology = services.save_listing(
                technology, form, request.user, extra_save=lambda t: _save_patents(formset, t)
            )
        if editing_published and technology.pending_revision:
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
    image.image.delete(save=False)
    image.thumbnail.delete(save=False)
    image.delete()
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
                    has_revision=listing.revision_state == "submitted",
                )
            ],
        }
    )
    return render(request, "listings/review.html", context)
