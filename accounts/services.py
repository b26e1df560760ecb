"""Account and organisation operations: sign-up, e-mail verification, memberships."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Membership, Organization, User

VERIFY_SALT = "accounts.verify-email"
VERIFY_MAX_AGE = 60 * 60 * 24 * 3


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send_templated_mail(template: str, context: dict, recipients, language: str | None = None):
    """Render `<template>_subject.txt` and `<template>.txt` and send them through Django's mail."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return 0
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    return send_mail(subject, body, None, recipients)


def verification_token(user: User) -> str:
    return signing.dumps({"id": user.pk, "email": user.email}, salt=VERIFY_SALT)


def send_verification_email(user: User) -> None:
    """E-mail the user a signed link that proves they own their address."""
    link = absolute(reverse("accounts:verify_email", args=[verification_token(user)]))
    send_templated_mail("emails/verify_email", {"user": user, "link": link}, [user.email])


def verify_email(token: str) -> User | None:
    """Mark the address in a valid token as verified; None for a bad or expired token."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("id"), email=data.get("email")).first()
    if user is None:
        return None
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


@transaction.atomic
def register(
    *, email, full_name, password, organization=None, new_organization=None
) -> User | None:
    """Create a user who either founds a new organisation (as its administrator) or asks to
    join an existing one (pending until one of its administrators approves).

    An address that already has an account creates nothing and returns None: its holder is told
    by e-mail instead, so the sign-up page answers the same whether the address is known or not.
    """
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, password=password, full_name=full_name)
        except IntegrityError:  # the same address signed up at the same moment
            existing = User.objects.get(email__iexact=email)
    if existing is not None:
        make_password(password)  # as long as creating an account takes: timing tells nothing
        transaction.on_commit(lambda: notify_existing_account(existing))
        return None
    if new_organization is not None:
        new_organization.save()
        Membership.objects.create(
            user=user,
            organization=new_organization,
            role=Membership.Role.ADMIN,
            status=Membership.Status.ACTIVE,
        )
    elif organization is not None:
        Membership.objects.create(user=user, organization=organization)
        notify_join_request(user, organization)
    send_verification_email(user)
    return user


def notify_existing_account(user: User) -> None:
    """E-mail the holder of an address that someone tried to register again."""
    send_templated_mail(
        "emails/account_exists",
        {
            "user": user,
            "login_link": absolute(reverse("accounts:login")),
            "reset_link": absolute(reverse("accounts:password_reset")),
        },
        [user.email],
    )


def organization_admin_emails(organization: Organization) -> list[str]:
    return list(
        organization.memberships.active()
        .filter(role=Membership.Role.ADMIN, user__is_active=True)
        .values_list("user__email", flat=True)
    )


def notify_join_request(user: User, organization: Organization) -> None:
    """E-mail the organisation's administrators that someone asks to join."""
    link = absolute(reverse("accounts:members"))
    send_templated_mail(
        "emails/join_request",
        {"user": user, "organization": organization, "link": link},
        organization_admin_emails(organization),
    )


@transaction.atomic
def approve_membership(membership: Membership, by: User) -> None:
    """Activate a pending membership and tell the new member."""
    membership.status = Membership.Status.ACTIVE
    membership.save(update_fields=["status"])
    user, organization = membership.user, membership.organization
    send_templated_mail(
        "emails/join_approved",
        {"user": user, "organization": organization, "link": absolute(reverse("dashboard"))},
        [user.email],
    )


@transaction.atomic
def remove_membership(membership: Membership, by: User) -> None:
    """Remove a member (or refuse a join request) and tell the person."""
    user, organization = membership.user, membership.organization
    membership.delete()
    send_templated_mail(
        "emails/membership_removed", {"user": user, "organization": organization}, [user.email]
    )


def set_role(membership: Membership, role: str) -> None:
    """Make a member an organisation administrator or a plain member (callers keep one admin)."""
    membership.role = role
    membership.save(update_fields=["role"])
