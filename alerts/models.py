"""Saved searches, follows, and the logs that make every digest send each item once."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.i18n import ChoiceLabels


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class Frequency(models.TextChoices):
    INSTANT = "instant", _("Instantly")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    OFF = "off", _("No e-mail (feed only)")


class SearchList(models.TextChoices):
    TECHNOLOGIES = "technologies", _("Technologies")
    NEEDS = "needs", _("Needs")


def exactly_one_listing(prefix: str):
    return models.CheckConstraint(
        condition=Q(technology__isnull=False, need__isnull=True)
        | Q(technology__isnull=True, need__isnull=False),
        name=f"{prefix}_one_listing",
    )


class SavedSearchQuerySet(models.QuerySet):
    def owned_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def mailing(self):
        return self.exclude(frequency=Frequency.OFF).filter(user__is_active=True)


class SavedSearch(ChoiceLabels, models.Model):
    """A list query (every filter and the search words) kept under a name, with alerts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=100)
    list = models.CharField(_("list"), max_length=20, choices=SearchList.choices)
    # The list page's query string without the page number: replayed as is.
    query = models.CharField(_("query"), max_length=2000, blank=True)
    frequency = models.CharField(
        _("e-mail"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # When the digest last looked for new matches (mail sent or not).
    checked_at = models.DateTimeField(null=True, blank=True)

    objects = SavedSearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_search_unique_name"),
        ]
        indexes = [models.Index(fields=["frequency", "checked_at"], name="saved_search_due")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("alerts:saved_search_list")

    def get_list_url(self):
        name = (
            "listings:technology_list"
            if self.list == SearchList.TECHNOLOGIES
            else "needs:need_list"
        )
        return reverse(name) + (f"?{self.query}" if self.query else "")

    def get_feed_url(self):
        return reverse("alerts:feed", args=[self.feed_token])

    def query_dict(self) -> QueryDict:
        return QueryDict(self.query)


class Follow(models.Model):
    """A user follows one technology or need: revisions, withdrawal, expiry and matches."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    technology = models.ForeignKey(
        "listings.Technology", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    need = models.ForeignKey(
        "needs.Need", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    mail = models.BooleanField(_("e-mail me"), default=True)
    created_at = models.DateTimeField(_("followed since"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["-created_at", "-pk"]
        constraints = [
            exactly_one_listing("follow"),
            models.UniqueConstraint(fields=["user", "technology"], name="follow_unique_technology"),
            models.UniqueConstraint(fields=["user", "need"], name="follow_unique_need"),
        ]

    def __str__(self):
        return str(self.listing)

    def get_absolute_url(self):
        return self.listing.get_absolute_url()

    @property
    def listing(self):
        return self.technology if self.technology_id else self.need


class SentListing(models.Model):
    """The sent-log: a listing that one saved search has delivered (never again).

    A digest run writes one row per listing sent (140,000 for 10,000 saved searches), so the
    indexes are only those that are read: the unique pairs (which also serve the lookups by
    saved search: it is their first column) and, for the cascade when a listing is deleted, one
    partial index per kind of listing holding only the rows of that kind."""

    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="sent", db_index=False
    )
    technology = models.ForeignKey(
        "listings.Technology",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    need = models.ForeignKey(
        "needs.Need",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            exactly_one_listing("sent_listing"),
            models.UniqueConstraint(
                fields=["saved_search", "technology"], name="sent_listing_unique_technology"
            ),
            models.UniqueConstraint(
                fields=["saved_search", "need"], name="sent_listing_unique_need"
            ),
        ]
        indexes = [
            models.Index(
                fields=["technology"],
                name="sent_listing_technology",
                condition=Q(technology__isnull=False),
            ),
            models.Index(
                fields=["need"], name="sent_listing_need", condition=Q(need__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.saved_search_id}: {self.technology_id or self.need_id}"


class FollowNotice(models.Model):
    """The sent-log of follows: one event of a followed listing told to one follower once."""

    follow = models.ForeignKey(Follow, on_delete=models.CASCADE, related_name="notices")
    event = models.CharField(max_length=40)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follow", "event"], name="follow_notice_unique"),
        ]

    def __str__(self):
        return f"{self.follow_id}: {self.event}"
