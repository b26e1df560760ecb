"""Account and organisation operations: sign-up, e-mail verification, memberships."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lib.mail import send_after_commit
from lib.urls import absolute_url

from . import recipients
from .models import Membership, Organization, User

VERIFY_SALT = "accounts.verify-email"


class MembershipError(Exception):
    """A membership change that would break a rule; the message says which, for the user."""


VERIFY_MAX_AGE = 60 * 60 * 24 * 3


def verification_token(user: User) -> str:
    return signing.dumps({"id": user.pk, "email": user.email}, salt=VERIFY_SALT)


def send_verification_email(user: User) -> None:
    """E-mail the user a signed link that proves they own their address."""
    link = absolute_url(reverse("accounts:verify_email", args=[verification_token(user)]))
    send_after_commit("emails/verify_email", [user], {"user": user, "link": link})


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
    join an existing one (pending until one of its administrators approves). The user's
    e-mails are in the language the site was used in at sign-up.

    An address that already has an account creates nothing and returns None: its holder is told
    by e-mail instead, so the sign-up page answers the same whether the address is known or not.
    """
    language = translation.get_language() or ""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email,
                    password=password,
                    full_name=full_name,
                    **({"language": language} if language in dict(settings.LANGUAGES) else {}),
                )
        except IntegrityError:  # the same address signed up at the same moment
            existing = User.objects.get(email__iexact=email)
    if existing is not None:
        make_password(password)  # as long as creating an account takes: timing tells nothing
        notify_existing_account(existing)
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
    """E-mail the holder of an address that someone tried to register again (after commit)."""
    send_after_commit(
        "emails/account_exists",
        [user],
        {
            "user": user,
            "login_link": absolute_url(reverse("accounts:login")),
            "reset_link": absolute_url(reverse("accounts:password_reset")),
        },
    )


def notify_join_request(user: User, organization: Organization) -> None:
    """E-mail the organisation's administrators that someone asks to join."""
    send_after_commit(
        "emails/join_request",
        recipients.organization_admins(organization.pk),
        {
            "user": user,
            "organization": organization,
            "link": absolute_url(reverse("accounts:members")),
        },
    )


@transaction.atomic
def approve_membership(membership: Membership, by: User) -> None:
    """Activate a pending membership and tell the new member."""
    membership.status = Membership.Status.ACTIVE
    membership.save(update_fields=["status"])
    user, organization = membership.user, membership.organization
    send_after_commit(
        "emails/join_approved",
        [user],
        {"user": user, "organization": organization, "link": absolute_url(reverse("dashboard"))},
    )


def _keep_an_administrator(membership: Membership, by: User, message: str) -> None:
    # An organisation keeps an administrator: the one acting may change anyone but themselves,
    # so after any change they are still there.
    if membership.user_id == by.pk:
        raise MembershipError(message)


@transaction.atomic
def remove_membership(membership: Membership, by: User) -> None:
    """Remove a member (or refuse a join request) and tell the person. An administrator cannot
    remove themselves: the organisation keeps an administrator."""
    _keep_an_administrator(membership, by, _("You cannot remove yourself."))
    user, organization = membership.user, membership.organization
    membership.delete()
    send_after_commit(
        "emails/membership_removed", [user], {"user": user, "organization": organization}
    )


def set_language(user: User, language: str) -> None:
    """Remember the language a signed-in user chose: their e-mails follow it."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def set_role(membership: Membership, role: str, by: User) -> None:
    """Make a member an organisation administrator or a plain member. An administrator cannot
    change their own role: the organisation keeps an administrator."""
    _keep_an_administrator(membership, by, _("This role change is not possible."))
    membership.role = role
    membership.save(update_fields=["role"])
