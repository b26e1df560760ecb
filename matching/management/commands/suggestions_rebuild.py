"""Recompute every stored suggestion list:
`python manage.py suggestions_rebuild [--workers N] [--compare [--sample N]]`.

The nightly safety net of the incremental refresh (matching.suggestions; the scheduler runs it
daily): document frequencies and norms are recomputed first (they drift as listings come and
go), then each open need's list is stored again (one ranking each) and every published
technology's, ranked against the open needs held in memory (matching.batch; ``--workers``
processes). Prints progress and a one-line summary. ``--compare`` writes nothing: it ranks
every list (or ``--sample N`` of each kind) afresh with ``engine.rank`` and reports how far the
stored lists are from it (how stale the incremental refresh left them).
"""

import time

from django.core.management import BaseCommand

from matching import suggestions
from matching.representation import recompute_norms


class Command(BaseCommand):
    help = (
        "Recompute every stored suggestion list (or, with --compare, measure how stale they are)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--compare",
            action="store_true",
            help="Write nothing: compare the stored lists with a fresh ranking.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="Processes ranking the technologies' lists (default 2).",
        )
        parser.add_argument(
            "--sample",
            type=int,
            metavar="N",
            help="With --compare: at most N lists of each kind, spread evenly.",
        )

    def handle(self, compare=False, sample=None, workers=2, **options):
        started = time.monotonic()
        if compare:
            return self.compare(started, sample)
        self.stdout.write("document frequencies and norms …")
        recompute_norms()
        norms = time.monotonic() - started
        side_started = {}

        def progress(name, done, total):
            if not done:
                side_started[name] = time.monotonic()
                return
            rate = done / max(time.monotonic() - side_started[name], 1e-6)
            left = (total - done) / rate / 60
            self.stdout.write(
                f"  {name}: {done:,}/{total:,} lists ({rate:,.1f}/s, ~{left:,.0f} min left)"
            )

        counts = suggestions.rebuild_all(progress, workers=max(workers, 1))
        self.stdout.write(
            self.style.SUCCESS(
                f"suggestions_rebuild: {counts['needs']:,} need lists and "
                f"{counts['technologies']:,} technology lists in "
                f"{time.monotonic() - started:.1f} s (frequencies and norms {norms:.1f} s)."
            )
        )

    def compare(self, started, sample):
        parts = []
        for is_need, name in ((True, "need"), (False, "technology")):
            f = suggestions.compare(is_need, sample=sample)
            self.stdout.write(
                f"  {name} lists: {f['lists']:,} compared, {f['differ']:,} differ; "
                f"{f['missing']:,} entries missing, {f['extra']:,} stale entries, "
                f"largest rank shift {f['max_shift']}"
            )
            parts.append(f"{name} lists {f['differ']:,}/{f['lists']:,} differ")
        self.stdout.write(
            self.style.SUCCESS(
                f"suggestions_rebuild --compare: {'; '.join(parts)} "
                f"({time.monotonic() - started:.1f} s, nothing written)."
            )
        )
