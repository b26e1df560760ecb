"""Bulk export: the export_bundle command and bundles.exporter."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Organization
from bundles.exporter import export_bundle
from listings.models import Technology
from needs.models import Need
from tests.bundle_samples import DEV_BUNDLE, DEV_TECHNOLOGIES, import_file
from tests.factories import make_organization

pytestmark = pytest.mark.django_db


def test_export_then_import_into_a_clean_database_gives_the_same_data(tmp_path):
    import_file(str(DEV_BUNDLE), "--publish")
    make_organization(name="Org without listings")  # not exported: it owns nothing published
    out = tmp_path / "export.json"
    call_command("export_bundle", "--out", str(out), stdout=StringIO())
    exported = json.loads(out.read_text())
    original = json.loads(DEV_BUNDLE.read_text())
    assert len(exported["technologies"]) == len(original["technologies"])
    assert len(exported["organizations"]) == len(original["organizations"])

    Technology.objects.all().delete()
    Need.objects.all().delete()
    Organization.objects.all().delete()
    import_file(str(out), "--publish")
    assert export_bundle() == exported

    source = {t["key"]: t for t in original["technologies"]}
    for technology in exported["technologies"]:
        expected = source[technology["key"]]
        for name in ("title", "summary", "trl", "ip_status", "offers", "countries", "keywords"):
            assert technology[name] == expected[name], name
        assert technology["fields"] == sorted(expected["fields"])


def test_export_writes_json_to_stdout(capsys):
    import_file(str(DEV_BUNDLE), "--publish")
    call_command("export_bundle")
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)["technologies"]) == DEV_TECHNOLOGIES
    assert "exported:" in captured.err
