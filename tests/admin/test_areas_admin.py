"""Areas and schools administration (issue 15.3) below the pages: an areas file that renames, moves or retires
codes is refused until confirmed (CLI --confirm-renames); retired codes keep their history; a school closed or
merged from a term drops out of that term's expectations only; a school moved from a term keeps its earlier
terms with the old township; a township admin edits only their township; every change is audit-logged."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_access import audit
from data_access.admin.areas import (AreasInvalid, AreasRefused, area_tree, close_school, move_school,
                                     preview_areas, rename_area, rename_school, reopen_school, tops)
from data_access.admin.data_status import loaded_terms, school_status
from data_access.imports.files import import_areas, import_roster
from data_access.models import Area, AuditLog, RosterAggregate, School, SchoolMove
from data_access.scope import Scope
from tests.admin.conftest import COUNTY, S1, S2, S3, T1, T2
from tests.imports.test_imports import DATA, TERM, run

ALL = Scope("admin", unrestricted=True)
TOWN2 = Scope("admin", areas=((T2, "township"),))
V1, V2 = "532822101201", "532822102201"


def _areas_file(tmp_path: Path, changes: dict[str, str] | None = None, drop: tuple[str, ...] = (),
                add: tuple[tuple[str, str, str, str], ...] = ()) -> Path:
    """The fixture areas file with names changed, rows dropped and rows added."""
    with (DATA / "areas.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    out = [rows[0]] + [[r[0], (changes or {}).get(r[0], r[1]), *r[2:]] for r in rows[1:] if r[0] not in drop]
    out += [list(a) for a in add]
    path = tmp_path / "areas_new.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(out)
    return path


def test_a_rename_is_refused_until_confirmed(session_factory, world, tmp_path) -> None:  # noqa: ANN001
    path = _areas_file(tmp_path, {V1: "曼真村民委员会"})
    refused = run(session_factory, import_areas, path)
    assert not refused.ok
    assert "renames 测试村一 to this name" in refused.report() and "--confirm-renames" in refused.report()
    with session_factory() as s:
        assert s.get(Area, V1).name == "测试村一"
    done = run(session_factory, import_areas, path, confirm_renames=True)
    assert done.ok
    with session_factory() as s:
        assert s.get(Area, V1).name == "曼真村民委员会"
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "import", AuditLog.entity == "areas")
                          .order_by(AuditLog.id.desc())).first()
        assert "曼真村民委员会" in entry.after


def test_an_unchanged_file_needs_no_confirmation(session_factory, world) -> None:  # noqa: ANN001
    assert run(session_factory, import_areas, DATA / "areas.csv").ok


def test_a_code_gone_from_the_release_is_retired_not_deleted(session_factory, world, tmp_path) -> None:  # noqa: ANN001
    # the release no longer lists 测试村二 under 打洛镇; a new village 测试村三 appears there instead
    path = _areas_file(tmp_path, drop=(V2,), add=(("532822102202", "测试村三", "村", T2),))
    refused = run(session_factory, import_areas, path)
    assert not refused.ok and f"{V2} 测试村二 is no longer listed under this area" in refused.report()
    assert run(session_factory, import_areas, path, confirm_renames=True).ok
    with session_factory() as s:
        old = s.get(Area, V2)
        assert old is not None and old.retired and old.retired_at is not None
        assert not s.get(Area, "532822102202").retired
        # its history stays: the roster line whose household is there still counts toward it
        assert s.scalar(select(func.sum(RosterAggregate.students)).where(RosterAggregate.area_code == V2)) == 1
    # listed again in a later file: restored
    assert run(session_factory, import_areas, DATA / "areas.csv", confirm_renames=True).ok
    with session_factory() as s:
        assert not s.get(Area, V2).retired


def test_a_village_moved_to_another_township_is_reported(session_factory, world, tmp_path) -> None:  # noqa: ANN001
    path = _areas_file(tmp_path, drop=(V2,), add=(("532822101202", "测试村二", "村", T1),
                                                  ("532822102203", "测试村四", "村", T2)))
    report = run(session_factory, import_areas, path).report()
    assert f"moves 测试村二 from {V2} to this code" in report


def test_the_preview_lists_changes_and_writes_nothing(session_factory, world, tmp_path) -> None:  # noqa: ANN001
    path = _areas_file(tmp_path, {T1: "勐海镇（新）"})
    with session_factory() as s:
        preview = preview_areas(s, "admin", ALL, path, "areas_new.csv")
    assert preview.ok and [(r.code, r.old, r.new) for r in preview.changes.renamed] == [(T1, "勐海镇", "勐海镇（新）")]
    with session_factory() as s:
        assert s.get(Area, T1).name == "勐海镇"
        # a township admin's preview refuses the rows outside their township
        assert not preview_areas(s, "admin", TOWN2, path, "areas_new.csv").ok
        with pytest.raises(AreasRefused):
            preview_areas(s, "county_leader", ALL, path, "areas_new.csv")


def test_closed_school_leaves_the_expectations_of_its_term_on(session_factory, world) -> None:  # noqa: ANN001
    sid = world["schools"][S3]
    with session_factory() as s, s.begin():
        close_school(s, "admin", ALL, sid, "2024-2")
    with session_factory() as s:
        assert S3 in {r.school_code for r in school_status(s, ALL, TERM)}           # earlier term: still expected
        assert S3 not in {r.school_code for r in school_status(s, ALL, "2024-2")}   # from its term: not
        assert {t.code: t.schools_total for t in loaded_terms(s, ALL)}[TERM] == 3
    with session_factory() as s, s.begin():
        reopen_school(s, "admin", ALL, sid)
        close_school(s, "admin", ALL, sid, "2024-2", merged_into=world["schools"][S2])
    with session_factory() as s:
        school = s.get(School, sid)
        assert school.closed_from == "2024-2" and school.merged_into_id == world["schools"][S2]
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity == "school", AuditLog.entity_key == str(sid))
                            ).all()
        assert {"close", "reopen", "merge"} <= set(actions)


def test_closing_refuses_a_term_with_roster_and_bad_merges(session_factory, world) -> None:  # noqa: ANN001
    s1, s2 = world["schools"][S1], world["schools"][S2]
    with session_factory() as s:
        with pytest.raises(AreasInvalid) as exc:
            close_school(s, "admin", ALL, s1, TERM)
        assert exc.value.code == "has_roster"
        with pytest.raises(AreasInvalid):
            close_school(s, "admin", ALL, s1, "2024-2", merged_into=s1)
        with pytest.raises(AreasInvalid):
            close_school(s, "admin", ALL, s1, "2024-9")
    del s2


def test_a_moved_school_keeps_its_earlier_terms_with_the_old_township(session_factory, world) -> None:  # noqa: ANN001
    with audit.acting_as(world["users"]["admin"], "admin"):
        assert run(session_factory, lambda s, *a: import_roster(s, *a, scope=ALL), DATA / "roster.csv", "2024-2").ok
    sid = world["schools"][S1]
    with session_factory() as s, s.begin():
        move_school(s, "admin", ALL, sid, T2, "2024-2")

    def no_household(term: str) -> dict[str, int]:   # S1's two pupils without a household code count by school
        with session_factory() as s:
            return dict(s.execute(select(RosterAggregate.area_code, func.sum(RosterAggregate.students)).where(
                RosterAggregate.term_code == term, RosterAggregate.school_id == sid,
                RosterAggregate.area_code.in_([T1, T2])).group_by(RosterAggregate.area_code)).all())
    assert no_household(TERM) == {T1: 2}
    assert no_household("2024-2") == {T2: 2}
    with session_factory() as s:
        assert s.get(School, sid).township_code == T2
        assert s.scalar(select(func.count()).select_from(SchoolMove)) == 1
        tree = area_tree(s, "admin", ALL, COUNTY)
        moved = next(sc for t in tree.townships for sc in t.schools if sc.id == sid)
        assert moved.moves == ("2024-2: 勐海镇 → 打洛镇",)
        with pytest.raises(AreasInvalid):      # a second move must come later than the first
            move_school(s, "admin", ALL, sid, T1, "2024-1")


def test_a_township_admin_edits_only_their_township(session_factory, world) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        assert tops(s, "admin", TOWN2) == [(T2, "打洛镇")]
        tree = area_tree(s, "admin", TOWN2, T2)
        assert [t.code for t in tree.townships] == [T2] and not tree.editable_top
        assert rename_area(s, "admin", TOWN2, V2, "测试村二（新）")
        for call in (lambda: rename_area(s, "admin", TOWN2, V1, "x"),           # another township's village
                     lambda: rename_area(s, "admin", TOWN2, T2, "x"),           # their own township
                     lambda: rename_area(s, "admin", TOWN2, COUNTY, "x"),
                     lambda: area_tree(s, "admin", TOWN2, COUNTY),
                     lambda: rename_school(s, "admin", TOWN2, world["schools"][S1], "x"),
                     lambda: move_school(s, "admin", TOWN2, world["schools"][S2], T1, "2024-2"),
                     lambda: close_school(s, "admin", TOWN2, world["schools"][S2], "2024-2",
                                          merged_into=world["schools"][S1]),
                     lambda: rename_area(s, "county_leader", ALL, V1, "x")):
            with pytest.raises(AreasRefused):
                call()
        with pytest.raises(AreasInvalid):
            rename_area(s, "admin", TOWN2, V2, " ")
    with session_factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "rename", AuditLog.entity == "area")).one()
        assert entry.entity_key == V2 and entry.area_code == V2 and "测试村二" in entry.before


def test_a_township_admins_file_retires_nothing_elsewhere(session_factory, world, tmp_path) -> None:  # noqa: ANN001
    # the county, their township and its village: the county's other township is not "gone"
    path = _areas_file(tmp_path, drop=("530000000000", "532800000000", T1, V1))
    with session_factory() as s:
        preview = preview_areas(s, "admin", TOWN2, path, "areas_new.csv")
    assert preview.ok and preview.changes.retired == ()
