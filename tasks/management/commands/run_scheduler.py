"""Run the periodic jobs: `python manage.py run_scheduler [--once]`.

Every minute it queues (or, without a broker, runs) what is due: the digests every 5 minutes,
unsent e-mail again every 30 minutes (a job lost with Redis is not a lost message), expired needs
daily, and every stored suggestion list rebuilt daily (the safety net of the incremental refresh). Run exactly one scheduler; the jobs are idempotent, so a second one or a restart sends
nothing twice. `matching_rebuild` stays a command for a quiet hour (see README).
"""

import time

from django.core.management import BaseCommand
from django.db import close_old_connections

from tasks import jobs, queue

#: (job, period in seconds)
SCHEDULE = [
    (jobs.send_digests, 5 * 60),
    (jobs.requeue_unsent_mail, 30 * 60),
    (jobs.expire_needs, 24 * 3600),
    (jobs.rebuild_suggestions, 24 * 3600),
]


class Command(BaseCommand):
    help = "Queue the periodic jobs when they are due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Queue every job once and stop.")

    def handle(self, once=False, **options):
        last_run: dict = {}
        while True:
            now = time.monotonic()
            for job, period in SCHEDULE:
                if job in last_run and now - last_run[job] < period:
                    continue
                close_old_connections()
                queue.enqueue_now(job)
                last_run[job] = now
                self.stdout.write(f"queued {job.__name__}")
            if once:
                self.stdout.write(f"Queued {len(SCHEDULE)} periodic job(s).")
                return
            time.sleep(60)
