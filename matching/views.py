from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import member_required, moderator_required
from lib.pagination import paginate
from listings.models import Technology
from needs.filters import NeedFilterSet
from needs.models import Need

from . import selectors, services
from .forms import ConfirmForm, DismissForm

BOARD_PAGE_SIZE = 8
BOARD_CANDIDATES = 3


@moderator_required
def board(request):
    """JPO moderators: open needs with their best candidate technologies, by field and country."""
    filterset = NeedFilterSet(
        request.GET or None, queryset=Need.objects.open().select_related("organization")
    )
    valid = not filterset.is_bound or filterset.is_valid()
    needs = filterset.qs if valid else Need.objects.none()
    page = paginate(needs, request.GET.get("page"), BOARD_PAGE_SIZE)
    candidates = selectors.suggested_technologies_for(page, limit=BOARD_CANDIDATES)
    rows = [
        (need, candidates[need.pk], selectors.none_strong(candidates[need.pk])) for need in page
    ]
    return render(
        request,
        "matching/board.html",
        {"filter": filterset, "page_obj": page, "rows": rows},
        status=200 if valid else 400,
    )


def _next(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@require_POST
@moderator_required
def confirm(request):
    """JPO moderators: confirm a match with a note; both organisations are introduced by e-mail."""
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This match could not be confirmed."))
        return redirect("matching:board")
    need = get_object_or_404(Need.objects.published(), pk=form.cleaned_data["need"])
    technology = get_object_or_404(
        Technology.objects.published(), pk=form.cleaned_data["technology"]
    )
    try:
        services.confirm_match(need, technology, request.user, form.cleaned_data["note"])
    except services.MatchError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Match confirmed: both organisations have been introduced by e-mail.")
        )
    return redirect(_next(request, "matching:board"))


@require_POST
@member_required
def dismiss(request):
    """Members of the need's or the technology's organisation: hide a suggestion for their side."""
    form = DismissForm(request.POST)
    form.is_valid()
    if form.has_error("need") or form.has_error("technology"):
        messages.error(request, _("This suggestion could not be dismissed."))
        return redirect("dashboard")
    # Scoped: the user must see both listings, and own one of them.
    need = get_object_or_404(Need.objects.visible_to(request.user), pk=form.cleaned_data["need"])
    technology = get_object_or_404(
        Technology.objects.visible_to(request.user), pk=form.cleaned_data["technology"]
    )
    if request.user.organization.pk not in (need.organization_id, technology.organization_id):
        messages.error(request, _("Only the organisations concerned may dismiss a suggestion."))
        return redirect(_next(request, "dashboard"))
    if form.errors:
        # Asked again, with what was typed kept.
        return render(
            request,
            "matching/dismiss.html",
            {"form": form, "next": _next(request, ""), "need": need, "technology": technology},
            status=400,
        )
    try:
        services.dismiss(
            need,
            technology,
            request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            share_name=form.cleaned_data["share_name"],
        )
    except services.MatchError as error:
        messages.error(request, str(error))
        return redirect(_next(request, "dashboard"))
    messages.success(request, _("The suggestion was dismissed; you will not see it again."))
    return redirect(_next(request, "dashboard"))
