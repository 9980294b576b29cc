"""Words for codes, in the request's language: the one vocabulary every room's pages and templates
use to name categories, populations, provinces, weekdays and the workflow codes."""

from __future__ import annotations

from functools import cache
from typing import Any

from service import places
from service.auth.models import Role
from service.directory import taxonomy
from service.directory.models import OrganizationKind
from service.web.i18n import current
from service.web.i18n import gettext as _

WEEKDAYS = {
    "vi": ["", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"],
    "en": ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def directory_labels() -> dict[str, Any]:
    """Names of the directory's codes in the page's language: categories, populations, provinces,
    weekdays."""
    return _directory_labels(current.get())


@cache
def _directory_labels(locale: str) -> dict[str, Any]:
    # built once per language: the search page asks for them on every keystroke (read-only)
    english = locale == "en"
    return {
        "category": {t.code: t.name_en if english else t.name_vi for t in taxonomy.terms()},
        "population": {str(code): names[1 if english else 0] for code, names in taxonomy.POPULATION_LABELS.items()},
        "province": {p.code: p.name for p in places.provinces()}
        | {"national": "Toàn quốc" if not english else "National"},
        "weekday": WEEKDAYS["en" if english else "vi"],
    }


def role_labels() -> dict[str, str]:
    return {
        Role.PARTNER.value: _("Partner organization"),
        Role.CASEWORKER.value: _("Caseworker"),
        Role.COORDINATOR.value: _("Coordinator"),
        Role.ADMIN.value: _("Administrator"),
    }


def organization_kind_labels() -> dict[str, str]:
    return {
        OrganizationKind.GOVERNMENT.value: _("Government agency"),
        OrganizationKind.MASS_ORGANIZATION.value: _("Mass organization (e.g. Women's Union)"),
        OrganizationKind.NGO.value: _("Non-governmental organization"),
        OrganizationKind.INTERNATIONAL.value: _("International organization"),
        OrganizationKind.SOCIAL_WORK_CENTRE.value: _("Social work centre"),
        OrganizationKind.LEGAL_AID_CENTRE.value: _("Legal aid centre"),
        OrganizationKind.HEALTH_FACILITY.value: _("Health facility"),
        OrganizationKind.VOCATIONAL_SCHOOL.value: _("Vocational school"),
        OrganizationKind.COMMUNITY_GROUP.value: _("Community group"),
    }
