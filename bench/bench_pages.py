"""Time every page callback and the downloads server-side, through the real routes, and print p50/p95.

    python bench/bench_pages.py --url sqlite:////tmp/baoxue_county.db [--repeat 30]
    python bench/bench_pages.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench --refresh-unit-counts

The one Dash app is pointed at the database; two users (a county leader of 532822000000 and a
province-level county_leader of 530000000000) are created if missing and log in through the real
/login form with the Flask test client. Each scenario is a hand-made POST to /_dash-update-component
(or a GET of a download route), timed with perf_counter around the test client call: warm-up once,
then --repeat timed calls, each required to answer 200. Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COUNTY, PREFECTURE, PROVINCE = "532822000000", "532800000000", "530000000000"
USERS = {"bench_county_leader": COUNTY, "bench_province_leader": PROVINCE}
PASSWORD = "bench-password-1"
HAVE_MAP = (Path(__file__).resolve().parents[1] / "pages" / "dashboard" / "map.py").exists()
PUPIL: dict[str, str] = {}   # a pupil of the county to search for by name and by ID number (main fills it)


class Client:
    """A Flask test client logged in through the real form (as tests/conftest.py's WebUser)."""

    def __init__(self, dash_app, username: str) -> None:  # noqa: ANN001
        self.app = dash_app
        self.c = dash_app.server.test_client()
        page = self.c.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        resp = self.c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        if resp.status_code != 302:
            raise SystemExit(f"login of {username} failed: HTTP {resp.status_code}")
        self.c.get("/")  # sets the _csrf_token cookie Dash sends back as X-CSRFToken
        self.csrf = self.c.get_cookie("_csrf_token").value

    def spec(self, output: str) -> tuple[list[str], list[dict], list[dict]] | None:
        """The registered callback that writes `output` ("id.prop"): its outputs, inputs and state."""
        for key, cb in self.app.callback_map.items():
            outputs = key.strip(".").split("...")
            if output in outputs:
                return outputs, cb["inputs"], cb["state"]
        return None

    def callback(self, output: str, values: dict[str, object], changed: str):  # noqa: ANN201
        """POST what Dash's renderer posts for the callback writing `output`, with these input values.

        Outputs, inputs and state are read from the app's callback map, so a page that adds an output
        still gets a well-formed request; values not given are sent as None (what a fresh page has).
        """
        found = self.spec(output)
        if found is None:
            raise SystemExit(f"no callback writes {output}: the page changed; update bench/bench_pages.py")
        outputs, inputs, state = found

        def props(items: list[dict]) -> list[dict]:
            return [{"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")}
                    for i in items]
        pairs = [o.rsplit(".", 1) for o in outputs]
        body = {"output": f"..{'...'.join(outputs)}.." if len(outputs) > 1 else outputs[0],
                "outputs": [{"id": i, "property": p} for i, p in pairs] if len(outputs) > 1
                else {"id": pairs[0][0], "property": pairs[0][1]},
                "inputs": props(inputs), "state": props(state), "changedPropIds": [changed]}
        return self.c.post("/_dash-update-component", json=body, headers={"X-CSRFToken": self.csrf})

    def get(self, url: str):  # noqa: ANN201
        return self.c.get(url)


def scenarios(client: Client, sel: str, term: str, township: str | None, case_id: int | None
              ) -> list[tuple[str, Callable]]:
    """(name, call) of every page callback and download for one selection."""
    v = {"shell-selection.value": sel, "shell-term.value": term, "shell-url.pathname": "/",
         "shell-filters.data": {"selection": sel, "term": term}, "overview-trend-pick.value": "junior_dropout_rate",
         "compliance-units.value": "next"}
    s = [
        ("shell: pickers", lambda: client.callback("shell-selection.options", v, "shell-page-pickers.data")),
        ("shell: navbar", lambda: client.callback("shell-nav.children", v, "shell-url.pathname")),
        ("overview: cards+indicators+chart", lambda: client.callback("overview-cards.children", v,
                                                                     "shell-selection.value")),
        ("overview: trend", lambda: client.callback("overview-trend.figure", v, "shell-selection.value")),
        ("compliance: next level", lambda: client.callback("compliance-body.children", v, "shell-selection.value")),
        ("compliance: all schools", lambda: client.callback("compliance-body.children",
                                                            {**v, "compliance-units.value": "school"},
                                                            "compliance-units.value")),
        ("tiers", lambda: client.callback("tiers-table-box.children", v, "shell-selection.value")),
        ("rankings", lambda: client.callback("rankings-grid.rowData", v, "shell-selection.value")),
    ]
    if HAVE_MAP:
        s += map_scenarios(client, v, township)
    s += casework_scenarios(client, v, case_id)
    s += [("download: ranking.xlsx", lambda: client.get(f"/download/ranking.xlsx?term={term}&area={sel}")),
          ("download: bulletin.docx", lambda: client.get(f"/download/bulletin.docx?term={term}&area={sel}"))]
    return s


