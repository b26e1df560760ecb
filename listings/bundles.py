"""Bulk data in and out: the JSON exchange bundle (data/README.md) and a CSV of technologies.

One code path serves the `import_bundle` command and the web upload:

1. `load_json` / `load_csv` turn uploaded bytes into a bundle dict (or raise `BundleFormatError`
   for a file that is not a bundle at all: not JSON, not UTF-8, too big, wrong top-level shape);
2. `prepare` validates every item exactly like the web forms (accounts.forms.OrganizationForm,
   listings.forms.TechnologyForm, needs.forms.NeedForm) against the database as it is, and
   returns a `Plan`: what would be created, changed or left alone, and every error as
   (item key, field, message). Nothing is written, so the plan doubles as the upload preview;
3. `import_bundle` prepares again inside one transaction and applies the plan, or raises
   `BundleInvalid` with the full error list having written nothing.

Items are identified by their `key` (stored as `import_key`), so importing the same bundle twice
updates the same rows. Derived data (search vectors, matching representations) is computed once
for all written items at the end, by `refresh_derived`.

CSV of technologies (UTF-8, first row = column names): `key`, `title`, `summary`, `description`,
`trl`, `ip_status`, `offers`, `fields` are required; `benefits`, `keywords`, `countries`,
`language`, `patents`, `contact_name`, `contact_email`, `organization` are optional. Lists
(`fields`, `keywords`, `offers`, `countries`) are separated by `;`; `patents` is
`number|office|status` entries separated by `;`.
"""

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import recipients
from accounts.forms import OrganizationForm
from accounts.models import Organization
from lib.i18n import join_list
from lib.mail import send_after_commit
from lib.urls import absolute_url

from . import search, services
from .forms import PatentForm, TechnologyForm
from .lifecycle import Action, Status
from .models import Patent, Technology
from .signals import listings_bulk_changed

MAX_BUNDLE_BYTES = 5 * 1024 * 1024
MAX_ITEMS = 5000
MAX_NESTING = 20
# Serialises imports: two at once could both decide to create the same key.
ADVISORY_LOCK_ID = 0x42554E44  # "BUND"

CSV_LIST_SEPARATOR = ";"
CSV_REQUIRED = ("key", "title", "summary", "description", "trl", "ip_status", "offers", "fields")
CSV_COLUMNS = CSV_REQUIRED + (
    "benefits", "keywords", "countries", "language", "patents", "contact_name", "contact_email",
    "organization",
)  # fmt: skip
CSV_LIST_COLUMNS = ("fields", "keywords", "offers", "countries")

# What an export writes for each kind (the documented format; imports accept a few more).
ORGANIZATION_KEYS = ("name", "name_ja", "kind", "country", "city", "website", "description")
ORGANIZATION_RENAMED = {"kind": "type"}  # the bundle's key for the organisation type
TECHNOLOGY_KEYS = (
    "title", "summary", "description", "benefits", "fields", "keywords", "trl", "ip_status",
    "offers", "countries", "language",
)  # fmt: skip
NEED_KEYS = (
    "title", "description", "solution", "fields", "keywords", "trl_min", "trl_max", "countries",
    "partnerships", "deadline", "language",
)  # fmt: skip

SECTION_LABELS = {
    "organizations": gettext_lazy("organisations"),
    "technologies": gettext_lazy("technologies"),
    "needs": gettext_lazy("needs"),
}


class BundleFormatError(Exception):
    """The file is not a bundle at all (not JSON, not UTF-8, too big, wrong top-level shape)."""


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


@dataclass(frozen=True)
class Kind:
    """How one section of a bundle maps onto a model and the form that validates it."""

    section: str
    model: type
    form_class: type
    export_keys: tuple
    has_patents: bool = False
    #: Bundle keys whose model field has another name (the exchange format keeps its words).
    renamed: dict = field(default_factory=dict)

    def field_name(self, key: str) -> str:
        return self.renamed.get(key, key)

    def bundle_key(self, name: str) -> str:
        return {field: key for key, field in self.renamed.items()}.get(name, name)

    @property
    def form_fields(self) -> list[str]:
        return [
            name
            for name, form_field in self.form_class.base_fields.items()
            if not isinstance(form_field, forms.FileField)
        ]


