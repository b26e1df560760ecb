"""Sign-up, e-mail verification and joining an organisation (with its approval)."""

import re

import pytest
from django.core import mail, signing
from django.urls import reverse

from accounts import services
from accounts.models import Membership, Organization, User
from tests.factories import PASSWORD, make_member, make_organization, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SIGNUP = {
    "full_name": "Aiko Tanaka",
    "email": "Aiko@Example.org",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def _signup(client, **extra):
    return client.post(reverse("accounts:signup"), {**SIGNUP, **extra})


def _verification_link(message) -> str:
    return re.search(r"https?://\S+/accounts/verify/\S+/", message.body).group(0)


def test_signup_page_renders(client):
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 200
    assert b'name="organization_name"' in response.content


def test_signup_creating_an_organisation_makes_the_user_its_administrator(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(
            client,
            organization_choice="create",
            organization_name="Kyoto Photonics",
            organization_name_ja="京都フォトニクス",
            organization_type="startup",
            organization_country="JP",
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_sent")
    user = User.objects.get(email="aiko@example.org")  # stored in lower case
    assert user.check_password(PASSWORD)
    assert not user.is_verified and not user.can_post
    organization = Organization.objects.get(name="Kyoto Photonics")
    assert organization.name_ja == "京都フォトニクス"
    assert organization.slug and not organization.verified
    membership = user.memberships.get()
    assert (membership.organization, membership.role, membership.status) == (
        organization,
        Membership.Role.ADMIN,
        Membership.Status.ACTIVE,
    )
    # Not signed in (an address already registered gets the same answer); the only mail is
    # the verification link.
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("accounts:login"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["aiko@example.org"]
    assert "/accounts/verify/" in mail.outbox[0].body


def test_signup_asking_to_join_is_pending_and_emails_the_administrators(
    client, django_capture_on_commit_callbacks
):
    organization = make_organization(name="Tohoku University")
    admin = make_user(organization=organization, role=Membership.Role.ADMIN)
    make_user(organization=organization)  # a plain member is not asked
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(
            client, organization_choice="join", existing_organization=organization.pk
        )
    assert response.status_code == 302
    user = User.objects.get(email="aiko@example.org")
    membership = user.memberships.get()
    assert membership.organization == organization
    assert membership.status == Membership.Status.PENDING
    assert membership.role == Membership.Role.MEMBER
    assert user.active_membership is None and user.organization is None
    assert Organization.objects.count() == 1
    join_mails = [m for m in mail.outbox if m.to == [admin.email]]
    assert len(join_mails) == 1
    assert "Aiko Tanaka" in join_mails[0].body
    assert reverse("accounts:members") in join_mails[0].body
    assert [m.to for m in mail.outbox] == [[admin.email], ["aiko@example.org"]]


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"organization_choice": "join"}, "existing_organization"),
        ({"organization_choice": "create", "organization_type": "startup"}, "organization_name"),
        ({"organization_choice": "create", "password2": "something-else-entirely"}, "password2"),
        (
            {"organization_choice": "join", "password1": "12345678", "password2": "12345678"},
            "password1",
        ),
    ],
)
def test_signup_refuses_incomplete_or_weak_input(client, extra, field):
    response = _signup(client, **extra)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not User.objects.exists()
    assert not mail.outbox


def test_signup_sent_page_asks_to_open_the_link(client):
    response = client.get(reverse("accounts:signup_sent"))
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()


def _page(client, url) -> str:
    # The CSRF token (of the sign-out or language form) differs on every response.
    return re.sub(r'value="[^"]{64}"', "", client.get(url).content.decode())


def _answer(response) -> tuple:
    """What a visitor can observe of a sign-up: status, where it leads, cookies, that page."""
    return response.status_code, response.get("Location"), sorted(response.cookies)


def test_signup_with_a_registered_address_answers_as_for_a_new_one(
    client, django_capture_on_commit_callbacks
):
    organization = make_organization()
    new = _signup(
        client,
        email="someone-new@example.org",
        organization_choice="join",
        existing_organization=organization.pk,
    )
    holder = make_user(email="aiko@example.org", full_name="Aiko Holder")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        known = _signup(client, organization_choice="join", existing_organization=organization.pk)
    assert _answer(known) == _answer(new) == (302, reverse("accounts:signup_sent"), [])
    assert _page(client, known["Location"]) == _page(client, new["Location"])
    # Nothing changed for the address; its holder is told by e-mail instead (case ignored).
    assert User.objects.filter(email__iexact="aiko@example.org").count() == 1
    assert not holder.memberships.exists()
    [message] = mail.outbox
    assert message.to == [holder.email]
    assert "already has an account" in message.body
    assert "http://testserver/accounts/login/" in message.body
    assert "http://testserver/accounts/password/reset/" in message.body


