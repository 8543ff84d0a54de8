"""Ledger queries: the case ledgers with clocks and filters, the school-age lines and their children a page
at a time, and the dashboard's case figures — all counted by hand, scoped and masked per role."""
from __future__ import annotations

import datetime as dt

import pytest

from data_access.cases.stats import case_summary, due_case_steps
from data_access.cases.ledger import LedgerFilter, LedgerRefused, case_rows, filter_choices
from data_access.cases.children import age_lines, children_page, find_students, roster_line
from data_access.models import Student, User
from data_access.models import CaseAttempt, DropoutCase
from data_access.scope import scope_for_user
from tests.cases.test_ledger_fixtures import T1, T2, TERM, V1, V2, build, case

TODAY = dt.date(2024, 11, 20)  # a Wednesday; no public holiday in November 2024


def scope(session, name: str):  # noqa: ANN001, ANN201
    return scope_for_user(session, session.query(User).filter_by(username=name).one())


@pytest.fixture
def clocked(session_factory):  # noqa: ANN001, ANN201
    """Cases with known clocks on TODAY (working days: step 1 has 3, steps 2 and 3 have 5)."""
    w = build(session_factory)
    st = w.students
    with session_factory() as s, s.begin():
        ids = {
            "k1": case(s, st["A2"], T1, w.s1, step=1, started=dt.date(2024, 11, 1), reason="poverty",
                       groups="poverty_registered,left_behind", gov_responsible="村干部甲"),   # due 11-06: overdue
            "k2": case(s, st["B"], T1, w.s1, ledger="suspected", step=2, started=dt.date(2024, 11, 18),
                       reason="poverty"),                                                   # due 11-25: running
            "k3": case(s, st["B2"], T1, w.s1, step=3, started=dt.date(2024, 11, 13), groups="disabled"),  # due today
            "k4": case(s, st["C"], T1, w.s1, step=4, status="outcome", outcome="returned", reason="migrant_work",
                       groups="poverty_registered", started=dt.date(2024, 10, 1)),         # outcome: no clock
            "k5": case(s, st["C2"], T1, w.s1, status="closed", outcome="returned",
                       closed_at=dt.datetime(2024, 12, 5, 10)),                             # returned this term
            "k6": case(s, st["D"], T1, w.s1, status="closed", outcome="returned",
                       closed_at=dt.datetime(2024, 6, 1, 10)),                              # an earlier term
            "k7": case(s, st["X"], T2, w.s3, step=1, started=dt.date(2024, 11, 1)),         # other township
        }
        s.add_all([CaseAttempt(case_id=ids["k1"], date=dt.date(2024, 11, 2), who="班主任", method="home_visit", result="未返校",
                               created_at=dt.datetime(2024, 11, 2, 9)),
                   CaseAttempt(case_id=ids["k1"], date=dt.date(2024, 11, 5), who="村委", method="phone", result="家长同意",
                               created_at=dt.datetime(2024, 11, 5, 9))])
    return w, ids


def test_case_summary_by_hand(session_factory, clocked) -> None:  # noqa: ANN001
    _w, _ids = clocked
    with session_factory() as s:
        t1 = case_summary(s, scope(s, "officer1"), TODAY, TERM)
        county = case_summary(s, scope(s, "leader"), TODAY, TERM)
        staff2 = case_summary(s, scope(s, "staff2"), TODAY, TERM)
    assert t1.open_total == 4
    assert t1.by_step == {1: 1, 2: 1, 3: 1, 4: 1, 5: 0, 6: 0}
    assert {k: v for k, v in t1.by_reason.items() if v} == {"poverty": 2, "migrant_work": 1, "unspecified": 1}
    assert (t1.overdue_steps, t1.due_steps) == (1, 1)
    assert {k: v for k, v in t1.special_groups.items() if v} == {"poverty_registered": 2, "left_behind": 1,
                                                                "disabled": 1}
    assert t1.returned_this_term == 1
    assert (county.open_total, county.overdue_steps, county.by_step[1]) == (5, 2, 2)
    assert staff2.open_total == 0 and staff2.returned_this_term == 0


