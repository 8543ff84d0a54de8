"""domain.paging: the page a list shows, whatever number the browser sends."""
from __future__ import annotations

from domain.paging import clamp_page


def test_the_page_asked_is_kept_within_the_pages_of_the_list() -> None:
    assert clamp_page(2, 61, 30) == (2, 3)
    assert clamp_page(9, 61, 30) == (3, 3)                    # past the last: the last
    assert clamp_page(-4, 61, 30) == (1, 3)
    assert clamp_page(0, 0, 30) == (1, 1)                     # an empty list has one page
    for crafted in (None, "2", 2.0, True, [2]):               # not a whole number: the first
        assert clamp_page(crafted, 61, 30) == (1, 3)
