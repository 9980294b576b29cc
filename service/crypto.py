"""Encryption of survivors' personal identifiers (AES-GCM) and the keyed hash for exact-name lookup.

One master key (``KETNOI_DATA_KEY``, 32 bytes, base64) yields two keys through HKDF: one encrypts,
one computes the blind index, so neither use weakens the other. Each ciphertext is bound to its
record and field (associated data), so it cannot be copied onto another survivor or field.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import unicodedata
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from service.config import Settings

KEY_BYTES = 32
NONCE_BYTES = 12
_FORMAT = b"\x01"  # leading version byte, so the scheme can change without guessing


class DataKeyError(ValueError):
    """The configured data key is missing or malformed."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"ketnoi/" + purpose).derive(master)


def parse_key(encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DataKeyError("KETNOI_DATA_KEY must be base64") from exc
    if len(key) != KEY_BYTES:
        raise DataKeyError(f"KETNOI_DATA_KEY must decode to {KEY_BYTES} bytes, not {len(key)}")
    return key


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def read_or_create_key(path: Path) -> str:
    """The embedded setup's key: generated once into the data dir, readable by its owner only."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _configured_or_embedded(settings: Settings, configured: str | None, variable: str, file_name: str) -> str:
    """A shared secret: configured, or — embedded setup only — generated into the data dir. With an
    external database every replica must share it, so it has to be configured."""
    if configured:
        return configured
    if settings.database_url:
        raise DataKeyError(f"{variable} is required when KETNOI_DATABASE_URL is set (all replicas share it)")
    return read_or_create_key(Path(settings.data_dir) / file_name)


def configured_key(settings: Settings) -> str:
    """The master key (base64) that encrypts survivor identifiers and free text."""
    return _configured_or_embedded(settings, settings.data_key, "KETNOI_DATA_KEY", "data_key")


def data_key(settings: Settings) -> bytes:
    return parse_key(configured_key(settings))


def signing_secret(settings: Settings) -> str:
    """The secret that signs CSRF tokens."""
    return _configured_or_embedded(settings, settings.secret_key, "KETNOI_SECRET_KEY", "secret_key")


def name_key(full_name: str) -> str:
    """The form of a name its blind index hashes: ``Đặng  THỊ Đào`` → ``dang thi dao`` (đ → d, marks
    dropped, lower case, one space between words).

    Frozen: every stored case's index was computed with it, so a change would make their names
    unfindable by exact lookup. That is why it is not search's folding, which may be tuned."""
    decomposed = unicodedata.normalize("NFD", full_name.replace("đ", "d").replace("Đ", "D"))
    unmarked = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(unmarked.lower().split())


class PersonalDataCipher:
    def __init__(self, master_key: bytes) -> None:
        self._aead = AESGCM(_derive(master_key, b"pii-encryption"))
        self._index_key = _derive(master_key, b"blind-index")
        self._request_key = _derive(master_key, b"request-fingerprint")

    def encrypt(self, plaintext: str | None, *, record: str, field: str) -> bytes | None:
        if plaintext is None or plaintext == "":
            return None
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), f"{record}:{field}".encode())
        return _FORMAT + nonce + sealed

    def decrypt(self, ciphertext: bytes | None, *, record: str, field: str) -> str | None:
        if ciphertext is None:
            return None
        if ciphertext[:1] != _FORMAT:
            raise ValueError("unknown ciphertext format")
        nonce, sealed = ciphertext[1 : 1 + NONCE_BYTES], ciphertext[1 + NONCE_BYTES :]
        return self._aead.decrypt(nonce, sealed, f"{record}:{field}".encode()).decode()

    def request_digest(self, request: bytes) -> bytes:
        """Keyed hash of a request (an Idempotency-Key's fingerprint): a request holding a name
        cannot be guessed back from it, as a plain hash of a short name could be."""
        return hmac.new(self._request_key, request, hashlib.sha256).digest()

    def name_index(self, full_name: str | None) -> bytes | None:
        """Keyed hash of the name's ``name_key``: equal names match, nothing else leaks."""
        if not full_name or not full_name.strip():
            return None
        return hmac.new(self._index_key, name_key(full_name).encode(), hashlib.sha256).digest()
