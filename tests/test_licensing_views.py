"""Licence-request pages: who may open each one (privacy), and what each one does."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, Organization
from licensing import services
from licensing.models import LicenceRequest
from listings.lifecycle import Status as ListingStatus
from tests.factories import make_member, make_staff, make_technology, make_user

pytestmark = pytest.mark.django_db


Status = LicenceRequest.Status


@pytest.fixture
def owner():
    return make_member(type=Organization.Type.UNIVERSITY, name="Tohoku Institute")


@pytest.fixture
def requester():
    return make_member(type=Organization.Type.COMPANY, name="Nagoya Ceramics")


@pytest.fixture
def technology(owner):
    return make_technology(owner.organization, author=owner, title="Ceramic membrane")


@pytest.fixture
def licence_request(requester, technology):
    return services.send_request(
        requester, technology, purpose=LicenceRequest.Purpose.LICENCE, message="Secret terms: 3%."
    )


def thread_urls(licence_request) -> dict:
    return {
        "detail": reverse("licensing:request_detail", args=[licence_request.pk]),
        "message": reverse("licensing:request_message", args=[licence_request.pk]),
        "status": reverse("licensing:request_status", args=[licence_request.pk]),
    }


# Privacy: every view ------------------------------------------------------------------------


def test_other_org_member_gets_404_on_every_thread_view(client, licence_request):
    client.force_login(make_member(type=Organization.Type.COMPANY))
    urls = thread_urls(licence_request)
    assert client.get(urls["detail"]).status_code == 404
    assert client.post(urls["message"], {"body": "Hi"}).status_code == 404
    assert client.post(urls["status"], {"status": "declined"}).status_code == 404
    assert licence_request.messages.count() == 0


def test_other_org_member_does_not_see_the_request_in_any_list(client, licence_request):
    client.force_login(make_member())
    for name in ("licensing:inbox", "licensing:sent"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "Ceramic membrane" not in response.content.decode()
        assert len(response.context["page_obj"]) == 0


def test_member_without_organisation_gets_404_or_403(client, licence_request):
    client.force_login(make_user())
    assert client.get(thread_urls(licence_request)["detail"]).status_code == 404
    assert client.get(reverse("licensing:inbox")).status_code == 403
    assert client.get(reverse("licensing:sent")).status_code == 403


def test_anonymous_gets_404_on_a_thread_with_a_way_to_sign_in(client, licence_request):
    for url in thread_urls(licence_request).values():
        response = client.post(url) if url.endswith(("messages/", "status/")) else client.get(url)
        assert response.status_code == 404, url
        page = response.content.decode()
        assert "Secret terms" not in page
        if not url.endswith(("messages/", "status/")):
            # The owner who follows an e-mail link while signed out can sign in from here.
            assert f"{reverse('accounts:login')}?next={url}" in page


def test_anonymous_is_sent_to_sign_in_from_the_lists(client, licence_request):
    for url in [reverse("licensing:inbox"), reverse("licensing:sent"),
                reverse("licensing:moderator_list"),
                reverse("licensing:request_create", args=[licence_request.technology_id])]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_non_staff_get_403_on_the_staff_list(client, licence_request, requester, owner):
    for user in (requester, owner, make_member()):
        client.force_login(user)
        assert client.get(reverse("licensing:moderator_list")).status_code == 403


def test_staff_read_every_request_but_cannot_write(client, licence_request):
    client.force_login(make_staff())
    assert "Ceramic membrane" in client.get(reverse("licensing:moderator_list")).content.decode()
    response = client.get(thread_urls(licence_request)["detail"])
    assert response.status_code == 200
    assert "Secret terms" in response.content.decode()
    assert response.context["status_forms"] == []
    assert client.post(thread_urls(licence_request)["message"], {"body": "Hi"}).status_code == 400
    assert licence_request.messages.count() == 0


def test_both_parties_read_the_thread(client, licence_request, requester, owner):
    for user in (requester, owner):
        client.force_login(user)
        response = client.get(thread_urls(licence_request)["detail"])
        assert response.status_code == 200
        assert "Secret terms" in response.content.decode()


def test_staff_list_filters_by_status(client, licence_request):
    client.force_login(make_staff())
    response = client.get(reverse("licensing:moderator_list"), {"status": "agreed"})
    assert len(response.context["page_obj"]) == 0
    response = client.get(reverse("licensing:moderator_list"), {"status": "open"})
    assert len(response.context["page_obj"]) == 1


# Sending a request ------------------------------------------------------------------------


def test_technology_page_offers_the_request_button_only_to_other_members(
    client, technology, owner, requester
):
    url = technology.get_absolute_url()
    create_url = reverse("licensing:request_create", args=[technology.pk])
    client.force_login(requester)
    assert create_url in client.get(url).content.decode()
    client.force_login(owner)
    assert create_url not in client.get(url).content.decode()
    client.force_login(make_user(organization=requester.organization, verified=False))
    assert create_url not in client.get(url).content.decode()
    client.logout()
    assert create_url not in client.get(url).content.decode()


def test_member_sends_a_request_from_the_form(
    client, technology, requester, owner, django_capture_on_commit_callbacks
):
    client.force_login(requester)
    url = reverse("licensing:request_create", args=[technology.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "purpose": "research_collaboration",
                "message": "Let us work together.",
                "territory": "JP",
            },
        )
    licence_request = LicenceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == licence_request.get_absolute_url()
    assert licence_request.purpose == "research_collaboration"
    assert mail.outbox[-1].to == [owner.email]


def test_second_open_request_is_refused_by_the_form_with_a_400(client, licence_request, requester):
    client.force_login(make_user(organization=requester.organization))
    url = reverse("licensing:request_create", args=[licence_request.technology_id])
    response = client.post(url, {"purpose": "licence", "message": "Again"})
    assert response.status_code == 400
    assert "already has an open request" in response.content.decode()
    assert LicenceRequest.objects.count() == 1
    # Opening the form again leads to the open thread instead.
    assert client.get(url)["Location"] == licence_request.get_absolute_url()


def test_request_form_refuses_missing_message_and_bad_kind(client, technology, requester):
    client.force_login(requester)
    url = reverse("licensing:request_create", args=[technology.pk])
    response = client.post(url, {"purpose": "purchase", "message": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"purpose", "message"}
    assert not LicenceRequest.objects.exists()


def test_own_technology_request_page_is_403(client, technology, owner):
    client.force_login(owner)
    url = reverse("licensing:request_create", args=[technology.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"purpose": "licence", "message": "Hi"}).status_code == 403
    assert not LicenceRequest.objects.exists()


def test_unpublished_technology_of_another_org_is_404(client, owner, requester):
    draft = make_technology(owner.organization, status=ListingStatus.DRAFT)
    client.force_login(requester)
    assert client.get(reverse("licensing:request_create", args=[draft.pk])).status_code == 404


def test_unverified_user_is_sent_to_verify(client, technology, requester):
    client.force_login(make_user(organization=requester.organization, verified=False))
    response = client.get(reverse("licensing:request_create", args=[technology.pk]))
    assert response["Location"] == reverse("accounts:verify_needed")


# The thread ---------------------------------------------------------------------------------


def test_owner_reply_reaches_requester_and_starts_discussion(
    client, licence_request, owner, requester, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(thread_urls(licence_request)["message"], {"body": "Call us Monday."})
    assert response.status_code == 302
    licence_request.refresh_from_db()
    assert licence_request.status == Status.IN_DISCUSSION
    assert [m.to for m in mail.outbox] == [[requester.email]]
    client.force_login(requester)
    assert "Call us Monday." in client.get(thread_urls(licence_request)["detail"]).content.decode()


def test_empty_message_is_a_400_with_a_message(client, licence_request, requester):
    client.force_login(requester)
    response = client.post(thread_urls(licence_request)["message"], {"body": ""})
    assert response.status_code == 400
    assert response.context["message_form"].errors


def test_closed_thread_refuses_messages_with_a_400(client, licence_request, requester, owner):
    services.change_status(licence_request, owner, Status.DECLINED, reason="terms")
    client.force_login(requester)
    response = client.post(thread_urls(licence_request)["message"], {"body": "Please?"})
    assert response.status_code == 400
    assert "accepts no new messages" in response.content.decode()
    assert licence_request.messages.filter(body="Please?").count() == 0


def test_owner_agrees_and_requester_is_told(
    client, licence_request, owner, requester, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(thread_urls(licence_request)["status"], {"status": "agreed"})
    assert response.status_code == 302
    licence_request.refresh_from_db()
    assert licence_request.status == Status.AGREED
    assert [m.to for m in mail.outbox] == [[requester.email]]


def test_requester_withdraws_but_may_not_agree(
    client, licence_request, requester, owner, django_capture_on_commit_callbacks
):
    client.force_login(requester)
    response = client.post(thread_urls(licence_request)["status"], {"status": "agreed"})
    assert response.status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            thread_urls(licence_request)["status"], {"status": "withdrawn", "reason": "terms"}
        )
    licence_request.refresh_from_db()
    assert licence_request.status == Status.WITHDRAWN
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_invalid_status_is_a_400(client, licence_request, owner):
    client.force_login(owner)
    response = client.post(thread_urls(licence_request)["status"], {"status": "deleted"})
    assert response.status_code == 400


# Inbox, dashboard, unread counts ------------------------------------------------------------


def test_inbox_and_sent_list_with_unread_counts(client, licence_request, owner, requester):
    client.force_login(owner)
    inbox = client.get(reverse("licensing:inbox"))
    [row] = inbox.context["page_obj"]
    assert (row.pk, row.unread) == (licence_request.pk, 1)
    client.force_login(requester)
    [row] = client.get(reverse("licensing:sent")).context["page_obj"]
    assert (row.pk, row.unread) == (licence_request.pk, 0)


def test_nav_shows_unread_count_until_the_thread_is_read(client, licence_request, owner):
    client.force_login(owner)
    assert client.get(reverse("dashboard")).context["nav_unread"] == 1
    client.get(thread_urls(licence_request)["detail"])
    assert client.get(reverse("dashboard")).context["nav_unread"] == 0


def test_dashboards_show_received_and_sent_requests(client, licence_request, owner, requester):
    client.force_login(owner)
    page = client.get(reverse("dashboard"))
    assert [r.pk for r in page.context["received_requests"]] == [licence_request.pk]
    assert page.context["sent_requests"] == []
    client.force_login(requester)
    page = client.get(reverse("dashboard"))
    assert [r.pk for r in page.context["sent_requests"]] == [licence_request.pk]
    assert "Ceramic membrane" in page.content.decode()


def test_staff_dashboard_links_to_all_requests(client, licence_request):
    client.force_login(make_staff())
    page = client.get(reverse("dashboard"))
    assert page.context["open_request_count"] == 1


def test_inbox_query_count_does_not_grow_with_rows(
    client, owner, technology, django_assert_max_num_queries
):
    for n in range(8):
        services.send_request(
            make_member(type=Organization.Type.COMPANY),
            technology,
            purpose="licence",
            message=f"#{n}",
        )
    client.force_login(owner)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("licensing:inbox"))
    assert len(response.context["page_obj"]) == 8


def test_admin_of_requester_org_is_notified_too(technology, django_capture_on_commit_callbacks):
    company = make_member(type=Organization.Type.COMPANY)
    admin = make_user(organization=company.organization, role=Membership.Role.ADMIN)
    licence_request = services.send_request(company, technology, purpose="licence", message="Hi")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(licence_request, technology.author, "Hello")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([company.email, admin.email])
