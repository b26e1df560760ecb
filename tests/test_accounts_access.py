"""Who may use which accounts/portal view: every role against every view, allowed and refused.

Roles: an anonymous visitor, a member whose e-mail is unconfirmed, a member and an
administrator of organisation A, a member of another organisation B, and JPO staff.
"""

import pytest
from django.urls import reverse

from accounts.models import Membership
from tests.factories import make_organization, make_staff, make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "unverified", "member", "other_member", "org_admin", "staff"]

LOGIN, VERIFY, DASHBOARD = "login", "verify", "dashboard"
OK, REDIRECT = 200, 302


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    org_a = make_organization(name="Alpha University", slug="alpha")
    org_b = make_organization(name="Beta Corp", slug="beta", type="company")
    applicant = make_user(organization=org_a, status=Membership.Status.PENDING)
    return {
        "org_a": org_a,
        "pending": applicant.memberships.get(),
        "users": {
            "anonymous": None,
            "unverified": make_user(organization=org_a, verified=False),
            "member": make_user(organization=org_a),
            "other_member": make_user(organization=org_b),
            "org_admin": make_user(organization=org_a, role=Membership.Role.ADMIN),
            "staff": make_staff(),
        },
    }


def _everyone(code):
    return dict.fromkeys(ROLES, code)


def _signed_in(code, anonymous=LOGIN):
    return {**_everyone(code), "anonymous": anonymous}


ADMIN_ONLY = {
    "anonymous": LOGIN,
    "unverified": VERIFY,
    "member": 403,
    "other_member": 403,
    "org_admin": OK,
    "staff": 403,
}

# name -> (method, url builder, expected outcome per role)
VIEWS = {
    "home": ("get", lambda w: reverse("home"), _everyone(OK)),
    "about": ("get", lambda w: reverse("about"), _everyone(OK)),
    "robots": ("get", lambda w: reverse("robots_txt"), _everyone(OK)),
    "dashboard": ("get", lambda w: reverse("dashboard"), _signed_in(OK)),
    "signup": ("get", lambda w: reverse("accounts:signup"), _signed_in(DASHBOARD, anonymous=OK)),
    "login": ("get", lambda w: reverse("accounts:login"), _signed_in(DASHBOARD, anonymous=OK)),
    "logout": ("post", lambda w: reverse("accounts:logout"), _everyone(REDIRECT)),
    "verify_needed": ("get", lambda w: reverse("accounts:verify_needed"), _signed_in(OK)),
    "profile": ("get", lambda w: reverse("accounts:profile"), _signed_in(OK)),
    "password_change": ("get", lambda w: reverse("accounts:password_change"), _signed_in(OK)),
    "password_change_done": (
        "get",
        lambda w: reverse("accounts:password_change_done"),
        _signed_in(OK),
    ),
    "password_reset": ("get", lambda w: reverse("accounts:password_reset"), _everyone(OK)),
    "password_reset_done": (
        "get",
        lambda w: reverse("accounts:password_reset_done"),
        _everyone(OK),
    ),
    "organization_detail": (
        "get",
        lambda w: reverse("accounts:organization", args=[w["org_a"].slug]),
        _everyone(OK),
    ),
    "organization_missing": (
        "get",
        lambda w: reverse("accounts:organization", args=["no-such-organisation"]),
        _everyone(404),
    ),
    "organization_edit": ("get", lambda w: reverse("accounts:organization_edit"), ADMIN_ONLY),
    "members": ("get", lambda w: reverse("accounts:members"), ADMIN_ONLY),
    "member_approve": (
        "post",
        lambda w: reverse("accounts:member_approve", args=[w["pending"].pk]),
        {**ADMIN_ONLY, "org_admin": REDIRECT},
    ),
    "member_remove": (
        "post",
        lambda w: reverse("accounts:member_remove", args=[w["pending"].pk]),
        {**ADMIN_ONLY, "org_admin": REDIRECT},
    ),
    "member_role": (
        "post",
        lambda w: reverse("accounts:member_role", args=[w["pending"].pk]),
        {**ADMIN_ONLY, "org_admin": REDIRECT},
    ),
}