def casework_scenarios(client: Client, v: dict, case_id: int | None) -> list[tuple[str, Callable]]:
    """The casework pages: to-do & progress, the order board, the ledgers, the agreement check, a case; and the
    terms and data status page (its school table and coverage)."""
    first_block = {"startRow": 0, "endRow": 20, "sortModel": [], "filterModel": {}}
    sorted_block = {"startRow": 40, "endRow": 60, "sortModel": [{"colId": "rows", "sort": "desc"}],
                    "filterModel": {"school": {"filterType": "text", "type": "contains", "filter": "小学"}}}
    ledger = {**v, "ledger-tabs.active_tab": "confirmed", "ledger-case-pager.active_page": 1,
              "ledger-overdue.value": False}
    s = [("progress: to-do lists, figures, charts", lambda: client.callback("progress-cards.children", v,
                                                                          "shell-selection.value")),
         ("rectification: board (per township)", lambda: client.callback(
             "rect-progress.children", {**v, "rect-by.value": "township"}, "rect-by.value")),
         ("ledger: confirmed cases, page 1", lambda: client.callback("ledger-cases.children", ledger,
                                                                      "ledger-tabs.active_tab")),
         ("ledger: confirmed cases, last page", lambda: client.callback(
             "ledger-cases.children", {**ledger, "ledger-case-pager.active_page": 10 ** 6},
             "ledger-case-pager.active_page")),
         ("inspection: visit list, page 1", lambda: client.callback(
             "inspection-list.children", {**v, "inspection-pager.active_page": 1}, "shell-term.value")),
         ("inspection: coverage of the term", lambda: client.callback("coverage-zones.children", v,
                                                                       "shell-term.value")),
         ("inspection: coverage of one county", lambda: client.callback(
             "coverage-zones.children", {**v, "coverage-county.value": COUNTY}, "coverage-county.value")),
         ("early warning: list and counts", lambda: client.callback(
             "warn-county.children", {**v, "warn-refresh.data": 0, "warn-pick-county.value": None}, "shell-term.value")),
         ("early warning: one county's list", lambda: client.callback(
             "warn-county.children", {**v, "warn-refresh.data": 0, "warn-pick-county.value": COUNTY},
             "warn-pick-county.value")),
         ("students: search by name", lambda: client.callback(
             "students-hits.options", {"students-go.n_clicks": 1, "students-text.value": PUPIL.get("name")},
             "students-go.n_clicks")),
         ("students: search by ID number", lambda: client.callback(
             "students-hits.options", {"students-go.n_clicks": 1, "students-text.value": PUPIL.get("id_number")},
             "students-go.n_clicks")),
         ("inbox: work waiting", lambda: client.callback("inbox-list.children", {"shell-url.pathname": "/inbox"},
                                                         "shell-url.pathname")),
         ("rectification: filters", lambda: client.callback("rect-f-team.options", {"rect-init.data": 1},
                                                            "rect-init.data")),
         ("reports: duties and what came in", lambda: client.callback(
             "reports-mine.children", {"reports-refresh.data": 0}, "reports-refresh.data")),
         ("reports: one county's units", lambda: client.callback(
             "reports-mine.children", {"reports-refresh.data": 0, "reports-county.value": COUNTY},
             "reports-county.value")),
         ("reports: monthly reports", lambda: client.callback("reports-monthly.children", {"reports-refresh.data": 0},
                                                              "reports-refresh.data")),
         ("reports: central notices picker", lambda: client.callback(
             "reports-central-pick.options", {"reports-refresh.data": 0}, "reports-refresh.data")),
         ("audit log: first page", lambda: client.callback("audit-table.children", {"audit-pager.active_page": 1},
                                                           "audit-pager.active_page")),
         ("users: the list", lambda: client.callback("users-list.children", {"users-refresh.data": 0},
                                                     "users-refresh.data")),
         ("targets: the policies", lambda: client.callback("targets-list.children",
                                                           {"shell-url.pathname": "/admin/targets"},
                                                           "shell-url.pathname")),
         ("ledger: school-age children grid", lambda: client.callback(
             "ledger-grid-box.children", {**ledger, "ledger-tabs.active_tab": "children"}, "ledger-tabs.active_tab")),
         ("ledger: children grid, first block", lambda: client.callback(
             "ledger-grid.getRowsResponse", {**ledger, "ledger-grid.getRowsRequest": first_block},
             "ledger-grid.getRowsRequest")),
         ("ledger: children grid, largest gaps first", lambda: client.callback(
             "ledger-grid.getRowsResponse", {**ledger, "ledger-grid.getRowsRequest": {
                 "startRow": 0, "endRow": 20, "sortModel": [{"colId": "gap", "sort": "desc"}], "filterModel": {}}},
             "ledger-grid.getRowsRequest")),
         ("agreement: cases against roster", lambda: client.callback("agreement-counts.children", v,
                                                                     "shell-term.value")),
         ("data status: terms, headline, refusals", lambda: client.callback("status-schools.children", v,
                                                                           "shell-term.value")),
         ("data status: school grid, first block", lambda: client.callback(
             "status-schools-grid.getRowsResponse", {**v, "status-schools-grid.getRowsRequest": first_block},
             "status-schools-grid.getRowsRequest")),
         ("data status: school grid, sorted and filtered", lambda: client.callback(
             "status-schools-grid.getRowsResponse", {**v, "status-schools-grid.getRowsRequest": sorted_block},
             "status-schools-grid.getRowsRequest")),
         ("data status: township coverage grid", lambda: client.callback("status-coverage.children", v,
                                                                         "shell-term.value")),
         ("data status: township coverage, first block", lambda: client.callback(
             "status-coverage-grid.getRowsResponse", {**v, "status-coverage-grid.getRowsRequest": first_block},
             "status-coverage-grid.getRowsRequest"))]
    if case_id is not None:
        s.append(("case page", lambda: client.callback("case-header.children", {"case-id.data": case_id},
                                                       "case-id.data")))
    return s


