"""A NUL (or other control character) in a text cell is a problem of that row and column, not a database error
(PostgreSQL cannot store NUL); found by the fuzz test on PostgreSQL."""
from pathlib import Path
from data_access.imports.files import import_areas, import_schools, import_roster
from tests.imports.test_imports import DATA, TERM

def test_control_character_in_a_name_is_a_problem(session_factory, tmp_path: Path):
    with session_factory() as s, s.begin():
        import_areas(s, DATA / "areas.csv"); import_schools(s, DATA / "schools.csv")
    rows = (DATA / "roster.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace("测试甲", "测\x00试甲")
    p = tmp_path / "r.csv"; p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with session_factory() as s, s.begin():
        r = import_roster(s, p, TERM)
        assert [(x.row, x.column, x.reason) for x in r.problems] == [
            (2, "姓名", "contains a control character (such as NUL)")]
