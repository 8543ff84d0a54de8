"""Agreement of cases and roster (人账相符): every kind found on hand-built fixtures, none when consistent,
the population gap per village × age by hand, scoping and masking."""
from __future__ import annotations

import datetime as dt

import pytest

from data_access.cases.agreement import agreement
from data_access.models import User
from data_access.scope import scope_for_user
from domain.cases.agreement import (AreaAgeRow, CaseFact, PopulationCount, RosterCount, RosterFact, compare,
                              population_gaps, school_age_rows, student_disagreements)
from tests.cases.test_ledger_fixtures import T1, T2, TERM, V1, V2, agreement_cases, build

END = dt.date(2025, 2, 28)
FOUND = dt.date(2024, 10, 10)


def fact(case_id: int = 1, ledger: str = "confirmed", status: str = "open", outcome: str | None = None,
         groups: frozenset[str] = frozenset(), found: dt.date = FOUND, closed: dt.date | None = None) -> CaseFact:
    return CaseFact(case_id, 7, ledger, status, outcome, groups, found, closed)


def kinds(roster_status: str, cases: list[CaseFact], poor: bool = False) -> list[str]:
    return [d.kind for d in student_disagreements(RosterFact(7, roster_status, poor), cases, END)]


@pytest.mark.parametrize(("status", "cases", "poor", "expected"), [
    # (a) confirmed case not closed, roster 在读
    ("在读", [fact()], False, ["confirmed_enrolled"]),
    ("在读", [fact(status="outcome", outcome="returned")], False, []),      # back in school, awaiting verification
    ("在读", [fact(status="outcome", outcome="over_age")], False, ["confirmed_enrolled"]),
    ("在读", [fact(ledger="suspected")], False, []),                        # suspected: not yet a dropout
    ("休学", [fact()], False, []),
    ("辍学", [fact()], False, []),
    # (b) roster 辍学 without any case
    ("辍学", [], False, ["dropout_no_case"]),
    ("在读", [], False, []),
    ("辍学", [fact(found=dt.date(2025, 3, 5))], False, []),   # a case opened after the term covers the child
    ("在读", [fact(found=dt.date(2025, 3, 5))], False, []),   # … but says nothing about that term's 在读
    # (c) closed as back in school, roster 辍学
    ("辍学", [fact(status="closed", outcome="returned", closed=dt.date(2024, 12, 1))], False,
     ["returned_still_dropout"]),
    ("辍学", [fact(status="closed", outcome="not_dropout", closed=dt.date(2024, 12, 1))], False,
     ["returned_still_dropout"]),
    ("在读", [fact(status="closed", outcome="returned", closed=dt.date(2024, 12, 1))], False, []),
    ("辍学", [fact(status="closed", outcome="over_age", closed=dt.date(2024, 12, 1))], False, []),
    ("辍学", [fact(1, status="closed", outcome="returned", closed=dt.date(2024, 12, 1)), fact(2)], False, []),
    # (d) closed as deceased / transferred, roster 在读
    ("在读", [fact(status="closed", outcome="deceased", closed=dt.date(2024, 11, 1))], False, ["gone_still_enrolled"]),
    ("在读", [fact(status="closed", outcome="transferred", closed=dt.date(2024, 11, 1))], False,
     ["gone_still_enrolled"]),
    ("死亡", [fact(status="closed", outcome="deceased", closed=dt.date(2024, 11, 1))], False, []),
    ("转出", [fact(status="closed", outcome="transferred", closed=dt.date(2024, 11, 1))], False, []),
    # the latest closed case decides
    ("在读", [fact(1, status="closed", outcome="deceased", closed=dt.date(2024, 11, 1)),
              fact(2, status="closed", outcome="returned", closed=dt.date(2024, 12, 1))], False, []),
    # (f) poor family on the roster, group missing on the case
    ("辍学", [fact()], True, ["poverty_unflagged"]),
    ("辍学", [fact(groups=frozenset({"poverty_registered"}))], True, []),
    ("在读", [fact()], True, ["confirmed_enrolled", "poverty_unflagged"]),
    ("辍学", [fact(status="closed", outcome="over_age", closed=dt.date(2024, 12, 1))], True, []),
])
def test_student_rules(status: str, cases: list[CaseFact], poor: bool, expected: list[str]) -> None:
    assert kinds(status, cases, poor) == expected


def test_no_roster_line_no_comparison() -> None:
    assert student_disagreements(None, [fact()], END) == []


