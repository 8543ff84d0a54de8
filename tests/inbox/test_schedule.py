"""Scheduled work (issue 18.6) and the monthly report (18.2): `run-schedule` makes the county's monthly report and
bulletin drafts once per period and puts them in the inbox of the county leaders and admins (a second run makes
no duplicate); the draft downloads for them only; `monthly-report --issue` numbers it in the register; e-mail
digests go through a real local SMTP server only when BAOXUE_SMTP_HOST is set."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import socketserver
import threading
from collections.abc import Iterator

import docx
import pytest
from sqlalchemy import func, select, update

from data_access.inbox.duties import set_duty, submit_report
from data_access.inbox.items import inbox_items
from data_access.inspection.access import Actor
from data_access.models import IssuedDocument, ScheduledDraft, User
from data_access.scope import Scope
from tests import factories as f
from tests.admin.conftest import COUNTY, S1, S2, T1, world  # noqa: F401 - the fixture
from tests.imports.test_imports_rates import cli

TODAY = "2026-12-04"
DAY = dt.date(2026, 12, 4)


def _text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    heads = [p.text for sec in document.sections for p in sec.header.paragraphs]
    return "\n".join(heads + [p.text for p in document.paragraphs] + cells)


def _setup(session_factory, world) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        duty = set_duty(s, COUNTY, "控辍保学月报", "school", "monthly", 5, since=dt.date(2026, 10, 1))
        submit_report(s, Scope("school_staff", school_id=world["schools"][S1]), "school_staff",
                      world["users"]["registrar1"], duty.id, "2026-11", S1, "本月无新增辍学", DAY)


def _leader_items(session_factory, world) -> list:  # noqa: ANN001
    with session_factory() as s:
        actor = Actor(world["users"]["leader"], "county_leader", Scope("county_leader", areas=((COUNTY, "county"),)))
        return [i for i in inbox_items(s, actor, DAY) if i.kind == "draft_ready"]


def test_run_schedule_makes_the_monthly_report_once_and_puts_it_in_the_issuers_inbox(
        server, world, session_factory, web_user) -> None:  # noqa: ANN001
    _setup(session_factory, world)
    first = cli(server, "run-schedule", "--date", TODAY)
    assert first.exit_code == 0, first.output
    assert f"made monthly_report:{COUNTY}:2026-11" in first.output
    assert "digests sent: 0" in first.output                      # no SMTP configured: nothing sent
    second = cli(server, "run-schedule", "--date", TODAY)
    assert second.exit_code == 0 and f"already made monthly_report:{COUNTY}:2026-11" in second.output
    assert "made monthly_report" not in second.output.replace("already made", "")
    with session_factory() as s:
        drafts = s.scalars(select(ScheduledDraft).where(ScheduledDraft.kind == "monthly_report")).all()
        assert len(drafts) == 1                                   # the second run made no duplicate
        draft = drafts[0]
        assert draft.period_key == "2026-11" and draft.county_code == COUNTY
        text = _text(draft.docx)
    assert "控辍保学月报" in text and "2026年11月1日" in text and "草稿" in text
    assert "勐海县控辍保学月报（2026年11月）" in text and "勐海镇中心小学\n按时报送" in text and "状态" in text   # S1 sent on time
    assert text.count("即将到期") == 2 and "一、本月基本情况" in text and "应报送单位3个，已报送1个" in text
    items = _leader_items(session_factory, world)
    assert [i.href for i in items if i.place == "2026-11"] == [f"/reports/drafts/{draft.id}.docx"]
    leader = web_user("leader")
    got = leader.client.get(f"/reports/drafts/{draft.id}.docx")
    assert got.status_code == 200 and got.data == draft.docx
    assert web_user("officer1").client.get(f"/reports/drafts/{draft.id}.docx").status_code == 403
    assert web_user("leader2").client.get(f"/reports/drafts/{draft.id}.docx").status_code == 403  # a township's
    assert web_user(None).client.get(f"/reports/drafts/{draft.id}.docx").status_code in (302, 401)


def test_monthly_report_command_draft_and_issued(server, world, session_factory, tmp_path) -> None:  # noqa: ANN001
    _setup(session_factory, world)
    draft = tmp_path / "draft.docx"
    got = cli(server, "monthly-report", "--county", COUNTY, "--month", "2026-11", "--out", str(draft))
    assert got.exit_code == 0, got.output
    assert "草稿" in _text(draft.read_bytes())
    pdf = tmp_path / "draft.pdf"
    made = cli(server, "monthly-report", "--county", COUNTY, "--month", "2026-11", "--out", str(pdf))
    if made.exit_code == 0:                        # a server without a CJK font says so and writes nothing
        import pypdf
        page = pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text().replace(" ", "").replace("\x00", "")
        assert "勐海县控辍保学月报（2026年11月）" in page and "草稿" in page
    else:
        assert "no CJK font" in made.output
    with session_factory() as s:
        assert s.scalar(select(func.count(IssuedDocument.id))) == 0   # a draft is not numbered
    assert cli(server, "run-schedule", "--date", TODAY, "--no-mail").exit_code == 0
    assert [i.place for i in _leader_items(session_factory, world)].count("2026-11") == 1
    out = tmp_path / "issued.docx"
    issued = cli(server, "monthly-report", "--county", COUNTY, "--month", "2026-11", "--out", str(out), "--issue")
    assert issued.exit_code == 0, issued.output
    with session_factory() as s:
        doc = s.scalars(select(IssuedDocument)).one()
        assert doc.kind == "monthly_report" and doc.number in issued.output and doc.number in _text(out.read_bytes())
        assert "草稿" not in _text(doc.docx)
    again = cli(server, "monthly-report", "--county", COUNTY, "--month", "2026-11", "--out", str(out), "--issue")
    with session_factory() as s:
        assert s.scalar(select(func.count(IssuedDocument.id))) == 1 and doc.number in again.output  # one number
    assert "2026-11" not in [i.place for i in _leader_items(session_factory, world)]   # issued: leaves the inbox
    bad = cli(server, "monthly-report", "--county", COUNTY, "--month", "2026-13", "--out", str(out))
    assert bad.exit_code != 0


# --- a real local SMTP server: a socketserver speaking enough SMTP for smtplib --------------------
class _Smtp(socketserver.StreamRequestHandler):
    def _say(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self._say("220 sink ESMTP")
        rcpt: list[str] = []
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250-sink")
                self._say("250 8BITMIME")
            elif verb == "MAIL":
                rcpt = []
                self._say("250 OK")
            elif verb == "RCPT":
                rcpt.append(line.split(":", 1)[1].strip(" <>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 go on")
                data = b""
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b""):
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.received.append((rcpt, data))  # type: ignore[attr-defined]
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 OK")


@pytest.fixture
def smtp_sink() -> Iterator[socketserver.ThreadingTCPServer]:
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    srv.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_digests_go_out_only_when_smtp_is_configured(server, world, session_factory, smtp_sink,
                                                     monkeypatch) -> None:  # noqa: ANN001
    _setup(session_factory, world)
    with session_factory() as s, s.begin():
        s.execute(update(User).where(User.username.in_(("leader", "registrar2")))
                  .values(email="leader@example.invalid"))
        s.execute(update(User).where(User.username == "registrar2").values(email="registrar2@example.invalid"))
    monkeypatch.delenv("BAOXUE_SMTP_HOST", raising=False)
    off = cli(server, "run-schedule", "--date", TODAY)
    assert off.exit_code == 0 and "digests sent: 0" in off.output
    assert smtp_sink.received == []                                # not configured: nothing left the machine
    monkeypatch.setenv("BAOXUE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BAOXUE_SMTP_PORT", str(smtp_sink.server_address[1]))
    monkeypatch.setenv("BAOXUE_SMTP_FROM", "baoxue@example.invalid")
    monkeypatch.setenv("BAOXUE_PUBLIC_URL", "https://baoxue.example.invalid")
    on = cli(server, "run-schedule", "--date", TODAY)
    assert on.exit_code == 0 and "digests sent: 2" in on.output, on.output
    got = {tuple(rcpt): email.message_from_bytes(data, policy=email.policy.default)
           for rcpt, data in smtp_sink.received}
    assert set(got) == {("leader@example.invalid",), ("registrar2@example.invalid",)}
    leader = got[("leader@example.invalid",)]
    body = leader.get_content()
    assert "保学" in leader["Subject"] and "待办" in leader["Subject"]
    assert "- 草稿已生成：请核对并印发: 勐海县控辍保学月报（2026年11月） · 2026-11" in body
    assert "https://baoxue.example.invalid/reports/drafts/" in body and body.startswith("测试leader，您好：")
    school = got[("registrar2@example.invalid",)].get_content()
    assert "- 报送即将到期: 控辍保学月报 · 打洛镇测试中学 · 2026-11" in school   # its monthly report, due
    assert "勐海县控辍保学月报" not in school                        # drafts go to the issuers only
    again = cli(server, "run-schedule", "--date", TODAY)
    assert "digests sent: 0" in again.output and len(smtp_sink.received) == 2   # once a day


def test_run_schedule_makes_the_bulletin_draft_of_the_term_with_data(server, world, session_factory) -> None:  # noqa: ANN001
    got = cli(server, "run-schedule", "--date", "2024-10-15", "--no-mail")   # the roster of the fixture is 2024-1
    assert got.exit_code == 0 and f"made bulletin:{COUNTY}:2024-1" in got.output, got.output
    assert f"already made bulletin:{COUNTY}:2024-1" in cli(server, "run-schedule", "--date", "2024-11-20",
                                                            "--no-mail").output
    with session_factory() as s:
        [bulletin] = s.scalars(select(ScheduledDraft).where(ScheduledDraft.kind == "bulletin")).all()
        assert "通报" in _text(bulletin.docx) and bulletin.period_key == "2024-1"


def test_the_reports_page_offers_the_monthly_report_to_issuers_only(server, world, session_factory,
                                                                     web_user) -> None:  # noqa: ANN001
    import json
    _setup(session_factory, world)
    assert cli(server, "run-schedule", "--date", TODAY, "--no-mail").exit_code == 0
    leader = web_user("leader")
    monthly_in = [("reports-refresh", "data", 0), ("reports-county", "value", None)]
    panel = json.dumps(leader.callback([("reports-monthly", "children")], monthly_in).get_json(), ensure_ascii=False)
    assert "月报及待印发草稿" in panel and f"/reports/monthly.docx?county={COUNTY}&month=" in panel
    assert "/reports/drafts/" in panel and "勐海县控辍保学月报（2026年11月）" in panel
    officer = web_user("officer1")
    nothing = officer.callback([("reports-monthly", "children")], monthly_in).get_json()
    assert json.dumps(nothing).count("reports/monthly") == 0
    # above one county: the picked county's report and drafts (a province's 112 counties' links were ~1 s of a
    # busy browser); none until a county is picked, and never one outside the area
    from data_access.models import Area
    from tests.inspection.test_inspection_fixtures import PASSWORD_HASH
    with session_factory() as s, s.begin():
        if s.get(Area, "530000000000") is None:
            s.add(Area(code="530000000000", name="云南省", level="province"))
        s.add(Area(code="532823000000", name="勐腊县", level="county"))        # the province spans two counties
        f.user.create(s, username="province", role="county_leader", area_code="530000000000", display_name="p",
                      password_hash=PASSWORD_HASH)
    province = web_user("province")

    def province_panel(county: str | None) -> str:
        return json.dumps(province.callback([("reports-monthly", "children")], [
            ("reports-refresh", "data", 0), ("reports-county", "value", county)]).get_json(), ensure_ascii=False)
    assert "reports/monthly" not in province_panel(None) and "选择" in province_panel(None)
    picked = province_panel(COUNTY)
    assert f"/reports/monthly.docx?county={COUNTY}&month=" in picked and "/reports/drafts/" in picked
    assert "reports/monthly" not in province_panel("110101000000")
    got = leader.client.get(f"/reports/monthly.docx?county={COUNTY}&month=2026-11")
    assert got.status_code == 200 and "勐海县控辍保学月报（2026年11月）" in _text(got.data)
    assert officer.client.get(f"/reports/monthly.docx?county={COUNTY}&month=2026-11").status_code == 403
    assert web_user("leader2").client.get(f"/reports/monthly.docx?county={COUNTY}").status_code == 403
    assert leader.client.get(f"/reports/monthly.docx?county={COUNTY}&month=x").status_code == 400
