"""Every main page of every role, as the demo accounts see it, on a phone (390 × 844) and a desktop
(1280 × 900): nothing scrolls sideways at 360 px, axe-core finds no serious or critical WCAG 2.1 AA
violation, the HTML stays under 100 KB and asks no other host, and a Vietnamese page shows no raw
code or English sentence. Each check is parametrised by (role, page), so a failure names the page;
a phone screenshot of each page lands in test-artifacts/screenshots/phone-<role>-<page>.png.

One browser for the module, one login per role, one context per (role, kind of visit) reused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import DESKTOP, PHONE, axe_violations, login, screenshot

ACCOUNTS = {
    "public": None,
    "partner": "partner@ketnoi.demo",
    "caseworker": "caseworker@ketnoi.demo",
    "coordinator": "coordinator@ketnoi.demo",
    "admin": "admin@ketnoi.demo",
}
ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Where:
    """How to reach a page: its path, or the first link matching `link` on `start` (a path, or
    "@name" for another page of the same role, already reached)."""

    role: str
    name: str
    start: str
    link: str | None = None


WHERE = [
    Where("public", "search", "/?q=tam+lanh"),
    Where("public", "listing", "/?q=binh+yen", rf"/services/{ID}"),
    Where("public", "print", "@listing", rf"/services/{ID}/print"),
    Where("public", "login", "/login"),
    Where("public", "forgot-password", "/login", r"/account/forgot-password"),
    Where("partner", "listings", "/partner"),
    Where("partner", "listing-form", "/partner", rf"/partner/services/{ID}"),
    Where("partner", "new-listing", "/partner/services/new"),
    Where("partner", "history", "/partner", rf"/partner/services/{ID}/history"),
    Where("partner", "inbox", "/partner/referrals"),
    Where("partner", "referral", "/partner/referrals?status=all", rf"/partner/referrals/{ID}"),
    Where("caseworker", "cases", "/cases"),
    Where("caseworker", "case", "/cases", rf"/cases/{ID}"),
    Where("caseworker", "new-case", "/cases/new"),
    Where("caseworker", "listing", "/?q=binh+yen", rf"/services/{ID}"),
    Where("caseworker", "edit-case", "@case", rf"/cases/{ID}/edit"),
    Where("caseworker", "matches", "@case", rf"/cases/{ID}/matches\?milestone={ID}.*"),
    Where("caseworker", "new-referral", "@matches", r"/referrals/new\?.+"),
    Where("caseworker", "referral", "/dashboard", rf"/referrals/{ID}"),
    Where("caseworker", "dashboard", "/dashboard"),
    Where("coordinator", "dashboard", "/dashboard"),
    Where("coordinator", "approvals", "/dashboard/approvals"),
    Where("coordinator", "verify", "/verify"),
    Where("admin", "users", "/admin/users"),
    Where("admin", "user", "/admin/users", rf"/admin/users/{ID}"),
    Where("admin", "tokens", "@user", rf"/admin/users/{ID}/tokens"),
    Where("admin", "organizations", "/admin/organizations"),
    Where("admin", "organization", "/admin/organizations", rf"/admin/organizations/{ID}"),
    Where("admin", "mail", "/admin/mail"),
    *(Where(role, "notifications", "/notifications") for role in ("partner", "caseworker", "coordinator", "admin")),
    *(Where(role, "notification-settings", "/notifications/settings") for role in ("partner", "caseworker")),
]
# Room-specific failures handed over to the room's helper: (role, page, check) → why.
KNOWN: dict[tuple[str, str, str], str] = {}

# Words of English sentences that are not Vietnamese words without their marks ("to", "in", "an",
# "no" are): one of these on a Vietnamese page means an untranslated string.
ENGLISH = {
    "the", "of", "and", "not", "with", "your", "you", "for", "this", "that", "from", "are", "is", "has",
    "have", "will", "please", "been", "referral", "referrals", "case", "cases", "listing", "listings",
    "service", "services", "partner", "search", "save", "submit", "cancel", "accept", "decline",
    "open", "closed", "status", "pending", "accepted", "declined", "completed", "overdue", "days",
    "hours", "beds", "bearer", "token", "tokens", "user", "users", "phone", "category", "eligibility",
    "shelter", "none", "unknown", "yes", "day", "new", "edit", "back", "next", "previous", "all",
    "milestone", "plan", "consent", "follow", "organization", "province", "verified", "never", "since",
}  # fmt: skip
# Names that are English on purpose (the demo shelter's English other name, which its listing's
# history shows as the partner typed it), and what is not prose (addresses, e-mail, links).
ALLOWED = re.compile(
    r"Kết Nối|KetNoi|Peaceful House(?: shelter)?|OSSO|htmx|[\w.+-]+@[\w.-]+|https?://\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b",
    re.IGNORECASE,
)
# English phrases made of syllables that are Vietnamese words too.
PHRASES = re.compile(r"\bto do\b|\bin progress\b|\bon hold\b", re.IGNORECASE)
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
# Machine forms no one should read: ids, and ISO dates and times (vi writes dd/mm/yyyy, 24-hour).
MACHINE = re.compile(rf"\b{ID}\b|\b\d{{4}}-\d{{2}}-\d{{2}}(?:T[\d:.]+Z?)?")
LANGUAGE_CODES = "vi|en|km|zh|lo|th|ko|ja|fr|ms|my|id|tl"
CODE_LIST = re.compile(rf"\b(?:{LANGUAGE_CODES})(?:\s*,\s*(?:{LANGUAGE_CODES}))+\b")
COUNTRY_CODE = re.compile(r"(?<![\w-])(?:KH|VN|CN|LA|TH|MY|KR|JP|TW|MM|SG)(?![\w-])")


# What a user reads or hears: the page's text with every <details> opened (one tap shows it), the
# choices of every list, and the placeholders, labels, titles and alternative texts of elements.
SHOWN_TEXT = """() => {
    document.querySelectorAll('details').forEach(details => { details.open = true })
    const attributes = [...document.querySelectorAll('[placeholder], [aria-label], [title], [alt]')]
        .flatMap(e => ['placeholder', 'aria-label', 'title', 'alt'].map(name => e.getAttribute(name) || ''))
    const choices = [...document.querySelectorAll('option')].map(option => option.textContent)
    return [document.body.innerText, ...attributes, ...choices].join('\\n')
}"""


def raw_words(text: str) -> list[str]:
    """What on a Vietnamese page reads as a code or an English word, each once."""
    text = ALLOWED.sub(" ", text)
    found = (
        SNAKE.findall(text)
        + CODE_LIST.findall(text)
        + COUNTRY_CODE.findall(text)
        + PHRASES.findall(text)
        + MACHINE.findall(text)
    )
    found += [word for word in re.findall(r"\b[A-Za-z]+\b", text) if word.lower() in ENGLISH]
    return sorted(set(found))


class Visits:
    """Contexts per (role, kind), logged in once per role, and the pages' addresses once found."""

    KINDS: dict[str, dict[str, Any]] = {
        "phone": PHONE,
        "narrow": {**PHONE, "viewport": {"width": 360, "height": 740}},
        "desktop": DESKTOP,
        "axe-phone": {**PHONE, "bypass_csp": True},
        "axe-desktop": {**DESKTOP, "bypass_csp": True},
    }

    def __init__(self, chromium: Browser, base: str) -> None:
        self.chromium, self.base = chromium, base
        self.states: dict[str, Any] = {}
        self.contexts: dict[tuple[str, str], BrowserContext] = {}
        self.paths: dict[tuple[str, str], str] = {}

    def context(self, role: str, kind: str) -> BrowserContext:
        if (role, kind) not in self.contexts:
            if role not in self.states:
                first = self.chromium.new_context(**DESKTOP)
                email = ACCOUNTS[role]
                if email:
                    login(first.new_page(), self.base, email)
                self.states[role] = first.storage_state()
                first.close()
            self.contexts[role, kind] = self.chromium.new_context(**self.KINDS[kind], storage_state=self.states[role])
        return self.contexts[role, kind]

    def path(self, where: Where) -> str:
        if (where.role, where.name) not in self.paths:
            start = where.start
            if start.startswith("@"):
                start = self.path(next(w for w in WHERE if (w.role, w.name) == (where.role, start[1:])))
            found = start
            if where.link:
                page = self.context(where.role, "desktop").new_page()
                response = page.goto(self.base + start)
                assert response is not None and response.ok, f"{where.role} {start}: {response and response.status}"
                hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
                page.close()
                matching = [href for href in hrefs if re.fullmatch(where.link, href)]
                assert matching, f"no link like {where.link} on {start} for {where.role}"
                found = matching[0]
            self.paths[where.role, where.name] = found
        return self.paths[where.role, where.name]

    def open(self, where: Where, kind: str, hosts: set[str] | None = None) -> tuple[Page, int]:
        """The page in a fresh tab of the role's context of this kind, and its HTML's size in bytes;
        the host of every request it makes goes into `hosts`."""
        page = self.context(where.role, kind).new_page()
        if hosts is not None:
            page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
        response = page.goto(self.base + self.path(where))
        assert response is not None and response.ok, f"{where.role} {where.name}: {response and response.status}"
        if where.role != "public":
            assert urlsplit(page.url).path != "/login", f"{where.role} was sent to log in from {where.name}"
        return page, len(response.body())

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def visits(chromium: Browser, live_server: str) -> Iterator[Visits]:
    visits = Visits(chromium, live_server)
    yield visits
    visits.close()


