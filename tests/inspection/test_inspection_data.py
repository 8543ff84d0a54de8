"""Visits in the database: permissions, the version check, findings from each method, sign-off and
reopen, false data in the tiers, evidence files, coverage and zones (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from data_access.inspection import records as rec
from data_access.inspection import sections as sec
from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.analytics.report import load_report
from data_access.inspection.access import InvalidInput, VisitConflict, VisitLocked, VisitRefused, visit_access
from data_access.inspection.visits import create_visit, reopen_visit, sign_visit
from data_access.inspection.evidence import EvidenceRefused, check_file, locate, store
from data_access.inspection.lists import coverage, list_visits
from data_access.inspection.view import load_calls, load_classes, load_findings, visit_history
from data_access.admin.zones import add_zone, delete_zone, save_zone, zones_of_county
from data_access.models import AuditLog, User
from data_access.models import Finding, HeadCount, InspectionVisit, PhoneCall, RosterRecord, Student
from data_access.analytics.unit_counts import refresh_terms
from wording.inspection import student_choice
from tests.inspection.test_inspection_fixtures import GAPS, DAY, TERM, actor, edit, new_visit, world  # noqa: F401


def _findings(s, visit_id: int) -> list[tuple[str, str, str | None, int | None]]:  # noqa: ANN001
    return sorted((f.method, f.kind, f.false_data_type, f.count) for f in s.scalars(
        select(Finding).where(Finding.visit_id == visit_id)))


def test_create_prefills_head_counts_from_roster(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    with session_factory() as s:
        rows = sorted((h.grade, h.class_name, h.roster_count, h.counted_present)
                      for h in s.scalars(select(HeadCount).where(HeadCount.visit_id == vid)))
        assert rows == [(1, "1班", 5, None), (2, "1班", 4, None)]  # 休学 and 辍学 are not expected in class
        v = s.get(InspectionVisit, vid)
        assert (v.status, v.version, v.term_code, v.township_code) == ("draft", 1, TERM, world.t2)
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "inspection_visit", AuditLog.action == "create")) == 1


@pytest.mark.parametrize("who,township,allowed", [
    ("insp2", "t2", True), ("lead2", "t3", True), ("admin", "t1", True),
    ("insp1", "t2", False), ("lead1", "t3", False), ("loner", "t1", False), ("leader", "t2", False),
    ("officer2", "t2", False), ("staff2a", "t2", False),
])
def test_who_may_create_where(session_factory, world, who, township, allowed) -> None:  # noqa: ANN001, F811
    code = getattr(world, township)
    school = {"t1": world.s1, "t2": world.s2a, "t3": world.s3}[township]
    with session_factory() as s, s.begin():
        if allowed:
            assert create_visit(s, actor(s, world, who), TERM, code, [school], DAY.isoformat()).id
        else:
            with pytest.raises(VisitRefused):
                create_visit(s, actor(s, world, who), TERM, code, [school], DAY.isoformat())


def test_create_refuses_foreign_school_and_bad_date(session_factory, world) -> None:  # noqa: ANN001, F811
    with session_factory() as s, s.begin():
        a = actor(s, world, "insp2")
        with pytest.raises(InvalidInput, match="school_not_in_township"):
            create_visit(s, a, TERM, world.t2, [world.s1], DAY.isoformat())
        with pytest.raises(InvalidInput, match="date_outside_term"):
            create_visit(s, a, TERM, world.t2, [world.s2a], "2025-06-01")
        with pytest.raises(InvalidInput, match="member_not_on_team"):
            create_visit(s, a, TERM, world.t2, [world.s2a], DAY.isoformat(), [world.users["insp1"]])


# (user, read, edit, sign, school part only)
ACCESS = [("lead2", True, True, True, False), ("insp2", True, True, False, False), ("admin", True, True, False, False),
          ("leader", True, False, False, False), ("officer2", True, False, False, False),
          ("staff2a", True, False, False, True), ("staff2b", False, False, False, False),
          ("lead1", False, False, False, False), ("insp1", False, False, False, False),
          ("officer1", False, False, False, False), ("loner", False, False, False, False)]


@pytest.mark.parametrize("who,read,can_edit,sign,school_only", ACCESS)
def test_visit_access_by_user(session_factory, world, who, read, can_edit, sign, school_only) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    with session_factory() as s:
        access = visit_access(s, actor(s, world, who), vid)
        assert (access.can_read, access.can_edit, access.can_sign) == (read, can_edit, sign)
        assert not read or (access.only_school_id is not None) == school_only
        assert access.can_reveal == can_edit


def test_version_conflict_is_refused_with_who_and_when(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    with session_factory() as s:
        hc = s.scalars(select(HeadCount.id).where(HeadCount.visit_id == vid).order_by(HeadCount.grade)).all()
    with session_factory() as s, s.begin():
        assert sec.save_present(s, actor(s, world, "insp2"), vid, edit(1, "tab-a"), hc[0], 4)
    with session_factory() as s, s.begin():  # the same tab goes on saving with the version it loaded
        assert sec.save_present(s, actor(s, world, "insp2"), vid, edit(1, "tab-a"), hc[1], 4)
    with session_factory() as s, s.begin():  # another tab loaded version 1: refused, nothing written
        with pytest.raises(VisitConflict) as err:
            sec.save_present(s, actor(s, world, "lead2"), vid, edit(1, "tab-b"), hc[0], 2)
        assert err.value.by == "insp2" and isinstance(err.value.at, dt.datetime)
    with session_factory() as s:
        v = s.get(InspectionVisit, vid)
        assert v.version == 3 and s.get(HeadCount, hc[0]).counted_present == 4
    with session_factory() as s, s.begin():  # after a reload (version 3) tab B may save …
        assert sec.save_present(s, actor(s, world, "lead2"), vid, edit(3, "tab-b2"), hc[0], 2)
    with session_factory() as s, s.begin():  # … and now tab A is the stale one
        with pytest.raises(VisitConflict):
            sec.save_present(s, actor(s, world, "insp2"), vid, edit(1, "tab-a"), hc[1], 3)
    with session_factory() as s, s.begin():  # an unchanged value is not a change: no version taken
        assert not sec.save_present(s, actor(s, world, "lead2"), vid, edit(4, "tab-b2"), hc[0], 2)
        assert s.get(InspectionVisit, vid).version == 4


def test_findings_from_each_method(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    with session_factory() as s:
        item = s.scalar(select(InspectionVisit.template_id).where(InspectionVisit.id == vid))
        from data_access.models import ChecklistItem
        items = s.scalars(select(ChecklistItem.id).where(ChecklistItem.template_id == item)
                          .order_by(ChecklistItem.position)).all()
        hc1, hc2 = s.scalars(select(HeadCount.id).where(HeadCount.visit_id == vid).order_by(HeadCount.grade)).all()
    e = edit()
    with session_factory() as s, s.begin():
        a = actor(s, world, "insp2")
        sec.save_item(s, a, vid, e, items[0], "fail", "无方案")  # file review: a failed item
        sec.save_item(s, a, vid, e, items[1], "pass", "")
        sec.save_present(s, a, vid, e, hc1, 3)  # grade 1: 5 on the roster, 3 present …
        sec.add_absence(s, a, vid, e, hc1, world.roster["甲一"], "不明")  # … one unexplained, one nobody explains
        sec.save_present(s, a, vid, e, hc2, 3)  # grade 2: 4 on the roster, 3 present, one dropped out
        sec.add_absence(s, a, vid, e, hc2, world.roster["乙一"], "辍学")
        assert _findings(s, vid) == [("file_review", "work_gap", None, None),
                                     ("head_count", "absence", None, None),
                                     ("head_count", "false_data", "ghost_enrolment", 1),
                                     ("head_count", "suspected_dropout", None, None)]
        rec.draw_calls(s, a, vid, e, 9, seed=7)
        calls = {c.roster_record_id: c.id for c in s.scalars(select(PhoneCall).where(PhoneCall.visit_id == vid))}
        rec.save_call(s, a, vid, e, calls[world.roster["甲三"]], "not_attending", "在外务工")
        rec.save_call(s, a, vid, e, calls[world.roster["甲四"]], "attending", "")
        assert ("phone_check", "suspected_dropout", None, None) in _findings(s, vid)
        fid = rec.add_finding(s, a, vid, e, "false_data", "concealed_dropout", "high", world.s2a, "台账未登记辍学")
        assert ("manual", "false_data", "concealed_dropout", None) in _findings(s, vid)
        generated = s.scalar(select(Finding.id).where(Finding.visit_id == vid, Finding.kind == "work_gap"))
        with pytest.raises(InvalidInput):
            rec.remove_finding(s, a, vid, e, generated)
        rec.set_finding_severity(s, a, vid, e, generated, "high")
        sec.save_item(s, a, vid, e, items[0], "fail", "方案未成文")  # its note changes; severity kept
        assert s.get(Finding, generated).severity == "high" and s.get(Finding, generated).description == "方案未成文"
        # correcting the records takes the generated findings away again
        sec.save_item(s, a, vid, e, items[0], "pass", "")
        sec.set_absence_reason(s, a, vid, e, _absence_id(s, hc1), "病假")
        sec.save_present(s, a, vid, e, hc1, 4)
        rec.save_call(s, a, vid, e, calls[world.roster["甲三"]], "attending", "")
        assert _findings(s, vid) == [("head_count", "suspected_dropout", None, None),
                                     ("manual", "false_data", "concealed_dropout", None)]
        assert rec.remove_finding(s, a, vid, e, fid)


def _absence_id(s, hc: int) -> int:  # noqa: ANN001
    from data_access.models import HeadCountAbsence
    return s.scalar(select(HeadCountAbsence.id).where(HeadCountAbsence.head_count_id == hc))


def test_absences_come_from_the_class_roster(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    with session_factory() as s, s.begin():
        a = actor(s, world, "insp2")
        hc1 = s.scalar(select(HeadCount.id).where(HeadCount.visit_id == vid, HeadCount.grade == 1))
        with pytest.raises(InvalidInput, match="student_not_in_class"):  # a grade-2 student
            sec.add_absence(s, a, vid, edit(), hc1, world.roster["乙一"], "病假")
        with pytest.raises(InvalidInput, match="student_not_in_class"):  # suspended: not expected in class
            sec.add_absence(s, a, vid, edit(), hc1, world.roster["休学生"], "病假")
        with pytest.raises(InvalidInput):
            sec.add_absence(s, a, vid, edit(), hc1, world.roster["甲一"], "旷课")


def test_phone_sample_is_stored_reproducible_and_masked(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world, schools=[world.s2a, world.s2b])
    with session_factory() as s, s.begin():
        a = actor(s, world, "insp2")
        assert rec.draw_calls(s, a, vid, edit(), 5, seed=123) == 5
        first = [c.roster_record_id for c in s.scalars(select(PhoneCall).where(PhoneCall.visit_id == vid)
                                                      .order_by(PhoneCall.position))]
        assert s.get(InspectionVisit, vid).phone_seed == 123
        rec.draw_calls(s, a, vid, edit(), 5)  # a new seed …
        seed = s.get(InspectionVisit, vid).phone_seed
        rec.draw_calls(s, a, vid, edit(), 5, seed=123)  # … and the stored one again: the same calls
        assert [c.roster_record_id for c in s.scalars(select(PhoneCall).where(PhoneCall.visit_id == vid)
                                                     .order_by(PhoneCall.position))] == first
        assert seed is not None
        grades = {c.grade for c in load_calls(s, visit_access(s, a, vid))}
        assert grades == {1, 2, 3}  # spread over every grade of both schools
        calls = load_calls(s, visit_access(s, a, vid))
        assert calls[0].poverty or calls[0].left_behind  # special groups first
        assert all("****" in c.phone_masked if c.has_phone else c.phone_masked == "—" for c in calls)
        rec.save_call(s, a, vid, edit(), calls[0].id, "unreachable", "")
        with pytest.raises(InvalidInput, match="calls_made"):
            rec.draw_calls(s, a, vid, edit(), 5)
    with session_factory() as s, s.begin():
        officer = actor(s, world, "officer2")
        with pytest.raises(VisitRefused):
            rec.reveal_phone(s, officer, vid, calls[0].id)
        phone = rec.reveal_phone(s, actor(s, world, "insp2"), vid, calls[0].id)
        assert phone and phone.startswith("1380000")
    with session_factory() as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.action == "reveal_phone"))
        assert entry.actor and json.loads(entry.after)["call"] == calls[0].position


def test_sign_off_read_only_and_audited_reopen(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    with session_factory() as s, s.begin():
        with pytest.raises(VisitRefused):
            sign_visit(s, actor(s, world, "insp2"), vid, edit(), GAPS)
        sign_visit(s, actor(s, world, "lead2"), vid, edit(), GAPS)
    with session_factory() as s, s.begin():
        v = s.get(InspectionVisit, vid)
        assert v.status == "signed" and v.signed_by == world.users["lead2"] and v.signed_at
        lead2 = s.get(User, world.users["lead2"])
        assert [r.signed_by for r in list_visits(s, actor(s, world, "leader"))] == \
            [lead2.display_name or lead2.username]            # the list names who signed (one read for the page)
        hc = s.scalar(select(HeadCount.id).where(HeadCount.visit_id == vid))
        with pytest.raises(VisitLocked):
            sec.save_present(s, actor(s, world, "insp2"), vid, edit(v.version, "x"), hc, 1)
        with pytest.raises(InvalidInput, match="reason_required"):
            reopen_visit(s, actor(s, world, "lead2"), vid, " ")
        with pytest.raises(VisitRefused):
            reopen_visit(s, actor(s, world, "insp2"), vid, "补录")
        reopen_visit(s, actor(s, world, "lead2"), vid, "补录访谈")
    with session_factory() as s:
        assert s.get(InspectionVisit, vid).status == "draft"
        actions = [h.action for h in visit_history(s, vid)]
        assert actions[:3] == ["reopen", "sign", "create"]
        assert visit_history(s, vid)[0].detail == {"reason": "补录访谈"}


def test_false_data_finding_gives_tier_3_in_its_term(session_factory, world) -> None:  # noqa: ANN001, F811
    from data_access.models import Target, TargetPolicy
    with session_factory() as s, s.begin():
        # tiers are given only under a policy in force (issue 13)
        s.add(TargetPolicy(name="县目标", area_code=world.county, active=True,
                           targets=[Target(indicator="dropouts", op="==", bound=0)]))
        refresh_roster_aggregates(s, TERM)
        refresh_terms(s)
    vid = new_visit(session_factory, world)
    with session_factory() as s, s.begin():
        rec.add_finding(s, actor(s, world, "insp2"), vid, edit(), "false_data", "ghost_enrolment", "high",
                        world.s2a, "3名学生空挂学籍")
    with session_factory() as s:  # a draft's findings do not count yet
        report = load_report(s, actor(s, world, "leader").scope, world.county, "township", TERM)
        assert {u.code: u.tier.tier for u in report.units}[world.t2] < 3
    with session_factory() as s, s.begin():
        sign_visit(s, actor(s, world, "lead2"), vid, edit(), GAPS)
    with session_factory() as s:
        scope = actor(s, world, "leader").scope
        units = {u.code: u for u in load_report(s, scope, world.county, "township", TERM).units}
        assert units[world.t2].tier.tier == 3
        assert [r.count for r in units[world.t2].tier.reasons if r.kind == "false_data"] == [1]
        assert units[world.t1].tier.tier < 3
        for parent in (world.t2, world.county):   # the schools of a township, and all of the county's
            schools = {u.code: u for u in load_report(s, scope, parent, "school", TERM).units}
            assert schools["5328220002"].tier.tier == 3 and schools["5328220003"].tier.tier < 3


def test_school_staff_see_their_school_part_only(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world, schools=[world.s2a, world.s2b])
    with session_factory() as s, s.begin():
        a = actor(s, world, "insp2")
        rec.draw_calls(s, a, vid, edit(), 9, seed=3)
        rec.add_finding(s, a, vid, edit(), "other", None, "low", world.s2b, "二村小学问题")
    with session_factory() as s:
        staff = actor(s, world, "staff2a")
        access = visit_access(s, staff, vid)
        assert {c.school_id for c in load_classes(s, access)} == {world.s2a}
        assert {c.school_name for c in load_calls(s, access)} == {"二中心小学"}
        assert not [f for f in load_findings(s, access) if f.school_id == world.s2b]
        assert [v.schools for v in list_visits(s, staff)] == [("二中心小学",)]
        assert list_visits(s, actor(s, world, "staff2b"))[0].id == vid
        assert list_visits(s, actor(s, world, "insp1")) == []
        assert [v.id for v in list_visits(s, actor(s, world, "leader"), status="draft")] == [vid]


def _docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize("name,data,result", [
    ("scan.pdf", b"%PDF-1.7\n...", "pdf"),
    ("photo.JPG", b"\xff\xd8\xff\xe0rest", "jpg"),
    ("photo.jpeg", b"\xff\xd8\xff\xe0rest", "jpg"),
    ("shot.png", b"\x89PNG\r\n\x1a\nrest", "png"),
    ("letter.docx", _docx_bytes(), "docx"),
    ("evil.pdf", b"<script>alert(1)</script>", "bad_type"),
    ("photo.png", b"%PDF-1.7", "type_mismatch"),
    ("macro.docm", _docx_bytes(), "bad_type"),
    ("sheet.xlsx", _docx_bytes(), "type_mismatch"),
    ("notes.txt", b"hello", "bad_type"),
    ("empty.pdf", b"", "empty"),
    ("huge.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "too_large"),
])
def test_evidence_types_by_content(name: str, data: bytes, result: str) -> None:
    if result in ("pdf", "jpg", "png", "docx"):
        assert check_file(name, data) == result
    else:
        with pytest.raises(EvidenceRefused) as err:
            check_file(name, data)
        assert err.value.code == result


def test_evidence_stored_under_random_name(session_factory, world, tmp_path) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    with session_factory() as s, s.begin():
        row = store(s, actor(s, world, "insp2"), vid, edit(), tmp_path, "../../etc/盖章.pdf", b"%PDF-1.4 x")
        assert row.original_name == "盖章.pdf" and row.stored_name.endswith(".pdf") and "盖章" not in row.stored_name
        ev_id = row.id
    with session_factory() as s:
        found = locate(s, tmp_path, ev_id)
    assert found.visit_id == vid and found.path.read_bytes() == b"%PDF-1.4 x" and found.path.parent == tmp_path
    with session_factory() as s, s.begin():
        with pytest.raises(VisitRefused):
            store(s, actor(s, world, "officer2"), vid, edit(), tmp_path, "a.pdf", b"%PDF-1.4 x")


def test_coverage_by_zone(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    with session_factory() as s, s.begin():
        sign_visit(s, actor(s, world, "lead2"), vid, edit(), GAPS)
    with session_factory() as s:
        zones = coverage(s, actor(s, world, "leader"), TERM, dt.date(2024, 9, 22), dt.date(2024, 10, 8))
        assert [z.name for z in zones] == ["第一片区", "第二片区"]
        t2 = next(t for t in zones[1].townships if t.code == world.t2)
        assert t2.state == "done" and t2.schools_visited == ("二中心小学",) and t2.schools_pending == ("二村小学",)
        assert next(t for t in zones[1].townships if t.code == world.t3).state == "overdue"
        assert zones[0].townships[0].state == "overdue"
        mine = coverage(s, actor(s, world, "insp1"), TERM, dt.date(2024, 9, 22), dt.date(2024, 9, 10))
        assert [z.name for z in mine] == ["第一片区"] and mine[0].townships[0].state == "due"


def test_zones_admin(session_factory, world) -> None:  # noqa: ANN001, F811
    with session_factory() as s, s.begin():
        admin = actor(s, world, "admin")
        with pytest.raises(VisitRefused):
            zones_of_county(s, actor(s, world, "leader"), world.county)
        zid = add_zone(s, admin, world.county, "第三片区")
        with pytest.raises(InvalidInput, match="township_in_other_zone"):
            save_zone(s, admin, zid, "第三片区", [world.t3], "第三组", None, [])
        with pytest.raises(InvalidInput, match="user_on_other_team"):
            save_zone(s, admin, zid, "第三片区", [], "第三组", world.users["insp1"], [])
        first = zones_of_county(s, admin, world.county)[0]
        save_zone(s, admin, first.id, first.name, [], first.team_name, first.leader_id, list(first.member_ids))
        save_zone(s, admin, zid, "第三片区", [world.t1], "第三组", world.users["loner"], [])
        assert zones_of_county(s, admin, world.county)[-1].townships == (world.t1,)
    with session_factory() as s:  # the loner now leads the zone of t1 and may inspect it
        assert actor(s, world, "loner").scope.areas == ((world.t1, "township"),)
    with session_factory() as s, s.begin():
        vid = create_visit(s, actor(s, world, "loner"), TERM, world.t1, [world.s1], DAY.isoformat())
        assert vid.zone_id == zid
        with pytest.raises(InvalidInput, match="zone_has_visits"):
            delete_zone(s, actor(s, world, "admin"), zid)


def test_roster_reimport_may_remove_inspected_records(session_factory, world) -> None:  # noqa: ANN001, F811
    """An import deletes the term's records of students no longer in the file: inspections keep the student."""
    from sqlalchemy import delete

    from data_access.models import RosterRecord
    vid = new_visit(session_factory, world)
    with session_factory() as s, s.begin():
        a = actor(s, world, "insp2")
        hc1 = s.scalar(select(HeadCount.id).where(HeadCount.visit_id == vid, HeadCount.grade == 1))
        sec.save_present(s, a, vid, edit(), hc1, 4)
        sec.add_absence(s, a, vid, edit(), hc1, world.roster["甲一"], "不明")
        rec.draw_calls(s, a, vid, edit(), 9, seed=5)
        call = s.scalar(select(PhoneCall).where(PhoneCall.visit_id == vid,
                                                PhoneCall.roster_record_id == world.roster["甲一"]))
        rec.save_call(s, a, vid, edit(), call.id, "not_attending", "")
    with session_factory() as s, s.begin():  # what data_access.imports.roster does for a missing student
        s.execute(delete(RosterRecord).where(RosterRecord.id == world.roster["甲一"]))
    with session_factory() as s, s.begin():
        a = actor(s, world, "insp2")
        access = visit_access(s, a, vid)
        absent = [x for c in load_classes(s, access) for x in c.absences]
        assert [x.name for x in absent] == ["甲一"]
        called = next(c for c in load_calls(s, access) if c.student_name == "甲一")
        assert called.outcome == "not_attending" and called.phone_masked == "—"
        assert rec.reveal_phone(s, a, vid, call.id) is None
        sec.save_present(s, a, vid, edit(), hc1, 3)  # findings follow the records without the roster line
        kinds = {f.kind for f in load_findings(s, access)}
        assert {"absence", "false_data", "suspected_dropout"} <= kinds


