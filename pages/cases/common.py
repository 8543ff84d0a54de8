"""Helpers of the ledger and agreement pages: refusals as HTTP 403, the configured step clocks, the term
to compare, export links. Not a page itself."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from flask import current_app

from data_access.cases.ledger import LedgerFilter, LedgerRefused
from data_access.cases.children import latest_term
from domain.terms import parse_term
from web.context import AreaRefused, db

CASE_ROLES = ("school_staff", "township_officer", "admin")  # who may open cases from these pages
LEDGER_ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")


@contextlib.contextmanager
def refused_as_403() -> Iterator[None]:
    """Turn a data_access refusal into HTTP 403."""
    try:
        yield
    except LedgerRefused as exc:
        raise AreaRefused() from exc


def step_days() -> dict[int, int] | None:
    """The working days of each escalation step, if the county configured them (else the defaults)."""
    value = current_app.config.get("CASE_STEP_DAYS")
    return value if isinstance(value, dict) else None


def term_or_latest(term: Any) -> str | None:
    """The picked term if well formed, else the newest term with a roster."""
    if isinstance(term, str):
        try:
            parse_term(term)
            return term
        except ValueError:
            raise AreaRefused() from None
    return latest_term(db())


def as_int(value: Any) -> int | None:
    """An id or number from a dropdown (None when empty); refuse anything else."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise AreaRefused()
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise AreaRefused()


def as_code(value: Any) -> str | None:
    """An area code from a dropdown (None when empty); refuse anything that is not 12 digits."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and len(value) == 12 and value.isdigit():
        return value
    raise AreaRefused()


def as_choice(value: Any) -> str | None:
    """A plain key from a dropdown (None when empty)."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and len(value) <= 30:
        return value
    raise AreaRefused()


def export_href(flt: LedgerFilter | None, term: str | None, township: str | None = None) -> str:
    """The .xlsx link of the view shown (the route checks everything again)."""
    if flt is None:
        params = {"ledger": "children", "term": term or "", **({"township": township} if township else {})}
    else:
        params = flt.as_dict()
    return "/cases/ledger.xlsx?" + urlencode(params)
