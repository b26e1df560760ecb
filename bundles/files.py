"""Reading uploaded files into a bundle dict: JSON in the exchange format, or a CSV of technologies.

A file that is not a bundle at all (not UTF-8, not JSON, too big, wrong top-level shape, missing
CSV columns) raises `BundleFormatError` with a message for the uploader; what is inside the
bundle is validated afterwards, item by item (bundles.validation).

CSV of technologies (UTF-8, first row = column names): `key`, `title`, `summary`, `description`,
`trl`, `ip_status`, `offers`, `fields` are required; `benefits`, `keywords`, `countries`,
`language`, `patents`, `contact_name`, `contact_email`, `organization` are optional. Lists
(`fields`, `keywords`, `offers`, `countries`) are separated by `;`; `patents` is
`number|office|status` entries separated by `;`.
"""

import csv
import io
import json

from django.utils.translation import gettext as _

from lib.i18n import join_list

MAX_BUNDLE_BYTES = 5 * 1024 * 1024
MAX_NESTING = 20

CSV_LIST_SEPARATOR = ";"
CSV_REQUIRED = ("key", "title", "summary", "description", "trl", "ip_status", "offers", "fields")
CSV_COLUMNS = CSV_REQUIRED + (
    "benefits", "keywords", "countries", "language", "patents", "contact_name", "contact_email",
    "organization",
)  # fmt: skip
CSV_LIST_COLUMNS = ("fields", "keywords", "offers", "countries")


class BundleFormatError(Exception):
    """The file is not a bundle at all (not JSON, not UTF-8, too big, wrong top-level shape)."""


def too_large_message() -> str:
    return _("The file is too large; the limit is %(mb)s MB.") % {"mb": MAX_BUNDLE_BYTES // 2**20}


def load_json(raw: bytes | str) -> dict:
    """Parse a JSON bundle, or raise BundleFormatError with a message for the uploader."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleFormatError(too_large_message())
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
    header, rows = _read_csv(raw)
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
    technologies = [item for item in map(_csv_item, rows) if item is not None]
    return {"technologies": technologies}


def _read_csv(raw: bytes) -> tuple[list[str], list[dict]]:
    """The lower-cased column names and the rows of a UTF-8 CSV file."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleFormatError(too_large_message())
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
        return header, list(reader)
    except csv.Error as exc:
        raise BundleFormatError(
            _("The CSV file could not be read (%(error)s).") % {"error": exc}
        ) from exc


def _csv_item(row: dict) -> dict | None:
    """One CSV row as a bundle technology (None for an empty row)."""
    values = {
        (name or "").strip().lower(): (value or "").strip()
        for name, value in row.items()
        if name is not None and not isinstance(value, list)
    }
    if not any(values.values()):
        return None
    item = {name: value for name, value in values.items() if value or name in CSV_REQUIRED}
    for name in CSV_LIST_COLUMNS:
        if name in item:
            item[name] = _split(item[name])
    if "patents" in item:
        item["patents"] = [_csv_patent(entry) for entry in _split(item["patents"])]
    return item


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(CSV_LIST_SEPARATOR) if part.strip()]


def _csv_patent(entry: str) -> dict:
    parts = [part.strip() for part in entry.split("|")]
    parts += [""] * (3 - len(parts))
    return {"number": parts[0], "office": parts[1], "status": parts[2]}
