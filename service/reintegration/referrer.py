"""Who sent a referral and how the receiving partner reaches them to arrange intake: the referring
organization and the caseworker who wrote it, with their WORK contacts only (the organization's
phones and email, the caseworker's work phone and email) — never the survivor's."""

from __future__ import annotations

import uuid

import msgspec

from service.auth import repo as auth_repo
from service.auth.models import Principal
from service.crypto import PersonalDataCipher
from service.db import Connection
from service.directory import repo as directory_repo
from service.directory.models import ContactKind
from service.errors import NotFound
from service.reintegration import referral_repo
from service.reintegration.referral_models import Referral
from service.reintegration.referrals import read_referral

_PHONES = (ContactKind.PHONE, ContactKind.HOTLINE)


class Referrer(msgspec.Struct, kw_only=True, frozen=True):
    organization_name: str
    organization_phones: list[str]
    organization_email: str | None
    caseworker_name: str | None
    caseworker_email: str | None
    caseworker_phone: str | None


async def read_with_referrer(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, referral_id: uuid.UUID
) -> tuple[Referral, Referrer]:
    """A referral ``principal`` may read (checked and audited as ``read_referral``) and who sent it."""
    referral = await read_referral(conn, principal, cipher, referral_id)
    row = await referral_repo.get_referral(conn, referral_id)
    organization = await directory_repo.get_organization(conn, row["referring_organization_id"])
    name = email = phone = None
    if row["created_by"] is not None:
        try:
            user = await auth_repo.get_user(conn, row["created_by"])
        except NotFound:
            user = None
        if user is not None and user.active:
            name, email, phone = user.display_name or None, user.email, user.work_phone
    return referral, Referrer(
        organization_name=organization.name,
        organization_phones=[c.value for c in organization.contacts if c.kind in _PHONES],
        organization_email=organization.email,
        caseworker_name=name,
        caseworker_email=email,
        caseworker_phone=phone,
    )
