"""Who hears of what: the recipients of every notification, in one place.

Each function returns active users (not addresses): `lib.mail` writes to each in their own
language and by name.
"""

from .models import MODERATOR_GROUP, Membership, User


def moderators() -> list[User]:
    """JPO moderators: they hear of submissions, revisions and imports waiting for review."""
    return list(User.objects.filter(groups__name=MODERATOR_GROUP, is_active=True).order_by("email"))


def organization_admins(organization_id) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=organization_id,
            memberships__status=Membership.Status.ACTIVE,
            memberships__role=Membership.Role.ADMIN,
        ).order_by("email")
    )


def organization_members(organization_id) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=organization_id,
            memberships__status=Membership.Status.ACTIVE,
        ).order_by("email")
    )


def listing_owners(listing) -> list[User]:
    """A listing's organisation administrators and its author (decisions on the listing, and
    match introductions)."""
    people = {user.pk: user for user in organization_admins(listing.organization_id)}
    author = listing.author if listing.author_id else None
    if author is not None and author.is_active:
        people.setdefault(author.pk, author)
    return sorted(people.values(), key=lambda user: user.email)


def side_of_organization(organization_id, person=None) -> list[User]:
    """One side of a conversation (a licence request): the person directly involved, while
    still a member of that organisation, and its administrators; when nobody is named, every
    active member, so that news is never lost."""
    people = {user.pk: user for user in organization_admins(organization_id)}
    membership = person.active_membership if person is not None and person.is_active else None
    if membership is not None and membership.organization_id == organization_id:
        people.setdefault(person.pk, person)
    if not people:
        people = {user.pk: user for user in organization_members(organization_id)}
    return sorted(people.values(), key=lambda user: user.email)


def without(users, actor) -> list[User]:
    """Everyone but the person who acted (they know what they did)."""
    if actor is None:
        return list(users)
    return [user for user in users if user.pk != actor.pk]
