from django.core.management.base import BaseCommand

from listings.lifecycle import Action
from listings.services import TransitionError, transition
from needs.models import Need


class Command(BaseCommand):
    help = "Move published needs whose deadline has passed to “expired” (logged and e-mailed)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List them without changing.")

    def handle(self, *args, dry_run=False, **options):
        expired = skipped = 0
        for need in Need.objects.past_deadline().order_by("deadline", "pk").iterator():
            if dry_run:
                self.stdout.write(f"would expire #{need.pk} {need.title} ({need.deadline})")
                expired += 1
                continue
            try:
                transition(need, Action.EXPIRE, None)
            except TransitionError as error:  # changed state meanwhile
                skipped += 1
                self.stderr.write(f"skipped #{need.pk}: {error}")
                continue
            expired += 1
            self.stdout.write(f"expired #{need.pk} {need.title} (deadline {need.deadline})")
        verb = "would expire" if dry_run else "expired"
        self.stdout.write(self.style.SUCCESS(f"expire_needs: {verb} {expired}, skipped {skipped}."))
