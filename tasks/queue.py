"""The task queue: RQ over Redis when TASKS_REDIS_URL is set, else inline after commit.

Why RQ and not Celery: the jobs are a few plain functions (deliver one e-mail, send the digests,
refresh matching) on the Redis the site already runs for its cache; RQ needs nothing else (no
broker/result-backend pair, no beat), its worker is one command, and retries are a parameter of
the job. Periodic jobs come from `manage.py run_scheduler` (tasks/management/commands).

`enqueue(func, *args, job_id=...)` is the one way work is handed off: with a broker the job is
queued once the surrounding transaction commits (a rollback queues nothing); without one it runs
inline at that moment, so development and `make run` need no Redis and no worker.
"""

from functools import cache

from django.conf import settings
from django.db import transaction
from redis import Redis
from rq import Queue, Retry

QUEUE_NAME = "portal"
#: Waits (seconds) before each retry of a failed job.
RETRY_INTERVALS = [10, 60, 300, 900, 3600]


def broker_configured() -> bool:
    return bool(settings.TASKS_REDIS_URL)


@cache
def queue():
    return Queue(QUEUE_NAME, connection=Redis.from_url(settings.TASKS_REDIS_URL))


def enqueue_now(func, *args, job_id: str | None = None):
    """Queue `func(*args)` on the broker at once (retried on failure), or run it inline."""
    if not broker_configured():
        return func(*args)
    intervals = settings.TASKS_RETRY_INTERVALS
    return queue().enqueue(
        func,
        *args,
        job_id=job_id,
        retry=Retry(max=len(intervals), interval=intervals),
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


def enqueue(func, *args, job_id: str | None = None) -> None:
    """`enqueue_now` once the current transaction commits."""
    transaction.on_commit(lambda: enqueue_now(func, *args, job_id=job_id))
