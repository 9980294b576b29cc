"""Where mail goes: an SMTP relay (``KETNOI_SMTP_URL``) or, with none configured, a Maildir under
``$KETNOI_DATA_DIR/mail`` that any mail client can open, so the demo shows the whole loop with
nothing else installed.

A transport raises ``TransportUnavailable`` when nothing can be sent now (the server is away, or
refuses our log-in, or does not answer in time): the worker then pauses instead of spending every
queued message's attempts. Any other error concerns the one message (a recipient refused) and the
worker goes on.

Several messages may be on their way at once (one per SMTP connection), but only one at a time is
past the point where the relay may have accepted it: ``send`` hands the message's content over and
awaits ``accepted`` (the worker's "sent", committed) under one lock, so a process killed at any
moment leaves at most one accepted message without its "sent"."""

from __future__ import annotations

import asyncio
import mailbox
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from service.config import Settings

TIMEOUT_S = 10.0  # per SMTP command, and for each of a message's two stages (envelope, content)
CONNECTIONS = 4  # to one relay at once: enough to keep both sides busy, few enough for any relay's limit


class TransportUnavailable(Exception):
    """Nothing can be sent through this transport now; try again later."""


@dataclass(frozen=True)
class Outgoing:
    """A message as it goes on the wire: its envelope (addresses only, never a display name — a relay
    without SMTPUTF8 refuses "Kết" as an address) and its RFC 5322 bytes."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes


class MailTransport(Protocol):
    connections: int  # how many messages it can have on their way at once

    async def send(self, mail: Outgoing, accepted: Callable[[], Awaitable[None]]) -> None:
        """Hand one message over and, once the server (or the Maildir) has it, await ``accepted``
        before any other message is handed over."""

    async def close(self) -> None:
        """Let go of held connections (the worker calls it when the queue is empty)."""


class SmtpTransport:
    """aiosmtplib over up to ``connections`` connections kept open while there is mail to send (a
    batch is a few log-ins, not one per message). STARTTLS is used whenever the server offers it."""

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
        connections: int = CONNECTIONS,
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
        self.timeout = timeout
        self.connections = connections
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(connections)
        self._accepting = asyncio.Lock()
        # an accepted message whose "sent" could not be recorded (the database went away): no more
        # content is handed over until ``close``, or every sender already waiting would add a resend
        self._unrecorded = False

    @classmethod
    def from_url(cls, url: str, tls_context: ssl.SSLContext | None = None) -> SmtpTransport:
        """smtp://user:pass@host:587 (STARTTLS when offered; ``?starttls=require`` insists), or
        smtps://user:pass@host:465 (TLS from the first byte). User and password are URL-encoded;
        ``?connections=N`` sets how many connections may send at once (default 4)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SystemExit(f"KETNOI_SMTP_URL must be smtp://host:port or smtps://host:port, not {parts.scheme}://…")
        implicit = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        connections = query.get("connections", [str(CONNECTIONS)])[0]
        if not connections.isdigit() or int(connections) < 1:
            raise SystemExit(f"KETNOI_SMTP_URL: connections must be a whole number from 1, not {connections!r}")
        return cls(
            parts.hostname,
            parts.port or (465 if implicit else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit,
            require_starttls=query.get("starttls", [""])[0] == "require",
            tls_context=tls_context,
            connections=int(connections),
        )

    async def send(self, mail: Outgoing, accepted: Callable[[], Awaitable[None]]) -> None:
        async with self._slots:
            await self._hand_over(mail)
        try:  # the connection is free for the next envelope; the next content waits for this "sent"
            await accepted()
        except BaseException:
            self._unrecorded = True
            raise
        finally:
            self._accepting.release()

    async def _hand_over(self, mail: Outgoing) -> None:
        """Envelope, then content under ``_accepting``: returns holding it once the relay has the message."""
        client: aiosmtplib.SMTP | None = None
        reusable = accepted = False
        try:
            async with asyncio.timeout(self.timeout):
                client = await self._connected()
                await _envelope(client, mail)
                await self._accepting.acquire()
            try:
                if self._unrecorded:
                    raise TransportUnavailable("a message the relay accepted could not be recorded as sent")
                async with asyncio.timeout(self.timeout):
                    await client.data(mail.data)
                reusable = accepted = True
            finally:
                if not accepted:
                    self._accepting.release()
        except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPDataError):
            reusable = True  # this message was refused; the connection is still good for the next
            raise
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TransportUnavailable(f"the SMTP server went away: {exc!r}") from exc
        finally:
            if client is not None and reusable:
                self._idle.append(client)
            elif client is not None:
                client.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        while self._idle:
            client = self._idle.pop()
            if client.is_connected:
                return client
        client = aiosmtplib.SMTP(**self._options)  # type: ignore[arg-type]
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            client.close()
            raise TransportUnavailable(f"the SMTP server refused our log-in: {exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            client.close()
            raise TransportUnavailable(f"cannot reach the SMTP server: {exc!r}") from exc
        except asyncio.CancelledError:  # out of time: the timeout above says so
            client.close()
            raise
        return client

    async def close(self) -> None:
        self._unrecorded = False
        idle, self._idle = self._idle, []
        for client in idle:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()


async def _envelope(client: aiosmtplib.SMTP, mail: Outgoing) -> None:
    """MAIL FROM and RCPT TO; a refusal resets the envelope so the connection can carry the next one."""
    try:
        await client.mail(mail.sender)
        for recipient in mail.recipients:
            await client.rcpt(recipient)
    except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPSenderRefused):
        await client.rset()
        raise


class MaildirTransport:
    """Each message a file in a Maildir (``new/``), as a local mail server would deliver it."""

    connections = 1

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, mail: Outgoing, accepted: Callable[[], Awaitable[None]]) -> None:
        await asyncio.to_thread(self._add, mail.data)
        await accepted()

    def _add(self, data: bytes) -> None:
        try:
            mailbox.Maildir(self.path, create=True).add(data)
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
