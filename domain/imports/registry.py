"""The national student registry's (全国中小学生学籍信息管理系统) own codes and value lists, mapped onto Baoxue's
roster fields: student status codes (JY/T 1001 学生当前状态), 身份证件类型, 是否留守儿童 with its single- and
two-parent kinds, 随班就读, 就读方式, guardians given as family members (成员1…, 成员2…). Pure functions; the
columns that use them are in data_access/imports/roster_columns.py (contract.md, "Files from the student registry")."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.imports.parsing import STATUSES, CellError, clean_text, parse_bool, parse_id_number

# JY/T 1001 学生当前状态 → Baoxue's 就读状态 (contract.md). None: no counterpart, the cell must say which.
REGISTRY_STATUS_CODES: dict[str, tuple[str, str | None]] = {
    "01": ("在读", "在读"),
    "02": ("休学", "休学"),
    "03": ("退学", "辍学"),      # left school without a transfer: out of compulsory schooling
    "04": ("停学", "休学"),      # kept away for a time, keeps the 学籍
    "05": ("复学", "在读"),
    "06": ("流失", "辍学"),
    "07": ("毕业", "毕业"),
    "08": ("结业", "毕业"),      # finished the last grade without the certificate
    "09": ("肄业", "辍学"),      # left before finishing
    "10": ("转学(转出)", "转出"),
    "11": ("死亡", "死亡"),
    "12": ("保留入学资格", "休学"),
    "13": ("公派出国", "转出"),
    "14": ("开除", "辍学"),      # no pupil of compulsory age may be expelled: out of school, followed up
    "15": ("下落不明", "辍学"),  # whereabouts unknown: out of school until found
    "99": ("其他", None),
}
_STATUS_NAMES: dict[str, str | None] = {
    **{name: status for name, status in REGISTRY_STATUS_CODES.values()},
    "转学": "转出", "转出": "转出", "转学转出": "转出", "出国": "转出",
    **{s: s for s in STATUSES},     # Baoxue's own names win (辍学, 送教上门 have no registry code)
}
_CODE_FIRST = re.compile(r"(\d{1,2})[-:.、]?(\D*)")      # 01, 1, 01在读, 01-在读
_CODE_LAST = re.compile(r"(\D+?)\((\d{1,2})\)")          # 在读(01)
STATUS_NO_COUNTERPART = "the registry status %s (%s) has no counterpart here; write one of %s"


def _code_and_name(value: str) -> tuple[str | None, str]:
    m = _CODE_FIRST.fullmatch(value)
    if m:
        return m.group(1).zfill(2), m.group(2)
    m = _CODE_LAST.fullmatch(value)
    if m:
        return m.group(2).zfill(2), m.group(1)
    return None, value


def parse_registry_status(raw: Any) -> str:
    """就读状态 / 学生当前状态: one of Baoxue's statuses, or a registry status code (01, 1, '01 在读', 在读(01)) or
    name (流失, 下落不明 …), mapped by REGISTRY_STATUS_CODES."""
    wrong = CellError("must be one of " + " / ".join(STATUSES))
    if isinstance(raw, bool):
        raise wrong
    value = clean_text(raw).replace(" ", "")
    if value in STATUSES:
        return value
    code, name = _code_and_name(value)
    if code is None:
        found = _STATUS_NAMES.get(name, ...)
        code = next((c for c, (n, _s) in REGISTRY_STATUS_CODES.items() if n == name), None)
    elif code not in REGISTRY_STATUS_CODES:
        raise wrong
    else:
        found = REGISTRY_STATUS_CODES[code][1]
        if name and name != REGISTRY_STATUS_CODES[code][0] and _STATUS_NAMES.get(name, ...) != found:
            raise wrong                 # 01 毕业: the code and the name disagree
    if found is ...:
        raise wrong
    if found is None:
        assert code is not None
        raise CellError(STATUS_NO_COUNTERPART % (code, REGISTRY_STATUS_CODES[code][0], " / ".join(STATUSES)))
    return found


LEFT_BEHIND_KINDS = ("单亲", "双亲")
_LEFT_BEHIND = {"非留守儿童": "否", "非留守": "否", "单亲留守儿童": "单亲", "单亲留守": "单亲", "单亲": "单亲",
                "双亲留守儿童": "双亲", "双亲留守": "双亲", "双亲": "双亲", "留守儿童": "是"}


def parse_left_behind(raw: Any) -> str:
    """是否留守儿童: 非留守儿童 / 单亲留守儿童 / 双亲留守儿童 (the registry's) or 是 / 否: '否', '单亲', '双亲' or '是'
    (left behind, kind not given)."""
    value = clean_text(raw).replace(" ", "")
    kind = _LEFT_BEHIND.get(value)
    if kind is not None:
        return kind
    try:
        return "是" if parse_bool(raw) else "否"
    except CellError:
        raise CellError("must be one of 非留守儿童 / 单亲留守儿童 / 双亲留守儿童 / 是 / 否") from None


def parse_mainstreamed(raw: Any) -> bool:
    """随班就读: 非随班就读 (False), 视力残疾随班就读 / 听力… / 智力… / 其他残疾随班就读 (True), or 是 / 否."""
    value = clean_text(raw).replace(" ", "")
    if value in ("非随班就读", "不随班就读", "无"):
        return False
    if value.endswith("随班就读"):
        return True
    try:
        return parse_bool(raw)
    except CellError:
        raise CellError("must be one of 非随班就读 / 视力残疾随班就读 / 听力残疾随班就读 / 智力残疾随班就读 / "
                        "其他残疾随班就读 / 是 / 否") from None


_BOARDING = {"住校": True, "寄宿": True, "住读": True, "寄宿生": True, "走读": False, "走读生": False, "通学": False}


def parse_boarding(raw: Any) -> bool:
    """就读方式: 住校 (boarding, True) / 走读 (day pupil, False)."""
    value = clean_text(raw).replace(" ", "")
    if value in _BOARDING:
        return _BOARDING[value]
    raise CellError("must be one of 走读 / 住校")


RESIDENT_ID = "居民身份证"
_RESIDENT_NAMES = frozenset({RESIDENT_ID, "身份证", "居民身份证号", "中华人民共和国居民身份证", "1"})


def parse_id_type(raw: Any) -> str:
    """身份证件类型: 居民身份证 (also 身份证, code 1) or another document type, as written (at most 30 characters)."""
    value = clean_text(raw).replace(" ", "")
    if value in _RESIDENT_NAMES:
        return RESIDENT_ID
    if len(value) > 30:
        raise CellError("longer than 30 characters")
    return value


@dataclass(frozen=True)
class IdRefusal:
    """An ID number that is not a valid resident ID: a problem only when the row's document is a 居民身份证."""

    shown: str      # the cell as a report shows it (its first characters)
    reason: str


def parse_any_id_number(raw: Any) -> str | IdRefusal:
    """身份证件号 in a file with a 身份证件类型 column: a valid resident ID number, or why it is not one (whether that
    is a problem depends on the row's document type)."""
    try:
        return parse_id_number(raw)
    except CellError as exc:
        text = clean_text(raw)
        return IdRefusal(text[:4] + "…" if len(text) > 4 else text, str(exc))


def resident_id(number: str | IdRefusal | None, id_type: str | None) -> tuple[str | None, IdRefusal | None]:
    """The resident ID number to keep for a row and the problem to report: numbers are checked only for a
    居民身份证 (or when the file gives no type); another document's number is kept only if it is a valid resident
    ID number (a 户口簿 carries one), never refused."""
    if isinstance(number, IdRefusal):
        return None, number if id_type in (None, "", RESIDENT_ID) else None
    return number, None


@dataclass(frozen=True)
class Guardian:
    """The guardian a row names: name, phone, relation (None where not given)."""

    name: str | None
    phone: str | None
    relation: str | None


def pick_guardian(members: Sequence[tuple[Any, Any, Any, Any]]) -> Guardian:
    """Of the family members (成员1, 成员2 …: name, relation, phone, is-guardian flag), the first marked 是否监护人 = 是,
    else the first with a name; its name, phone and relation."""
    named = [m for m in members if m[0]]
    chosen = next((m for m in named if m[3]), named[0] if named else None)
    if chosen is None:
        phone = next((m[2] for m in members if m[2]), None)
        return Guardian(None, phone, None)
    return Guardian(chosen[0], chosen[2] or next((m[2] for m in members if m[2]), None), chosen[1] or None)
