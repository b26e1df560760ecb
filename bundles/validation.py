"""Validating a bundle against the database as it is, without writing anything.

`prepare` checks every item exactly like the web forms (the section's form, see bundles.sections)
and returns a `Plan`: what would be created, changed or left alone, and every error as
(item key, field, message). The plan doubles as the upload preview, and the importer applies it.
Items are identified by their `key` (stored as `import_key`), so importing the same bundle twice
updates the same rows.
"""

from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.utils.translation import gettext as _

from accounts.models import Organization
from lib.i18n import join_list
from listings import search
from listings.forms import PatentForm
from listings.lifecycle import Status
from listings.models import Patent

from .sections import ORGANIZATIONS, SECTIONS, Section

MAX_ITEMS = 5000
MAX_KEY_LENGTH = 100
PATENT_KEYS = ("number", "office", "status")


@dataclass(frozen=True)
class BundleError:
    key: str
    field: str
    message: str

    def __str__(self):
        return f"{self.key or '-'} · {self.field or '-'} · {self.message}"


class BundleInvalid(Exception):
    """A bundle with at least one invalid item; nothing was written."""

    def __init__(self, errors: list[BundleError]):
        self.errors = errors
        super().__init__(_("%(n)s errors in the bundle.") % {"n": len(errors)})


@dataclass
class Item:
    """One bundle item as validated: what it becomes and what would change."""

    section: Section
    key: str
    title: str
    form: forms.ModelForm
    action: str  # "create", "update" or "unchanged"
    changes: list[str] = field(default_factory=list)
    organization_key: str = ""
    patents: list[dict] | None = None

    @property
    def instance(self):
        return self.form.instance


@dataclass
class Plan:
    """The outcome of validating a bundle: the valid items and every error."""

    items: list[Item] = field(default_factory=list)
    errors: list[BundleError] = field(default_factory=list)
    publish: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def counts(self) -> list[dict]:
        """Per section: how many items, new, updated, unchanged (for the summary and preview)."""
        out = []
        for section in SECTIONS:
            items = [item for item in self.items if item.section is section]
            if not items and section.name == "needs":
                continue
            out.append(
                {
                    "section": section.name,
                    "label": section.label,
                    "total": len(items),
                    "new": sum(item.action == "create" for item in items),
                    "updated": sum(item.action == "update" for item in items),
                    "unchanged": sum(item.action == "unchanged" for item in items),
                }
            )
        return out

    def summary(self) -> str:
        parts = [
            _("%(total)s %(label)s (%(new)s new, %(updated)s updated, %(unchanged)s unchanged)")
            % row
            for row in self.counts()
        ]
        return _("imported: %(parts)s") % {"parts": join_list(parts)}


