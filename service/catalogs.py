"""The translation catalogs (service/locale/<lang>/LC_MESSAGES/messages.po), read by the pages and
by the mail alike, so a word is translated once for both."""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations


@cache
def translations(locale: str) -> NullTranslations:
    """The catalog of ``locale``, compiled in memory from its .po file (no build step)."""
    source = resources.files("service") / "locale" / locale / "LC_MESSAGES" / "messages.po"
    if not source.is_file():
        return NullTranslations()
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)
