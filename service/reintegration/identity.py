"""A case's personal identifiers: encrypted on the way in, decrypted on the way out."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from service.crypto import PersonalDataCipher
from service.reintegration import free_text
from service.reintegration.case_models import (
    CaseStatus,
    CaseType,
    ClosureReason,
    ContactChannel,
    ContactPreference,
    IdentificationStatus,
    RiskLevel,
    Sex,
    Survivor,
    SurvivorSummary,
)
from service.reintegration.case_repo import CaseRow

# API field -> the column holding its ciphertext
IDENTIFIER_COLUMNS = {
    "full_name": "full_name_enc",
    "phone": "phone_enc",
    "address": "address_enc",
    "id_document_number": "id_document_enc",
}


def encrypt_identifiers(
    cipher: PersonalDataCipher, survivor_id: uuid.UUID, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Columns to store for the identifiers present in ``values`` (and the name's blind index)."""
    record = str(survivor_id)
    columns: dict[str, Any] = {}
    for field, column in IDENTIFIER_COLUMNS.items():
        if field in values:
            columns[column] = cipher.encrypt(values[field], record=record, field=field)
    if "full_name" in values:
        columns["name_index"] = cipher.name_index(values["full_name"])
    if "home_commune" in values:
        columns["home_commune_enc"] = free_text.CASE.seal(cipher, survivor_id, "home_commune", values["home_commune"])
    return columns


def contact_columns(
    cipher: PersonalDataCipher, survivor_id: uuid.UUID, preference: ContactPreference
) -> dict[str, Any]:
    return {
        "contact_channel": preference.channel,
        "contact_safe_hours_enc": free_text.CASE.seal(cipher, survivor_id, "contact_safe_hours", preference.safe_hours),
        "do_not_contact": preference.do_not_contact,
    }


def to_survivor(cipher: PersonalDataCipher, row: CaseRow) -> Survivor:
    record = str(row.id)

    def reveal(field: str) -> str | None:
        return cipher.decrypt(getattr(row, IDENTIFIER_COLUMNS[field]), record=record, field=field)

    sealed = {
        "id": row.id,
        "home_commune_enc": row.home_commune_enc,
        "contact_safe_hours_enc": row.contact_safe_hours_enc,
    }

    return Survivor(
        # what a list shows of the case, decoded once (to_summary), then its identifiers and the rest
        **msgspec.structs.asdict(to_summary(row)),
        full_name=reveal("full_name"),
        phone=reveal("phone"),
        address=reveal("address"),
        id_document_number=reveal("id_document_number"),
        sex=Sex(row.sex) if row.sex else None,
        birth_year=row.birth_year,
        nationality=row.nationality,
        languages=row.languages,
        home_commune=free_text.CASE.reveal(cipher, sealed, "home_commune") or None,
        returned_from=row.returned_from,
        return_date=row.return_date,
        contact_preference=ContactPreference(
            channel=ContactChannel(row.contact_channel) if row.contact_channel else None,
            safe_hours=free_text.CASE.reveal(cipher, sealed, "contact_safe_hours") or None,
            do_not_contact=row.do_not_contact,
        ),
        accompanying_child=row.accompanying_child,
        closure_reason=ClosureReason(row.closure_reason) if row.closure_reason else None,
        deidentified_at=row.deidentified_at,
        version=row.version,
        created_at=row.created_at,
        home_former_province=row.home_former_province,
    )


def to_summary(row: CaseRow) -> SurvivorSummary:
    return SurvivorSummary(
        id=row.id,
        case_code=row.case_code,
        organization_id=row.organization_id,
        assigned_caseworker_id=row.assigned_caseworker_id,
        case_type=CaseType(row.case_type),
        identification_status=IdentificationStatus(row.identification_status),
        home_province=row.home_province,
        risk_level=RiskLevel(row.risk_level),
        status=CaseStatus(row.status),
        updated_at=row.updated_at,
    )
