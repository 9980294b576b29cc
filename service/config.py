"""Settings read from ``KETNOI_*`` environment variables (see README, "Configuration")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated

import msgspec


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    """Everything the service reads from its environment, with the embedded defaults."""

    database_url: str | None = None
    data_dir: str = "var"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    data_key: str | None = None
    secret_key: str | None = None
    # None: per request, by how it arrived (HTTPS, or X-Forwarded-Proto from a trusted proxy)
    secure_cookies: bool | None = None
    session_hours: int = 12
    meili_url: str | None = None
    meili_key: str | None = None
    meili_index: str = "ketnoi"
    # broad PostgreSQL searches rank a uniform sample of this many listings when the directory is
    # larger (search/postgres_query.py, Sampling); 0 ranks and counts every match
    search_sample: Annotated[int, msgspec.Meta(ge=0)] = 3_000
    token_ttl_hours: int = 168
    pool_min_size: int = 2
    pool_max_size: int = 10
    # seconds a database statement (or a new connection) may take before the request answers 503
    db_timeout: Annotated[float, msgspec.Meta(gt=0)] = 15.0
    log_level: str = "info"
    # mail (issue 16): smtp://user:pass@host:587 (STARTTLS when offered; ?starttls=require insists),
    # smtps://… (TLS from the start); none: messages go to the Maildir under data_dir/mail
    smtp_url: str | None = None
    mail_from: str = "Kết Nối <no-reply@ketnoi.invalid>"
    # where this site is reached from a mail client: mails link there (log-in required)
    base_url: str = "http://127.0.0.1:8000"
    # a message that failed this many times is dead: shown to admins, retried only by hand
    mail_max_attempts: Annotated[int, msgspec.Meta(ge=1)] = 8
    # seconds the mail worker waits when nothing is due; 0 turns it off in this replica
    mail_interval: Annotated[float, msgspec.Meta(ge=0)] = 1.0
    # seconds between the reminder scheduler's ticks (reminders, the 07:30 digest); 0 turns it off
    reminder_interval: Annotated[float, msgspec.Meta(ge=0)] = 60.0
    # a listing neither confirmed by its organization nor verified for this many days asks its
    # partners "Is this still right?" (issue 16, point 3), reminding them after 7 and 21 days
    check_in_days: Annotated[int, msgspec.Meta(ge=1)] = 150

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``KETNOI_<FIELD>`` variables; unset or empty means default."""
        env = os.environ if environ is None else environ
        raw: dict[str, str] = {}
        for field in msgspec.structs.fields(cls):
            value = env.get(f"KETNOI_{field.name.upper()}", "").strip()
            if value:
                raw[field.name] = value
        try:
            return msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise SystemExit(f"invalid KETNOI_* setting: {exc}") from exc
