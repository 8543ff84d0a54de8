"""Every user-facing string has a Chinese translation, and users get their language."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.test_security import OVERVIEW_OUT, two_townships  # noqa: F401 - fixture reuse
from web.i18n import TRANSLATIONS

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("app.py", "python"), ("pages/**.py", "python"), ("components/**.py", "python"),
           ("web/**.py", "python"), ("domain/**.py", "python"), ("wording/**.py", "python"),
           ("documents/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _source_msgids() -> set[str]:
    ids = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_source_string_has_a_chinese_translation() -> None:
    with (TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="zh")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}  # fuzzy ones are not compiled
    missing = sorted(_source_msgids() - translated)
    assert not missing, f"add these to translations/zh/LC_MESSAGES/messages.po: {missing}"


DASH_TEMPLATES = {"{num_selected} selected"}


def test_every_gettext_call_is_readable_by_the_extractor() -> None:
    """A message built outside gettext (a variable, a nested call, an f-string) is never extracted, so it would
    reach users untranslated; e.g. `_(ERRORS.get(key, N_("…")))` hid "The import failed; nothing was written."
    Calls on names (`_(MESSAGES[key])`) are fine only when what they name is itself marked with N_."""
    hidden = []
    for file, line, message, _comments, _ctx in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        if message is None or (isinstance(message, tuple) and message[0] is None):
            continue                      # a call on a variable: checked by the catalogue test through N_
        if isinstance(message, str) and message in DASH_TEMPLATES:
            continue                      # a template Dash fills in itself (the dropdown's selection count)
        if isinstance(message, str) and ("{" in message and "}" in message and "%(" not in message):
            hidden.append(f"{file}:{line}: {message!r} looks like str.format/f-string inside gettext")
    nested = []
    for path in [p for pattern in ("pages", "components", "web", "wording", "documents")
                 for p in (ROOT / pattern).rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        for number, text in enumerate(source.splitlines(), 1):
            if re.search(r"\b_\([^()\"']*\(.*\bN_\(\"", text):      # _(x.get(k, N_("…"))): N_ nested in a call
                nested.append(f"{path.relative_to(ROOT)}:{number}")
    assert not hidden and not nested, (hidden, nested)


def test_user_language_choice_is_applied(web_user, two_townships, session_factory) -> None:  # noqa: ANN001, F811
    def cards(user) -> str:  # noqa: ANN001
        resp = user.callback(OVERVIEW_OUT, [("shell-selection", "value", two_townships["t1"]),
                                            ("shell-term", "value", "2024-1")])
        return resp.get_data(as_text=True)

    officer = web_user("officer1")
    assert "\\u5b66\\u6821\\u6570" in cards(officer) or "学校数" in cards(officer)  # default zh
    switched = officer.callback([("shell-redirect", "href")], [("shell-lang-zh", "n_clicks", None),
                                                               ("shell-lang-en", "n_clicks", 1)],
                                state=[("shell-url", "pathname", "/")], changed="shell-lang-en.n_clicks")
    assert switched.status_code == 200
    from data_access.models import User
    with session_factory() as s:
        assert s.query(User).filter_by(username="officer1").one().language == "en"
    again = web_user("officer1")
    assert "Schools" in cards(again)


def test_login_page_language_switch(web_user, two_townships) -> None:  # noqa: ANN001, F811
    anon = web_user(None)
    assert "用户名" in anon.client.get("/login").get_data(as_text=True)
    anon.client.get("/language/en")
    assert "User name" in anon.client.get("/login").get_data(as_text=True)


def test_catalogs_compiled_by_processes_starting_together(tmp_path: Path) -> None:
    """CI's two suites (and gunicorn's workers) compile the catalogs at the same moment: each writes its own temporary
    file, none is renamed away under another (a shared messages.mo.tmp failed the second with FileNotFoundError)."""
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    from babel.messages.mofile import read_mo

    from web.i18n import compile_catalogs
    shutil.copytree(TRANSLATIONS / "zh", tmp_path / "zh", ignore=shutil.ignore_patterns("*.mo"))
    with ThreadPoolExecutor(4) as pool:
        for result in [pool.submit(compile_catalogs, tmp_path) for _ in range(8)]:
            result.result()
    mo = tmp_path / "zh" / "LC_MESSAGES" / "messages.mo"
    with mo.open("rb") as fh:
        assert len(read_mo(fh)) > 100
    assert sorted(p.name for p in mo.parent.iterdir()) == ["messages.mo", "messages.po"]


@pytest.mark.parametrize("area, language, label", [
    ("530000000000", "zh", "省级领导"), ("532800000000", "zh", "市（州）级领导"), ("532822000000", "zh", "县级领导"),
    ("530000000000", "en", "Province leader"), ("532822000000", "en", "County leader")])
def test_the_top_bar_names_a_leader_by_the_level_of_their_area(server, web_user, session_factory, area, language,
                                                              label) -> None:  # noqa: ANN001
    """A province's or prefecture's leaders are county_leader users scoped higher (domain.md §1): the top bar says
    what they are (省级领导), not 县级领导."""
    from data_access.admin.users import create_user, set_language
    from tests import factories as f
    with session_factory() as s, s.begin():
        f.county_with_townships(s)
        set_language(s, create_user(s, "chief", "secret-pass", "county_leader", area).id, language)
    resp = web_user("chief").callback([("shell-nav", "children")], [("shell-url", "pathname", "/")])
    assert resp.status_code == 200
    text = json.dumps(resp.get_json(), ensure_ascii=False)
    shown = {name for name in ("省级领导", "市（州）级领导", "县级领导", "Province leader", "Prefecture leader",
                               "County leader") if f" · {name}" in text}
    assert shown == {label}
