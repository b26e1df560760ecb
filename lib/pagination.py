"""One way to cut a list into pages, for every list view."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 20


def paginate(items, number, size: int = PAGE_SIZE) -> Page:
    """The page `number` (as the `page` parameter gave it) of `items`: the first page for
    anything that is not a number, the last one for a number past the end."""
    return Paginator(items, size).get_page(number)
