"""The outgoing-mail log in the site administration: readable by superusers, never edited."""

import uuid

import pytest

from tasks.models import OutgoingMail
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_superusers_see_unsent_mail_and_its_error_others_are_refused(client):
    OutgoingMail.objects.create(
        key=uuid.uuid4(), subject="Retry me", body="x", to=["a@example.org"], last_error="refused"
    )
    url = "/admin/tasks/outgoingmail/"
    client.force_login(make_user())
    assert client.get(url).status_code == 302  # not staff: to the admin's sign-in
    client.force_login(make_user(is_staff=True, is_superuser=True))
    page = client.get(url + "?sent_at__isempty=1")
    assert page.status_code == 200 and "Retry me" in page.content.decode()
    assert client.get("/admin/tasks/outgoingmail/add/").status_code == 403
