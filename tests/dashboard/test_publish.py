"""Publish and lock a period (issue 18.3): a published term keeps its figures, tiers and ranking after a later
import, shows what changed since, can be withdrawn only by an admin with a reason; refused to other roles
and areas through the real callback route."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from data_access import audit
from data_access.analytics.publish import PublishRefused, publish_period, withdraw_publication
from data_access.analytics.report import load_report, policy_for
from data_access.imports.files import import_roster
from data_access.models import AuditLog, PeriodPublication
from data_access.queries import overview_figures
from data_access.scope import Scope
from tests.admin.conftest import COUNTY, S1, T1, T2, world  # noqa: F401 - the fixture
from tests.imports.test_imports import DATA, TERM, run

ALL = Scope("admin", unrestricted=True)
PUB_OUT = [("publish-msg", "children"), ("publish-refresh", "data")]
STATE_OUT = [("publish-row", "hidden"), ("withdraw-row", "hidden")]


def _township_dropouts(factory) -> dict[str, int]:  # noqa: ANN001
    with factory() as s:
        report = load_report(s, ALL, COUNTY, "township", TERM)
        return {u.code: u.counts.dropouts for u in report.units}


def _reimport_with_a_new_dropout(factory, tmp_path: Path) -> None:  # noqa: ANN001
    """The registrar's corrected file: the first pupil (在读 at school 1) is now 辍学."""
    lines = (DATA / "roster.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",在读,", ",辍学,", 1)
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with audit.acting_as(None, "test"):
        assert run(factory, lambda s, *a: import_roster(s, *a, scope=ALL), path, TERM).ok


def test_a_published_period_does_not_change_after_a_later_import(world, session_factory, tmp_path) -> None:  # noqa: ANN001
    before = _township_dropouts(session_factory)
    with session_factory() as s, s.begin():
        publish_period(s, COUNTY, TERM, world["users"]["leader"], policy_for(s, COUNTY))
    _reimport_with_a_new_dropout(session_factory, tmp_path)
    assert _township_dropouts(session_factory) == before            # the tiers and ranking read the copy
    with session_factory() as s:
        report = load_report(s, ALL, COUNTY, "township", TERM)
        assert report.publication is not None and report.publication.published_by == "测试leader"
        assert T1 in report.publication.changed_units and T2 not in report.publication.changed_units
        schools = load_report(s, ALL, T1, "school", TERM)          # a township's schools: the county's copy
        assert schools.publication is not None and S1 in schools.publication.changed_units
        assert overview_figures(s, ALL, COUNTY, TERM).dropouts == sum(before.values())
    with session_factory() as s, s.begin():
        withdraw_publication(s, COUNTY, TERM, world["users"]["admin"], "数据更正后重新发布")
    after = _township_dropouts(session_factory)
    assert after[T1] == before[T1] + 1 and after[T2] == before[T2]     # live again after the withdrawal
    with session_factory() as s:
        assert load_report(s, ALL, COUNTY, "township", TERM).publication is None
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.entity == "period")))
        assert {"publish", "unpublish"} <= actions
        assert s.scalars(select(PeriodPublication)).one().withdraw_reason == "数据更正后重新发布"


def test_refusals(world, session_factory) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        publish_period(s, COUNTY, TERM, None, None)
    for area, term, code in ((COUNTY, TERM, "already_published"), ("532822999000", TERM, "unknown_area"),
                             (COUNTY, "2031-1", "unknown_term")):
        with session_factory() as s, s.begin(), pytest.raises(PublishRefused) as exc:
            publish_period(s, area, term, None, None)
        assert exc.value.code == code
    with session_factory() as s, s.begin(), pytest.raises(PublishRefused) as exc:
        withdraw_publication(s, COUNTY, TERM, None, "  ")
    assert exc.value.code == "reason_required"


def _publish(user, area: str = COUNTY):  # noqa: ANN001, ANN201
    return user.callback(PUB_OUT, [("publish-confirm", "submit_n_clicks", 1), ("withdraw-button", "n_clicks", None)],
                         [("shell-selection", "value", area), ("shell-term", "value", TERM),
                          ("withdraw-reason", "value", None), ("publish-refresh", "data", 0)],
                         changed="publish-confirm.submit_n_clicks")


def _withdraw(user, reason: str | None):  # noqa: ANN001, ANN201
    return user.callback(PUB_OUT, [("publish-confirm", "submit_n_clicks", None), ("withdraw-button", "n_clicks", 1)],
                         [("shell-selection", "value", COUNTY), ("shell-term", "value", TERM),
                          ("withdraw-reason", "value", reason), ("publish-refresh", "data", 0)],
                         changed="withdraw-button.n_clicks")


def _state(user, area: str = COUNTY) -> list:  # noqa: ANN001
    resp = user.callback(STATE_OUT, [("shell-selection", "value", area), ("shell-term", "value", TERM),
                                     ("publish-refresh", "data", 0)])
    assert resp.status_code == 200, resp.data[:300]
    out = resp.get_json()["response"]
    return [out["publish-row"]["hidden"], out["withdraw-row"]["hidden"]]


@pytest.mark.parametrize("name", ["officer1", "registrar1", "inspector"])
def test_other_roles_cannot_publish(web_user, world, name) -> None:  # noqa: ANN001
    assert _publish(web_user(name)).status_code == 403


def test_a_leader_publishes_only_in_scope_and_cannot_withdraw(web_user, world, session_factory) -> None:  # noqa: ANN001
    leader2 = web_user("leader2")                    # scoped to township T2
    assert _publish(leader2, COUNTY).status_code == 403
    assert _state(leader2, T2) == [False, True]       # may publish its own township
    leader = web_user("leader")
    assert _state(leader) == [False, True]
    resp = _publish(leader)
    assert resp.status_code == 200 and "text-success" in json.dumps(resp.get_json(), ensure_ascii=False)
    assert _state(leader) == [True, True]             # published: no button, and a leader cannot withdraw
    assert _withdraw(leader, "不对").status_code == 403
    admin = web_user("county_admin")
    assert _state(admin) == [True, False]
    refused = json.dumps(_withdraw(admin, "").get_json(), ensure_ascii=False)
    assert "text-danger" in refused and "原因" in refused
    assert "text-success" in json.dumps(_withdraw(admin, "口径调整").get_json(), ensure_ascii=False)
    with session_factory() as s:
        pub = s.scalars(select(PeriodPublication)).one()
        assert pub.withdrawn_at is not None and pub.withdrawn_by == world["users"]["county_admin"]
    assert _state(admin) == [False, True]


def test_the_commands_publish_and_withdraw(server, world, session_factory) -> None:  # noqa: ANN001
    from tests.imports.test_imports_rates import cli
    assert cli(server, "publish-period", "--area", COUNTY, "--term", TERM).exit_code == 0
    again = cli(server, "publish-period", "--area", COUNTY, "--term", TERM)
    assert again.exit_code != 0 and "already published" in again.output
    no_reason = cli(server, "withdraw-publication", "--area", COUNTY, "--term", TERM, "--reason", " ")
    assert no_reason.exit_code != 0 and "reason" in no_reason.output
    assert cli(server, "withdraw-publication", "--area", COUNTY, "--term", TERM, "--reason", "重算").exit_code == 0
    with session_factory() as s:
        entries = s.scalars(select(AuditLog).where(AuditLog.entity == "period").order_by(AuditLog.id)).all()
        assert [e.actor for e in entries] == ["cli:publish-period", "cli:withdraw-publication"]
