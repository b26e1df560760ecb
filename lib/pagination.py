"""One way to cut a list into pages, for every list view."""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

PAGE_SIZE = 20


class CappedPaginator(Paginator):
    """A paginator that counts at most `count_limit` items.

    A word found in half the catalogue would otherwise be counted exactly on every page view:
    tens of thousands of rows read for a number nobody needs to the unit. The count stops at
    `count_limit` + 1 (`SELECT count(*) FROM (... LIMIT n)`); past that, `is_capped` is true,
    the list says "more than" and offers pages up to the limit.
    """

    def __init__(self, object_list, per_page, count_limit: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_limit = count_limit

    @cached_property
    def _bounded_count(self) -> int:
        items = self.object_list
        if hasattr(items, "order_by"):  # a queryset: ordering is irrelevant to a count
            return items.order_by()[: self.count_limit + 1].count()
        return min(len(items), self.count_limit + 1)

    @cached_property
    def is_capped(self) -> bool:
        return self._bounded_count > self.count_limit

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.count_limit)


def paginate(items, number, size: int = PAGE_SIZE, count_limit: int | None = None) -> Page:
    """The page `number` (as the `page` parameter gave it) of `items`: the first page for
    anything that is not a number, the last one for a number past the end. With
    `count_limit`, at most that many items are counted (CappedPaginator)."""
    if count_limit is None:
        return Paginator(items, size).get_page(number)
    return CappedPaginator(items, size, count_limit).get_page(number)
