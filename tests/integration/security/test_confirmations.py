"""A hurried tap does no harm: approving a plan, revoking a token, withdrawing a consent and
deactivating a user each ask first. Without JavaScript (the policy forbids inline script): the real
submit button sits inside a closed ``<details>`` whose summary names the action, so it takes a second,
deliberate tap. New staff accounts start with no role chosen: the administrator must pick one, so
no one gets survivor-data access by default."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.integration.security.conftest import Scene


class _FormPlacement(HTMLParser):
    """For the form posting to ``action``: whether it sits in a closed ``<details>`` with a
    summary, and whether it has a submit button."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.details: list[dict[str, bool]] = []  # the open <details> elements, innermost last
        self.found: list[dict[str, bool]] = []
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "details":
            self.details.append({"closed": "open" not in named, "summary": False})
        elif tag == "summary" and self.details:
            self.details[-1]["summary"] = True
        elif tag == "form" and named.get("action") == self.action:
            self._in_form = True
            inner = self.details[-1] if self.details else {"closed": False, "summary": False}
            self.found.append({"confirmed": inner["closed"] and inner["summary"], "button": False})
        elif tag == "button" and self._in_form and named.get("type", "submit") == "submit":
            self.found[-1]["button"] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "details" and self.details:
            self.details.pop()
        elif tag == "form":
            self._in_form = False


async def assert_asks_first(scene: Scene, role: str, page: str, action: str) -> None:
    response = await scene.send(role, "GET", page)
    assert response.status_code == 200, (page, response.status_code)
    reader = _FormPlacement(action)
    reader.feed(response.text)
    assert reader.found, f"{page} has no form posting to {action}"
    for form in reader.found:
        assert form == {"confirmed": True, "button": True}, (page, action, form)


async def test_approving_a_plan_asks_first(scene: Scene) -> None:
    plan = scene.ids["plan_id"]
    await assert_asks_first(scene, "coordinator", "/dashboard/approvals", f"/dashboard/approvals/{plan}/approve")
    case = scene.ids["survivor_id"]
    await assert_asks_first(scene, "coordinator", f"/cases/{case}", f"/cases/{case}/plan/{plan}/approve")


async def test_withdrawing_a_consent_asks_first(scene: Scene) -> None:
    case, consent = scene.ids["survivor_id"], scene.ids["consent_id"]
    await assert_asks_first(scene, "caseworker", f"/cases/{case}", f"/cases/{case}/consents/{consent}/withdraw")


async def test_revoking_a_token_asks_first(scene: Scene) -> None:
    user, token = scene.ids["user_id"], scene.ids["token_id"]
    await assert_asks_first(scene, "admin", f"/admin/users/{user}/tokens", f"/admin/users/{user}/tokens/{token}/revoke")


async def test_deactivating_a_user_asks_first_and_works(scene: Scene) -> None:
    user = scene.ids["user_id"]
    await assert_asks_first(scene, "admin", f"/admin/users/{user}", f"/admin/users/{user}/active")
    done = await scene.send("admin", "POST", f"/admin/users/{user}/active", form={"active": "false"})
    assert done.status_code == 303
    async with scene.pool.acquire() as conn:
        assert await conn.fetchval("SELECT active FROM app_user WHERE id = $1::uuid", user) is False
        assert await conn.fetchval("SELECT count(*) FROM web_session WHERE user_id = $1::uuid", user) == 0
    assert (await scene.send("partner", "GET", "/partner")).status_code != 200  # signed out everywhere
    back = await scene.send("admin", "POST", f"/admin/users/{user}/active", form={"active": "true"})
    assert back.status_code == 303
    async with scene.pool.acquire() as conn:
        assert await conn.fetchval("SELECT active FROM app_user WHERE id = $1::uuid", user) is True


async def test_saving_a_user_leaves_them_active(scene: Scene) -> None:
    """The edit form no longer carries the switch: a save that forgets a checkbox deactivates no one."""
    user = scene.ids["user_id"]
    form = {"display_name": "Đối tác", "role": "partner", "organization_id": scene.ids["organization_id"]}
    assert (await scene.send("admin", "POST", f"/admin/users/{user}", form=form)).status_code == 303
    async with scene.pool.acquire() as conn:
        assert await conn.fetchval("SELECT active FROM app_user WHERE id = $1::uuid", user) is True


async def test_a_new_account_has_no_role_until_the_administrator_chooses(scene: Scene) -> None:
    page = await scene.send("admin", "GET", "/admin/users")
    role_select = page.text.split('name="role"', 1)[1].split("</select>", 1)[0]
    assert " selected" not in role_select.replace('value="" selected', "")
    email = "moi@example.org"
    form = {"email": email, "display_name": "", "role": "", "organization_id": scene.ids["organization_id"]}
    refused = await scene.send("admin", "POST", "/admin/users", form={**form, "password": "a long enough password"})
    assert refused.status_code == 422
    async with scene.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM app_user WHERE email = $1", email) == 0


@pytest.mark.parametrize("role", ["partner", "caseworker"])
async def test_the_chosen_role_is_kept(scene: Scene, role: str) -> None:
    email = f"moi-{role}@example.org"
    form = {
        "email": email,
        "role": role,
        "organization_id": scene.ids["organization_id"],
        "password": "a long enough password",
    }
    assert (await scene.send("admin", "POST", "/admin/users", form=form)).status_code == 303
    async with scene.pool.acquire() as conn:
        assert await conn.fetchval("SELECT role FROM app_user WHERE email = $1", email) == role