def ensure_cases(factory, term: str) -> int | None:  # noqa: ANN001
    """A case of the county to open in the case page; on a database without cases (the province bench),
    first open the confirmed cases of every 辍学 roster line of the term (timed: what a roster import pays)."""
    from sqlalchemy import func, select, text
    from data_access import audit
    from data_access.cases.cases import open_cases_from_roster
    from data_access.models import School
    from data_access.models import DropoutCase
    with factory() as s:
        empty = not s.scalar(select(func.count()).select_from(DropoutCase))
    if empty:
        t0 = time.perf_counter()
        with audit.acting_as(None, "bench"), factory() as s, s.begin():
            n = open_cases_from_roster(s, None, term, list(s.scalars(select(School.id))))
        print(f"open_cases_from_roster (every school, term {term}): {n:,} cases in "
              f"{time.perf_counter() - t0:.1f} s")
        with factory() as s, s.begin():
            if s.get_bind().dialect.name == "postgresql":   # as autovacuum would (it is off on the CI/dev server)
                s.execute(text("ANALYZE dropout_case, case_event"))
    with factory() as s:
        return s.scalar(select(DropoutCase.id).where(DropoutCase.township_code.like(COUNTY[:6] + "%"))
                        .order_by(DropoutCase.id).limit(1))


def ensure_scores(factory, term: str) -> None:  # noqa: ANN001
    """Early-warning scores of the county's pupils (the province seed scores none): what its roster import's
    background refresh stores (timed), so that the county's list and counts have rows to read."""
    from sqlalchemy import select, text
    from data_access.models import RiskScore, School
    from data_access.warning.scoring import refresh_scores
    with factory() as s:
        if s.scalar(select(RiskScore.student_id).where(RiskScore.term_code == term).limit(1)) is not None:
            return
    t0 = time.perf_counter()
    with factory() as s, s.begin():
        schools = list(s.scalars(select(School.id).where(School.township_code.like(COUNTY[:6] + "%"))))
        n = refresh_scores(s, term, schools)
    print(f"refresh_scores (the county's {len(schools)} schools, term {term}): {n:,} pupils in "
          f"{time.perf_counter() - t0:.1f} s")
    with factory() as s, s.begin():
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("ANALYZE risk_score"))


