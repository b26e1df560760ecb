"""Conversations between two organisations: licence requests about a technology and proposed
solutions for a need. Who may send, reply, decide and withdraw, and who hears of it."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import recipients
from lib.mail import send_after_commit
from lib.urls import absolute_url

from .models import (
    Agreement,
    Attachment,
    DeclineFeedback,
    DeclineReason,
    LicenceRequest,
    RequestMessage,
    Side,
)

Status = LicenceRequest.Status

# Who may move a request to which status.
OWNER_DECISIONS = (Status.AGREED, Status.DECLINED)
REQUESTER_DECISIONS = (Status.WITHDRAWN,)
# A need's organisation moves a proposal: new -> in discussion -> shortlisted / declined.
PROPOSAL_DECISIONS = {
    Status.NEW: (Status.IN_DISCUSSION, Status.SHORTLISTED, Status.DECLINED),
    Status.IN_DISCUSSION: (Status.SHORTLISTED, Status.DECLINED),
    Status.SHORTLISTED: (Status.DECLINED,),
}
# Statuses that end a conversation (no more messages).
CLOSING = (Status.AGREED, Status.DECLINED, Status.WITHDRAWN)


class RequestError(Exception):
    """A request, message or decision that is not allowed (the message says why)."""


def refusal(user, technology) -> str | None:
    """Why the user may not send a request about this technology (None when they may)."""
    if not user.is_authenticated:
        return _("Please sign in to send a request.")
    if not user.can_post:
        return _("Only verified members of an organisation may send requests.")
    if not technology.is_public:
        return _("Requests can only be sent about published technologies.")
    if user.organization.pk == technology.organization_id:
        return _("This technology belongs to your organisation.")
    return None


def open_request(organization, technology) -> LicenceRequest | None:
    """The organisation's request about a technology that is still open, if any."""
    return (
        LicenceRequest.objects.open()
        .filter(requester_organization=organization, technology=technology)
        .first()
    )


def proposal_refusal(user, need) -> str | None:
    """Why the user may not propose a solution for this need (None when they may)."""
    if not user.is_authenticated:
        return _("Please sign in to propose a solution.")
    if not user.can_post:
        return _("Only verified members of an organisation may propose solutions.")
    if not need.is_public or need.is_past_deadline:
        return _("Solutions can only be proposed for open, published needs.")
    if user.organization.pk == need.organization_id:
        return _("This need belongs to your organisation.")
    return None


def open_proposal(organization, need) -> LicenceRequest | None:
    """The organisation's proposal for a need that is still open, if any."""
    return (
        LicenceRequest.objects.open().filter(requester_organization=organization, need=need).first()
    )


@transaction.atomic
def send_proposal(user, need, *, message, technology=None, capability="") -> LicenceRequest:
    """Propose one of the organisation's published technologies (or a capability described in
    words) for a need: opens a conversation with the need's organisation and e-mails it."""
    reason = proposal_refusal(user, need)
    if reason:
        raise RequestError(reason)
    capability = (capability or "").strip()
    if technology is None and not capability:
        raise RequestError(_("Choose one of your technologies or describe the capability."))
    if technology is not None and (
        technology.organization_id != user.organization.pk or not technology.is_public
    ):
        raise RequestError(_("Only your organisation's published technologies can be proposed."))
    return _open_conversation(
        user,
        "licensing/emails/new_proposal",
        _("Your organisation already has an open proposal for this need."),
        need=need,
        purpose=LicenceRequest.Purpose.PROPOSAL,
        status=Status.NEW,
        proposed_technology=technology,
        capability=capability,
        message=message.strip(),
    )


@transaction.atomic
def send_request(
    user, technology, *, purpose, message, intended_use="", territory=""
) -> LicenceRequest:
    """Send a request to a technology's owner and e-mail the owner's members.

    The database allows one open request per organisation and technology; a second one is
    refused here with a clear message even when two are sent at the same moment.
    """
    reason = refusal(user, technology)
    if reason:
        raise RequestError(reason)
    return _open_conversation(
        user,
        "licensing/emails/new_request",
        _("Your organisation already has an open request about this technology."),
        technology=technology,
        purpose=purpose,
        message=message.strip(),
        intended_use=intended_use.strip(),
        territory=territory.strip(),
    )


def _open_conversation(user, template: str, duplicate: str, **fields) -> LicenceRequest:
    """Create a conversation from the user's organisation and e-mail the other side. The
    database allows one open conversation per organisation and subject: a second one, even
    sent at the same moment, is refused with `duplicate`."""
    now = timezone.now()
    try:
        with transaction.atomic():
            conversation = LicenceRequest.objects.create(
                requester_organization=user.organization,
                requester=user,
                requester_last_read_at=now,
                last_activity_at=now,
                **fields,
            )
    except IntegrityError:
        raise RequestError(duplicate) from None
    notify(conversation, template, recipients_on(conversation, Side.OWNER, user))
    return conversation