def test_due_case_steps_overdue_first_and_masked(session_factory, clocked) -> None:  # noqa: ANN001
    _w, ids = clocked
    with session_factory() as s:
        rows = due_case_steps(s, scope(s, "officer1"), TODAY)
        county = due_case_steps(s, scope(s, "leader"), TODAY)
        one = due_case_steps(s, scope(s, "leader"), TODAY, limit=1)
    assert [(r.case_id, r.state, r.due) for r in rows] == [(ids["k1"], "overdue", dt.date(2024, 11, 6)),
                                                           (ids["k3"], "due", dt.date(2024, 11, 20))]
    assert rows[0].school == "一乡中心小学" and rows[0].township == "乡镇1" and rows[0].step == 1
    assert [r.case_id for r in county] == [ids["k1"], ids["k7"], ids["k3"]]
    assert all("*" in r.student for r in county) and "*" not in rows[0].student
    assert len(one) == 1


def test_case_rows_filters_clocks_and_attempts(session_factory, clocked) -> None:  # noqa: ANN001
    w, ids = clocked
    with session_factory() as s:
        sc = scope(s, "officer1")
        confirmed = case_rows(s, sc, LedgerFilter("confirmed"), TODAY)
        suspected = case_rows(s, sc, LedgerFilter("suspected"), TODAY)
        overdue = case_rows(s, sc, LedgerFilter("confirmed", overdue_only=True), TODAY)
        step3 = case_rows(s, sc, LedgerFilter("confirmed", step=3), TODAY)
        closed = case_rows(s, sc, LedgerFilter("confirmed", status="closed"), TODAY)
        by_reason = case_rows(s, sc, LedgerFilter("confirmed", reason="migrant_work"), TODAY)
        by_school = case_rows(s, sc, LedgerFilter("confirmed", school_id=w.s2), TODAY)
        county = case_rows(s, scope(s, "leader"), LedgerFilter("confirmed", township=T2), TODAY)
    assert [r.id for r in confirmed] == [ids["k1"], ids["k3"], ids["k4"], ids["k5"], ids["k6"]]  # overdue, due, …
    assert [r.clock.state for r in confirmed[:2]] == ["overdue", "due"]
    k1 = confirmed[0]
    assert k1.last_attempt == (dt.date(2024, 11, 5), "phone", "家长同意")
    assert k1.special_groups == ("poverty_registered", "left_behind") and k1.gov_responsible == "村干部甲"
    assert [r.id for r in suspected] == [ids["k2"]] and suspected[0].clock.state == "running"
    assert [r.id for r in overdue] == [ids["k1"]]
    assert [r.id for r in step3] == [ids["k3"]]
    assert [r.id for r in closed] == [ids["k5"], ids["k6"]]
    assert [r.id for r in by_reason] == [ids["k4"]]
    assert by_school == []
    assert [r.id for r in county] == [ids["k7"]] and "*" in county[0].student


@pytest.mark.parametrize("flt", [
    LedgerFilter("confirmed", township=T2), LedgerFilter("confirmed", township="532822999000"),
    LedgerFilter("confirmed", school_id=999), LedgerFilter("other"), LedgerFilter("confirmed", step=9),
    LedgerFilter("confirmed", reason="bogus"), LedgerFilter("confirmed", status="lost")])
def test_foreign_or_unknown_filters_refused(session_factory, clocked, flt: LedgerFilter) -> None:  # noqa: ANN001
    w, _ids = clocked
    with session_factory() as s, pytest.raises(LedgerRefused):
        case_rows(s, scope(s, "officer1"), flt, TODAY)


def test_school_staff_filters_and_cases(session_factory, clocked) -> None:  # noqa: ANN001
    w, _ids = clocked
    with session_factory() as s:
        sc = scope(s, "staff1")
        assert len(case_rows(s, sc, LedgerFilter("confirmed", township=T1), TODAY)) == 5
        with pytest.raises(LedgerRefused):
            case_rows(s, sc, LedgerFilter("confirmed", school_id=w.s2), TODAY)
        choices = filter_choices(s, sc)
        assert choices.townships == [(T1, "乡镇1")] and [i for i, _n, _t in choices.schools] == [w.s1]
        assert [i for i, _n, _t in filter_choices(s, scope(s, "officer1")).schools] == [w.s1, w.s2]


