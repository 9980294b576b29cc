"""The parameters every reintegration JSON controller takes, named once: the pool, the principal,
the cipher for identifiers, the page asked for and the idempotent creator."""

from __future__ import annotations

import asyncpg
from litestar.di import NamedDependency

from service.auth.models import Principal
from service.crypto import PersonalDataCipher
from service.idempotency import Creator
from service.pagination import PageParams

Pool = NamedDependency[asyncpg.Pool]
Who = NamedDependency[Principal]
Cipher = NamedDependency[PersonalDataCipher]
Paging = NamedDependency[PageParams]
Creates = NamedDependency[Creator]
