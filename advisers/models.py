"""IP advisers appointed by JPO moderators for universities, and what they do on the workbench."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.i18n import ChoiceLabels


class AssignmentQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None):
        """Assignments in force today: started, and not yet past their last day."""
        today = today or timezone.localdate()
        return self.filter(start__lte=today, end__gte=today)

    def for_lists(self):
        return self.select_related("adviser", "organization", "appointed_by").order_by(
            "-start", "-pk"
        )


class AdviserAssignment(ChoiceLabels, models.Model):
    """A user appointed as IP adviser for one organisation, from `start` to `end` inclusive."""

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("IP adviser"),
        on_delete=models.PROTECT,
        related_name="adviser_assignments",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="adviser_assignments",
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appointed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("adviser assignment")
        verbose_name_plural = _("adviser assignments")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="assignment_period"
            )
        ]
        indexes = [models.Index(fields=["adviser", "end"], name="assignment_adviser_end")]

    def __str__(self):
        return f"{self.adviser} → {self.organization} ({self.start}–{self.end})"

    def get_absolute_url(self):
        return reverse("advisers:assignment", args=[self.pk])

    def is_current(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.start <= today <= self.end


class AssignmentEvent(ChoiceLabels, models.Model):
    """The log of an assignment: appointed, changed, ended; who, when, what."""

    class Action(models.TextChoices):
        APPOINTED = "appointed", _("Appointed")
        CHANGED = "changed", _("Period changed")
        ENDED = "ended", _("Ended")

    assignment = models.ForeignKey(
        AdviserAssignment, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("assignment event")
        verbose_name_plural = _("assignment log")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()}: {self.start}–{self.end}"


class ProposalQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Proposal.State.OPEN)


class Proposal(ChoiceLabels, models.Model):
    """An adviser's proposed edit of a technology: revision data the owner accepts or declines.

    `data` has the format of a listing revision (listings.services.form_revision), so an
    accepted proposal goes through the listing's own revision path."""

    class State(models.TextChoices):
        OPEN = "open", _("Awaiting the owner")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    technology = models.ForeignKey(
        "listings.Technology", on_delete=models.CASCADE, related_name="adviser_proposals"
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("IP adviser"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="adviser_proposals",
    )
    data = models.JSONField(_("proposed values"))
    message = models.TextField(_("message to the owner"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    score_before = models.PositiveSmallIntegerField(_("quality score before"))
    score_after = models.PositiveSmallIntegerField(_("quality score after"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposed edit")
        verbose_name_plural = _("proposed edits")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["technology", "state"], name="proposal_technology_state")]

    def __str__(self):
        return f"{self.technology} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("advisers:technology", args=[self.technology_id]) + f"#proposal-{self.pk}"


class Comment(models.Model):
    """A remark on a technology, read by its organisation, its advisers and JPO moderators only."""

    technology = models.ForeignKey(
        "listings.Technology", on_delete=models.CASCADE, related_name="adviser_comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:60]


class StrategyNote(models.Model):
    """An IP-strategy note on a technology (private to its organisation, advisers and moderators)."""

    technology = models.ForeignKey(
        "listings.Technology", on_delete=models.CASCADE, related_name="strategy_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("note"), max_length=8000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("IP strategy note")
        verbose_name_plural = _("IP strategy notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.body[:60]


class ShortlistEntry(models.Model):
    """A partner candidate kept for a technology, with why it was found and a note."""

    technology = models.ForeignKey(
        "listings.Technology", on_delete=models.CASCADE, related_name="partner_shortlist"
    )
    partner = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("why"), blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("shortlisted partner")
        verbose_name_plural = _("partner shortlist")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["technology", "partner"], name="shortlist_unique_partner"
            )
        ]

    def __str__(self):
        return f"{self.partner} for {self.technology}"
