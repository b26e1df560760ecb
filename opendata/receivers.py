"""Keep the cached public statistics in step with the listings they count.

A listing that changes state (published, withdrawn, expired, deleted) or is edited (its fields
and countries are counted too) clears the cache once the transaction commits; the next read
recomputes it. Reads stay cached."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from licensing.models import Agreement
from listings.models import Technology
from listings.signals import listing_changed, listings_bulk_changed
from needs.models import Need

from . import stats


def _clear_after_commit(**kwargs) -> None:
    transaction.on_commit(stats.clear_cache)


listing_changed.connect(_clear_after_commit, dispatch_uid="opendata.stats.listing_changed")
listings_bulk_changed.connect(_clear_after_commit, dispatch_uid="opendata.stats.bulk_changed")


@receiver(post_delete, sender=Technology, dispatch_uid="opendata.stats.technology_deleted")
@receiver(post_delete, sender=Need, dispatch_uid="opendata.stats.need_deleted")
def _listing_deleted(sender, **kwargs) -> None:
    _clear_after_commit()


@receiver(post_save, sender=Agreement, dispatch_uid="opendata.stats.agreement_saved")
def _agreement_saved(sender, instance, **kwargs) -> None:
    # An agreement confirmed or corrected moves the published agreement figures at once.
    _clear_after_commit()
