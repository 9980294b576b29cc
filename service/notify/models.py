"""The notification centre's API shapes: a notification, the page of them with the unread count,
and a user's delivery choices."""

from __future__ import annotations

import uuid

import msgspec

from service.fields import Timestamp
from service.notify.kinds import Delivery, Kind


class Notification(msgspec.Struct, kw_only=True, frozen=True):
    """What happened (``kind``) and where to act on it (``link``, a path of this site: log-in
    required), and what it is about in the directory's words (``about``: the listing's name, or
    empty). Nothing of a case is ever in one."""

    id: uuid.UUID
    kind: Kind
    link: str
    about: str
    created_at: Timestamp
    read_at: Timestamp | None


class NotificationPage(msgspec.Struct, kw_only=True, frozen=True):
    """The project's one pagination shape, with how many of the user's notifications are unread
    (all of them, not only this page's)."""

    items: list[Notification]
    total: int
    page: int
    per_page: int
    unread: int


class ReadAll(msgspec.Struct, kw_only=True, frozen=True):
    marked: int  # how many were unread until now


class NotificationSettings(msgspec.Struct, kw_only=True, frozen=True):
    """How each kind the user may choose for reaches them by mail (``deliveries``), and what it
    would be without a choice (``defaults``). Invitations and password resets are always mailed
    and are not listed."""

    deliveries: dict[Kind, Delivery]
    defaults: dict[Kind, Delivery]


class SettingsChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The user's choices; a kind left out goes back to its default."""

    deliveries: dict[Kind, Delivery]
