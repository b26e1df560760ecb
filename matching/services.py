"""Curated matches: moderators confirm a need–technology pair and introduce the two organisations;
either party may dismiss a suggestion it does not want to see again."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import recipients
from lib.mail import send_after_commit
from lib.urls import absolute_url
from licensing.models import DeclineFeedback
from licensing.services import RequestError, record_decline

from . import scoring
from .engine import fit_attributes, listing_features
from .models import ListingKind, Match, Representation, Term
from .representation import corpus_size, refresh_representation


class MatchError(Exception):
    """A match operation that is not allowed (not public, already confirmed, not a party)."""


def score_pair(need, technology) -> tuple[float, list]:
    """The engine's score and reasons (stored form) for one pair (when moderators confirm a match)."""
    representations = {}
    for listing in (need, technology):
        kind = ListingKind.NEED if listing is need else ListingKind.TECHNOLOGY
        representations[kind] = Representation.objects.filter(
            kind=kind, listing_id=listing.pk
        ).first() or refresh_representation(listing)
    n, t = representations[ListingKind.NEED], representations[ListingKind.TECHNOLOGY]
    terms = set(n.vector) | set(t.vector)
    df = dict(Term.objects.filter(text__in=terms).values_list("text", "df"))
    n_docs = max(corpus_size(), 1)
    need_features = listing_features(
        n.vector, None, n.fields, n.groups, n.language, fit_attributes(need)
    )
    tech_features = listing_features(
        t.vector, None, t.fields, t.groups, t.language, fit_attributes(technology)
    )
    total, reasons = scoring.score(need_features, tech_features, df, n_docs)
    return round(total, 4), [reason.as_json() for reason in reasons]


@transaction.atomic
def confirm_match(need, technology, by, note: str = "") -> Match:
    """Record a moderator-confirmed match and e-mail both organisations an introduction."""
    if not (by.is_authenticated and by.is_moderator):
        raise MatchError(_("Only JPO moderators may confirm a match."))
    if not (need.is_public and technology.is_public):
        raise MatchError(_("Both the need and the technology must be published."))
    if need.organization_id == technology.organization_id:
        raise MatchError(_("A need and a technology of the same organisation are not matched."))
    match, _created = Match.objects.select_for_update().get_or_create(
        need=need, technology=technology
    )
    if match.confirmed:
        raise MatchError(_("This match was already confirmed."))
    match.score, match.reasons = score_pair(need, technology)
    match.confirmed, match.confirmed_at, match.confirmed_by = True, timezone.now(), by
    match.note = note.strip()
    match.save()
    context = {
        "match": match,
        "need": need,
        "technology": technology,
        "moderator": by,
        "need_link": absolute_url(need.get_absolute_url()),
        "technology_link": absolute_url(technology.get_absolute_url()),
    }
    people = recipients.listing_owners(need) + recipients.listing_owners(technology)
    send_after_commit("emails/match_introduction", people, context)
    return match


@transaction.atomic
def dismiss(need, technology, user, *, reason: str, note: str = "", share_name=False) -> Match:
    """Hide a suggestion from the dismissing party's side (the other party still sees it), with
    a reason from the fixed list that the other listing's organisation hears of."""
    organization = user.organization if user.is_authenticated else None
    if organization is None:
        raise MatchError(_("Only the organisations concerned may dismiss a suggestion."))
    match, _created = Match.objects.select_for_update().get_or_create(
        need=need, technology=technology
    )
    if need.organization_id == organization.pk:
        match.dismissed_by_need_owner = True
        passed_on = {"technology": technology, "recipient": technology.organization}
    elif technology.organization_id == organization.pk:
        match.dismissed_by_technology_owner = True
        passed_on = {"need": need, "recipient": need.organization}
    else:
        raise MatchError(_("Only the organisations concerned may dismiss a suggestion."))
    match.save(update_fields=["dismissed_by_need_owner", "dismissed_by_technology_owner"])
    try:
        DeclineFeedback.objects.filter(match=match, decliner_organization=organization).delete()
        record_decline(
            path=DeclineFeedback.Path.SUGGESTION_DISMISSED,
            user=user,
            decliner=organization,
            reason=reason,
            note=note,
            share_name=share_name,
            match=match,
            **passed_on,
        )
    except RequestError as error:
        raise MatchError(str(error)) from None
    return match
