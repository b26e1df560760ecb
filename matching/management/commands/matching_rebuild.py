"""Recompute the matching representation of every technology and need.

    python manage.py matching_rebuild [--workers N] [--kind technology|need]

Run after a change to the text analysis or its glossaries (matching/text/,
matching/data/): stored vectors, postings, document frequencies and norms are rebuilt with
matching.bulk.rebuild (worker processes, COPY). Prints progress per chunk and a one-line summary.
"""

import time

from django.core.management import BaseCommand

from matching import bulk
from matching.models import ListingKind

KINDS = {"technology": ListingKind.TECHNOLOGY, "need": ListingKind.NEED}


class Command(BaseCommand):
    help = "Recompute the stored matching representation of all technologies and needs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers", type=int, default=2, help="Worker processes for the analysis (default 2)."
        )
        parser.add_argument("--kind", choices=sorted(KINDS), help="Only this kind (default: both).")

    def handle(self, workers=2, kind=None, **options):
        started = time.monotonic()
        counts = {}
        for name, value in KINDS.items():
            if kind and name != kind:
                continue
            self.stdout.write(f"{name}: rebuilding ...")

            def progress(done, name=name):
                self.stdout.write(f"  {name}: {done} done ({time.monotonic() - started:.1f} s)")

            counts[name] = bulk.rebuild(value, workers=max(workers, 1), progress=progress)
        summary = ", ".join(f"{n} {name} representation(s)" for name, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {summary} in {time.monotonic() - started:.1f} s.")
        )
