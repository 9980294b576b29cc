"""JSON controller of the notification centre: the signed-in user's notifications and how each
kind reaches them by mail."""

from __future__ import annotations

import uuid

import asyncpg
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK

from service.auth.models import Principal
from service.auth.principal import account_only
from service.db import transact
from service.notify import centre
from service.notify.models import Notification, NotificationPage, NotificationSettings, ReadAll, SettingsChange
from service.pagination import PageParams

Pool = NamedDependency[asyncpg.Pool]
Who = NamedDependency[Principal]


class NotificationController(Controller):
    path = "/api/v1"
    tags = ["notifications"]
    guards = [account_only]

    @get("/notifications", summary="Your notifications, newest first, with how many are unread")
    async def list_notifications(
        self, principal: Who, pool: Pool, paging: NamedDependency[PageParams], unread: FromQuery[bool] = False
    ) -> NotificationPage:
        return await transact(pool, centre.list_notifications, principal, paging, unread_only=unread)

    @post("/notifications/{notification_id:uuid}/read", status_code=HTTP_200_OK, summary="Mark one read")
    async def read(self, principal: Who, pool: Pool, notification_id: FromPath[uuid.UUID]) -> Notification:
        return await transact(pool, centre.mark_read, principal, notification_id)

    @post("/notifications/read-all", status_code=HTTP_200_OK, summary="Mark all your notifications read")
    async def read_all(self, principal: Who, pool: Pool) -> ReadAll:
        return await transact(pool, centre.mark_all_read, principal)

    @get("/me/notification-settings", summary="How each kind of notification reaches you by mail")
    async def settings(self, principal: Who, pool: Pool) -> NotificationSettings:
        return await transact(pool, centre.settings, principal)

    @put(
        "/me/notification-settings",
        summary="Choose immediate, digest or none per kind (invitations and resets are always sent)",
    )
    async def replace_settings(
        self, principal: Who, pool: Pool, data: JSONBody[SettingsChange]
    ) -> NotificationSettings:
        return await transact(pool, centre.replace_settings, principal, data)
