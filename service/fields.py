"""Constrained field types shared by every API shape (declared once, reused everywhere)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

Name = Annotated[str, Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, Meta(max_length=200)]
Text = Annotated[str, Meta(max_length=5000)]
# No white space in an address. Python's \s and a JSON Schema validator's (ECMAScript's) differ by
# \x1c-\x1f, \x85 and \ufeff, so those are named: the document then allows exactly the addresses
# the server does.
_SPACE = r"\s\x1c-\x1f\x85\ufeff"
_NOT_SPACE = rf"[^@{_SPACE}]"
Email = Annotated[str, Meta(min_length=3, max_length=254, pattern=rf"^{_NOT_SPACE}+@{_NOT_SPACE}+\.{_NOT_SPACE}+$")]
Url = Annotated[str, Meta(max_length=500, pattern=rf"^https?://[^{_SPACE}]+$")]
Password = Annotated[str, Meta(min_length=10, max_length=200)]
Code = Annotated[str, Meta(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")]
LanguageCode = Annotated[str, Meta(pattern=r"^[a-z]{2,3}$")]
Age = Annotated[int, Meta(ge=0, le=120)]
Count = Annotated[int, Meta(ge=0, le=100_000)]
Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]
Timestamp = Annotated[datetime, Meta(tz=True)]
# a work phone as people write it: "0299 555 201", "+84 299 555 201", "(0299) 555-201"
WorkPhone = Annotated[
    str, Meta(max_length=25, pattern=r"^\+?\(?[0-9][0-9 .()-]{1,22}[0-9]$", examples=["0299 555 201"])
]
ClockTime = Annotated[str, Meta(pattern=r"^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$", examples=["07:30"])]


def sent_fields(patch: msgspec.Struct) -> dict[str, Any]:
    """The fields a PATCH body actually carried (absent ones are ``UNSET``)."""
    return {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}
