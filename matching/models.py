"""Stored matching data: the language-independent representation of every listing (computed
when it is saved or imported) as an inverted index in PostgreSQL, and curated matches."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.IntegerChoices):
    TECHNOLOGY = 1, _("technology")
    NEED = 2, _("need")


class Term(models.Model):
    """A term of the shared EN/JA term space, with its document frequency over public listings."""

    text = models.CharField(max_length=100, unique=True)
    df = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.text


class Profile(models.Model):
    """One listing's representation: its term vector, norm and what fit is judged on."""

    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    listing_id = models.BigIntegerField()
    vector = models.JSONField(default=dict)
    norm = models.FloatField(default=1.0)
    language = models.CharField(max_length=2)
    fields = ArrayField(models.CharField(max_length=80), default=list)
    groups = ArrayField(models.CharField(max_length=80), default=list)
    public = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "listing_id"], name="profile_unique_listing")
        ]
        indexes = [models.Index(fields=["kind", "public"], name="profile_kind_public")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.listing_id}"


class Posting(models.Model):
    """Inverted index: a term's weight in one public listing."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, db_constraint=False)
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    listing_id = models.BigIntegerField()
    weight = models.FloatField()

    class Meta:
        indexes = [
            # Candidate retrieval reads each query term's heaviest postings (impact order): an
            # index-only scan that stops after engine.POSTINGS_PER_TERM entries.
            models.Index(
                fields=["term", "kind", "-weight"], include=["listing_id"], name="posting_impact"
            ),
            # The candidates' shared terms, one candidate at a time: index-only too.
            models.Index(
                fields=["kind", "listing_id"],
                include=["term", "weight"],
                name="posting_listing_terms",
            ),
        ]

    def __str__(self):
        return f"{self.term_id}:{self.kind}:{self.listing_id}={self.weight:.3f}"


class Match(models.Model):
    """A need–technology pair that moderators confirmed, or that one party dismissed."""

    need = models.ForeignKey("needs.Need", on_delete=models.CASCADE, related_name="matches")
    technology = models.ForeignKey(
        "listings.Technology", on_delete=models.CASCADE, related_name="matches"
    )
    score = models.FloatField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    confirmed = models.BooleanField(pgettext_lazy("match", "confirmed"), default=False)
    note = models.TextField(_("note"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    dismissed_by_need_owner = models.BooleanField(default=False)
    dismissed_by_technology_owner = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-confirmed_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["need", "technology"], name="match_unique_pair"),
            models.CheckConstraint(
                condition=Q(confirmed=False) | Q(confirmed_at__isnull=False),
                name="match_confirmed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["confirmed", "-confirmed_at"], name="match_confirmed")]

    def __str__(self):
        return f"{self.need} ↔ {self.technology}"

    def get_absolute_url(self):
        return self.need.get_absolute_url()
