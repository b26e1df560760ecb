"""Interest in listings, counted outside the listing rows.

A public detail page only appends a `ListingEvent` (one INSERT into a table nothing else
updates), so a page view never writes, locks or bloats the listing's row and concurrent views
cannot lose a count. `manage.py fold_views` folds complete days into `ListingDailyStats` in
batches and deletes the folded events, and with them the visitor hashes: only counts are kept.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingType(models.TextChoices):
    TECHNOLOGY = "technology", _("Technology")
    NEED = "need", _("Need")


class Event(models.TextChoices):
    VIEW = "view", _("View")
    SUGGESTION = "suggestion", _("Appearance in suggestions")


class ListingEvent(models.Model):
    """One view of a public detail page, or one appearance in someone's suggestions.

    `visitor` is a keyed hash of the day and the client (see services.visitor_hash), kept only
    until the day is folded; it tells visitors of one day apart and nothing else."""

    listing_type = models.CharField(max_length=10, choices=ListingType.choices)
    listing_id = models.BigIntegerField()
    event = models.CharField(max_length=10, choices=Event.choices)
    day = models.DateField()
    visitor = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            # The analytics page reads today's unfolded events; fold reads whole past days.
            models.Index(fields=["day", "listing_type", "listing_id"], name="listingevent_day"),
        ]

    def __str__(self):
        return f"{self.event} {self.listing_type} {self.listing_id} {self.day}"


class ListingDailyStats(models.Model):
    """The folded counts of one listing on one day."""

    listing_type = models.CharField(max_length=10, choices=ListingType.choices)
    listing_id = models.BigIntegerField()
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    suggestions = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily listing statistics")
        verbose_name_plural = _("daily listing statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["listing_type", "listing_id", "day"], name="listingdailystats_unique_day"
            ),
            models.CheckConstraint(
                condition=models.Q(visitors__lte=models.F("views")),
                name="listingdailystats_visitors_within_views",
            ),
        ]

    def __str__(self):
        return f"{self.listing_type} {self.listing_id} {self.day}"
