"""Export published technologies and needs as a JSON exchange bundle (data/README.md)."""

import json
import sys
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from bundles.exporter import export_bundle


class Command(BaseCommand):
    help = "Write published technologies and needs, and their organisations, as a JSON bundle."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="File to write (default: standard output).")

    def handle(self, *args, out=None, **options):
        bundle = export_bundle()
        text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
        counts = ", ".join(f"{len(items)} {name}" for name, items in bundle.items())
        if out:
            try:
                Path(out).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot write {out}: {exc.strerror}") from exc
            self.stdout.write(self.style.SUCCESS(f"exported: {counts} to {out}"))
        else:
            self.stdout.write(text, ending="")
            # The summary goes to stderr so that standard output stays a valid bundle.
            sys.stderr.write(f"exported: {counts}\n")
