"""The site's own date formats, per language (FORMAT_MODULE_PATH); what is not set here comes
from Django's locale formats.

Templates show dates with ``|date:"DATE_FORMAT"`` and times with ``|date:"DATETIME_FORMAT"``,
never with a hard-coded pattern, so each language reads its own: 2026-12-02 in English,
2026年12月2日 in Japanese.
"""
