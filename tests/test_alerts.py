"""Saved searches, follows and digests: round trip, contents per frequency, no duplicates after
a re-run or a crash, unsubscribe without signing in, private feeds, constant queries."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import Follow, FollowNotice, Frequency, SavedSearch, SentListing
from listings import services as listing_services
from listings.lifecycle import Action
from listings.lifecycle import Status as ListingStatus
from tests.factories import (
    listed as listed_column,
)
from tests.factories import (
    make_member,
    make_need,
    make_organization,
    make_staff,
    make_technology,
    make_user,
)

pytestmark = pytest.mark.django_db


_capture = {}


@pytest.fixture(autouse=True)
def _commit_hooks(django_capture_on_commit_callbacks):
    """Tests run inside one transaction: `digest()` runs the after-commit mail callbacks of
    what committed (a rolled-back saved search's callbacks are discarded, as in production)."""
    _capture["run"] = django_capture_on_commit_callbacks
    yield
    _capture.clear()


@pytest.fixture
def user():
    return make_user()


def save(user, query="q=solar", frequency=Frequency.DAILY, list="technologies", **kwargs):
    saved = services.save_search(
        user,
        name=kwargs.pop("name", f"search {query}"),
        list=list,
        query=query,
        frequency=frequency,
        language=kwargs.pop("language", "en"),
    )
    # Saved a while ago: what follows is new.
    SavedSearch.objects.filter(pk=saved.pk).update(
        created_at=timezone.now() - timedelta(days=10),
        checked_at=timezone.now() - timedelta(days=10),
    )
    saved.refresh_from_db()
    return saved


def solar(title, **kwargs):
    return make_technology(
        title=title, summary="Perovskite solar cells.", keywords=["solar"], **kwargs
    )


def digest():
    with _capture["run"](execute=True):
        return services.send_digests()


# --- saving a search -------------------------------------------------------------------------


def test_saved_query_replays_the_same_results_as_the_list(client, user):
    solar("Solar roof tiles", trl=7)
    solar("Solar paint", trl=3)
    make_technology(title="Wind blade", summary="A wind turbine blade.")
    query = "q=solar&trl_min=5&sort=newest&page=2"
    client.force_login(user)
    response = client.post(
        reverse("alerts:saved_search_create"),
        {"name": "Mature solar", "list": "technologies", "query": query, "frequency": "weekly"},
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=user)
    assert saved.query == "q=solar&trl_min=5&sort=newest"  # the page number is dropped
    replayed = client.get(saved.get_list_url())
    listed = client.get(reverse("listings:technology_list") + "?q=solar&trl_min=5&sort=newest")
    titles = listed_column(replayed)
    assert titles == listed_column(listed) == ["Solar roof tiles"]
    assert [t.pk for t in services.matching(saved)] == listed_column(listed, "pk")


def test_needs_list_query_can_be_saved(client, user):
    make_need(title="Need solar glass", description="solar glass wanted")
    client.force_login(user)
    client.post(
        reverse("alerts:saved_search_create"),
        {"name": "Glass", "list": "needs", "query": "q=glass", "frequency": "daily"},
    )
    saved = SavedSearch.objects.get()
    assert [n.title for n in services.matching(saved)] == ["Need solar glass"]


def test_list_page_offers_to_save_the_search(client, user):
    body = client.get(reverse("listings:technology_list") + "?q=solar").content.decode()
    assert "Sign in to save this search" in body
    client.force_login(user)
    body = client.get(reverse("listings:technology_list") + "?q=solar").content.decode()
    assert 'name="query" value="q=solar"' in body


def test_saving_twice_under_one_name_is_refused_clearly(client, user):
    save(user, name="Mine")
    client.force_login(user)
    response = client.post(
        reverse("alerts:saved_search_create"),
        {"name": "Mine", "list": "technologies", "query": "q=x", "frequency": "daily"},
    )
    assert response.status_code == 400
    assert "already have a saved search with this name" in response.content.decode()


def test_anonymous_cannot_save(client):
    response = client.post(reverse("alerts:saved_search_create"), {"name": "x"})
    assert response.status_code == 302 and "login" in response.url
    assert not SavedSearch.objects.exists()


def test_rename_change_frequency_and_delete(client, user):
    saved = save(user, name="Old")
    client.force_login(user)
    url = reverse("alerts:saved_search_edit", args=[saved.pk])
    response = client.post(url, {"name": "New", "frequency": "instant"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.frequency) == ("New", "instant")
    assert "New" in client.get(reverse("alerts:saved_search_list")).content.decode()
    client.post(reverse("alerts:saved_search_delete", args=[saved.pk]))
    assert not SavedSearch.objects.exists()


def test_another_users_saved_search_is_404(client, user):
    saved = save(user)
    client.force_login(make_user())
    assert client.get(reverse("alerts:saved_search_edit", args=[saved.pk])).status_code == 404
    response = client.post(reverse("alerts:saved_search_delete", args=[saved.pk]))
    assert response.status_code == 404
    response = client.post(reverse("alerts:saved_search_revoke_feed", args=[saved.pk]))
    assert response.status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


# --- digests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("frequency", [Frequency.INSTANT, Frequency.DAILY, Frequency.WEEKLY])
def test_digest_lists_new_matches_only(user, frequency):
    saved = save(user, frequency=frequency)
    solar("Solar old", published_at=timezone.now() - timedelta(days=20))
    solar("Solar new")
    make_technology(title="Wind new", summary="Wind.")
    summary = digest()
    assert summary.mails == 1 and summary.listings == 1
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "Solar new" in message.body
    assert "Solar old" not in message.body and "Wind new" not in message.body
    assert saved.name in message.subject
    assert SentListing.objects.filter(saved_search=saved).count() == 1


@pytest.mark.parametrize(
    "frequency, waited, due",
    [
        (Frequency.INSTANT, timedelta(minutes=1), True),
        (Frequency.DAILY, timedelta(hours=2), False),
        (Frequency.DAILY, timedelta(days=1), True),
        (Frequency.WEEKLY, timedelta(days=2), False),
        (Frequency.WEEKLY, timedelta(days=7), True),
    ],
)
def test_each_frequency_waits_its_period(user, frequency, waited, due):
    saved = save(user, frequency=frequency)
    SavedSearch.objects.filter(pk=saved.pk).update(checked_at=timezone.now() - waited)
    solar("Solar fresh")
    digest()
    assert len(mail.outbox) == (1 if due else 0)


def test_no_email_frequency_sends_nothing(user):
    save(user, frequency=Frequency.OFF)
    solar("Solar fresh")
    digest()
    assert mail.outbox == []


def test_rerun_sends_no_duplicate(user):
    save(user, frequency=Frequency.INSTANT)
    solar("Solar once")
    digest()
    digest()
    out = io.StringIO()
    call_command("send_digests", stdout=out)
    assert "Checked 1 saved searches: 0 mails" in out.getvalue()
    assert len(mail.outbox) == 1


def test_a_listing_is_never_sent_twice_even_if_checked_time_is_lost(user):
    saved = save(user, frequency=Frequency.INSTANT)
    solar("Solar once")
    digest()
    # Even with the check time set back, the sent-log keeps the listing out.
    SavedSearch.objects.filter(pk=saved.pk).update(checked_at=None)
    solar("Solar twice")
    digest()
    assert len(mail.outbox) == 2
    assert "Solar once" not in mail.outbox[1].body and "Solar twice" in mail.outbox[1].body


def test_crash_half_way_then_rerun_sends_each_listing_once(user, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 1)  # one saved search per transaction
    first = save(user, name="first", query="q=solar", frequency=Frequency.INSTANT)
    second = save(make_user(), name="second", query="q=solar+cells", frequency=Frequency.INSTANT)
    solar("Solar crash")
    real = services.NewListings.select
    calls = []

    def crash_on_second(self, key, listed):
        calls.append(key[1])
        if key[1] == second.query:
            raise RuntimeError("the machine stops here")
        return real(self, key, listed)

    crash = mock.patch.object(services.NewListings, "select", crash_on_second)
    with crash, pytest.raises(RuntimeError):
        digest()
    assert calls == [first.query, second.query]
    assert len(mail.outbox) == 1  # the first search's mail left; the second rolled back
    assert not SentListing.objects.filter(saved_search=second).exists()
    digest()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.user.email, second.user.email])
    assert SentListing.objects.count() == 2


