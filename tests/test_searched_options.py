"""A dropdown over a long list (a province's 12,462 schools were 775 KB in every answer of the ledger and the student
search) offers at most LONG_LIST options: those matching what is typed, the kept value's, and a line saying how many
more typing finds; a short list is offered whole. Through the students page's real callback route too."""
from __future__ import annotations

from components.controls import LONG_LIST, MORE, searched_options
from tests.admin.conftest import world  # noqa: F401 - fixture reuse

SCHOOLS = [(i, f"{'勐海县' if i % 2 else '勐腊县'} · 第{i}小学") for i in range(1, 1001)]


def test_a_short_list_is_offered_whole(server) -> None:  # noqa: ANN001
    with server.test_request_context("/"):
        assert searched_options(SCHOOLS[:LONG_LIST], None) == [{"label": n, "value": v} for v, n in SCHOOLS[:LONG_LIST]]


def test_a_long_list_offers_the_first_and_says_how_many_more(server) -> None:  # noqa: ANN001
    with server.test_request_context("/"):
        options = searched_options(SCHOOLS, None)
    assert [o["value"] for o in options[:-1]] == [v for v, _n in SCHOOLS[:LONG_LIST]]
    assert options[-1] == {"label": "输入名称查找其余 800 项", "value": MORE, "disabled": True}


def test_typing_finds_the_matching_ones_and_the_kept_value_stays(server) -> None:  # noqa: ANN001
    with server.test_request_context("/"):
        options = searched_options(SCHOOLS, " 第99", keep=1000)
        assert [o["value"] for o in options] == [99, *range(990, 1000), 1000]     # 第99…, 第990–999; kept: 1000
        wide = searched_options(SCHOOLS, "勐海县")                                  # 500 match: the first 200
        assert len(wide) == LONG_LIST + 1 and all("勐海县" in o["label"] for o in wide[:-1])
        assert wide[-1]["label"] == "输入名称查找其余 300 项"


def test_the_students_page_takes_what_is_typed(web_user, world) -> None:  # noqa: ANN001
    resp = web_user("leader").callback([("students-school", "options")],
                                       [("students-school", "id", "students-school"),
                                        ("students-school", "search_value", "勐海")],
                                       [("students-school", "value", None)], changed="students-school.search_value")
    assert resp.status_code == 200, resp.data[:300]
    labels = [o["label"] for o in resp.get_json()["response"]["students-school"]["options"]]
    assert labels and not any("勐腊县" in label for label in labels)      # one county: names without a county
