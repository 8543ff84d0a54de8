"""Issue 16.1 on the command line: a roster file that removes pupils is written only when confirmed
(--allow-removals N, or a yes at a terminal); without a terminal it is refused naming the flag; --dry-run
prints the preview; a file that only adds or changes rows never asks. Every import keeps its file's facts."""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from sqlalchemy import func, select

from data_access.models import ImportRecord, RosterRecord, School
from tests.imports.test_imports_rates import SCHOOL_A, TERM, _student, _write, cli, imported  # noqa: F401


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8")))


def _enrolled(server, school: str) -> int:  # noqa: ANN001
    with server.extensions["baoxue"].session_factory() as s:
        return s.scalar(select(func.count()).select_from(RosterRecord).join(School, School.id == RosterRecord.school_id)
                        .where(School.code == school, RosterRecord.term_code == TERM))


def _grade1_only(imported: dict[str, Path], tmp_path: Path) -> Path:  # noqa: F811
    rows = _rows(imported["roster"])
    return _write(tmp_path / "grade1.csv", [rows[0], *(r for r in rows[1:] if r[4] == SCHOOL_A and r[5] == "1")])


def test_a_partial_roster_is_refused_without_a_terminal_and_names_the_flag(server, imported, tmp_path) -> None:  # noqa: ANN001, F811
    partial = _grade1_only(imported, tmp_path)
    assert _enrolled(server, SCHOOL_A) == 6
    refused = cli(server, "import-roster", str(partial), "--term", TERM)
    assert refused.exit_code == 1
    assert "would remove 5 pupil(s)" in refused.output and "--allow-removals 5" in refused.output
    assert "G000000000000000001 学生1, 5328220001 一小, grade 2 1班, 在读" in refused.output   # who would leave
    assert _enrolled(server, SCHOOL_A) == 6                                                # nothing written
    dry = cli(server, "import-roster", str(partial), "--term", TERM, "--dry-run")
    assert dry.exit_code == 0 and "0 new / 0 changed / 1 unchanged / 5 removed" in dry.output
    assert "5 would leave the roster:" in dry.output and _enrolled(server, SCHOOL_A) == 6
    short = cli(server, "import-roster", str(partial), "--term", TERM, "--allow-removals", "4")
    assert short.exit_code == 1 and "more than --allow-removals 4" in short.output and _enrolled(server, SCHOOL_A) == 6
    done = cli(server, "import-roster", str(partial), "--term", TERM, "--allow-removals", "5")
    assert done.exit_code == 0, done.output
    assert "1 unchanged / 5 removed" in done.output and _enrolled(server, SCHOOL_A) == 1


def test_at_a_terminal_the_import_asks_and_writes_on_yes(server, imported, tmp_path, monkeypatch) -> None:  # noqa: ANN001, F811
    import web.cli
    monkeypatch.setattr(web.cli, "_terminal", lambda: True)
    partial = _grade1_only(imported, tmp_path)
    with server.app_context():
        no = server.test_cli_runner().invoke(args=["import-roster", str(partial), "--term", TERM], input="n\n")
    assert no.exit_code == 1 and "Remove 5 pupil(s) from the roster of 2024-1?" in no.output
    assert _enrolled(server, SCHOOL_A) == 6
    with server.app_context():
        yes = server.test_cli_runner().invoke(args=["import-roster", str(partial), "--term", TERM], input="y\n")
    assert yes.exit_code == 0, yes.output
    assert _enrolled(server, SCHOOL_A) == 1


def test_a_file_that_only_adds_or_changes_rows_never_asks(server, imported, tmp_path) -> None:  # noqa: ANN001, F811
    rows = _rows(imported["roster"])
    rows[1][7] = "休学"                                                      # one changed
    more = _write(tmp_path / "more.csv", [*rows, _student(99, SCHOOL_A, 3, "2016-03-01")])
    result = cli(server, "import-roster", str(more), "--term", TERM)
    assert result.exit_code == 0, result.output
    assert "(1 new / 1 changed / 12 unchanged)" in result.output and _enrolled(server, SCHOOL_A) == 7


def test_every_import_keeps_its_file_name_size_checksum_who_and_when(server, imported) -> None:  # noqa: ANN001, F811
    with server.extensions["baoxue"].session_factory() as s:
        records = {r.kind: r for r in s.scalars(select(ImportRecord))}
    assert set(records) == {"areas", "schools", "roster", "population", "enrollment_history"}
    roster = records["roster"]
    data = imported["roster"].read_bytes()
    assert (roster.file_name, roster.file_size, roster.sha256) == ("roster.csv", len(data),
                                                                    hashlib.sha256(data).hexdigest())
    assert roster.actor.startswith("cli:import-roster") and roster.at is not None and roster.term_code == TERM
    assert (roster.new, roster.removed, roster.undoable) == (13, 0, True)


def test_only_a_preview_lists_rows_an_import_that_writes_only_counts(server, imported, tmp_path, monkeypatch) -> None:  # noqa: ANN001, F811
    """The lists of a preview (who is new, changed, would leave; the largest share leaving one school) are built only
    when a preview is returned: a dry run, a refusal over --allow-removals, a stale confirmation. An import that
    writes needs only the counts and the digest."""
    import data_access.imports.roster as roster
    described: list[int] = []
    real = roster._describe
    monkeypatch.setattr(roster, "_describe", lambda *a, **k: described.append(1) or real(*a, **k))
    partial = _grade1_only(imported, tmp_path)
    dry = cli(server, "import-roster", str(partial), "--term", TERM, "--dry-run")
    assert "5 would leave the roster:" in dry.output and described == [1]
    refused = cli(server, "import-roster", str(partial), "--term", TERM, "--allow-removals", "4")
    assert "G000000000000000001 学生1" in refused.output and described == [1, 1]
    done = cli(server, "import-roster", str(partial), "--term", TERM, "--allow-removals", "5")
    assert done.exit_code == 0 and "1 unchanged / 5 removed" in done.output
    assert described == [1, 1]                                       # written without building the lists
