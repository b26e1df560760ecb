"""Saved searches, follows and digests: what a user keeps, and what the digests send.

Every digest is idempotent: the sent-logs (SentListing, FollowNotice) have a unique row per
saved search (or follow) and item, written in the same transaction that decides what to send;
the mail leaves only after that transaction commits. A re-run, or a run that stops half way,
finds the items already logged and never sends them again.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lib import mail
from lib.urls import absolute_url as absolute
from listings import search
from listings.lifecycle import Status
from listings.models import ModerationEvent, Technology
from matching.models import Match
from needs.models import Need
from opendata.sources import listing_sources

from .models import (
    Follow,
    FollowNotice,
    Frequency,
    SavedSearch,
    SearchList,
    SentListing,
    new_feed_token,
)

UNSUBSCRIBE_SALT = "alerts.unsubscribe"
# How far back a digest looks before its last check: a listing approved in a transaction that
# committed after that check started is still found (the sent-log removes repeats).
GRACE = timedelta(hours=1)
DUE_AFTER = {
    Frequency.INSTANT: timedelta(0),
    # A little slack so a daily cron job at a fixed hour never skips a day.
    Frequency.DAILY: timedelta(days=1) - timedelta(minutes=30),
    Frequency.WEEKLY: timedelta(days=7) - timedelta(minutes=30),
}
MAX_ITEMS = 50
# Saved searches per transaction in a digest run.
BATCH = 200
FOLLOW_FREQUENCY = timedelta(days=1) - timedelta(minutes=30)


class AlertError(Exception):
    """A saved search or follow that cannot be made (the message says why)."""


# --- saved searches --------------------------------------------------------------------------


def clean_query(query: str) -> str:
    """The list's query string without the page number and empty values, in a stable order."""
    params = QueryDict(query or "", mutable=True)
    params.pop("page", None)
    for key in list(params):
        values = [v for v in params.getlist(key) if v.strip()]
        if values:
            params.setlist(key, values)
        else:
            del params[key]
    return params.urlencode()


def filterset_for(saved_search, queryset=None):
    source = listing_sources()[saved_search.list]
    base = source.model.objects.published() if queryset is None else queryset
    return source.filterset_class(saved_search.query_dict() or None, queryset=base)


def matching(saved_search, queryset=None):
    """The published listings the saved query selects (none when the query is no longer valid,
    e.g. a field that was removed from the taxonomy)."""
    filterset = filterset_for(saved_search, queryset)
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


@transaction.atomic
def save_search(user, *, name, list, query, frequency, language) -> SavedSearch:
    """Keep a list query under a name (names are unique per user)."""
    name = name.strip()
    if SavedSearch.objects.filter(user=user, name=name).exists():
        raise AlertError(_("You already have a saved search with this name."))
    return SavedSearch.objects.create(
        user=user,
        name=name,
        list=list,
        query=clean_query(query),
        frequency=frequency,
        language=language,
        # Alerts start now: what was already published is in the list itself.
        checked_at=timezone.now(),
    )


@transaction.atomic
def update_search(saved_search, *, name, frequency, language) -> SavedSearch:
    """Rename a saved search or change how often it mails."""
    name = name.strip()
    clash = SavedSearch.objects.filter(user=saved_search.user_id, name=name).exclude(
        pk=saved_search.pk
    )
    if clash.exists():
        raise AlertError(_("You already have a saved search with this name."))
    saved_search.name = name
    saved_search.frequency = frequency
    saved_search.language = language
    saved_search.save(update_fields=["name", "frequency", "language"])
    return saved_search


def revoke_feed(saved_search) -> SavedSearch:
    """Give the saved search a new private feed address; the old one stops working."""
    saved_search.feed_token = new_feed_token()
    saved_search.save(update_fields=["feed_token"])
    return saved_search


# --- follows ---------------------------------------------------------------------------------


def follow(user, listing, language: str) -> Follow:
    """Follow a published technology or need (following twice changes nothing)."""
    if not listing.is_public:
        raise AlertError(_("Only published listings can be followed."))
    key = "technology" if isinstance(listing, Technology) else "need"
    followed, _created = Follow.objects.get_or_create(
        user=user, **{key: listing}, defaults={"language": language}
    )
    return followed


