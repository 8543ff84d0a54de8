"""The counties' local time: Baoxue stores UTC and shows and counts days in Asia/Shanghai."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # the counties Baoxue serves; the database keeps UTC


def local_today() -> dt.date:
    """Today in the counties' time zone."""
    return dt.datetime.now(LOCAL_TZ).date()


def local_date(stamp: dt.datetime | None) -> dt.date | None:
    """The local calendar date of a stored (naive UTC) time."""
    return None if stamp is None else stamp.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TZ).date()