def pupil_to_find(factory) -> dict[str, str]:  # noqa: ANN001
    """The name and ID number of a pupil of the county (the middle one by id) for the student search."""
    from sqlalchemy import func, select
    from data_access.models import RosterRecord, School, Student
    with factory() as s:
        ids = select(RosterRecord.student_id).join(School, School.id == RosterRecord.school_id).where(
            School.township_code.like(COUNTY[:6] + "%")).scalar_subquery()
        middle = s.scalar(select(func.max(Student.id)).where(Student.id.in_(ids)))
        name, number = s.execute(select(Student.name, Student.id_number).where(Student.id == middle)).one()
    return {"name": name, "id_number": number}


def map_scenarios(client: Client, v: dict, township: str | None) -> list[tuple[str, Callable]]:
    """The map's callbacks: indicator options, first draw (geometry), indicator change (Patch), drill-down."""
    v = {**v, "map-indicator.value": "junior_dropout_rate", "map-drill.data": None, "map-shown.data": None}
    first = client.callback("map-graph.figure", v, "shell-selection.value")
    answer = first.get_json().get("response", {}) if first.status_code == 200 else {}
    shown = answer.get("map-shown", {}).get("data")
    drawn = answer.get("map-graph-box", {}).get("style") != {"display": "none"}
    patched = {**v, "map-shown.data": shown}
    figure, change = (("map: figure (first draw, geometry)", "map: indicator change (Patch)") if drawn else
                      ("map: table only (no boundaries here)", "map: indicator change (table only)"))
    s = [("map: indicator options", lambda: client.callback("map-indicator.options", {**v, "map-indicator.value": None},
                                                            "shell-selection.value")),
         (figure, lambda: client.callback("map-graph.figure", v, "shell-selection.value")),
         (change, lambda: client.callback("map-graph.figure", {**patched, "map-indicator.value": "primary_dropout_rate"},
                                          "map-indicator.value"))]
    if township:
        drilled = {**patched, "map-drill.data": township}
        s += [("map: drill-down outline (Patch)", lambda: client.callback("map-graph.figure", drilled,
                                                                          "map-drill.data")),
              ("map: drill-down township detail", lambda: client.callback("map-detail.style", drilled,
                                                                          "map-drill.data"))]
    return s


def timed(call: Callable, repeat: int, name: str) -> tuple[list[float], list[float], int]:
    """Warm up once, then time `repeat` calls: wall ms, this process's CPU ms; every answer must be HTTP 200."""
    def once() -> tuple[float, float, int]:
        c0, t0 = time.process_time(), time.perf_counter()
        resp = call()
        ms, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
        if resp.status_code not in (200, 204):   # (204: a callback that changed nothing)
            raise SystemExit(f"{name}: HTTP {resp.status_code}: {resp.get_data(as_text=True)[:400]}")
        return ms, cpu, len(resp.get_data())
    size = once()[2]
    runs = [once() for _ in range(repeat)]
    return [r[0] for r in runs], [r[1] for r in runs], size


class RawSql:
    """The SELECTs a callback sends to the database, recorded during one call and replayed on a raw DBAPI
    connection (execute + fetchall, no ORM, no Dash): the callback's time over that is its cost above raw SQL."""

    def __init__(self, engine) -> None:  # noqa: ANN001
        from sqlalchemy import event
        self.engine, self.recording, self.statements = engine, False, []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if self.recording and not executemany and re.match(r"\s*(SELECT|WITH)\b", statement, re.I):
            self.statements.append((statement, parameters))

    def record(self, call: Callable) -> list[tuple[str, object]]:
        self.statements, self.recording = [], True
        try:
            call()
        finally:
            self.recording = False
        return self.statements

    def replay(self, statements: list[tuple[str, object]], repeat: int) -> list[float]:
        """Wall ms of running the statements one after another, `repeat` times (after one warm-up)."""
        conn = self.engine.raw_connection()
        try:
            times = []
            for i in range(repeat + 1):
                t0 = time.perf_counter()
                cur = conn.cursor()
                for statement, params in statements:
                    cur.execute(statement, params)
                    cur.fetchall()
                cur.close()
                if i:
                    times.append((time.perf_counter() - t0) * 1000)
            conn.rollback()
            return times
        finally:
            conn.close()


