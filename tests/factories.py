"""Plain factory functions for tests: each creates real rows in the test database."""

import io
import itertools
import re

from django.contrib.auth.models import Group
from django.utils import timezone
from PIL import Image

from accounts.models import MODERATOR_GROUP, Membership, Organization, User
from listings.cards import KeptCard
from listings.lifecycle import Status
from listings.models import Field, Technology
from listings.services import after_save

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


def make_organization(**kwargs) -> Organization:
    n = next(_seq)
    defaults = {"name": f"Organisation {n}", "type": Organization.Type.UNIVERSITY, "country": "JP"}
    defaults.update(kwargs)
    return Organization.objects.create(**defaults)


def make_user(
    *,
    organization=None,
    role=Membership.Role.MEMBER,
    verified=True,
    status=Membership.Status.ACTIVE,
    **kwargs,
) -> User:
    n = next(_seq)
    defaults = {"email": f"user{n}@example.org", "full_name": f"User {n}"}
    defaults.update(kwargs)
    user = User.objects.create_user(password=PASSWORD, **defaults)
    if verified:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    if organization is not None:
        Membership.objects.create(user=user, organization=organization, role=role, status=status)
    return user


def make_member(
    type=Organization.Type.UNIVERSITY, role=Membership.Role.MEMBER, **org_kwargs
) -> User:
    return make_user(organization=make_organization(type=type, **org_kwargs), role=role)


def make_staff(**kwargs) -> User:
    user = make_user(**kwargs)
    user.groups.add(Group.objects.get(name=MODERATOR_GROUP))
    return user


def make_technology(
    organization=None, *, status=Status.PUBLISHED, fields=("solar",), **kwargs
) -> Technology:
    n = next(_seq)
    organization = organization or make_organization()
    defaults = {
        "title": f"Technology {n}",
        "summary": "A summary of the technology.",
        "description": "A longer description of the technology.",
        "trl": 5,
        "ip_status": "granted",
        "partnerships": ["non_exclusive_licence"],
        "countries": ["JP"],
        "language": "en",
        "status": status,
    }
    defaults.update(kwargs)
    if status == Status.PUBLISHED:
        defaults.setdefault("published_at", timezone.now())
    technology = Technology.objects.create(organization=organization, **defaults)
    technology.fields.set(Field.objects.filter(slug__in=fields))
    after_save(technology)
    return technology


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def make_need(organization=None, *, status=Status.PUBLISHED, fields=("solar",), **kwargs):
    from needs.models import Need

    n = next(_seq)
    organization = organization or make_organization(type=Organization.Type.COMPANY)
    defaults = {
        "title": f"Need {n}",
        "description": "What the company needs.",
        "trl_min": 4,
        "trl_max": 9,
        "partnerships": ["non_exclusive_licence"],
        "countries": ["JP"],
        "language": "en",
        "status": status,
    }
    defaults.update(kwargs)
    if status == Status.PUBLISHED:
        defaults.setdefault("published_at", timezone.now())
    need = Need.objects.create(organization=organization, **defaults)
    need.fields.set(Field.objects.filter(slug__in=fields))
    after_save(need)
    return need


#: a technology card's link (`listings.cards.card_parts`).
CARD_LINK = re.compile(r'<h3><a href="/technologies/(\d+)/"')


def listed(response, column: str = "title") -> list:
    """`column` of each listing a list page shows, in order. A technology's search result is
    its card's markup (`listings.cards.KeptCard`): its column is read by its id, from the
    page's cards if the page was served as it was kept (no template context:
    `listings.views.SEARCH_PAGES`)."""
    if response.context is None:
        ids = [int(pk) for pk in CARD_LINK.findall(response.content.decode())]
        values = dict(Technology.objects.filter(pk__in=ids).values_list("pk", column))
        return [values[pk] for pk in ids]
    items = list(response.context["page_obj"])
    cards = [item.pk for item in items if isinstance(item, KeptCard)]
    values = dict(Technology.objects.filter(pk__in=cards).values_list("pk", column))
    return [values[i.pk] if isinstance(i, KeptCard) else getattr(i, column) for i in items]
