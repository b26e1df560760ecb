"""Notification e-mail (lib/mail.py): text as typed, sent after commit, in the recipient's
language, written by every part of the site through the one module."""

import re

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from accounts import services as account_services
from accounts.models import Membership, Organization
from bundles import importer
from licensing import services as licensing_services
from licensing.models import LicenceRequest
from listings import services as listing_services
from listings.lifecycle import Action, Status
from matching import services as matching_services
from tests.factories import (
    make_member,
    make_need,
    make_organization,
    make_staff,
    make_technology,
    make_user,
)

pytestmark = pytest.mark.django_db

TYPED = 'We\'re keen — R&D says "yes" <now>'
ESCAPES = re.compile(r"&(amp|quot|lt|gt|#x27|#39);")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a block as if its transaction committed; return the messages it sent."""

    class Sent:
        def __call__(self, action, *args, **kwargs):
            mail.outbox.clear()
            with django_capture_on_commit_callbacks(execute=True):
                action(*args, **kwargs)
            assert mail.outbox, "nothing was sent"
            return list(mail.outbox)

    return Sent()


def assert_as_typed(messages, *texts):
    for message in messages:
        assert not ESCAPES.search(message.subject), message.subject
        assert not ESCAPES.search(message.body), message.body
        for text in texts:
            assert text in message.subject + message.body


# Text as typed, for every kind of mail -------------------------------------------------------


@pytest.fixture
def parties():
    university = make_organization(name='Smith & O\'Brien "Labs"')
    company = make_organization(name="R&D <Motors>", type=Organization.Type.COMPANY)
    owner = make_user(organization=university, role=Membership.Role.ADMIN, full_name="Ann O'Neil")
    buyer = make_user(organization=company, role=Membership.Role.ADMIN, full_name="Bob & Co")
    technology = make_technology(university, author=owner, title=TYPED)
    return {"owner": owner, "buyer": buyer, "technology": technology, "company": company}


def test_verification_mail_keeps_the_name_as_typed(sent):
    user = make_user(verified=False, full_name='Zoë O\'Hara & "Partners"')
    messages = sent(account_services.send_verification_email, user)
    assert_as_typed(messages, 'Zoë O\'Hara & "Partners"')


def test_join_mails_keep_organisation_and_names_as_typed(sent, parties):
    organization = parties["owner"].organization
    applicant = make_user(
        organization=organization, status=Membership.Status.PENDING, full_name='Ken & "Kei"'
    )
    messages = sent(account_services.notify_join_request, applicant, organization)
    assert_as_typed(messages, 'Ken & "Kei"', 'Smith & O\'Brien "Labs"')
    membership = applicant.memberships.get()
    messages = sent(account_services.approve_membership, membership, parties["owner"])
    assert_as_typed(messages, 'Smith & O\'Brien "Labs"')
    messages = sent(account_services.remove_membership, membership, parties["owner"])
    assert_as_typed(messages, 'Smith & O\'Brien "Labs"')


def test_moderation_mail_keeps_title_and_reason_as_typed(sent, parties):
    technology = parties["technology"]
    technology.status = Status.SUBMITTED
    technology.save()
    messages = sent(
        listing_services.transition, technology, Action.REQUEST_CHANGES, make_staff(), TYPED
    )
    assert_as_typed(messages, TYPED)
    assert TYPED[:20] in messages[0].subject


def test_licensing_mails_keep_message_title_and_names_as_typed(sent, parties):
    technology, buyer, owner = parties["technology"], parties["buyer"], parties["owner"]
    messages = sent(
        licensing_services.send_request, buyer, technology, purpose="licence", message=TYPED
    )
    assert_as_typed(messages, TYPED, "R&D <Motors>")
    request = LicenceRequest.objects.get()
    messages = sent(licensing_services.post_message, request, owner, TYPED)
    assert_as_typed(messages, TYPED, "Ann O'Neil")
    messages = sent(licensing_services.change_status, request, owner, "agreed", TYPED)
    assert_as_typed(messages, TYPED)


def test_match_introduction_keeps_titles_and_note_as_typed(sent, parties):
    need = make_need(parties["company"], author=parties["buyer"], title="Need: " + TYPED)
    messages = sent(
        matching_services.confirm_match, need, parties["technology"], make_staff(), TYPED
    )
    assert_as_typed(messages, TYPED, "Need: " + TYPED, 'Smith & O\'Brien "Labs"')


def test_import_mail_to_staff_keeps_titles_as_typed(sent, parties):
    make_staff()
    messages = sent(importer.notify_moderators, [parties["technology"]], parties["owner"])
    assert_as_typed(messages, TYPED, 'Smith & O\'Brien "Labs"')


def test_password_reset_mail_keeps_the_name_as_typed(client, parties):
    owner = parties["owner"]
    client.post(reverse("accounts:password_reset"), {"email": owner.email})
    [message] = mail.outbox
    assert_as_typed([message], "Ann O'Neil")
    assert re.search(r"http://testserver/accounts/password/reset/\S+/", message.body)


# After commit -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rolled_back_work_sends_nothing_and_committed_work_sends_once():
    member = make_member()
    make_staff()
    technology = make_technology(member.organization, status=Status.DRAFT, author=member)

    with pytest.raises(RuntimeError), transaction.atomic():  # a real transaction, rolled back
        listing_services.transition(technology, Action.SUBMIT, member)
        assert not mail.outbox  # not even before the end of the transaction
        raise RuntimeError("something after the submission failed")
    technology.refresh_from_db()
    assert technology.status == Status.DRAFT
    assert not mail.outbox

    listing_services.transition(technology, Action.SUBMIT, member)  # commits
    assert len(mail.outbox) == 1


def test_mail_waits_for_the_commit_of_the_surrounding_transaction(
    django_capture_on_commit_callbacks, parties
):
    with django_capture_on_commit_callbacks() as callbacks:
        licensing_services.send_request(
            parties["buyer"], parties["technology"], purpose="licence", message="Hello"
        )
        assert not mail.outbox
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [[parties["owner"].email]]


def test_each_recipient_gets_an_own_message_addressed_by_name(sent, parties):
    second_admin = make_user(
        organization=parties["owner"].organization,
        role=Membership.Role.ADMIN,
        full_name="Chie Mori",
    )
    messages = sent(
        licensing_services.send_request,
        parties["buyer"],
        parties["technology"],
        purpose="licence",
        message="Hello",
    )
    by_address = {m.to[0]: m for m in messages}
    assert set(by_address) == {parties["owner"].email, second_admin.email}
    assert by_address[second_admin.email].body.startswith("Dear Chie Mori,")
    assert by_address[parties["owner"].email].body.startswith("Dear Ann O'Neil,")


# The recipient's language -------------------------------------------------------------------


def test_english_senders_message_reaches_a_japanese_user_in_japanese(sent, parties):
    owner = parties["owner"]
    owner.language = "ja"
    owner.save()
    buyer_organization = parties["company"]
    buyer_organization.name_ja = "アールアンドディー自動車"
    buyer_organization.save()
    with translation.override("en"):  # the sender uses the site in English
        [message] = sent(
            licensing_services.send_request,
            parties["buyer"],
            parties["technology"],
            purpose="licence",
            message="Hello",
        )
    assert message.subject.startswith("【技術移転エクスチェンジ】")
    assert "Tech Transfer Exchange" not in message.subject
    assert message.body.startswith("Ann O'Neil 様")
    assert "アールアンドディー自動車" in message.body  # the organisation's Japanese name
    assert "技術移転エクスチェンジ事務局" in message.body
    assert "※本メールは送信専用です" in message.body
    assert "Dear" not in message.body


def test_japanese_senders_message_reaches_an_english_user_in_english(sent, parties):
    parties["buyer"].language = "ja"
    parties["buyer"].save()
    request = licensing_services.send_request(
        parties["buyer"], parties["technology"], purpose="licence", message="Hello"
    )
    with translation.override("ja"):
        [message] = sent(licensing_services.post_message, request, parties["buyer"], "こんにちは")
    assert message.to == [parties["owner"].email]
    assert message.subject.startswith("[Tech Transfer Exchange] New message about")
    assert message.body.startswith("Dear Ann O'Neil,")
    assert "Kind regards," in message.body
    assert "様" not in message.body


def test_moderation_subject_is_translated(sent, parties):
    owner, technology = parties["owner"], parties["technology"]
    owner.language = "ja"
    owner.save()
    technology.status = Status.SUBMITTED
    technology.save()
    [message] = sent(listing_services.transition, technology, Action.APPROVE, make_staff())
    assert message.subject.startswith("【技術移転エクスチェンジ】技術「")
    assert "Technology" not in message.subject


def test_signup_stores_the_language_the_site_was_used_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:signup"),
            {
                "full_name": "田中 愛子",
                "email": "aiko@example.org",
                "password1": "a-long-enough-passphrase-2026",
                "password2": "a-long-enough-passphrase-2026",
                "organization_choice": "create",
                "organization_name": "Kyoto Photonics",
                "organization_type": "startup",
                "organization_country": "JP",
            },
            HTTP_ACCEPT_LANGUAGE="ja",
        )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.subject == "【技術移転エクスチェンジ】メールアドレスの確認"
    assert message.body.startswith("田中 愛子 様")
    from accounts.models import User

    assert User.objects.get(email="aiko@example.org").language == "ja"


def test_switching_language_while_signed_in_is_remembered_for_mail(client):
    user = make_member()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "ja"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})  # not a language
    user.refresh_from_db()
    assert user.language == "ja"
