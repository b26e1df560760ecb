"""Bulk import: the import_bundle command and bundles.importer (all or nothing, by key)."""

import copy
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import Organization
from bundles.importer import import_bundle
from bundles.validation import BundleInvalid, prepare
from listings.lifecycle import Status
from listings.models import ModerationEvent, Patent, Technology
from tests.bundle_samples import DEV_BUNDLE, DEV_TECHNOLOGIES, import_file, small_bundle, write
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_import_of_the_development_bundle_publishes_everything():
    output = import_file(str(DEV_BUNDLE), "--publish")
    data = json.loads(DEV_BUNDLE.read_text())
    assert Organization.objects.exclude(import_key="").count() == len(data["organizations"])
    assert Technology.objects.published().count() == len(data["technologies"])
    orgs, techs = len(data["organizations"]), len(data["technologies"])
    assert (
        f"imported: {orgs} organisations ({orgs} new, 0 updated, 0 unchanged), {techs} technologies"
        in output
    )
    technology = Technology.objects.get(import_key=data["technologies"][0]["key"])
    assert technology.published_at is not None
    assert technology.organization.import_key == data["technologies"][0]["organization"]
    assert sorted(f.slug for f in technology.fields.all()) == sorted(
        data["technologies"][0]["fields"]
    )
    assert ModerationEvent.objects.for_listing(technology).get().action == "import"
    assert Patent.objects.count() == sum(len(t["patents"]) for t in data["technologies"])
    # Derived data is there: the search finds an imported technology by its title words.
    assert technology in Technology.objects.published().search(technology.title.split()[0])


def test_import_is_idempotent_by_key(tmp_path):
    path = write(tmp_path, small_bundle())
    import_file(path, "--publish")
    first = {t.import_key: (t.pk, t.published_at) for t in Technology.objects.all()}
    output = import_file(path, "--publish")
    assert "2 technologies (0 new, 0 updated, 2 unchanged)" in output
    assert {t.import_key: (t.pk, t.published_at) for t in Technology.objects.all()} == first
    assert Organization.objects.filter(import_key__in=["org-a", "org-b"]).count() == 2
    assert Patent.objects.count() == 1
    assert ModerationEvent.objects.filter(action="import").count() == 3  # 2 technologies + 1 need


def test_second_import_updates_the_same_rows(tmp_path):
    bundle = small_bundle()
    import_file(write(tmp_path, bundle), "--publish")
    pk = Technology.objects.get(import_key="tech-1").pk
    bundle["technologies"][0]["title"] = "Perovskite tandem solar cell, second edition"
    bundle["technologies"][0]["patents"] = [
        {"number": "US 11223344 B2", "office": "us", "status": "granted"}
    ]
    output = import_file(write(tmp_path, bundle), "--publish")
    assert "2 technologies (0 new, 1 updated, 1 unchanged)" in output
    technology = Technology.objects.get(import_key="tech-1")
    assert technology.pk == pk
    assert technology.title.endswith("second edition")
    assert [(p.number, p.office) for p in technology.patents.all()] == [("US 11223344 B2", "US")]
    assert technology in Technology.objects.search("edition")


def test_import_without_publish_fills_the_moderation_queue_and_tells_staff_once(
    tmp_path, django_capture_on_commit_callbacks
):
    make_staff(email="jpo@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        import_file(write(tmp_path, small_bundle()))
    assert set(Technology.objects.values_list("status", flat=True)) == {Status.SUBMITTED}
    assert not Technology.objects.published().exists()
    assert all(t.submitted_at for t in Technology.objects.all())
    staff_mails = [m for m in mail.outbox if "jpo@example.org" in m.to]
    assert len(staff_mails) == 1
    assert "3" in staff_mails[0].subject


def test_reimport_of_a_changed_published_technology_becomes_a_revision(tmp_path):
    bundle = small_bundle()
    import_file(write(tmp_path, bundle), "--publish")
    bundle["technologies"][0]["summary"] = "A new summary that staff must check."
    import_file(write(tmp_path, bundle))
    technology = Technology.objects.get(import_key="tech-1")
    assert technology.status == Status.PUBLISHED
    assert technology.summary == "A stable perovskite-silicon tandem cell."
    assert technology.revision.data["summary"] == "A new summary that staff must check."


def test_a_bundle_with_errors_is_refused_whole_and_writes_nothing(tmp_path):
    bundle = small_bundle()
    bundle["technologies"][0]["trl"] = 12
    bundle["technologies"][1]["fields"] = ["no-such-field"]
    bundle["technologies"][1]["organization"] = "org-unknown"
    bundle["technologies"].append(copy.deepcopy(bundle["technologies"][0]))  # duplicate key
    bundle["needs"][0]["trl_min"] = 9
    bundle["needs"][0]["colour"] = "blue"
    bundle["organizations"][1]["kind"] = "pirate"
    with pytest.raises(CommandError, match="nothing was written") as info:
        import_file(write(tmp_path, bundle), "--publish")
    assert "7 errors" in str(info.value)
    assert not Organization.objects.exists()
    assert not Technology.objects.exists()
    assert not ModerationEvent.objects.exists()


def test_refusal_lists_every_error_with_key_field_and_message(tmp_path, capsys):
    bundle = small_bundle()
    bundle["technologies"][0]["trl"] = 12
    bundle["technologies"][1]["fields"] = ["no-such-field"]
    bundle["technologies"][1]["title"] = ""
    with pytest.raises(BundleInvalid) as info:
        import_bundle(bundle)
    errors = {(e.key, e.field) for e in info.value.errors}
    assert errors == {("tech-1", "trl"), ("tech-2", "fields"), ("tech-2", "title")}
    assert all(e.message for e in info.value.errors)


def test_import_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "bundle.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n not json")
    with pytest.raises(CommandError, match="not UTF-8|not valid JSON"):
        import_file(str(path))


@pytest.mark.parametrize(
    "bundle",
    [[], {"technologies": {"key": "x"}}, {"technologies": ["x"]}, {"widgets": []}],
    ids=["list", "section-not-list", "item-not-object", "unknown-section"],
)
def test_import_refuses_a_bundle_of_the_wrong_shape(tmp_path, bundle):
    with pytest.raises(CommandError):
        import_file(write(tmp_path, bundle))
    assert not Technology.objects.exists()


def test_items_with_wrong_value_types_are_errors_not_crashes():
    bundle = small_bundle()
    bundle["technologies"][0]["title"] = {"en": "x"}
    bundle["technologies"][0]["offers"] = "non_exclusive_licence"
    bundle["technologies"][0]["patents"] = [{"number": "1", "office": "JP", "status": "lapsed"}]
    plan = prepare(bundle)
    assert {(e.key, e.field) for e in plan.errors} == {
        ("tech-1", "title"),
        ("tech-1", "offers"),
        ("tech-1", "patents[0].status"),
    }


def test_judgments_are_ignored_by_the_import():
    plan = prepare(small_bundle())
    assert plan.is_valid
    assert {item.key for item in plan.items} == {"org-a", "org-b", "tech-1", "tech-2", "need-1"}


def test_seed_demo_loads_the_demo_listings_and_can_run_twice():
    call_command("seed_demo", stdout=StringIO())
    count = Technology.objects.published().count()
    assert count == DEV_TECHNOLOGIES
    # every technology's suggestion list stored, with its hub value (matching.scoring)
    from matching.models import ListingKind, Representation

    hubs = Representation.objects.filter(kind=ListingKind.TECHNOLOGY, public=True, hub__gt=0)
    assert hubs.count() == count
    call_command("seed_demo", stdout=StringIO())
    assert Technology.objects.published().count() == count
