"""A mail made from a kind, a link and the recipient: subject and bodies (plain text and HTML)
from ``templates/mail/<kind>.txt`` and ``.html`` in the recipient's language, through the same
catalogs as the pages. Nothing of a case reaches a template: it gets the kind's fixed words, the
recipient's own name and the link (log-in required)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache
from pathlib import Path
from secrets import token_hex
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


# Messages are built with email.mime and the legacy Header encoder, not EmailMessage: Python 3.11's
# new folder drops the space between two encoded words of a long Vietnamese subject ('tổchức'),
# and its header objects made composing a mail cost more than sending it.
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # readable in a mail's source, unlike base64


def _header(name: str, value: str) -> str | Header:
    return value if value.isascii() else Header(value, "utf-8", header_name=name)


def _address(name: str, addr: str, header_name: str) -> str | Header:
    if not name or name.isascii():
        return formataddr((name, addr))
    header = Header(name, "utf-8", header_name=header_name)
    header.append(f"<{addr}>", "us-ascii")
    return header


def _block(template: Template, name: str, variables: dict[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(variables))).strip()


def absolute(settings: Settings, link: str) -> str:
    """A link of this site as a mail client must hold it."""
    return link if "://" in link else settings.base_url.rstrip("/") + "/" + link.lstrip("/")


def subject(kind: Kind, locale: str) -> str:
    """The kind's one-line wording in ``locale`` (a mail's subject, a digest's line)."""
    template = _environment(locale).get_template(f"{kind.value}.txt")
    return _block(template, "subject", {})


@cache
def _sender(mail_from: str) -> tuple[str, str]:
    return parseaddr(mail_from)


def message_id(settings: Settings, row_id: int, created_at: datetime) -> str:
    """The same for every attempt at one outbox row, so a mail sent again after a crash is
    recognisable as the same message (and dropped by clients that de-duplicate)."""
    domain = _sender(settings.mail_from)[1].rpartition("@")[2] or "ketnoi.invalid"
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
) -> Message:
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
    # "=_" cannot occur in quoted-printable text, so the boundary needs no search of the bodies (the
    # generator's own search compiles a fresh regular expression per message: ~0.3 ms)
    message = MIMEMultipart("alternative", boundary=f"=_ketnoi_{token_hex(12)}")
    # a Header is what the legacy generator folds correctly (typeshed types these headers as str)
    message["Subject"] = _header("Subject", variables["subject"])  # type: ignore[assignment]
    message["From"] = _address(*_sender(settings.mail_from), header_name="From")  # type: ignore[assignment]
    message["To"] = _address(recipient.name, recipient.email, header_name="To")  # type: ignore[assignment]
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["List-Unsubscribe"] = f"<{settings_url}>"
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a robot
    message["Content-Language"] = recipient.locale
    message.attach(MIMEText(text.render(variables), "plain", _UTF8_QP))  # type: ignore[arg-type]
    message.attach(MIMEText(html.render(variables), "html", _UTF8_QP))  # type: ignore[arg-type]
    return message
