"""``Idempotency-Key`` on the creates a flaky mobile connection may send twice — a case, a referral,
a follow-up, a consent, a plan, a milestone, a listing, an organization: the first request with a
key creates; a repeat with the same key and the same request gets the same resource back (header
``Idempotent-Replayed: true``) instead of a second one, also while the first is still running (the
repeat waits for it); the same key with another request is refused (422). Keys are per account and
kept for a day. Only the created id and a keyed hash of the request are stored, never the answer:
a case's answer holds decrypted identifiers. The pages' create forms work the same way, each
rendered form carrying a fresh key in its hidden ``form_key`` field."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any, Protocol, TypeVar

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.params import HeaderParameter
from litestar.status_codes import HTTP_201_CREATED

from service.crypto import PersonalDataCipher
from service.db import Connection, transact
from service.errors import N_, FieldError, ValidationFailed

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEPT_HOURS = 24
FORM_FIELD = "form_key"  # a create form's hidden field: the page's Idempotency-Key
MAX_KEY = 200

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER,
        required=False,
        min_length=1,
        max_length=MAX_KEY,
        description="Any unique string (a UUID): sending the same request again with it creates nothing new",
    ),
]


class Account(Protocol):
    """Who sends the request (auth's ``Principal``): keys are kept per account."""

    @property
    def user_id(self) -> uuid.UUID | None: ...


class Identified(Protocol):
    @property
    def id(self) -> uuid.UUID: ...


T = TypeVar("T", bound=Identified)
R = TypeVar("R")


def answered(response: Response[R], replayed: bool) -> Response[R]:
    """``response``, saying when it answers a repeat (the resource was made by an earlier request)."""
    if replayed:
        response.headers[REPLAYED] = "true"
    return response


class KeyReused(ValidationFailed):
    """The key already made a resource from another request."""

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was used for another request",
            errors=[FieldError(field=HEADER, message="use a new key for a new request")],
        )


class Once(msgspec.Struct, frozen=True):
    key: str | None
    fingerprint: bytes


def once(cipher: PersonalDataCipher, key: str | None, method: str, path: str, body: msgspec.Struct) -> Once:
    """What identifies a request under its key: method, path and body (fields in a fixed order)."""
    request = method.encode() + b" " + path.encode() + b"\n" + msgspec.json.encode(body, order="sorted")
    return Once(key=key, fingerprint=cipher.request_digest(request))


async def create_once(
    conn: Connection,
    principal: Account,
    request: Once,
    create: Callable[[Connection], Awaitable[T]],
    read: Callable[[Connection, uuid.UUID], Awaitable[T]],
) -> tuple[T, bool]:
    """``create(conn)`` unless this account's key already made a resource: then ``read(conn, id)``
    it. Returns the resource and whether it was a repeat; for ``transact``, like any use case."""
    if request.key is None or principal.user_id is None:
        return await create(conn), False
    await conn.execute(
        "DELETE FROM idempotency_key WHERE user_id = $1 AND created_at < now() - make_interval(hours => $2)",
        principal.user_id,
        KEPT_HOURS,
    )
    # a concurrent first request with this key holds the row until it commits: this waits for it
    claimed = await conn.fetchval(
        "INSERT INTO idempotency_key (user_id, key, fingerprint) VALUES ($1, $2, $3)"
        " ON CONFLICT (user_id, key) DO NOTHING RETURNING true",
        principal.user_id,
        request.key,
        request.fingerprint,
    )
    if claimed:
        created = await create(conn)
        await conn.execute(
            "UPDATE idempotency_key SET resource_id = $3 WHERE user_id = $1 AND key = $2",
            principal.user_id,
            request.key,
            created.id,
        )
        return created, False
    earlier = await conn.fetchrow(
        "SELECT fingerprint, resource_id FROM idempotency_key WHERE user_id = $1 AND key = $2",
        principal.user_id,
        request.key,
    )
    if earlier is None or bytes(earlier["fingerprint"]) != request.fingerprint or earlier["resource_id"] is None:
        raise KeyReused()
    return await read(conn, earlier["resource_id"]), True


@dataclass(frozen=True, slots=True)
class Creator:
    """One request's way to create at most once under its key (the ``creator`` dependency): the
    Idempotency-Key header's for the JSON creates, the form's ``form_key`` for the pages'."""

    pool: asyncpg.Pool
    principal: Account
    cipher: PersonalDataCipher
    request: Request[Any, Any, Any]
    key: str | None

    async def create(
        self,
        body: msgspec.Struct,
        create: Callable[[Connection], Awaitable[T]],
        read: Callable[[Connection, uuid.UUID], Awaitable[T]],
    ) -> tuple[T, bool]:
        """``create_once`` in a transaction of its own, the request identified by ``once``."""
        request_once = once(self.cipher, self.key, self.request.method, self.request.url.path, body)
        return await transact(self.pool, create_once, self.principal, request_once, create, read)

    async def created(
        self,
        body: msgspec.Struct,
        create: Callable[[Connection], Awaitable[T]],
        read: Callable[[Connection, uuid.UUID], Awaitable[T]],
    ) -> Response[T]:
        """``create``'s 201 answer with the resource, marked when it repeats an earlier request."""
        resource, replayed = await self.create(body, create, read)
        return answered(Response(resource, status_code=HTTP_201_CREATED), replayed)

    async def create_from_form(
        self, values: Mapping[str, str], body: msgspec.Struct, create: Callable[[Connection], Awaitable[Identified]]
    ) -> uuid.UUID:
        """A page's create at most once per rendered form, the form's ``form_key`` serving as the
        key: a double click, or the form sent again after a lost answer, makes one resource and both
        answers lead to it. The id of the resource."""
        key = values.get(FORM_FIELD) or None
        if key is not None and len(key) > MAX_KEY:
            raise ValidationFailed(N_("This form is damaged: load the page again"))

        async def made(conn: Connection) -> _Made:
            return _Made((await create(conn)).id)

        async def earlier(conn: Connection, resource_id: uuid.UUID) -> _Made:
            return _Made(resource_id)

        try:
            result, _replayed = await replace(self, key=key).create(body, made, earlier)
        except KeyReused:
            # the browser's Back button brought an already sent form back, then it was changed
            raise ValidationFailed(N_("This form was already sent once; check it and send it again")) from None
        return result.id


def form_key() -> str:
    """A fresh key for one rendered create form (templates put it in the hidden ``form_key``)."""
    return uuid.uuid4().hex


class _Made(msgspec.Struct, frozen=True):
    id: uuid.UUID
