"""State-changing operations on listings (technologies and, through the same code, needs)."""

from datetime import date

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import recipients
from lib.mail import send_after_commit
from lib.uploads import make_thumbnail
from lib.urls import absolute_url

from . import search
from .lifecycle import REVISION_ACTIONS, TRANSITIONS, Action, Actor, Status
from .models import Field, ModerationEvent, TechnologyImage
from .revisions import PendingRevision
from .revisions import store as store_revision
from .signals import listing_changed


class TransitionError(Exception):
    """A lifecycle step that is not allowed now (wrong state, wrong person, missing reason)."""


def refresh_search_vector(listing) -> None:
    """Recompute the stored, weighted search vector (and rank vector) of one listing."""
    model = type(listing)
    vector = rank_vector = None
    for weight, text in listing.search_weights().items():
        part = SearchVector(Value(text), config=search.SEARCH_CONFIG, weight=weight)
        vector = part if vector is None else vector + part
        if weight in search.RANK_WEIGHTS:
            rank_vector = part if rank_vector is None else rank_vector + part
    model.objects.filter(pk=listing.pk).update(search_vector=vector, rank_vector=rank_vector)


def after_save(listing) -> None:
    """Derived data of a listing: its search vector, and (through the signal) the rest."""
    refresh_search_vector(listing)
    listing_changed.send(sender=type(listing), listing=listing)


def actor_for(listing, user) -> str | None:
    """The role a user plays towards a listing: moderator, owner, or none."""
    if user is None:
        return Actor.SYSTEM
    if not user.is_authenticated:
        return None
    if user.is_moderator:
        return Actor.MODERATOR
    if user.can_post and user.organization.pk == listing.organization_id:
        return Actor.OWNER
    return None


def enter_status(listing, status: str, now) -> list[str]:
    """Put a listing in a lifecycle state with the dates that state records (the caller saves):
    a submission is dated each time, publication only the first time. Returns the fields set."""
    listing.status = status
    if status == Status.SUBMITTED:
        listing.submitted_at = now
    if status == Status.PUBLISHED:
        listing.submitted_at = listing.submitted_at or now
        listing.published_at = listing.published_at or now
    return ["status", "submitted_at", "published_at"]


