"""Does a text the receiving partner will read carry an identifier the case holds?

The referring side writes the summary a partner reads; the case holds the survivor's full name,
phone, ID-document number, address and home commune. A text is refused when it holds any of them in
any spelling a person would type: words compared folded (no diacritics, any case, any punctuation or
spacing), the given name alone counted as the name, each part of the address (between commas) and
the commune counted by the place names in it, numbers compared by their digits whatever separates
them (``0912.345.678``, ``+84 912 345 678``). A province is no identifier (the case's province is
shared as a code), nor is a part with no name in it (``ấp 3``). No I/O."""

from __future__ import annotations

import re

from search.text import fold
from service import places
from service.errors import N_, FieldError, ValidationFailed
from service.reintegration.case_models import Survivor

# Fewer digits than this are ages, dates and counts, not an identifier worth refusing a text for.
MIN_DIGITS = 6
_NUMBER = re.compile(r"\+?\d(?:[\s.\-/()]*\d)*")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_ADDRESS_PARTS = re.compile(r"[,;\n]")
# words that say what kind of place follows, folded: they name no place themselves
_PLACE_KINDS = frozenset(
    {
        *("ap", "thon", "xom", "ban", "khom", "khu", "pho", "to", "xa", "phuong", "thi", "tran"),
        *("thanh", "tinh", "tp", "quan", "huyen", "duong", "hem", "ngo", "kiet", "so", "nha"),
    }
)

# the message of each kind of identifier found (msgids: the pages translate them)
MESSAGES = {
    "name": N_("holds the survivor's name; remove it"),
    "phone": N_("holds the survivor's phone number; remove it"),
    "id_document_number": N_("holds the survivor's ID-document number; remove it"),
    "address": N_("holds the survivor's address or home commune; remove it"),
}


def _words(text: str) -> str:
    """``text`` folded to its words, one space around each: `` nguyen thi lan ``."""
    return " " + " ".join(_NOT_WORD.sub(" ", fold(text)).split()) + " "


def _digits(number: str) -> str:
    """The significant digits of a phone or ID number: a Vietnamese ``+84``/``0`` prefix dropped."""
    digits = re.sub(r"\D", "", number)
    if number.lstrip().startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        digits = digits[2:]
    return digits.lstrip("0")


def _names(full_name: str) -> list[str]:
    """The full name and the given name (its last word, as Vietnamese names are written; a word of
    one character or of digits only is no name)."""
    words = _words(full_name).split()
    if not words:
        return []
    given = words[-1]
    return [" ".join(words)] + ([given] if len(given) > 1 and not given.isdigit() else [])


def _place_names(address: str) -> list[str]:
    """The place names of an address or commune, one per comma-separated part, folded and spaced
    like ``_words``: the kind words and house numbers dropped (the street alone places her as
    well), a province or a part that is only kinds and numbers left out, as is the country
    (``12 đường Lê Lợi, ấp 3, xã Mỹ Xuyên`` gives `` le loi `` and `` my xuyen ``)."""
    names = []
    for part in _ADDRESS_PARTS.split(address):
        words = [word for word in _words(part).split() if word not in _PLACE_KINDS and not word.isdigit()]
        # one syllable alone is too common to refuse a text for ("Bình" is half of "Bình Yên")
        if len(words) < 2 or words == ["viet", "nam"]:
            continue
        if places.resolve(part) is not None:
            continue
        names.append(" " + " ".join(words) + " ")
    return names


def identifiers_in(text: str, survivor: Survivor) -> list[str]:
    """The kinds of the case's identifiers that ``text`` holds (keys of ``MESSAGES``), in that order."""
    words = _words(text)
    numbers = [_digits(match) for match in _NUMBER.findall(text)]
    found = []
    if survivor.full_name and any(f" {name} " in words for name in _names(survivor.full_name)):
        found.append("name")
    for kind in ("phone", "id_document_number"):
        value = getattr(survivor, kind)
        digits = _digits(value) if value else ""
        if len(digits) >= MIN_DIGITS and any(digits in number for number in numbers):
            found.append(kind)
    places_named = [*_place_names(survivor.address or ""), *_place_names(survivor.home_commune or "")]
    if any(name in words for name in places_named):
        found.append("address")
    return found


def refuse_identifiers(text: str, survivor: Survivor, field: str) -> None:
    """422 naming ``field`` once per kind of identifier ``text`` holds; the values are never echoed."""
    found = identifiers_in(text, survivor)
    if found:
        raise ValidationFailed(
            N_("The text would tell the partner who the survivor is: it holds an identifier recorded in the case"),
            errors=[FieldError(field=field, message=MESSAGES[kind]) for kind in found],
        )
