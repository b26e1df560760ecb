from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import member_required, moderator_required
from listings.models import Technology
from needs.models import Need

from . import services
from .forms import LicenceRequestForm, MessageForm, ProposalForm, StatusForm
from .models import LicenceRequest, Side

PAGE_SIZE = 25


def paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@member_required
def request_create(request, technology_pk):
    """Verified members of another organisation: a request about a published technology."""
    technology = get_object_or_404(
        Technology.objects.visible_to(request.user).select_related("organization"),
        pk=technology_pk,
    )
    reason = services.refusal(request.user, technology)
    if reason:
        raise PermissionDenied(reason)
    organization = request.user.organization
    existing = services.open_request(organization, technology)
    if existing is not None and request.method != "POST":
        messages.info(request, _("Your organisation already has an open request about this."))
        return redirect(existing)
    form = LicenceRequestForm(
        request.POST or None, organization=organization, technology=technology
    )
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.send_request(request.user, technology, **form.cleaned_data)
        except services.RequestError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your request was sent to the technology's owner."))
            return redirect(sent)
    return render(
        request,
        "licensing/request_form.html",
        {"form": form, "technology": technology},
        status=400 if request.method == "POST" else 200,
    )


@member_required
def proposal_create(request, need_pk):
    """Verified members of another organisation: propose a solution for an open need."""
    need = get_object_or_404(
        Need.objects.visible_to(request.user).select_related("organization"), pk=need_pk
    )
    reason = services.proposal_refusal(request.user, need)
    if reason:
        raise PermissionDenied(reason)
    organization = request.user.organization
    existing = services.open_proposal(organization, need)
    if existing is not None and request.method != "POST":
        messages.info(request, _("Your organisation already has an open proposal for this need."))
        return redirect(existing)
    form = ProposalForm(request.POST or None, organization=organization, need=need)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.send_proposal(
                request.user,
                need,
                message=form.cleaned_data["message"],
                technology=form.cleaned_data["technology"],
                capability=form.cleaned_data["capability"],
            )
        except services.RequestError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your proposal was sent to the need's organisation."))
            return redirect(proposal)
    return render(
        request,
        "licensing/proposal_form.html",
        {"form": form, "need": need},
        status=400 if request.method == "POST" else 200,
    )


def _box(request, requests, side, box):
    requests = requests.for_lists().with_unread(side)
    return render(
        request,
        "licensing/request_list.html",
        {"page_obj": paginate(request, requests), "box": box},
    )


@member_required
def inbox(request):
    """Members of an organisation: requests received about its technologies."""
    received = LicenceRequest.objects.received_by(request.user.organization)
    return _box(request, received, Side.OWNER, "received")


@member_required
def sent(request):
    """Members of an organisation: requests it has sent."""
    sent_requests = LicenceRequest.objects.sent_by(request.user.organization)
    return _box(request, sent_requests, Side.REQUESTER, "sent")


@moderator_required
def staff_list(request):
    """JPO staff: every request, newest activity first."""
    requests = LicenceRequest.objects.for_lists()
    status = request.GET.get("status", "")
    if status in LicenceRequest.Status.values:
        requests = requests.filter(status=status)
    return render(
        request,
        "licensing/request_list.html",
        {
            "page_obj": paginate(request, requests),
            "box": "all",
            "status": status,
            "statuses": LicenceRequest.Status.choices,
        },
    )


def get_visible(request, pk) -> LicenceRequest:
    """The request if the user is a member of one of the two organisations or staff; else 404."""
    return get_object_or_404(
        LicenceRequest.objects.visible_to(request.user).select_related(
            "technology",
            "technology__organization",
            "need",
            "need__organization",
            "proposed_technology",
            "requester_organization",
            "requester",
        ),
        pk=pk,
    )


def render_thread(request, licence_request, *, message_form=None, status=200):
    context = {
        "request_obj": licence_request,
        "side": licence_request.side_of(request.user),
        "thread": licence_request.messages.select_related("author"),
        "message_form": message_form or MessageForm(),
        # One form per decision, each note labelled by its decision.
        "status_forms": [
            StatusForm(status=status, proposal=licence_request.is_proposal)
            for status in services.allowed_statuses(licence_request, request.user)
        ],
    }
    return render(request, "licensing/request_detail.html", context, status=status)


def request_detail(request, pk):
    """Members of the two organisations and JPO staff: the thread; others get 404."""
    licence_request = get_visible(request, pk)
    services.mark_read(licence_request, request.user)
    return render_thread(request, licence_request)


@require_POST
def request_message(request, pk):
    """Members of the two organisations: add a message to an open thread."""
    licence_request = get_visible(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.post_message(licence_request, request.user, form.cleaned_data["body"])
        except services.RequestError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your message was sent."))
            return redirect(licence_request)
    return render_thread(request, licence_request, message_form=form, status=400)


@require_POST
def request_status(request, pk):
    """The owner's members agree or decline; the requester's members withdraw."""
    licence_request = get_visible(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This is not a status a request can have."))
        return render_thread(request, licence_request, status=400)
    try:
        licence_request = services.change_status(
            licence_request, request.user, form.cleaned_data["status"], form.cleaned_data["note"]
        )
    except services.RequestError as error:
        messages.error(request, str(error))
        return render_thread(request, licence_request, status=400)
    template = (
        _("The proposal is now “%(status)s”.")
        if licence_request.is_proposal
        else _("The request is now “%(status)s”.")
    )
    messages.success(request, template % {"status": licence_request.get_status_display()})
    return redirect(licence_request)