def cases(check: str) -> list[Any]:
    return [
        pytest.param(
            where,
            id=f"{where.role}-{where.name}",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[where.role, where.name, check])]
            if (where.role, where.name, check) in KNOWN
            else [],
        )
        for where in WHERE
    ]


@pytest.mark.parametrize("where", cases("overflow"))
def test_nothing_scrolls_sideways_at_360_px(visits: Visits, where: Where) -> None:
    page, _ = visits.open(where, "narrow")
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 361 && e.getClientRects().length)
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().replace(/\\s+/g, '.') : '')
                + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    page.close()
    assert width <= 360, f"{where.role} {where.name} is {width} px wide at 360: {wide}"


@pytest.mark.parametrize("kind", ["axe-phone", "axe-desktop"])
@pytest.mark.parametrize("where", cases("axe"))
def test_axe_finds_no_serious_wcag_21_aa_violation(visits: Visits, where: Where, kind: str) -> None:
    page, _ = visits.open(where, kind)
    found = axe_violations(page)
    page.close()
    assert not found, f"{where.role} {where.name} ({kind}):\n" + "\n".join(found)


@pytest.mark.parametrize("where", cases("light"))
def test_the_page_is_light_and_asks_no_other_host(visits: Visits, where: Where) -> None:
    hosts: set[str] = set()
    for kind in ("phone", "desktop"):
        page, size = visits.open(where, kind, hosts)
        if kind == "phone":
            screenshot(page, f"phone-{where.role}-{where.name}")
        page.close()
        assert size < 100_000, f"{where.role} {where.name}: {size} bytes of HTML"
    assert hosts == {urlsplit(visits.base).netloc}, f"{where.role} {where.name} asked {hosts}"


