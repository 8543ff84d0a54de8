"""Configuration from the environment (contract.md §Configuration), with safe defaults."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from domain.cases.escalation import parse_step_days

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("BAOXUE_INSTANCE_DIR", BASE_DIR / "instance"))


def _secret_key() -> str:
    """Return BAOXUE_SECRET_KEY, or a key generated once and kept in instance/."""
    key = os.environ.get("BAOXUE_SECRET_KEY")
    if key:
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def job_timeout_seconds() -> float:
    """BAOXUE_JOB_TIMEOUT_SECONDS: how long a running import may show no sign of life before it is marked failed
    (default 45; a job beats every 5 seconds)."""
    try:
        return max(1.0, float(os.environ.get("BAOXUE_JOB_TIMEOUT_SECONDS") or 45))
    except ValueError:
        return 45.0


def default_database_url() -> str:
    """The embedded SQLite file under instance/."""
    return f"sqlite:///{INSTANCE_DIR / 'baoxue.db'}"


class Config:
    """Settings read from BAOXUE_* variables; one instance per app."""

    def __init__(self, **overrides: object) -> None:
        env = os.environ
        self.DATABASE_URL: str = env.get("BAOXUE_DATABASE_URL") or default_database_url()
        self.SECRET_KEY: str = _secret_key()
        self.REDIS_URL: str | None = env.get("BAOXUE_REDIS_URL") or None
        self.LANGUAGE: str = env.get("BAOXUE_LANGUAGE", "zh") if env.get("BAOXUE_LANGUAGE", "zh") in ("zh", "en") else "zh"
        self.HOST: str = env.get("BAOXUE_HOST", "127.0.0.1")
        self.PORT: int = int(env.get("BAOXUE_PORT", "8050"))
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = env.get("BAOXUE_SECURE_COOKIES", "") == "1"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
        self.LOGIN_RATE_LIMIT = env.get("BAOXUE_LOGIN_RATE_LIMIT", "10 per minute")
        self.CASE_STEP_DAYS: dict[int, int] = parse_step_days(env.get("BAOXUE_CASE_STEP_DAYS"))
        self.TESTING = False
        for key, value in overrides.items():
            setattr(self, key, value)

    def flask_items(self) -> dict[str, object]:
        """The settings as Flask config keys."""
        return {k: v for k, v in vars(self).items() if k.isupper()}