def _side_or_refuse(request, user) -> str:
    side = request.side_of(user) if user.is_authenticated and user.can_post else None
    if side is None:
        raise RequestError(_("Only members of the two organisations may do this."))
    return side


@transaction.atomic
def post_message(request, user, body: str, *, attachment=None, label: str = "") -> RequestMessage:
    """Add a message to an open thread (with an optional checked file: see
    forms.clean_attachment) and e-mail the other side. The owner's first reply moves an open
    request to “in discussion”."""
    request = LicenceRequest.objects.select_for_update().get(pk=request.pk)
    side = _side_or_refuse(request, user)
    body = (body or "").strip()
    if not body:
        raise RequestError(_("Please write a message."))
    if not request.is_open:
        raise RequestError(_("This request is closed: it accepts no new messages."))
    now = timezone.now()
    message = RequestMessage.objects.create(
        request=request, author=user, side=side, body=body, created_at=now
    )
    if attachment is not None:
        Attachment.objects.create(
            message=message,
            file=attachment,
            filename=attachment.name.rsplit("/", 1)[-1][:200],
            content_type=attachment.content_type,
            size=attachment.size,
            label=label or "",
        )
    request.last_activity_at = now
    setattr(request, f"{side}_last_read_at", now)
    if side == Side.OWNER and request.status in (Status.OPEN, Status.NEW):
        request.status = Status.IN_DISCUSSION
    request.save()
    other = Side.REQUESTER if side == Side.OWNER else Side.OWNER
    notify(
        request,
        "licensing/emails/new_message",
        recipients_on(request, other, user),
        message=message,
    )
    return message


def feedback_path(request, status: str) -> str | None:
    """The decline-feedback path a status change takes, or None when no reason is asked: every
    licence request ended without agreement (withdrawn by the requester, declined by the owner)
    and every proposal the need's organisation declines. A provider withdrawing its own
    proposal gives no reason: nobody is passed on."""
    if status == Status.DECLINED:
        if request.is_proposal:
            return DeclineFeedback.Path.PROPOSAL_DECLINED
        return DeclineFeedback.Path.REQUEST_DECLINED
    if status == Status.WITHDRAWN and not request.is_proposal:
        return DeclineFeedback.Path.REQUEST_WITHDRAWN
    return None


def check_reason(reason: str) -> None:
    if reason not in DeclineReason.values:
        raise RequestError(_("Please choose a reason from the list."))


def record_decline(
    *, path, user, decliner, recipient, reason, note="", share_name=False, **origin
) -> DeclineFeedback:
    """Store one decline reason (every path goes through here). `origin` names the listing
    passed on (technology or need) and the conversation or match it came from."""
    check_reason(reason)
    return DeclineFeedback.objects.create(
        path=path,
        reason=reason,
        note=(note or "").strip(),
        language=(get_language() or "")[:10],
        share_name=bool(share_name),
        decliner_organization=decliner,
        recipient_organization=recipient,
        author=user,
        **origin,
    )


@transaction.atomic
def change_status(
    request, user, status: str, note: str = "", *, reason: str = "", share_name: bool = False
) -> LicenceRequest:
    """The owner agrees or declines (a need's organisation moves a proposal to in discussion,
    shortlisted or declined), the requester withdraws; logged in the thread and e-mailed to the
    other side. A closed request stays closed. Declining or withdrawing a licence request and
    declining a proposal need a reason from the fixed list (see feedback_path)."""
    request = LicenceRequest.objects.select_for_update().get(pk=request.pk)
    side = _side_or_refuse(request, user)
    if not request.is_open:
        raise RequestError(
            _("This request is already closed (%(status)s).")
            % {"status": request.get_status_display()}
        )
    if status not in _decisions(request, side):
        raise RequestError(_("You may not set this status."))
    path = feedback_path(request, status)
    if path is not None:
        check_reason(reason)
    now = timezone.now()
    message = RequestMessage.objects.create(
        request=request,
        author=user,
        side=side,
        body=(note or "").strip(),
        new_status=status,
        created_at=now,
    )
    request.status = status
    if status in CLOSING:
        request.closed_at = now
    if path is not None:
        decliner, recipient = (
            (request.requester_organization, request.subject.organization)
            if side == Side.REQUESTER
            else (request.subject.organization, request.requester_organization)
        )
        record_decline(
            path=path,
            user=user,
            decliner=decliner,
            recipient=recipient,
            reason=reason,
            note=note,
            share_name=share_name,
            licence_request=request,
            # The listing passed on: the technology asked about, or the one proposed.
            technology=request.proposed_technology if request.is_proposal else request.technology,
        )
    request.last_activity_at = now
    setattr(request, f"{side}_last_read_at", now)
    request.save()
    other = Side.REQUESTER if side == Side.OWNER else Side.OWNER
    notify(
        request,
        "licensing/emails/status_changed",
        recipients_on(request, other, user),
        message=message,
    )
    return request


