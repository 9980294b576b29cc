"""A mail made from a kind, a link and the recipient: subject and bodies (plain text and HTML)
from ``templates/mail/<kind>.txt`` and ``.html`` in the recipient's language, through the same
catalogs as the pages. Nothing of a case reaches a template: it gets the kind's fixed words, the
recipient's own name and the link (log-in required)."""

from __future__ import annotations

import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache, lru_cache
from pathlib import Path
from secrets import token_hex
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from service.catalogs import translations
from service.config import Settings
from service.notify.kinds import Kind
from service.notify.transport import Outgoing

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
        auto_reload=False,  # the templates ship with the code: no stat() of two files per mail
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


# Headers are encoded with the legacy Header encoder, not EmailMessage's: Python 3.11's new folder
# drops the space between two encoded words of a long Vietnamese subject ('tổchức'). The message is
# written as bytes here, once: email.mime's objects and their generator cost ~1.1 ms a mail, more
# than sending it, for a structure that never changes (two quoted-printable bodies).
@lru_cache(maxsize=256)  # a subject per kind and language
def _header(name: str, value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8", header_name=name).encode()


@lru_cache(maxsize=4096)  # a backlog writes to the same people many times
def _address(name: str, addr: str, header_name: str) -> str:
    if not name or name.isascii():
        return formataddr((name, addr))
    header = Header(name, "utf-8", header_name=header_name)
    header.append(f"<{addr}>", "us-ascii")
    return header.encode()


def _quoted_printable(text: str) -> bytes:
    """The body as 7-bit text any relay carries and a person can still read in the source."""
    return binascii.b2a_qp(text.encode(), istext=True)


def _block(template: Template, name: str, variables: dict[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(variables))).strip()


def absolute(settings: Settings, link: str) -> str:
    """A link of this site as a mail client must hold it."""
    return link if "://" in link else settings.base_url.rstrip("/") + "/" + link.lstrip("/")


@cache
def subject(kind: Kind, locale: str) -> str:
    """The kind's one-line wording in ``locale`` (a mail's subject, a digest's line)."""
    template = _environment(locale).get_template(f"{kind.value}.txt")
    return _block(template, "subject", {})


@cache
def _sender(mail_from: str) -> tuple[str, str]:
    return parseaddr(mail_from)


@cache
def _from_header(mail_from: str) -> str:
    return _address(*_sender(mail_from), header_name="From")


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
) -> Outgoing:
    """The message for one outbox row; ``items`` are a digest's (kind, link) pairs."""
    env = _environment(recipient.locale)
    settings_url = absolute(settings, SETTINGS_PATH)
    title = subject(kind, recipient.locale)
    variables: dict[str, Any] = {
        "name": recipient.name or recipient.email,
        "url": absolute(settings, link),
        "settings_url": settings_url,
        "locale": recipient.locale,
        "items": [DigestItem(subject(k, recipient.locale), absolute(settings, item_link)) for k, item_link in items],
        "subject": title,
    }
    text = env.get_template(f"{kind.value}.txt").render(variables)
    html = env.get_template(f"{kind.value}.html").render(variables)
    # "=_" cannot occur in quoted-printable text, so the boundary needs no search of the bodies
    boundary = f"=_ketnoi_{token_hex(12)}"
    head = (
        f'Content-Type: multipart/alternative;\n boundary="{boundary}"\n'
        "MIME-Version: 1.0\n"
        f"Subject: {_header('Subject', title)}\n"
        f"From: {_from_header(settings.mail_from)}\n"
        f"To: {_address(recipient.name, recipient.email, 'To')}\n"
        f"Date: {format_datetime(now)}\n"
        f"Message-ID: {message_id}\n"
        f"List-Unsubscribe: <{settings_url}>\n"
        "Auto-Submitted: auto-generated\n"  # no out-of-office replies to a robot
        f"Content-Language: {recipient.locale}\n"
    )
    parts = b"".join(
        f'\n--{boundary}\nContent-Type: text/{subtype}; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n".encode()
        + _quoted_printable(body).rstrip(b"\n")
        + b"\n"
        for subtype, body in (("plain", text), ("html", html))
    )
    data = head.encode() + parts + f"\n--{boundary}--\n".encode()
    return Outgoing(sender=_sender(settings.mail_from)[1], recipients=(recipient.email,), data=data)
