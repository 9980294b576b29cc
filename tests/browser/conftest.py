"""Browser tests: the real service on a loopback port (its own seeded database), driven by Debian's
Chromium through Playwright. Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from service.app import create_app
from service.bootstrap import prepare_database
from service.config import Settings
from service.crypto import PersonalDataCipher, new_key, parse_key
from service.db import connect, create_pool, recreate_database
from service.demo.seed import seed_demo
from tests.conftest import worker_database

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking switches Chromium calls home at start; this machine (and CI)
# has no network but loopback, and a page test must not depend on it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# axe-core from npm (package.json; `make axe` runs npm ci): injected into a page to check accessibility.
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# A cheap phone as the walk used it: 390 × 844 CSS pixels, touch, Vietnamese.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "vi-VN",
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN"}
DEMO_PASSWORD = "ketnoi-demo-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(url: str, data_key: str) -> None:
    async def run() -> None:
        cipher = PersonalDataCipher(parse_key(data_key))
        conn = await connect(url)
        try:
            await prepare_database(conn, cipher)
        finally:
            await conn.close()
        pool = await create_pool(url, min_size=1, max_size=4)
        try:
            await seed_demo(pool, cipher)
        finally:
            await pool.close()

    asyncio.run(run())


@pytest.fixture(scope="session")
def live_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The live server's data directory: its mail lands in the Maildir ``mail`` in it (no relay)."""
    return tmp_path_factory.mktemp("live-data")


@pytest.fixture(scope="session")
def live_settings() -> dict[str, Settings]:
    """The live server's settings once it runs (under "settings"): for a test that has to act as
    its scheduler or reach its database behind the pages."""
    return {}


@pytest.fixture(scope="session")
def live_server(server_url: str, live_data_dir: Path, live_settings: dict[str, Settings]) -> Iterator[str]:
    """The service with the demo data on 127.0.0.1, run by uvicorn in a thread of its own; its mails
    link to it and land in ``live_data_dir``/mail."""
    database = {}

    def create() -> None:
        database["url"] = asyncio.run(recreate_database(server_url, worker_database("kn_browser")))

    worker = threading.Thread(target=create)
    worker.start()
    worker.join()
    data_key = new_key()
    seeding = threading.Thread(target=_prepare, args=(database["url"], data_key))
    seeding.start()
    seeding.join()
    port = _free_port()
    settings = Settings(
        database_url=database["url"],
        data_key=data_key,
        secret_key=new_key(),
        secure_cookies=False,
        data_dir=str(live_data_dir),
        base_url=f"http://127.0.0.1:{port}",
        mail_interval=0.2,
    )
    live_settings["settings"] = settings
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        raise AssertionError("the service did not start")
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, locale="vi-VN")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def phone(chromium: Browser) -> Iterator[Page]:
    """A page on a 390 × 844 touch phone in Vietnamese (PHONE)."""
    context = chromium.new_context(**PHONE)
    yield context.new_page()
    context.close()


def login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, page.content()[:500]


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it is now, at these impacts, one line
    each (rule, impact, help, the first offending elements). Injected inline, so the page's
    Content-Security-Policy refuses it: run it in a context made with bypass_csp=True."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `make axe` (npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
            for node in v["nodes"][:4]
        )
        + (f" … {len(v['nodes'])} in all" if len(v["nodes"]) > 4 else "")
        for v in result["violations"]
        if v["impact"] in impacts
    ]
