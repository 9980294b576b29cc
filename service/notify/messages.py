"""A mail made from a kind, a link and the recipient: subject and bodies (plain text and HTML)
from ``templates/mail/<kind>.txt`` and ``.html`` in the recipient's language, through the same
catalogs as the pages. Nothing of a case reaches a template: it gets the kind's fixed words, the
recipient's own name and the link (log-in required)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from service.catalogs import translations
from service.config import Settings
from service.notify.kinds import Kind

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"
SETTINGS_PATH = "/notifications/settings"


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    locale: str


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest: the kind's subject in the recipient's language and where to act."""

    title: str
    url: str


@cache
def _environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def _encoded(name: str, value: str) -> str:
    """A header's text as RFC 2047 encoded words, folded by the legacy encoder: Python 3.11's
    folder drops the space between two encoded words of a long Vietnamese subject ('tổchức')."""
    return value if value.isascii() else Header(value, "utf-8", header_name=name).encode()


def _address(name: str, addr: str) -> str:
    if not name or name.isascii():
        return formataddr((name, addr))
    return f"{_encoded('To', name)} <{addr}>"


def _block(template: Template, name: str, variables: dict[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(variables))).strip()


def absolute(settings: Settings, link: str) -> str:
    """A link of this site as a mail client must hold it."""
    return link if "://" in link else settings.base_url.rstrip("/") + "/" + link.lstrip("/")


def subject(kind: Kind, locale: str) -> str:
    """The kind's one-line wording in ``locale`` (a mail's subject, a digest's line)."""
    template = _environment(locale).get_template(f"{kind.value}.txt")
    return _block(template, "subject", {})


def message_id(settings: Settings, row_id: int, created_at: datetime) -> str:
    """The same for every attempt at one outbox row, so a mail sent again after a crash is
    recognisable as the same message (and dropped by clients that de-duplicate)."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "ketnoi.invalid"
    return f"<ketnoi.{row_id}.{int(created_at.timestamp() * 1_000_000)}@{domain}>"


def compose(
    settings: Settings,
    *,
    kind: Kind,
    link: str,
    recipient: Recipient,
    message_id: str,
    items: Sequence[tuple[Kind, str]] = (),
    now: datetime,
) -> EmailMessage:
    """The message for one outbox row; ``items`` are a digest's (kind, link) pairs."""
    env = _environment(recipient.locale)
    settings_url = absolute(settings, SETTINGS_PATH)
    variables: dict[str, Any] = {
        "name": recipient.name or recipient.email,
        "url": absolute(settings, link),
        "settings_url": settings_url,
        "locale": recipient.locale,
        "items": [DigestItem(subject(k, recipient.locale), absolute(settings, item_link)) for k, item_link in items],
    }
    text = env.get_template(f"{kind.value}.txt")
    html = env.get_template(f"{kind.value}.html")
    variables["subject"] = _block(text, "subject", variables)
    message = EmailMessage()
    # set as they are to be sent (see _encoded); each line is short enough not to be folded again
    message.set_raw("Subject", _encoded("Subject", variables["subject"]))
    message.set_raw("From", _address(*parseaddr(settings.mail_from)))
    message.set_raw("To", _address(recipient.name, recipient.email))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["List-Unsubscribe"] = f"<{settings_url}>"
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a robot
    message.set_content(text.render(variables))
    message.add_alternative(html.render(variables), subtype="html")
    message["Content-Language"] = recipient.locale  # after the parts: making them moves Content-* headers
    return message
