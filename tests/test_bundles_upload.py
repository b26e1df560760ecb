"""The web upload of a bundle or CSV: who may use it, the preview, the confirmation."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Organization
from bundles import files
from listings.lifecycle import Status
from listings.models import Technology
from tests.bundle_samples import small_bundle
from tests.factories import make_member, make_staff, make_technology, make_user

pytestmark = pytest.mark.django_db

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
    assert reverse("bundles:upload") == UPLOAD


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
    assert response["Location"] == reverse("bundles:preview")
    assert not Technology.objects.exists()

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Perovskite tandem solar cell" in page and "tech-1" in page
    assert "Hokuriku" not in page  # the organisations section is ignored for a TLO
    token = client.session["bundles.upload"]["token"]

    response = client.post(reverse("bundles:confirm"), {"token": token})
    assert response.status_code == 302
    technologies = Technology.objects.all()
    assert technologies.count() == 2
    assert {t.organization for t in technologies} == {member.organization}
    assert {t.status for t in technologies} == {Status.SUBMITTED}
    assert {t.author for t in technologies} == {member}
    assert not Organization.objects.filter(import_key__in=["org-a", "org-b"]).exists()
    assert "bundles.upload" not in client.session


def test_confirming_twice_imports_once(client):
    client.force_login(make_member())
    client.post(UPLOAD, {"file": json_upload(small_bundle())})
    token = client.session["bundles.upload"]["token"]
    client.post(reverse("bundles:confirm"), {"token": token})
    response = client.post(reverse("bundles:confirm"), {"token": token}, follow=True)
    assert "already imported" in response.content.decode()
    assert Technology.objects.count() == 2


def test_confirm_with_a_wrong_token_imports_nothing(client):
    client.force_login(make_member())
    client.post(UPLOAD, {"file": json_upload(small_bundle())})
    client.post(reverse("bundles:confirm"), {"token": "forged"})
    assert not Technology.objects.exists()


def test_preview_of_a_second_upload_shows_what_changes(client):
    member = make_member()
    client.force_login(member)
    bundle = small_bundle()
    client.post(UPLOAD, {"file": json_upload(bundle)})
    token = client.session["bundles.upload"]["token"]
    client.post(reverse("bundles:confirm"), {"token": token})
    bundle["technologies"][0]["trl"] = 6
    client.post(UPLOAD, {"file": json_upload(bundle)})
    page = client.get(reverse("bundles:preview")).content.decode()
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
    assert "bundles.upload" not in client.session
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
    monkeypatch.setattr(files, "MAX_BUNDLE_BYTES", 1000)
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
    token = client.session["bundles.upload"]["token"]
    client.post(reverse("bundles:confirm"), {"token": token})
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
    assert client.session["bundles.upload"]["publish"] is False


def test_staff_may_import_organisations_and_publish(client):
    client.force_login(make_staff())
    assert "Publish directly" in client.get(UPLOAD).content.decode()
    client.post(UPLOAD, {"file": json_upload(small_bundle()), "publish": "on"})
    token = client.session["bundles.upload"]["token"]
    client.post(reverse("bundles:confirm"), {"token": token})
    assert Technology.objects.published().count() == 2
    assert Technology.objects.get(import_key="tech-1").organization.import_key == "org-a"


def test_cancel_discards_the_upload(client):
    client.force_login(make_member())
    client.post(UPLOAD, {"file": json_upload(small_bundle())})
    client.post(reverse("bundles:cancel"))
    assert "bundles.upload" not in client.session
    assert client.get(reverse("bundles:preview")).status_code == 302