def test_registered_address_mail_goes_only_after_commit(client, django_capture_on_commit_callbacks):
    make_user(email="aiko@example.org")
    organization = make_organization()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.register(
            email="AIKO@example.org", full_name="X", password=PASSWORD, organization=organization
        )
    assert not mail.outbox and len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["aiko@example.org"]]


def test_signup_attempts_are_throttled_per_address_with_a_clear_429(client, settings):
    settings.SIGNUP_THROTTLE_RATE = "2/hour"
    for n in range(2):
        assert _signup(client, email=f"user{n}@example.org").status_code in (302, 400)
    url, data = reverse("accounts:signup"), {**SIGNUP, "email": "third@example.org"}
    response = client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "Too many sign-up attempts came from your network" in page
    assert 'value="third@example.org"' in page and 'value="Aiko Tanaka"' in page  # kept
    assert not User.objects.filter(email="third@example.org").exists()
    # The page still works for reading, and another address is not affected.
    assert client.get(reverse("accounts:signup")).status_code == 200
    assert client.post(url, data, REMOTE_ADDR="198.51.100.20").status_code in (302, 400)


def test_throttled_signup_page_is_in_japanese(client, settings):
    settings.SIGNUP_THROTTLE_RATE = "1/hour"
    client.cookies["django_language"] = "ja"
    _signup(client)
    response = _signup(client, email="again@example.org")
    assert response.status_code == 429
    assert "Too many" not in response.content.decode()


def test_signed_in_users_are_sent_from_signup_to_their_dashboard(client, member):
    client.force_login(member)
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


# E-mail verification -----------------------------------------------------------------------


