"""Names of areas beside their counts: a county's name before each township or team once a list spans counties,
the counties' names read once per request however many lists of the page ask for them."""
from __future__ import annotations

from data_access.models import Area
from data_access.names import county_prefixes, township_labels
from tests.database import statements_sent


def test_counties_are_named_once_per_request_and_only_across_counties(session_factory) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        s.add_all([Area(code="532822000000", name="勐海县", level="county"),
                   Area(code="532823000000", name="勐腊县", level="county"),
                   Area(code="532822101000", name="勐海镇", level="township", parent_code="532822000000"),
                   Area(code="532823101000", name="勐腊镇", level="township", parent_code="532823000000")])
    with session_factory() as s, statements_sent(s.bind) as asked:
        assert township_labels(s, {"532822101000"}) == {"532822101000": "勐海镇"}          # one county: no prefix
        both = {"532822101000", "532823101000"}
        assert township_labels(s, both) == {"532822101000": "勐海县 · 勐海镇", "532823101000": "勐腊县 · 勐腊镇"}
        before = len(asked)
        assert county_prefixes(s, {7: "532823000000", 8: "532822000000"}) == {7: "勐腊县 · ", 8: "勐海县 · "}
        assert len(asked) == before                       # the same counties: named from the request's memo


def test_many_townships_are_read_as_one_range_once_per_request(session_factory) -> None:  # noqa: ANN001
    """A province's page names the townships of its cases, then of its orders: more than a hundred codes are read
    as the range of township codes between them, once per request for a range holding them."""
    from data_access.names import township_names
    towns = {f"532822{c:03d}000": f"镇{c}" for c in range(100, 220)}
    with session_factory() as s, s.begin():
        s.add(Area(code="532822000000", name="勐海县", level="county"))
        s.add_all([Area(code=code, name=name, level="township", parent_code="532822000000")
                   for code, name in towns.items()])
    with session_factory() as s, statements_sent(s.bind) as asked:
        assert township_names(s, set(towns)) == towns
        inner = set(sorted(towns)[5:115])                 # another list inside the range read: no new read
        before = len(asked)
        assert township_names(s, inner | {"532822150500"}) == {c: towns[c] for c in inner}
        assert len(asked) == before
        wider = set(towns) | {"532823101000"}             # outside it: read again (an unknown code is left out)
        assert township_names(s, wider) == towns and len(asked) == before + 1
