"""Forms on the pages: text in, API shapes out, refusals shown next to the fields they concern.

Every page module reads its forms with these helpers, so a form behaves the same everywhere: values
are trimmed, msgspec's refusals are all reported at once (not just the first), and a domain
refusal (``service.errors.DomainError``) lands next to the field it names. What differs between
forms (the form's field names, the hint texts, friendlier words for known domain messages) is
passed in by the page module that owns the form.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import msgspec

from service.errors import Conflict, DomainError
from service.web.i18n import gettext as _

T = TypeVar("T")

Errors = dict[str, str]
"""Form field name → the message shown next to it; ``FORM`` holds a message about the whole form."""

FORM = "_form"

_WHERE = re.compile(r" - at `\$([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]+)`")
_STEP = re.compile(r"\[[^\]]*\]|[^.\[\]]+")


# -- reading the form -------------------------------------------------------------------------------


def text(form: Mapping[str, Any], name: str) -> str:
    """A field's (first) value, trimmed; a field not sent reads as empty."""
    return str(form.get(name, "")).strip()


def text_fields(form: Mapping[str, Any], exclude: Iterable[str] = ("_csrf_token",)) -> dict[str, str]:
    """Every field's (first) value, trimmed; the CSRF token is not data, so it is left out."""
    skip = set(exclude)
    return {name: text(form, name) for name in form if name not in skip}


# -- API field paths and form field names -----------------------------------------------------------


def _steps(path: str) -> list[str]:
    """``contacts[1].value`` as ``["contacts", "[1]", "value"]`` (a leading ``$.`` is ignored)."""
    return _STEP.findall(path.removeprefix("$").removeprefix("."))


def _join(steps: list[str]) -> str:
    return "".join(step if step.startswith("[") or i == 0 else "." + step for i, step in enumerate(steps))


def field_name(path: str, rename: Mapping[str, str] = {}, default_field: str = FORM) -> str:
    """The form field an API field path was typed into: the nearest named path in ``rename``
    (``contacts[1].kind``, else ``contacts[1]``, else ``contacts``), else the path's first step,
    since form fields are mostly named after the API's top-level fields."""
    steps = _steps(path)
    if not steps:
        return default_field
    for end in range(len(steps), 0, -1):
        found = rename.get(_join(steps[:end]))
        if found is not None:
            return found
    return steps[0]


# -- msgspec's refusals -----------------------------------------------------------------------------


def _refused(message: str) -> tuple[str, bool]:
    """The path of the value a msgspec error refuses, and whether it is a missing required field."""
    found = _WHERE.search(message)
    steps = _steps(found.group(1)) if found else []
    missing = _MISSING.search(message)
    if missing:
        steps.append(missing.group(1))
    return _join(steps), missing is not None


def _drop(data: Any, steps: list[str]) -> bool:
    """Remove the value at ``steps`` (object keys only) so the next conversion gets further."""
    node = data
    for step in steps[:-1]:
        if step.startswith("["):
            index = step[1:-1]
            node = node[int(index)] if isinstance(node, list) and index.isdigit() and int(index) < len(node) else None
        else:
            node = node.get(step) if isinstance(node, dict) else None
    last = steps[-1] if steps else ""
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    return False


def convert(
    data: dict[str, Any],
    shape: type[T],
    *,
    rename: Mapping[str, str] = {},
    hints: Mapping[str, str] = {},
    fallback: str | None = None,
) -> tuple[T | None, Errors]:
    """``data`` (form text, converted as msgspec does for text: ``"2001"`` is an int) as
    ``shape``; else ``None`` and every refused field at once, keyed by form field name (see
    ``field_name``). A refused value gets ``hints[name]`` (else ``fallback``, else a generic
    message); a missing required one gets "Required".

    msgspec stops at the first error, so the refused value is cut out of a copy of ``data`` and
    the conversion retried, until it passes or nothing more can be cut."""
    errors: Errors = {}

    def refuse(path: str, missing: bool) -> None:
        name = field_name(path, rename)
        # the first message for a field is the one about what was typed; later ones follow from it
        errors.setdefault(name, _("Required") if missing else hints.get(name) or fallback or _("Check this value."))

    if isinstance(shape, type) and issubclass(shape, msgspec.Struct):
        # msgspec names one missing field at a time, and only after every value given passed
        for info in msgspec.structs.fields(shape):
            if info.required and info.encode_name not in data:
                refuse(info.encode_name, missing=True)
    work = copy.deepcopy(data)
    cut: set[str] = set()
    while True:  # ends: each retry follows a cut, and every cut removes a key from ``work``
        try:
            converted = msgspec.convert(work, shape, strict=False)
        except msgspec.ValidationError as exc:
            path, missing = _refused(str(exc))
            refuse(path, missing and path not in cut)
            steps = _steps(path)
            # a list item or dict value cannot be cut without renumbering the rest: cut its list;
            # a value we cut that is now missing: cut what holds it
            while steps and (steps[-1].startswith("[") or _join(steps) in cut):
                steps.pop()
            if not steps or not _drop(work, steps):
                return None, errors
            cut.add(_join(steps))
        else:
            return (None if errors else converted), errors


# -- the domain's refusals --------------------------------------------------------------------------


def domain_errors(
    exc: DomainError,
    *,
    rename: Mapping[str, str] = {},
    messages: Mapping[str, str] = {},
    default_field: str = FORM,
    summary: bool = False,
) -> Errors:
    """A use case's refusal as messages next to form fields.

    Field errors are keyed by form field name (see ``field_name``) and worded by ``messages``
    (keyed by the domain's message) when it knows the message, else the translated domain
    message. The refusal's detail goes under ``default_field`` when no field is named, or always
    with ``summary`` (for forms that show it above their fields); a Conflict adds what is allowed
    now, so the person knows what to do instead."""
    errors: Errors = {}
    for item in exc.errors:
        errors.setdefault(field_name(item.field, rename, default_field), messages.get(item.message) or _(item.message))
    if errors and not summary:
        return errors
    detail = messages.get(exc.detail) or _(exc.detail)
    if isinstance(exc, Conflict) and exc.allowed:
        detail += " " + _("Allowed now: %(allowed)s") % {"allowed": ", ".join(exc.allowed)}
    errors.setdefault(default_field, detail)
    return errors
