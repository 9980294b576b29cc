"""The pages' own `_()` and `ngettext()` (made cheap for the search page) write exactly what Jinja's
new-style gettext writes: every catalog message in both languages, escaping, plurals, `%%`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment

from service.web import i18n
from service.web.templates import TEMPLATES, environment


def reference() -> Environment:
    """Jinja's own new-style callables over the same catalogs, as the pages used before."""
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def messages() -> list[str]:
    source = TEMPLATES.parent / "service" / "locale" / "vi" / "LC_MESSAGES" / "messages.po"
    with source.open("rb") as handle:
        return [m.id for m in read_po(handle, locale="vi") if m.id and isinstance(m.id, str)]


@pytest.fixture(params=i18n.LOCALES)
def locale(request: pytest.FixtureRequest) -> Iterator[str]:
    token = i18n.current.set(request.param)
    yield request.param
    i18n.current.reset(token)


def test_every_message_renders_as_jinjas_gettext_would(locale: str) -> None:
    ours, theirs = environment(), reference()
    found = messages()
    assert len(found) > 50
    for message in found:
        if "%(" in message:  # needs its variables; covered below
            continue
        template = "{{ _(m) }}|{{ gettext(m) }}"
        assert ours.from_string(template).render(m=message) == theirs.from_string(template).render(m=message)


@pytest.mark.parametrize(
    "template",
    [
        '{{ _("%(num)d beds free", num=n) }}',
        '{{ _("%(km)s km away", km=text) }}',
        '{{ ngettext("%(num)d service found", "%(num)d services found", n) }}',
        '{{ ngettext("%(num)d service found", "%(num)d services found", 1) }}',
        '{{ _("100%% free") }}',
    ],
)
def test_variables_are_formatted_alike(locale: str, template: str) -> None:
    context = {"n": 3, "text": "12,5"}
    ours = environment().from_string(template).render(**context)
    assert ours == reference().from_string(template).render(**context)


def test_a_variable_is_escaped(locale: str) -> None:
    shown = environment().from_string('{{ _("%(km)s km away", km=text) }}').render(text='<script>"x"</script> & 5%')
    assert "<script>" not in shown
    assert "&lt;script&gt;&#34;x&#34;&lt;/script&gt; &amp; 5%" in shown
