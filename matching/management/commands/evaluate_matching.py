"""Measure the matching engine on a bundle with judgments, in a throwaway database.

    python manage.py evaluate_matching BUNDLE [--folds FOLDS] [--ablate] [--tune] [--json OUT]

The bundle is imported (published) into a new, temporary PostgreSQL database on the configured
server (never the user's data); every judged need is ranked by the same engine the pages use,
and nDCG@10 and recall@10 are reported by leave-one-batch-out cross-validation over the folds
file (``BUNDLE`` with ``.folds.json`` instead of ``.json`` unless --folds is given): every
fold, the mean over the folds and the worst fold. Norms are recomputed after the import and
every stored list is stored again, technologies' first with their hub values (the state after
the nightly `suggestions_rebuild`). ``--tune`` chooses the engine's tuned values
(matching.options: calibration strength, field weight) from a small grid on the training folds
and scores them on the held-out fold. ``--ablate`` repeats the measure with each part of the
engine switched off (matching.options.PARTS; text-analysis parts rebuild the representations).
``--variant name=value[,name=value]`` (repeatable) also measures the engine with those options
(e.g. ``field_rarity=0.05``); with ``--nested`` the engine and its variants are also scored
as one nested choice: for each fold, the one best on the six other folds, scored on it (how a
value such as ``field_rarity`` is chosen without looking at the held-out fold). --json writes the top 20 technology keys per need. The database
is dropped at the end.

    python manage.py evaluate_matching BUNDLE --among portal_bench

ranks the bundle's needs among the listings of an existing database instead (e.g. the
benchmark's 100,000 generated technologies, kept with `bench --keep`): the bundle is imported
and ranked inside one transaction that is rolled back, so that database is left as it was. The
configured database is refused. ``--variant`` works there too, for scoring options (a
text-analysis option would rebuild every representation: refused).

    python manage.py evaluate_matching BUNDLE --subsets 5 [--variant ...]

measures the engine (and its variants) on every bundle made of K of the folds, at the size of a
held-out bundle: the needs of those folds, and the technologies judged for one of them or for no
need (a technology judged only for the other folds' needs goes with them). Each is evaluated in
its own throwaway database, as above; a line per draw and a summary over the draws: the mean of
their means, the mean of their worst folds, the lowest draw, and in how many draws the engine
beats each variant. The corpus-wide parts (norms, hub values, the language calibration,
propagation's pool) are then computed at that size, as they would be on a held-out bundle.
"""

import argparse
import contextlib
import dataclasses
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count

from listings import search
from listings.models import Technology
from matching import batch, bulk, engine, suggestions
from matching.labels import TARGETS, thresholds
from matching.metrics import (
    Figures,
    cross_validate,
    mean_figures,
    ndcg_at,
    precision_above,
    recall_at,
    relevant_above,
    threshold_for,
)
from matching.models import ListingKind, Representation
from matching.options import ANALYSIS_PARTS, DEFAULT, PARTS, Options
from matching.representation import recompute_norms
from needs.models import Need

TOP = 20
#: the grid --tune searches on the training folds (the first value of each is the default's).
#: A wider search (field weight 0-0.2, calibration strength 0-1, and fixed per-language factors
#: instead of per-query calibration) lowered the held-out mean: see docs/matching.md.
GRID = {
    "calibration_strength": (DEFAULT.calibration_strength, 0.5),
    "field_weight": (DEFAULT.field_weight, 0.1, 0.2),
}