def test_crash_in_a_batch_sends_nothing_of_it_and_rerun_sends_all_once(user):
    save(user, name="first", frequency=Frequency.INSTANT)
    save(make_user(), name="second", frequency=Frequency.INSTANT)
    solar("Solar crash")
    crash = mock.patch.object(services, "log_sent", side_effect=OSError)
    with crash, pytest.raises(OSError):
        digest()
    assert mail.outbox == [] and not SentListing.objects.exists()
    digest()
    digest()
    assert len(mail.outbox) == 2


def test_listing_withdrawn_before_the_digest_is_not_sent(user):
    save(user, frequency=Frequency.DAILY)
    technology = solar("Solar gone")
    listing_services.transition(technology, Action.WITHDRAW, technology.author or make_staff())
    digest()
    assert mail.outbox == []


def test_digest_is_in_the_users_language_with_list_unsubscribe(user):
    user.language = "ja"
    user.save(update_fields=["language"])
    save(user, language="ja", frequency=Frequency.INSTANT)
    solar("Solar ja")
    digest()
    (message,) = mail.outbox
    assert "件" in message.subject  # Japanese subject
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and "/alerts/unsubscribe/" in header
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.strip("<>") in message.body


def test_two_users_with_the_same_search_each_get_their_mail_in_their_language():
    """The listing's lines are rendered once per language and shared: each reader still gets
    them, and the organisation's name, in their own language."""
    english = make_user(language="en")
    japanese = make_user(language="ja")
    for reader in (english, japanese):
        save(reader, name="Solar", frequency=Frequency.INSTANT)
    solar("Solar shared", organization=make_organization(name="Kyoto Lab", name_ja="京都研究所"))
    digest()
    mails = {message.to[0]: message for message in mail.outbox}
    assert len(mails) == 2
    en, ja = mails[english.email], mails[japanese.email]
    assert "1 new match for “Solar”" in en.subject and "件" in ja.subject
    assert "Solar shared (Kyoto Lab)" in en.body and "Solar shared (京都研究所)" in ja.body
    assert "Dear " + english.full_name in en.body
    assert en.extra_headers["List-Unsubscribe"] != ja.extra_headers["List-Unsubscribe"]


