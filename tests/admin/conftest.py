"""The administration tests' world: the import fixtures' areas and schools, the 2024-1 roster imported by the
central school's registrar (school 2153000003 has sent nothing), and users of every role and area."""
from __future__ import annotations

import pytest

from data_access import audit
from data_access.imports.files import import_areas, import_roster, import_schools
from data_access.models import School
from data_access.scope import Scope
from tests import factories as f
from tests.imports.test_imports import DATA, TERM, run

COUNTY, T1, T2 = "532822000000", "532822101000", "532822102000"
S1, S2, S3 = "2153000001", "2153000002", "2153000003"


@pytest.fixture
def world(session_factory, server):  # noqa: ANN001, ANN201
    """Areas, schools, users; the roster of 2024-1 imported by `registrar1` (schools 1 and 2 of the file)."""
    assert run(session_factory, import_areas, DATA / "areas.csv").ok
    assert run(session_factory, import_schools, DATA / "schools.csv").ok
    with session_factory() as s, s.begin():
        ids = {c: s.query(School).filter_by(code=c).one().id for c in (S1, S2, S3)}
        users = {}
        for name, role, area, school in (
                ("admin", "admin", None, None), ("county_admin", "admin", COUNTY, None),
                ("town_admin", "admin", T2, None), ("leader", "county_leader", COUNTY, None),
                ("leader2", "county_leader", T2, None), ("officer1", "township_officer", T1, None),
                ("officer2", "township_officer", T2, None), ("inspector", "inspector", COUNTY, None),
                ("registrar1", "school_staff", T1, ids[S1]), ("registrar2", "school_staff", T2, ids[S2])):
            users[name] = f.user.create(s, username=name, display_name=f"测试{name}", role=role, area_code=area,
                                        school_id=school).id
    with audit.acting_as(users["admin"], "admin"):
        assert run(session_factory, lambda s, *a: import_roster(s, *a, scope=Scope("admin", unrestricted=True)),
                   DATA / "roster.csv", TERM).ok
    return {"users": users, "schools": ids}