class Command(BaseCommand):
    help = "Evaluate the matching engine on a bundle with judgments (nDCG@10, recall@10, by fold)."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: {list side: {"shares": {label: [judged relevant, suggested at the pages' threshold]},
        #: "pairs": [(score, grade) of every top-10 suggestion]}}, for --figures-out
        self.label_checks = {}

    def add_arguments(self, parser):
        parser.add_argument("bundle")
        parser.add_argument("--folds", help="Each need's fold (default: BUNDLE.folds.json).")
        parser.add_argument(
            "--ablate", action="store_true", help="Also measure with each part switched off."
        )
        parser.add_argument(
            "--tune",
            action="store_true",
            help="Choose the tuned values on the training folds of each fold.",
        )
        parser.add_argument(
            "--search",
            action="store_true",
            help="Also measure the technologies search with each need's first keyword as query.",
        )
        parser.add_argument(
            "--terms-per-listing",
            help="Also measure with each listing bounded to this many terms (comma-separated "
            "values, 0 = all; each rebuilds the representations).",
        )
        parser.add_argument(
            "--variant",
            action="append",
            default=[],
            help="Also measure with these options (matching.options; name=value, "
            "comma-separated; repeatable), e.g. field_rarity=0.1. With --among only scoring "
            "options (no rebuild).",
        )
        parser.add_argument(
            "--nested",
            action="store_true",
            help="Also score the engine and its --variant values as one choice made on the "
            "training folds of each fold (nested cross-validation).",
        )
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
            "--subsets",
            type=int,
            metavar="K",
            help="Measure on every bundle made of K of the folds (the needs of those folds and "
            "the technologies not judged only for the others), each in its own database.",
        )
        parser.add_argument("--figures-out", help=argparse.SUPPRESS)
        parser.add_argument(
            "--in-this-database",
            choices=["migrate", "rollback"],
            help="Internal: run inside the throwaway database (migrate) or --among (rollback).",
        )

    def handle(self, bundle, in_this_database=False, among=None, **options):
        path = Path(bundle).resolve()
        data = _read_json(path, "bundle")
        if not isinstance(data, dict) or not data.get("judgments"):
            raise CommandError("the bundle has no judgments to evaluate against")
        folds_path = Path(options["folds"] or path.with_suffix("").as_posix() + ".folds.json")
        folds = _folds(folds_path, data["judgments"]) if folds_path.exists() else None
        if options["folds"] and folds is None:
            raise CommandError(f"cannot read {options['folds']}")
        if among and options["ablate"]:
            raise CommandError("--ablate rebuilds every representation: not with --among")
        variants = [_variant(text) for text in options["variant"]]
        if among and any(_analysis_of(v) != _analysis_of(DEFAULT) for _, v in variants):
            raise CommandError(
                "a text-analysis option rebuilds every representation: not with --among"
            )
        flags = {
            k: options[k]
            for k in (
                "json_out",
                "ablate",
                "tune",
                "search",
                "terms_per_listing",
                "variant",
                "nested",
                "figures_out",
            )
        }
        flags["folds"] = str(folds_path) if folds else None
        if options["subsets"] is not None:
            if among or in_this_database or options["ablate"] or options["tune"]:
                raise CommandError("--subsets: not with --among, --ablate or --tune")
            if options["json_out"]:
                raise CommandError("--subsets: not with --json (each bundle ranks other needs)")
            if not folds or not 0 < options["subsets"] < len(set(folds.values())):
                raise CommandError(
                    "--subsets K: the bundle needs a folds file with more than K folds"
                )
            return self.evaluate_subsets(data, folds, options["subsets"], flags)
        if in_this_database == "rollback":
            return self.evaluate_and_roll_back(path, data, folds, flags)
        if in_this_database:
            return self.evaluate(path, data, folds, flags)
        if among:
            if among == settings.DATABASES["default"]["NAME"]:
                raise CommandError(f"{among!r} is the configured database: choose another one")
            self.stdout.write(f"ranking among the listings of {among} (rolled back at the end)")
            return self.run_in(among, path, flags, "rollback")
        return self.run_in_throwaway_database(path, flags)

    def run_in(self, name, path, flags, mode="migrate", log=None):
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
        if flags["json_out"]:
            args += ["--json", str(Path(flags["json_out"]).resolve())]
        if flags["folds"]:
            args += ["--folds", flags["folds"]]
        if flags.get("figures_out"):
            args += ["--figures-out", flags["figures_out"]]
        args += [f"--{k}" for k in ("ablate", "tune", "search", "nested") if flags[k]]
        if flags["terms_per_listing"]:
            args += ["--terms-per-listing", flags["terms_per_listing"]]
        for variant in flags["variant"]:
            args += ["--variant", variant]
        with open(log, "w") if log else contextlib.nullcontext() as out:
            result = subprocess.run(
                args, env=env, cwd=settings.BASE_DIR, check=False, stdout=out, stderr=out
            )
        if result.returncode:
            raise CommandError(f"evaluation failed (see {log or 'above'})")

    def run_in_throwaway_database(self, path, flags, log=None):
        db = settings.DATABASES["default"]
        name = f"portal_eval_{uuid.uuid4().hex[:10]}"
        admin = _connect(db, "postgres")
        admin.autocommit = True
        if not log:
            self.stdout.write(f"creating throwaway database {name}")
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            self.run_in(name, path, flags, log=log)
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
            if not log:
                self.stdout.write(f"dropped {name}")

    def evaluate_subsets(self, data, folds, size, flags):
        """Every bundle of ``size`` folds, each evaluated in its own throwaway database; a line
        per draw, then the summary over the draws."""
        combos = list(itertools.combinations(sorted(set(folds.values()), key=str), size))
        draws, label_checks = [], []
        self.stdout.write(f"{len(combos)} bundles of {size} folds, each in a throwaway database")
        with tempfile.TemporaryDirectory(prefix="subsets-") as folder:
            for number, keep in enumerate(combos, 1):
                name = "folds-" + "-".join(keep)
                sub = _sub_bundle(data, folds, keep)
                path = Path(folder) / f"{name}.json"
                path.write_text(json.dumps(sub, ensure_ascii=False), encoding="utf-8")
                sub_folds = {k: folds[k] for k in sub["judgments"]}
                Path(folder, f"{name}.folds.json").write_text(json.dumps({"folds": sub_folds}))
                out = Path(folder) / f"{name}.figures.json"
                log = Path(folder) / f"{name}.log"
                draw_flags = {
                    **flags,
                    "json_out": None,
                    "folds": str(Path(folder) / f"{name}.folds.json"),
                    "figures_out": str(out),
                }
                try:
                    self.run_in_throwaway_database(path, draw_flags, log=log)
                except CommandError:
                    # the folder goes with the error: show what the draw printed first
                    self.stderr.write(log.read_text(encoding="utf-8", errors="replace")[-4000:])
                    raise
                figures = json.loads(out.read_text())
                rows = figures["variants"]
                draws.append(rows)
                label_checks.append(figures["labels"])
                self.stdout.write(
                    f"[{number}/{len(combos)}] folds {', '.join(keep)}: "
                    f"{len(sub['judgments'])} needs, {len(sub['technologies'])} technologies; "
                    + "; ".join(f"{label} {_pair(row['mean'])}" for label, row in rows.items())
                )
        summary = _summarise_draws(draws)
        self.stdout.write(f"over {len(draws)} bundles of {size} folds:")
        for line in summary + _summarise_labels(label_checks):
            self.stdout.write("  " + line)
        engine = [d["full engine"] for d in draws]
        mean, lowest = _mean_of(engine, "mean"), _lowest(engine)
        self.stdout.write(
            self.style.SUCCESS(
                f"evaluate_matching --subsets {size}: {len(draws)} bundles, the engine's mean "
                f"nDCG@10 {mean[0]:.3f} recall@10 {mean[1]:.3f}, lowest bundle {_pair(lowest)}"
            )
        )

    def evaluate_and_roll_back(self, path, data, folds, flags):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "that database is not migrated to this code: run `manage.py migrate` on it "
                "(`bench --reuse` does)"
            )
        with transaction.atomic():
            self.evaluate(path, data, folds, flags, migrate=False)
            transaction.set_rollback(True)
        self.stdout.write("rolled back: the database is as it was")

    def evaluate(self, path, data, folds, flags, migrate=True):
        if migrate:
            self.stdout.write("migrating the throwaway database …")
            call_command("migrate", verbosity=0)
        started = time.monotonic()
        call_command("import_bundle", str(path), "--publish", stdout=self.stdout)
        # The import represents technologies before needs, so the technologies' norms miss the
        # needs' terms until the nightly `matching_rebuild`: measure the aligned state.
        recompute_norms()
        self.stdout.write(f"imported and represented in {time.monotonic() - started:.1f} s")
        self.store_lists()
        folds = folds or {key: "all" for key in data["judgments"]}
        variants = [("full engine", DEFAULT)]
        if flags["ablate"]:
            variants += [(f"no {part}", DEFAULT.without(part)) for part in PARTS]
        variants += [_variant(text) for text in flags["variant"]]
        for limit in _limits(flags["terms_per_listing"]):
            variants.append(
                (f"{limit or 'all'} terms per listing", DEFAULT.but(terms_per_listing=limit))
            )
        built, rows, timings, choices, mixes = DEFAULT, [], [], {}, []
        catalogue = _catalogue_languages()
        for number, (label, options) in enumerate(variants, 1):
            analysis = _analysis_of(options)
            if analysis != _analysis_of(built):
                self.rebuild(analysis)
                built = analysis
            settings_ = _grid(options) if flags["tune"] else {"default": options}
            per_setting = {}
            for name, variant in settings_.items():
                per_setting[name], rankings, pairs, mix = self.measure(data, variant, timings)
                if name == "default":
                    mixes.append(mix)
                if number == 1 and name == "default":
                    labelled = pairs
                if number == 1 and name == "default" and flags["json_out"]:
                    Path(flags["json_out"]).write_text(
                        json.dumps(rankings, indent=2, ensure_ascii=False), encoding="utf-8"
                    )
            cv = cross_validate(per_setting, folds)
            rows.append((label, cv))
            choices.update({f"{label} ({name})": figures for name, figures in per_setting.items()})
            self.stdout.write(f"[{number}/{len(variants)}] {label}: {_line(cv)}")
            if number == 1:
                self.print_folds(cv, folds)
                self.print_labels(labelled, folds)
                self.print_technology_labels(data, folds)
            else:  # every fold of every variant, on one line (nDCG@10/recall@10, folds in order)
                self.stdout.write("  folds: " + _fold_line(cv))
            self.stdout.write("  languages: " + _mix_line(*mixes[-1], catalogue))
        if flags["nested"] and len(choices) > 1:
            self.print_nested(choices, folds, rows)
        if flags["search"]:
            self.measure_search(data, folds)
        if flags["json_out"]:
            self.stdout.write(f"wrote {flags['json_out']}")
        if len(rows) > 1:
            self.print_ablation(rows)
        if flags.get("figures_out"):
            variants = {
                label: {
                    "mean": [cv.mean.ndcg, cv.mean.recall],
                    "worst": [cv.worst.ndcg, cv.worst.recall],
                }
                for label, cv in rows
            }
            Path(flags["figures_out"]).write_text(
                json.dumps({"variants": variants, "labels": self.label_checks})
            )
        median_ms = sorted(timings)[len(timings) // 2] * 1000
        mean, worst = rows[0][1].mean, rows[0][1].worst
        self.stdout.write(
            self.style.SUCCESS(
                f"evaluate_matching: {len(data['judgments'])} needs in {len(set(folds.values()))} "
                f"folds, mean nDCG@10 {mean.ndcg:.3f} recall@10 {mean.recall:.3f}, worst fold "
                f"{worst.ndcg:.3f} / {worst.recall:.3f} "
                f"(median {median_ms:.0f} ms per ranking)"
            )
        )

    def rebuild(self, options: Options):
        started = time.monotonic()
        for kind in (ListingKind.TECHNOLOGY, ListingKind.NEED):
            bulk.rebuild(kind, options=options)
        recompute_norms()
        self.stdout.write(f"  representations rebuilt in {time.monotonic() - started:.1f} s")
        self.store_lists()

    def store_lists(self):
        """Every suggestion list stored as the nightly `suggestions_rebuild` does: the
        technologies' first, with their hub values (`scoring.take_off_hubs`), which the
        rankings measured here take off."""
        started = time.monotonic()

        def progress(side, done, total):
            if total > batch.CHUNK:
                self.stdout.write(f"  {side}: {done:,}/{total:,} lists stored")

        workers = 2 if Technology.objects.published().count() > batch.CHUNK else 1
        counts = suggestions.rebuild_all(progress, workers=workers)
        self.stdout.write(
            f"  {counts['technologies']:,} technology lists (hub values) and {counts['needs']:,} "
            f"need lists stored in {time.monotonic() - started:.1f} s"
        )

    def measure(self, data, options, timings):
        """{need key: Figures} and {need key: top technology keys} under one options value."""
        wanted = [t["key"] for t in data.get("technologies", [])]
        keys = dict(
            Technology.objects.filter(import_key__in=wanted).values_list("pk", "import_key")
        )
        needs = {n.import_key: n for n in Need.objects.filter(import_key__in=data["judgments"])}
        figures, rankings, pairs, tops = {}, {}, {}, {}
        for need_key, judged in sorted(data["judgments"].items()):
            need = needs.get(need_key)
            if need is None:
                raise CommandError(f"judged need {need_key} is not in the bundle")
            t0 = time.monotonic()
            # a technology outside the bundle (--among) is shown by its id
            result = engine.rank(need, limit=TOP, options=options)
            ranked = [keys.get(r.listing_id, f"#{r.listing_id}") for r in result]
            pairs[need_key] = [
                (r.score, judged.get(key, 0)) for r, key in zip(result[:10], ranked, strict=False)
            ]
            tops[need_key] = (
                need.language,
                [
                    (r.listing_id, key in judged)
                    for r, key in zip(result[:10], ranked, strict=False)
                ],
            )
            timings.append(time.monotonic() - t0)
            rankings[need_key] = ranked
            figures[need_key] = Figures(ndcg_at(ranked, judged), recall_at(ranked, judged))
        return figures, rankings, pairs, (_language_figures(figures, tops), _language_mix(tops))

    def measure_search(self, data, folds):
        """The technologies search (the list page's query) with each judged need's first
        keyword as the query (a whole title, its words ANDed, finds nothing), with and without
        the other-language spellings of its words."""
        wanted = [t["key"] for t in data.get("technologies", [])]
        keys = dict(
            Technology.objects.filter(import_key__in=wanted).values_list("pk", "import_key")
        )
        queries = {n["key"]: (n.get("keywords") or [n["title"]])[0] for n in data.get("needs", [])}
        languages = dict(
            Need.objects.filter(import_key__in=data["judgments"]).values_list(
                "import_key", "language"
            )
        )
        published = Technology.objects.published()
        catalogue = _catalogue_languages()
        for label, make_query in (
            ("search as typed", search.ListingSearchQuery),
            ("search across languages", search.cross_language_query),
        ):
            figures, tops = {}, {}
            for need_key, judged in sorted(data["judgments"].items()):
                ts_query = make_query(queries[need_key])
                ids = list(
                    published.filter(search_vector=ts_query)
                    .annotate(rank=search.relevance(ts_query))
                    .order_by("-rank", "-pk")
                    .values_list("pk", flat=True)[:TOP]
                )
                ranked = [keys.get(pk, f"#{pk}") for pk in ids]
                figures[need_key] = Figures(ndcg_at(ranked, judged), recall_at(ranked, judged))
                tops[need_key] = (
                    languages[need_key],
                    [(pk, key in judged) for pk, key in zip(ids[:10], ranked, strict=False)],
                )
            cv = cross_validate({"-": figures}, folds)
            self.stdout.write(f"{label} (first keyword of each need): {_line(cv)}")
            by_language, mix = _language_figures(figures, tops), _language_mix(tops)
            self.stdout.write("  languages: " + _mix_line(by_language, mix, catalogue))

    def print_technology_labels(self, data, folds):
        """The labels' thresholds for a technology's list of needs: its scores take no hub
        value off and gain no propagation (both are a need's), so the same targets are met
        at other scores. The bundle's technologies' top 10 needs, each pair in its need's
        fold; a need outside the bundle (--among: a generated one, judged by no one, so not
        relevant) counts in every training set and in the all-fold threshold, never held out."""
        bundle = set(data["judgments"])
        grades = {
            (need, tech): grade
            for need, judged in data["judgments"].items()
            for tech, grade in judged.items()
        }
        wanted = [t["key"] for t in data.get("technologies", [])]
        technologies = list(Technology.objects.filter(import_key__in=wanted))
        ranked = {t.import_key: engine.rank(t, limit=10) for t in technologies}
        ids = {r.listing_id for results in ranked.values() for r in results}
        needs = dict(Need.objects.filter(pk__in=ids).values_list("pk", "import_key"))
        pairs, outside = {key: [] for key in bundle}, []
        for tech, results in ranked.items():
            for r in results:
                need = needs[r.listing_id]
                pair = (r.score, grades.get((need, tech), 0))
                (pairs[need] if need in bundle else outside).append(pair)
        self.print_labels(pairs, folds, "a technology's list of needs", outside, for_need=False)

    def print_labels(
        self, pairs, folds, side="a need's list of technologies", outside=(), for_need=True
    ):
        """Score thresholds of the suggestion labels (matching.labels.TARGETS), chosen on the
        training folds and checked on the held-out fold; then on all folds, and the share
        judged relevant at the thresholds the pages use (matching.labels), kept for
        --figures-out. ``outside``: pairs of no fold, in every training set."""
        self.stdout.write(f"  label thresholds, {side} (held-out share judged relevant, by fold):")
        used = thresholds(for_need=for_need)
        everything = [*(p for k in folds for p in pairs[k]), *outside]
        checks = {}
        self.label_checks[side] = {"shares": checks, "pairs": everything}
        for label, (precision, grade) in TARGETS.items():
            shares = []
            for fold in sorted(set(folds.values())):
                train = [p for k, f in folds.items() if f != fold for p in pairs[k]]
                held = [p for k, f in folds.items() if f == fold for p in pairs[k]]
                threshold = threshold_for([*train, *outside], precision, grade)
                share, count = precision_above(held, threshold, grade)
                shares.append(f"{share:.2f}/{count}")
            threshold = threshold_for(everything, precision, grade)
            relevant, count = relevant_above(everything, used[label], grade)
            checks[label] = [relevant, count]
            self.stdout.write(
                f"    {label}: score >= {threshold:.3f} for {precision:.0%} grade >= {grade}; "
                f"held out: {' '.join(shares)}; at the pages' {used[label]:.2f}: "
                f"{relevant / (count or 1):.0%} of {count}"
            )

    def print_nested(self, choices, folds, rows):
        """The engine and its variants as one choice made on each fold's training folds."""
        cv = cross_validate(choices, folds)
        rows.append(("nested choice", cv))
        self.stdout.write(f"nested choice among {len(choices)}: {_line(cv)}")
        self.stdout.write("  folds: " + _fold_line(cv))
        for fold, label in cv.chosen.items():
            self.stdout.write(f"  fold {fold}: {label}")

    def print_folds(self, cv, folds):
        self.stdout.write("  fold  needs  nDCG@10  recall@10  chosen")
        counts = {}
        for fold in folds.values():
            counts[str(fold)] = counts.get(str(fold), 0) + 1
        for fold, figures in cv.folds.items():
            self.stdout.write(
                f"  {fold:>4}  {counts[fold]:>5}  {figures.ndcg:7.3f}  {figures.recall:9.3f}"
                f"  {cv.chosen[fold]}"
            )

    def print_ablation(self, rows):
        self.stdout.write(
            "| variant | mean nDCG@10 | mean recall@10 | worst fold nDCG@10 | worst fold recall@10 |"
        )
        self.stdout.write("|---|---:|---:|---:|---:|")
        for label, cv in rows:
            mean, worst = cv.mean, cv.worst
            self.stdout.write(
                f"| {label} | {mean.ndcg:.3f} | {mean.recall:.3f} | "
                f"{worst.ndcg:.3f} | {worst.recall:.3f} |"
            )


def _sub_bundle(data: dict, folds: dict[str, str], keep) -> dict:
    """The bundle made of the folds ``keep``: their judged needs (with their judgments), and
    the technologies judged for one of them or for no need; a technology judged only for the
    other folds' needs is left out with them. Organisations are kept whole."""
    keep = set(keep)
    needs = {k for k, f in folds.items() if f in keep}
    judged_for = {}
    for need, judged in data["judgments"].items():
        for tech in judged:
            judged_for.setdefault(tech, set()).add(need)
    return {
        **data,
        "needs": [n for n in data.get("needs", []) if n.get("key") in needs],
        "technologies": [
            t
            for t in data.get("technologies", [])
            if t.get("key") not in judged_for or judged_for[t.get("key")] & needs
        ],
        "judgments": {k: v for k, v in data["judgments"].items() if k in needs},
    }


def _mean_of(rows: list[dict], key: str) -> list[float]:
    """[nDCG@10, recall@10]: the mean over the draws' rows of their ``key`` figures."""
    return [sum(r[key][i] for r in rows) / (len(rows) or 1) for i in (0, 1)]


def _lowest(rows: list[dict]) -> list[float]:
    """[nDCG@10, recall@10]: the lowest of the draws' means (maybe two draws)."""
    return [min(r["mean"][i] for r in rows) for i in (0, 1)]


def _summarise_draws(draws: list[dict]) -> list[str]:
    """A line per variant: the mean of the draws' means, the mean of their worst folds, the
    lowest draw's mean, and (for a variant) in how many draws the engine's mean is higher."""
    lines = []
    engine = [d["full engine"] for d in draws]
    for label in draws[0]:
        rows = [d[label] for d in draws]
        n = len(rows)
        line = (
            f"{label}: mean {_pair(_mean_of(rows, 'mean'))}, worst fold "
            f"{_pair(_mean_of(rows, 'worst'))}, lowest bundle {_pair(_lowest(rows))}"
        )
        if label != "full engine":
            wins = [
                sum(e["mean"][i] > r["mean"][i] + 1e-9 for e, r in zip(engine, rows, strict=True))
                for i in (0, 1)
            ]
            line += f"; the engine higher in {wins[0]}/{n} (nDCG@10), {wins[1]}/{n} (recall@10)"
        lines.append(line)
    return lines


def _summarise_labels(checks: list[dict]) -> list[str]:
    """A line per list side and label: the share judged relevant at the pages' threshold, all
    the draws' suggestions together, in how many draws it fell short of its target, and the
    lowest score that keeps the target with every draw's suggestions together."""
    lines = []
    for side in checks[0]:
        pooled = [tuple(pair) for draw in checks for pair in draw[side]["pairs"]]
        for label, (target, grade) in TARGETS.items():
            counts = [draw[side]["shares"][label] for draw in checks]
            relevant, total = sum(c[0] for c in counts), sum(c[1] for c in counts)
            short = [c[0] / c[1] for c in counts if c[1] and c[0] / c[1] < target]
            lines.append(
                f"{side}, {label} ({target:.0%} grade >= {grade}): "
                f"{relevant / (total or 1):.0%} of {total}; short of it in {len(short)}/"
                f"{len(counts)} bundles"
                + (f" (lowest {min(short):.1%})" if short else "")
                + f"; kept from {threshold_for(pooled, target, grade):.3f} in all of them"
            )
    return lines


def _pair(figures) -> str:
    return f"{figures[0]:.3f} / {figures[1]:.3f}"


def _catalogue_languages() -> dict[str, float]:
    """{language: its share of the public technologies}."""
    counts = dict(
        Representation.objects.filter(kind=ListingKind.TECHNOLOGY, public=True)
        .values_list("language")
        .annotate(n=Count("listing_id"))
    )
    total = sum(counts.values()) or 1
    return {language: n / total for language, n in counts.items()}


def _language_figures(figures, tops) -> dict[str, tuple[int, Figures]]:
    """{language: (how many needs, their mean nDCG@10 and recall@10)}, every fold's needs
    together: where the languages stand apart from each other."""
    keys: dict[str, list[str]] = {}
    for need_key, (language, _top) in tops.items():
        keys.setdefault(language, []).append(need_key)
    return {
        language: (len(needs), mean_figures(figures, needs))
        for language, needs in sorted(keys.items())
    }


def _language_mix(tops) -> dict[str, tuple[int, int, int, int]]:
    """For the needs of each language, from their top 10s ({need key: (language,
    [(technology id, judged relevant)])}): (technologies, of them in the other language,
    other-language ones judged relevant, same-language ones judged relevant)."""
    ids = {listing_id for _, top in tops.values() for listing_id, _ in top}
    languages = dict(
        Representation.objects.filter(kind=ListingKind.TECHNOLOGY, listing_id__in=ids).values_list(
            "listing_id", "language"
        )
    )
    mix: dict[str, list[int]] = {}
    for language, top in tops.values():
        counts = mix.setdefault(language, [0, 0, 0, 0])
        for listing_id, relevant in top:
            other = languages.get(listing_id) != language
            counts[0] += 1
            counts[1] += other
            counts[2 if other else 3] += relevant
    return {language: tuple(counts) for language, counts in sorted(mix.items())}


def _mix_line(by_language, mix, catalogue) -> str:
    """``en needs (35): nDCG@10 0.912, recall@10 0.950; their top 10s 36.4 % other-language
    (catalogue 29.4 %), judged relevant 22 % of them vs 31 % of the same language's; ja
    needs (15): …``."""
    parts = []
    for language, (total, other, other_relevant, same_relevant) in mix.items():
        share = 1 - catalogue.get(language, 0.0)
        needs, figures = by_language[language]
        parts.append(
            f"{language} needs ({needs}): nDCG@10 {figures.ndcg:.3f}, recall@10 "
            f"{figures.recall:.3f}; their top 10s {other / (total or 1):.1%} other-language "
            f"(catalogue {share:.1%}), judged relevant {other_relevant / (other or 1):.0%} of "
            f"them vs {same_relevant / ((total - other) or 1):.0%} of the same language's"
        )
    return "; ".join(parts)


def _line(cv) -> str:
    mean, worst = cv.mean, cv.worst
    return (
        f"mean nDCG@10 {mean.ndcg:.3f} recall@10 {mean.recall:.3f}; "
        f"worst fold {worst.ndcg:.3f} / {worst.recall:.3f}"
    )


def _limits(text: str | None) -> list[int]:
    try:
        return [int(v) for v in (text or "").split(",") if v.strip()]
    except ValueError:
        raise CommandError("--terms-per-listing: whole numbers, comma-separated") from None


def _variant(text: str) -> tuple[str, Options]:
    """``"field_rarity=0.1,field_weight=0.2"`` → (that text, the default options but those)."""
    types = {f.name: f.type for f in dataclasses.fields(Options)}
    values = {}
    for item in text.split(","):
        name, _, value = item.partition("=")
        name = name.strip()
        if name not in types or not value.strip():
            raise CommandError(f"--variant {text!r}: name=value with a name of matching.options")
        kind, value = types[name], value.strip()
        try:
            values[name] = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
        except ValueError:
            raise CommandError(f"--variant {text!r}: {value!r} is not a {kind.__name__}") from None
    return text, DEFAULT.but(**values)


def _analysis_of(options: Options) -> Options:
    """The text-analysis part of an options value (what the stored representations depend on)."""
    return DEFAULT.but(**{part: getattr(options, part) for part in ANALYSIS_PARTS})


def _grid(options: Options) -> dict[str, Options]:
    """The tuned values' grid around ``options``, the default setting first."""
    names = list(GRID)
    out = {}
    for values in itertools.product(*(GRID[n] for n in names)):
        label = (
            "default"
            if all(v == GRID[n][0] for n, v in zip(names, values, strict=True))
            else ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))
        )
        out[label] = options.but(**dict(zip(names, values, strict=True)))
    return dict(sorted(out.items(), key=lambda kv: kv[0] != "default"))


def _fold_line(cv) -> str:
    """``.849/.764 .878/.917 …``: each fold's nDCG@10/recall@10, in fold order."""
    return " ".join(f"{f.ndcg:.3f}/{f.recall:.3f}".replace("0.", ".") for f in cv.folds.values())


def _read_json(path: Path, what: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"cannot read the {what} {path}: {error}") from error


def _folds(path: Path, judgments: dict) -> dict[str, str]:
    """{need key: fold} for every judged need (a judged need without a fold is an error)."""
    data = _read_json(path, "folds file")
    folds = data.get("folds") if isinstance(data, dict) else None
    if not isinstance(folds, dict):
        raise CommandError(f"{path} has no 'folds' object")
    missing = sorted(set(judgments) - set(folds))
    if missing:
        raise CommandError(f"{path} gives no fold for {', '.join(missing[:5])}")
    return {key: str(folds[key]) for key in judgments}


def _host(db) -> str:
    """The server's host, or its socket's folder: a URL's ``?host=`` (the embedded server's)
    is in the connection's OPTIONS."""
    return db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""


def _connect(db, dbname):
    return psycopg2.connect(
        dbname=dbname,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=_host(db) or None,
        port=db.get("PORT") or None,
    )


def _url(db, name):
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = _host(db)
    if host.startswith("/"):
        return f"postgresql://{auth}/{name}?host={quote(host)}" + (
            f"&port={db['PORT']}" if db.get("PORT") else ""
        )
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{name}"