def test_search_matching_none_of_the_new_listings_sends_nothing(user):
    saved = save(user, query="q=wind", frequency=Frequency.INSTANT)
    make_technology(title="Wind old", summary="Wind.", published_at=timezone.now() - timedelta(30))
    solar("Solar new")
    summary = digest()
    assert (summary.searches, summary.mails, summary.listings) == (1, 0, 0)
    assert mail.outbox == [] and not SentListing.objects.exists()
    saved.refresh_from_db()
    assert saved.checked_at > timezone.now() - timedelta(minutes=1)  # checked all the same


def test_listing_withdrawn_while_the_run_goes_on_is_not_sent(monkeypatch):
    monkeypatch.setattr(services, "BATCH", 1)  # one saved search per transaction
    first = save(make_user(), name="first", frequency=Frequency.INSTANT)
    second = save(make_user(), name="second", frequency=Frequency.INSTANT)
    technology = solar("Solar withdrawn mid-run")
    real = services.digest_batch

    def withdraw_after_first(pks, now, new):
        sent = real(pks, now, new)
        if pks == [first.pk]:
            listing_services.transition(technology, Action.WITHDRAW, make_staff())
        return sent

    monkeypatch.setattr(services, "digest_batch", withdraw_after_first)
    digest()
    digested = [m for m in mail.outbox if "Solar withdrawn mid-run" in m.body]
    assert [m.to for m in digested] == [[first.user.email]]
    assert not SentListing.objects.filter(saved_search=second).exists()


