"""The signed links of a listing check-in's mail (no I/O): who it was sent to, which check-in, and
until when it works, sealed with a key derived from the site's signing secret.

A link is not stored anywhere: the signature proves it was issued here for that person, its own
expiry ends it, and the check-in's answer (in the database) makes it used. The key is derived for
this use alone, so nothing signed for another purpose (a CSRF token) can pass for a link."""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PATH = "/check-in"
# each mail's links work for two weeks: the next reminder (7, then 14 days on) brings fresh ones
LIFETIME = timedelta(days=14)
_PAYLOAD = struct.Struct(">16s16sq")  # check-in id, user id, expiry (seconds since the epoch)
_MAC_BYTES = 16


class Refusal(enum.StrEnum):
    """Why a link opens nothing; the refusal page says what to do instead."""

    UNKNOWN = "unknown"  # not a link this site signed: altered, or cut short when copied
    EXPIRED = "expired"
    USED = "used"  # the check-in was answered (by this partner or a colleague)
    ENDED = "ended"  # the listing was confirmed or verified since, or is gone
    NOT_ALLOWED = "not_allowed"  # the account is deactivated, or may no longer edit the listing


class LinkRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class Signed:
    """What a genuine, unexpired link says."""

    check_in_id: uuid.UUID
    user_id: uuid.UUID


def link_key(signing_secret: str) -> bytes:
    return hmac.new(signing_secret.encode(), b"ketnoi/listing-check-in-link", hashlib.sha256).digest()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign(key: bytes, check_in_id: uuid.UUID, user_id: uuid.UUID, now: datetime) -> str:
    """The token of ``user_id``'s links to ``check_in_id``, working for ``LIFETIME`` from ``now``."""
    payload = _PAYLOAD.pack(check_in_id.bytes, user_id.bytes, int((now + LIFETIME).timestamp()))
    return _encode(payload + hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES])


def link(key: bytes, check_in_id: uuid.UUID, user_id: uuid.UUID, now: datetime) -> str:
    """The path the mail links to; its two buttons add ``&answer=right`` or ``&answer=change``."""
    return f"{PATH}?token={sign(key, check_in_id, user_id, now)}"


def read(key: bytes, token: str, now: datetime | None = None) -> Signed:
    """What ``token`` says, if this site signed it and it has not expired; else ``LinkRefused``."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise LinkRefused(Refusal.UNKNOWN) from None
    payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    if len(payload) != _PAYLOAD.size or not hmac.compare_digest(
        mac, hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    ):
        raise LinkRefused(Refusal.UNKNOWN)
    check_in, user, expires = _PAYLOAD.unpack(payload)
    if (now or datetime.now(UTC)).timestamp() >= expires:
        raise LinkRefused(Refusal.EXPIRED)
    return Signed(check_in_id=uuid.UUID(bytes=check_in), user_id=uuid.UUID(bytes=user))
