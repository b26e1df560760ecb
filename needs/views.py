from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import member_required
from listings import services
from listings.lifecycle import Status
from listings.views import count_view, detail_context, listing_list

from .filters import NeedFilterSet
from .forms import NeedForm
from .models import Need


def need_list(request):
    """Anyone: published needs whose deadline has not passed."""
    return listing_list(
        request, model=Need, filterset_class=NeedFilterSet, template="needs/need_list.html"
    )


def need_detail(request, pk):
    """Anyone for a published need; its organisation's members and moderators otherwise."""
    need = get_object_or_404(
        Need.objects.visible_to(request.user)
        .select_related("organization", "author")
        .prefetch_related("fields__parent"),
        pk=pk,
    )
    context = detail_context(request, need)
    count_view(request, need, context["actor"])
    return render(request, "needs/need_detail.html", context)


@member_required
def need_create(request):
    """Verified members of an organisation: a new need, saved as a draft."""
    return need_form(request, Need(language=request.LANGUAGE_CODE[:2]))


@member_required
def need_edit(request, pk):
    """Members of the owner organisation: edit (a published one goes back to review)."""
    need = get_object_or_404(Need.objects.owned_by(request.user), pk=pk)
    return need_form(request, need)


def need_form(request, need):
    is_new = need.pk is None
    editing_published = need.status == Status.PUBLISHED
    initial = need.pending_revision["data"] if editing_published and need.pending_revision else None
    form = NeedForm(request.POST or None, instance=need, initial=initial)
    if request.method == "POST" and form.is_valid():
        need = services.save_listing(need, form, request.user)
        if editing_published and need.pending_revision:
            messages.success(
                request,
                _(
                    "Your changes were sent for review; "
                    "the published version stays visible until then."
                ),
            )
        else:
            messages.success(request, _("The need was saved."))
        return redirect(need.get_absolute_url())
    return render(
        request,
        "needs/need_form.html",
        {"form": form, "need": need, "is_new": is_new},
        status=400 if request.method == "POST" else 200,
    )
