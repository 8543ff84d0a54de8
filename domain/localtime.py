"""The counties' local time: Baoxue stores UTC and shows and counts days in the counties' time zone,
Asia/Shanghai unless BAOXUE_TIMEZONE names another (an IANA name, read once at start)."""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo(os.environ.get("BAOXUE_TIMEZONE") or "Asia/Shanghai")  # the database keeps UTC


def local_today() -> dt.date:
    """Today in the counties' time zone."""
    return dt.datetime.now(LOCAL_TZ).date()


def local_date(stamp: dt.datetime | None) -> dt.date | None:
    """The local calendar date of a stored (naive UTC) time."""
    return None if stamp is None else stamp.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TZ).date()


def utc_start_of(day: dt.date) -> dt.datetime:
    """The stored (naive UTC) time at which a local calendar day begins: `local_date(t) <= d` exactly when
    `t < utc_start_of(d + 1 day)` (compares thousands of stored times without converting each)."""
    return dt.datetime.combine(day, dt.time(), LOCAL_TZ).astimezone(dt.timezone.utc).replace(tzinfo=None)


def local_clock(stamp: str) -> str:
    """An ISO time with its offset (as job files keep it) as local time, e.g. 2026-12-04 08:54; '' if unreadable."""
    try:
        value = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return ""
    value = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
