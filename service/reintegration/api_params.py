"""The parameters every reintegration JSON controller takes, named once: the pool, the principal,
the cipher for identifiers, the page asked for and the idempotent creator; and ``work``, the three
first bound together so that a handler runs its use case in one line."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

import asyncpg
import msgspec
from litestar import Response
from litestar.di import NamedDependency, Provide

from service.auth.models import Principal
from service.crypto import PersonalDataCipher
from service.db import Connection, transact
from service.idempotency import Creator, Identified
from service.pagination import PageParams

Pool = NamedDependency[asyncpg.Pool]
Who = NamedDependency[Principal]
Cipher = NamedDependency[PersonalDataCipher]
Paging = NamedDependency[PageParams]
Creates = NamedDependency[Creator]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T", bound=Identified)

# A use case as the controllers call it: the connection, who asks and the cipher first.
UseCase = Callable[Concatenate[Connection, Principal, PersonalDataCipher, P], Awaitable[R]]
ReadBack = Callable[[Connection, Principal, PersonalDataCipher, uuid.UUID], Awaitable[T]]


@dataclass(frozen=True, slots=True)
class CaseWork:
    """Who asks, with the pool and the cipher every case use case takes (the ``work`` dependency)."""

    principal: Principal
    pool: asyncpg.Pool
    cipher: PersonalDataCipher

    async def run(self, use_case: UseCase[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``use_case(conn, principal, cipher, *args, **kwargs)`` in a transaction of its own."""
        return await transact(self.pool, use_case, self.principal, self.cipher, *args, **kwargs)

    async def create(
        self,
        creator: Creator,
        body: msgspec.Struct,
        create: UseCase[P, T],
        read: ReadBack[T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> tuple[T, bool]:
        """``create(conn, principal, cipher, *args, **kwargs)`` at most once under the request's key
        (``body`` identifies the request); a repeat reads back what the first one made with
        ``read(conn, principal, cipher, id)``. The resource and whether it was a repeat."""
        return await creator.create(
            body,
            lambda conn: create(conn, self.principal, self.cipher, *args, **kwargs),
            lambda conn, resource_id: read(conn, self.principal, self.cipher, resource_id),
        )

    async def created(
        self,
        creator: Creator,
        body: msgspec.Struct,
        create: UseCase[P, T],
        read: ReadBack[T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Response[T]:
        """``create``'s 201 answer with the resource (``Creator.created``)."""
        return await creator.created(
            body,
            lambda conn: create(conn, self.principal, self.cipher, *args, **kwargs),
            lambda conn, resource_id: read(conn, self.principal, self.cipher, resource_id),
        )


def provide_work(principal: Who, pool: Pool, cipher: Cipher) -> CaseWork:
    return CaseWork(principal, pool, cipher)


Work = NamedDependency[CaseWork]
# the controllers' own dependency; what it is made of is provided by the app (service/deps.py)
DEPENDENCIES = {"work": Provide(provide_work, sync_to_thread=False)}
