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
        # Written whole under a private name, then linked into place: the first process's key wins and nobody reads
        # a half-written file (gunicorn's workers start together on a fresh instance: the second worker's
        # O_EXCL create failed and gunicorn shut the server down).
        tmp = INSTANCE_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass                      # another process made it first: its key is everyone's
        finally:
            tmp.unlink()
    return path.read_text().strip()


def job_timeout_seconds() -> float:
    """BAOXUE_JOB_TIMEOUT_SECONDS: how long a running import may show no sign of life before it is marked failed
    (default 45; a job beats every 5 seconds)."""
    try:
        return max(1.0, float(os.environ.get("BAOXUE_JOB_TIMEOUT_SECONDS") or 45))
    except ValueError:
        return 45.0


def import_undo_hours() -> float:
    """BAOXUE_IMPORT_UNDO_HOURS: how long after a roster import an admin may undo it (default 72 hours)."""
    try:
        return max(0.0, float(os.environ.get("BAOXUE_IMPORT_UNDO_HOURS") or 72))
    except ValueError:
        return 72.0


def import_removal_share() -> float:
    """BAOXUE_IMPORT_REMOVAL_SHARE: the share of one school's pupils (percent, default 10) that a roster import may
    remove after one confirmation; removing more needs a second confirmation naming the number (as a fraction)."""
    try:
        return min(100.0, max(0.0, float(os.environ.get("BAOXUE_IMPORT_REMOVAL_SHARE") or 10))) / 100
    except ValueError:
        return 0.1


def default_database_url() -> str:
    """The embedded SQLite file under instance/."""
    return f"sqlite:///{INSTANCE_DIR / 'baoxue.db'}"


MiB = 1 << 20
IMPORT_UPLOAD_BYTES = 50 * MiB      # the largest import file (pages/imports/runner.MAX_UPLOAD_BYTES)
EVIDENCE_BYTES = 10 * MiB           # the largest evidence file (data_access/inspection/evidence.MAX_BYTES)


def _upload_body(file_bytes: int) -> int:
    """The callback body that carries a file of this size (base64 in JSON) with room for the rest."""
    return file_bytes * 4 // 3 + MiB


def _number(env: os._Environ[str], name: str, default: float) -> float:
    """A positive number from the environment (the default when unset or not a positive number)."""
    try:
        value = float(env.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


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
        self.SEARCH_RATE_LIMIT = env.get("BAOXUE_SEARCH_RATE_LIMIT", "30 per minute")
        self.MAX_REQUEST_BYTES = int(_number(env, "BAOXUE_MAX_REQUEST_KB", 1024) * 1024)
        self.MAX_IMPORT_REQUEST_BYTES = _upload_body(IMPORT_UPLOAD_BYTES)
        self.MAX_EVIDENCE_REQUEST_BYTES = _upload_body(EVIDENCE_BYTES)
        self.MAX_CONTENT_LENGTH = self.MAX_IMPORT_REQUEST_BYTES      # the largest any request may be
        self.SESSION_IDLE_SECONDS = int(_number(env, "BAOXUE_SESSION_IDLE_MINUTES", 30) * 60)
        self.SESSION_MAX_SECONDS = int(_number(env, "BAOXUE_SESSION_MAX_HOURS", 12) * 3600)
        self.PERMANENT_SESSION_LIFETIME = self.SESSION_MAX_SECONDS
        # the session cookie is sent again only when it changes (web.security.mark_seen: at most once a minute), not
        # signed and sent with every callback; the idle and absolute limits are checked on the server either way
        self.SESSION_REFRESH_EACH_REQUEST = False
        self.PROXY_FIX: str | None = env.get("BAOXUE_PROXY_FIX") or None
        self.LOGIN_LOCKOUT_ATTEMPTS = int(_number(env, "BAOXUE_LOGIN_LOCKOUT_ATTEMPTS", 5))
        self.LOGIN_LOCKOUT_SECONDS = int(_number(env, "BAOXUE_LOGIN_LOCKOUT_MINUTES", 15) * 60)
        self.DEMO = env.get("BAOXUE_DEMO", "1") != "0"
        # a job (an import) runs in a process capped at this many MB; None (in-memory SQLite: tests) in a thread
        self.JOB_MEMORY_LIMIT_MB: int | None = (None if self.DATABASE_URL in ("sqlite://", "sqlite:///:memory:")
                                                else int(_number(env, "BAOXUE_JOB_MEMORY_MB", 2048)))
        self.CASE_STEP_DAYS: dict[int, int] = parse_step_days(env.get("BAOXUE_CASE_STEP_DAYS"))
        self.TESTING = False
        for key, value in overrides.items():
            setattr(self, key, value)

    def flask_items(self) -> dict[str, object]:
        """The settings as Flask config keys."""
        return {k: v for k, v in vars(self).items() if k.isupper()}
