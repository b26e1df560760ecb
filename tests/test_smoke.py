from django.urls import reverse

from tests.factories import make_technology


def test_home_page_shows_new_technologies(client, db):
    technology = make_technology(title="Perovskite tandem cell")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert technology.title in response.content.decode()
