from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from lib.i18n import ChoiceLabels, country_name

from . import search
from .lifecycle import Action, Status
from .related_json import fields_array, rows_array, with_related
from .revisions import PendingRevision


class Language(models.TextChoices):
    EN = "en", _("English")
    JA = "ja", _("Japanese")


class TRL(models.IntegerChoices):
    """Technology readiness levels, as used by NASA, the EU and WIPO GREEN."""

    BASIC = 1, _("1 · Basic principles observed")
    CONCEPT = 2, _("2 · Technology concept formulated")
    PROOF = 3, _("3 · Experimental proof of concept")
    LAB = 4, _("4 · Validated in the laboratory")
    RELEVANT = 5, _("5 · Validated in a relevant environment")
    DEMONSTRATED = 6, _("6 · Demonstrated in a relevant environment")
    PROTOTYPE = 7, _("7 · Prototype demonstrated in operation")
    QUALIFIED = 8, _("8 · System complete and qualified")
    PROVEN = 9, _("9 · Proven in operation")


class IPStatus(models.TextChoices):
    GRANTED = "granted", _("Patent granted")
    PENDING = "pending", _("Patent pending")
    UTILITY_MODEL = "utility_model", _("Utility model")
    KNOW_HOW = "know_how", _("Know-how or trade secret")
    NONE = "none", _("Not protected")


class Partnership(models.TextChoices):
    """A form of partnership: what a technology's owner offers and what a need seeks."""

    EXCLUSIVE_LICENCE = "exclusive_licence", _("Exclusive licence")
    NON_EXCLUSIVE_LICENCE = "non_exclusive_licence", _("Non-exclusive licence")
    ASSIGNMENT = "assignment", _("Assignment or sale")
    JOINT_DEVELOPMENT = "joint_development", _("Joint development or research collaboration")
    JOINT_VENTURE = "joint_venture", _("Joint venture")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")


def country_choices():
    """Countries in the active language (evaluated per use, not once at start-up)."""
    return list(countries)


class FieldQuerySet(models.QuerySet):
    def groups(self):
        return self.filter(parent__isnull=True)

    def with_descendants(self, fields):
        """The given fields plus the sub-fields of any group among them."""
        ids = [f.pk for f in fields]
        return self.filter(Q(pk__in=ids) | Q(parent_id__in=ids))


class Field(models.Model):
    """A field of technology from the two-level taxonomy (data/taxonomy.json)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ja = models.CharField(_("name (Japanese)"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = FieldQuerySet.as_manager()

    class Meta:
        verbose_name = _("field of technology")
        verbose_name_plural = _("fields of technology")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("listings:technology_list") + f"?field={self.slug}"

    @property
    def name(self) -> str:
        return self.name_ja if get_language() == "ja" else self.name_en


class ListingQuerySet(models.QuerySet):
    """Reads shared by technologies and needs, so every page asks the same question."""

    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def submitted(self):
        """New listings waiting for review."""
        return self.filter(status=Status.SUBMITTED)

    def with_submitted_revision(self):
        """Published listings whose edit waits for review."""
        return self.filter(
            PendingRevision.in_state(PendingRevision.SUBMITTED), status=Status.PUBLISHED
        )

    def visible_to(self, user):
        """Published listings, plus everything of the user's organisation, plus all for moderators."""
        if user.is_authenticated and user.is_moderator:
            return self
        condition = Q(status=Status.PUBLISHED)
        organization = user.organization if user.is_authenticated else None
        if organization is not None:
            condition |= Q(organization=organization)
        return self.filter(condition)

    def owned_by(self, user):
        """Listings of the user's organisation (empty for users without one)."""
        organization = user.organization if user.is_authenticated else None
        if organization is None:
            return self.none()
        return self.filter(organization=organization)

    def search(self, query: str):
        """Full-text search with web-search syntax; Japanese via CJK bigrams; each word also
        in the other language (search.cross_language_query).

        Matches are found in every part (the GIN-indexed search vector) and ranked by the
        title, keywords and summary (the rank vector): a title hit ranks above a keyword or
        summary hit, and description-only matches follow, newest first."""
        query = (query or "").strip()
        if not query:
            return self
        ts_query = search.cross_language_query(query)
        return self.filter(search_vector=ts_query).annotate(rank=search.relevance(ts_query))

    def similar_titles(self, query: str, limit: int = 20):
        """Listings whose title contains a word like the query's (pg_trgm word similarity,
        GIN-indexed): typo tolerance when full-text search finds nothing."""
        query = (query or "")[:100]
        return (
            self.filter(title__trigram_word_similar=query)
            .annotate(similarity=TrigramWordSimilarity(query, "title"))
            .order_by("-similarity", "-pk")[:limit]
        )

    def for_cards(self):
        """What a card shows, without the search vectors (kilobytes each, out of line); its
        fields come in the same statement (listings.related_json)."""
        return with_related(
            self.select_related("organization").defer("search_vector", "rank_vector"),
            fields=fields_array(self.model, with_groups=False),
        )


