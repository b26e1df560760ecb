"""`field_ids` (listings.fieldindex): the row's copy of a listing's fields and their groups, which
the public search index and the field filter read, follows every way the fields change."""

import pytest

from listings import fieldindex
from listings.models import Field, Technology
from needs.models import Need
from tests.factories import listed, make_need, make_technology

pytestmark = pytest.mark.django_db


def ids(*slugs) -> list[int]:
    return sorted(Field.objects.filter(slug__in=slugs).values_list("pk", flat=True))


def stored(listing) -> list[int]:
    return sorted(type(listing).objects.values_list("field_ids", flat=True).get(pk=listing.pk))


def test_fields_and_their_groups_are_copied_when_set():
    technology = make_technology(fields=("solar", "wind"))
    assert stored(technology) == ids("solar", "wind", "alternative-energy")
    need = make_need(fields=("solar",))
    assert stored(need) == ids("solar", "alternative-energy")


def test_the_copy_follows_add_remove_and_clear_from_either_side():
    technology = make_technology(fields=("solar",))
    wind = Field.objects.get(slug="wind")
    technology.fields.add(wind)
    assert stored(technology) == ids("solar", "wind", "alternative-energy")
    technology.fields.remove(Field.objects.get(slug="solar"))
    assert stored(technology) == ids("wind", "alternative-energy")
    technology.fields.clear()
    assert stored(technology) == []

    other = make_technology(fields=("solar",))
    wind.technologys.add(other)  # the reverse side
    assert stored(other) == ids("solar", "wind", "alternative-energy")
    wind.technologys.clear()
    assert stored(other) == ids("solar", "alternative-energy")


def test_a_field_moved_to_another_group_moves_its_listings():
    technology = make_technology(fields=("solar",))
    need = make_need(fields=("solar",))
    solar = Field.objects.get(slug="solar")
    solar.parent = Field.objects.get(slug="water")
    solar.save()
    assert stored(technology) == ids("solar", "water")
    assert stored(need) == ids("solar", "water")


def test_a_deleted_field_leaves_its_listings():
    technology = make_technology(fields=("solar", "wind"))
    Field.objects.get(slug="wind").delete()
    assert stored(technology) == ids("solar", "alternative-energy")


def test_refresh_rebuilds_every_row_after_a_bulk_load():
    technology = make_technology(fields=("solar",))
    need = make_need(fields=("wind",))
    Technology.objects.update(field_ids=[])
    Need.objects.update(field_ids=[])
    assert fieldindex.refresh(Technology) >= 1
    assert fieldindex.refresh(Need, [need.pk]) == 1
    assert stored(technology) == ids("solar", "alternative-energy")
    assert stored(need) == ids("wind", "alternative-energy")
    assert fieldindex.refresh(Need, []) == 0


def test_the_field_filter_reads_the_copy(client):
    make_technology(title="Solar one", fields=("solar",))
    make_technology(title="Water one", fields=("desalination",))
    for field, expected in (("alternative-energy", ["Solar one"]), ("solar", ["Solar one"])):
        response = client.get("/technologies/", {"field": field})
        assert listed(response) == expected


def test_an_approved_revision_of_the_fields_is_what_the_filter_sees(client):
    """A revision applies `fields.set()` and then saves the whole listing: the saved instance
    must not write its earlier copy of the field ids back."""
    from listings.lifecycle import Action
    from listings.revisions import PendingRevision, store
    from listings.services import apply_revision, transition
    from tests.factories import make_staff

    technology = make_technology(title="Moving solar", fields=("solar",))
    store(technology, PendingRevision.submitted({"fields": ["desalination"]}))
    transition(technology, Action.APPROVE, make_staff())
    assert stored(technology) == ids("desalination", "water")
    response = client.get("/technologies/", {"field": "water"})
    assert listed(response) == ["Moving solar"]

    stale = Technology.objects.get(pk=technology.pk)  # read before the next change
    apply_revision(technology, {"fields": ["wind"]})
    stale.title = "Renamed"
    stale.save()
    assert stored(technology) == ids("wind", "alternative-energy")


def test_renaming_a_field_leaves_the_listings_alone(django_assert_max_num_queries):
    make_technology(fields=("solar",))
    solar = Field.objects.get(slug="solar")
    solar.name_en = "Solar power"
    with django_assert_max_num_queries(2):  # read the old group, save; no refresh
        solar.save()
