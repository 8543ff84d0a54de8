"""The columns of a roster file (contract.md, "roster"), in Baoxue's own layout and in the national student
registry's export layout (学籍号, 身份证件类型, 班级号, 户口所在地行政区划, 是否留守儿童 …, guardians as family
members 成员1…/成员2…, status codes of JY/T 1001): which header means which field, and which stored fields a file
sets. A header the file spells in several ways (班级 and 班级号) is read from its best-ranked spelling."""
from __future__ import annotations

from collections.abc import Collection

from data_access.imports.readers import Column
from domain.imports.parsing import (
    parse_bool, parse_date, parse_disability, parse_gender, parse_grade, parse_household_code, parse_id_number,
    parse_phone, parse_school_code, parse_student_no, text_parser,
)
from domain.imports.registry import (
    parse_any_id_number, parse_boarding, parse_id_type, parse_left_behind, parse_mainstreamed,
    parse_registry_status,
)

MEMBERS = (1, 2)      # family members 成员1, 成员2 of a registry export


def _member_columns(n: int) -> tuple[Column, ...]:
    return (
        Column(f"member{n}_name", f"成员{n}姓名", text_parser(50), required=False, allow_empty=True,
               aliases=(f"家庭成员{n}姓名",)),
        Column(f"member{n}_relation", f"成员{n}关系", text_parser(20), required=False, allow_empty=True,
               repeats=True, aliases=(f"家庭成员{n}关系",)),
        Column(f"member{n}_phone", f"成员{n}联系电话", parse_phone, required=False, allow_empty=True, sensitive=True,
               aliases=(f"成员{n}电话", f"家庭成员{n}联系电话")),
        Column(f"member{n}_is_guardian", f"成员{n}是否监护人", parse_bool, required=False, allow_empty=True,
               default=False, repeats=True, aliases=(f"家庭成员{n}是否监护人",)),
    )


ROSTER_COLUMNS: tuple[Column, ...] = (
    Column("student_id", "全国学籍号", parse_student_no, field="student_no",
           aliases=("学籍号", "全国学籍号码", "个人标识码")),
    Column("name", "姓名", text_parser(50), aliases=("学生姓名",)),
    Column("gender", "性别", parse_gender, repeats=True),
    Column("birth_date", "出生日期", parse_date, repeats=True, aliases=("出生年月日",)),
    Column("id_number", "身份证件号", parse_id_number, required=False, allow_empty=True, sensitive=True,
           aliases=("身份证号", "身份证号码", "身份证件号码", "公民身份号码", "证件号码")),
    Column("school_code", "学校标识码", parse_school_code, repeats=True, aliases=("所在学校标识码",)),
    Column("grade", "年级", parse_grade, repeats=True, aliases=("所在年级",)),
    Column("class", "班级", text_parser(20, fold=True), allow_empty=True, field="class_name", repeats=True,
           aliases=("所在班级", "班级名称", "班级号")),
    # a basic-information export has no status column: its rows are current pupils (在读)
    Column("status", "就读状态", parse_registry_status, required=False, default="在读", repeats=True,
           aliases=("学生当前状态", "学籍状态", "当前状态", "学生状态")),
    Column("household_code", "户籍地代码", parse_household_code, required=False, allow_empty=True, repeats=True,
           aliases=("户籍所在地代码", "户口所在地代码", "户口所在地行政区划", "户口所在地行政区划代码", "户口所在地")),
    Column("guardian_name", "监护人姓名", text_parser(50), required=False, allow_empty=True, aliases=("监护人",)),
    Column("guardian_phone", "监护人电话", parse_phone, required=False, allow_empty=True, sensitive=True,
           aliases=("监护人联系电话", "监护人手机号", "联系电话")),
    # not in a registry export (the poverty list sets it): a file without the column leaves it as stored
    Column("poverty_registered", "脱贫户", parse_bool, required=False, allow_empty=True, default=False, repeats=True,
           aliases=("是否脱贫户", "建档立卡", "是否建档立卡")),
    Column("disability", "残疾类型", parse_disability, allow_empty=True, default="无", repeats=True,
           aliases=("残疾类别", "残疾人类型")),
    Column("left_behind", "留守儿童", parse_left_behind, allow_empty=True, default="否", repeats=True,
           aliases=("是否留守儿童",)),
    Column("migrant", "随迁子女", parse_bool, allow_empty=True, default=False, repeats=True,
           aliases=("是否随迁子女", "是否进城务工人员随迁子女")),
    Column("id_type", "身份证件类型", parse_id_type, required=False, allow_empty=True, repeats=True,
           aliases=("证件类型",)),
    Column("boarding", "就读方式", parse_boarding, required=False, allow_empty=True, repeats=True),
    Column("mainstreamed", "随班就读", parse_mainstreamed, required=False, allow_empty=True, repeats=True,
           aliases=("是否随班就读",)),
    Column("orphan", "是否孤儿", parse_bool, required=False, allow_empty=True, repeats=True, aliases=("孤儿",)),
    *(c for n in MEMBERS for c in _member_columns(n)),
)
CONTRACT_COLUMNS = ROSTER_COLUMNS[:16]     # Baoxue's own layout (the roster export writes it)
_BY_KEY = {c.key: c for c in ROSTER_COLUMNS}
_MEMBER_KEYS = frozenset(c.key for n in MEMBERS for c in _member_columns(n))
_NOT_STORED = frozenset({"id_type"}) | _MEMBER_KEYS
# stored fields a file sets only when it has their columns (otherwise the stored value stays); the status is always
# set (a file without it lists pupils 在读)
OPTIONAL_FIELDS = frozenset(
    {c.name for c in ROSTER_COLUMNS if not c.required and c.key not in _NOT_STORED and c.key != "status"}
    | {"left_behind_kind", "guardian_relation"})


def columns_for(found: Collection[str]) -> tuple[Column, ...]:
    """The columns to parse a file with: where the file gives each pupil's 身份证件类型, an ID number is checked as a
    resident ID only on the rows of a 居民身份证 (RosterChecker decides, with parse_any_id_number's answer)."""
    if "id_type" not in found:
        return ROSTER_COLUMNS
    lenient = Column("id_number", "身份证件号", parse_any_id_number, required=False, allow_empty=True,
                     sensitive=True, aliases=_BY_KEY["id_number"].aliases)
    return tuple(lenient if c.key == "id_number" else c for c in ROSTER_COLUMNS)


def fields_present(found: Collection[str]) -> set[str]:
    """The stored fields a file with these columns (keys) sets."""
    present = {c.name for c in ROSTER_COLUMNS if c.key in found and c.key not in _NOT_STORED}
    if "left_behind" in found:
        present.add("left_behind_kind")
    if any(f"member{n}_name" in found for n in MEMBERS):
        present |= {"guardian_name", "guardian_relation"}
    if any(f"member{n}_phone" in found for n in MEMBERS):
        present.add("guardian_phone")
    return present


def has_members(found: Collection[str]) -> bool:
    """True when the file names family members (成员1姓名 …)."""
    return any(k in _MEMBER_KEYS for k in found)
