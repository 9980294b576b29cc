"""Where a login without ``?next=`` lands: each role's work."""

from __future__ import annotations

import pytest

from service.auth.models import Role
from service.web.menu import landing


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.PARTNER, "/partner/referrals"),
        (Role.CASEWORKER, "/cases"),
        (Role.COORDINATOR, "/dashboard"),
        (Role.ADMIN, "/admin/users"),
        (None, "/"),
    ],
)
def test_each_role_lands_where_its_work_is(role: Role | None, where: str) -> None:
    assert landing(role) == where
