"""Fold the analytics event log into daily counts (cron: shortly after midnight, e.g.
`10 0 * * * manage.py fold_views`; running it more often is harmless)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from analytics.services import fold_views


class Command(BaseCommand):
    help = "Fold views and appearances of complete days into daily counts, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="Listings per batch.")
        parser.add_argument(
            "--before",
            help="Fold days before this date (YYYY-MM-DD); default today, which is never folded.",
        )

    def handle(self, *args, batch_size, before, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            before = date.fromisoformat(before) if before else None
        except ValueError as error:
            raise CommandError(f"--before: {error}") from error

        def progress(result):
            self.stdout.write(
                f"  batch {result.batches}: {result.listings} listings, {result.events} events"
            )

        result = fold_views(before=before, batch_size=batch_size, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Folded {result.events} events of {result.listings} listings "
                f"in {result.batches} batches."
            )
        )