def test_listing_puts_poor_confirmed_first() -> None:
    roster = {1: RosterFact(1, "辍学", False), 2: RosterFact(2, "辍学", True), 3: RosterFact(3, "在读", False)}
    cases = [CaseFact(9, 3, "confirmed", "open", None, frozenset(), FOUND)]
    found = compare(roster, cases, END)
    assert [(d.kind, d.student_id) for d in found] == [("confirmed_enrolled", 3), ("dropout_no_case", 2),
                                                       ("dropout_no_case", 1)]
    assert found[1].poor and found[1].confirmed


def test_population_rows_by_hand() -> None:
    pop = [PopulationCount(V1, 7, 14, 1), PopulationCount(V2, 8, 3), PopulationCount(T1, 9, 2),
           PopulationCount(T1, 15, 40)]
    roster = [RosterCount(V1, 7, 4, 6), RosterCount(V2, 7, 1, 0), RosterCount(T1, 7, 1, 0),
              RosterCount(V2, 9, 1, 0), RosterCount(V1, 5, 3, 0)]
    rows = {(r.area_code, r.age): r for r in school_age_rows(pop, roster)}
    assert set(rows) == {(V1, 7), (V2, 7), (V2, 8), (T1, 7), (T1, 9)}   # ages outside 6–14 left out
    assert rows[(V1, 7)] == AreaAgeRow(V1, 7, 14, 1, 4, 6) and rows[(V1, 7)].gap == 3
    assert rows[(V2, 8)].gap == 3 and rows[(V2, 8)].found == 0
    assert rows[(T1, 9)].found == 1 and rows[(T1, 9)].gap == 1          # village without a line → its township
    assert rows[(V2, 7)].population is None and rows[(V2, 7)].gap is None
    assert [(g.area_code, g.age, g.gap) for g in population_gaps(rows.values())] == [(V1, 7, 3), (V2, 8, 3), (T1, 9, 1)]


def test_no_gap_when_the_roster_covers_the_survey() -> None:
    rows = school_age_rows([PopulationCount(V1, 7, 10, 2)], [RosterCount(V1, 7, 7, 1)])
    assert rows[0].gap == 0 and population_gaps(rows) == []


def _scope(session, name: str):  # noqa: ANN001, ANN202
    user = session.query(User).filter_by(username=name).one()
    return scope_for_user(session, user)


def test_every_kind_found_on_the_fixture(session_factory) -> None:  # noqa: ANN001
    w = build(session_factory)
    ids = agreement_cases(session_factory, w)
    st = w.students
    with session_factory() as s:
        found = agreement(s, _scope(s, "admin"), TERM)
    by_kind: dict[str, list] = {}
    for r in found.rows:
        by_kind.setdefault(r.kind, []).append(r)
    assert [r.case_id for r in by_kind["confirmed_enrolled"]] == [ids["A"]]
    assert [r.student_id for r in by_kind["dropout_no_case"]] == [st["B"], st["B2"], st["X"]]  # poor first
    assert by_kind["dropout_no_case"][0].poor and by_kind["dropout_no_case"][0].can_open
    assert [r.case_id for r in by_kind["returned_still_dropout"]] == [ids["C"]]
    assert [r.case_id for r in by_kind["gone_still_enrolled"]] == [ids["D"]]
    assert [r.case_id for r in by_kind["poverty_unflagged"]] == [ids["F"]]
    assert found.counts == {"confirmed_enrolled": 1, "dropout_no_case": 3, "returned_still_dropout": 1,
                            "gone_still_enrolled": 1, "graduate_lost": 0, "population_gap": 4, "poverty_unflagged": 1}
    assert [(g.area_code, g.age, g.population, g.outside, g.found, g.gap) for g in found.gaps] == [
        (V2, 8, 3, 0, 0, 3), (T2, 12, 5, 0, 3, 2), (T1, 7, 14, 1, 12, 1), (T1, 9, 2, 0, 1, 1)]
    assert found.gap_children == 7   # T1 age 7 compared as a whole: its unplaced pupil counts (issue 13)
    assert [g.unplaced for g in found.gaps] == [0, 0, 1, 0]
    row_a = by_kind["confirmed_enrolled"][0]
    assert (row_a.student, row_a.school, row_a.township, row_a.roster_status) == ("张测试", "一乡中心小学", "乡镇1", "在读")


