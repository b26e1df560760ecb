"""Bundles the import and export tests share: the development bundle and a small one."""

import json
from io import StringIO

from django.conf import settings
from django.core.management import call_command

DEV_BUNDLE = settings.BASE_DIR / "data" / "matching-dev.json"
DEV_TECHNOLOGIES = len(json.loads(DEV_BUNDLE.read_text())["technologies"])


def small_bundle() -> dict:
    return {
        "organizations": [
            {"key": "org-a", "name": "Hokuriku Institute of Science", "name_ja": "北陸科学技術大学",
             "kind": "university", "country": "JP", "website": "https://hokuriku.example.org",
             "description": "A university."},
            {"key": "org-b", "name": "Lakeside Polymers", "kind": "company", "country": "DE"},
        ],
        "technologies": [
            {"key": "tech-1", "organization": "org-a", "title": "Perovskite tandem solar cell",
             "summary": "A stable perovskite-silicon tandem cell.",
             "description": "Encapsulation that keeps the cell stable for 2,000 hours.",
             "benefits": "Higher efficiency.", "fields": ["solar"], "keywords": ["perovskite", "tandem"],
             "trl": 5, "ip_status": "granted",
             "patents": [{"number": "JP 6543210 B2", "office": "JP", "status": "granted"}],
             "offers": ["non_exclusive_licence"], "countries": ["JP", "US"], "language": "en"},
            {"key": "tech-2", "organization": "org-a", "title": "高効率な太陽電池の封止技術",
             "summary": "湿気に強いペロブスカイト太陽電池の封止。", "description": "封止材と工程。",
             "fields": ["solar"], "keywords": ["封止"], "trl": 4, "ip_status": "pending",
             "patents": [], "offers": ["joint_development"], "countries": ["JP"], "language": "ja"},
        ],
        "needs": [
            {"key": "need-1", "organization": "org-b", "title": "Recyclable packaging film",
             "description": "We need a mono-material film.", "fields": ["solar"], "keywords": ["film"],
             "trl_min": 4, "trl_max": 8, "countries": ["DE"], "partnerships": ["exclusive_licence"],
             "deadline": "2030-12-31", "language": "en"},
        ],
        "judgments": {"need-1": {"tech-1": 1}},
    }  # fmt: skip


def write(tmp_path, bundle, name="bundle.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    return str(path)


def import_file(path, *args) -> str:
    out = StringIO()
    call_command("import_bundle", path, *args, stdout=out, stderr=out)
    return out.getvalue()
