"""Bulk import and export: the import_bundle / export_bundle commands and the bundles service."""

import copy
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Organization
from listings import bundles
from listings.lifecycle import Status
from listings.models import ModerationEvent, Patent, Technology
from tests.factories import make_member, make_organization, make_staff, make_technology, make_user

pytestmark = pytest.mark.django_db

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
    assert technology.pending_revision["data"]["summary"] == "A new summary that staff must check."


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
    with pytest.raises(bundles.BundleInvalid) as info:
        bundles.import_bundle(bundle)
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
    plan = bundles.prepare(bundle)
    assert {(e.key, e.field) for e in plan.errors} == {
        ("tech-1", "title"),
        ("tech-1", "offers"),
        ("tech-1", "patents[0].status"),
    }


def test_judgments_are_ignored_by_the_import():
    plan = bundles.prepare(small_bundle())
    assert plan.is_valid
    assert {item.key for item in plan.items} == {"org-a", "org-b", "tech-1", "tech-2", "need-1"}


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
    from needs.models import Need

    Need.objects.all().delete()
    Organization.objects.all().delete()
    import_file(str(out), "--publish")
    assert bundles.export_bundle() == exported

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


def test_seed_demo_loads_the_demo_listings_and_can_run_twice():
    call_command("seed_demo", stdout=StringIO())
    count = Technology.objects.published().count()
    assert count == DEV_TECHNOLOGIES
    call_command("seed_demo", stdout=StringIO())
    assert Technology.objects.published().count() == count


# --- Web upload ---------------------------------------------------------------------------


UPLOAD = "/technologies/import/"


def json_upload(bundle, name="bundle.json"):
    return SimpleUploadedFile(
        name, json.dumps(bundle, ensure_ascii=False).encode(), "application/json"
    )


CSV_TEXT = (
    "key,title,summary,description,trl,ip_status,offers,fields,keywords,countries,patents\n"
    'csv-1,Solid-state battery electrolyte,A sulfide electrolyte.,"Long text, with a comma.",4,'
    "pending,non_exclusive_licence;joint_development,solar,battery;electrolyte,JP;US,"
    "JP 2024-123456 A|JP|pending\n"
    "csv-2,全固体電池の電解質,硫化物系電解質。,詳しい説明。,3,none,assignment,solar,,,\n"
)


def test_upload_url_is_the_documented_one():
    assert reverse("listings:bundle_upload") == UPLOAD


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_user_without_organisation_may_not_upload(client):
    client.force_login(make_user())
    assert client.get(UPLOAD).status_code == 403


def test_member_uploads_previews_and_confirms_a_bundle(client):
    member = make_member()
    client.force_login(member)
    response = client.post(UPLOAD, {"file": json_upload(small_bundle())})
    assert response.status_code == 302
    assert response["Location"] == reverse("listings:bundle_preview")
    assert not Technology.objects.exists()

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Perovskite tandem solar cell" in page and "tech-1" in page
    assert "Hokuriku" not in page  # the organisations section is ignored for a TLO
    token = client.session["listings.bundle_upload"]["token"]

    response = client.post(reverse("listings:bundle_confirm"), {"token": token})
    assert response.status_code == 302
    technologies = Technology.objects.all()
    assert technologies.count() == 2
    assert {t.organization for t in technologies} == {member.organization}
    assert {t.status for t in technologies} == {Status.SUBMITTED}
    assert {t.author for t in technologies} == {member}
    assert not Organization.objects.filter(import_key__in=["org-a", "org-b"]).exists()
    assert "listings.bundle_upload" not in client.session


def test_confirming_twice_imports_once(client):
    client.force_login(make_member())
    client.post(UPLOAD, {"file": json_upload(small_bundle())})
    token = client.session["listings.bundle_upload"]["token"]
    client.post(reverse("listings:bundle_confirm"), {"token": token})
    response = client.post(reverse("listings:bundle_confirm"), {"token": token}, follow=True)
    assert "already imported" in response.content.decode()
    assert Technology.objects.count() == 2


def test_confirm_with_a_wrong_token_imports_nothing(client):
    client.force_login(make_member())
    client.post(UPLOAD, {"file": json_upload(small_bundle())})
    client.post(reverse("listings:bundle_confirm"), {"token": "forged"})
    assert not Technology.objects.exists()