def _outcome(response) -> int | str:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("accounts:login")):
        return LOGIN
    if location == reverse("accounts:verify_needed"):
        return VERIFY
    if location == reverse("dashboard"):
        return DASHBOARD
    return REDIRECT


@pytest.mark.parametrize("view", list(VIEWS))
def test_access(client, world, view):
    """Each role in turn (the organisation administrator last: their POSTs change state)."""
    method, url_for, expected = VIEWS[view]
    url = url_for(world)
    wrong = []
    for role in ROLES:
        client.logout()
        user = world["users"][role]
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(url, {"role": "member"} if method == "post" else None)
        outcome = _outcome(response)
        if outcome != expected[role]:
            wrong.append(f"{role}: {outcome} (expected {expected[role]})")
        elif outcome == LOGIN:
            assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    assert not wrong, f"{method.upper()} {url}: " + "; ".join(wrong)


@pytest.mark.parametrize("role", ["member", "other_member", "staff"])
def test_refused_approval_changes_nothing(client, world, role):
    client.force_login(world["users"][role])
    client.post(reverse("accounts:member_approve", args=[world["pending"].pk]))
    world["pending"].refresh_from_db()
    assert world["pending"].status == Membership.Status.PENDING


def test_other_organisations_admin_gets_404_on_our_memberships(client, world):
    other_admin = make_user(organization=make_organization(), role=Membership.Role.ADMIN)
    client.force_login(other_admin)
    pending = world["pending"]
    for name in ("accounts:member_approve", "accounts:member_remove", "accounts:member_role"):
        assert client.post(reverse(name, args=[pending.pk]), {"role": "admin"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


def test_org_admin_edits_only_their_own_organisation(client, world):
    admin = world["users"]["org_admin"]
    client.force_login(admin)
    response = client.get(reverse("accounts:organization_edit"))
    assert response.context["form"].instance == world["org_a"]
    data = {"name": "Alpha University of Science", "type": "university", "country": "JP"}
    response = client.post(reverse("accounts:organization_edit"), data)
    assert response.status_code == 302
    assert response["Location"] == world["org_a"].get_absolute_url()
    world["org_a"].refresh_from_db()
    assert world["org_a"].name == "Alpha University of Science"
    assert not world["org_a"].verified  # staff-only flag, not on the form


def test_org_edit_with_bad_input_is_a_400(client, world):
    client.force_login(world["users"]["org_admin"])
    response = client.post(
        reverse("accounts:organization_edit"),
        {"name": "", "type": "spaceship", "country": "JP", "website": "not a url"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"name", "type", "website"}


def test_member_cannot_edit_the_organisation_by_post(client, world):
    client.force_login(world["users"]["member"])
    response = client.post(
        reverse("accounts:organization_edit"),
        {"name": "Hacked", "type": "company", "country": "JP"},
    )
    assert response.status_code == 403
    world["org_a"].refresh_from_db()
    assert world["org_a"].name == "Alpha University"


def test_navigation_reflects_the_role(client, world):
    assert "Sign in" in client.get(reverse("home")).content.decode()
    client.force_login(world["users"]["member"])
    page = client.get(reverse("home")).content.decode()
    assert "Sign out" in page and reverse("accounts:members") not in page
    client.force_login(world["users"]["org_admin"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("accounts:members") in page and reverse("accounts:organization_edit") in page
    client.force_login(world["users"]["staff"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("listings:moderation_queue") in page


def test_django_admin_is_for_site_administrators_only(client, world):
    url = reverse("admin:accounts_organization_changelist")
    client.force_login(world["users"]["staff"])  # a moderator is not a site administrator
    assert client.get(url).status_code == 302
    superuser = make_user(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.get(url, {"q": "Alpha"})
    assert response.status_code == 200
    assert "Alpha University" in response.content.decode()
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_django_is_staff_alone_does_not_make_a_moderator(client, world):
    """`is_staff` opens the Django admin only; moderation is the "JPO moderators" group."""
    admin_only = make_user(is_staff=True)
    assert not admin_only.is_moderator
    client.force_login(admin_only)
    assert client.get(reverse("listings:moderation_queue")).status_code == 403
    assert reverse("listings:moderation_queue") not in client.get(reverse("home")).content.decode()
