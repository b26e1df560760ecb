from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from lib.i18n import ChoiceLabels

MODERATOR_GROUP = "JPO moderators"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, email_verified_at=timezone.now())
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    is_staff = models.BooleanField(_("site administrator"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mails we send you."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @cached_property
    def is_moderator(self) -> bool:
        """Moderators (members of the "JPO moderators" group, or superusers) review listings and
        confirm matches. Django's `is_staff` is not checked: it only opens the Django admin."""
        return self.is_active and (
            self.is_superuser or self.groups.filter(name=MODERATOR_GROUP).exists()
        )

    @cached_property
    def active_membership(self):
        return (
            self.memberships.filter(status=Membership.Status.ACTIVE)
            .select_related("organization")
            .first()
        )

    @property
    def organization(self):
        membership = self.active_membership
        return membership.organization if membership else None

    @property
    def can_post(self) -> bool:
        """Posting needs a verified e-mail address and an active organisation membership."""
        return self.is_active and self.is_verified and self.active_membership is not None


class Organization(models.Model):
    class Type(models.TextChoices):
        UNIVERSITY = "university", _("University")
        RESEARCH_INSTITUTE = "research_institute", _("Public research institute")
        COMPANY = "company", _("Company")
        STARTUP = "startup", _("Start-up")
        GOVERNMENT = "government", _("Government")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name in Japanese"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True, allow_unicode=True)
    type = models.CharField(_("type"), max_length=32, choices=Type.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Set by JPO moderators once the organisation is checked."),
    )
    import_key = models.CharField(_("import key"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~models.Q(import_key=""),
                name="org_import_key_unique",
            )
        ]
        indexes = [models.Index(fields=["type"]), models.Index(fields=["country"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Organization, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("accounts:organization", args=[self.slug])

    def display_name(self, language: str = "en") -> str:
        return self.name_ja if language == "ja" and self.name_ja else self.name

    def localized_name(self) -> str:
        """The name in the page's language: the Japanese name on Japanese pages when one is on
        file, else the name. Templates show organisations with this."""
        return self.display_name((get_language() or "en")[:2])


def unique_slug(model, text: str, field: str = "slug", max_length: int = 200) -> str:
    base = slugify(text, allow_unicode=True)[:max_length] or "item"
    slug, n = base, 2
    while model._default_manager.filter(**{field: slug}).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def pending(self):
        return self.filter(status=Membership.Status.PENDING)


class Membership(ChoiceLabels, models.Model):
    """A user's place in an organisation. A user belongs to at most one organisation."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Organisation administrator")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        ACTIVE = "active", _("Active")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user"], name="one_organization_per_user")]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.role}, {self.status})"

    @property
    def is_admin(self) -> bool:
        return self.status == self.Status.ACTIVE and self.role == self.Role.ADMIN
