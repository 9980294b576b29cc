"""Every visible string has a Vietnamese translation, and placeholders survive translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def source_messages() -> set[str]:
    found: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT),
        method_map=[("service/**.py", "python"), ("templates/**.html", "jinja2")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=KEYWORDS,
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog(locale: str):  # type: ignore[no-untyped-def]
    with (ROOT / "service" / "locale" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def test_every_visible_string_is_translated_into_vietnamese() -> None:
    vi = catalog("vi")
    missing = []
    for message in sorted(source_messages()):
        entry = vi.get(message)
        text = entry.string if entry else None
        if isinstance(text, tuple):
            text = text[0]
        if not text or (entry and entry.fuzzy):
            missing.append(message)
    assert not missing, f"{len(missing)} strings without a Vietnamese translation, e.g. {missing[:10]}"


def test_translations_keep_their_placeholders() -> None:
    for entry in catalog("vi"):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if text:
                assert set(PLACEHOLDER.findall(text)) <= expected | set(PLACEHOLDER.findall(ids[0])), entry.id
