"""Pages of a list: which page to show of how many, whatever page number a browser sends."""
from __future__ import annotations


def clamp_page(asked: object, total: int, size: int) -> tuple[int, int]:
    """(page, pages) of `total` rows shown `size` to a page: the asked page when it is a whole number, else the
    first, kept between the first and the last (an empty list has one page)."""
    pages = max(1, -(-total // size))
    page = asked if isinstance(asked, int) and not isinstance(asked, bool) else 1
    return min(max(1, page), pages), pages
