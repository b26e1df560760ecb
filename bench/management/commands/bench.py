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

from bench import database, generate, load, runner
from bench import matching as bench_matching

MARK_START = "<!-- bench:results -->"
MARK_END = "<!-- /bench:results -->"
FULL_SIZE = 100_000
VALUE_OPTIONS = (
    "technologies", "organizations", "requests", "warmup", "seed", "output",
    "clients", "seconds", "load_workers", "needs",
)  # fmt: skip
SCALE_START = "<!-- bench:scale-out {size} -->"
SCALE_END = "<!-- /bench:scale-out {size} -->"


class Command(BaseCommand):
    help = (
        "Create a separate database (default portal_bench) with generated technologies, serve it "
        "with gunicorn and measure the list search, detail, statistics and matching scenarios."
    )

    def add_arguments(self, parser):
        parser.add_argument("--technologies", type=int, default=FULL_SIZE)
        parser.add_argument("--organizations", type=int, default=2_000)
        parser.add_argument(
            "--needs",
            type=int,
            help="published needs made for the matching scenarios (default: one for every "
            f"{bench_matching.TECHNOLOGIES_PER_NEED} technologies; the hub values that "
            "matching takes off depend on how many needs are open: docs/matching.md)",
        )
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
            "--clients", type=int, default=32, help="mixed load: concurrent clients (0: no load)"
        )
        parser.add_argument(
            "--seconds", type=float, default=60, help="mixed load: measured seconds per run"
        )
        parser.add_argument(
            "--load-workers", type=int, default=4, help="mixed load: gunicorn worker processes"
        )
        parser.add_argument(
            "--scale-out",
            action="store_true",
            help="also run the mixed load against 1 and 2 app servers, without and with a "
            "streaming read replica (writes docs/scaling.md's block for this size)",
        )
        parser.add_argument(
            "--cold-restart",
            action="store_true",
            help="restart the PostgreSQL server before each cold measurement (empties its "
            "buffers; ends every other connection to it: only on a machine nobody else uses)",
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
        if options["needs"] is None:
            options["needs"] = bench_matching.needs_for(options["technologies"])
        if options["needs"] < 1:
            raise CommandError("--needs: at least 1 (the matching scenarios rank a bench need)")
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
            for option in VALUE_OPTIONS:
                if options[option] is not None:
                    forwarded += [f"--{option.replace('_', '-')}", str(options[option])]
            for flag in ("scale_out", "cold_restart"):
                if options[flag]:
                    forwarded.append(f"--{flag.replace('_', '-')}")
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
        ctx.extra["needs_wanted"] = options["needs"]
        report = runner.run(
            ctx,
            runner.Options(
                requests=options["requests"],
                warmup=options["warmup"],
                only=options["only"],
                cold_restart=options["cold_restart"],
                clients=options["clients"],
                seconds=options["seconds"],
                load_workers=options["load_workers"],
                scale_out=options["scale_out"],
                out=self.out,
            ),
        )
        sizes = runner.sizes()
        self.out("")
        self.out(runner.table(report.results))
        self.out("")
        self.out(runner.page_sql_table(report.results))
        if report.loads:
            self.out("")
            self.out(load.table(report.loads))
        output = options["output"]
        if output is None and counts["technologies"] >= FULL_SIZE and not options["only"]:
            output = str(settings.BASE_DIR / "docs" / "performance.md")
        if output:
            write_report(Path(output), report, counts, sizes, options)
            self.out(f"Figures written to {output}.")
        if report.scale_out:
            self.out("")
            self.out(load.table(report.scale_out))
            path = settings.BASE_DIR / "docs" / "scaling.md"
            write_scale_out(path, report, counts, sizes, options)
            self.out(f"Scale-out figures written to {path}.")
        loads = "; ".join(
            f"load {r.label.split(':')[0]} {r.rate:.1f} req/s p95 {r.p95:.0f} ms "
            f"({sum(r.errors.values())} errors, {r.worker_timeouts} worker timeouts)"
            for r in report.loads
        )
        self.out(
            f"Summary at {counts['technologies']:,} technologies: "
            f"{runner.summary_line(report.results)}" + (f"; {loads}" if loads else "")
        )


def header(options, counts: dict, sizes: dict) -> list[str]:
    facts = runner.machine()
    return [
        f"Command: `{options['command_line'] or 'python manage.py bench'}`",
        "",
        "Machine (shared: the load average column says how busy it was):",
        "",
        *[f"- {key}: {value}" for key, value in facts.items()],
        "",
        "Data set:",
        "",
        *[f"- {key}: {value:,}" for key, value in counts.items()],
        *[f"- size of the {key}: {value}" for key, value in sizes.items()],
    ]


def write_report(path: Path, report, counts: dict, sizes: dict, options) -> None:
    """Replace the generated block of the Markdown file (hand-written text around it stays)."""
    lines = [
        f"### Latest run: {timezone.localtime():%Y-%m-%d %H:%M %Z}",
        "",
        *header(options, counts, sizes),
        "",
        f"Before the cold pass, {report.warm_note}. "
        f"Cold: measured first, {options['requests']} requests per scenario, after: "
        f"{report.cold_note}. Warm: {options['warmup']} warm-up requests, then the same "
        f"{options['requests']} requests again. Sequential, one client.",
        "",
        runner.table(report.results),
        "",
        "Each page against its own SQL (the first 20 requests of the warm pass, each served "
        "once before, in-process; "
        "the statements captured and replayed on the same connection):",
        "",
        runner.page_sql_table(report.results),
    ]
    if report.loads:
        lines += [
            "",
            f"Mixed load ({', '.join(f'{n} {w}' for n, w, _ in load.MIX)} per 100 requests), "
            f"one app server of {options['load_workers']} gunicorn workers, loopback:",
            "",
            load.table(report.loads),
        ]
    lines += ["", f"Summary: {runner.summary_line(report.results)}"]
    replace_block(path, MARK_START, MARK_END, lines, "# Performance")


def write_scale_out(path: Path, report, counts: dict, sizes: dict, options) -> None:
    size = counts["technologies"]
    lines = [
        f"### {size:,} technologies: {timezone.localtime():%Y-%m-%d %H:%M %Z}",
        "",
        *header(options, counts, sizes),
        "",
        load.table(report.scale_out),
        *[f"\n{note.splitlines()[0]}" for note in report.notes],  # a failed start's log: the
        # first line says why, the rest is in the run's output
    ]
    replace_block(
        path, SCALE_START.format(size=size), SCALE_END.format(size=size), lines, "# Scaling"
    )


def replace_block(path: Path, start: str, end: str, lines: list[str], title: str) -> None:
    """Put `lines` between the markers, replacing what was there, or append them."""
    block = "\n".join([start, *lines, end])
    text = path.read_text() if path.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = (text.rstrip() + "\n\n" if text else f"{title}\n\n") + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