def test_age_lines_by_hand(session_factory) -> None:  # noqa: ANN001
    build(session_factory)
    with session_factory() as s:
        lines = {(ln.row.area_code, ln.row.age): ln for ln in age_lines(s, scope(s, "officer1"), TERM)}
        county = age_lines(s, scope(s, "leader"), TERM)
        one = age_lines(s, scope(s, "leader"), TERM, T2)
        staff = age_lines(s, scope(s, "staff2"), TERM)
        with pytest.raises(LedgerRefused):
            age_lines(s, scope(s, "officer1"), TERM, T2)
    assert set(lines) == {(V1, 7), (V2, 7), (V2, 8), (T1, 7), (T1, 9)}
    v1 = lines[(V1, 7)]
    assert (v1.row.population, v1.row.outside, v1.row.enrolled, v1.row.dropped, v1.row.gap) == (14, 1, 4, 6, 3)
    assert (v1.area_name, v1.township_name) == ("曼一村", "乡镇1")
    assert lines[(T1, 9)].row.found == 1 and lines[(V2, 8)].row.gap == 3
    assert len(county) == 6 and [(ln.row.area_code, ln.row.age) for ln in one] == [(T2, 12)]
    assert {(ln.row.area_code, ln.row.age, ln.row.population) for ln in staff} == {(V2, 7, None), (T1, 7, None),
                                                                                    (V2, 9, None)}


def test_children_page_paginates_and_masks(session_factory) -> None:  # noqa: ANN001
    w = build(session_factory)
    with session_factory() as s:
        sc = scope(s, "officer1")
        first = children_page(s, sc, TERM, V1, 7, page=1, page_size=4)
        last = children_page(s, sc, TERM, V1, 7, page=3, page_size=4)
        dropped = children_page(s, sc, TERM, V1, 7, status="辍学")
        dead = children_page(s, sc, TERM, V1, 7, status="死亡")
        t1_9 = children_page(s, sc, TERM, T1, 9)
        named = children_page(s, sc, TERM, V1, 7, search="欧阳")
        masked = children_page(s, scope(s, "leader"), TERM, V1, 7, search="欧阳")
        leader = children_page(s, scope(s, "leader"), TERM, V1, 7, page_size=20)
        for bad in ((T2, 12), (V1, 3), ("x", 7)):
            with pytest.raises(LedgerRefused):
                children_page(s, sc, TERM, *bad)
    assert (first.total, first.pages, len(first.rows), len(last.rows)) == (10, 3, 4, 2)
    assert {r.student_id for r in first.rows + last.rows}.isdisjoint({w.students["D2"]})
    assert dropped.total == 6 and dead.total == 1
    assert [r.student_id for r in t1_9.rows] == [w.students["J"]]        # the T1 line of age 9 holds V2's child
    assert [r.name for r in named.rows] == ["欧阳测试"] and masked.total == 0  # masked roles search numbers only
    assert leader.total == 10 and "欧阳**" in {r.name for r in leader.rows}
    assert all("*" in r.name and "*" in r.student_no for r in leader.rows)


def test_student_search_is_scoped(session_factory) -> None:  # noqa: ANN001
    w = build(session_factory)
    with session_factory() as s:
        mine = find_students(s, scope(s, "staff1"), TERM, "测试")
        other = find_students(s, scope(s, "staff2"), TERM, "测试")
        officer2 = find_students(s, scope(s, "officer2"), TERM, "G")        # numbers match whole, never by prefix
        x_number = s.get(Student, w.students["X"]).student_no
        whole = find_students(s, scope(s, "officer2"), TERM, x_number.lower())
        foreign = find_students(s, scope(s, "officer1"), TERM, x_number)
        assert roster_line(s, scope(s, "officer2"), TERM, w.students["A"]) is None
        assert roster_line(s, scope(s, "officer1"), TERM, w.students["A"]).school_id == w.s1
        assert roster_line(s, scope(s, "officer1"), TERM, "1") is None
    assert {ln.name for ln in mine} == {"张测试", "欧阳测试"} and other == []
    assert officer2 == [] and foreign == [] and [ln.student_id for ln in whole] == [w.students["X"]]


