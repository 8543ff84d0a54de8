"""Issue 19 §3–5: static files cached and compressed, callback JSON compressed, per-request memos, scopes kept
per process only under the user's own row fields, CLI commands without the Dash app."""
from __future__ import annotations

import gzip
import json

import brotli
import pytest
from sqlalchemy import select

import tests.factories as f
from app import cli_command
from data_access.analytics.report import area_level, terms_up_to
from data_access.models import User

OVERVIEW_OUT = [("overview-cards", "children"), ("overview-indicators", "children"), ("overview-chart", "figure"),
                ("overview-message", "children")]


@pytest.fixture
def county(session_factory):  # noqa: ANN001, ANN201
    with session_factory() as s, s.begin():
        county, (t1, t2) = f.county_with_townships(s)
        school = f.school.create(s, township_code=t1.code, code="5328220001")
        f.roster(s, "2024-1", school, grade=2)
        f.refresh(s, "2024-1")
        f.user.create(s, username="leader", role="county_leader", area_code=county.code)
        f.user.create(s, username="officer1", role="township_officer", area_code=t1.code)
        return {"county": county.code, "t1": t1.code, "t2": t2.code}


def test_fingerprinted_files_are_cached_a_year_others_revalidated(web_user, county) -> None:  # noqa: ANN001
    anon = web_user(None).client
    long = anon.get("/assets/vendor/bootstrap/bootstrap.min.css?m=1", headers={"Accept-Encoding": "br, gzip"})
    assert long.status_code == 200
    assert "max-age=31536000" in long.headers["Cache-Control"] and "immutable" in long.headers["Cache-Control"]
    assert long.headers["Content-Encoding"] == "br" and b"bootstrap" in brotli.decompress(long.data).lower()
    plain = anon.get("/assets/vendor/bootstrap/bootstrap.min.css", headers={"Accept-Encoding": "gzip"})
    assert plain.headers["Cache-Control"] == "no-cache" and plain.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(plain.data) == anon.get("/assets/vendor/bootstrap/bootstrap.min.css").data
    again = anon.get("/assets/vendor/bootstrap/bootstrap.min.css",
                     headers={"If-None-Match": plain.headers["ETag"], "Accept-Encoding": "gzip"})
    assert again.status_code == 304
    login = anon.get("/login").get_data(as_text=True)
    assert '/assets/baoxue.css?m=' in login and "Content-Encoding" not in anon.get("/login").headers


def test_callback_json_is_compressed_and_private(web_user, county) -> None:  # noqa: ANN001
    user = web_user("leader")
    resp = user.client.post("/_dash-update-component", headers={"X-CSRFToken": user.csrf(), "Accept-Encoding": "gzip"},
                            json={"output": "..overview-cards.children...overview-indicators.children..."
                                            "overview-chart.figure...overview-message.children..",
                                  "outputs": [{"id": i, "property": p} for i, p in OVERVIEW_OUT],
                                  "inputs": [{"id": "shell-selection", "property": "value", "value": county["county"]},
                                             {"id": "shell-term", "property": "value", "value": "2024-1"}],
                                  "changedPropIds": ["shell-selection.value"]})
    assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip"
    assert "overview-cards" in json.loads(gzip.decompress(resp.data))["response"]
    assert "no-store" in resp.headers["Cache-Control"]


def test_scope_follows_the_users_row(server, web_user, county, session_factory) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    own = officer.callback(OVERVIEW_OUT, [("shell-selection", "value", county["t1"]), ("shell-term", "value", "2024-1")])
    other = officer.callback(OVERVIEW_OUT, [("shell-selection", "value", county["t2"]), ("shell-term", "value", "2024-1")])
    assert own.status_code == 200 and other.status_code == 403
    with session_factory() as s, s.begin():     # moved to the other township (session kept: same version)
        s.scalar(select(User).where(User.username == "officer1")).area_code = county["t2"]
    moved = officer.callback(OVERVIEW_OUT, [("shell-selection", "value", county["t1"]), ("shell-term", "value", "2024-1")])
    assert moved.status_code == 403
    leader = web_user("leader")                 # another user's cached scope is never used for this one
    assert leader.callback(OVERVIEW_OUT, [("shell-selection", "value", county["t1"]),
                                          ("shell-term", "value", "2024-1")]).status_code == 200


def test_memos_last_one_session_until_it_writes(session_factory, county) -> None:  # noqa: ANN001
    with session_factory() as s:
        assert terms_up_to(s, "2024-1") == ["2024-1"]
        assert area_level(s, county["county"]) == "county"
        f.term(s, "2023-2")                                        # adds and flushes
        assert terms_up_to(s, "2024-1") == ["2023-2", "2024-1"]     # the flush dropped the memo
        s.rollback()
    with session_factory() as s:
        assert terms_up_to(s, "2024-1") == ["2024-1"]


@pytest.mark.parametrize(("argv", "cli"), [
    (["/x/.venv/bin/flask", "--app", "app", "export-ranking", "--term", "2024-1"], True),
    (["/x/.venv/bin/flask", "-A", "app", "init-db"], True),
    (["/x/.venv/bin/flask", "--app", "app", "run"], False),
    (["/x/.venv/bin/flask", "--app", "app", "routes"], False),
    (["/x/.venv/bin/gunicorn", "-c", "gunicorn.conf.py"], False),
    (["app.py"], False),
])
def test_only_cli_commands_skip_the_dash_app(argv: list[str], cli: bool) -> None:
    assert cli_command(argv) is cli


@pytest.mark.parametrize(("argv", "young"), [(["flask", "--app", "app", "export-ranking"], 100_000),
                                             (["flask", "--app", "app", "run"], 700)])
def test_a_command_lets_the_garbage_collector_pass_less_often(tmp_path, argv: list[str], young: int) -> None:  # noqa: ANN001
    """A command (short-lived) sets the collector's young threshold before importing the app's modules (export-ranking
    of 1,395 townships: ~0.2 s of ~2 s); a server keeps Python's default."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "BAOXUE_INSTANCE_DIR": str(tmp_path / "instance"), "PYTHONPATH": str(root),
           "BAOXUE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    env.pop("BAOXUE_CLI_FULL_APP", None)
    code = (f"import gc, sys; sys.argv = {argv!r}; import flask.cli; before = gc.get_threshold()[0]; import app; "
            "print(before, gc.get_threshold()[0])")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["700", str(young)]


def test_workers_starting_together_on_a_fresh_instance_share_one_whole_key(tmp_path) -> None:  # noqa: ANN001
    """gunicorn's workers import the app at once: on a fresh instance directory the second one's create of the
    secret key failed (FileExistsError) and gunicorn shut the server down; now every process gets the same key."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "BAOXUE_INSTANCE_DIR": str(tmp_path / "instance"), "PYTHONPATH": str(root)}
    env.pop("BAOXUE_SECRET_KEY", None)
    code = "import config; print(config._secret_key())"
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, cwd=root, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(12)]
    results = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _out, err in results]
    keys = {out.strip() for out, _err in results}
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert sorted(x.name for x in (tmp_path / "instance").iterdir()) == ["secret_key"]   # no stray temporary files