def test_link_from_the_sent_message_verifies_the_address(
    client, django_capture_on_commit_callbacks
):
    organization = make_organization()
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, organization_choice="join", existing_organization=organization.pk)
    user = User.objects.get(email="aiko@example.org")
    message = mail.outbox[-1]
    assert message.to == [user.email]
    link = _verification_link(message)
    assert link.startswith("http://testserver/accounts/verify/")
    response = client.get(link.removeprefix("http://testserver"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "your e-mail address is confirmed" in response.content.decode()
    user.refresh_from_db()
    assert user.is_verified
    # Opening the link again is harmless.
    first = user.email_verified_at
    assert client.get(link.removeprefix("http://testserver")).status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at == first


def test_link_works_for_a_signed_out_visitor_and_leads_to_login(
    client, django_capture_on_commit_callbacks
):
    user = make_user(verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_verification_email(user)
    path = _verification_link(mail.outbox[-1]).removeprefix("http://testserver")
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.is_verified


def test_tampered_token_is_refused_with_400(client, django_capture_on_commit_callbacks):
    user = make_user(verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_verification_email(user)
    path = _verification_link(mail.outbox[-1]).removeprefix("http://testserver")
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    response = client.get(tampered)
    assert response.status_code == 400
    assert "invalid or has expired" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_verified


def test_garbage_token_is_refused_with_400(client):
    response = client.get(reverse("accounts:verify_email", args=["not-a-token"]))
    assert response.status_code == 400


def test_expired_token_is_refused_with_400(client, monkeypatch):
    user = make_user(verified=False)
    token = services.verification_token(user)
    monkeypatch.setattr(services, "VERIFY_MAX_AGE", -1)
    response = client.get(reverse("accounts:verify_email", args=[token]))
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_verified


def test_token_for_a_changed_address_is_refused(client):
    user = make_user(verified=False, email="old@example.org")
    token = services.verification_token(user)
    user.email = "new@example.org"
    user.save()
    assert client.get(reverse("accounts:verify_email", args=[token])).status_code == 400
    user.refresh_from_db()
    assert not user.is_verified


def test_token_signed_with_another_salt_is_refused(client):
    user = make_user(verified=False)
    token = signing.dumps({"id": user.pk, "email": user.email}, salt="something-else")
    assert client.get(reverse("accounts:verify_email", args=[token])).status_code == 400


def test_verify_page_resends_the_link(client, django_capture_on_commit_callbacks):
    user = make_user(verified=False)
    client.force_login(user)
    assert client.get(reverse("accounts:verify_needed")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:verify_needed"))
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    # The resent link works.
    client.get(_verification_link(mail.outbox[0]).removeprefix("http://testserver"))
    user.refresh_from_db()
    assert user.is_verified


def test_verified_user_gets_no_new_link(client, member):
    client.force_login(member)
    client.post(reverse("accounts:verify_needed"))
    assert not mail.outbox


def test_unverified_member_is_sent_to_the_verify_page_instead_of_posting(client):
    user = make_member()
    user.email_verified_at = None
    user.save()
    client.force_login(user)
    for method in (client.get, client.post):
        response = method(reverse("listings:technology_create"))
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:verify_needed")
    assert not user.can_post


# Joining an organisation and its approval --------------------------------------------------


@pytest.fixture
def join_request():
    """An organisation with an administrator, a member, and a pending join request."""
    organization = make_organization(name="Osaka Institute")
    admin = make_user(organization=organization, role=Membership.Role.ADMIN)
    plain = make_user(organization=organization)
    applicant = make_user(
        organization=organization, status=Membership.Status.PENDING, full_name="Ken Sato"
    )
    return {
        "organization": organization,
        "admin": admin,
        "member": plain,
        "applicant": applicant,
        "membership": applicant.memberships.get(),
    }


def test_admin_sees_the_request_on_the_members_page(client, join_request):
    client.force_login(join_request["admin"])
    response = client.get(reverse("accounts:members"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ken Sato" in page
    assert reverse("accounts:member_approve", args=[join_request["membership"].pk]) in page


def test_admin_approval_activates_the_membership(
    client, join_request, django_capture_on_commit_callbacks
):
    client.force_login(join_request["admin"])
    membership = join_request["membership"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:member_approve", args=[membership.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:members")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    applicant = User.objects.get(pk=join_request["applicant"].pk)
    assert applicant.organization == join_request["organization"]
    assert applicant.can_post
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [applicant.email]
    assert "approved" in mail.outbox[0].body
    assert "http://testserver/dashboard/" in mail.outbox[0].body


def test_admin_refusal_removes_the_request(
    client, join_request, django_capture_on_commit_callbacks
):
    client.force_login(join_request["admin"])
    membership = join_request["membership"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:member_remove", args=[membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(pk=join_request["applicant"].pk).exists()  # the account stays
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [join_request["applicant"].email]


def test_non_admin_member_cannot_approve(client, join_request):
    client.force_login(join_request["member"])
    membership = join_request["membership"]
    for name in ("accounts:member_approve", "accounts:member_remove", "accounts:member_role"):
        response = client.post(reverse(name, args=[membership.pk]), {"role": "admin"})
        assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING and membership.role == "member"
    assert client.get(reverse("accounts:members")).status_code == 403
    assert not mail.outbox


def test_pending_applicant_cannot_approve_themself(client, join_request):
    client.force_login(join_request["applicant"])
    membership = join_request["membership"]
    response = client.post(reverse("accounts:member_approve", args=[membership.pk]))
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_admin_of_another_organisation_gets_404(client, join_request):
    other_admin = make_member(role=Membership.Role.ADMIN)
    client.force_login(other_admin)
    membership = join_request["membership"]
    for name in ("accounts:member_approve", "accounts:member_remove", "accounts:member_role"):
        response = client.post(reverse(name, args=[membership.pk]), {"role": "admin"})
        assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert "Ken Sato" not in client.get(reverse("accounts:members")).content.decode()


def test_approval_needs_post(client, join_request):
    client.force_login(join_request["admin"])
    response = client.get(reverse("accounts:member_approve", args=[join_request["membership"].pk]))
    assert response.status_code == 405


# Member management -------------------------------------------------------------------------


def test_admin_changes_a_member_role_and_removes_a_member(client, join_request):
    client.force_login(join_request["admin"])
    target = join_request["member"].memberships.get()
    client.post(reverse("accounts:member_role", args=[target.pk]), {"role": "admin"})
    target.refresh_from_db()
    assert target.role == Membership.Role.ADMIN
    client.post(reverse("accounts:member_remove", args=[target.pk]))
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_admin_cannot_demote_or_remove_themself(client, join_request):
    admin = join_request["admin"]
    client.force_login(admin)
    own = admin.memberships.get()
    client.post(reverse("accounts:member_role", args=[own.pk]), {"role": "member"})
    client.post(reverse("accounts:member_remove", args=[own.pk]))
    own.refresh_from_db()
    assert own.role == Membership.Role.ADMIN


def test_bad_role_is_refused_with_a_message(client, join_request):
    client.force_login(join_request["admin"])
    target = join_request["member"].memberships.get()
    response = client.post(
        reverse("accounts:member_role", args=[target.pk]), {"role": "emperor"}, follow=True
    )
    assert response.status_code == 200
    assert "not possible" in response.content.decode()
    target.refresh_from_db()
    assert target.role == Membership.Role.MEMBER


def test_members_page_query_count(client, join_request, django_assert_max_num_queries):
    organization = join_request["organization"]
    for _ in range(10):
        make_user(organization=organization, status=Membership.Status.PENDING)
    client.force_login(join_request["admin"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:members"))
    assert response.status_code == 200
    assert len(response.context["memberships"]) == 13
