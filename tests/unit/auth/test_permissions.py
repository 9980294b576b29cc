"""DESIGN.md §4 for the directory, checked role by role."""

from __future__ import annotations

import uuid

import pytest

from service.auth.models import ANONYMOUS, Principal, Role
from service.auth.permissions import Action, Scope, allowed, check, scope_of
from service.errors import Forbidden, NotFound, Unauthorized

OWN = uuid.uuid4()
OTHER = uuid.uuid4()
UNDER = uuid.uuid4()  # an organization under OWN


def principal(role: Role) -> Principal:
    if role is Role.ADMIN:
        return Principal(user_id=uuid.uuid4(), role=role)
    return Principal(user_id=uuid.uuid4(), role=role, organization_id=OWN, tree=frozenset({OWN, UNDER}))


# (action, role) -> (allowed on own org's record, allowed on another org's record); a coordinator's
# "another" lies outside their organization tree
EXPECTED = {
    (Action.VIEW_RESTRICTED_LISTING, Role.PARTNER): (True, False),
    (Action.VIEW_RESTRICTED_LISTING, Role.CASEWORKER): (True, True),
    (Action.VIEW_RESTRICTED_LISTING, Role.COORDINATOR): (True, True),
    (Action.VIEW_RESTRICTED_LISTING, Role.ADMIN): (True, True),
    (Action.EDIT_LISTING, Role.PARTNER): (True, False),
    (Action.EDIT_LISTING, Role.CASEWORKER): (False, False),
    (Action.EDIT_LISTING, Role.COORDINATOR): (True, False),
    (Action.EDIT_LISTING, Role.ADMIN): (True, True),
    (Action.VERIFY_LISTING, Role.PARTNER): (False, False),
    (Action.VERIFY_LISTING, Role.CASEWORKER): (False, False),
    (Action.VERIFY_LISTING, Role.COORDINATOR): (True, False),
    (Action.VERIFY_LISTING, Role.ADMIN): (True, True),
    (Action.CREATE_ORGANIZATION, Role.PARTNER): (False, False),
    (Action.CREATE_ORGANIZATION, Role.COORDINATOR): (True, False),
    (Action.CREATE_ORGANIZATION, Role.ADMIN): (True, True),
    (Action.EDIT_ORGANIZATION, Role.COORDINATOR): (True, False),
    (Action.RESTRUCTURE_ORGANIZATION, Role.COORDINATOR): (True, False),
    (Action.RESTRUCTURE_ORGANIZATION, Role.ADMIN): (True, True),
    (Action.RESTRUCTURE_ORGANIZATION, Role.PARTNER): (False, False),
    (Action.EDIT_ORGANIZATION, Role.PARTNER): (True, False),
    (Action.MANAGE_USERS, Role.COORDINATOR): (False, False),
    (Action.MANAGE_USERS, Role.ADMIN): (True, True),
}


@pytest.mark.parametrize(("action", "role"), list(EXPECTED))
def test_rules_match_the_design_table(action: Action, role: Role) -> None:
    own, other = EXPECTED[(action, role)]
    assert allowed(principal(role), action, OWN) is own
    assert allowed(principal(role), action, OTHER) is other


@pytest.mark.parametrize("action", list(Action))
def test_the_public_may_do_nothing_restricted(action: Action) -> None:
    assert not allowed(ANONYMOUS, action, OWN)


def test_check_answers_401_for_the_public_403_for_a_role_and_404_when_hidden() -> None:
    with pytest.raises(Unauthorized):
        check(ANONYMOUS, Action.EDIT_LISTING, OWN)
    with pytest.raises(Forbidden):
        check(principal(Role.CASEWORKER), Action.EDIT_LISTING, OWN)
    with pytest.raises(NotFound):
        check(principal(Role.PARTNER), Action.EDIT_LISTING, OTHER, hide=True)
    check(principal(Role.PARTNER), Action.EDIT_LISTING, OWN)


@pytest.mark.parametrize("action", [a for a in Action if scope_of(principal(Role.COORDINATOR), a) is Scope.ORG_TREE])
def test_a_coordinators_tree_powers_reach_down_the_tree_and_nowhere_else(action: Action) -> None:
    coordinator = principal(Role.COORDINATOR)
    assert allowed(coordinator, action, UNDER, assigned_to=uuid.uuid4())
    assert not allowed(coordinator, action, OTHER, assigned_to=coordinator.user_id)
    assert not allowed(coordinator, action, None)  # no organization (a root to be) is in any tree
