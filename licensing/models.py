import datetime
import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.i18n import ChoiceLabels

# Read markers start here: everything after it is unread.
NEVER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


class Side(models.TextChoices):
    # The owner is the subject's organisation: the technology's owner or the need's seeker.
    OWNER = "owner", _("Technology owner")
    REQUESTER = "requester", _("Requester")


class LicenceRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests the user may read: their organisation's, sent or received; all for moderators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_moderator:
            return self
        organization = user.organization
        if organization is None:
            return self.none()
        return self.filter(
            Q(requester_organization=organization)
            | Q(technology__organization=organization)
            | Q(need__organization=organization)
        )

    def received_by(self, organization):
        """Requests about the organisation's technologies and proposals for its needs."""
        return self.filter(
            Q(technology__organization=organization) | Q(need__organization=organization)
        )

    def requests(self):
        """Conversations about a technology (licence, collaboration, information)."""
        return self.filter(need__isnull=True)

    def proposals(self):
        """Conversations about a need: a provider's proposed solution."""
        return self.filter(need__isnull=False)

    def sent_by(self, organization):
        return self.filter(requester_organization=organization)

    def open(self):
        return self.filter(status__in=LicenceRequest.OPEN_STATUSES)

    def for_lists(self):
        return self.select_related(
            "technology",
            "technology__organization",
            "need",
            "need__organization",
            "proposed_technology",
            "requester_organization",
            "requester",
        ).order_by("-last_activity_at", "-pk")

    def with_unread(self, side: str):
        """Annotate `unread`: the other side's messages (and the request itself, for a new
        request the owner has not opened) since this side last read the thread."""
        other = Side.REQUESTER if side == Side.OWNER else Side.OWNER
        read_at = F(f"{side}_last_read_at")
        messages = Count(
            "messages",
            filter=Q(
                messages__side=other, messages__created_at__gt=Coalesce(read_at, Value(NEVER))
            ),
        )
        if side == Side.OWNER:
            unopened = Case(When(owner_last_read_at__isnull=True, then=1), default=0)
            return self.annotate(unread=messages + unopened)
        return self.annotate(unread=messages)


