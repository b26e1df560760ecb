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
from lib.urls import absolute_url

from . import search
from .lifecycle import REVISION_ACTIONS, TRANSITIONS, Action, Actor, Status
from .models import Field, ModerationEvent
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

    if locked.status == Status.PUBLISHED and locked.pending_revision and action in REVISION_ACTIONS:
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
    now = timezone.now()
    locked.status = rule.target
    update = ["status", "updated_at"]
    if action == Action.SUBMIT:
        locked.submitted_at = now
        update.append("submitted_at")
    if rule.target == Status.PUBLISHED:
        locked.published_at = locked.published_at or now
        update.append("published_at")
    locked.save(update_fields=update)
    event = _log(locked, user, action, before, locked.status, reason)
    listing_changed.send(sender=model, listing=locked)
    _copy_state(listing, locked)
    notify(locked, event)
    return event


def _decide_revision(locked, action, user, reason, is_moderator, original) -> ModerationEvent:
    if not is_moderator:
        raise TransitionError(_("Only JPO moderators may do this."))
    if locked.pending_revision.get("state") != "submitted":
        raise TransitionError(_("This revision has already been decided."))
    if action in (Action.REQUEST_CHANGES, Action.REJECT) and not reason:
        raise TransitionError(_("Please give a reason: the owner will read it."))
    if action == Action.APPROVE:
        apply_revision(locked)
        locked.pending_revision = None
    elif action == Action.REQUEST_CHANGES:
        locked.pending_revision = {
            **locked.pending_revision,
            "state": "changes_requested",
            "reason": reason,
        }
    else:
        locked.pending_revision = None
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


def _log(listing, user, action, before, after, reason) -> ModerationEvent:
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
        apply_revision(listing, revision)
        listing.save()
        if extra_save:
            extra_save(listing)
        after_save(listing)
        return listing
    if listing.organization.verified:
        apply_revision(listing, revision)
        listing.save()
        if extra_save:
            extra_save(listing)
        after_save(listing)
        event = _log(listing, user, Action.EDIT, Status.PUBLISHED, Status.PUBLISHED, "")
        notify(listing, event)
        return listing
    listing.pending_revision = {
        "state": "submitted",
        "data": revision,
        "at": timezone.now().isoformat(),
    }
    type(listing).objects.filter(pk=listing.pk).update(pending_revision=listing.pending_revision)
    if extra_save:
        extra_save(listing)
    event = _log(listing, user, Action.REVISE, Status.PUBLISHED, Status.PUBLISHED, "")
    notify(listing, event)
    return listing


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


def apply_revision(listing, revision: dict | None = None) -> None:
    """Copy a revision's values onto the live listing (the caller saves)."""
    data = revision if revision is not None else listing.pending_revision["data"]
    field_slugs = None
    for name, value in data.items():
        if name == "fields":
            field_slugs = value
            continue
        setattr(listing, name, _revision_value(listing, name, value))
    if field_slugs is not None:
        listing.fields.set(Field.objects.filter(slug__in=field_slugs))


def revision_changes(listing) -> list[dict]:
    """What a pending revision changes, field by field, for the review page."""
    if not listing.pending_revision:
        return []
    changes = []
    for name, new in listing.pending_revision["data"].items():
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
    to_moderators = event.action in (Action.SUBMIT, Action.REVISE, Action.EDIT)
    if to_moderators:
        people = recipients.moderators()
    else:
        owners = recipients.listing_owners(listing)
        people = recipients.without(owners, event.actor) or owners
    send_after_commit("emails/moderation", people, context)


@transaction.atomic
def add_image(technology, image_file, caption: str = ""):
    """Store a validated, re-encoded image and its thumbnail in the technology's gallery."""
    from lib.uploads import make_thumbnail

    from .models import TechnologyImage

    image_file.seek(0)
    thumbnail = make_thumbnail(image_file.read(), size=TechnologyImage.THUMBNAIL_WIDTH)
    image_file.seek(0)
    position = technology.images.count()
    image = TechnologyImage(technology=technology, caption=caption, position=position)
    image.image.save(image_file.name, image_file, save=False)
    image.thumbnail.save(f"thumb-{image_file.name.rsplit('.', 1)[0]}.jpg", thumbnail, save=False)
    image.save()
    return image