def test_unsubscribe_works_signed_out_and_refuses_a_forged_token(client, user):
    saved = save(user, frequency=Frequency.INSTANT)
    solar("Solar bye")
    digest()
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("http://testserver").split("testserver")[-1]
    path = "/" + link.split("/", 3)[3]
    response = client.get(path)
    assert response.status_code == 200
    saved.refresh_from_db()
    assert saved.frequency == Frequency.OFF
    # One-click POST from a mail program (no CSRF token, no session) works too.
    SavedSearch.objects.filter(pk=saved.pk).update(frequency=Frequency.DAILY)
    from django.test import Client

    assert Client(enforce_csrf_checks=True).post(path).status_code == 200
    saved.refresh_from_db()
    assert saved.frequency == Frequency.OFF
    forged = reverse("alerts:unsubscribe", args=[path.rstrip("/").split("/")[-1] + "x"])
    assert client.get(forged).status_code == 404


# --- queries per saved search ---------------------------------------------------------------


def test_queries_grow_with_new_filter_values_not_with_saved_searches():
    """A digest run costs a fixed number of queries per batch plus one per filter value it
    meets first: saved searches combining the same few values add no query at all, so the
    queries per saved search stay constant (and fall as saved searches grow)."""
    for n in range(5):
        solar(f"Solar {n}", trl=n + 3)
    make_need(title="Need solar", description="solar")

    def run(queries):
        SavedSearch.objects.all().delete()
        for n, query in enumerate(queries):
            save(make_user(), name=f"s{n}", query=query, frequency=Frequency.INSTANT)
        save(make_user(), name="needs", list="needs", query="q=solar&field=solar")
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as queries_run:
            digest()
        assert len(mail.outbox) == len(queries) + 1
        return len(queries_run)

    # Seven filter values: two search words, three TRL floors, two dates.
    few = ["q=solar&trl_min=3&since=2020-01-01", "q=perovskite&trl_min=4&since=2020-01-02"]
    few.append("trl_min=5")
    every_combination = [
        f"q={q}&trl_min={trl}&since=2020-01-0{day}"
        for q in ("solar", "perovskite")
        for trl in (3, 4, 5)
        for day in (1, 2)
    ]
    baseline = run(few)
    assert run(every_combination * 2) == baseline
    assert run([*few, "q=solar&country=JP"]) == baseline + 1  # one new value: one query


# --- private feed ----------------------------------------------------------------------------


def test_private_feed_lists_matches_and_refuses_wrong_or_revoked_token(client, user):
    saved = save(user)
    solar("Solar in feed")
    make_technology(title="Wind not in feed", summary="Wind.")
    response = client.get(saved.get_feed_url())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "Solar in feed" in body and "Wind not in feed" not in body
    assert client.get(reverse("alerts:feed", args=["not-the-token"])).status_code == 404
    old = saved.get_feed_url()
    client.force_login(user)
    client.post(reverse("alerts:saved_search_revoke_feed", args=[saved.pk]))
    client.logout()
    saved.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(saved.get_feed_url()).status_code == 200


# --- follows ---------------------------------------------------------------------------------


def test_follow_and_unfollow_from_the_listing_page(client, user):
    technology = solar("Solar follow")
    client.force_login(user)
    assert "Follow" in client.get(technology.get_absolute_url()).content.decode()
    client.post(reverse("alerts:follow", args=["technology", technology.pk]))
    assert Follow.objects.filter(user=user, technology=technology).exists()
    save(user, name="My solar search")
    body = client.get(reverse("dashboard")).content.decode()
    assert "Solar follow" in body and "My solar search" in body
    client.post(reverse("alerts:unfollow", args=["technology", technology.pk]))
    assert not Follow.objects.exists()


