"""The public lists that open data serves: technologies and needs.

One entry per list ties together the model, its FilterSet (the one the HTML list uses) and the
list's URL name, so feeds, CSV exports, the sitemap and the API all read the same filters.
"""

from dataclasses import dataclass

from listings.filters import TechnologyFilterSet
from listings.models import Technology
from needs.filters import NeedFilterSet
from needs.models import Need


@dataclass(frozen=True)
class Source:
    model: type
    filterset_class: type
    list_url_name: str


def listing_sources() -> dict[str, Source]:
    return {
        "technologies": Source(Technology, TechnologyFilterSet, "listings:technology_list"),
        "needs": Source(Need, NeedFilterSet, "needs:need_list"),
    }
