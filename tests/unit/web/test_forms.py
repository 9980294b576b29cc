"""The one way the pages read forms: every refusal at once, each next to its form field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import msgspec
import pytest

from service.errors import Conflict, FieldError, ValidationFailed
from service.web.forms import convert, domain_errors, field_name, text, text_fields
from service.web.i18n import current


class Contact(msgspec.Struct):
    value: Annotated[str, msgspec.Meta(min_length=3)]
    kind: str = "phone"


class Person(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=5)]
    code: str
    year: Annotated[int, msgspec.Meta(ge=1900)] = 2000
    languages: list[Annotated[str, msgspec.Meta(max_length=2)]] = []
    contacts: list[Contact] = []


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    token = current.set("en")
    yield
    current.reset(token)


def test_text_is_trimmed_and_the_csrf_token_is_not_data() -> None:
    form = {"name": "  Lan ", "_csrf_token": "x", "empty": ""}
    assert text(form, "name") == "Lan" and text(form, "absent") == ""
    assert text_fields(form) == {"name": "Lan", "empty": ""}
    assert text_fields(form, exclude=("empty", "_csrf_token")) == {"name": "Lan"}


def test_form_text_converts_as_msgspec_does_for_text() -> None:
    person, errors = convert({"name": "Lan", "code": "a", "year": "2001"}, Person)
    assert errors == {} and person == Person(name="Lan", code="a", year=2001)


def test_every_refused_field_is_reported_at_once() -> None:
    data = {"name": "far too long", "year": "1800", "languages": ["vi", "khm"]}
    person, errors = convert(data, Person)
    assert person is None
    assert errors == {
        "name": "Check this value.",
        "year": "Check this value.",
        "languages": "Check this value.",
        "code": "Required",
    }
    assert data == {"name": "far too long", "year": "1800", "languages": ["vi", "khm"]}  # input untouched


def test_rename_places_nested_errors_on_form_fields_and_hints_word_them() -> None:
    data = {"name": "", "code": "a", "contacts": [{"value": "ok!"}, {"value": "1", "kind": 3}]}
    rename = {"name": "full_name", "contacts[1]": "contact_value_4", "contacts[1].kind": "contact_kind_4"}
    person, errors = convert(data, Person, rename=rename, hints={"full_name": "1 to 5 characters"}, fallback="Fix it")
    assert person is None
    assert errors == {"full_name": "1 to 5 characters", "contact_value_4": "Fix it", "contact_kind_4": "Fix it"}


def test_field_name_takes_the_nearest_named_path() -> None:
    rename = {"contacts[0]": "contact_value_2", "contacts[0].kind": "contact_kind_2", "indicators": "_form"}
    assert field_name("$.contacts[0].kind", rename) == "contact_kind_2"
    assert field_name("contacts[0].languages[1]", rename) == "contact_value_2"
    assert field_name("indicators[...]", rename) == "_form"
    assert field_name("birth_year", rename) == "birth_year"
    assert field_name("contact_preference.channel", {}) == "contact_preference"
    assert field_name("", rename, "form") == "form"


def test_domain_errors_are_renamed_and_worded() -> None:
    exc = ValidationFailed(
        "Unknown organization",
        errors=[FieldError("parent", "no such organization"), FieldError("name", "too similar")],
    )
    errors = domain_errors(exc, rename={"parent": "parent_id"}, messages={"no such organization": "Choose another."})
    assert errors == {"parent_id": "Choose another.", "name": "too similar"}
    assert domain_errors(exc, summary=True)["_form"] == "Unknown organization"


def test_a_refusal_without_fields_goes_to_the_default_field() -> None:
    exc = Conflict("A user with this email already exists")
    assert domain_errors(exc, default_field="email") == {"email": "A user with this email already exists"}
    assert domain_errors(exc, messages={exc.detail: "Taken."}, default_field="email") == {"email": "Taken."}


def test_a_conflict_says_what_is_allowed_now() -> None:
    exc = Conflict("A plan that is active cannot be 'approve'", allowed=["review", "close"])
    assert domain_errors(exc) == {"_form": "A plan that is active cannot be 'approve' Allowed now: review, close"}
