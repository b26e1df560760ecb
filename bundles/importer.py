"""Writing a validated bundle: one transaction, all or nothing.

`import_bundle` serves the `import_bundle` command and the web upload alike. Every listing is
written through listings.services.import_listing, so an imported listing gets the status, dates
and moderation log the web path would give it. Derived data (search vectors, matching
representations) is computed once for all written listings at the end, and JPO moderators get one
e-mail for the whole batch.
"""

from collections.abc import Callable

from django.db import connection, transaction
from django.urls import reverse

from accounts import recipients
from accounts.models import Organization
from lib.mail import send_after_commit
from lib.urls import absolute_url
from listings import services
from listings.lifecycle import Action
from listings.models import Patent
from listings.signals import listings_bulk_changed

from .validation import BundleInvalid, Item, Plan, prepare

# Serialises imports: two at once could both decide to create the same key.
ADVISORY_LOCK_ID = 0x42554E44  # "BUND"


@transaction.atomic
def import_bundle(
    bundle: dict,
    *,
    user=None,
    organization=None,
    publish: bool = False,
    progress: Callable[[Item], None] | None = None,
) -> Plan:
    """Validate and import a bundle in one transaction; raise BundleInvalid and write nothing
    if any item is invalid.

    New and changed listings are published at once with `publish` (logged as “import”),
    otherwise they go to the moderation queue as submitted; a changed published listing keeps
    its public version and gets a revision for review (applied directly for a verified
    organisation, as an owner's edit would be). Unchanged items are left alone.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_ID])
    plan = prepare(bundle, user=user, organization=organization, publish=publish)
    if not plan.is_valid:
        raise BundleInvalid(plan.errors)
    owners = _Owners(organization)
    written, queued = [], []
    for item in plan.items:
        if not item.section.is_listing:
            _save_organization(item)
            owners.add(item.key, item.instance)
        elif item.action != "unchanged":
            event = _save_listing(item, owners.get(item.organization_key), user, publish)
            # An edit held for review leaves the published listing, and so its derived data, as
            # it was (the instance in memory carries the edit).
            if event.action != Action.REVISE:
                written.append(item.instance)
            if services.for_moderators(event):
                queued.append(item.instance)
        if progress is not None:
            progress(item)
    refresh_derived(written)
    if queued:
        notify_moderators(queued, user)
    return plan


class _Owners:
    """The organisations listings are written for, by key: the uploader's own (a TLO's
    upload), those of the bundle, or else those already in the database."""

    def __init__(self, organization):
        self.scope = organization
        self.by_key = {}

    def add(self, key, organization) -> None:
        self.by_key[key] = organization

    def get(self, key):
        if self.scope is not None:
            return self.scope
        if key not in self.by_key:
            self.by_key[key] = Organization.objects.get(import_key=key)
        return self.by_key[key]


def _save_organization(item) -> None:
    if item.action != "unchanged":
        item.instance.import_key = item.key
        item.form.save()


def _save_listing(item, owner, user, publish):
    """Write one listing through the listings service; return the ModerationEvent logged."""
    listing = item.instance
    listing.organization = owner
    listing.import_key = item.key
    return services.import_listing(
        listing, item.form, user, publish=publish, extra_save=lambda _: _save_patents(item)
    )


def _save_patents(item) -> None:
    if item.patents is None:
        return
    technology = item.instance
    getattr(technology, "_prefetched_objects_cache", {}).pop("patents", None)
    numbers = [p["number"] for p in item.patents]
    technology.patents.exclude(number__in=numbers).delete()
    for patent in item.patents:
        Patent.objects.update_or_create(
            technology=technology,
            number=patent["number"],
            defaults={"office": patent["office"], "status": patent["status"]},
        )


def refresh_derived(listings) -> None:
    """Derived data of listings written in bulk: search vectors one by one, then one
    `listings_bulk_changed` signal so the matching engine refreshes them set-wise."""
    listings = list(listings)
    for listing in listings:
        services.refresh_search_vector(listing)
    if listings:
        listings_bulk_changed.send(sender=type(listings[0]), listings=listings)


def notify_moderators(listings, user) -> None:
    """One e-mail to JPO moderators for a whole imported batch waiting in the queue (after commit)."""
    context = {
        "count": len(listings),
        "listings": listings[:20],
        "user": user,
        "queue_link": absolute_url(reverse("listings:moderation_queue")),
    }
    send_after_commit("bundles/submitted_email", recipients.moderators(), context)
