"""Encryption of identifiers, the blind index, key handling and the audit hash."""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from service.audit import GENESIS, entry_hash
from service.config import Settings
from service.crypto import DataKeyError, PersonalDataCipher, data_key, new_key, parse_key

CIPHER = PersonalDataCipher(parse_key(new_key()))


def test_round_trip_and_fresh_nonces() -> None:
    record = str(uuid.uuid4())
    first = CIPHER.encrypt("Nguyễn Thị Lan", record=record, field="full_name")
    second = CIPHER.encrypt("Nguyễn Thị Lan", record=record, field="full_name")
    assert first != second
    assert first is not None and "Nguyễn".encode() not in first
    assert CIPHER.decrypt(first, record=record, field="full_name") == "Nguyễn Thị Lan"


def test_a_ciphertext_cannot_move_to_another_record_or_field() -> None:
    sealed = CIPHER.encrypt("0912 345 678", record="a", field="phone")
    with pytest.raises(InvalidTag):
        CIPHER.decrypt(sealed, record="b", field="phone")
    with pytest.raises(InvalidTag):
        CIPHER.decrypt(sealed, record="a", field="full_name")


def test_empty_values_stay_empty() -> None:
    assert CIPHER.encrypt(None, record="a", field="phone") is None
    assert CIPHER.encrypt("", record="a", field="phone") is None
    assert CIPHER.decrypt(None, record="a", field="phone") is None


def test_the_name_index_matches_the_same_name_typed_differently_and_nothing_else() -> None:
    assert CIPHER.name_index("Nguyễn Thị Lan") == CIPHER.name_index("  nguyen  THI lan ")
    assert CIPHER.name_index("Nguyễn Thị Lan") != CIPHER.name_index("Nguyễn Thị Lâm Anh")
    other_key = PersonalDataCipher(parse_key(new_key()))
    assert other_key.name_index("Nguyễn Thị Lan") != CIPHER.name_index("Nguyễn Thị Lan")


@pytest.mark.parametrize("bad", ["not base64!", "c2hvcnQ="])
def test_malformed_keys_are_refused(bad: str) -> None:
    with pytest.raises(DataKeyError):
        parse_key(bad)


def test_an_external_database_needs_a_configured_key(tmp_path: Path) -> None:
    with pytest.raises(DataKeyError):
        data_key(Settings(database_url="postgresql://db/ketnoi", data_dir=str(tmp_path)))


def test_the_embedded_key_is_generated_once_and_private(tmp_path: Path) -> None:
    first = data_key(Settings(data_dir=str(tmp_path)))
    assert data_key(Settings(data_dir=str(tmp_path))) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "data_key").st_mode)
    assert mode == 0o600


def test_audit_hashes_chain_and_notice_any_change() -> None:
    entry = {"action": "read", "entity": "survivor", "details": {"fields": ["phone"]}}
    first = entry_hash(GENESIS, entry)
    assert entry_hash(GENESIS, dict(reversed(list(entry.items())))) == first  # key order does not matter
    assert entry_hash(GENESIS, {**entry, "action": "update"}) != first
    assert entry_hash(first, entry) != first