def test_preview_of_a_second_upload_shows_what_changes(client):
    member = make_member()
    client.force_login(member)
    bundle = small_bundle()
    client.post(UPLOAD, {"file": json_upload(bundle)})
    token = client.session["listings.bundle_upload"]["token"]
    client.post(reverse("listings:bundle_confirm"), {"token": token})
    bundle["technologies"][0]["trl"] = 6
    client.post(UPLOAD, {"file": json_upload(bundle)})
    page = client.get(reverse("listings:bundle_preview")).content.decode()
    assert "changed" in page and "readiness level" in page
    assert "unchanged" in page


def test_upload_with_invalid_items_shows_every_error_and_stores_nothing(client):
    client.force_login(make_member())
    bundle = small_bundle()
    bundle["technologies"][0]["trl"] = 0
    bundle["technologies"][1]["offers"] = ["gift"]
    response = client.post(UPLOAD, {"file": json_upload(bundle)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 errors" in page
    assert "tech-1" in page and "trl" in page and "tech-2" in page and "offers" in page
    assert "listings.bundle_upload" not in client.session
    assert not Technology.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bundle.json", b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        ("bundle.json", b"{not json", "not valid JSON"),
        ("bundle.json", b"[1, 2]", "JSON object"),
        ("notes.txt", b"hello", "Upload a JSON bundle"),
        ("bundle.json", b"[" * 100000 + b"]" * 100000, "not valid JSON"),
        ("list.csv", b"title,summary\nA,B\n", "lacks the columns"),
        ("list.csv", b"\xff\xfe\x00k\x00e\x00y", "not UTF-8"),
    ],
    ids=["binary", "broken-json", "json-list", "text-file", "deep-nesting", "csv-columns", "utf16"],
)
def test_bad_files_get_a_clear_error_not_a_500(client, name, content, message):
    client.force_login(make_member())
    response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_too_large_file_is_refused(client, monkeypatch):
    monkeypatch.setattr(bundles, "MAX_BUNDLE_BYTES", 1000)
    client.force_login(make_member())
    big = json_upload({"technologies": [], "padding": "x" * 2000})
    response = client.post(UPLOAD, {"file": big})
    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_member_imports_a_csv_of_technologies(client):
    member = make_member()
    client.force_login(member)
    upload = SimpleUploadedFile("list.csv", CSV_TEXT.encode("utf-8-sig"), "text/csv")
    assert client.post(UPLOAD, {"file": upload}).status_code == 302
    token = client.session["listings.bundle_upload"]["token"]
    client.post(reverse("listings:bundle_confirm"), {"token": token})
    first = Technology.objects.get(import_key="csv-1")
    assert first.organization == member.organization
    assert first.partnerships == ["non_exclusive_licence", "joint_development"]
    assert first.keywords == ["battery", "electrolyte"]
    assert first.description == "Long text, with a comma."
    assert first.language == "en"
    assert [p.number for p in first.patents.all()] == ["JP 2024-123456 A"]
    assert Technology.objects.get(import_key="csv-2").language == "ja"


def test_member_cannot_overwrite_another_organisations_item_by_key(client):
    make_technology(title="Theirs", import_key="tech-1")
    client.force_login(make_member())
    response = client.post(UPLOAD, {"file": json_upload(small_bundle())})
    assert response.status_code == 400
    assert "already used by another organisation" in response.content.decode()
    assert Technology.objects.get(import_key="tech-1").title == "Theirs"


def test_member_cannot_publish_directly(client):
    client.force_login(make_member())
    client.post(UPLOAD, {"file": json_upload(small_bundle()), "publish": "on"})
    assert client.session["listings.bundle_upload"]["publish"] is False


def test_staff_may_import_organisations_and_publish(client):
    client.force_login(make_staff())
    assert "Publish directly" in client.get(UPLOAD).content.decode()
    client.post(UPLOAD, {"file": json_upload(small_bundle()), "publish": "on"})
    token = client.session["listings.bundle_upload"]["token"]
    client.post(reverse("listings:bundle_confirm"), {"token": token})
    assert Technology.objects.published().count() == 2
    assert Technology.objects.get(import_key="tech-1").organization.import_key == "org-a"


def test_cancel_discards_the_upload(client):
    client.force_login(make_member())
    client.post(UPLOAD, {"file": json_upload(small_bundle())})
    client.post(reverse("listings:bundle_cancel"))
    assert "listings.bundle_upload" not in client.session
    assert client.get(reverse("listings:bundle_preview")).status_code == 302