@pytest.mark.parametrize("where", cases("words"))
def test_a_vietnamese_page_shows_no_code_or_english(visits: Visits, where: Where) -> None:
    page, _ = visits.open(where, "phone")
    text = page.evaluate(SHOWN_TEXT)
    page.close()
    assert not raw_words(text), f"{where.role} {where.name} shows {raw_words(text)}"


def test_the_word_check_catches_codes_and_english_but_not_vietnamese() -> None:
    assert raw_words("Lý do: category: shelter; eligibility: for returnee_migrant, woman") == [
        "category",
        "eligibility",
        "for",
        "returnee_migrant",
        "shelter",
    ]
    assert raw_words("Quốc gia: KH — ngôn ngữ: vi, km") == ["KH", "vi, km"]
    assert raw_words("To do: gọi lại") == ["To do"]
    assert raw_words(f"Sau: {'0' * 8}-0000-0000-0000-{'0' * 12}, 2026-12-07T04:13:35.217152Z") == [
        "00000000-0000-0000-0000-000000000000",
        "2026-12-07T04:13:35.217152Z",
    ]
    assert raw_words("Kết Nối — in phiếu, to và rõ; an toàn; partner@ketnoi.demo; Ngôi Nhà Bình Yên") == []


def test_the_checks_catch_a_bad_page(chromium: Browser) -> None:
    """The page checks are not vacuous: a page without a language, with an image without text, faint
    text and a block wider than the phone fails them."""
    context = chromium.new_context(**{**PHONE, "viewport": {"width": 360, "height": 740}, "bypass_csp": True})
    page = context.new_page()
    page.set_content(
        "<html><head><title>x</title><meta name=viewport content='width=device-width'></head><body><main>"
        "<img src='data:,'><p style='color:#bbb;background:#fff'>nhạt</p><div style='width:500px'>rộng</div>"
        "</main></body></html>"
    )
    assert page.evaluate("document.documentElement.scrollWidth") > 360
    found = " ".join(axe_violations(page))
    context.close()
    assert "html-has-lang" in found and "image-alt" in found and "color-contrast" in found, found
