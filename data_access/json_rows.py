"""Many rows handed to SQL as one JSON parameter, as a table to join: a VALUES list of bound values meets the
databases' limits on parameters (SQLite 32,766, PostgreSQL 65,535) past some thousands of rows, and a CASE per row
grows the statement. PostgreSQL reads the JSON into typed columns once (jsonb_to_recordset); SQLite reads each value
out of it (json_each), as the text it stores dates and times as."""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

_PG_TYPES = {Integer: "integer", Date: "date", DateTime: "timestamp", String: "text"}


def _plain(kind: TypeEngine) -> Callable[[Any], Any] | None:
    """How a column's values are written in the JSON (None: as they are): dates ISO, times as SQLAlchemy stores them
    in SQLite (comparable as text)."""
    if isinstance(kind, DateTime):
        return lambda v: None if v is None else v.isoformat(sep=" ", timespec="microseconds")
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    return None


def json_rows(session: Session, name: str, rows: Sequence[Sequence[Any]], columns: Mapping[str, TypeEngine]) -> Any:
    """`rows` (tuples in the order of `columns`: name → Integer(), Date(), DateTime() or String()) as a table named
    `name` to join (one name per statement: it names the JSON parameter too): a MATERIALIZED common table
    expression, read out of the JSON once (SQLite otherwise inlines it and reads a column out of the JSON again for
    every row it is joined to: a province's reports board 75 → 46 ms)."""
    plain = [_plain(kind) for kind in columns.values()]
    data = json.dumps([{c: f(v) if f else v for c, f, v in zip(columns, plain, row)} for row in rows],
                      ensure_ascii=False)
    if session.get_bind().dialect.name == "postgresql":
        typed = ", ".join(f"{c} {_PG_TYPES[type(t)]}" for c, t in columns.items())
        sql = f"SELECT {', '.join(columns)} FROM jsonb_to_recordset(CAST(:{name}_json AS jsonb)) AS x({typed})"
    else:
        sql = f"SELECT {', '.join(f'json_extract(value, {chr(39)}$.{c}{chr(39)}) AS {c}' for c in columns)} " \
              f"FROM json_each(:{name}_json)"
    return text(sql).bindparams(**{f"{name}_json": data}).columns(**columns).cte(name).prefix_with("MATERIALIZED")