def prepare(bundle: dict, *, user=None, organization=None, publish: bool = False) -> Plan:
    """Validate a bundle against the database without writing anything.

    `organization` set (a TLO's web upload): every item belongs to it, the organisations section
    and the items' `organization` keys are ignored, and keys used by other organisations are
    refused. Otherwise (the command, JPO moderators) items name their organisation by key.
    """
    plan = Plan(publish=publish)
    known = {section.name for section in SECTIONS} | {"judgments"}
    for name in bundle:
        if name not in known:
            plan.errors.append(BundleError("", name, _("Unknown section.")))
    raw = {}
    for section in SECTIONS:
        value = bundle.get(section.name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            plan.errors.append(BundleError("", section.name, _("Must be a list of objects.")))
            value = []
        raw[section.name] = value
    if sum(map(len, raw.values())) > MAX_ITEMS:
        plan.errors.append(
            BundleError("", "", _("A bundle may hold at most %(n)s items.") % {"n": MAX_ITEMS})
        )
        return plan

    org_keys = set()
    if organization is None:
        _prepare_section(plan, ORGANIZATIONS, raw["organizations"], user, None)
        # Keys of invalid organisations count as known: their own errors are reported already.
        org_keys = {item.get("key") for item in raw["organizations"]}
        org_keys = {key for key in org_keys if isinstance(key, str)}
    for section in SECTIONS:
        if section.is_listing:
            _prepare_section(plan, section, raw[section.name], user, organization, org_keys)
    return plan


def _prepare_section(plan, section, raw_items, user, organization, org_keys=frozenset()):
    keys = [item.get("key") for item in raw_items]
    existing = _existing(section, [k for k in keys if isinstance(k, str) and k.strip()])
    known_orgs = set(org_keys)
    if section.is_listing and organization is None:
        wanted = {item.get("organization") for item in raw_items} - known_orgs
        wanted = [k for k in wanted if isinstance(k, str)]
        known_orgs |= set(
            Organization.objects.filter(import_key__in=wanted).values_list("import_key", flat=True)
        )
    seen = set()
    for index, data in enumerate(raw_items):
        key = data.get("key")
        error = _key_error(key, seen)
        if error:
            label_key = key if isinstance(key, str) and key else f"{section.name}[{index}]"
            plan.errors.append(BundleError(label_key, "key", error))
            continue
        seen.add(key)
        errors_before = len(plan.errors)
        item = _prepare_item(plan, section, key, data, existing.get(key), organization, known_orgs)
        if item is not None and len(plan.errors) == errors_before:
            plan.items.append(item)


def _key_error(key, seen) -> str:
    if not isinstance(key, str) or not key.strip():
        return _("Every item needs a key.")
    if len(key) > MAX_KEY_LENGTH:
        return _("A key is at most 100 characters.")
    if key in seen:
        return _("This key appears twice in the bundle.")
    return ""


def _existing(section, keys) -> dict:
    queryset = section.model.objects.filter(import_key__in=keys)
    if section.is_listing:
        queryset = queryset.select_related("organization").prefetch_related("fields")
    if section.has_patents:
        queryset = queryset.prefetch_related("patents")
    return {obj.import_key: obj for obj in queryset}


def _prepare_item(plan, section, key, data, instance, organization, known_orgs) -> Item | None:
    form_data = _form_data(plan, section, key, data, instance)
    org_key = ""
    if section.is_listing:
        org_key = _item_organization(plan, key, data, instance, organization, known_orgs)
    patents = None
    if section.has_patents and "patents" in data:
        patents = _clean_patents(plan, key, data["patents"])

    new_instance = instance is None
    if new_instance:
        instance = section.model()
    if section.is_listing and organization is not None:
        instance.organization = organization
    form = section.form_class(data=form_data, instance=instance)
    if not form.is_valid():
        for name, messages in form.errors.items():
            for message in messages:
                name = "" if name == "__all__" else section.bundle_key(name)
                plan.errors.append(BundleError(key, name, message))
        return None

    changes = [] if new_instance else _changes(plan, section, form, org_key, patents)
    action = "create" if new_instance else ("update" if changes else "unchanged")
    title = form.cleaned_data.get("title") or form.cleaned_data.get("name") or key
    return Item(section, key, title, form, action, changes, org_key, patents)


def _form_data(plan, section, key, data, instance) -> dict:
    """The item as form data: the stored values of an existing row, overlaid by the item's."""
    data = {section.field_name(name): value for name, value in data.items()}
    allowed = set(section.form_fields) | {"key"}
    if section.is_listing:
        allowed.add("organization")
    if section.has_patents:
        allowed.add("patents")
    for name in data:
        if name not in allowed:
            plan.errors.append(BundleError(key, section.bundle_key(name), _("Unknown field.")))
    form_data = _instance_data(section, instance) if instance is not None else {}
    for name in section.form_fields:
        if name not in data:
            continue
        value = data[name]
        if not _shape_ok(section, name, value):
            plan.errors.append(
                BundleError(key, section.bundle_key(name), _("This value has the wrong type."))
            )
            continue
        form_data[name] = "" if value is None else value
    if instance is None and "language" in section.form_fields and not data.get("language"):
        # A new item without a language: Japanese if its title or summary is written in it.
        text = f"{data.get('title', '')} {data.get('summary', '')}"
        form_data["language"] = "ja" if search.has_cjk(text) else "en"
    return form_data


def _changes(plan, section, form, org_key, patents) -> list[str]:
    """What an import would change on an existing row, as labels for the preview."""
    changes = [str(form.fields[name].label or name) for name in form.changed_data]
    if not section.is_listing:
        return changes
    instance = form.instance
    if org_key and org_key != instance.organization.import_key:
        changes.append(str(_("organisation")))
    if patents is not None and _patent_tuples(patents) != _patent_tuples(
        [{name: getattr(p, name) for name in PATENT_KEYS} for p in instance.patents.all()]
    ):
        changes.append(str(Patent._meta.verbose_name_plural))
    if plan.publish and instance.status != Status.PUBLISHED:
        changes.append(str(_("status")))
    return changes


def _shape_ok(section, name, value) -> bool:
    """Lists where the form expects several values, plain scalars elsewhere."""
    form_field = section.form_class.base_fields[name]
    wants_list = isinstance(form_field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
    wants_list |= name == "keywords"
    if wants_list:
        return (
            isinstance(value, list)
            and all(isinstance(v, str | int) for v in value)
            or (name == "keywords" and isinstance(value, str))
        )
    return value is None or isinstance(value, str | int | float) and not isinstance(value, bool)


def _item_organization(plan, key, data, instance, organization, known_orgs) -> str:
    if organization is not None:
        if instance is not None and instance.organization_id != organization.pk:
            plan.errors.append(
                BundleError(key, "key", _("This key is already used by another organisation."))
            )
        return organization.import_key
    org_key = data.get("organization")
    if not org_key and instance is not None:
        return instance.organization.import_key
    if not isinstance(org_key, str) or not org_key:
        plan.errors.append(BundleError(key, "organization", _("Name the organisation by its key.")))
    elif org_key not in known_orgs:
        plan.errors.append(
            BundleError(
                key, "organization", _("No organisation with the key “%(k)s”.") % {"k": org_key}
            )
        )
    return org_key if isinstance(org_key, str) else ""


def _clean_patents(plan, key, value) -> list[dict] | None:
    if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
        plan.errors.append(BundleError(key, "patents", _("Must be a list of objects.")))
        return None
    cleaned, numbers = [], set()
    for index, patent in enumerate(value):
        form = PatentForm(data={name: patent.get(name) or "" for name in PATENT_KEYS})
        for name in sorted(set(patent) - set(PATENT_KEYS)):
            plan.errors.append(BundleError(key, f"patents[{index}].{name}", _("Unknown field.")))
        if not form.is_valid():
            for name, messages in form.errors.items():
                for message in messages:
                    plan.errors.append(BundleError(key, f"patents[{index}].{name}", message))
            continue
        number = form.cleaned_data["number"].strip()
        if number in numbers:
            plan.errors.append(
                BundleError(key, f"patents[{index}].number", _("This patent is listed twice."))
            )
            continue
        numbers.add(number)
        cleaned.append({**form.cleaned_data, "number": number})
    return cleaned


def _patent_tuples(patents) -> list[tuple]:
    return sorted((p["number"], p["office"], p["status"]) for p in patents)


def _instance_data(section, instance) -> dict:
    """The stored values of an existing row as form data, so absent keys keep their value."""
    data = {}
    for name in section.form_fields:
        value = getattr(instance, name, None)
        if name == "fields":
            value = [f.slug for f in instance.fields.all()]
        elif isinstance(value, date):
            value = value.isoformat()
        elif value is None:
            value = ""
        else:
            value = str(value) if not isinstance(value, list | int) else value
        data[name] = value
    return data
