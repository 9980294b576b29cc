"""The Jinja2 environment: autoescaped, translated with gettext, dates and numbers through Babel."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from service.idempotency import form_key
from service.web import hotlines, i18n, words

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"


# The same as jinja2.ext's new-style gettext callables (translations are markup, always %-formatted),
# without its two extra dispatches through Context.call for every `_()`: pages call it dozens of times.
@pass_context
def _gettext(context: Context, message: str, /, **variables: Any) -> str:
    if not variables:
        return _fixed_text(i18n.current.get(), message, context.eval_ctx.autoescape)
    return _formatted(i18n.gettext(message), context.eval_ctx.autoescape, variables)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    # the count written as the page's language writes numbers (1.234 ca), whether the message
    # says %(num)d or %(num)s
    variables.setdefault("num", i18n.fmt_number(num))
    text = i18n.ngettext(singular, plural, num).replace("%(num)d", "%(num)s")
    return _formatted(text, context.eval_ctx.autoescape, variables)


@lru_cache(maxsize=4096)
def _fixed_text(locale: str, message: str, autoescape: bool) -> str:
    """A translation without variables is the same every time in a language: made once (bounded, in
    case a template ever passes text that is not a literal)."""
    return _formatted(i18n.translations(locale).gettext(message), autoescape, {})


def _formatted(text: str, autoescape: bool, variables: dict[str, Any]) -> str:
    # As jinja2.ext does: the catalogs are ours and trusted as markup; the variables are escaped by %.
    return (Markup(text) if autoescape else text) % variables  # noqa: S704


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # installed for {% trans %} (compiled new-style), then the hot callables replaced by the direct ones
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
    env.filters.update(date=i18n.fmt_date, datetime=i18n.fmt_datetime, number=i18n.fmt_number)
    # codes the records hold, named in the page's language: {{ case.returned_from | country }}
    env.filters.update(country=words.country_name, languages=words.language_list)
    env.globals.update(country_names=words.country_names, language_names=words.language_names)
    env.globals.update(verification_label=words.verification_label)  # one wording of staleness everywhere
    env.globals.update(locale=lambda: i18n.current.get(), locales=i18n.LOCALES, form_key=form_key)
    env.globals.update(hotlines=hotlines.HOTLINES)  # the emergency bar of the public's pages (base.html)
    return env


def template_config() -> TemplateConfig[Any]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))
