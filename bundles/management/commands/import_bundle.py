"""Import a JSON exchange bundle (data/README.md): organisations, technologies and needs."""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from bundles.files import BundleFormatError, load_json
from bundles.importer import import_bundle
from bundles.validation import BundleInvalid


class Command(BaseCommand):
    help = (
        "Import a JSON bundle of organisations, technologies and needs. Every item is validated "
        "like the web forms; a bundle with any error is refused as a whole and nothing is written. "
        "Importing the same bundle again updates the same rows (by key)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON bundle.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the items directly instead of sending them to the moderation queue.",
        )

    def handle(self, *args, file, publish=False, **options):
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            bundle = load_json(raw)
        except BundleFormatError as exc:
            raise CommandError(f"{path}: {exc}") from exc

        self.stdout.write(
            f"importing {path} ({'publish' if publish else 'to the moderation queue'})"
        )
        verbosity = options.get("verbosity", 1)
        done = {}

        def progress(item):
            section = item.section.name
            done[section] = done.get(section, 0) + 1
            if verbosity >= 2:
                self.stdout.write(f"  {section}: {item.key} {item.action}")
            elif done[section] % 25 == 0:
                self.stdout.write(f"  {section}: {done[section]} done")

        try:
            plan = import_bundle(bundle, publish=publish, progress=progress)
        except BundleInvalid as exc:
            for error in exc.errors:
                self.stderr.write(f"  {error}")
            raise CommandError(
                f"bundle refused: {len(exc.errors)} errors (key · field · message); nothing was written"
            ) from exc
        self.stdout.write(self.style.SUCCESS(plan.summary()))
