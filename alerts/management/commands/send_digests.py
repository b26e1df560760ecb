"""Send the saved-search and follow digests that are due (cron: every 5 minutes)."""

import time

from django.core.management.base import BaseCommand

from alerts.services import send_digests


class Command(BaseCommand):
    help = "Send the saved-search alerts and follow news that are due; safe to re-run."

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(done, total):
            self.stdout.write(f"  {done}/{total} saved searches")

        summary = send_digests(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Checked {summary.searches} saved searches: {summary.mails} mails with "
                f"{summary.listings} listings; {summary.follow_mails} follow mails with "
                f"{summary.notices} news; {time.monotonic() - started:.1f} s."
            )
        )
