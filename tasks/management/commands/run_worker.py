"""Run the background worker: `python manage.py run_worker [--burst]`.

Executes the jobs of the `portal` queue on TASKS_REDIS_URL (e-mail, digests, matching
refreshes) in this process, one at a time; failed jobs are retried after
TASKS_RETRY_INTERVALS (the worker's scheduler moves them back). Run as many as the load needs.
"""

from django.core.management import BaseCommand, CommandError
from django.db import close_old_connections
from rq import SimpleWorker

from tasks import queue


class DjangoWorker(SimpleWorker):
    """Runs jobs in this process (no fork: the database connections stay Django's), closing
    broken or expired connections around each job as a request would."""

    jobs_done = 0

    def perform_job(self, job, queue):
        close_old_connections()
        try:
            return super().perform_job(job, queue)
        finally:
            self.jobs_done += 1
            close_old_connections()


class Command(BaseCommand):
    help = "Run the background worker for the queue on TASKS_REDIS_URL."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Stop when the queue is empty.")

    def handle(self, burst=False, **options):
        if not queue.broker_configured():
            raise CommandError("TASKS_REDIS_URL is not set: jobs run inline, no worker is needed.")
        q = queue.queue()
        worker = DjangoWorker([q], connection=q.connection)
        self.stdout.write(f"Worker {worker.name} on queue {q.name} ({'burst' if burst else 'on'}).")
        worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
        self.stdout.write(f"Worker stopped after {worker.jobs_done} job(s).")