class LicenceRequest(ChoiceLabels, models.Model):
    """A private conversation between two organisations about one subject: a technology (a
    licence request, from a seeker to the owner) or a need (a proposed solution, from a
    provider to the seeker). One model, one thread machinery, the same access rules."""

    class Purpose(models.TextChoices):
        LICENCE = "licence", _("Licence")
        RESEARCH_COLLABORATION = "research_collaboration", _("Research collaboration")
        MORE_INFORMATION = "more_information", _("More information")
        PROPOSAL = "proposal", _("Proposed solution")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        NEW = "new", _("New")
        IN_DISCUSSION = "in_discussion", _("In discussion")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        AGREED = "agreed", _("Agreed")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.OPEN, Status.NEW, Status.IN_DISCUSSION, Status.SHORTLISTED)
    REQUEST_PURPOSES = (Purpose.LICENCE, Purpose.RESEARCH_COLLABORATION, Purpose.MORE_INFORMATION)

    # PROTECT: nothing about a negotiation is deleted silently, not even through a cascade.
    # Exactly one subject is set (constraint below): the technology or the need.
    technology = models.ForeignKey(
        "listings.Technology",
        verbose_name=_("technology"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licence_requests",
    )
    need = models.ForeignKey(
        "needs.Need",
        verbose_name=_("need"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    # A proposal offers one of the provider's published technologies or a capability in words.
    proposed_technology = models.ForeignKey(
        "listings.Technology",
        verbose_name=_("proposed technology"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals_made",
    )
    capability = models.TextField(_("capability not yet listed"), blank=True)
    requester_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("requesting organisation"),
        on_delete=models.PROTECT,
        related_name="licence_requests_sent",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="licence_requests",
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    message = models.TextField(_("message"))
    intended_use = models.TextField(_("intended use"), blank=True)
    territory = models.CharField(_("territory"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    owner_last_read_at = models.DateTimeField(_("read by the owner at"), null=True, blank=True)
    requester_last_read_at = models.DateTimeField(
        _("read by the requester at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = LicenceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence request")
        verbose_name_plural = _("licence requests")
        ordering = ["-last_activity_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester_organization", "technology"],
                condition=Q(status__in=["open", "in_discussion"]),
                name="licence_request_one_open_per_org",
            ),
            models.UniqueConstraint(
                fields=["requester_organization", "need"],
                condition=Q(status__in=["new", "in_discussion", "shortlisted"]),
                name="proposal_one_open_per_org",
            ),
            models.CheckConstraint(
                condition=Q(purpose="proposal", need__isnull=False, technology__isnull=True)
                | (~Q(purpose="proposal") & Q(technology__isnull=False, need__isnull=True)),
                name="licence_request_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(purpose="proposal")
                | Q(proposed_technology__isnull=True, capability=""),
                name="licence_request_offer_only_in_proposal",
            ),
        ]
        indexes = [
            models.Index(fields=["technology", "status"], name="licence_request_tech_status"),
            models.Index(fields=["need", "status"], name="licence_request_need_status"),
            models.Index(
                fields=["requester_organization", "-last_activity_at"],
                name="licence_request_sent",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()}: {self.subject} ({self.requester_organization})"

    def get_absolute_url(self):
        return reverse("licensing:request_detail", args=[self.pk])

    @property
    def subject(self):
        """What the conversation is about: the technology or the need."""
        return self.need if self.need_id else self.technology

    @property
    def is_proposal(self) -> bool:
        return self.need_id is not None

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def side_of(self, user) -> str | None:
        """Which party the user belongs to (None for moderators and everyone else)."""
        organization = user.organization if user.is_authenticated else None
        if organization is None:
            return None
        if organization.pk == self.subject.organization_id:
            return Side.OWNER
        if organization.pk == self.requester_organization_id:
            return Side.REQUESTER
        return None


class RequestMessage(models.Model):
    """A message in a request's thread, or a status change (with an optional note)."""

    request = models.ForeignKey(LicenceRequest, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    body = models.TextField(_("message"), blank=True)
    new_status = models.CharField(
        _("new status"), max_length=20, choices=LicenceRequest.Status.choices, blank=True
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(body="") | ~Q(new_status=""), name="request_message_not_empty"
            ),
        ]
        indexes = [models.Index(fields=["request", "created_at"], name="request_message_thread")]

    def __str__(self):
        return self.body[:60] or self.get_new_status_display()


# Why not: one record per decision not to go further, whichever path it came from.


class DeclineReason(models.TextChoices):
    TOO_EARLY = "too_early", _("Too early stage")
    BENEFIT_UNCLEAR = "benefit_unclear", _("Benefit over existing technology unclear")
    ROUTE_UNCLEAR = "route_unclear", _("Commercial route unclear")
    DESCRIPTION_UNCLEAR = "description_unclear", _("Description unclear")
    OUTSIDE_FIELD = "outside_field", _("Outside our field or strategy")
    IP_UNCLEAR = "ip_unclear", _("IP position unclear")
    TERMS = "terms", _("Terms")
    OTHER = "other", _("Other")


class DeclineFeedbackQuerySet(models.QuerySet):
    def received_by(self, organization):
        """Feedback the organisation is told about: reasons others gave for passing on it."""
        return self.filter(recipient_organization=organization)

    def reason_counts(self) -> dict[str, int]:
        rows = self.values("reason").annotate(n=Count("pk")).order_by()
        return {row["reason"]: row["n"] for row in rows}


class DeclineFeedback(ChoiceLabels, models.Model):
    """Why an organisation did not go further: a reason from a fixed list, an optional note and
    whether its name may be shown to the organisation that hears of it (the recipient).

    Written by every path that ends an exchange without agreement: a licence request withdrawn
    by the requester or declined by the owner, a proposal declined by the need's organisation,
    a suggestion dismissed by either organisation. `technology` or `need` is the listing passed
    on (none for a proposal that offered a capability in words)."""

    class Path(models.TextChoices):
        REQUEST_WITHDRAWN = "request_withdrawn", _("Licence request withdrawn")
        REQUEST_DECLINED = "request_declined", _("Licence request declined")
        PROPOSAL_DECLINED = "proposal_declined", _("Proposal declined")
        SUGGESTION_DISMISSED = "suggestion_dismissed", _("Suggestion dismissed")

    path = models.CharField(_("path"), max_length=30, choices=Path.choices)
    reason = models.CharField(_("reason"), max_length=30, choices=DeclineReason.choices)
    note = models.TextField(_("note"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    share_name = models.BooleanField(_("name shared"), default=False)
    decliner_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("declined by"),
        on_delete=models.PROTECT,
        related_name="declines_given",
    )
    recipient_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("told to"),
        on_delete=models.PROTECT,
        related_name="declines_received",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    technology = models.ForeignKey(
        "listings.Technology",
        verbose_name=_("technology"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="declines",
    )
    need = models.ForeignKey(
        "needs.Need",
        verbose_name=_("need"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="declines",
    )
    licence_request = models.OneToOneField(
        LicenceRequest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decline_feedback",
    )
    match = models.ForeignKey(
        "matching.Match",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decline_feedback",
    )
    created_at = models.DateTimeField(_("given at"), default=timezone.now, editable=False)

    objects = DeclineFeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("decline feedback")
        verbose_name_plural = _("decline feedback")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(licence_request__isnull=False, match__isnull=True)
                | Q(licence_request__isnull=True, match__isnull=False),
                name="decline_feedback_one_origin",
            ),
            models.UniqueConstraint(
                fields=["match", "decliner_organization"], name="decline_feedback_once_per_match"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient_organization", "reason"], name="decline_recipient"),
        ]

    def __str__(self):
        return f"{self.get_path_display()}: {self.get_reason_display()}"


# Attachments: stored outside MEDIA_ROOT, never at a public address.


def attachment_name(instance, filename) -> str:
    """An unguessable stored name; the uploaded name is kept only as a label."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def private_storage():
    return PRIVATE_STORAGE


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT, read at use (tests move it); no URL at all."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


PRIVATE_STORAGE = PrivateStorage()


class Attachment(models.Model):
    """A PDF or image carried by a message; served only through the checked download view."""

    class Label(models.TextChoices):
        NONE = "", _("No label")
        NDA = "nda", _("NDA")
        TERM_SHEET = "term_sheet", _("Term sheet")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(
        RequestMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=attachment_name)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    label = models.CharField(_("label"), max_length=20, choices=Label.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("licensing:attachment", args=[self.message.request_id, self.key])


# What came of it.


class AgreementQuerySet(models.QuerySet):
    def confirmed(self):
        """Agreements both organisations stand behind: the only ones that count."""
        return self.filter(confirmed_at__isnull=False)


class Agreement(ChoiceLabels, models.Model):
    """A conversation ended in an agreement. Recorded by one side, it counts once the other
    side confirms it; moderators may correct the date and type."""

    class Type(models.TextChoices):
        LICENCE = "licence", _("Licence")
        OPTION = "option", _("Option")
        JOINT_DEVELOPMENT = "joint_development", _("Joint development")
        ASSIGNMENT = "assignment", _("Assignment")
        OTHER = "other", _("Other")

    request = models.OneToOneField(
        LicenceRequest, on_delete=models.PROTECT, related_name="agreement"
    )
    type = models.CharField(_("type of agreement"), max_length=30, choices=Type.choices)
    signed_on = models.DateField(_("date of the agreement"))
    recorded_by_side = models.CharField(_("recorded by"), max_length=10, choices=Side.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "-pk"]
        indexes = [models.Index(fields=["signed_on"], name="agreement_signed_on")]

    def __str__(self):
        return f"{self.get_type_display()} ({self.signed_on})"

    def get_absolute_url(self):
        return self.request.get_absolute_url()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
