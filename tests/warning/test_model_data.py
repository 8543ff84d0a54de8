"""The model on a stored hand-made history (4 term pairs): boarders drop out, the rule (threshold 5) lists the
overage poor pupils who stay. The model wins on the held-out term; it is used only once the county switches it on;
risk-backtest prints the comparison."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from data_access.models import RosterRecord
from data_access.scope import Scope
from data_access.warning.model import model_comparison, model_in_use, model_switched_on
from data_access.warning.scoring import set_factor
from tests import factories as f

COUNTY = "532822000000"
TERMS = ("2022-1", "2022-2", "2023-1", "2023-2", "2024-1")


@pytest.fixture
def boarders_drop(session_factory):  # noqa: ANN001, ANN201
    with session_factory() as s, s.begin():
        _county, (t1, _t2) = f.county_with_townships(s, 2)
        school = f.school.create(s, township_code=t1.code, code="5328220001")
        for code in TERMS:
            f.term(s, code)
        for k, (term, nxt) in enumerate(zip(TERMS, TERMS[1:])):
            for i in range(40):       # a fresh cohort per pair: 10 overage poor (stay), 10 boarders (8 leave), 20
                stu = f.student.create(s, birth_date=dt.date(2012, 3, 1))
                risky, boarder = i < 10, 10 <= i < 20
                common = dict(student_id=stu.id, school_id=school.id, grade=4, age=12 if risky else 9,
                              poverty_registered=risky, boarding=boarder)
                s.add(RosterRecord(term_code=term, status="在读", **common))
                s.add(RosterRecord(term_code=nxt, status="辍学" if boarder and i < 18 else "在读", **common))
                s.flush()
    return None


def test_model_wins_on_held_out_term_and_is_used_only_when_switched_on(session_factory, boarders_drop) -> None:  # noqa: ANN001
    scope = Scope("admin", unrestricted=True)
    with session_factory() as s:
        cmp = model_comparison(s, scope, COUNTY, thresholds=[1, 5])
        assert cmp.held_out == ("2023-2",) and len(cmp.trained_on) == 3
        at = cmp.at_threshold
        assert (at.rule.listed, at.rule.caught) == (20, 0) and at.model.caught == 8 and cmp.model_better
        assert not model_switched_on(s, COUNTY) and not model_in_use(s, scope, COUNTY)   # off by default
    with session_factory() as s, s.begin():
        set_factor(s, COUNTY, "model", 0, 1)
    with session_factory() as s:
        assert model_in_use(s, scope, COUNTY)


def test_model_not_used_when_it_does_worse(session_factory, boarders_drop) -> None:  # noqa: ANN001
    scope = Scope("admin", unrestricted=True)
    with session_factory() as s, s.begin():
        set_factor(s, COUNTY, "model", 0, 1)
        # in the held-out term the boarders stay and the rule's pupils leave instead
        for r in s.query(RosterRecord).filter(RosterRecord.term_code == "2024-1"):
            r.status = "辍学" if r.poverty_registered else "在读"
    with session_factory() as s:
        cmp = model_comparison(s, scope, COUNTY, thresholds=[5])
        assert cmp.at_threshold.rule.caught == 10 and cmp.at_threshold.model.caught < 10
        assert not cmp.model_better and not model_in_use(s, scope, COUNTY)


def test_backtest_command_prints_the_comparison(server, boarders_drop) -> None:  # noqa: ANN001
    runner = server.test_cli_runner()
    out = json.loads(runner.invoke(args=["risk-backtest", "--format", "json"]).output)
    model = out["model"]
    assert model["held_out"] == ["2023-2"] and model["model_better"] and not model["in_use"]
    at5 = next(p for p in model["curve"] if p["threshold"] == 5)
    assert (at5["rule_caught"], at5["model_caught"], at5["model_recall"]) == (0, 8, "100.0")
    text = runner.invoke(args=["risk-backtest"]).output
    assert "model better on held-out terms: yes" in text and "list uses: rule" in text
