"""Writing notifications and queued mail in the caller's transaction (the outbox).

A notification and its mail commit or roll back with the event that caused them. The dedupe key
makes one event notify each user once however often it is reported (a retried request, a reminder
scheduler running in several replicas): ``(user_id, dedupe_key)`` is unique in both tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from service.db import Connection
from service.notify.kinds import DEFAULT_DELIVERY, FIXED_KINDS, Kind

# A notification per active user, and a queued mail for those whose delivery of the kind is
# 'immediate' (their own setting, or the kind's default when they have none). Only a notification
# that is new queues a mail, so a repeated event sends nothing twice.
_NOTIFY = """
WITH new AS (
    INSERT INTO notification (user_id, kind, link, dedupe_key, about)
    SELECT u.id, $2, $3, $4, $7 FROM app_user u WHERE u.id = ANY($1::uuid[]) AND u.active
    ON CONFLICT (user_id, dedupe_key) DO NOTHING
    RETURNING user_id
), mailed AS (
    INSERT INTO mail_outbox (user_id, kind, link, dedupe_key)
    SELECT new.user_id, $2, $3, $4
    FROM new LEFT JOIN notification_setting s ON s.user_id = new.user_id AND s.kind = $2
    WHERE $6 OR coalesce(s.delivery, $5) = 'immediate'
    ON CONFLICT (user_id, dedupe_key) DO NOTHING
)
SELECT count(*) FROM new
"""

_SEND_MAIL = """
INSERT INTO mail_outbox (user_id, kind, link, dedupe_key)
SELECT u.id, $2, $3, $4 FROM app_user u WHERE u.id = $1 AND u.active
ON CONFLICT (user_id, dedupe_key) DO NOTHING
"""


async def notify(
    conn: Connection, user_ids: Iterable[uuid.UUID], kind: Kind, link: str, dedupe_key: str, *, about: str = ""
) -> int:
    """Tell each of ``user_ids`` that ``kind`` happened, linking to ``link`` (a path such as
    ``/referrals/<id>``); return how many notifications are new. Inactive users get nothing.
    ``about`` names the directory record it concerns (a listing's name), shown in the centre only.

    The caller has already decided the users may read the linked record (service/auth/permissions.py)
    and passes nothing from the case: no name, contact, case code or free text."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return 0
    default = DEFAULT_DELIVERY[kind]
    count = await conn.fetchval(_NOTIFY, ids, kind.value, link, dedupe_key, default.value, kind in FIXED_KINDS, about)
    return int(count)


async def send_mail(conn: Connection, user_id: uuid.UUID, kind: Kind, link: str, dedupe_key: str) -> None:
    """Queue a mail with no notification (an invitation, a password reset, a listing check-in).
    The link may carry a one-time token; it is kept only until the mail is sent or dead."""
    await conn.execute(_SEND_MAIL, user_id, kind.value, link, dedupe_key)