def test_ledger_order_in_sql_equals_the_clock_order_and_counts_every_case(session_factory) -> None:  # noqa: ANN001
    """The ledger is counted over every case it lists and sorted and cut in SQL from the clocks of its steps' starts:
    the pages, read one after the other, give the order of sorting every case by its clock in Python (open first,
    overdue before due before running before no clock, the soonest due first; then the latest closed, the latest
    found, the newest), and the counts are every case's (the ledger used to take the newest 5,000 and say 5,000)."""
    import random
    from data_access.cases.ledger import ledger_order, ledger_page
    from domain.cases.escalation import clock
    w = build(session_factory)
    rng = random.Random(19)
    starts = [dt.date(2024, 10, 8), dt.date(2024, 11, 1), dt.date(2024, 11, 13), dt.date(2024, 11, 18),
              dt.date(2024, 11, 19)]
    with session_factory() as s, s.begin():
        for i in range(90):
            st = Student(student_no=f"G{5328220000000000 + i:018d}", name=f"测试{i}", gender="男",
                         birth_date=dt.date(2014, 1, 1))
            s.add(st)
            s.flush()
            status = rng.choice(["open", "open", "open", "outcome", "closed"])
            closed = dt.datetime(2024, 11, rng.randint(1, 3), rng.randint(8, 17)) if status == "closed" else None
            case(s, st.id, T1, w.s1, step=rng.randint(1, 6), started=rng.choice(starts), status=status,
                 outcome=None if status == "open" else "returned", closed_at=closed,
                 found=dt.date(2024, 10, rng.randint(1, 3)))
    rank = {"open": 0, "outcome": 1, "closed": 2}
    state_rank = {"overdue": 0, "due": 1, "running": 2, "none": 3}
    with session_factory() as s:
        sc = scope(s, "leader")
        everything = [(c.id, c.status, clock(c.step, c.step_started, TODAY, closed=c.status != "open"), c.closed_at,
                       c.found_date) for c in s.query(DropoutCase).all()]
        for overdue_only in (False, True):
            kept = [e for e in everything if not overdue_only or (e[1] == "open" and e[2].state == "overdue")]
            expected = [e[0] for e in sorted(kept, key=lambda e: (
                rank[e[1]], state_rank[e[2].state], e[2].due or dt.date.max,
                -(e[3].timestamp() if e[3] else 0), -e[4].toordinal(), -e[0]))]
            order = ledger_order(s, sc, LedgerFilter("confirmed", overdue_only=overdue_only), TODAY)
            paged = [case_id for offset in range(0, order.total + 7, 7)
                     for case_id, _clock in ledger_page(s, order, offset, 7)]
            assert paged == expected and order.total == len(kept), overdue_only
            opened = [e for e in kept if e[1] == "open"]
            assert (order.overdue, order.due) == (sum(e[2].state == "overdue" for e in opened),
                                                  sum(e[2].state == "due" for e in opened))
        assert len(expected) > 10 and len(case_rows(s, sc, LedgerFilter("confirmed"), TODAY)) == 90
        # however many step starts the open cases have, they go to SQL as one parameter (25,000 here)
        import dataclasses
        order = ledger_order(s, sc, LedgerFilter("confirmed"), TODAY)
        many = dataclasses.replace(order, dues=order.dues + [(step, dt.date(1990, 1, 1) + dt.timedelta(days=i),
                                                               dt.date(1990, 2, 1)) for i in range(5000)
                                                              for step in range(1, 6)])
        assert [i for i, _c in ledger_page(s, many)] == [i for i, _c in ledger_page(s, order)]
