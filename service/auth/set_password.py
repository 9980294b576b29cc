"""One-time links that let the owner of an account set its password: an invitation (the account
was created without one) or a reset (its owner forgot it). A link carries 256 random bits; only
their SHA-256 is stored (``set_password_link``), so the table opens nothing. A link is used once,
expires, and ends when a newer one is sent or the password is set another way. Using it is a
password change: every session and token of the account ends, and the audit log keeps it."""

from __future__ import annotations

import enum
import secrets
import uuid
from datetime import timedelta

import asyncpg
import msgspec

from service import audit
from service.auth import repo
from service.auth.models import Principal, Role
from service.auth.secrets import hash_password, token_digest
from service.db import Connection, transact
from service.errors import FieldError, ValidationFailed
from service.fields import Password

PATH = "/account/set-password"


class Purpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a secret


LIFETIME = {Purpose.INVITATION: timedelta(hours=72), Purpose.PASSWORD_RESET: timedelta(hours=1)}


class Refusal(enum.StrEnum):
    """Why a link opens nothing; each has its own page saying what to do instead."""

    UNKNOWN = "unknown"  # never issued, or altered on the way (a cut or mistyped link)
    USED = "used"
    ENDED = "ended"  # a newer link was sent, or the password was set since
    EXPIRED = "expired"
    INACTIVE = "inactive"  # the account was deactivated


class LinkRefused(Exception):
    def __init__(self, reason: Refusal, purpose: Purpose | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.purpose = purpose


class Link(msgspec.Struct, frozen=True, kw_only=True):
    """A live link: whose account it sets the password of, and why it was sent."""

    user_id: uuid.UUID
    email: str
    role: Role
    purpose: Purpose


class NewPassword(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The project's password rules (``fields.Password``), as everywhere a password is set."""

    password: Password


async def issue(conn: Connection, user_id: uuid.UUID, purpose: Purpose) -> str:
    """A new link's path for ``user_id``; the user's earlier open links end (only the newest
    works, so a mail that was forwarded or left in an old inbox opens nothing)."""
    await repo.end_set_password_links(conn, user_id)
    token = secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO set_password_link (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, now() + $4)",
        token_digest(token),
        user_id,
        purpose.value,
        LIFETIME[purpose],
    )
    return f"{PATH}?token={token}"


async def _open(conn: Connection, token: str, *, lock: bool) -> Link:
    row = await conn.fetchrow(
        "SELECT l.user_id, l.purpose, l.used_at IS NOT NULL AS used, l.ended_at IS NOT NULL AS ended,"
        " l.expires_at <= now() AS expired, u.active, u.email, u.role"
        " FROM set_password_link l JOIN app_user u ON u.id = l.user_id WHERE l.token_hash = $1"
        + (" FOR UPDATE OF l" if lock else ""),
        token_digest(token),
    )
    if row is None:
        raise LinkRefused(Refusal.UNKNOWN)
    purpose = Purpose(row["purpose"])
    for refused, reason in (
        (row["used"], Refusal.USED),
        (row["ended"], Refusal.ENDED),
        (row["expired"], Refusal.EXPIRED),
        (not row["active"], Refusal.INACTIVE),
    ):
        if refused:
            raise LinkRefused(reason, purpose)
    return Link(user_id=row["user_id"], email=row["email"], role=Role(row["role"]), purpose=purpose)


async def check(pool: asyncpg.Pool, token: str) -> Link:
    """The live link ``token`` opens, without using it (opening the page, or a mail scanner
    fetching the link, uses nothing); ``LinkRefused`` says why not."""
    async with pool.acquire() as conn:
        return await _open(conn, token, lock=False)


def new_password(password: str, repeated: str) -> str:
    """``password`` when it keeps the rules and was typed the same twice; else ValidationFailed."""
    try:
        msgspec.convert({"password": password}, NewPassword)
    except msgspec.ValidationError:
        raise ValidationFailed(
            "Not a valid password", errors=[FieldError(field="password", message="10 to 200 characters")]
        ) from None
    if password != repeated:
        raise ValidationFailed(
            "The passwords differ", errors=[FieldError(field="repeat", message="not the same password")]
        )
    return password


async def use(pool: asyncpg.Pool, token: str, password: str) -> Link:
    """Set the password through the link ``token`` and use the link up, in one transaction that
    locks it (two tabs submitting at once: one wins, the other is told it was used). Every session
    and token of the account ends, its other links end, and the audit log records it as the user's
    own act."""
    password_hash = await hash_password(password)  # before the transaction: argon2 takes a while

    async def work(conn: Connection) -> Link:
        link = await _open(conn, token, lock=True)
        await conn.execute("UPDATE set_password_link SET used_at = now() WHERE token_hash = $1", token_digest(token))
        # like any new password: ends every session, token and other open link of the account
        user = await repo.update_user(conn, link.user_id, {"password_hash": password_hash})
        owner = Principal(user_id=user.id, role=Role(user.role), organization_id=user.organization_id)
        await audit.record(
            conn,
            owner,
            "user.password_set_by_link",
            "app_user",
            user.id,
            organization_id=user.organization_id,
            details={"purpose": link.purpose.value},
        )
        return link

    return await transact(pool, work)


async def has_password(conn: Connection, user_id: uuid.UUID) -> bool:
    """Whether the account has a password yet (an invited user has none until the link is used)."""
    return bool(await conn.fetchval("SELECT password_hash IS NOT NULL FROM app_user WHERE id = $1", user_id))
