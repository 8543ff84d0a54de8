"""A grid's request for a block of rows, as a browser might craft it: only offered columns and filter types pass."""
from __future__ import annotations

from domain.grid_request import MAX_BLOCK, MAX_TEXT, Condition, ColumnFilter, GridRequest, parse_grid_request

SORTABLE = frozenset({"name", "rows"})
FILTERABLE = {"name": "text", "rows": "number"}


def parse(raw: object) -> GridRequest:
    return parse_grid_request(raw, SORTABLE, FILTERABLE)


def test_a_well_formed_request_is_kept() -> None:
    got = parse({"startRow": 40, "endRow": 60, "sortModel": [{"colId": "rows", "sort": "desc"},
                                                             {"colId": "name", "sort": "asc"}],
                 "filterModel": {"name": {"filterType": "text", "type": "contains", "filter": " 勐海 "},
                                 "rows": {"filterType": "number", "type": "inRange", "filter": 1, "filterTo": 9}}})
    assert (got.start, got.end, got.size) == (40, 60, 20)
    assert got.sorts == (("rows", True), ("name", False))
    assert got.filters == (ColumnFilter("name", "text", (Condition("contains", "勐海"),)),
                           ColumnFilter("rows", "number", (Condition("inRange", 1.0, 9.0),)))


def test_combined_conditions_keep_their_operator_and_at_most_two() -> None:
    got = parse({"filterModel": {"name": {"filterType": "text", "operator": "OR", "conditions": [
        {"filterType": "text", "type": "startsWith", "filter": "a"}, {"filterType": "text", "type": "blank"},
        {"filterType": "text", "type": "equals", "filter": "c"}]}}})
    assert got.filters == (ColumnFilter("name", "text", (Condition("startsWith", "a"), Condition("blank")), True),)


def test_crafted_parts_are_dropped_and_the_range_is_bounded() -> None:
    got = parse({"startRow": -1, "endRow": 10 ** 9,
                 "sortModel": [{"colId": "password", "sort": "asc"}, {"colId": "rows", "sort": "sideways"}, 3,
                               {"colId": "name", "sort": "asc"}, {"colId": "name", "sort": "desc"}],
                 "filterModel": {"secret": {"filterType": "text", "type": "contains", "filter": "x"},
                                 "name": {"filterType": "number", "type": "equals", "filter": 1},
                                 "rows": {"filterType": "number", "type": "equals", "filter": "1; drop"}}})
    assert (got.start, got.end) == (0, MAX_BLOCK) and got.sorts == (("name", False),) and got.filters == ()
    assert parse({"filterModel": {"rows": {"filterType": "number", "type": "inRange", "filter": 1}}}).filters == ()
    assert parse({"filterModel": {"rows": {"filterType": "number", "type": "equals", "filter": True}}}).filters == ()
    long = parse({"filterModel": {"name": {"filterType": "text", "type": "contains", "filter": "x" * 500}}})
    assert len(long.filters[0].conditions[0].value) == MAX_TEXT


def test_no_request_or_garbage_is_the_first_block() -> None:
    for raw in (None, "rows please", [], {"startRow": "0", "endRow": None}, {"startRow": 5, "endRow": 2}):
        got = parse(raw)
        assert got.sorts == () and got.filters == () and got.size >= 1
    assert (parse(None).start, parse(None).end) == (0, 100)
    assert (parse({"startRow": 5, "endRow": 2}).start, parse({"startRow": 5, "endRow": 2}).end) == (5, 6)


def test_picking_a_block_in_memory_follows_the_sql_rules() -> None:
    from domain.grid_request import pick_rows
    rows = [{"name": "勐海镇", "rows": 5}, {"name": "打洛镇", "rows": None}, {"name": "勐混镇", "rows": 9},
            {"name": "", "rows": 1}]

    def pick(raw: dict) -> tuple[list[str], int]:
        got, n = pick_rows(rows, parse(raw), lambda r, c: r[c])
        return [r["name"] for r in got], n
    assert pick({"sortModel": [{"colId": "rows", "sort": "asc"}]}) == (["打洛镇", "", "勐海镇", "勐混镇"], 4)
    assert pick({"sortModel": [{"colId": "rows", "sort": "desc"}]}) == (["勐混镇", "勐海镇", "", "打洛镇"], 4)
    assert pick({"filterModel": {"rows": {"filterType": "number", "type": "notEqual", "filter": 5}}}) == (
        ["勐混镇", ""], 2)                                    # an empty value matches no comparison, as in SQL
    assert pick({"filterModel": {"name": {"filterType": "text", "type": "blank"}}}) == ([""], 1)
    assert pick({"startRow": 1, "endRow": 2, "filterModel": {"name": {
        "filterType": "text", "operator": "OR", "conditions": [{"filterType": "text", "type": "startsWith", "filter": "勐"},
                                                               {"filterType": "text", "type": "endsWith", "filter": "洛镇"}]}}}) == (
        ["打洛镇"], 3)
