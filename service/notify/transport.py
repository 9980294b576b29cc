"""Where mail goes: an SMTP relay (``KETNOI_SMTP_URL``) or, with none configured, a Maildir under
``$KETNOI_DATA_DIR/mail`` that any mail client can open, so the demo shows the whole loop with
nothing else installed.

A transport raises ``TransportUnavailable`` when nothing can be sent now (the server is away, or
refuses our log-in): the worker then pauses instead of spending every queued message's attempts.
Any other error concerns the one message (a recipient refused) and the worker goes on."""

from __future__ import annotations

import asyncio
import mailbox
import ssl
from email.message import Message
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from service.config import Settings

TIMEOUT_S = 30.0


class TransportUnavailable(Exception):
    """Nothing can be sent through this transport now; try again later."""


class MailTransport(Protocol):
    async def send(self, message: Message) -> None:
        """Hand one message over; return only once the server (or the Maildir) has it."""

    async def close(self) -> None:
        """Let go of a held connection (the worker calls it when the queue is empty)."""


class SmtpTransport:
    """aiosmtplib over one connection kept open while there is mail to send (a batch of a hundred
    messages is one log-in, not a hundred). STARTTLS is used whenever the server offers it."""

    def __init__(
        self,
        hostname: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        implicit_tls: bool = False,
        require_starttls: bool = False,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = TIMEOUT_S,
    ) -> None:
        self._options = {
            "hostname": hostname,
            "port": port,
            "username": username,
            "password": password,
            "use_tls": implicit_tls,
            # None: upgrade when offered; True: refuse to send in the clear
            "start_tls": None if implicit_tls or not require_starttls else True,
            "tls_context": tls_context,
            "timeout": timeout,
        }
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_url(cls, url: str, tls_context: ssl.SSLContext | None = None) -> SmtpTransport:
        """smtp://user:pass@host:587 (STARTTLS when offered; ``?starttls=require`` insists), or
        smtps://user:pass@host:465 (TLS from the first byte). User and password are URL-encoded."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SystemExit(f"KETNOI_SMTP_URL must be smtp://host:port or smtps://host:port, not {parts.scheme}://…")
        implicit = parts.scheme == "smtps"
        starttls = parse_qs(parts.query).get("starttls", [""])[0]
        return cls(
            parts.hostname,
            parts.port or (465 if implicit else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit,
            require_starttls=starttls == "require",
            tls_context=tls_context,
        )

    async def send(self, message: Message) -> None:
        async with self._lock:
            client = await self._connected()
            try:
                await client.send_message(
                    message, sender=envelope_sender(message), recipients=envelope_recipients(message)
                )
            except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPDataError):
                raise  # this message was refused; the connection is still good for the next
            except (aiosmtplib.SMTPException, OSError) as exc:
                await self._drop()
                raise TransportUnavailable(f"the SMTP server went away: {exc!r}") from exc

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        client = aiosmtplib.SMTP(**self._options)  # type: ignore[arg-type]
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            client.close()
            raise TransportUnavailable(f"the SMTP server refused our log-in: {exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            client.close()
            raise TransportUnavailable(f"cannot reach the SMTP server: {exc!r}") from exc
        self._client = client
        return client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    async def close(self) -> None:
        async with self._lock:
            client, self._client = self._client, None
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()


def _address_of(value: object) -> str:
    """The address of a From or To header as messages.compose writes it: a Header ends with the
    "<address>" chunk, a plain value is a quoted formataddr. Read from the decoded text without
    parsing the display name, which aiosmtplib's own extraction splits at its first space (taking
    "Kết" for the address)."""
    text = str(value).strip()
    if text.endswith(">") and "<" in text:
        return text[text.rindex("<") + 1 : -1]
    return parseaddr(text)[1]


def envelope_sender(message: Message) -> str:
    return _address_of(message["From"])


def envelope_recipients(message: Message) -> list[str]:
    return [_address_of(value) for value in message.get_all("To", [])]


class MaildirTransport:
    """Each message a file in a Maildir (``new/``), as a local mail server would deliver it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, message: Message) -> None:
        await asyncio.to_thread(self._add, message)

    def _add(self, message: Message) -> None:
        try:
            mailbox.Maildir(self.path, create=True).add(message)
        except OSError as exc:  # a full or read-only disk is not this message's fault
            raise TransportUnavailable(f"cannot write to the Maildir {self.path}: {exc!r}") from exc

    async def close(self) -> None:
        return None


def maildir_path(settings: Settings) -> Path:
    return (Path(settings.data_dir) / "mail").resolve()


def transport_for(settings: Settings) -> MailTransport:
    """The relay when one is configured, the embedded Maildir otherwise."""
    if settings.smtp_url:
        return SmtpTransport.from_url(settings.smtp_url)
    return MaildirTransport(maildir_path(settings))