def test_consistent_fixture_has_no_disagreement(session_factory) -> None:  # noqa: ANN001
    w = build(session_factory)
    st = w.students
    from tests.cases.test_ledger_fixtures import case
    with session_factory() as s, s.begin():
        # every 辍学 child gets an open confirmed case with its groups; the survey matches the roster
        for key in ("A2", "B", "B2", "C", "F", "F2"):
            poor = key in ("B", "F", "F2")
            case(s, st[key], T1, w.s1, groups="poverty_registered" if poor else "")
        case(s, st["X"], T2, w.s3)
        from data_access.models import Population
        for p in s.query(Population).all():
            s.delete(p)
        s.flush()
        from data_access.analytics.age_lines import refresh_age_lines
        refresh_age_lines(s, TERM)  # the stored lines follow a population change
    with session_factory() as s:
        found = agreement(s, _scope(s, "admin"), TERM)
    assert found.rows == [] and found.gaps == []
    assert set(found.counts.values()) == {0}


def test_officer_sees_only_own_township_and_leader_masked(session_factory) -> None:  # noqa: ANN001
    w = build(session_factory)
    agreement_cases(session_factory, w)
    with session_factory() as s:
        t1 = agreement(s, _scope(s, "officer1"), TERM)
        t2 = agreement(s, _scope(s, "officer2"), TERM)
        leader = agreement(s, _scope(s, "leader"), TERM)
        staff2 = agreement(s, _scope(s, "staff2"), TERM)
    assert w.students["X"] not in {r.student_id for r in t1.rows}
    assert {r.township for r in t1.rows} == {"乡镇1"}
    assert [(r.kind, r.student_id) for r in t2.rows] == [("dropout_no_case", w.students["X"])]
    assert [(g.area_code, g.age) for g in t2.gaps] == [(T2, 12)]
    assert {(g.area_code, g.age) for g in t1.gaps} == {(T1, 7), (V2, 8), (T1, 9)} and t1.gap_children == 5
    names = {r.student for r in leader.rows}
    assert "张测试" not in names and "张**" in names and "欧阳**" in names
    assert all("*" in r.student_no for r in leader.rows)
    assert staff2.rows == [] and staff2.gaps == []   # nothing at school 2


def test_unplaced_pupils_fold_into_their_township_as_the_rates_count_them() -> None:
    """Issue 13: pupils counted toward a township but in no village are subtracted from its survey, not left on a
    line of their own; the line says how many could not be placed."""
    pop = [PopulationCount(V1, 7, 14, 1), PopulationCount(V2, 8, 3), PopulationCount(T1, 9, 2)]
    roster = [RosterCount(V1, 7, 4, 6), RosterCount(V2, 7, 1, 0), RosterCount(T1, 7, 1, 0), RosterCount(V2, 9, 1, 0)]
    rows = {(r.area_code, r.age): r for r in school_age_rows(pop, roster, fold_unplaced=True)}
    assert set(rows) == {(V2, 8), (T1, 7), (T1, 9)}
    assert rows[(T1, 7)] == AreaAgeRow(T1, 7, 14, 1, 6, 6, unplaced=1) and rows[(T1, 7)].gap == 1
    assert [(g.area_code, g.age, g.gap) for g in population_gaps(rows.values())] == [(V2, 8, 3), (T1, 7, 1), (T1, 9, 1)]


# -- the page's comparison against the pure rule over the whole database (issue 19: the page fetches only the students
# whose line and cases can disagree; what it reports must be what `compare` finds over every student) --

def _by_the_rule(s, scope, term: str) -> tuple[list[tuple], dict[str, int]]:  # noqa: ANN001
    """Every disagreement the page may show, by `compare` over every roster line and case of the database: of the
    students with a case in scope or a 辍学 line at a school in scope, those whose case or line is in scope."""
    from sqlalchemy import select

    from data_access.cases.ledger import groups_of
    from data_access.models import DropoutCase, RosterRecord, School, Term
    end = s.get(Term, term).end_date
    lines = s.execute(select(RosterRecord.student_id, RosterRecord.status, RosterRecord.poverty_registered,
                             RosterRecord.school_id, School.township_code)
                      .join(School, School.id == RosterRecord.school_id).where(RosterRecord.term_code == term)).all()
    cases = s.scalars(select(DropoutCase)).all()
    roster = {sid: RosterFact(sid, status, bool(poor)) for sid, status, poor, _school, _town in lines}
    line_at = {sid: (school, town) for sid, _status, _poor, school, town in lines}
    case_at = {c.id: (c.school_id, c.township_code) for c in cases}

    def covers(school_id, township) -> bool:  # noqa: ANN001
        return school_id == scope.school_id if scope.school_id is not None else scope.covers_area(township)

    wanted = {c.student_id for c in cases if covers(*case_at[c.id])} | {
        sid for sid, fact in roster.items() if fact.status == "辍学" and covers(*line_at[sid])}
    facts = [CaseFact(c.id, c.student_id, c.ledger, c.status, c.outcome, frozenset(groups_of(c.special_groups)),
                      c.found_date, c.closed_at.date() if c.closed_at else None) for c in cases]
    found = [(d.kind, d.student_id, d.case_id, d.poor, d.confirmed) for d in compare(roster, facts, end)
             if d.student_id in wanted and ((d.case_id is not None and covers(*case_at[d.case_id]))
                                            or covers(*line_at[d.student_id]))]
    counts: dict[str, int] = {}
    for kind, *_rest in found:
        counts[kind] = counts.get(kind, 0) + 1
    return found, counts


