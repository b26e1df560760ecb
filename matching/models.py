"""Stored matching data: the language-independent representation of every listing (computed
when it is saved or imported) as an inverted index in PostgreSQL, and curated matches."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ListingKind(models.IntegerChoices):
    """Which kind of listing a representation or posting belongs to."""

    TECHNOLOGY = 1, _("technology")
    NEED = 2, _("need")


class Term(models.Model):
    """A term of the shared EN/JA term space, with its document frequency over public listings."""

    # Four bytes: every posting carries one (a few hundred thousand terms, never billions).
    id = models.AutoField(primary_key=True)
    text = models.CharField(max_length=100, unique=True)
    df = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.text


class Representation(models.Model):
    """One listing's representation: its term vector, norm and what fit is judged on.

    The table keeps its first name (``matching_profile``), as do its constraint and index."""

    kind = models.PositiveSmallIntegerField(choices=ListingKind.choices)
    listing_id = models.BigIntegerField()
    vector = models.JSONField(default=dict)
    norm = models.FloatField(default=1.0)
    language = models.CharField(max_length=2)
    fields = ArrayField(models.CharField(max_length=80), default=list)
    groups = ArrayField(models.CharField(max_length=80), default=list)
    public = models.BooleanField(default=False)
    #: a technology's hub value: the mean of its HUB_K best scores against the open needs (its
    #: own suggestion list's, which no hub value changes), stored with that list
    #: (`matching.suggestions.store_lists`); 0 for needs, and until a technology's list is
    #: stored. Needs' rankings take it off: `matching.scoring.take_off_hubs`.
    hub = models.FloatField(default=0.0, db_default=0.0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "matching_profile"
        constraints = [
            models.UniqueConstraint(fields=["kind", "listing_id"], name="profile_unique_listing")
        ]
        indexes = [models.Index(fields=["kind", "public"], name="profile_kind_public")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.listing_id}"


#: Posting weights are stored as whole numbers of this unit (document vectors are rounded to
#: four decimals, and no weight reaches 3.3: a two-byte integer holds them exactly).
WEIGHT_UNIT = 1e-4


class Posting(models.Model):
    """Inverted index: a term's weight in one public listing (candidate retrieval only).

    Compact by design (issue 18): no surrogate id, four- and two-byte columns, and a single
    access path. The primary key *is* the impact-ordered index: read backwards for one
    (term, kind), it yields the term's heaviest postings first, index-only, and retrieval stops
    after engine.POSTINGS_PER_TERM of them. A listing's postings are found (to be replaced)
    from its stored vector, i.e. by the full key, so no second index by listing is needed; the
    candidates' exact scores come from their profiles' vectors."""

    pk = models.CompositePrimaryKey("term_id", "kind", "weight", "listing_id")
    term = models.ForeignKey(Term, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False)
    kind = models.SmallIntegerField(choices=ListingKind.choices)
    #: in WEIGHT_UNITs
    weight = models.SmallIntegerField()
    listing_id = models.IntegerField()

    def __str__(self):
        return f"{self.term_id}:{self.kind}:{self.listing_id}={self.weight * WEIGHT_UNIT:.4f}"


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


class SuggestionQuerySet(models.QuerySet):
    def listed(self):
        """Entries whose two listings are both public now: the read-side guard, so a listing
        withdrawn, expired or deleted never shows, whatever a refresh still has to do."""
        from django.utils import timezone

        from listings.lifecycle import Status

        published = Status.PUBLISHED
        return self.filter(technology__status=published, need__status=published).filter(
            Q(need__deadline__isnull=True) | Q(need__deadline__gte=timezone.localdate())
        )

    def for_needs(self, need_ids):
        """The stored lists of these needs (their suggested technologies), best first."""
        return self.filter(for_need=True, need_id__in=need_ids).order_by("need_id", "rank")

    def for_technologies(self, technology_ids):
        """The stored lists of these technologies (their suggested needs), best first."""
        return self.filter(for_need=False, technology_id__in=technology_ids).order_by(
            "technology_id", "rank"
        )


class Suggestion(models.Model):
    """One entry of a stored suggestion list, ready before anyone asks (issue 18).

    A published need's list holds its best technologies (``for_need``); a published
    technology's list holds its best needs. Each list is the engine's ranking of its listing
    (``engine.rank``), refreshed when the listing or a listing in or near it changes
    (matching.suggestions) and rebuilt nightly."""

    need = models.ForeignKey("needs.Need", on_delete=models.CASCADE, related_name="+")
    technology = models.ForeignKey(
        "listings.Technology", on_delete=models.CASCADE, related_name="+"
    )
    #: whose list this entry belongs to: the need's (True) or the technology's (False)
    for_need = models.BooleanField()
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["need", "technology", "for_need"], name="suggestion_unique_entry"
            )
        ]
        indexes = [
            models.Index(
                fields=["need", "rank"], condition=Q(for_need=True), name="suggestion_need_list"
            ),
            models.Index(
                fields=["technology", "rank"],
                condition=Q(for_need=False),
                name="suggestion_technology_list",
            ),
        ]

    def __str__(self):
        return f"{self.need_id} ↔ {self.technology_id} #{self.rank}"
