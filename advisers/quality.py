"""The listing-quality check: what a seeker needs from a technology listing and it lacks.

`assess(facts)` is a pure function of a `Facts` snapshot (tests build one by hand);
`facts_of(technology)` reads one from a technology (its patents and images prefetched, or two
small queries), `with_revision(facts, data)` applies a proposed edit to a snapshot. The fixes are
lazy translations: they read in the language of the page that shows them.
"""

import re
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext_lazy as _

PROTECTED = frozenset({"granted", "pending", "utility_model"})
MIN_KEYWORDS = 3
# A quantified benefit names a figure: digits (also full-width), a percentage or a multiple.
FIGURE = re.compile(r"[0-9０-９]|%|％|倍|割")
# Applications: where the technology is used, said in either language.
APPLICATION_WORDS = re.compile(
    r"\bapplications?\b|\bapplied to\b|\bused (?:in|for)\b|\bsuitable for\b|\buse cases?\b"
    r"|用途|応用|適用|利用|活用",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Facts:
    ip_status: str = ""
    patent_count: int = 0
    trl: int | None = None
    description: str = ""
    benefits: str = ""
    keywords: tuple = ()
    countries: tuple = ()
    image_count: int = 0
    has_brochure: bool = False
    contact_name: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    weight: int
    label: str
    fix: str


@dataclass
class Quality:
    score: int
    fixes: list = field(default_factory=list)  # Rules not met, heaviest first
    met: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.fixes


RULES = {
    "ip": Rule(
        "ip",
        20,
        _("IP status and patent numbers"),
        _("Add the patent or application numbers and the office of each (e.g. JP 2024-123456)."),
    ),
    "trl": Rule(
        "trl",
        10,
        _("Technology readiness level"),
        _("State the technology readiness level (TRL 1–9)."),
    ),
    "benefit": Rule(
        "benefit",
        20,
        _("Quantified benefit"),
        _(
            "Quantify the benefit over the current solution in “Benefits and advantages”, "
            "with a figure (e.g. “uses 30 percent less energy than sintering”)."
        ),
    ),
    "applications": Rule(
        "applications",
        15,
        _("Applications"),
        _("Name the applications: the products or industries where the technology is used."),
    ),
    "keywords": Rule(
        "keywords",
        5,
        _("Keywords"),
        _("Give at least three keywords a seeker would search for."),
    ),
    "images": Rule(
        "images", 10, _("Images"), _("Add at least one image (a figure, prototype or result).")
    ),
    "brochure": Rule(
        "brochure", 10, _("Brochure"), _("Attach a brochure (PDF) a licensing manager can share.")
    ),
    "contact": Rule(
        "contact",
        10,
        _("Contact"),
        _("Give a contact person and an e-mail address for enquiries."),
    ),
}
TOTAL_WEIGHT = sum(rule.weight for rule in RULES.values())


def _met(code: str, facts: Facts) -> bool:
    if code == "ip":
        # Know-how and unprotected technologies have no numbers to give; stating so is enough.
        return bool(facts.ip_status) and (
            facts.ip_status not in PROTECTED or facts.patent_count > 0
        )
    if code == "trl":
        return facts.trl is not None and 1 <= facts.trl <= 9
    if code == "benefit":
        return bool(FIGURE.search(facts.benefits or ""))
    if code == "applications":
        text = f"{facts.description or ''}\n{facts.benefits or ''}"
        return bool(APPLICATION_WORDS.search(text))
    if code == "keywords":
        return len(facts.keywords) >= MIN_KEYWORDS
    if code == "images":
        return facts.image_count > 0
    if code == "brochure":
        return facts.has_brochure
    if code == "contact":
        return bool(facts.contact_name.strip() and facts.contact_email.strip())
    raise ValueError(code)


def assess(facts: Facts) -> Quality:
    """The completeness score (0–100) and the fixes still to make, heaviest first."""
    met, missing = [], []
    for rule in RULES.values():
        (met if _met(rule.code, facts) else missing).append(rule)
    score = round(100 * sum(rule.weight for rule in met) / TOTAL_WEIGHT)
    missing.sort(key=lambda rule: -rule.weight)
    return Quality(score=score, fixes=missing, met=met)


def facts_of(technology) -> Facts:
    """A snapshot of a technology (an unsaved one has no patents or images yet)."""
    saved = technology.pk is not None
    return Facts(
        ip_status=technology.ip_status or "",
        patent_count=len(technology.patents.all()) if saved else 0,
        trl=technology.trl,
        description=technology.description or "",
        benefits=technology.benefits or "",
        keywords=tuple(technology.keywords or ()),
        countries=tuple(technology.countries or ()),
        image_count=len(technology.images.all()) if saved else 0,
        has_brochure=bool(technology.brochure),
        contact_name=technology.contact_name or "",
        contact_email=technology.contact_email or "",
    )


def with_revision(facts: Facts, data: dict) -> Facts:
    """The snapshot as it would be with a revision's values (listings.services.form_revision)."""
    changes = {}
    for name in ("ip_status", "trl", "description", "benefits", "contact_name", "contact_email"):
        if name in data:
            changes[name] = data[name] if data[name] is not None else ""
    for name in ("keywords", "countries"):
        if name in data:
            changes[name] = tuple(data[name] or ())
    if "trl" in data and data["trl"] not in ("", None):
        changes["trl"] = int(data["trl"])
    return replace(facts, **changes)


def check(technology) -> Quality:
    return assess(facts_of(technology))
