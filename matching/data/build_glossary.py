"""Build the compact Japanese -> English gloss table used by matching.text.

Run by a developer, never at install time or at run time:

    python -m venv /tmp/jm && /tmp/jm/bin/pip install jamdict-data   # ~311 MB, build only
    /tmp/jm/bin/python matching/data/build_glossary.py \
        [--jmdict PATH/TO/jamdict.db] [--taxonomy ../shared/data/taxonomy.json]

Writes, next to this script:
  * ``jmdict_gloss.tsv.gz`` -- ``headword<TAB>primary glosses<TAB>secondary glosses``.
    Primary = the glosses of the entry's first sense (at most 3); secondary = the first gloss of
    the 2nd and 3rd senses. Glosses are separated by ``|``; parenthesised remarks are removed.
    Headwords: every kanji form; kana forms only when the entry has no kanji form or the kana is
    katakana (bare hiragana readings are too ambiguous). When several entries share a headword the
    entry with a frequency-priority tag wins, then the lowest sequence number.
  * ``en_synonyms.tsv.gz`` -- ``stem<TAB>stem|stem|...``: English near-synonyms, two one-word
    glosses of the first sense of one JMdict entry (``corrosion``/``erosion``), kept when at least
    ``SYN_SUPPORT`` entries agree, at most ``SYN_PER_TERM`` per stem (most supported first). The
    stems are those of matching.text (rebuild if its stemmer changes).
  * ``en_ja_index.tsv.gz`` -- ``stem[ stem]<TAB>headword|headword|...``: the other way round, for
    cross-language search (an English query word -> Japanese words): every headword of the gloss
    table whose first gloss is one or two English words, under those words' stems (built from
    ``jmdict_gloss.tsv.gz`` alone: ``--en-ja-only`` needs no jamdict).
  * ``taxonomy_glossary.tsv`` -- JA/EN pairs from the taxonomy field names (whole names and, when
    the ``・``-separated Japanese parts align one-to-one with the English parts, each part).

Data source: JMdict (Electronic Dictionary Research and Development Group, EDRDG),
licensed CC BY-SA 4.0 -- see README.md in this directory. The derived table is shared under
the same licence.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import re
import sqlite3
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
#: a synonym pair needs this many JMdict entries whose first sense glosses both words.
SYN_SUPPORT = 3
#: at most this many synonyms per stem (highest support first, then alphabetical).
SYN_PER_TERM = 5
KATAKANA = re.compile(r"^[\u30a0-\u30ffー・]+$")
PAREN = re.compile(r"\s*\([^)]*\)\s*")
SKIP_MISC = {
    "archaic",
    "obsolete term",
    "vulgar expression or word",
    "rare term",
    "derogatory",
    "obscure term",
}


def clean(gloss: str) -> str:
    g = PAREN.sub(" ", gloss).strip()
    g = re.sub(r"^(to|a|an|the) ", "", g)
    g = g.replace("|", " ").replace("\t", " ")
    return re.sub(r"\s+", " ", g).strip()


def default_db() -> str:
    import jamdict_data  # only needed here, at build time

    return os.path.join(os.path.dirname(jamdict_data.__file__), "jamdict.db")


def build_jmdict(db_path: str, out_path: str) -> int:
    con = sqlite3.connect(db_path)
    senses = defaultdict(list)  # idseq -> [sid,...] in order
    for sid, idseq in con.execute("SELECT ID, idseq FROM Sense ORDER BY ID"):
        senses[idseq].append(sid)
    glosses = defaultdict(list)
    q = "SELECT sid, text FROM SenseGloss WHERE lang='eng' ORDER BY rowid"
    for sid, text in con.execute(q):
        glosses[sid].append(text)
    misc = defaultdict(set)
    for sid, text in con.execute("SELECT sid, text FROM misc"):
        misc[sid].add(text)
    prio_k = {kid for (kid,) in con.execute("SELECT DISTINCT kid FROM KJP")}
    prio_r = {kid for (kid,) in con.execute("SELECT DISTINCT kid FROM KNP")}
    kanji = defaultdict(list)
    for kid, idseq, text in con.execute("SELECT ID, idseq, text FROM Kanji"):
        kanji[idseq].append((text, kid in prio_k))
    kana = defaultdict(list)
    for kid, idseq, text in con.execute("SELECT ID, idseq, text FROM Kana"):
        kana[idseq].append((text, kid in prio_r))

    best: dict[str, tuple] = {}
    for idseq, sids in senses.items():
        usable = [s for s in sids if glosses.get(s) and not (misc[s] & SKIP_MISC)] or [
            s for s in sids if glosses.get(s)
        ]
        if not usable:
            continue
        primary = [clean(g) for g in glosses[usable[0]][:3]]
        secondary = [clean(glosses[s][0]) for s in usable[1:3]]
        primary = [g for g in primary if g]
        secondary = [g for g in secondary if g and g not in primary]
        if not primary:
            continue
        heads = list(kanji.get(idseq, []))
        for text, prio in kana.get(idseq, []):
            if not kanji.get(idseq) or KATAKANA.match(text):
                heads.append((text, prio))
        for text, prio in heads:
            rank = (0 if prio else 1, idseq)
            if text not in best or rank < best[text][0]:
                best[text] = (rank, primary, secondary)
    with gzip.open(out_path, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(
            "# JA->EN gloss table derived from JMdict (EDRDG), CC BY-SA 4.0. "
            "Built by build_glossary.py\n"
        )
        for head in sorted(best):
            _, p, s = best[head]
            f.write(f"{head}\t{'|'.join(p)}\t{'|'.join(s)}\n")
    return len(best)


def build_synonyms(db_path: str, out_path: str) -> int:
    """English near-synonyms from JMdict first senses (see the module docstring)."""
    # A script run from anywhere: the project goes on the path before the engine is imported.
    sys.path.insert(0, os.path.join(HERE, "..", ".."))
    from matching.text import analyse_english  # the engine's own stems

    con = sqlite3.connect(db_path)
    first_sense: dict[int, int] = {}
    misc = defaultdict(set)
    for sid, text in con.execute("SELECT sid, text FROM misc"):
        misc[sid].add(text)
    glosses = defaultdict(list)
    for sid, text in con.execute(
        "SELECT sid, text FROM SenseGloss WHERE lang='eng' ORDER BY rowid"
    ):
        glosses[sid].append(text)
    for sid, idseq in con.execute("SELECT ID, idseq FROM Sense ORDER BY ID"):
        if idseq not in first_sense and glosses.get(sid) and not (misc[sid] & SKIP_MISC):
            first_sense[idseq] = sid
    support: Counter = Counter()
    for sid in first_sense.values():
        words = set()
        for gloss in glosses[sid]:
            terms = analyse_english(clean(gloss))
            if len(terms) == 1:  # one-word glosses only: phrases are not synonyms of a word
                words.add(next(iter(terms)))
        support.update(itertools.combinations(sorted(words), 2))
    table = defaultdict(list)
    for (a, b), n in support.items():
        if n >= SYN_SUPPORT:
            table[a].append((-n, b))
            table[b].append((-n, a))
    with gzip.open(out_path, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(
            "# EN near-synonym stems derived from JMdict (EDRDG), CC BY-SA 4.0. "
            f"Built by build_glossary.py (support >= {SYN_SUPPORT}, <= {SYN_PER_TERM} per stem)\n"
        )
        for stem in sorted(table):
            syns = [b for _, b in sorted(table[stem])[:SYN_PER_TERM]]
            f.write(f"{stem}\t{'|'.join(syns)}\n")
    return len(table)


def build_taxonomy(tax_path: str, out_path: str) -> int:
    with open(tax_path, encoding="utf-8") as f:
        fields = json.load(f)["fields"]
    pairs = {}
    for fld in fields:
        ja, en = fld["name_ja"].strip(), fld["name_en"].strip()
        pairs[ja] = en
        ja_parts = [p for p in re.split(r"[・、]", ja) if p]
        en_parts = [p.strip() for p in re.split(r",| and ", en) if p.strip()]
        if len(ja_parts) > 1 and len(ja_parts) == len(en_parts):
            for j, e in zip(ja_parts, en_parts, strict=True):
                pairs.setdefault(j, e)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(
            "# JA<TAB>EN pairs from the portal taxonomy field names. Built by build_glossary.py\n"
        )
        for ja in sorted(pairs):
            f.write(f"{ja}\t{pairs[ja]}\n")
    return len(pairs)


def build_en_ja(gloss_path: str, out_path: str) -> int:
    """English stems -> Japanese headwords, from the gloss table (see the module docstring)."""
    sys.path.insert(0, os.path.join(HERE, "..", ".."))
    from matching.text import STOPWORDS, WORD_RE, stem  # the engine's own stems

    index = defaultdict(list)
    with gzip.open(gloss_path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            head, primary, _secondary = line.rstrip("\n").split("\t")
            first = primary.split("|", 1)[0]
            if len(head) < 2 or len(first.split()) > 2:
                continue
            words = [w.lower() for w in WORD_RE.findall(first)]
            terms = [stem(w) for w in words if w not in STOPWORDS]
            if terms and len(terms) == len(words):
                index[" ".join(terms)].append(head)
    with gzip.open(out_path, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(
            "# EN stems -> JA headwords, from jmdict_gloss.tsv.gz (JMdict, EDRDG, CC BY-SA 4.0). "
            "Built by build_glossary.py\n"
        )
        for key in sorted(index):
            f.write(f"{key}\t{'|'.join(index[key])}\n")
    return len(index)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jmdict", help="path to jamdict.db (default: from jamdict_data)")
    ap.add_argument(
        "--taxonomy",
        default=os.path.join(HERE, "..", "..", "..", "shared", "data", "taxonomy.json"),
    )
    ap.add_argument("--skip-jmdict", action="store_true")
    ap.add_argument("--en-ja-only", action="store_true")
    args = ap.parse_args()
    gloss = os.path.join(HERE, "jmdict_gloss.tsv.gz")
    if args.en_ja_only:
        n = build_en_ja(gloss, os.path.join(HERE, "en_ja_index.tsv.gz"))
        print(f"en_ja_index.tsv.gz: {n} keys")
        return
    if not args.skip_jmdict:
        n = build_jmdict(args.jmdict or default_db(), os.path.join(HERE, "jmdict_gloss.tsv.gz"))
        print(f"jmdict_gloss.tsv.gz: {n} headwords")
        n = build_synonyms(args.jmdict or default_db(), os.path.join(HERE, "en_synonyms.tsv.gz"))
        print(f"en_synonyms.tsv.gz: {n} stems")
        n = build_en_ja(gloss, os.path.join(HERE, "en_ja_index.tsv.gz"))
        print(f"en_ja_index.tsv.gz: {n} keys")
    if os.path.exists(args.taxonomy):
        n = build_taxonomy(args.taxonomy, os.path.join(HERE, "taxonomy_glossary.tsv"))
        print(f"taxonomy_glossary.tsv: {n} pairs")


if __name__ == "__main__":
    main()