@transaction.atomic
def transition(listing, action: str, user, reason: str = "") -> ModerationEvent:
    """Apply one lifecycle action, log it and e-mail the people it concerns.

    The row is locked first and its state re-read, so when two moderators decide at once one
    wins and the other gets a TransitionError; nothing is applied twice.
    """
    model = type(listing)
    locked = model.objects.select_for_update().get(pk=listing.pk)
    reason = (reason or "").strip()
    is_moderator = user is not None and user.is_authenticated and user.is_moderator
    is_owner = user is not None and actor_for(locked, user) == Actor.OWNER

    if locked.status == Status.PUBLISHED and locked.revision and action in REVISION_ACTIONS:
        return _decide_revision(locked, action, user, reason, is_moderator, listing)

    rule = TRANSITIONS.get(action)
    if rule is None:
        raise TransitionError(_("Unknown action."))
    if locked.status not in rule.sources:
        raise TransitionError(
            _("This is no longer possible: the listing is now “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    if rule.actor == Actor.MODERATOR and not is_moderator:
        raise TransitionError(_("Only JPO moderators may do this."))
    if rule.actor == Actor.OWNER and not (is_owner or (is_moderator and action == Action.WITHDRAW)):
        raise TransitionError(_("Only members of the owner organisation may do this."))
    if rule.needs_reason and not reason:
        raise TransitionError(_("Please give a reason: the owner will read it."))

    before = locked.status
    update = enter_status(locked, rule.target, timezone.now())
    locked.save(update_fields=[*update, "updated_at"])
    event = _log(locked, user, action, before, locked.status, reason)
    listing_changed.send(sender=model, listing=locked)
    _copy_state(listing, locked)
    notify(locked, event)
    return event


def _decide_revision(locked, action, user, reason, is_moderator, original) -> ModerationEvent:
    if not is_moderator:
        raise TransitionError(_("Only JPO moderators may do this."))
    revision = locked.revision
    if not revision.is_submitted:
        raise TransitionError(_("This revision has already been decided."))
    if action in (Action.REQUEST_CHANGES, Action.REJECT) and not reason:
        raise TransitionError(_("Please give a reason: the owner will read it."))
    if action == Action.APPROVE:
        apply_revision(locked, revision.data)
    # Changes requested: the edit stays with the owner; approved or rejected: it is done.
    store_revision(
        locked,
        revision.with_changes_requested(reason) if action == Action.REQUEST_CHANGES else None,
    )
    locked.save()
    if action == Action.APPROVE:
        after_save(locked)
    event = _log(locked, user, f"revision_{action}", Status.PUBLISHED, Status.PUBLISHED, reason)
    _copy_state(original, locked)
    notify(locked, event)
    return event


def _copy_state(target, source) -> None:
    for name in ("status", "submitted_at", "published_at", "pending_revision"):
        setattr(target, name, getattr(source, name))


def _log(listing, user, action, before, after, reason="") -> ModerationEvent:
    return ModerationEvent.objects.create(
        listing=listing,
        actor=user if user is not None and user.is_authenticated else None,
        action=action,
        from_status=before,
        to_status=after,
        reason=reason,
    )


@transaction.atomic
def save_listing(listing, form, user, *, extra_save=None):
    """Save an owner's form. A published listing's edit becomes a revision for review (unless
    the organisation is verified: then it is applied and moderators are told to re-check it)."""
    if listing.pk and listing.status == Status.PUBLISHED:
        return save_revision(listing, form_revision(form), user, extra_save=extra_save)
    is_new = listing.pk is None
    if is_new:
        listing.organization = user.organization
        listing.author = user
    listing = form.save()
    if extra_save:
        extra_save(listing)
    after_save(listing)
    return listing


@transaction.atomic
def save_revision(listing, revision: dict, user, *, extra_save=None):
    """Apply edited values (a revision, as form_revision makes them) the way an owner's edit is
    applied: a published listing's edit is held for review, or applied and re-checked when the
    organisation is verified; any other listing is changed at once. Also used for an IP
    adviser's proposed edit that the owner accepted."""
    if listing.status != Status.PUBLISHED:
        _apply(listing, revision, extra_save)
        after_save(listing)
        return listing
    if listing.organization.verified:
        event = _edit_published(listing, revision, user, extra_save)
        after_save(listing)
    else:
        event = _hold_revision(listing, revision, user, extra_save)
    notify(listing, event)
    return listing


def _apply(listing, revision, extra_save) -> None:
    apply_revision(listing, revision)
    listing.save()
    if extra_save:
        extra_save(listing)


def _edit_published(listing, revision, user, extra_save) -> ModerationEvent:
    """A published listing's edit applied at once; staff re-check it afterwards."""
    _apply(listing, revision, extra_save)
    return _log(listing, user, Action.EDIT, Status.PUBLISHED, Status.PUBLISHED)


def _hold_revision(listing, revision, user, extra_save) -> ModerationEvent:
    """A published listing's edit held for review; the published version stays as it is."""
    store_revision(listing, PendingRevision.submitted(revision))
    if extra_save:
        extra_save(listing)
    return _log(listing, user, Action.REVISE, Status.PUBLISHED, Status.PUBLISHED)


@transaction.atomic
def import_listing(listing, form, user, *, publish: bool = False, extra_save=None):
    """Write a listing from an import (a bundle item validated by its web form) and log it.

    With `publish` (JPO moderators or the command only) it is published at once. Otherwise a published
    listing is edited as its owner's form edits it (held for review; applied when its
    organisation is verified or the form holds no change, e.g. only its patents changed) and
    any other listing enters the moderation queue as submitted. The caller sets the
    organisation and import key, refreshes derived data and tells staff, once per batch
    (bundles.importer). Returns the ModerationEvent logged.
    """
    if publish and actor_for(listing, user) not in (Actor.MODERATOR, Actor.SYSTEM):
        raise TransitionError(_("Only JPO moderators may do this."))
    if listing.pk and listing.status == Status.PUBLISHED and not publish:
        revision = form_revision(form)
        if listing.organization.verified or not form.has_changed():
            return _edit_published(listing, revision, user, extra_save)
        event = _hold_revision(listing, revision, user, extra_save)
        # A move to another organisation (by JPO moderators) is not part of the edit under review.
        type(listing).objects.filter(pk=listing.pk).update(organization=listing.organization)
        return event
    before = listing.status if listing.pk else Status.DRAFT
    if listing.pk is None:
        listing.author = user if user is not None and user.is_authenticated else None
    listing = form.save(commit=False)
    enter_status(listing, Status.PUBLISHED if publish else Status.SUBMITTED, timezone.now())
    listing.save()
    form.save_m2m()
    if extra_save:
        extra_save(listing)
    return _log(listing, user, Action.IMPORT, before, listing.status)


def for_moderators(event: ModerationEvent) -> bool:
    """Whether JPO moderators should look at a listing after this event: a submission (also by
    import), an edit held for review, or a published listing's edit to re-check."""
    if event.action == Action.IMPORT:
        return event.to_status == Status.SUBMITTED
    return event.action in (Action.SUBMIT, Action.REVISE, Action.EDIT)


def form_revision(form) -> dict:
    """The edited values of a form, as JSON, for a revision held until review."""
    data = {}
    for name in form.Meta.revision_fields:
        value = form.cleaned_data.get(name)
        if name == "fields":
            value = sorted(f.slug for f in value)
        elif isinstance(value, date):  # JSON has no date type: ISO text, read back by the field
            value = value.isoformat()
        data[name] = value
    return data


def _revision_value(listing, name, value):
    """A revision's stored JSON value as the model field's Python value (e.g. a date)."""
    return type(listing)._meta.get_field(name).to_python(value)


def apply_revision(listing, revision: dict) -> None:
    """Copy a revision's values onto the live listing (the caller saves)."""
    field_slugs = None
    for name, value in revision.items():
        if name == "fields":
            field_slugs = value
            continue
        setattr(listing, name, _revision_value(listing, name, value))
    if field_slugs is not None:
        listing.fields.set(Field.objects.filter(slug__in=field_slugs))


def revision_changes(listing) -> list[dict]:
    """What a pending revision changes, field by field, for the review page."""
    revision = listing.revision
    if revision is None:
        return []
    changes = []
    for name, new in revision.data.items():
        if name == "fields":
            old = sorted(f.slug for f in listing.fields.all())
        else:
            old = getattr(listing, name)
            new = _revision_value(listing, name, new)
        if old != new:
            label = type(listing)._meta.get_field(name).verbose_name
            changes.append({"name": name, "label": label, "old": old, "new": new})
    return changes


def notify(listing, event: ModerationEvent) -> None:
    """Moderators hear of new submissions and revisions; owners hear of every decision."""
    context = {
        "listing": listing,
        "event": event,
        "listing_type": listing._meta.verbose_name,
        "link": absolute_url(listing.get_absolute_url()),
        "review_link": absolute_url(
            reverse("listings:review", args=[listing._meta.model_name, listing.pk])
        ),
    }
    if for_moderators(event):
        people = recipients.moderators()
    else:
        owners = recipients.listing_owners(listing)
        people = recipients.without(owners, event.actor) or owners
    send_after_commit("emails/moderation", people, context)


@transaction.atomic
def add_image(technology, image_file, caption: str = ""):
    """Store a validated, re-encoded image and its thumbnail in the technology's gallery."""
    image_file.seek(0)
    thumbnail = make_thumbnail(image_file.read(), size=TechnologyImage.THUMBNAIL_WIDTH)
    image_file.seek(0)
    position = technology.images.count()
    image = TechnologyImage(technology=technology, caption=caption, position=position)
    image.image.save(image_file.name, image_file, save=False)
    image.thumbnail.save(f"thumb-{image_file.name.rsplit('.', 1)[0]}.jpg", thumbnail, save=False)
    image.save()
    return image


def remove_image(image) -> None:
    """Remove one image of a gallery: its file, its thumbnail and its row."""
    image.image.delete(save=False)
    image.thumbnail.delete(save=False)
    image.delete()
