"""Dropout case downloads: the notices of the escalation (.docx) and ledger exports, each checked on the server and audit-logged."""
from __future__ import annotations

from flask import Flask


def register_case_routes(server: Flask) -> None:
    """Add the routes to the server (every one behind the login guard and the area checks)."""
