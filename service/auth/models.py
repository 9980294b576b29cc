"""Shapes of accounts and tokens, and the principal a request acts as."""

from __future__ import annotations

import enum
import uuid

import msgspec

from service.fields import Email, Password, ShortText, Timestamp, WorkPhone


class Role(enum.StrEnum):
    PARTNER = "partner"
    CASEWORKER = "caseworker"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who a request acts as; the anonymous public has no user."""

    user_id: uuid.UUID | None = None
    role: Role | None = None
    organization_id: uuid.UUID | None = None
    email: str | None = None
    token_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None  # the browser session acting (token_id: the bearer token)
    # the user's organization and every one under it, read when the principal is resolved (each
    # request), so a move of an organization counts from the next request on
    tree: frozenset[uuid.UUID] = frozenset()

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Principal()


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    email: str
    role: Role
    organization_id: uuid.UUID | None
    display_name: str
    active: bool
    created_at: Timestamp
    updated_at: Timestamp
    work_phone: str | None = None


class UserCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    email: Email
    # none: the user is mailed a one-time link to set their own (auth/set_password.py)
    password: Password | None = None
    role: Role
    organization_id: uuid.UUID | None = None
    display_name: ShortText = ""
    active: bool = True
    work_phone: WorkPhone | None = None


class UserPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    email: Email | msgspec.UnsetType = msgspec.UNSET
    password: Password | msgspec.UnsetType = msgspec.UNSET
    role: Role | msgspec.UnsetType = msgspec.UNSET
    organization_id: uuid.UUID | None | msgspec.UnsetType = msgspec.UNSET
    display_name: ShortText | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    work_phone: WorkPhone | None | msgspec.UnsetType = msgspec.UNSET


class TokenRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    email: Email
    password: ShortText


class TokenUser(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    email: str
    role: Role
    organization_id: uuid.UUID | None


class IssuedToken(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    expires_at: Timestamp
    user: TokenUser
