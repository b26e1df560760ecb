"""The sections of a bundle (organisations, technologies, needs): the model each one fills, the
web form that validates its items, and the keys an export writes (data/README.md)."""

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy

from accounts.models import Organization
from listings.forms import TechnologyForm
from listings.models import Technology
from needs.forms import NeedForm
from needs.models import Need

from .forms import BundleOrganizationForm

# The exchange format keeps its own words where a model field was renamed (data/README.md).
ORGANIZATION_RENAMED = {"kind": "type"}
TECHNOLOGY_RENAMED = {"offers": "partnerships"}

# What an export writes for each section (the documented format; imports accept a few more).
ORGANIZATION_KEYS = tuple(
    {field: key for key, field in ORGANIZATION_RENAMED.items()}.get(name, name)
    for name in BundleOrganizationForm.Meta.fields
)
TECHNOLOGY_KEYS = (
    "title", "summary", "description", "benefits", "fields", "keywords", "trl", "ip_status",
    "offers", "countries", "language",
)  # fmt: skip
NEED_KEYS = (
    "title", "description", "solution", "fields", "keywords", "trl_min", "trl_max", "countries",
    "partnerships", "deadline", "language",
)  # fmt: skip

LABELS = {
    "organizations": gettext_lazy("organisations"),
    "technologies": gettext_lazy("technologies"),
    "needs": gettext_lazy("needs"),
}


@dataclass(frozen=True)
class Section:
    """How one section of a bundle maps onto a model and the form that validates it."""

    name: str
    model: type
    form_class: type
    export_keys: tuple
    has_patents: bool = False
    #: bundle keys whose model field has another name
    renamed: dict = field(default_factory=dict)

    def field_name(self, key: str) -> str:
        """The model field of a bundle key."""
        return self.renamed.get(key, key)

    def bundle_key(self, name: str) -> str:
        """The bundle key of a model field (as errors and exports name it)."""
        return {field: key for key, field in self.renamed.items()}.get(name, name)

    @property
    def is_listing(self) -> bool:
        return self.name != "organizations"

    @property
    def label(self):
        return LABELS[self.name]

    @property
    def form_fields(self) -> list[str]:
        return [
            name
            for name, form_field in self.form_class.base_fields.items()
            if not isinstance(form_field, forms.FileField)
        ]


ORGANIZATIONS = Section(
    "organizations",
    Organization,
    BundleOrganizationForm,
    ORGANIZATION_KEYS,
    renamed=ORGANIZATION_RENAMED,
)
TECHNOLOGIES = Section(
    "technologies",
    Technology,
    TechnologyForm,
    TECHNOLOGY_KEYS,
    has_patents=True,
    renamed=TECHNOLOGY_RENAMED,
)
NEEDS = Section("needs", Need, NeedForm, NEED_KEYS)

# In the order they are validated and written: organisations first, since listings name them.
SECTIONS = (ORGANIZATIONS, TECHNOLOGIES, NEEDS)
LISTING_SECTIONS = (TECHNOLOGIES, NEEDS)