def _as_found(result) -> tuple[list[tuple], dict[str, int]]:  # noqa: ANN001
    rows = [(r.kind, r.student_id, r.case_id, r.poor, r.confirmed) for r in result.rows if r.kind != "graduate_lost"]
    return rows, {k: n for k, n in result.counts.items() if n and k not in ("graduate_lost", "population_gap")}


def _scopes(school_id: int, township: str) -> dict:
    from data_access.scope import Scope
    return {"admin": Scope("admin", unrestricted=True),  # the whole province: read every case once
            "province": Scope("county_leader", (("530000000000", "province"),)),
            "county": Scope("county_leader", (("532822000000", "county"),)),  # through the students in scope
            "township": Scope("township_officer", ((township, "township"),)),
            "school": Scope("school_staff", school_id=school_id)}


def test_agreement_is_the_rule_over_every_student(session_factory) -> None:  # noqa: ANN001
    """The fixture's cases of every kind, and the cases that look like a kind but are not (a later case, a case
    closed after the term, a poor flag written with a space, the latest of two closed cases, …), some of a student
    whose case and line lie in different townships."""
    w = build(session_factory)
    agreement_cases(session_factory, w)
    from tests.cases.test_ledger_fixtures import case, kid
    from data_access.models import School
    closed = dt.datetime(2024, 12, 1, 9)
    with session_factory() as s, s.begin():
        s1, s3 = s.get(School, w.s1), s.get(School, w.s3)
        for key, status, poor in (("K1", "在读", False), ("K2", "辍学", False), ("K3", "在读", False),
                                  ("K4", "辍学", False), ("K5", "辍学", True), ("K6", "在读", True),
                                  ("K7", "在读", False), ("K8", "在读", False), ("K9", "辍学", False),
                                  ("K10", "在读", False), ("K11", "辍学", False), ("K12", "休学", True),
                                  ("K13", "在读", False)):
            kid(s, w, key, s1, status=status, poverty_registered=poor)
        kid(s, w, "Y", s3, status="辍学", household=None)
        st = w.students
        case(s, st["K1"], T1, w.s1, found=dt.date(2025, 3, 5))                  # found after the term: none
        case(s, st["K2"], T1, w.s1, status="closed", outcome="returned",
             closed_at=dt.datetime(2025, 4, 1, 9))                              # closed after the term: none
        case(s, st["K3"], T1, w.s1, status="closed", outcome="deceased", closed_at=dt.datetime(2024, 11, 1))
        case(s, st["K3"], T1, w.s1, status="closed", outcome="returned", closed_at=closed)   # latest decides: none
        case(s, st["K4"], T1, w.s1, status="closed", outcome="not_dropout", closed_at=None)  # returned_still_dropout
        case(s, st["K5"], T1, w.s1, groups=" poverty_registered")                # flagged (with a space): none
        case(s, st["K6"], T1, w.s1, ledger="suspected", groups="left_behind")   # suspected, poor: poverty only
        case(s, st["K7"], T1, w.s1, status="outcome", outcome="over_age")       # confirmed_enrolled
        case(s, st["K8"], T2, w.s3)                     # case in T2, line 在读 in T1: officer2 sees it by the case
        case(s, st["K9"], T2, w.s3, status="closed", outcome="returned",
             closed_at=closed)                          # line 辍学 in T1, case in T2: officer1 sees it by the line
        case(s, st["K10"], T1, w.s1, status="closed", outcome="transferred", closed_at=closed)  # gone_still_enrolled
        case(s, st["K11"], T1, w.s1, status="closed", outcome="over_age", closed_at=closed)      # none
        case(s, st["K12"], T1, w.s1, groups="left_behind")                      # 休学 and poor: poverty_unflagged
        case(s, st["K13"], T1, w.s1, ledger="suspected", status="closed", outcome="deceased",
             closed_at=closed)                                                  # gone_still_enrolled (not confirmed)
    kinds_seen = set()
    with session_factory() as s:
        for name, scope in {**_scopes(w.s1, T1), "officer2": _scopes(w.s3, T2)["township"]}.items():
            expected = _by_the_rule(s, scope, TERM)
            assert _as_found(agreement(s, scope, TERM)) == expected, name
            kinds_seen |= set(expected[1])
        assert kinds_seen == {"confirmed_enrolled", "dropout_no_case", "returned_still_dropout", "gone_still_enrolled",
                              "poverty_unflagged"}
        by_case = {(k, sid) for k, sid, *_ in _by_the_rule(s, _scopes(w.s1, T1)["admin"], TERM)[0]}
    st = w.students
    assert {("returned_still_dropout", st["K4"]), ("poverty_unflagged", st["K6"]), ("confirmed_enrolled", st["K7"]),
            ("confirmed_enrolled", st["K8"]), ("returned_still_dropout", st["K9"]), ("gone_still_enrolled", st["K10"]),
            ("poverty_unflagged", st["K12"]), ("gone_still_enrolled", st["K13"]),
            ("dropout_no_case", st["Y"])} <= by_case
    assert not {sid for _k, sid in by_case} & {st[k] for k in ("K1", "K2", "K3", "K5", "K11")}


