"""Who reaches which organisation's workbench, as querysets: access by construction.

The workbench of an organisation is open to its active members, to IP advisers while an
assignment for it is current (not before, not after), and to JPO moderators. Views fetch
technologies and organisations from these querysets, so anyone else gets a 404.
"""

from django.db.models import Prefetch, Q
from django.urls import reverse

from accounts.models import Organization
from listings.models import Technology

from .models import AdviserAssignment, Proposal


class Role:
    MODERATOR = "moderator"
    MEMBER = "member"
    ADVISER = "adviser"


def advised_organization_ids(user):
    """A subquery: the organisations the user advises today."""
    return AdviserAssignment.objects.current().filter(adviser=user).values("organization_id")


def workbench_organizations(user):
    """Organisations whose workbench the user may open."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    if user.is_moderator:
        return Organization.objects.all()
    condition = Q(pk__in=advised_organization_ids(user))
    if user.organization is not None:
        condition |= Q(pk=user.organization.pk)
    return Organization.objects.filter(condition)


def workbench_technologies(user):
    """Technologies in every state of the organisations whose workbench the user may open."""
    if not user.is_authenticated or not user.is_active:
        return Technology.objects.none()
    if user.is_moderator:
        return Technology.objects.all()
    condition = Q(organization_id__in=advised_organization_ids(user))
    if user.organization is not None:
        condition |= Q(organization_id=user.organization.pk)
    return Technology.objects.filter(condition)


def role_for(user, organization) -> str | None:
    """How the user reaches an organisation's workbench (moderator first, then membership)."""
    if not user.is_authenticated:
        return None
    if user.is_moderator:
        return Role.MODERATOR
    if user.organization is not None and user.organization.pk == organization.pk:
        return Role.MEMBER
    if AdviserAssignment.objects.current().filter(adviser=user, organization=organization).exists():
        return Role.ADVISER
    return None


def seeds(organization):
    """The organisation's technologies in every state, ready for the quality check."""
    return (
        Technology.objects.filter(organization=organization)
        .prefetch_related(
            "patents",
            "images",
            Prefetch(
                "adviser_proposals", queryset=Proposal.objects.open(), to_attr="open_proposals"
            ),
        )
        .order_by("status", "-updated_at", "-pk")
    )


def dashboard_sections(user) -> dict:
    assignments = list(
        AdviserAssignment.objects.current().filter(adviser=user).select_related("organization")
    )
    if not assignments:
        return {}
    return {"adviser_assignments": assignments}


def technology_detail(request, technology, actor) -> dict:
    """A link to the workbench for the organisation's members and moderators."""
    if actor not in ("owner", "moderator"):
        return {}
    return {"workbench_url": reverse("advisers:technology", args=[technology.pk])}


def _display(model_field, value):
    """A stored value as people read it: choice labels instead of codes."""
    if isinstance(value, list):
        base = getattr(model_field, "base_field", None)
        choices = dict(base.flatchoices) if base is not None and base.choices else {}
        return ", ".join(str(choices.get(v, v)) for v in value)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    return value


def proposal_changes(technology, data: dict) -> list[dict]:
    """What a proposed edit changes, field by field (fields of technology by name)."""
    changes = []
    for name, new in data.items():
        if name == "fields":
            current = {f.slug: f.name for f in technology.fields.all()}
            if sorted(current) == sorted(new or []):
                continue
            label = type(technology)._meta.get_field(name).verbose_name
            changes.append(
                {"label": label, "old": ", ".join(current.values()), "new": ", ".join(new)}
            )
            continue
        model_field = type(technology)._meta.get_field(name)
        old = getattr(technology, name)
        new = model_field.to_python(new)
        if old != new and (old or new):
            changes.append(
                {
                    "label": model_field.verbose_name,
                    "old": _display(model_field, old),
                    "new": _display(model_field, new),
                }
            )
    return changes
