"""The public lists that open data serves: technologies always, needs once that app exists.

One entry per list ties together the model, its FilterSet (the one the HTML list uses) and the
list's URL name, so feeds, CSV exports, the sitemap and the API all read the same filters.
"""

from dataclasses import dataclass
from importlib import import_module

from listings.filters import TechnologyFilterSet
from listings.models import Technology

from .stats import need_model


@dataclass(frozen=True)
class Source:
    model: type
    filterset_class: type
    list_url_name: str


def listing_sources() -> dict[str, Source]:
    sources = {
        "technologies": Source(Technology, TechnologyFilterSet, "listings:technology_list"),
    }
    Need = need_model()
    if Need is not None:
        filters = import_module("needs.filters")
        sources["needs"] = Source(Need, filters.NeedFilterSet, "needs:need_list")
    return sources
