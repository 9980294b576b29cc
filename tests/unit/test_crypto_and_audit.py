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
from service.crypto import (
    DataKeyError,
    PersonalDataCipher,
    data_key,
    name_key,
    new_key,
    parse_key,
    signing_secret,
)

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


# Digests of today's stored indexes (key bytes 0..31): the name index must never drift from them,
# whatever becomes of search's folding, or stored cases stop matching their names.
PINNED_NAME_INDEXES = {
    "Nguyễn Thị Lan": "563f46b08eb245e10cd3d19413b799786e7bb6a49bdd4da22459dca6d48024cc",
    "NGUYEN  thi lan": "563f46b08eb245e10cd3d19413b799786e7bb6a49bdd4da22459dca6d48024cc",
    "Đặng Thị Đào": "7b1195cdf4563643093c10c412ae7a9b6c8b301188b9f6add828d51a005dc5d9",
    " Trần\tVăn  Nam ": "0497b6dab14358206f6935c8644a8834ae10115a5b041df32b07f900e76d6dff",
    "សុខា ចាន់": "e975a26c1792d690d3ec055df6178115e6b34300a9c33804ff671f333786ab9b",
    "İpek": "4df0757c91b1ad9d497cc96f2f670205ce941b618462097a044c1372320a8093",
}


@pytest.mark.parametrize(("name", "digest"), PINNED_NAME_INDEXES.items())
def test_the_name_index_stays_what_stored_cases_were_indexed_with(name: str, digest: str) -> None:
    index = PersonalDataCipher(bytes(range(32))).name_index(name)
    assert index is not None and index.hex() == digest


@pytest.mark.parametrize(("name", "key"), [("Đặng  THỊ Đào", "dang thi dao"), (" Trần\tVăn  Nam ", "tran van nam")])
def test_the_name_key_drops_marks_case_and_extra_spaces(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize("bad", ["not base64!", "c2hvcnQ="])
def test_malformed_keys_are_refused(bad: str) -> None:
    with pytest.raises(DataKeyError):
        parse_key(bad)


def test_an_external_database_needs_a_configured_key(tmp_path: Path) -> None:
    with pytest.raises(DataKeyError):
        data_key(Settings(database_url="postgresql://db/ketnoi", data_dir=str(tmp_path)))


def test_an_external_database_needs_a_configured_signing_secret(tmp_path: Path) -> None:
    with pytest.raises(DataKeyError, match="KETNOI_SECRET_KEY"):
        signing_secret(Settings(database_url="postgresql://db/ketnoi", data_dir=str(tmp_path), data_key=new_key()))
    configured = Settings(database_url="postgresql://db/ketnoi", data_dir=str(tmp_path), secret_key="s" * 32)
    assert signing_secret(configured) == "s" * 32
    assert not (tmp_path / "secret_key").exists()


def test_the_embedded_signing_secret_is_generated_once_apart_from_the_data_key(tmp_path: Path) -> None:
    first = signing_secret(Settings(data_dir=str(tmp_path)))
    assert signing_secret(Settings(data_dir=str(tmp_path))) == first
    data_key(Settings(data_dir=str(tmp_path)))
    assert (tmp_path / "data_key").read_text().strip() != first
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


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
