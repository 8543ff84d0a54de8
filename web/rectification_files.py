"""Rectification downloads: evidence files and the 整改通知书 (.docx), each checked on the server against the user's role and area."""
from __future__ import annotations

from flask import Flask


def register_rectification_routes(server: Flask) -> None:
    """Add the routes to the server (every one behind the login guard and the area checks)."""