def ratio_row(name: str, ms: list[float], statements: int, sql: list[float], floor: float) -> str:
    """A callback's p50 against its raw SQL's, and (`floor`: the p50 of a callback that does nothing, as the same
    user) the same less what every callback costs before it does anything."""
    p50, sql50 = statistics.median(ms), statistics.median(sql)
    ratio = p50 / sql50 if sql50 > 0 else float("inf")
    above = max(p50 - floor, 0.0) / sql50 if sql50 > 0 else float("inf")
    return f"| {name:<46} | {p50:>8.1f} | {statements:>5} | {sql50:>8.1f} | {ratio:>6.1f}× | {above:>10.1f}× |"


RATIO_HEADER = (f"| {'scenario':<46} | {'p50 ms':>8} | {'SELECTs':>5} | {'raw SQL':>8} | {'ratio':>7} | "
                f"{'above floor':>11} |\n"
                f"|{'-' * 48}|{'-' * 9}:|{'-' * 8}:|{'-' * 9}:|{'-' * 8}:|{'-' * 12}:|")


def floor_call(client: Client, sel: str, term: str) -> Callable:
    """A callback that does nothing: the pickers of a page whose pickers are filled (it answers 204 at once). Its
    time is what every callback costs before its own work: Flask, the session, the user's row, CSRF, Dash's
    dispatch."""
    v = {"shell-selection.value": sel, "shell-term.value": term, "shell-selection.options": [{"label": sel,
                                                                                              "value": sel}]}
    return lambda: client.callback("shell-selection.options", v, "shell-page-pickers.data")


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of the timings."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * len(s) + 0.5) - 1))]


def row(name: str, ms: list[float], cpu: list[float] | None = None, size: int | None = None) -> str:
    kb = f"{size / 1024:>9,.0f}" if size is not None else " " * 9
    cpu_p95 = f"{pct(cpu, 0.95):>8.1f}" if cpu else " " * 8
    return (f"| {name:<46} | {len(ms):>3} | {statistics.median(ms):>8.1f} | {pct(ms, 0.95):>8.1f} | "
            f"{max(ms):>8.1f} | {cpu_p95} | {kb} |")


HEADER = (f"| {'scenario':<46} | {'n':>3} | {'p50 ms':>8} | {'p95 ms':>8} | {'max ms':>8} | {'CPU p95':>8} | "
          f"{'resp. KB':>9} |\n"
          f"|{'-' * 48}|{'-' * 4}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 10}:|")


