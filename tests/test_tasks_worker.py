"""Background work on RQ with a real worker process against the local Redis (tasks/)."""

import email
import os
import signal
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from django.db import transaction

from lib.mail import send_after_commit
from listings.models import Technology
from listings.signals import listings_bulk_changed
from matching.models import ListingKind, Representation
from tasks import mail as task_mail
from tasks import queue
from tasks.models import OutgoingMail
from tests.factories import make_technology, make_user
from tests.servers import BASE_DIR, database_url, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

TASKS_REDIS_URL = "redis://127.0.0.1:6379/14"
CONTEXT = {"organization": SimpleNamespace(name="Kyoto Institute", name_en="", name_ja="")}


@pytest.fixture
def broker(settings):
    client = redis.Redis.from_url(TASKS_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.skip(f"Redis is not running at {TASKS_REDIS_URL}: {error}")
    client.flushdb()
    queue.queue.cache_clear()
    settings.TASKS_REDIS_URL = TASKS_REDIS_URL
    settings.MAIL_DISPATCH = "tasks.mail.dispatch"
    settings.TASKS_RETRY_INTERVALS = [1, 1, 1]
    yield client
    client.flushdb()
    queue.queue.cache_clear()


@pytest.fixture
def outbox():
    with tempfile.TemporaryDirectory(prefix="worker-mail-") as directory:
        yield Path(directory)


@pytest.fixture
def worker(broker, outbox):
    """`manage.py run_worker` in its own process, sending with the flaky file backend."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "TASKS_REDIS_URL": TASKS_REDIS_URL,
        "TASKS_RETRY_INTERVALS": "1,1,1",
        "EMAIL_BACKEND": "tests.mail_backends.FlakyFileBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its scheduler process in its group, stopped with it
        )
        yield process
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # rq's warm shutdown (the scheduler process joined) once took longer than this on
            # an overloaded machine, after the test had passed. What is tested is the
            # delivery: stop the whole group so no process outlives the test, and say so.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            warnings.warn("run_worker did not stop within 30 s of SIGTERM: killed", stacklevel=1)
        log.seek(0)
        print(log.read().decode(errors="replace"))  # shown when a test fails


def delivered(outbox) -> list:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]


def test_a_failed_send_is_retried_and_sent_exactly_once(worker, outbox):
    (outbox / "fail").write_text("2")  # the mail server refuses the first two attempts
    user = make_user(full_name="Queued Recipient")
    with transaction.atomic():
        assert send_after_commit("emails/join_approved", [user], CONTEXT) == 1
        stored = OutgoingMail.objects.get()
        assert stored.sent_at is None  # stored in the transaction, not sent yet
    wait_until(lambda: OutgoingMail.objects.get().sent_at is not None, timeout=60, what="delivery")
    stored = OutgoingMail.objects.get()
    assert stored.attempts == 3 and stored.last_error == ""
    messages = delivered(outbox)
    assert len(messages) == 1 and messages[0]["To"] == user.email
    # The job running again (a duplicate, a requeue) sends nothing.
    assert task_mail.deliver(stored.pk) == "already sent"
    queue.enqueue_now(task_mail.deliver, stored.pk)
    wait_until(lambda: queue.queue().count == 0, what="the duplicate job to run")
    assert len(delivered(outbox)) == 1


def test_a_rollback_queues_nothing(broker):
    user = make_user()
    with pytest.raises(RuntimeError), transaction.atomic():
        send_after_commit("emails/join_approved", [user], CONTEXT)
        raise RuntimeError("the change failed")
    assert not OutgoingMail.objects.exists() and queue.queue().count == 0


def test_a_message_whose_job_was_lost_is_sent_by_the_requeue(broker, worker, outbox):
    user = make_user()
    with transaction.atomic():
        send_after_commit("emails/join_approved", [user], CONTEXT)
    broker.flushdb()  # Redis lost the job (restart without persistence)
    OutgoingMail.objects.update(created_at=OutgoingMail.objects.get().created_at.replace(year=2000))
    assert task_mail.requeue_unsent() == 1
    wait_until(lambda: OutgoingMail.objects.get().sent_at is not None, timeout=60, what="delivery")
    assert len(delivered(outbox)) == 1


def run_command(*args, **env) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "TASKS_REDIS_URL": TASKS_REDIS_URL,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_large_import_refreshes_matching_in_the_background(broker, settings):
    settings.TASKS_BULK_THRESHOLD = 3
    technologies = [make_technology(title=f"Imported solar cell {n}") for n in range(3)]
    Representation.objects.filter(kind=ListingKind.TECHNOLOGY).delete()
    with transaction.atomic():
        listings_bulk_changed.send(sender=Technology, listings=technologies)
    assert not Representation.objects.exists()  # not inline: queued for the worker
    assert queue.queue().count == 1
    output = run_command("run_worker", "--burst")
    assert "after 1 job(s)" in output
    ids = {t.pk for t in technologies}
    assert (
        set(
            Representation.objects.filter(kind=ListingKind.TECHNOLOGY).values_list(
                "listing_id", flat=True
            )
        )
        == ids
    )


def test_the_scheduler_queues_the_periodic_jobs_and_the_worker_runs_them(broker):
    output = run_command("run_scheduler", "--once")
    assert "queued send_digests" in output and "Queued 4 periodic job(s)." in output
    assert "queued rebuild_suggestions" in output
    assert queue.queue().count == 4
    assert "after 4 job(s)" in run_command("run_worker", "--burst")
    assert queue.queue().count == 0 and queue.queue().failed_job_registry.count == 0


@pytest.mark.suggestions_after_commit
def test_a_published_technology_enters_stored_suggestions_through_the_worker(broker):
    from matching.models import Suggestion
    from tests.factories import make_need

    need = make_need(title="Hydrogen storage tank", fields=("hydrogen-fuel-cells",))
    run_command("run_worker", "--burst")
    technology = make_technology(
        title="Hydrogen storage tank, composite",
        summary="A light hydrogen storage tank.",
        fields=("hydrogen-fuel-cells",),
    )
    assert not Suggestion.objects.exists()  # queued after commit, not run inline
    assert queue.queue().count == 1
    assert "after 1 job(s)" in run_command("run_worker", "--burst")
    assert Suggestion.objects.filter(
        need=need, technology=technology, for_need=True, rank=1
    ).exists()
    assert Suggestion.objects.filter(need=need, technology=technology, for_need=False).exists()
