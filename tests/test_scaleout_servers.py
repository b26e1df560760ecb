"""Two gunicorn servers over the same database and Redis behave as one site."""

import io
import tempfile

import pytest
import redis
import requests
from django.urls import reverse
from PIL import Image

from listings.lifecycle import Status
from listings.models import TechnologyImage
from tests.factories import (
    make_member,
    make_organization,
    make_staff,
    make_technology,
    make_user,
)
from tests.servers import app_server, csrf_token, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# A Redis database of its own, emptied before each test (throttling counts, cached figures).
REDIS_URL = "redis://127.0.0.1:6379/13"


def redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.skip(f"Redis is not running at {REDIS_URL}: {error}")
    return client


@pytest.fixture(scope="module")
def media_root():
    with tempfile.TemporaryDirectory(prefix="shared-media-") as directory:
        yield directory


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, media_root):
    redis_or_skip()
    env = {
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": media_root,
        "API_ANON_THROTTLE_RATE": "8/minute",
        "STATISTICS_CACHE_SECONDS": "3600",
    }
    with django_db_blocker.unblock(), app_server(env) as first, app_server(env) as second:
        yield first, second


@pytest.fixture(autouse=True)
def _clean_state(servers):
    redis_or_skip().flushdb()


def test_a_session_made_on_one_server_is_valid_on_the_other(servers):
    first, second = servers
    user = make_user(organization=make_organization(), full_name="Sharedsession Person")
    session = sign_in(first.url, user)
    dashboard = session.get(
        f"{second.url}{reverse('dashboard')}", timeout=30, allow_redirects=False
    )
    assert dashboard.status_code == 200 and user.get_short_name() in dashboard.text
    anonymous = requests.get(f"{second.url}{reverse('dashboard')}", allow_redirects=False)
    assert anonymous.status_code == 302


def test_api_throttling_counts_across_both_servers(servers):
    first, second = servers
    statuses = [
        requests.get(f"{server.url}/api/v1/fields/", timeout=30).status_code
        for server in (first, second) * 5
    ]
    # 8 a minute for one client, whichever server answers: the ninth request is refused.
    assert statuses[:8] == [200] * 8 and statuses[8:] == [429, 429]


def published_count(server) -> int:
    data = requests.get(f"{server.url}/api/v1/statistics/", timeout=30).json()
    return data["totals"]["technologies"]


def test_cached_statistics_are_refreshed_on_both_after_a_publication(servers):
    first, second = servers
    make_technology()
    before = published_count(first)
    assert published_count(second) == before
    # A row added behind the servers' back is not counted: both read the one cached copy.
    make_technology()
    assert published_count(second) == before
    # A moderator publishing on the first server clears that copy for both.
    submitted = make_technology(status=Status.SUBMITTED, title="Awaiting review")
    staff = sign_in(first.url, make_staff())
    action = f"{first.url}{reverse('listings:action', args=['technology', submitted.pk])}"
    review = f"{first.url}{reverse('listings:review', args=['technology', submitted.pk])}"
    token = csrf_token(staff.get(review, timeout=30).text)
    response = staff.post(
        action,
        data={"action": "approve", "reason": "", "csrfmiddlewaretoken": token},
        headers={"Referer": review},
        timeout=30,
    )
    assert response.ok
    submitted.refresh_from_db()
    assert submitted.status == Status.PUBLISHED
    assert published_count(second) == before + 2
    assert published_count(first) == before + 2


def test_a_file_uploaded_to_one_server_is_served_by_the_other(servers):
    first, second = servers
    owner = make_member()
    technology = make_technology(owner.organization)
    session = sign_in(first.url, owner)
    gallery = f"{first.url}{reverse('listings:technology_images', args=[technology.pk])}"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="PNG")
    response = session.post(
        gallery,
        data={"caption": "Prototype", "csrfmiddlewaretoken": csrf_token(session.get(gallery).text)},
        files={"image": ("prototype.png", buffer.getvalue(), "image/png")},
        headers={"Referer": gallery},
        timeout=30,
    )
    assert response.ok
    image = TechnologyImage.objects.get(technology=technology)
    served = requests.get(f"{second.url}{image.image.url}", timeout=30)
    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.content)).size[0] > 0
