"""Login, failed-login throttling (django-axes), logout, password reset and change, profile."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


LOGIN = reverse("accounts:login")


def _login(client, email, password, **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra})


def _signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_login_page_renders(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'type="email"' in response.content


def test_login_with_the_right_password_goes_to_the_dashboard(client, member):
    response = _login(client, member.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert _signed_in_user_id(client) == str(member.pk)


def test_login_email_is_case_insensitive(client, member):
    response = _login(client, member.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(member.pk)


def test_login_follows_a_safe_next_and_ignores_a_foreign_one(client, member):
    response = _login(client, member.email, PASSWORD, next=reverse("accounts:profile"))
    assert response["Location"] == reverse("accounts:profile")
    client.logout()
    response = _login(client, member.email, PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("dashboard")


def test_wrong_password_is_refused_with_a_form_error(client, member):
    response = _login(client, member.email, "wrong-password-1")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert _signed_in_user_id(client) is None


def test_inactive_user_cannot_sign_in(client, member):
    member.is_active = False
    member.save()
    _login(client, member.email, PASSWORD)
    assert _signed_in_user_id(client) is None


def test_signed_in_user_visiting_login_is_redirected(client, member):
    client.force_login(member)
    assert client.get(LOGIN).status_code == 302


def test_logout_needs_post_and_signs_out(client, member):
    client.force_login(member)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert _signed_in_user_id(client) is None


# Throttling ----------------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_for_the_right_password(client, member):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        response = _login(client, member.email, "wrong-password-1")
        assert response.status_code == 200
    response = _login(client, member.email, "wrong-password-1")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert AccessAttempt.objects.get(username=member.email).failures_since_start == limit

    response = _login(client, member.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_lockout_is_per_account(client, member):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, member.email, "wrong-password-1")
    other = make_member()
    response = _login(client, other.email, PASSWORD)
    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(other.pk)


def test_a_success_before_the_limit_resets_the_count(client, member):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, member.email, "wrong-password-1")
    assert _login(client, member.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, member.email, "wrong-password-1").status_code == 200
    assert _login(client, member.email, PASSWORD).status_code == 302


# Password reset --------------------------------------------------------------------------------


def test_password_reset_by_the_emailed_link(client, member):
    response = client.post(reverse("accounts:password_reset"), {"email": member.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body).group(0)
    path = link.removeprefix("http://testserver")

    # Django redirects the token URL to a session-bound "set-password" URL.
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is True
    set_password_url = response.redirect_chain[-1][0]
    new_password = "a-brand-new-passphrase-42"
    response = client.post(
        set_password_url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    member.refresh_from_db()
    assert member.check_password(new_password)

    # The link is single-use, and the new password signs in.
    response = client.get(path, follow=True)
    assert response.context["validlink"] is False
    assert "invalid or has already been used" in response.content.decode()
    assert _login(client, member.email, new_password).status_code == 302


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert not mail.outbox


def test_password_reset_rejects_a_weak_new_password(client, member):
    client.post(reverse("accounts:password_reset"), {"email": member.email})
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", mail.outbox[0].body).group(0)
    response = client.get(link.removeprefix("http://testserver"), follow=True)
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


# Password change and profile -----------------------------------------------------------------


def test_password_change(client, member):
    client.force_login(member)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    new_password = "another-long-passphrase-7"
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    member.refresh_from_db()
    assert member.check_password(new_password)
    # Still signed in (session hash updated).
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


def test_password_change_needs_the_old_password(client, member):
    client.force_login(member)
    new_password = "another-long-passphrase-7"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_profile_edit(client, member):
    client.force_login(member)
    url = reverse("accounts:profile")
    response = client.get(url)
    assert response.status_code == 200
    assert member.email in response.content.decode()
    response = client.post(url, {"full_name": "Hanako Yamada", "language": "ja"})
    assert response.status_code == 302 and response["Location"] == url
    member.refresh_from_db()
    assert (member.full_name, member.language) == ("Hanako Yamada", "ja")


def test_profile_edit_refuses_an_empty_name(client, member):
    client.force_login(member)
    response = client.post(reverse("accounts:profile"), {"full_name": ""})
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.full_name


def test_profile_cannot_change_the_email_address(client):
    user = make_user(email="keep@example.org")
    client.force_login(user)
    client.post(reverse("accounts:profile"), {"full_name": "X Y", "email": "other@example.org"})
    user.refresh_from_db()
    assert user.email == "keep@example.org"