def load() -> str:
    """The 1/5/15-minute load averages (other work on the machine inflates the figures)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def wait_idle(limit: float, threshold: float = 0.7) -> None:
    """Wait up to `limit` seconds for the 1-minute load average to fall below `threshold`."""
    end = time.monotonic() + limit
    while os.getloadavg()[0] >= threshold and time.monotonic() < end:
        time.sleep(5)


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) // 1024 // 1024 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    return f"nproc {os.cpu_count()} ({cpu}), {mem} GB RAM, Python {platform.python_version()}, {platform.system()}"


def bring_schema_up_to_date(engine, factory, refresh: bool) -> None:  # noqa: ANN001
    """Create the tables the models have and the database lacks (checkfirst: existing tables are kept,
    so a bench database built by an older demo generator gains e.g. unit_counts); optionally refresh
    unit_counts for every term in one transaction, timed (what an import pays)."""
    from sqlalchemy import inspect
    from data_access.models import Base
    from data_access.analytics.unit_counts import refresh_terms
    before = set(inspect(engine).get_table_names())
    t0 = time.perf_counter()
    Base.metadata.create_all(engine)
    created = sorted(set(inspect(engine).get_table_names()) - before)
    print(f"create_all (checkfirst): {time.perf_counter() - t0:.1f} s; created: {', '.join(created) or 'nothing'}")
    t2 = time.perf_counter()
    made = []
    for table in Base.metadata.sorted_tables:  # indexes the models have on tables that existed (e.g. ix_roster_dropped)
        if table.name in before:
            have = {i["name"] for i in inspect(engine).get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in have:
                    index.create(engine)
                    made.append(index.name)
    if made:
        print(f"indexes created: {', '.join(made)} in {time.perf_counter() - t2:.1f} s")
    from sqlalchemy import select
    from data_access.models import SchoolAgeLine, Term
    with factory() as s:
        empty = s.scalar(select(SchoolAgeLine.id).limit(1)) is None and s.scalar(select(Term.code).limit(1))
    if empty:  # a database loaded before the stored school-age lines: fill them, timed
        from data_access.analytics.age_lines import refresh_age_lines
        t3 = time.perf_counter()
        with factory() as s, s.begin():
            for term in s.scalars(select(Term.code)).all():
                refresh_age_lines(s, term)
        print(f"refresh_age_lines (every term, whole term, one transaction): {time.perf_counter() - t3:.1f} s")
    if refresh:
        t1 = time.perf_counter()
        with factory() as s, s.begin():
            refresh_terms(s)
        print(f"refresh_terms (every term, one transaction): {time.perf_counter() - t1:.1f} s")


def ensure_users(factory) -> None:  # noqa: ANN001
    from sqlalchemy import select
    from data_access import audit
    from data_access.models import User
    from data_access.admin.users import create_user
    with audit.acting_as(None, "bench"), factory() as s, s.begin():
        for name, area in USERS.items():
            if s.scalar(select(User.id).where(User.username == name)) is None:
                create_user(s, name, PASSWORD, "county_leader", area)


def database_facts(factory) -> tuple[str, list[str], str, bool, str | None]:
    """(description, newest-first terms, row counts line, province scale?, drill-down township)."""
    from sqlalchemy import func, select, text
    from data_access.models import Area, School
    from data_access.queries import term_codes
    with factory() as s:
        dialect = s.bind.dialect.name
        version = s.scalar(text("select sqlite_version()" if dialect == "sqlite" else "show server_version"))
        counts = {t: s.scalar(text(f"select count(*) from {t}"))
                  for t in ("student", "roster_record", "roster_agg", "unit_counts", "school", "area")}
        counties = s.scalar(select(func.count()).where(Area.level == "county"))
        township = s.scalar(select(School.township_code).where(School.township_code.like(COUNTY[:6] + "%"))
                            .group_by(School.township_code).order_by(func.count().desc()).limit(1))
        terms = term_codes(s)
    line = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    return f"{dialect} {version}", terms, line, counties > 1, township


def export_1400(server, factory, client: Client, term: str, repeat: int) -> list[str]:  # noqa: ANN001
    """Time a ranking export of ~1,400 townships: through the route when an area has that many township
    children, else the builders for the province's townships (load_report + wording + xlsx)."""
    from sqlalchemy import func, select
    from data_access.analytics.report import load_report
    from documents.exports import bulletin_document, ranking_workbook
    from data_access.models import Area, User
    from data_access.scope import scope_for_user
    from web.downloads import bulletin_data, ranking_data
    with factory() as s:
        widest = s.execute(select(Area.parent_code, func.count()).where(Area.level == "township")
                           .group_by(Area.parent_code).order_by(func.count().desc()).limit(1)).first()
        n = s.scalar(select(func.count()).where(Area.level == "township", Area.code.like(PROVINCE[:2] + "%")))
    if widest and widest[1] >= 1000:
        url = f"/download/ranking.xlsx?term={term}&area={widest[0]}"
        ms, cpu_ms, size = timed(lambda: client.get(url), repeat, url)
        return [f"Ranking export through the route for {widest[0]} ({widest[1]:,} townships):", HEADER,
                row(f"export {widest[1]:,}: GET ranking.xlsx", ms, cpu_ms, size)]
    lines = [f"Widest unit with township children: {widest[0]} ({widest[1]} townships); no route export "
             f"reaches ~1,400, so the builders are called directly for the {n:,} townships of {PROVINCE}:"]
    names = ("load_report", "ranking_data (wording)", "ranking_workbook (xlsx)", "ranking total",
             "bulletin (data + docx)")
    wall: dict[str, list[float]] = {k: [] for k in names}
    cpu: dict[str, list[float]] = {k: [] for k in names}
    with factory() as s:  # the province user's own scope, resolved as at login
        scope = scope_for_user(s, s.scalar(select(User).where(User.username == "bench_province_leader")))
    with server.test_request_context("/"):
        for i in range(repeat + 1):
            marks = [(time.perf_counter(), time.process_time())]
            with factory() as s:
                report = load_report(s, scope, PROVINCE, "township", term)
            marks.append((time.perf_counter(), time.process_time()))
            data = ranking_data(report, "云南省", dt.date.today())
            marks.append((time.perf_counter(), time.process_time()))
            book = ranking_workbook(data)
            marks.append((time.perf_counter(), time.process_time()))
            bulletin_document(bulletin_data(report, "云南省", dt.date.today()))
            marks.append((time.perf_counter(), time.process_time()))
            if i == 0:
                size, units = len(book), len(report.units)
                continue
            spans = ((0, 1), (1, 2), (2, 3), (0, 3), (3, 4))
            for k, (x, y) in zip(names, spans):
                wall[k].append((marks[y][0] - marks[x][0]) * 1000)
                cpu[k].append((marks[y][1] - marks[x][1]) * 1000)
    lines.append(f"({units:,} units ranked, workbook {size / 1024:,.0f} KB)")
    lines.append(HEADER)
    lines += [row(f"export {units:,}: {k}", wall[k], cpu[k]) for k in names]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--export-repeat", type=int, default=5, help="repeats of the 1,400-township export")
    parser.add_argument("--term", default=None, help="default: the newest term")
    parser.add_argument("--only", default=None,
                        help="run only scenarios whose name contains this (several: separated by commas)")
    parser.add_argument("--refresh-unit-counts", action="store_true",
                        help="first create missing tables and refresh unit_counts for every term (timed)")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="first wait up to this long for the 1-minute load average to drop below 0.7")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="call gc.freeze() after start-up (shows what the recommended start-up change does)")
    parser.add_argument("--profile", default=None, metavar="SUBSTRING",
                        help="profile (pyinstrument if installed, else cProfile) the matching scenarios")
    parser.add_argument("--raw-sql", action="store_true",
                        help="also replay each callback's SELECTs on a raw DBAPI connection and print the ratio of "
                             "the callback's p50 to that raw SQL (issue 19 item 3)")
    args = parser.parse_args(argv)
    os.environ.setdefault("BAOXUE_DATABASE_URL", args.url)
    import app as app_module
    from data_access.db import make_engine
    server = app_module.app.server
    server.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    server.config["SEARCH_RATE_LIMIT"] = "100000 per minute"   # (the student search scenarios repeat)
    ext = server.extensions["baoxue"]
    ext.use_engine(make_engine(args.url))
    bring_schema_up_to_date(ext.engine, ext.session_factory, args.refresh_unit_counts)
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
        print(f"gc.freeze(): {gc.get_freeze_count():,} start-up objects moved to the permanent generation")
    ensure_users(ext.session_factory)
    db, terms, counts, province, township = database_facts(ext.session_factory)
    term = args.term or terms[0]
    case_id = ensure_cases(ext.session_factory, term)
    ensure_scores(ext.session_factory, term)
    PUPIL.update(pupil_to_find(ext.session_factory))
    wait_idle(args.wait_idle)
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"machine: {machine()}")
    print(f"database: {db} ({ext.engine.url.render_as_string(hide_password=True)}), term {term}")
    print(f"rows: {counts}")
    print(f"map page: {'present' if HAVE_MAP else 'absent'}; drill-down township: {township}")
    runs = [("county leader", "bench_county_leader", COUNTY)]
    if province:
        runs += [("province leader", "bench_province_leader", PROVINCE),
                 ("province leader", "bench_province_leader", PREFECTURE)]
    print(f"load average at start: {load()}")
    print(HEADER)
    raw = RawSql(ext.engine) if args.raw_sql else None
    ratios = []
    clients = {}
    for who, username, sel in runs:
        client = clients.setdefault(username, Client(app_module.app, username))
        floor = 0.0
        if raw is not None:
            floor_ms = timed(floor_call(client, sel, term), args.repeat, "floor")[0]
            floor = statistics.median(floor_ms)
            print(row(f"{sel[:6]} floor: a callback that does nothing", floor_ms), flush=True)
        for name, call in scenarios(client, sel, term, township if sel == COUNTY else None,
                                    case_id if sel == COUNTY else None):
            label = f"{sel[:6]} {name}"
            if args.only and not any(part in label for part in args.only.split(",")):
                continue
            if args.profile and args.profile in label:
                profile(label, call, args.repeat)
                continue
            ms, cpu, size = timed(call, args.repeat, label)
            print(row(label, ms, cpu, size), flush=True)
            if raw is not None and not name.startswith("download"):
                statements = raw.record(call)
                if os.environ.get("BENCH_SHOW_SQL"):
                    print("\n".join("    " + " ".join(st.split())[:160] for st, _p in statements))
                ratios.append(ratio_row(label, ms, len(statements), raw.replay(statements, args.repeat), floor))
    if ratios:
        print("\nEach callback against its SELECTs replayed raw (execute + fetchall on the DBAPI connection, p50 ms); "
              "above floor: less the p50 of a callback that does nothing:")
        print(RATIO_HEADER)
        print("\n".join(ratios))
    if province and not args.only:
        client = clients["bench_province_leader"]
        print("\n".join(export_1400(server, ext.session_factory, client, term, args.export_repeat)))
    print(f"load average at end: {load()}")
    return 0


