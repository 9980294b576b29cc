"""Why a service matched, in the page's language: the matcher's reasons (``rules.match``) are
coded phrases for the API ("category: shelter", "eligibility: for returnee_migrant, woman"); the
case pages say them as sentences, the codes named through the one vocabulary (``web.words``)."""

from __future__ import annotations

from service.web.i18n import fmt_number
from service.web.i18n import gettext as _
from service.web.words import directory_labels, language_list


def _names(codes: str, table: dict[str, str]) -> str:
    return ", ".join(table.get(code.strip(), code.strip()) for code in codes.split(","))


def sentence(reason: str) -> str:
    """One reason as a sentence; a reason this page does not know is shown as it came."""
    labels = directory_labels()
    kind, _sep, value = reason.partition(": ")
    fixed = {
        "area: serves the home province": _("Serves the survivor's home province"),
        "area: national": _("Serves the whole country"),
        "eligibility: age and sex fit": _("Her or his age and sex fit the service"),
        "accepting referrals": _("Accepting referrals"),
        "not accepting referrals now": _("Not accepting referrals now"),
        "capacity: full": _("No bed free"),
        # the one staleness wording of web.words.verification_label (180 days is its 6 months)
        "freshness: not verified for 180 days": _("Not verified in the last 6 months"),
        "freshness: verified recently": _("Verified in the last 6 months"),
    }
    if reason in fixed:
        return fixed[reason]
    if kind == "category":
        return _("Offers %(category)s") % {"category": labels["category"].get(value, value)}
    if kind == "eligibility" and value.startswith("for "):
        return _("Serves %(groups)s") % {"groups": _names(value.removeprefix("for "), labels["population"])}
    if kind == "language":
        return _("Speaks %(languages)s") % {"languages": language_list([c.strip() for c in value.split(",")])}
    if kind == "capacity" and value.endswith(" beds free"):
        return _("%(num)s beds free") % {"num": value.removesuffix(" beds free")}
    if kind == "distance" and value.endswith(" km from the home province centre"):
        km = float(value.removesuffix(" km from the home province centre"))
        return _("%(km)s km from the centre of the home province") % {"km": fmt_number(km)}
    if kind == "distance" and " km from the centre of former " in value:
        km_text, _sep, province = value.partition(" km from the centre of former ")
        return _("%(km)s km from the centre of former %(province)s") % {
            "km": fmt_number(float(km_text)),
            "province": province,
        }
    return reason