@pytest.fixture(scope="module")
def demo_engine(demo_county_template):  # noqa: ANN001, ANN201
    """A copy of the seeded county demo (SQLite) whose cases and roster are changed so every kind occurs."""
    from tests.conftest import copy_sqlite
    engine = copy_sqlite(demo_county_template[0])
    yield engine
    engine.dispose()


DEMO_CHANGES = (  # on the demo's newest term: every kind, and cases that look like one and are not
    "UPDATE roster_record SET status = '在读' WHERE term_code = :t AND student_id IN "
    "(SELECT student_id FROM dropout_case WHERE id % 13 IN (1, 3, 6, 7, 8))",
    "UPDATE dropout_case SET status = 'closed', outcome = 'returned', closed_at = :closed WHERE id % 13 = 2",
    "UPDATE dropout_case SET status = 'closed', outcome = 'transferred', closed_at = :closed WHERE id % 13 = 3",
    "UPDATE roster_record SET poverty_registered = 1 WHERE term_code = :t AND student_id IN "
    "(SELECT student_id FROM dropout_case WHERE id % 13 IN (1, 5, 10))",
    "UPDATE dropout_case SET status = 'outcome', outcome = 'returned' WHERE id % 13 = 6",
    "UPDATE dropout_case SET ledger = 'suspected' WHERE id % 13 = 7",
    "UPDATE dropout_case SET found_date = :later WHERE id % 13 = 8",
    "UPDATE dropout_case SET status = 'closed', outcome = 'returned', closed_at = :after WHERE id % 13 = 9",
    "UPDATE dropout_case SET special_groups = ' poverty_registered' WHERE id % 13 = 10",
    "UPDATE dropout_case SET student_id = student_id + 1 WHERE id % 13 = 4 AND NOT EXISTS "
    "(SELECT 1 FROM dropout_case d2 WHERE d2.student_id = dropout_case.student_id + 1)",
)


def test_agreement_is_the_rule_on_the_demo(demo_engine) -> None:  # noqa: ANN001
    from sqlalchemy import func, select, text

    from data_access.db import make_sessionmaker
    from data_access.models import DropoutCase, Term
    factory = make_sessionmaker(demo_engine)
    with factory() as s, s.begin():
        term = s.scalar(select(func.max(Term.code)))
        end = s.get(Term, term).end_date
        stamps = {"t": term, "closed": dt.datetime.combine(end - dt.timedelta(days=30), dt.time(9)),
                  "after": dt.datetime.combine(end + dt.timedelta(days=3), dt.time(9)),
                  "later": end + dt.timedelta(days=3)}
        for change in DEMO_CHANGES:
            assert s.execute(text(change), stamps).rowcount > 0, change
        school, township = s.execute(select(DropoutCase.school_id, DropoutCase.township_code)
                                     .where(DropoutCase.id % 13 == 2, DropoutCase.school_id.is_not(None))
                                     .order_by(DropoutCase.id)).first()
    with factory() as s:
        for name, scope in _scopes(school, township).items():
            expected = _by_the_rule(s, scope, term)
            assert _as_found(agreement(s, scope, term)) == expected, name
            if name == "county":
                assert set(expected[1]) == {"confirmed_enrolled", "dropout_no_case", "returned_still_dropout",
                                            "gone_still_enrolled", "poverty_unflagged"}