def test_school_staff_history_shows_only_their_school(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world, schools=[world.s2a, world.s2b])
    with session_factory() as s:
        rows = s.execute(select(HeadCount.id, HeadCount.school_id).where(HeadCount.visit_id == vid)).all()
    by_school = {school: hc for hc, school in rows}
    with session_factory() as s, s.begin():
        sec.save_present(s, actor(s, world, "insp2"), vid, edit(1, "tab-a"), by_school[world.s2a], 7)
        sec.save_present(s, actor(s, world, "insp2"), vid, edit(1, "tab-a"), by_school[world.s2b], 9)
    with session_factory() as s:
        everything = visit_history(s, vid)
        own = visit_history(s, vid, only_school_id=world.s2b)
    present = [e.detail.get("present") for e in everything if e.detail.get("section") == "head_count"]
    assert sorted(present) == [7, 9]
    assert [e.detail.get("present") for e in own if e.detail.get("section") == "head_count"] == [9]
    assert any(e.action == "create" for e in own)  # visit-wide entries stay


def test_the_absence_picker_tells_same_names_apart(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    with session_factory() as s:
        cls = next(c for c in load_classes(s, visit_access(s, actor(s, world, "insp2"), vid)) if len(c.students) > 1)
        first, second = cls.students[0], cls.students[1]
    with session_factory() as s, s.begin():  # two pupils of one class share a name (布朗山乡中学 has three 岩恩)
        ids = [first.roster_id, second.roster_id]
        for rec_ in s.scalars(select(RosterRecord).where(RosterRecord.id.in_(ids))):
            student = s.get(Student, rec_.student_id)
            student.name = "岩恩"
            student.birth_date = dt.date(2012, 3, 4) if rec_.id == ids[0] else dt.date(2012, 11, 20)
    with session_factory() as s:
        cls = next(c for c in load_classes(s, visit_access(s, actor(s, world, "insp2"), vid))
                   if c.head_count_id == cls.head_count_id)
        labels = [student_choice(p) for p in cls.students if p.name == "岩恩"]
    assert len(labels) == 2 and len(set(labels)) == 2
    assert any("2012-03-04" in label for label in labels) and any("2012-11-20" in label for label in labels)


def test_lists_spanning_counties_say_each_townships_county(session_factory, world) -> None:  # noqa: ANN001, F811
    """Zone, township and team names repeat from county to county (第一片区, 城关镇, 第一组): a visit list spanning
    counties (a prefecture's or a province's) names each one's county, in the rows and the filters; within one county
    nothing changes. The list is paged and counted."""
    from data_access.inspection.lists import count_visits, visit_filters
    from data_access.models import Area, Zone, ZoneTownship
    from data_access.scope import Scope
    from tests.inspection.test_inspection_fixtures import neighbour_county
    from data_access.inspection.access import Actor
    with session_factory() as s, s.begin():     # the same township and zone names in another county
        neighbour_county(s, s.get(Area, world.t1).name, s.get(Zone, s.get(ZoneTownship, world.t1).zone_id).name)
    new_visit(session_factory, world, "insp1", world.t1, [world.s1])
    province = Actor(0, "county_leader", Scope("county_leader", areas=(("530000000000", "province"),)), "p")
    with session_factory() as s:
        county_name = s.get(Area, "532822000000").name
        town, zone_name = s.get(Area, world.t1).name, s.get(Zone, s.get(ZoneTownship, world.t1).zone_id).name
        rows = list_visits(s, province)
        assert sorted(r.township_name for r in rows) == [f"{county_name} · {town}", f"勐腊县 · {town}"]
        assert sorted(r.zone_name for r in rows) == [f"{county_name} · {zone_name}", f"勐腊县 · {zone_name}"]
        options = visit_filters(s, province)
        assert f"勐腊县 · {town}" in {name for _c, name, _z in options.townships}
        assert f"勐腊县 · {zone_name}" in {name for _i, name in options.zones}
        one_county = actor(s, world, "leader")
        assert {r.township_name for r in list_visits(s, one_county)} == {town}
        assert town in {name for _c, name, _z in visit_filters(s, one_county).townships}
        assert count_visits(s, province) == 2 and [r.id for r in list_visits(s, province, offset=1, limit=1)] == \
            [rows[1].id]