class Listing(ChoiceLabels, models.Model):
    """What technologies and needs share: owner, taxonomy, lifecycle, search, import key."""

    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="%(class)ss",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)ss",
    )
    fields = models.ManyToManyField(
        Field, verbose_name=_("fields of technology"), related_name="%(class)ss"
    )
    keywords = ArrayField(
        models.CharField(max_length=60), verbose_name=_("keywords"), default=list, blank=True
    )
    countries = ArrayField(
        models.CharField(max_length=2, choices=country_choices),
        verbose_name=_("countries"),
        default=list,
        blank=True,
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    # Indexed by (status, -published_at) in each model's Meta; not on its own: a btree on the
    # status alone offered the planner a walk through every published row that evaluates each
    # one's search vector (listings 0013).
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    pending_revision = models.JSONField(_("pending revision"), null=True, blank=True)
    # The ids of the listing's fields and of their groups, kept equal to `fields` by
    # listings.fieldindex (signals): with the search vector in one GIN index, "this word in this
    # field" is a single index scan instead of a join plus a check of every long vector.
    field_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # Only the A and B parts (title, keywords, summary): small enough to stay in the row, so
    # ranking thousands of matches does not read every long vector out of TOAST storage.
    rank_vector = SearchVectorField(null=True, editable=False)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    import_key = models.CharField(_("import key"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)

    moderation_events = GenericRelation("listings.ModerationEvent")

    objects = ListingQuerySet.as_manager()

    # Text parts for search, heaviest first: (weight, attribute names).
    search_parts: tuple = ()

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # `field_ids` belongs to listings.fieldindex (written in SQL when the fields change): a
        # full save of an instance read earlier must not put an old copy back.
        if not self._state.adding and kwargs.get("update_fields") is None and not args:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "field_ids"
            ]
        super().save(*args, **kwargs)

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED

    def get_partnerships_display(self) -> list[str]:
        labels = dict(Partnership.choices)
        return [labels.get(p, p) for p in self.partnerships]

    def get_countries_display(self) -> list[str]:
        return [country_name(c) for c in self.countries]

    @property
    def revision(self) -> PendingRevision | None:
        """The owner's edit of the published listing held for review, if any."""
        return PendingRevision.from_listing(self)

    def queued_since(self):
        """When the listing (or its pending revision) entered the moderation queue."""
        revision = self.revision
        if self.status == Status.PUBLISHED and revision is not None:
            return revision.at or self.submitted_at or self.created_at
        return self.submitted_at or self.created_at

    def search_weights(self) -> dict[str, str]:
        """Index text by PostgreSQL weight (A heaviest)."""
        out = {}
        for weight, names in self.search_parts:
            parts = []
            for name in names:
                value = getattr(self, name)
                parts.append(" ".join(value) if isinstance(value, list) else (value or ""))
            out[weight] = search.index_text(" ".join(parts))
        return out


class TechnologyQuerySet(ListingQuerySet):
    def for_cards(self):
        """Cards also show the first image, read in the same statement as the fields. A
        technology's card shows its summary, not its description and benefits (not read)."""
        return with_related(
            super().for_cards().defer("description", "benefits"), images=images_array()
        )


def images_array():
    return rows_array(Technology, TechnologyImage, IMAGE_COLUMNS, "r.position, r.id")


class Technology(Listing):
    """A technology offered for licence, assignment or collaboration."""

    summary = models.CharField(_("short summary"), max_length=500)
    description = models.TextField(_("full description"))
    benefits = models.TextField(_("benefits and advantages"), blank=True)
    trl = models.PositiveSmallIntegerField(_("technology readiness level"), choices=TRL.choices)
    ip_status = models.CharField(_("IP status"), max_length=20, choices=IPStatus.choices)
    partnerships = ArrayField(
        models.CharField(max_length=30, choices=Partnership.choices),
        verbose_name=_("partnerships offered"),
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    brochure = models.FileField(_("brochure (PDF)"), upload_to="brochures/", blank=True)

    headline_field = "summary"
    review_template = "listings/includes/technology_review_body.html"

    objects = TechnologyQuerySet.as_manager()
    search_parts = (
        ("A", ("title",)),
        ("B", ("keywords", "summary")),
        ("C", ("description",)),
        ("D", ("benefits",)),
    )

    class Meta:
        verbose_name = _("technology")
        verbose_name_plural = _("technologies")
        ordering = ["-published_at", "-created_at"]
        permissions = [("moderate_listing", "Can moderate technologies and needs")]
        constraints = [
            models.CheckConstraint(
                condition=Q(trl__gte=1, trl__lte=9), name="technology_trl_range"
            ),
            models.CheckConstraint(
                condition=~Q(partnerships=[]), name="technology_partnerships_not_empty"
            ),
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~Q(import_key=""),
                name="technology_import_key_unique",
            ),
        ]
        indexes = [
            # Search and its most used filters in one index, published rows only (the only ones
            # the lists and the API search): see docs/performance.md.
            GinIndex(
                fields=["search_vector", "field_ids", "countries"],
                condition=Q(status="published"),
                name="technology_public_search",
            ),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="technology_title_trgm"),
            GinIndex(fields=["partnerships"], name="technology_partnerships_gin"),
            GinIndex(fields=["countries"], name="technology_countries_gin"),
            # The id breaks ties of the newest-first order (related technologies), so that
            # PostgreSQL reads those in index order and stops after a few: ordered by the date
            # alone in the index, it sorted a group of them first (~5 ms of a page's 8).
            models.Index(fields=["status", "-published_at", "-id"], name="technology_status_pub"),
            models.Index(fields=["ip_status"], name="technology_ip_status"),
        ]

    def get_absolute_url(self):
        return reverse("listings:technology_detail", args=[self.pk])


