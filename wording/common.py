"""Labels every page shares: the users' roles and the levels of the area hierarchy."""
from __future__ import annotations

from wording.i18n import N_

ROLE_LABELS = {
    "county_leader": N_("County leader"), "inspector": N_("Inspector"), "township_officer": N_("Township officer"),
    "school_staff": N_("School staff"), "admin": N_("Administrator"),
}
LEVEL_LABELS = {"province": N_("Province"), "prefecture": N_("Prefecture"), "county": N_("County"),
                "township": N_("Township"), "village": N_("Village"), "school": N_("School")}