def unfollow(user, listing) -> None:
    key = "technology" if isinstance(listing, Technology) else "need"
    Follow.objects.filter(user=user, **{key: listing}).delete()


# --- unsubscribe tokens ----------------------------------------------------------------------


def unsubscribe_token(subscription: str, pk: int) -> str:
    """A signed token for one-click unsubscribe: `search` (one saved search) or `follows`
    (every follow of a user). It never expires: an old mail's link must still work."""
    return signing.dumps({"k": subscription, "id": pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe(token: str) -> str | None:
    """Stop the mails a token names; returns which subscription
    (`search` or `follows`), or None for a bad token."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    subscription, pk = data.get("k"), data.get("id")
    if subscription == "search":
        SavedSearch.objects.filter(pk=pk).update(frequency=Frequency.OFF)
    elif subscription == "follows":
        Follow.objects.filter(user_id=pk).update(mail=False)
    else:
        return None
    return subscription


# --- sending ---------------------------------------------------------------------------------


@dataclass
class AlertMail:
    template: str
    context: dict
    recipient: object  # the user: addressed by name, in their language
    unsubscribe_url: str


def send_alert_mails(mails: list[AlertMail]) -> None:
    """The one place alerts send mail: after the transaction commits, each in its recipient's
    language, with a List-Unsubscribe header (RFC 2369) and one-click POST (RFC 8058), through
    one connection for the whole batch."""
    if not mails:
        return

    messages = []
    for item in mails:
        context = {"unsubscribe_url": item.unsubscribe_url, "recipient": item.recipient}
        subject, body = mail.render(
            item.template, {**context, **item.context}, mail.language_of(item.recipient)
        )
        messages.append(
            EmailMessage(
                subject,
                body,
                to=[item.recipient.email],
                headers={
                    "List-Unsubscribe": f"<{item.unsubscribe_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        )
    transaction.on_commit(lambda: get_connection().send_messages(messages))


@dataclass
class DigestSummary:
    searches: int = 0
    mails: int = 0
    listings: int = 0
    follow_mails: int = 0
    notices: int = 0
    errors: list = field(default_factory=list)


def is_due(saved_search, now) -> bool:
    every = DUE_AFTER.get(saved_search.frequency)
    if every is None:
        return False
    return saved_search.checked_at is None or saved_search.checked_at <= now - every


def due_searches(now):
    """Saved searches whose digest is due now."""
    condition = Q(checked_at__isnull=True)
    for frequency, every in DUE_AFTER.items():
        condition |= Q(frequency=frequency, checked_at__lte=now - every)
    return SavedSearch.objects.mailing().filter(condition).order_by("pk")


def new_listing_ids(now) -> dict[str, list[int]]:
    """Listings published in the widest window any due search can look at: a day's few hundred,
    so each saved search then runs its filters over these ids only."""
    oldest = (
        SavedSearch.objects.mailing().order_by("checked_at").values_list("checked_at", flat=True)
    ).first()
    since = (oldest or now - timedelta(days=8)) - GRACE
    return {
        name: list(
            source.model.objects.published()
            .filter(published_at__gt=since)
            .values_list("pk", flat=True)
        )
        for name, source in listing_sources().items()
    }


def _text_matches(list_name: str, words: set[str], candidates: list[int]) -> dict[str, set]:
    """Which candidates each search text matches, in one query for many texts: each listing's
    (long, out-of-line) search vector is read once, not once per saved search."""
    words = sorted(w for w in words if w)
    if not words or not candidates:
        return {}
    model = listing_sources()[list_name].model
    columns = {
        f"w{index}": ExpressionWrapper(
            Q(search_vector=search.cross_language_query(text)), output_field=BooleanField()
        )
        for index, text in enumerate(words)
    }
    found = {text: set() for text in words}
    rows = model.objects.filter(pk__in=candidates).annotate(**columns).values_list("pk", *columns)
    for pk, *hits in rows:
        for text, hit in zip(words, hits, strict=True):
            if hit:
                found[text].add(pk)
    return found


_digest_filtersets = {}


def _digest_filterset_class(list_name):
    """The list's own FilterSet, with its search words answered from the run's text matches
    (every other filter runs unchanged, in SQL, over the new listings only)."""
    if list_name not in _digest_filtersets:
        base = listing_sources()[list_name].filterset_class

        class DigestFilterSet(base):
            def filter_search(self, queryset, name, value):
                return queryset.filter(pk__in=self.text_matches.get(value, ()))

            def ordering(self, data):
                return self.default_order()

        _digest_filtersets[list_name] = DigestFilterSet
    return _digest_filtersets[list_name]


class NewListings:
    """A digest run's new listings, and what each saved list query selects among them.

    10,000 saved queries are combinations of a few hundred filter values (a search word, a TRL
    floor, a field group, a country). Rather than one FilterSet and one query per distinct saved
    query, each distinct filter value is validated and run once per digest run (the list's own
    filter, in SQL, over the new listings only), and a saved query selects the intersection of
    its values' listings. That is exactly what the list selects: FilterSet.filter_queryset
    chains the filters, each a condition on the listing alone; the filters that `is_valid`
    checks against each other (ListingFilterSet.CHECKED_TOGETHER) are validated together.
    """

    def __init__(self, ids: dict[str, list[int]]):
        self.ids = ids
        self.words = {name: {} for name in ids}  # search text -> ids it matches
        self.values = {}  # (list, filter, values) -> ids it selects, None if invalid
        self.together = {}  # (list, ((filter, values), ...)) -> valid?
        self.texts = {}  # (list, pk, language) -> the listing's lines in a digest

    def _filterset(self, list_name, data):
        source = listing_sources()[list_name]
        filterset = _digest_filterset_class(list_name)(
            data,
            queryset=source.model.objects.published().filter(pk__in=self.ids.get(list_name, [])),
        )
        filterset.text_matches = self.words[list_name]
        return filterset

    def listed(self, list_name) -> dict:
        """{pk: published_at} of the new listings the list shows now (one query per batch: a
        listing withdrawn while the run goes on drops out)."""
        if not self.ids.get(list_name):
            return {}
        return dict(self._filterset(list_name, None).qs.values_list("pk", "published_at"))

    def prepare(self, keys) -> None:
        """Match the batch's search texts not seen yet in this run (one query per list)."""
        for list_name in {name for name, _query in keys}:
            texts = {
                QueryDict(query).get("q", "").strip() for name, query in keys if name == list_name
            }
            texts -= set(self.words[list_name])
            self.words[list_name].update(
                _text_matches(list_name, texts, self.ids.get(list_name, []))
            )

    def _selected_by(self, list_name, name, values) -> set | None:
        key = (list_name, name, values)
        if key not in self.values:
            data = QueryDict(mutable=True)
            data.setlist(name, list(values))
            filterset = self._filterset(list_name, data)
            self.values[key] = (
                set(filterset.qs.values_list("pk", flat=True)) if filterset.is_valid() else None
            )
        return self.values[key]

    def _valid_together(self, list_name, pairs) -> bool:
        key = (list_name, pairs)
        if key not in self.together:
            data = QueryDict(mutable=True)
            for name, values in pairs:
                data.setlist(name, list(values))
            self.together[key] = self._filterset(list_name, data).is_valid()
        return self.together[key]

    def texts_of(self, list_name, pks, language) -> list[str]:
        """The listings' lines in a digest, each rendered once per language in a run (one
        listing is in thousands of digests)."""
        missing = [pk for pk in pks if (list_name, pk, language) not in self.texts]
        if missing:
            model = listing_sources()[list_name].model
            for listing in model.objects.filter(pk__in=missing).select_related("organization"):
                context = {"item": listing, "url": absolute(listing.get_absolute_url())}
                self.texts[(list_name, listing.pk, language)] = mail.render_text(
                    "alerts/emails/digest_item.txt", context, language
                ).strip("\n")
        return [self.texts[(list_name, pk, language)] for pk in pks]

    def select(self, key, listed: dict) -> list[tuple[int, object]]:
        """(pk, published_at) of the listed new listings a saved list query selects, newest
        first (none when the query is no longer valid)."""
        list_name, query = key
        params = QueryDict(query)
        filters = _digest_filterset_class(list_name).base_filters
        ids = set(listed)
        for name in params:
            if name not in filters or not ids:
                continue
            selected = self._selected_by(list_name, name, tuple(params.getlist(name)))
            if selected is None:
                return []
            ids &= selected
        checked = tuple(
            (name, tuple(params.getlist(name)))
            for name in _digest_filterset_class(list_name).CHECKED_TOGETHER
            if name in params
        )
        if len(checked) > 1 and not self._valid_together(list_name, checked):
            return []
        return sorted(((pk, listed[pk]) for pk in ids), key=lambda x: (x[1], x[0]), reverse=True)


def log_sent(rows: list[tuple[int, str, int]], now) -> None:
    """Write a batch's sent-log, (saved search, "technology" or "need", listing) rows, in one
    statement from three arrays: a batch logs thousands of rows, and building and preparing a
    model instance for each cost more than the insert itself."""
    if not rows:
        return
    meta = SentListing._meta
    saved_search, technology, need, sent_at = (
        meta.get_field(name).column for name in ("saved_search", "technology", "need", "sent_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {meta.db_table} ({saved_search}, {technology}, {need}, {sent_at}) "
            "SELECT s, t, n, %s FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS r(s, t, n)",
            [
                now,
                [search for search, _kind, _pk in rows],
                [pk if kind == "technology" else None for _search, kind, pk in rows],
                [pk if kind == "need" else None for _search, kind, pk in rows],
            ],
        )


def digest_batch(pks: list[int], now, new: NewListings) -> tuple[int, int]:
    """Send the new matches of a batch of saved searches; returns (mails, listings).

    One transaction per batch: the rows are locked (skip_locked: a parallel run leaves them to
    the one holding them), the listings already logged are excluded, and the sent-log and the
    check times commit before any mail leaves. A batch costs a fixed number of queries, plus
    one per filter value the run has not met before (NewListings), whatever its saved queries."""
    with transaction.atomic():
        searches = [
            item
            for item in SavedSearch.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk__in=pks)
            .order_by("pk")
            if is_due(item, now)
        ]
        if not searches:
            return 0, 0
        sent_before = set(
            SentListing.objects.filter(saved_search__in=searches)
            .filter(
                Q(technology_id__in=new.ids.get(SearchList.TECHNOLOGIES, []))
                | Q(need_id__in=new.ids.get(SearchList.NEEDS, []))
            )
            .values_list("saved_search_id", "technology_id", "need_id")
        )
        sent_before = {(search, tech or need) for search, tech, need in sent_before}
        keys = {(item.list, item.query) for item in searches}
        listed = {name: new.listed(name) for name in {name for name, _query in keys}}
        new.prepare(keys)
        matches = {key: new.select(key, listed[key[0]]) for key in keys}
        chosen = {}
        for item in searches:
            since = (item.checked_at or item.created_at) - GRACE
            chosen[item.pk] = [
                pk
                for pk, published_at in matches[(item.list, item.query)]
                if published_at > since and (item.pk, pk) not in sent_before
            ][:MAX_ITEMS]
        log, mails = [], []
        manage_url = absolute(reverse("alerts:saved_search_list"))
        for item in searches:
            if not chosen[item.pk]:
                continue
            key = "technology" if item.list == SearchList.TECHNOLOGIES else "need"
            log += [(item.pk, key, pk) for pk in chosen[item.pk]]
            token = unsubscribe_token("search", item.pk)
            language = mail.language_of(item.user)
            mails.append(
                AlertMail(
                    template="alerts/emails/digest",
                    context={
                        "saved_search": item,
                        "items": new.texts_of(item.list, chosen[item.pk], language),
                        "list_url": absolute(item.get_list_url()),
                        "manage_url": manage_url,
                    },
                    recipient=item.user,
                    unsubscribe_url=absolute(reverse("alerts:unsubscribe", args=[token])),
                )
            )
        log_sent(log, now)
        SavedSearch.objects.filter(pk__in=[item.pk for item in searches]).update(checked_at=now)
        send_alert_mails(mails)
    return len(mails), len(log)


def follow_events(follows) -> dict[int, list[dict]]:
    """What happened to followed listings since each follow began: revisions approved,
    withdrawal, expiry (the moderation log) and confirmed matches. Keyed by follow pk."""
    by_listing = {}
    for item in follows:
        by_listing.setdefault((item.technology_id and "technology", item.listing.pk), []).append(
            item
        )
    events = {item.pk: [] for item in follows}
    types = {
        "technology": ContentType.objects.get_for_model(Technology),
        "need": ContentType.objects.get_for_model(Need),
    }
    for listing_type in ("technology", "need"):
        ids = [
            item.listing.pk
            for item in follows
            if (listing_type == "technology") == bool(item.technology_id)
        ]
        if not ids:
            continue
        moderation = ModerationEvent.objects.filter(
            content_type=types[listing_type], object_id__in=ids
        ).filter(
            Q(action__in=["revision_approve", "edit"])
            | Q(to_status__in=[Status.WITHDRAWN, Status.EXPIRED], from_status=Status.PUBLISHED)
        )
        matches = Match.objects.filter(
            confirmed=True, **{f"{listing_type}_id__in": ids}
        ).select_related("technology", "need")
        for item in follows:
            if bool(item.technology_id) != (listing_type == "technology"):
                continue
            for event in moderation:
                if event.object_id != item.listing.pk or event.created_at < item.created_at:
                    continue
                if event.to_status == Status.WITHDRAWN:
                    what = "withdrawn"
                elif event.to_status == Status.EXPIRED:
                    what = "expired"
                else:
                    what = "revised"
                events[item.pk].append(
                    {"key": f"moderation:{event.pk}", "what": what, "at": event.created_at}
                )
            for match in matches:
                if getattr(match, f"{listing_type}_id") != item.listing.pk:
                    continue
                if match.confirmed_at and match.confirmed_at < item.created_at:
                    continue
                other = match.need if listing_type == "technology" else match.technology
                events[item.pk].append(
                    {
                        "key": f"match:{match.pk}",
                        "what": "matched",
                        "at": match.confirmed_at,
                        "other": other,
                    }
                )
    return events


def digest_follows(user_pk: int, now) -> int:
    """Tell one user what happened to what they follow (each event once); returns the count."""
    with transaction.atomic():
        follows = list(
            Follow.objects.select_for_update(of=("self",))
            .filter(user_id=user_pk, mail=True, user__is_active=True)
            .select_related("user", "technology", "need")
        )
        if not follows:
            return 0
        told = set(
            FollowNotice.objects.filter(follow__in=follows).values_list("follow_id", "event")
        )
        events = follow_events(follows)
        lines, notices = [], []
        for item in follows:
            for event in events[item.pk]:
                if (item.pk, event["key"]) in told:
                    continue
                notices.append(FollowNotice(follow=item, event=event["key"], sent_at=now))
                lines.append({"follow": item, **event})
        if not lines:
            return 0
        FollowNotice.objects.bulk_create(notices)
        user = follows[0].user
        token = unsubscribe_token("follows", user.pk)
        send_alert_mails(
            [
                AlertMail(
                    template="alerts/emails/follows",
                    context={
                        "user": user,
                        "lines": lines,
                        "manage_url": absolute(reverse("alerts:saved_search_list")),
                    },
                    recipient=user,
                    unsubscribe_url=absolute(reverse("alerts:unsubscribe", args=[token])),
                )
            ]
        )
    return len(lines)


def send_digests(now=None, progress=None) -> DigestSummary:
    """Send every digest that is due: each saved search's new matches, then each follower's
    news. Safe to run at any time and as often as wanted (cron: every few minutes)."""
    now = now or timezone.now()
    summary = DigestSummary()
    new = NewListings(new_listing_ids(now))
    due = list(due_searches(now).values_list("pk", flat=True))
    for start in range(0, len(due), BATCH):
        batch = due[start : start + BATCH]
        mails, listings = digest_batch(batch, now, new)
        summary.searches += len(batch)
        summary.mails += mails
        summary.listings += listings
        if progress:
            progress(summary.searches, len(due))
    last_day = now - FOLLOW_FREQUENCY
    users = (
        Follow.objects.filter(mail=True)
        .exclude(notices__sent_at__gt=last_day)
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user_pk in users:
        told = digest_follows(user_pk, now)
        summary.notices += told
        summary.follow_mails += 1 if told else 0
    return summary
