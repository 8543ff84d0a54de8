"""E-mail digests of each user's inbox (issue 18.1): off unless BAOXUE_SMTP_HOST is set — nothing leaves the
machine otherwise. One message a day per user with an e-mail address and something in the inbox, in the user's
language, listing the items (most urgent first) with links when BAOXUE_PUBLIC_URL is set."""
from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from data_access import audit
from data_access.inbox.items import inbox_items
from data_access.inspection.access import Actor
from data_access.models import AuditLog, User
from data_access.scope import scope_for_user
from wording.inbox import item_detail, item_title

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    """Where digests go out: host, port, sender, optional login and STARTTLS."""

    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    starttls: bool = False
    public_url: str = ""


def smtp_settings() -> SmtpSettings | None:
    """The SMTP settings from the environment, or None (digests off) when BAOXUE_SMTP_HOST is unset."""
    env = os.environ
    host = env.get("BAOXUE_SMTP_HOST", "").strip()
    if not host:
        return None
    return SmtpSettings(host=host, port=int(env.get("BAOXUE_SMTP_PORT") or 25),
                        sender=env.get("BAOXUE_SMTP_FROM") or "baoxue@localhost",
                        user=env.get("BAOXUE_SMTP_USER", ""), password=env.get("BAOXUE_SMTP_PASSWORD", ""),
                        starttls=env.get("BAOXUE_SMTP_STARTTLS", "0") == "1",
                        public_url=env.get("BAOXUE_PUBLIC_URL", "").rstrip("/"))


def digest_message(user: User, items: list, settings: SmtpSettings, today: dt.date) -> EmailMessage:  # noqa: ANN001
    """The digest of one user's inbox (the caller sets the locale)."""
    msg = EmailMessage()
    msg["Subject"] = _("Baoxue: %(count)s items wait for you (%(date)s)", count=len(items), date=today.isoformat())
    msg["From"] = settings.sender
    msg["To"] = formataddr((user.display_name or user.username, user.email or ""))
    msg["Message-ID"] = make_msgid(domain="baoxue")
    lines = [_("Hello %(name)s,", name=user.display_name or user.username), "",
             _("These items wait for you in Baoxue, most urgent first:"), ""]
    for item in items:
        lines.append(f"- {item_title(item)}: {item_detail(item)}")
        if settings.public_url:
            lines.append(f"  {settings.public_url}{item.href}")
    lines += ["", _("Open your inbox in Baoxue to act on them.")]
    msg.set_content("\n".join(lines), charset="utf-8")
    return msg


def send_digests(today: dt.date, settings: SmtpSettings | None = None) -> int:
    """Send today's digests (once per user and day: a second run the same day sends nothing); how many were sent.
    Does nothing when SMTP is not configured."""
    settings = settings or smtp_settings()
    if settings is None:
        return 0
    ext = current_app.extensions["baoxue"]
    sent = 0
    with ext.session_factory() as s:
        users = list(s.scalars(select(User).where(User.is_active.is_(True), User.email.is_not(None),
                                                  User.email != "").order_by(User.id)))
        done = {int(k.split(":")[0]) for k in s.scalars(select(AuditLog.entity_key).where(   # key: user:day
            AuditLog.action == "email", AuditLog.entity == "inbox_digest",
            AuditLog.entity_key.like(f"%:{today.isoformat()}")))}
        messages = []
        for user in users:
            if user.id in done:
                continue
            actor = Actor(user.id, user.role, scope_for_user(s, user), user.display_name or user.username)
            with force_locale(user.language or current_app.config["LANGUAGE"]):
                items = inbox_items(s, actor, today)
                if items:
                    messages.append((user.id, len(items), digest_message(user, items, settings, today)))
    if not messages:
        return 0
    with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password)
        for user_id, count, msg in messages:
            try:
                smtp.send_message(msg)
            except smtplib.SMTPException as exc:
                log.warning("digest for user %s not sent: %s", user_id, exc)
                continue
            with audit.acting_as(None, "schedule"), ext.session_factory() as s, s.begin():
                audit.record(s, "email", "inbox_digest", f"{user_id}:{today.isoformat()}", after={"items": count},
                             area=None)
            sent += 1
    return sent