class Patent(ChoiceLabels, models.Model):
    class PatentStatus(models.TextChoices):
        GRANTED = "granted", _("Granted")
        PENDING = "pending", _("Pending")

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="patents")
    number = models.CharField(_("patent or application number"), max_length=60)
    office = models.CharField(
        _("office"), max_length=8, help_text=_("Country code or office, e.g. JP, US, EP, WO.")
    )
    status = models.CharField(_("status"), max_length=10, choices=PatentStatus.choices)

    class Meta:
        verbose_name = _("patent")
        verbose_name_plural = _("patents")
        constraints = [
            models.UniqueConstraint(
                fields=["technology", "number"], name="patent_unique_per_technology"
            )
        ]

    def __str__(self):
        return f"{self.number} ({self.office})"


MAX_IMAGES = 6
#: Related technologies on a technology's page.
RELATED_LIMIT = 4
IMAGE_COLUMNS = ("id", "technology_id", "image", "thumbnail", "caption", "position")


class TechnologyImage(models.Model):
    # Thumbnails are cropped to this size (lib.uploads.make_thumbnail); pages state it in
    # width/height so the layout does not jump while they load.
    THUMBNAIL_WIDTH = 400
    THUMBNAIL_HEIGHT = 300

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="technologies/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="technologies/thumbs/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.caption or self.image.name


class ModerationEventQuerySet(models.QuerySet):
    def for_listing(self, listing):
        return self.filter(
            content_type=ContentType.objects.get_for_model(listing), object_id=listing.pk
        ).select_related("actor")


class ModerationEvent(ChoiceLabels, models.Model):
    """One status change (or revision decision) of a technology or need: who, when, why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    listing = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Long enough for a revision decision: "revision_" + the longest action ("request_changes").
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = ModerationEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation log")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self):
        return f"{self.action}: {self.from_status} → {self.to_status}"

    def get_action_display(self) -> str:
        labels = dict(Action.choices)
        if self.action.startswith("revision_"):
            label = labels.get(self.action.removeprefix("revision_"), self.action)
            return _("Edit: %(decision)s") % {"decision": label}
        return labels.get(self.action, self.action)
