"""Rate limit of searches over children's records (issue 11: masked numbers must not be rebuilt by many
searches). Counted per user in the same store as the login limits (memory, or Redis when configured)."""
from __future__ import annotations

import functools

from flask import current_app
from flask_login import current_user
from limits import parse, storage, strategies
from werkzeug.exceptions import TooManyRequests


class SearchesTooFast(TooManyRequests):
    """Too many searches by one user in the window (HTTP 429)."""

    description = "Too many searches: wait a minute and try again."


@functools.lru_cache(maxsize=4)
def _limiter(uri: str) -> strategies.MovingWindowRateLimiter:
    return strategies.MovingWindowRateLimiter(storage.storage_from_string(uri))


def check_search_rate(what: str = "children") -> None:
    """Count one search of the current user; refuse with 429 beyond BAOXUE_SEARCH_RATE_LIMIT."""
    config = current_app.config
    limiter = _limiter(config.get("REDIS_URL") or "memory://")
    if not limiter.hit(parse(config["SEARCH_RATE_LIMIT"]), "search", what, str(current_user.get_id())):
        raise SearchesTooFast()