def profile(label: str, call: Callable, repeat: int) -> None:
    """Print where the time of `repeat` calls goes."""
    call()
    if os.environ.get("BENCH_PROFILE_PACKAGES"):
        profile_packages(label, call, repeat)
        return
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats
        prof = cProfile.Profile()
        prof.runcall(lambda: [call() for _ in range(repeat)])
        print(f"--- cProfile: {label} ({repeat} calls)")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        return
    prof = Profiler(interval=0.0005)
    prof.start()
    for _ in range(repeat):
        call()
    prof.stop()
    print(f"--- pyinstrument: {label} ({repeat} calls)")
    print(prof.output_text(unicode=True, color=False, show_all=bool(os.environ.get("BENCH_PROFILE_ALL"))))


def profile_packages(label: str, call: Callable, repeat: int) -> None:
    """Own time (cProfile's tottime) of `repeat` calls summed by package: the app's layers by folder, each library
    by name, the database driver's waiting apart (BENCH_PROFILE_PACKAGES=1)."""
    import cProfile
    import pstats
    prof = cProfile.Profile()
    prof.runcall(lambda: [call() for _ in range(repeat)])
    root = str(Path(__file__).resolve().parents[1]) + os.sep
    totals: dict[str, float] = {}
    for (path, _line, func), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(prof).stats.items():
        if "site-packages" in path:
            key = path.split("site-packages" + os.sep, 1)[1].split(os.sep)[0].removesuffix(".py")
        elif path.startswith(root):
            key = path[len(root):].split(os.sep)[0].removesuffix(".py")
        elif path == "~":
            key = f"built-in {func}" if any(w in func for w in ("execute", "fetch", "wait", "poll", "recv",
                                                                "send", "select", "loads", "dumps", "encode"))\
                else "built-in, other"
        else:
            key = "python stdlib: " + Path(path).stem
        totals[key] = totals.get(key, 0.0) + tottime
    whole = sum(totals.values())
    print(f"--- own time by package: {label} ({repeat} calls, {whole / repeat * 1000:.2f} ms a call under cProfile)")
    for key, t in sorted(totals.items(), key=lambda kv: -kv[1])[:25]:
        print(f"{key:<48} {t / repeat * 1000:7.2f} ms  {t / whole:6.1%}")
    inside = os.environ.get("BENCH_PROFILE_INSIDE")     # a package's own functions too, e.g. sqlalchemy
    if inside:
        mine = [(tottime, cumtime, path, line, func) for (path, line, func), (_cc, _nc, tottime, cumtime, _callers)
                in pstats.Stats(prof).stats.items() if f"{os.sep}{inside}{os.sep}" in path]
        print(f"--- {inside}: own time by function (cumulative beside it)")
        for tottime, cumtime, path, line, func in sorted(mine, reverse=True)[:30]:
            where = path.split(f"{os.sep}{inside}{os.sep}", 1)[1]
            print(f"{where}:{line} {func:<40} {tottime / repeat * 1000:7.3f} ms {cumtime / repeat * 1000:8.3f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
