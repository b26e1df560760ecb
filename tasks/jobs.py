"""The background jobs (plain functions: RQ imports them by name in the worker)."""

from django.core.management import call_command

from matching import bulk

from .mail import requeue_unsent


def send_digests() -> None:
    """The saved-search alerts and followers' news that are due (idempotent: alerts' sent-log)."""
    call_command("send_digests")


def expire_needs() -> None:
    call_command("expire_needs")


def refresh_matching(kind: int, ids: list[int]) -> int:
    """The matching representations of imported listings, with frequencies and norms once."""
    return bulk.rebuild(kind, ids, workers=2 if len(ids) > 2000 else 1)


def requeue_unsent_mail() -> int:
    return requeue_unsent()
