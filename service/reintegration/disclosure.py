"""Does a text the receiving partner will read carry an identifier the case holds?

The referring side writes the summary a partner reads; the case holds the survivor's full name,
phone, ID-document number and address. A text is refused when it holds any of them in any spelling
a person would type: words compared folded (no diacritics, any case, any punctuation or spacing),
the given name alone counted as the name, numbers compared by their digits whatever separates them
(``0912.345.678``, ``+84 912 345 678``). No I/O."""

from __future__ import annotations

import re

from search.text import fold
from service.errors import FieldError, ValidationFailed
from service.reintegration.models import Survivor

# Fewer digits than this are ages, dates and counts, not an identifier worth refusing a text for.
MIN_DIGITS = 6
_NUMBER = re.compile(r"\+?\d(?:[\s.\-/()]*\d)*")
_NOT_WORD = re.compile(r"[^0-9a-z]+")

# the message of each kind of identifier found (msgids: the pages translate them)
MESSAGES = {
    "name": "holds the survivor's name; remove it",
    "phone": "holds the survivor's phone number; remove it",
    "id_document_number": "holds the survivor's ID-document number; remove it",
    "address": "holds the survivor's address; remove it",
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
    address = _words(survivor.address or "")
    if address.strip() and address in words:
        found.append("address")
    return found


def refuse_identifiers(text: str, survivor: Survivor, field: str) -> None:
    """422 naming ``field`` once per kind of identifier ``text`` holds; the values are never echoed."""
    found = identifiers_in(text, survivor)
    if found:
        raise ValidationFailed(
            "The text would tell the partner who the survivor is: it holds an identifier recorded in the case",
            errors=[FieldError(field=field, message=MESSAGES[kind]) for kind in found],
        )