def test_unpublished_listing_cannot_be_followed(client, user):
    draft = make_technology(status=ListingStatus.DRAFT)
    client.force_login(user)
    response = client.post(reverse("alerts:follow", args=["technology", draft.pk]))
    assert response.status_code == 404


def test_followers_hear_of_revision_match_withdrawal_and_expiry_once(user):
    from matching.services import confirm_match

    owner = make_member()
    technology = solar("Solar followed", organization=owner.organization, author=owner)
    need = make_need(title="Need followed")
    services.follow(user, technology, "en")
    services.follow(user, need, "en")
    listing_services._log(technology, owner, Action.EDIT, "published", "published", "")
    confirm_match(need, technology, make_staff())
    listing_services.transition(technology, Action.WITHDRAW, owner)
    listing_services.transition(need, Action.EXPIRE, None)
    mail.outbox.clear()  # the owners' own notices
    digest()
    (message,) = mail.outbox
    assert message.to == [user.email]
    for words in ("revised", "withdrawn", "expired", "matched with “Need followed”"):
        assert words in message.body
    assert "List-Unsubscribe" in message.extra_headers
    notices = FollowNotice.objects.count()
    Follow.objects.update()  # nothing changes
    FollowNotice.objects.update(sent_at=timezone.now() - timedelta(days=2))
    digest()
    assert len(mail.outbox) == 1
    assert FollowNotice.objects.count() == notices


def test_follow_unsubscribe_stops_follow_mails(client, user):
    owner = make_member()
    technology = solar("Solar stop", organization=owner.organization, author=owner)
    services.follow(user, technology, "en")
    token = services.unsubscribe_token("follows", user.pk)
    assert client.get(reverse("alerts:unsubscribe", args=[token])).status_code == 200
    listing_services.transition(technology, Action.WITHDRAW, owner)
    mail.outbox.clear()  # the owner's own notice
    digest()
    assert mail.outbox == []


def test_digest_selects_exactly_what_the_list_query_selects():
    solar("Solar tile", trl=7, countries=["JP"])
    solar("Solar film", trl=3, countries=["US"])
    make_technology(title="太陽電池の新素材", summary="ペロブスカイト太陽電池", language="ja")
    make_technology(title="Wind blade", summary="A wind turbine blade.", trl=8)
    queries = [
        "q=solar",
        "q=solar&trl_min=5",
        "q=solar&country=US",
        "q=太陽電池",
        "trl_min=7",
        "q=solar+OR+wind&sort=trl_desc",
        "q=-solar",
        # Filters validated together, and values that are no longer valid: nothing selected.
        "q=solar&trl_min=3&trl_max=8",
        "trl_min=7&trl_max=3",
        "field=no-such-field",
        "q=solar&country=XX",
        "q=solar&org_kind=university&since=2020-01-01",
        "q=solar&trl_min=3&trl_min=8",
    ]
    searches = [
        save(make_user(), name=f"s{n}", query=query, frequency=Frequency.INSTANT)
        for n, query in enumerate(queries)
    ]
    digest()
    for saved in searches:
        sent = set(
            SentListing.objects.filter(saved_search=saved).values_list("technology_id", flat=True)
        )
        assert sent == set(services.matching(saved).values_list("pk", flat=True)), saved.query
    count = {
        saved.query: SentListing.objects.filter(saved_search=saved).count() for saved in searches
    }
    assert count["q=solar&trl_min=3&trl_max=8"] == count["q=solar"] > 0
    assert count["trl_min=7&trl_max=3"] == count["field=no-such-field"] == 0
    assert count["q=solar&trl_min=3&trl_min=8"] == 0  # the last value counts, as on the list
