"""The background jobs (plain functions: RQ imports them by name in the worker)."""

from django.core.management import call_command

from matching import bulk, suggestions
from matching.models import ListingKind

from .mail import requeue_unsent


def send_digests() -> None:
    """The saved-search alerts and followers' news that are due (idempotent: alerts' sent-log)."""
    call_command("send_digests")


def expire_needs() -> None:
    call_command("expire_needs")


def refresh_matching(kind: int, ids: list[int]) -> int:
    """The matching representations of imported listings, with frequencies and norms once,
    then their stored suggestion lists and the lists they enter."""
    count = bulk.rebuild(kind, ids, workers=2 if len(ids) > 2000 else 1)
    suggestions.refresh(kind == ListingKind.NEED, ids)
    return count


def refresh_suggestions(is_need: bool, ids: list[int], held_by: list[int]) -> int:
    """The stored suggestion lists of changed listings and of the lists they enter or leave
    (``held_by``: lists that held a listing that has just left them)."""
    return suggestions.refresh(is_need, ids, held_by)


def rebuild_suggestions() -> None:
    """Every stored suggestion list from scratch (the nightly safety net)."""
    call_command("suggestions_rebuild")


def requeue_unsent_mail() -> int:
    return requeue_unsent()