def listing_kinds() -> list[Kind]:
    """Technologies always; needs once the needs app is installed."""
    kinds = [
        Kind(
            "technologies",
            Technology,
            TechnologyForm,
            TECHNOLOGY_KEYS,
            has_patents=True,
            renamed={"offers": "partnerships"},
        )
    ]
    try:
        from needs.forms import NeedForm
        from needs.models import Need
    except ImportError:  # the needs app is not installed (yet)
        return kinds
    kinds.append(Kind("needs", Need, NeedForm, NEED_KEYS))
    return kinds


class BundleOrganizationForm(OrganizationForm):
    """The organisation profile form without the logo (a bundle carries no files)."""

    class Meta(OrganizationForm.Meta):
        fields = [ORGANIZATION_RENAMED.get(key, key) for key in ORGANIZATION_KEYS]


ORGANIZATIONS = Kind(
    "organizations",
    Organization,
    BundleOrganizationForm,
    ORGANIZATION_KEYS,
    renamed=ORGANIZATION_RENAMED,
)


@dataclass
class Item:
    """One bundle item as validated: what it becomes and what would change."""

    kind: Kind
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
    """The outcome of validating a bundle: items by section, errors, skipped sections."""

    items: list[Item] = field(default_factory=list)
    errors: list[BundleError] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    publish: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def section(self, name: str) -> list[Item]:
        return [item for item in self.items if item.kind.section == name]

    def counts(self) -> list[dict]:
        """Per section: how many items, new, updated, unchanged (for the summary and preview)."""
        out = []
        for name, label in SECTION_LABELS.items():
            items = self.section(name)
            if not items and name not in ("organizations", "technologies"):
                continue
            out.append(
                {
                    "section": name,
                    "label": label,
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
        line = _("imported: %(parts)s") % {"parts": join_list(parts)}
        for name, n in self.skipped.items():
            line += "; " + _("%(n)s %(label)s skipped (not supported here)") % {
                "n": n,
                "label": SECTION_LABELS.get(name, name),
            }
        return line


# --- Reading files -------------------------------------------------------------------------


def load_json(raw: bytes | str) -> dict:
    """Parse a JSON bundle, or raise BundleFormatError with a message for the uploader."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleFormatError(
            _("The file is too large; the limit is %(mb)s MB.") % {"mb": MAX_BUNDLE_BYTES // 2**20}
        )
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BundleFormatError(_("The file is not UTF-8 text.")) from exc
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise BundleFormatError(
            _("The file is not valid JSON (%(error)s).") % {"error": str(exc)[:200]}
        ) from exc
    if not isinstance(data, dict):
        raise BundleFormatError(
            _("A bundle is a JSON object with “organizations”, “technologies” and “needs” lists.")
        )
    if _depth(data) > MAX_NESTING:
        raise BundleFormatError(_("The file is nested too deeply to be a bundle."))
    return data


def _depth(value, level=0) -> int:
    if level > MAX_NESTING:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def load_csv(raw: bytes) -> dict:
    """A CSV of technologies as a bundle (see the module docstring for the columns)."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleFormatError(
            _("The file is too large; the limit is %(mb)s MB.") % {"mb": MAX_BUNDLE_BYTES // 2**20}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BundleFormatError(
            _("The CSV file is not UTF-8 text; save it as “CSV UTF-8”.")
        ) from exc
    if "\x00" in text:
        raise BundleFormatError(_("The file is not a CSV text file."))
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
        rows = list(reader)
    except csv.Error as exc:
        raise BundleFormatError(
            _("The CSV file could not be read (%(error)s).") % {"error": exc}
        ) from exc
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        raise BundleFormatError(
            _("The CSV file lacks the columns: %(columns)s.") % {"columns": join_list(missing)}
        )
    unknown = [name for name in header if name and name not in CSV_COLUMNS]
    if unknown:
        raise BundleFormatError(
            _("The CSV file has unknown columns: %(columns)s.") % {"columns": join_list(unknown)}
        )
    technologies = []
    for row in rows:
        values = {
            (name or "").strip().lower(): (value or "").strip()
            for name, value in row.items()
            if name is not None and not isinstance(value, list)
        }
        if not any(values.values()):
            continue
        item = {name: value for name, value in values.items() if value or name in CSV_REQUIRED}
        for name in CSV_LIST_COLUMNS:
            if name in item:
                item[name] = _split(item[name])
        if "patents" in item:
            item["patents"] = [_csv_patent(entry) for entry in _split(item["patents"])]
        technologies.append(item)
    return {"technologies": technologies}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(CSV_LIST_SEPARATOR) if part.strip()]


def _csv_patent(entry: str) -> dict:
    parts = [part.strip() for part in entry.split("|")]
    parts += [""] * (3 - len(parts))
    return {"number": parts[0], "office": parts[1], "status": parts[2]}


# --- Validating ----------------------------------------------------------------------------


def prepare(bundle: dict, *, user=None, organization=None, publish: bool = False) -> Plan:
    """Validate a bundle against the database without writing anything.

    `organization` set (a TLO's web upload): every item belongs to it, the organisations section
    and the items' `organization` keys are ignored, and keys used by other organisations are
    refused. Otherwise (the command, JPO moderators) items name their organisation by key.
    """
    plan = Plan(publish=publish)
    sections = {"organizations": ORGANIZATIONS} | {kind.section: kind for kind in listing_kinds()}
    known = set(sections) | {"judgments"}
    for name in bundle:
        if name not in known:
            plan.errors.append(BundleError("", name, _("Unknown section.")))
    raw = {}
    total = 0
    for name in ("organizations", "technologies", "needs"):
        value = bundle.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            plan.errors.append(BundleError("", name, _("Must be a list of objects.")))
            value = []
        raw[name] = value
        total += len(value)
    if total > MAX_ITEMS:
        plan.errors.append(
            BundleError("", "", _("A bundle may hold at most %(n)s items.") % {"n": MAX_ITEMS})
        )
        return plan
    if raw["needs"] and "needs" not in sections:
        plan.skipped["needs"] = len(raw["needs"])

    org_keys = set()
    if organization is None:
        _prepare_section(plan, ORGANIZATIONS, raw["organizations"], user, None)
        # Keys of invalid organisations count as known: their own errors are reported already.
        org_keys = _keys(raw["organizations"])
    for kind in sections.values():
        if kind is ORGANIZATIONS:
            continue
        _prepare_section(plan, kind, raw[kind.section], user, organization, org_keys)
    return plan


def _keys(items) -> set[str]:
    return {item.get("key") for item in items if isinstance(item.get("key"), str)}


def _prepare_section(plan, kind, raw_items, user, organization, org_keys=frozenset()):
    keys = [item.get("key") for item in raw_items]
    valid_keys = [k for k in keys if isinstance(k, str) and k.strip()]
    existing = _existing(kind, valid_keys)
    known_orgs = set(org_keys)
    if kind is not ORGANIZATIONS and organization is None:
        wanted = {item.get("organization") for item in raw_items} - known_orgs
        wanted = [k for k in wanted if isinstance(k, str)]
        known_orgs |= set(
            Organization.objects.filter(import_key__in=wanted).values_list("import_key", flat=True)
        )
    seen = set()
    for index, data in enumerate(raw_items):
        errors_before = len(plan.errors)
        key = data.get("key")
        label_key = key if isinstance(key, str) and key else f"{kind.section}[{index}]"
        if not isinstance(key, str) or not key.strip():
            plan.errors.append(BundleError(label_key, "key", _("Every item needs a key.")))
            continue
        if len(key) > 100:
            plan.errors.append(BundleError(label_key, "key", _("A key is at most 100 characters.")))
            continue
        if key in seen:
            plan.errors.append(BundleError(key, "key", _("This key appears twice in the bundle.")))
            continue
        seen.add(key)
        item = _prepare_item(
            plan, kind, key, data, existing.get(key), user, organization, known_orgs
        )
        if item is not None and len(plan.errors) == errors_before:
            plan.items.append(item)


def _existing(kind, keys) -> dict:
    queryset = kind.model.objects.filter(import_key__in=keys)
    if kind is not ORGANIZATIONS:
        queryset = queryset.select_related("organization").prefetch_related("fields")
        if kind.has_patents:
            queryset = queryset.prefetch_related("patents")
    return {obj.import_key: obj for obj in queryset}


def _prepare_item(plan, kind, key, data, instance, user, organization, known_orgs) -> Item | None:
    data = {kind.field_name(name): value for name, value in data.items()}
    allowed = set(kind.form_fields) | {"key"}
    if kind is not ORGANIZATIONS:
        allowed.add("organization")
    if kind.has_patents:
        allowed.add("patents")
    for name in data:
        if name not in allowed:
            plan.errors.append(BundleError(key, kind.bundle_key(name), _("Unknown field.")))
    form_data = _instance_data(kind, instance) if instance is not None else {}
    for name in kind.form_fields:
        if name not in data:
            continue
        value = data[name]
        if not _shape_ok(kind, name, value):
            plan.errors.append(
                BundleError(key, kind.bundle_key(name), _("This value has the wrong type."))
            )
            continue
        form_data[name] = "" if value is None else value

    if instance is None and "language" in kind.form_fields and not data.get("language"):
        # A new item without a language: Japanese if its title or summary is written in it.
        text = f"{data.get('title', '')} {data.get('summary', '')}"
        form_data["language"] = "ja" if search.has_cjk(text) else "en"

    org_key = ""
    if kind is not ORGANIZATIONS:
        org_key = _item_organization(plan, key, data, instance, organization, known_orgs)
    patents = None
    if kind.has_patents and "patents" in data:
        patents = _clean_patents(plan, key, data["patents"])

    new_instance = instance is None
    if new_instance:
        instance = kind.model()
    if kind is not ORGANIZATIONS and organization is not None:
        instance.organization = organization
    form = kind.form_class(data=form_data, instance=instance)
    if not form.is_valid():
        for name, messages in form.errors.items():
            for message in messages:
                name = "" if name == "__all__" else kind.bundle_key(name)
                plan.errors.append(BundleError(key, name, message))
        return None

    changes = [] if new_instance else _changed_labels(form)
    if kind is not ORGANIZATIONS and not new_instance:
        if org_key and org_key != instance.organization.import_key:
            changes.append(str(_("organisation")))
        if patents is not None and _patent_tuples(patents) != _patent_tuples(
            [
                {"number": p.number, "office": p.office, "status": p.status}
                for p in instance.patents.all()
            ]
        ):
            changes.append(str(Patent._meta.verbose_name_plural))
        if plan.publish and instance.status != Status.PUBLISHED:
            changes.append(str(_("status")))
    action = "create" if new_instance else ("update" if changes else "unchanged")
    title = form.cleaned_data.get("title") or form.cleaned_data.get("name") or key
    return Item(kind, key, title, form, action, changes, org_key, patents)


def _shape_ok(kind, name, value) -> bool:
    """Lists where the form expects several values, plain scalars elsewhere."""
    form_field = kind.form_class.base_fields[name]
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
        form = PatentForm(
            data={name: patent.get(name) or "" for name in ("number", "office", "status")}
        )
        unknown = set(patent) - {"number", "office", "status"}
        for name in sorted(unknown):
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


def _instance_data(kind, instance) -> dict:
    """The stored values of an existing row as form data, so absent keys keep their value."""
    data = {}
    for name in kind.form_fields:
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


def _changed_labels(form) -> list[str]:
    return [str(form.fields[name].label or name) for name in form.changed_data]


# --- Writing -------------------------------------------------------------------------------


@transaction.atomic
def import_bundle(
    bundle: dict,
    *,
    user=None,
    organization=None,
    publish: bool = False,
    progress: Callable[[Item], None] | None = None,
) -> Plan:
    """Validate and import a bundle in one transaction; raise BundleInvalid and write nothing
    if any item is invalid.

    New and changed listings are published at once with `publish` (logged as “import”),
    otherwise they go to the moderation queue as submitted; a changed published listing keeps
    its public version and gets a revision for review (applied directly for a verified
    organisation, as an owner's edit would be). Unchanged items are left alone.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_ID])
    plan = prepare(bundle, user=user, organization=organization, publish=publish)
    if not plan.is_valid:
        raise BundleInvalid(plan.errors)
    organizations = {}
    if organization is not None:
        organizations[organization.import_key] = organization
    written, queued = [], []
    for item in plan.items:
        if item.kind is ORGANIZATIONS:
            if item.action != "unchanged":
                item.form.instance.import_key = item.key
                item.form.save()
            organizations[item.key] = item.instance
        else:
            if item.action != "unchanged":
                if item.organization_key and organization is None:
                    organizations.setdefault(
                        item.organization_key,
                        Organization.objects.filter(import_key=item.organization_key).first(),
                    )
                owner = organization or organizations[item.organization_key]
                if _save_listing(item, owner, user, publish):
                    queued.append(item.instance)
                written.append(item.instance)
        if progress is not None:
            progress(item)
    refresh_derived(written)
    if queued:
        notify_staff(queued, user)
    return plan


def _save_listing(item, owner, user, publish) -> bool:
    """Write one listing; return whether JPO moderators should look at it (queue or re-check)."""
    form, listing = item.form, item.instance
    now = timezone.now()
    before = Status.DRAFT if item.action == "create" else listing.status
    keep_public = before == Status.PUBLISHED and not publish
    reviewable = hasattr(form.Meta, "revision_fields")
    if keep_public and not owner.verified and reviewable and form.changed_data:
        revision = services.form_revision(form)
        listing.pending_revision = {"state": "submitted", "data": revision, "at": now.isoformat()}
        type(listing).objects.filter(pk=listing.pk).update(
            pending_revision=listing.pending_revision, organization=owner
        )
        _save_patents(item)
        _log(listing, user, Action.REVISE, before, before)
        return True
    listing = form.save(commit=False)
    listing.organization = owner
    listing.import_key = item.key
    if item.action == "create":
        listing.author = user if user is not None and user.is_authenticated else None
    if publish:
        listing.status = Status.PUBLISHED
        listing.submitted_at = listing.submitted_at or now
        listing.published_at = listing.published_at or now
    elif not keep_public:
        listing.status = Status.SUBMITTED
        listing.submitted_at = now
    listing.save()
    form.save_m2m()
    _save_patents(item)
    _log(listing, user, Action.EDIT if keep_public else Action.IMPORT, before, listing.status)
    return listing.status == Status.SUBMITTED or keep_public


def _save_patents(item) -> None:
    if item.patents is None:
        return
    technology = item.instance
    getattr(technology, "_prefetched_objects_cache", {}).pop("patents", None)
    numbers = [p["number"] for p in item.patents]
    technology.patents.exclude(number__in=numbers).delete()
    for patent in item.patents:
        Patent.objects.update_or_create(
            technology=technology,
            number=patent["number"],
            defaults={"office": patent["office"], "status": patent["status"]},
        )


def _log(listing, user, action, before, after):
    from .models import ModerationEvent

    return ModerationEvent.objects.create(
        listing=listing,
        actor=user if user is not None and user.is_authenticated else None,
        action=action,
        from_status=before,
        to_status=after,
    )


def refresh_derived(items) -> None:
    """Derived data of listings written in bulk: search vectors one by one, then one
    `listings_bulk_changed` signal so the matching engine refreshes them set-wise."""

    items = list(items)
    for listing in items:
        services.refresh_search_vector(listing)
    if items:
        listings_bulk_changed.send(sender=type(items[0]), listings=items)


def notify_staff(listings, user) -> None:
    """One e-mail to JPO moderators for a whole imported batch waiting in the queue (after commit)."""
    context = {
        "count": len(listings),
        "listings": listings[:20],
        "user": user,
        "queue_link": absolute_url(reverse("listings:moderation_queue")),
    }
    send_after_commit("listings/bundle_submitted_email", recipients.moderators(), context)


# --- Export --------------------------------------------------------------------------------


def export_bundle(*, organization=None) -> dict:
    """Published technologies and needs (and their organisations) in the bundle format.

    Rows without an import key get `portal-<kind>-<id>` keys, stable across exports.
    """
    bundle = {"organizations": [], "technologies": [], "needs": []}
    owners = {}
    for kind in listing_kinds():
        queryset = (
            kind.model.objects.published().select_related("organization").prefetch_related("fields")
        )
        if kind.has_patents:
            queryset = queryset.prefetch_related("patents")
        if organization is not None:
            queryset = queryset.filter(organization=organization)
        for listing in queryset.order_by("pk"):
            owners[listing.organization_id] = listing.organization
            bundle[kind.section].append(_export_listing(kind, listing))
    for org in sorted(owners.values(), key=lambda o: o.pk):
        row = {"key": export_key(org)}
        for name in ORGANIZATION_KEYS:
            row[name] = str(getattr(org, ORGANIZATIONS.field_name(name)) or "")
        bundle["organizations"].append(row)
    if not bundle["needs"] and len(listing_kinds()) == 1:
        del bundle["needs"]
    return bundle


def export_key(obj) -> str:
    return obj.import_key or f"portal-{obj._meta.model_name}-{obj.pk}"


def _export_listing(kind, listing) -> dict:
    row = {"key": export_key(listing), "organization": export_key(listing.organization)}
    for name in kind.export_keys:
        field_name = kind.field_name(name)
        if not hasattr(listing, field_name) or field_name not in kind.form_fields:
            continue
        value = getattr(listing, field_name)
        if name == "fields":
            value = sorted(f.slug for f in listing.fields.all())
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, models.Model):
            value = str(value)
        if value is None:
            continue
        row[name] = value
    if kind.has_patents:
        row["patents"] = [
            {"number": p.number, "office": p.office, "status": p.status}
            for p in sorted(listing.patents.all(), key=lambda p: p.number)
        ]
    return row
