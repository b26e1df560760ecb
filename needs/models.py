from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.i18n import format_range
from listings.models import TRL, Listing, ListingQuerySet, Partnership


class NeedQuerySet(ListingQuerySet):
    def open(self):
        """Published needs whose deadline (if any) has not passed: what public lists show."""
        return self.published().filter(
            Q(deadline__isnull=True) | Q(deadline__gte=timezone.localdate())
        )

    def past_deadline(self):
        """Published needs whose deadline has passed (the `expire_needs` command's work)."""
        return self.published().filter(deadline__lt=timezone.localdate())


class Need(Listing):
    """A partner-needs request: the technology an organisation is looking for."""

    description = models.TextField(_("the problem"))
    solution = models.TextField(_("the wanted solution"), blank=True)
    trl_min = models.PositiveSmallIntegerField(
        _("lowest acceptable TRL"), choices=TRL.choices, default=TRL.BASIC
    )
    trl_max = models.PositiveSmallIntegerField(
        _("highest acceptable TRL"), choices=TRL.choices, default=TRL.PROVEN
    )
    partnerships = ArrayField(
        models.CharField(max_length=30, choices=Partnership.choices),
        verbose_name=_("partnerships sought"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    objects = NeedQuerySet.as_manager()

    headline_field = "description"
    review_template = "needs/includes/need_review_body.html"
    search_parts = (
        ("A", ("title",)),
        ("B", ("keywords",)),
        ("C", ("description", "solution")),
    )

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trl_min__gte=1, trl_min__lte=9, trl_max__gte=1, trl_max__lte=9),
                name="need_trl_range",
            ),
            models.CheckConstraint(
                condition=Q(trl_min__lte=models.F("trl_max")), name="need_trl_min_le_max"
            ),
            models.CheckConstraint(
                condition=~Q(partnerships=[]), name="need_partnerships_not_empty"
            ),
            models.UniqueConstraint(
                fields=["import_key"], condition=~Q(import_key=""), name="need_import_key_unique"
            ),
        ]
        indexes = [
            GinIndex(
                fields=["search_vector", "field_ids", "countries"],
                condition=Q(status="published"),
                name="need_public_search",
            ),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="need_title_trgm"),
            GinIndex(fields=["partnerships"], name="need_partnerships_gin"),
            GinIndex(fields=["countries"], name="need_countries_gin"),
            models.Index(fields=["status", "-published_at"], name="need_status_pub"),
            models.Index(fields=["trl_min", "trl_max"], name="need_trl_range_idx"),
            models.Index(fields=["deadline"], name="need_deadline"),
        ]

    def get_absolute_url(self):
        return reverse("needs:need_detail", args=[self.pk])

    @property
    def is_past_deadline(self) -> bool:
        return self.deadline is not None and self.deadline < timezone.localdate()

    def trl_range_display(self) -> str:
        if self.trl_min == self.trl_max:
            return str(self.trl_min)
        return format_range(self.trl_min, self.trl_max)
