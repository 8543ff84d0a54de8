"""Labels every page shares: the users' roles and the levels of the area hierarchy."""
from __future__ import annotations

from flask_babel import gettext as _

from wording.i18n import N_

ROLE_LABELS = {
    "county_leader": N_("County leader"), "inspector": N_("Inspector"), "township_officer": N_("Township officer"),
    "school_staff": N_("School staff"), "admin": N_("Administrator"),
}
# a leader of a higher area is a county_leader user scoped to it (domain.md §1): named by the area's level
LEADER_LABELS = {"province": N_("Province leader"), "prefecture": N_("Prefecture leader")}
LEVEL_LABELS = {"province": N_("Province"), "prefecture": N_("Prefecture"), "county": N_("County"),
                "township": N_("Township"), "village": N_("Village"), "school": N_("School")}


def role_label(role: str, area_level: str | None = None) -> str:
    """What a user is, in the user's language: the role's name, a leader's by the level of their area (县级领导 of a
    county, 省级领导 of a province)."""
    if role == "county_leader" and area_level in LEADER_LABELS:
        return _(LEADER_LABELS[area_level])
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def red_head_text(settings: object | None) -> str:
    """The 发文机关标志 of a red-headed document (勐海县人民政府教育督导室文件), empty when the issuer uses none."""
    if settings is None or not getattr(settings, "red_header", False):
        return ""
    return _("%(issuer)s Document", issuer=settings.issuer)
