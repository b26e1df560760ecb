"""Measure the matching engine on a bundle with judgments, in a throwaway database.

    python manage.py evaluate_matching BUNDLE [--json OUT]

The bundle is imported (published) into a new, temporary PostgreSQL database on the configured
server (never the user's data); every need of the bundle is ranked by the same engine the pages
use; per-need and mean nDCG@10 and recall@10 are printed; --json writes the top 20 technology
keys per need. The database is dropped at the end.

    python manage.py evaluate_matching BUNDLE --among portal_bench

ranks the bundle's needs among the listings of an existing database instead (e.g. the
benchmark's 100,000 generated technologies, kept with `bench --keep`): the bundle is imported
and ranked inside one transaction that is rolled back, so that database is left as it was. The
configured database is refused.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import connection, transaction

from matching.metrics import ndcg_at, recall_at

TOP = 20


class Command(BaseCommand):
    help = "Evaluate the matching engine on a bundle with judgments (nDCG@10, recall@10)."

    def add_arguments(self, parser):
        parser.add_argument("bundle")
        parser.add_argument(
            "--json", dest="json_out", help="Write the ranked technology keys per need."
        )
        parser.add_argument(
            "--among",
            metavar="DATABASE",
            help="Rank among the listings of this existing database (e.g. a kept bench "
            "database), in a transaction rolled back at the end.",
        )
        parser.add_argument(
            "--in-this-database",
            choices=["migrate", "rollback"],
            help="Internal: run inside the throwaway database (migrate) or --among (rollback).",
        )

    def handle(self, bundle, json_out=None, in_this_database=False, among=None, **options):
        path = Path(bundle).resolve()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {bundle}: {error}") from error
        if not isinstance(data, dict) or not data.get("judgments"):
            raise CommandError("the bundle has no judgments to evaluate against")
        if in_this_database == "rollback":
            return self.evaluate_and_roll_back(path, data, json_out)
        if in_this_database:
            return self.evaluate(path, data, json_out)
        if among:
            if among == settings.DATABASES["default"]["NAME"]:
                raise CommandError(f"{among!r} is the configured database: choose another one")
            self.stdout.write(f"ranking among the listings of {among} (rolled back at the end)")
            return self.run_in(among, path, json_out, "rollback")
        return self.run_in_throwaway_database(path, json_out)

    def run_in(self, name, path, json_out, mode="migrate"):
        db = settings.DATABASES["default"]
        env = {**os.environ, "DATABASE_URL": _url(db, name)}
        args = [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "evaluate_matching",
            str(path),
            "--in-this-database",
            mode,
        ]
        if json_out:
            args += ["--json", str(Path(json_out).resolve())]
        result = subprocess.run(args, env=env, cwd=settings.BASE_DIR, check=False)
        if result.returncode:
            raise CommandError("evaluation failed (see above)")

    def run_in_throwaway_database(self, path, json_out):
        db = settings.DATABASES["default"]
        name = f"portal_eval_{uuid.uuid4().hex[:10]}"
        admin = _connect(db, "postgres")
        admin.autocommit = True
        self.stdout.write(f"creating throwaway database {name}")
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            self.run_in(name, path, json_out)
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
            self.stdout.write(f"dropped {name}")

    def evaluate_and_roll_back(self, path, data, json_out):
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "that database is not migrated to this code: run `manage.py migrate` on it "
                "(`bench --reuse` does)"
            )
        with transaction.atomic():
            self.evaluate(path, data, json_out, migrate=False)
            transaction.set_rollback(True)
        self.stdout.write("rolled back: the database is as it was")

    def evaluate(self, path, data, json_out, migrate=True):
        from listings.models import Technology
        from matching import engine
        from needs.models import Need

        if migrate:
            self.stdout.write("migrating the throwaway database …")
            call_command("migrate", verbosity=0)
        started = time.monotonic()
        call_command("import_bundle", str(path), "--publish", stdout=self.stdout)
        self.stdout.write(f"imported and represented in {time.monotonic() - started:.1f} s")

        wanted = [t["key"] for t in data.get("technologies", [])]
        keys = dict(
            Technology.objects.filter(import_key__in=wanted).values_list("pk", "import_key")
        )
        needs = {n.import_key: n for n in Need.objects.filter(import_key__in=data["judgments"])}
        results, rankings, timings = {}, {}, []
        for number, (need_key, judged) in enumerate(sorted(data["judgments"].items()), 1):
            need = needs.get(need_key)
            if need is None:
                raise CommandError(f"judged need {need_key} is not in the bundle")
            t0 = time.monotonic()
            # a technology outside the bundle (--among) is shown by its id
            ranked = [
                keys.get(r.listing_id, f"#{r.listing_id}") for r in engine.rank(need, limit=TOP)
            ]
            timings.append(time.monotonic() - t0)
            rankings[need_key] = ranked
            results[need_key] = (ndcg_at(ranked, judged), recall_at(ranked, judged))
            self.stdout.write(
                f"[{number}/{len(data['judgments'])}] {need_key:<14} nDCG@10 {results[need_key][0]:.3f}  recall@10 {results[need_key][1]:.3f}"
            )
        n = len(results)
        mean_ndcg = sum(r[0] for r in results.values()) / n
        mean_recall = sum(r[1] for r in results.values()) / n
        if json_out:
            Path(json_out).write_text(
                json.dumps(rankings, indent=2, ensure_ascii=False), encoding="utf-8"
            )
            self.stdout.write(f"wrote {json_out}")
        median_ms = sorted(timings)[len(timings) // 2] * 1000
        self.stdout.write(
            self.style.SUCCESS(
                f"evaluate_matching: {n} needs, mean nDCG@10 {mean_ndcg:.3f}, mean recall@10 {mean_recall:.3f} "
                f"(median {median_ms:.0f} ms per need)"
            )
        )


def _connect(db, dbname):
    return psycopg2.connect(
        dbname=dbname,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )


def _url(db, name):
    from urllib.parse import quote

    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or ""
    if host.startswith("/"):
        return f"postgresql://{auth}/{name}?host={quote(host)}" + (
            f"&port={db['PORT']}" if db.get("PORT") else ""
        )
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{name}"
