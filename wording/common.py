"""Labels every page shares: the users' roles and the levels of the area hierarchy."""
from __future__ import annotations

from flask_babel import gettext as _

from wording.i18n import N_

ROLE_LABELS = {
    "county_leader": N_("County leader"), "inspector": N_("Inspector"), "township_officer": N_("Township officer"),
    "school_staff": N_("School staff"), "admin": N_("Administrator"),
}
LEVEL_LABELS = {"province": N_("Province"), "prefecture": N_("Prefecture"), "county": N_("County"),
                "township": N_("Township"), "village": N_("Village"), "school": N_("School")}


def red_head_text(settings: object | None) -> str:
    """The 发文机关标志 of a red-headed document (勐海县人民政府教育督导室文件), empty when the issuer uses none."""
    if settings is None or not getattr(settings, "red_header", False):
        return ""
    return _("%(issuer)s Document", issuer=settings.issuer)
