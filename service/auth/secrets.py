"""Password hashing (argon2) and bearer-token generation (only hashes are stored)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
TOKEN_PREFIX = "kn_"  # noqa: S105 - a marker that makes leaked tokens greppable, not a secret
# Verified against when the email is unknown, so a miss costs what a hit costs.
_DUMMY_HASH = _hasher.hash("not-a-real-password-at-all")


async def hash_password(password: str) -> str:
    """argon2id hash; computed in a thread so the event loop keeps serving."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> bytes:
    """Tokens carry 256 random bits, so a fast hash is enough to make a leaked table useless."""
    return hashlib.sha256(token.encode()).digest()
