"""`python manage.py bench`: the performance benchmark on a separate, generated database."""

import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bench import database, generate, runner

MARK_START = "<!-- bench:results -->"
MARK_END = "<!-- /bench:results -->"
FULL_SIZE = 100_000


class Command(BaseCommand):
    help = (
        "Create a separate database (default portal_bench) with generated technologies, serve it "
        "with gunicorn and measure the list search, detail, statistics and matching scenarios."
    )

    def add_arguments(self, parser):
        parser.add_argument("--technologies", type=int, default=FULL_SIZE)
        parser.add_argument("--organizations", type=int, default=2_000)
        parser.add_argument(
            "--requests", type=int, default=200, help="measured requests per scenario"
        )
        parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first")
        parser.add_argument(
            "--keep", action="store_true", help="keep the bench database afterwards"
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="reuse a kept bench database instead of regenerating it (implies --keep)",
        )
        parser.add_argument("--database", default="portal_bench", help="name of the bench database")
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument(
            "--only",
            action="append",
            help="run only this scenario (repeatable), e.g. 'technology detail'",
        )
        parser.add_argument(
            "--output",
            help="Markdown file to update with the figures (default: docs/performance.md for a "
            f"full-size run of {FULL_SIZE:,} technologies, none otherwise)",
        )
        parser.add_argument(
            "--inside", action="store_true", help="(internal) the run on the bench database"
        )
        parser.add_argument("--command-line", default="", help="(internal)")

    def out(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def handle(self, *args, **options):
        if options["inside"]:
            return self.inside(options)
        name = options["database"]
        command_line = "python manage.py bench " + shlex.join(sys.argv[2:])
        try:
            database.check_name(name)
        except database.BenchDatabaseError as error:
            raise CommandError(str(error)) from error
        started = time.monotonic()
        workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        env = database.bench_environment(
            database.bench_url(name), str(workdir / "static"), str(workdir / "media")
        )
        try:
            if options["reuse"] and database.exists(name):
                self.out(f"Reusing the bench database “{name}”.")
            else:
                self.out(f"Creating the bench database “{name}” next to the configured one…")
                database.create(name)
            self.out("Migrating it (subprocess)…")
            database.run_manage(["migrate", "--noinput", "--verbosity", "0"], env)
            forwarded = ["--inside", "--command-line", command_line]
            for option in ("technologies", "organizations", "requests", "warmup", "seed", "output"):
                if options[option] is not None:
                    forwarded += [f"--{option}", str(options[option])]
            for only in options["only"] or []:
                forwarded += ["--only", only]
            database.run_manage(["bench", *forwarded], env)
        except database.BenchDatabaseError as error:
            raise CommandError(str(error)) from error
        finally:
            if options["keep"] or options["reuse"]:
                self.out(
                    f"Kept the bench database “{name}” (run without --keep and --reuse to drop it)."
                )
            else:
                database.drop(name)
                self.out(f"Dropped the bench database “{name}”.")
            shutil.rmtree(workdir, ignore_errors=True)
        self.out(f"Benchmark finished in {time.monotonic() - started:.0f} s.")

    def inside(self, options):
        """Runs in a subprocess whose DATABASE_URL is the bench database."""
        plan = generate.Plan(
            technologies=options["technologies"],
            organizations=options["organizations"],
            seed=options["seed"],
        )
        existing = generate.Technology.objects.count()
        if existing:
            self.out(f"The bench database already holds {existing:,} technologies: reusing them.")
        else:
            started = time.monotonic()
            generate.generate(plan, out=self.out)
            self.out(f"Generated in {time.monotonic() - started:.0f} s.")
        generate.analyze(out=self.out)
        counts = generate.counts()
        self.out("Collecting static files (DEBUG is off, as in production)…")
        call_command("collectstatic", interactive=False, verbosity=0)
        ctx = runner.build_context(options["seed"])
        results = runner.run(
            ctx, options["requests"], options["warmup"], out=self.out, only=options["only"]
        )
        self.out("")
        self.out(runner.table(results))
        output = options["output"]
        if output is None and counts["technologies"] >= FULL_SIZE and not options["only"]:
            output = str(settings.BASE_DIR / "docs" / "performance.md")
        if output:
            write_report(Path(output), results, counts, options)
            self.out(f"Figures written to {output}.")
        self.out(
            f"Summary at {counts['technologies']:,} technologies: {runner.summary_line(results)}"
        )


def write_report(path: Path, results, counts: dict, options) -> None:
    """Replace the generated block of the Markdown file (hand-written text around it stays)."""
    facts = runner.machine()
    lines = [
        MARK_START,
        f"### Latest run: {timezone.localtime():%Y-%m-%d %H:%M %Z}",
        "",
        f"Command: `{options['command_line'] or 'python manage.py bench'}` "
        f"({options['warmup']} warm-up requests, then {options['requests']} measured, "
        "sequential, per scenario)",
        "",
        "Machine:",
        "",
        *[f"- {key}: {value}" for key, value in facts.items()],
        "",
        "Data set:",
        "",
        *[f"- {key}: {value:,}" for key, value in counts.items()],
        "",
        runner.table(results),
        "",
        f"Summary: {runner.summary_line(results)}",
        MARK_END,
    ]
    block = "\n".join(lines)
    text = path.read_text() if path.exists() else ""
    if MARK_START in text and MARK_END in text:
        before, rest = text.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1]
        text = before + block + after
    else:
        text = (text.rstrip() + "\n\n" if text else "# Performance\n\n") + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
