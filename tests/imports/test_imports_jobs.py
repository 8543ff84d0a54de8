"""The pieces under the Imports page: the background callback managers, the per-user job files, the
report workbook, and the wording of every problem reason an import gives."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import time
from pathlib import Path

import diskcache
import openpyxl
import pytest

from components.imports.report import REASONS, match_reason, reason_text
from domain.imports.results import ImportResult, MissingStudent
from data_access.imports.jobs import JobStore, result_of
from domain.imports.results import ImportProblem
from data_access.imports.report import ReportLabels, report_workbook
from data_access.imports.files import import_areas, import_population, import_roster, import_schools
from tests.imports.test_imports import DATA, ERROR_FILES, TERM
from web.jobs import ThreadDiskcacheManager, background_manager, job_gettext

# --- every reason an import gives has a wording template --------------------------------------------------


@pytest.fixture
def reasons(session_factory) -> set[str]:  # noqa: ANN001
    """The reasons of every error file in tests/data, imported against the fixture areas and schools."""
    found: set[str] = set()
    with session_factory() as s, s.begin():
        import_areas(s, DATA / "areas.csv")
        import_schools(s, DATA / "schools.csv")
    for path in sorted(DATA.iterdir()):
        for fn, args in ((import_roster, (TERM,)), (import_population, ()), (import_areas, ()), (import_schools, ())):
            with session_factory() as s:
                s.begin()
                found |= {p.reason for p in fn(s, path, *args).problems}
                s.rollback()
    return found


def test_every_reason_of_the_error_files_has_a_template(reasons: set[str]) -> None:
    assert len(reasons) > 20
    assert {r for r in reasons if match_reason(r) is None} == set()
    assert {e[4] for e in ERROR_FILES} <= reasons


@pytest.mark.parametrize(("reason", "template", "values"), [
    ("must be 12 digits, not 11", "must be %(digits)s digits, not %(count)s", {"digits": "12", "count": "11"}),
    ("must be 10 digits", "must be %(digits)s digits", {"digits": "10"}),
    ("appears more than once (first on row 2)", "appears more than once (first on row %(row)s)", {"row": "2"}),
    ("the birth date in the ID number is 2015-03-05, but 出生日期 is 2015-03-06",
     "the birth date in the ID number is %(id_date)s, but %(column)s is %(date)s",
     {"id_date": "2015-03-05", "column": "出生日期", "date": "2015-03-06"}),
    ("is a village, not a township or village", "is a %(level)s, not a %(levels)s",
     {"level": "village", "levels": "township or village"}),
    ("term code '2024-3' is not of the form YYYY-1 or YYYY-2", "term code %(term)s is not of the form YYYY-1 or YYYY-2",
     {"term": "'2024-3'"}),
])
def test_reasons_split_into_template_and_values(reason: str, template: str, values: dict[str, str]) -> None:
    assert match_reason(reason) == (template, values)


def test_reason_templates_are_distinct_and_unknown_reasons_pass_through(server) -> None:  # noqa: ANN001
    assert len(set(REASONS)) == len(REASONS)
    with server.test_request_context():
        assert reason_text("something new") == "something new"
        assert reason_text("must be 12 digits, not 11") in ("must be 12 digits, not 11", "应为 12 位数字，实际为 11 位")


# --- report workbook ------------------------------------------------------------------------------------------

LABELS = ReportLabels(title="Import report: r.csv", summary="refused", problems_sheet="Problems",
                      problem_headings=("Row", "Column", "Value", "Reason"), not_listed="… and 5 more",
                      missing_sheet="Missing", missing_headings=("No", "Name", "Code", "School", "Grade", "Class",
                                                                 "Status"), missing_note="1 missing")


def test_report_workbook_lists_problems_and_missing_students() -> None:
    refused = ImportResult("roster", False, problems=[ImportProblem(2, "学校标识码", "0012345678", "no school with this "
                                                                    "code is imported")], problem_count=6)
    sheet = openpyxl.load_workbook(io.BytesIO(report_workbook(refused, LABELS, str.upper))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[3][:4] == ("Row", "Column", "Value", "Reason")
    assert rows[4][:4] == (2, "学校标识码", "0012345678", "NO SCHOOL WITH THIS CODE IS IMPORTED")   # code kept as text
    assert rows[-1][0] == "… and 5 more"
    accepted = ImportResult("roster", True, 1, missing_students=[MissingStudent("G1", "甲", "2153000001", "一小", 3,
                                                                                "1班", "在读", "2024-1")],
                            missing_count=1)
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(accepted, LABELS)))
    assert book.sheetnames == ["Missing"]
    assert list(book.worksheets[0].iter_rows(values_only=True))[4] == ("G1", "甲", "2153000001", "一小", 3, "1班", "在读")


# --- job files ------------------------------------------------------------------------------------------------

def test_job_store_keeps_each_users_files_apart(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    upload = store.save_upload(1, "../../etc/roster.CSV", b"data")
    assert store.upload_path(1, upload).name == f"{upload}.csv"
    assert store.upload_path(2, upload) is None                     # another user's folder
    assert store.upload_path(1, "../1/uploads/" + upload) is None    # only plain ids
    job = store.create(1, kind="roster", file_name="r.csv", upload_id=upload)
    assert store.get(2, job) is None and store.latest(2) is None
    assert store.running(1)["id"] == job
    result = ImportResult("roster", True, 2, 1, 0, file_name="r.csv")
    store.finish(1, job, result)
    assert result_of(store.get(1, job)) == result and store.running(1) is None
    store.discard_upload(1, upload)
    assert store.upload_path(1, upload) is None


def test_a_job_silent_for_too_long_is_reported_interrupted(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    job = store.create(1, kind="roster")
    path = tmp_path / "1" / f"{job}.json"
    data = json.loads(path.read_text())
    data["updated"] = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)).isoformat()
    path.write_text(json.dumps(data))
    assert (store.get(1, job)["status"], store.get(1, job)["error"]) == ("failed", "not started")   # still queued
    assert store.running(1) is None
    running = store.create(1, kind="roster")
    store.update(1, running, status="running")
    data = json.loads((tmp_path / "1" / f"{running}.json").read_text())
    data["updated"] = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=2)).isoformat()
    (tmp_path / "1" / f"{running}.json").write_text(json.dumps(data))
    assert (store.get(1, running)["status"], store.get(1, running)["error"]) == ("failed", "interrupted")


def test_only_the_last_jobs_are_kept(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    ids = [store.create(1, kind="areas") for _ in range(12)]
    assert [j["id"] for j in store.jobs(1)] == ids[::-1][:10]


# --- background callback managers ------------------------------------------------------------------------------

def test_thread_manager_runs_a_job_and_reports_progress(tmp_path: Path) -> None:
    manager = ThreadDiskcacheManager(diskcache.Cache(str(tmp_path)))

    def slow_double(set_progress, value: int) -> int:  # noqa: ANN001
        set_progress([1, 2])
        time.sleep(0.3)
        return value * 2
    job_fn = manager.make_job_fn(slow_double, progress=True)
    job = manager.call_job_fn("key", job_fn, [21], {"args": {}})
    assert manager.job_running(job)
    for _ in range(50):
        if not manager.job_running(job):
            break
        time.sleep(0.1)
    assert not manager.job_running(job)
    assert manager.get_result("key", job) == 42
    assert manager.terminate_unhealthy_job(job) is False


def _wait(manager, job) -> None:  # noqa: ANN001
    for _ in range(100):
        if not manager.job_running(job):
            return
        time.sleep(0.1)
    raise AssertionError("the job did not end")


def test_jobs_run_in_a_child_process_with_a_memory_limit(tmp_path: Path) -> None:
    """Issue 11: a runaway job (here: 1 GB wanted, 400 MB allowed) ends in a MemoryError in its own process; the
    web process does not grow, and the browser gets the error as the job's result."""
    import resource
    manager = ThreadDiskcacheManager(diskcache.Cache(str(tmp_path)), memory_mb=400)

    def runaway(set_progress, size: int) -> int:  # noqa: ANN001
        set_progress([1, 2])
        return len(bytearray(size))

    def pid(set_progress, _value: int) -> int:  # noqa: ANN001
        return os.getpid()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    job = manager.call_job_fn("big", manager.make_job_fn(runaway, progress=True), [1 << 30], {"args": {}})
    _wait(manager, job)
    result = manager.get_result("big", job)
    assert "MemoryError" in json.dumps(result, default=str), result
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000      # KB: the web process stayed
    small = manager.call_job_fn("pid", manager.make_job_fn(pid, progress=True), [1], {"args": {}})
    _wait(manager, small)
    assert manager.get_result("pid", small) not in (None, os.getpid())              # it ran in another process


def test_background_manager_follows_the_configuration(tmp_path: Path) -> None:
    from dash import CeleryManager
    assert isinstance(background_manager(None, tmp_path), ThreadDiskcacheManager)
    assert background_manager(None, tmp_path, memory_mb=512).memory_mb == 512
    assert (tmp_path / "jobs-cache").is_dir()
    celery = background_manager("redis://127.0.0.1:6379/9", tmp_path)     # nothing connects until a job starts
    assert isinstance(celery, CeleryManager)
    assert celery.handle.conf.broker_url == "redis://127.0.0.1:6379/9"


def test_job_gettext_formats_without_a_request() -> None:
    english = job_gettext("en")
    assert english("%(phase)s: %(done)s of %(total)s", phase="Checking rows", done="1", total="2") == \
        "Checking rows: 1 of 2"
    assert isinstance(job_gettext("zh")("Checking rows"), str)
