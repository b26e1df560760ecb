"""Published technologies and needs, and their organisations, in the exchange format."""

from datetime import date

from django.db import models

from .sections import LISTING_SECTIONS, ORGANIZATION_KEYS, ORGANIZATIONS


def export_bundle(*, organization=None) -> dict:
    """Published technologies and needs (and their organisations) in the bundle format.

    Rows without an import key get `portal-<model>-<id>` keys, stable across exports.
    """
    bundle = {"organizations": [], "technologies": [], "needs": []}
    owners = {}
    for section in LISTING_SECTIONS:
        queryset = (
            section.model.objects.published()
            .select_related("organization")
            .prefetch_related("fields")
        )
        if section.has_patents:
            queryset = queryset.prefetch_related("patents")
        if organization is not None:
            queryset = queryset.filter(organization=organization)
        for listing in queryset.order_by("pk"):
            owners[listing.organization_id] = listing.organization
            bundle[section.name].append(_export_listing(section, listing))
    for org in sorted(owners.values(), key=lambda o: o.pk):
        row = {"key": export_key(org)}
        for name in ORGANIZATION_KEYS:
            row[name] = str(getattr(org, ORGANIZATIONS.field_name(name)) or "")
        bundle["organizations"].append(row)
    return bundle


def export_key(obj) -> str:
    return obj.import_key or f"portal-{obj._meta.model_name}-{obj.pk}"


def _export_listing(section, listing) -> dict:
    row = {"key": export_key(listing), "organization": export_key(listing.organization)}
    for name in section.export_keys:
        field_name = section.field_name(name)
        if not hasattr(listing, field_name) or field_name not in section.form_fields:
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
    if section.has_patents:
        row["patents"] = [
            {"number": p.number, "office": p.office, "status": p.status}
            for p in sorted(listing.patents.all(), key=lambda p: p.number)
        ]
    return row
