from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import member_required, moderator_required
from lib.pagination import paginate
from listings.models import Technology
from needs.models import Need

from . import selectors, services
from .forms import (
    AgreementCorrectionForm,
    AgreementForm,
    LicenceRequestForm,
    MessageForm,
    ProposalForm,
    StatusForm,
)
from .models import Agreement, Attachment, LicenceRequest, Side

PAGE_SIZE = 25


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
        {"page_obj": paginate(requests, request.GET.get("page"), PAGE_SIZE), "box": box},
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
def moderator_list(request):
    """JPO moderators: every request, newest activity first."""
    requests = LicenceRequest.objects.for_lists()
    status = request.GET.get("status", "")
    if status in LicenceRequest.Status.values:
        requests = requests.filter(status=status)
    return render(
        request,
        "licensing/request_list.html",
        {
            "page_obj": paginate(requests, request.GET.get("page"), PAGE_SIZE),
            "box": "all",
            "status": status,
            "statuses": LicenceRequest.Status.choices,
        },
    )


def get_visible(request, pk) -> LicenceRequest:
    """The request if the user is a member of one of the two organisations or a moderator; else 404."""
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


def render_thread(
    request,
    licence_request,
    *,
    message_form=None,
    status_form=None,
    agreement_form=None,
    status=200,
):
    agreement = Agreement.objects.filter(request=licence_request).first()
    side = licence_request.side_of(request.user)
    can_agree = not services.agreement_refusal(licence_request, request.user)
    context = {
        "request_obj": licence_request,
        "side": side,
        "thread": licence_request.messages.select_related("author").prefetch_related("attachments"),
        "message_form": message_form or MessageForm(),
        # One form per decision, each note labelled by its decision; a decision that passes
        # on the other side asks for a reason. A refused submit shows its own form as typed.
        "status_forms": [
            status_form
            if status_form is not None and status_form.decision == value
            else StatusForm(
                status=value,
                proposal=licence_request.is_proposal,
                takes_reason=bool(services.feedback_path(licence_request, value)),
            )
            for value in services.allowed_statuses(licence_request, request.user)
        ],
        "agreement": agreement,
        "agreement_form": agreement_form
        or AgreementForm(
            initial={"type": agreement.type, "signed_on": agreement.signed_on} if agreement else {}
        ),
        "can_record_agreement": can_agree,
        "can_confirm_agreement": can_agree
        and agreement is not None
        and not agreement.is_confirmed
        and agreement.recorded_by_side != side,
        "correction_form": AgreementCorrectionForm(
            initial={
                "type": agreement.type,
                "signed_on": agreement.signed_on,
                "confirmed": agreement.is_confirmed,
            }
        )
        if agreement and request.user.is_moderator
        else None,
    }
    return render(request, "licensing/request_detail.html", context, status=status)


def request_detail(request, pk):
    """Members of the two organisations and JPO moderators: the thread; others get 404."""
    licence_request = get_visible(request, pk)
    services.mark_read(licence_request, request.user)
    return render_thread(request, licence_request)


@require_POST
def request_message(request, pk):
    """Members of the two organisations: add a message to an open thread."""
    licence_request = get_visible(request, pk)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.post_message(
                licence_request,
                request.user,
                form.cleaned_data["body"],
                attachment=form.cleaned_data["attachment"],
                label=form.cleaned_data["label"],
            )
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
    decision = request.POST.get("status", "")
    form = StatusForm(
        request.POST,
        status=decision,
        proposal=licence_request.is_proposal,
        takes_reason=bool(services.feedback_path(licence_request, decision)),
    )
    if not form.is_valid():
        messages.error(request, _("This is not a status a request can have."))
        return render_thread(request, licence_request, status_form=form, status=400)
    try:
        licence_request = services.change_status(
            licence_request,
            request.user,
            form.cleaned_data["status"],
            form.cleaned_data["note"],
            reason=form.cleaned_data["reason"],
            share_name=form.cleaned_data["share_name"],
        )
    except services.RequestError as error:
        messages.error(request, str(error))
        return render_thread(request, licence_request, status_form=form, status=400)
    template = (
        _("The proposal is now “%(status)s”.")
        if licence_request.is_proposal
        else _("The request is now “%(status)s”.")
    )
    messages.success(request, template % {"status": licence_request.get_status_display()})
    return redirect(licence_request)


def attachment_download(request, pk, key):
    """Members of the two organisations and JPO moderators: one attachment, streamed as a download
    (never from a public address); everyone else gets 404, whatever address they try."""
    licence_request = get_visible(request, pk)
    attachment = get_object_or_404(
        Attachment.objects.filter(message__request=licence_request), key=key
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def agreement_record(request, pk):
    """Members of the two organisations: record that the conversation ended in an agreement."""
    licence_request = get_visible(request, pk)
    form = AgreementForm(request.POST)
    if form.is_valid():
        try:
            services.record_agreement(licence_request, request.user, **form.cleaned_data)
        except services.RequestError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The agreement was recorded; it counts once the other side confirms.")
            )
            return redirect(licence_request)
    return render_thread(request, licence_request, agreement_form=form, status=400)


@require_POST
def agreement_confirm(request, pk):
    """Members of the organisation that did not record the agreement: confirm it."""
    licence_request = get_visible(request, pk)
    try:
        services.confirm_agreement(licence_request, request.user)
    except services.RequestError as error:
        messages.error(request, str(error))
        return render_thread(request, licence_request, status=400)
    messages.success(request, _("The agreement is confirmed by both organisations."))
    return redirect(licence_request)


@require_POST
@moderator_required
def agreement_correct(request, pk):
    """JPO moderators: correct an agreement's type, date or whether it counts."""
    licence_request = get_visible(request, pk)
    agreement = get_object_or_404(Agreement, request=licence_request)
    form = AgreementCorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The correction could not be saved: check the date and type."))
        return render_thread(request, licence_request, status=400)
    services.correct_agreement(agreement, request.user, **form.cleaned_data)
    messages.success(request, _("The agreement was corrected."))
    return redirect(licence_request)


@member_required
def feedback(request):
    """Members of an organisation: why others passed on its listings, per technology and in
    total; names only where the decliner chose to share them."""
    report = selectors.feedback_report(request.user.organization)
    return render(request, "licensing/feedback.html", {"report": report, "moderator_view": False})


@moderator_required
def moderator_feedback(request):
    """JPO moderators: decline reasons across the exchange, by path."""
    report = selectors.feedback_totals()
    return render(request, "licensing/feedback.html", {"report": report, "moderator_view": True})