def mark_read(request, user) -> None:
    """Record that the user's side has read the thread up to now (moderator reads are not
    recorded: they are not a party)."""
    side = request.side_of(user)
    if side is None:
        return
    field = f"{side}_last_read_at"
    now = timezone.now()
    LicenceRequest.objects.filter(pk=request.pk).update(**{field: now})
    setattr(request, field, now)


def _decisions(request, side) -> tuple:
    if side == Side.REQUESTER:
        return REQUESTER_DECISIONS
    if side == Side.OWNER and request.is_proposal:
        return PROPOSAL_DECISIONS.get(request.status, ())
    if side == Side.OWNER:
        return OWNER_DECISIONS
    return ()


def allowed_statuses(request, user) -> list[str]:
    """The decisions the user may take on the request now (for the buttons)."""
    if not request.is_open or not user.can_post:
        return []
    return list(_decisions(request, request.side_of(user)))


def recipients_on(request, side: str, actor=None) -> list:
    """Who hears of news on one side of a conversation (never the actor): the person directly
    involved (the subject's author or the requester) and that organisation's administrators."""
    if side == Side.OWNER:
        people = recipients.side_of_organization(
            request.subject.organization_id, request.subject.author
        )
    else:
        people = recipients.side_of_organization(
            request.requester_organization_id, request.requester
        )
    return recipients.without(people, actor)


def notify(request, template: str, people, **extra) -> None:
    context = {"request_obj": request, "link": absolute_url(request.get_absolute_url()), **extra}
    send_after_commit(template, people, context)


# Agreements.

AGREEMENT_CLOSED = (Status.DECLINED, Status.WITHDRAWN)


def agreement_refusal(request, user) -> str | None:
    """Why the user may not record or confirm an agreement on this conversation (None if they
    may): only members of the two organisations, never on a declined or withdrawn one."""
    if not (user.is_authenticated and user.can_post) or request.side_of(user) is None:
        return _("Only members of the two organisations may do this.")
    if request.status in AGREEMENT_CLOSED:
        return _("This conversation ended without agreement.")
    return None


@transaction.atomic
def record_agreement(request, user, *, type: str, signed_on) -> Agreement:
    """One side records that the conversation ended in an agreement. It counts only once the
    other side confirms; recording again (changing the date or type) asks for a new
    confirmation. The other side is e-mailed."""
    request = LicenceRequest.objects.select_for_update().get(pk=request.pk)
    reason = agreement_refusal(request, user)
    if reason:
        raise RequestError(reason)
    if signed_on > timezone.localdate():
        raise RequestError(_("The date of the agreement cannot be in the future."))
    side = request.side_of(user)
    agreement, _created = Agreement.objects.update_or_create(
        request=request,
        defaults={
            "type": type,
            "signed_on": signed_on,
            "recorded_by_side": side,
            "recorded_by": user,
            "recorded_at": timezone.now(),
            "confirmed_by": None,
            "confirmed_at": None,
        },
    )
    other = Side.REQUESTER if side == Side.OWNER else Side.OWNER
    notify(
        request,
        "licensing/emails/agreement_recorded",
        recipients_on(request, other, user),
        agreement=agreement,
    )
    return agreement


@transaction.atomic
def confirm_agreement(request, user) -> Agreement:
    """The other side confirms the recorded agreement: from now on it counts."""
    request = LicenceRequest.objects.select_for_update().get(pk=request.pk)
    reason = agreement_refusal(request, user)
    if reason:
        raise RequestError(reason)
    agreement = Agreement.objects.filter(request=request).first()
    if agreement is None:
        raise RequestError(_("No agreement has been recorded on this conversation."))
    if agreement.recorded_by_side == request.side_of(user):
        raise RequestError(_("The other organisation must confirm the agreement."))
    if agreement.is_confirmed:
        raise RequestError(_("This agreement is already confirmed."))
    agreement.confirmed_by, agreement.confirmed_at = user, timezone.now()
    agreement.save(update_fields=["confirmed_by", "confirmed_at"])
    notify(
        request,
        "licensing/emails/agreement_confirmed",
        recipients_on(request, agreement.recorded_by_side, user),
        agreement=agreement,
    )
    return agreement


@transaction.atomic
def correct_agreement(agreement, user, *, type: str, signed_on, confirmed: bool) -> Agreement:
    """JPO moderators correct an agreement's type and date, or whether it counts (for instance
    when one organisation reports that the other's record is wrong)."""
    if not (user.is_authenticated and user.is_moderator):
        raise RequestError(_("Only JPO moderators may correct an agreement."))
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    agreement.type, agreement.signed_on = type, signed_on
    if confirmed and not agreement.is_confirmed:
        agreement.confirmed_at = timezone.now()
    elif not confirmed:
        agreement.confirmed_at, agreement.confirmed_by = None, None
    agreement.corrected_by, agreement.corrected_at = user, timezone.now()
    agreement.save()
    return agreement
