"""Dependencies every controller may ask for: pool, search backend, cipher, settings, principal, paging,
the creator of idempotent creates (which reads the Idempotency-Key header), and the mailer of invitations."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from search.protocol import SearchBackend
from service.auth.models import Principal
from service.auth.principal import principal_from_request
from service.auth.users import Invite
from service.config import Settings
from service.crypto import PersonalDataCipher
from service.idempotency import Creator, IdempotencyKey
from service.notify import invitations
from service.pagination import page_params


def provide_pool(state: State) -> asyncpg.Pool:
    pool: asyncpg.Pool = state.pool
    return pool


def provide_search(state: State) -> SearchBackend:
    backend: SearchBackend = state.search
    return backend


def provide_cipher(state: State) -> PersonalDataCipher:
    cipher: PersonalDataCipher = state.cipher
    return cipher


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


async def provide_principal(request: Request[Any, Any, Any], pool: NamedDependency[asyncpg.Pool]) -> Principal:
    return await principal_from_request(request, pool)


async def provide_creator(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    cipher: NamedDependency[PersonalDataCipher],
    idempotency_key: IdempotencyKey = None,
) -> Creator:
    return Creator(pool, principal, cipher, request, idempotency_key)


def provide_invite() -> Invite:
    """How the users API mails an account created without a password its set-password link."""
    return invitations.invite


dependencies = {
    "pool": Provide(provide_pool, sync_to_thread=False),
    "search": Provide(provide_search, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "cipher": Provide(provide_cipher, sync_to_thread=False),
    "principal": Provide(provide_principal),
    "paging": Provide(page_params, sync_to_thread=False),
    "creator": Provide(provide_creator),
    "invite": Provide(provide_invite, sync_to_thread=False),
}
