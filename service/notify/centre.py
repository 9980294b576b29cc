"""The notification centre: a user's own notifications (newest first, how many are unread),
marking them read, and the user's choice of how each kind reaches them by mail. Everything here is
about the signed-in user only: another user's notification is not found (404), never refused."""

from __future__ import annotations

import uuid

from service.auth.models import Principal
from service.db import Connection
from service.errors import FieldError, NotFound, Unauthorized, ValidationFailed
from service.notify.kinds import DEFAULT_DELIVERY, SETTABLE_KINDS, Delivery, Kind
from service.notify.models import Notification, NotificationPage, NotificationSettings, ReadAll, SettingsChange
from service.pagination import PageParams

_COLUMNS = "id, kind, link, about, created_at, read_at"
_UNREAD = "SELECT count(*) FROM notification WHERE user_id = $1 AND read_at IS NULL"


def _user(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:
        raise Unauthorized("Log in or send a bearer token")
    return principal.user_id


def _notification(row: object) -> Notification:
    return Notification(**dict(row))  # type: ignore[call-overload]


async def list_notifications(
    conn: Connection, principal: Principal, paging: PageParams, *, unread_only: bool = False
) -> NotificationPage:
    """The user's notifications, newest first (``unread_only``: only those not read yet)."""
    user = _user(principal)
    where = "user_id = $1" + (" AND read_at IS NULL" if unread_only else "")
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM notification WHERE {where} ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        user,
        paging.per_page,
        paging.offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM notification WHERE {where}", user)
    return NotificationPage(
        items=[_notification(row) for row in rows],
        total=int(total),
        page=paging.page,
        per_page=paging.per_page,
        unread=await unread_count(conn, principal),
    )


async def unread_count(conn: Connection, principal: Principal) -> int:
    """How many of the user's notifications are unread (the menu's count); 0 for the anonymous."""
    if principal.user_id is None:
        return 0
    return int(await conn.fetchval(_UNREAD, principal.user_id))


async def mark_read(conn: Connection, principal: Principal, notification_id: uuid.UUID) -> Notification:
    """Mark one of the user's notifications read (again: a no-op keeping the first time)."""
    row = await conn.fetchrow(
        "UPDATE notification SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2"
        f" RETURNING {_COLUMNS}",
        notification_id,
        _user(principal),
    )
    if row is None:
        raise NotFound("No such notification")
    return _notification(row)


async def open_notification(conn: Connection, principal: Principal, notification_id: uuid.UUID) -> str:
    """Mark one of the user's notifications read and give the place it links to (the page to act)."""
    return (await mark_read(conn, principal, notification_id)).link


async def mark_all_read(conn: Connection, principal: Principal) -> ReadAll:
    status = await conn.execute(
        "UPDATE notification SET read_at = now() WHERE user_id = $1 AND read_at IS NULL", _user(principal)
    )
    return ReadAll(marked=int(status.split()[-1]))


async def settings(conn: Connection, principal: Principal) -> NotificationSettings:
    """How each settable kind reaches the user: their choice, else the kind's default."""
    rows = await conn.fetch("SELECT kind, delivery FROM notification_setting WHERE user_id = $1", _user(principal))
    chosen = {row["kind"]: Delivery(row["delivery"]) for row in rows}
    defaults = {kind: DEFAULT_DELIVERY[kind] for kind in SETTABLE_KINDS}
    return NotificationSettings(
        deliveries={kind: chosen.get(kind.value, default) for kind, default in defaults.items()},
        defaults=defaults,
    )


async def replace_settings(conn: Connection, principal: Principal, change: SettingsChange) -> NotificationSettings:
    """Replace the user's choices with ``change`` (a kind left out goes back to its default; a
    choice equal to the default is kept as none, so a later change of the default reaches it).
    A kind that is not the user's to choose (invitations, password resets) is refused."""
    user = _user(principal)
    fixed = sorted(kind.value for kind in change.deliveries if kind not in SETTABLE_KINDS)
    if fixed:
        raise ValidationFailed(
            "These kinds are always sent and cannot be set",
            errors=[FieldError(field=f"deliveries.{kind}", message="not settable") for kind in fixed],
        )
    chosen: dict[Kind, Delivery] = {
        kind: delivery for kind, delivery in change.deliveries.items() if delivery is not DEFAULT_DELIVERY[kind]
    }
    await conn.execute("DELETE FROM notification_setting WHERE user_id = $1", user)
    await conn.executemany(
        "INSERT INTO notification_setting (user_id, kind, delivery) VALUES ($1, $2, $3)",
        [(user, kind.value, delivery.value) for kind, delivery in chosen.items()],
    )
    return await settings(conn, principal)


async def quiet_history(conn: Connection, keep_unread: int) -> None:
    """For data loaded in bulk (the demo), whose past events are not news: every user keeps only
    their ``keep_unread`` newest notifications unread, and no mail is sent about any of them."""
    await conn.execute(
        "UPDATE notification n SET read_at = n.created_at FROM ("
        " SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY created_at DESC, id DESC) AS rank"
        " FROM notification WHERE read_at IS NULL) r WHERE n.id = r.id AND r.rank > $1",
        keep_unread,
    )
    await conn.execute(
        "DELETE FROM mail_outbox m USING notification n"
        " WHERE m.status = 'queued' AND n.user_id = m.user_id AND n.dedupe_key = m.dedupe_key"
    )
