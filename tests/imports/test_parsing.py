"""Table-driven tests of the pure cell parsers in domain/parsing.py."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from stdnum.cn import ric

from data_access import models
from domain.imports import parsing as p
from domain.imports.parsing import EXCEL_NUMBER, CellError


def _valid_id(body17: str) -> str:
    """A resident ID with a correct check digit (region 990101 exists nowhere, so no real person has it)."""
    return body17 + ric.calc_check_digit(body17 + "0")


VALID_ID = _valid_id("99010120150305001")
BAD_CHECKSUM_ID = VALID_ID[:15] + str((int(VALID_ID[15]) + 1) % 10) + VALID_ID[16:]   # one digit altered
VALID_ID_X = next(i for i in (_valid_id(f"990101201503050{n:02d}") for n in range(100)) if i.endswith("X"))


def _check(parser: p.Parser, raw: Any, expected: Any) -> None:
    """Expected is the parsed value, or a CellError reason fragment wrapped in a 1-tuple."""
    if isinstance(expected, tuple):
        with pytest.raises(CellError, match=expected[0]):
            parser(raw)
    else:
        assert parser(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("532822101000", "532822101000"),
    (" 532822101000 ", "532822101000"),
    ("５３２８２２１０１０００", "532822101000"),       # full-width digits
    (532822101000, "532822101000"),                   # an int with exactly 12 digits is exact
    (53282210100, (EXCEL_NUMBER,)),                   # an int that lost a digit
    (532822101000.0, (EXCEL_NUMBER,)),                # a float never
    ("5.32822E+11", (EXCEL_NUMBER,)),                 # scientific notation saved as text
    ("532822101000.0", (EXCEL_NUMBER,)),
    ("53282210100", ("must be 12 digits, not 11",)),
    ("5328221010000", ("must be 12 digits, not 13",)),
    ("53282210100A", ("must be 12 digits",)),
    (True, ("not a valid code",)),
])
def test_area_code(raw: Any, expected: Any) -> None:
    _check(p.parse_area_code, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2153000001", "2153000001"),
    (2153000001, "2153000001"),
    ("2.153E+09", (EXCEL_NUMBER,)),
    ("215300001", ("must be 10 digits, not 9",)),
])
def test_school_code(raw: Any, expected: Any) -> None:
    _check(p.parse_school_code, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("G990101201503050010", "G990101201503050010"),
    ("L99010120150305001X", "L99010120150305001X"),
    ("g99010120150305001x", "G99010120150305001X"),
    ("1234567890123456789", "1234567890123456789"),
    ("Ｇ９９０１０１２０１５０３０５００１０", "G990101201503050010"),
    (1234567890123456789, (EXCEL_NUMBER,)),
    (1.2345678901234568e18, (EXCEL_NUMBER,)),
    ("1.23457E+18", (EXCEL_NUMBER,)),
    ("G99010120150305001", ("G or L followed by 18 characters",)),
    ("X990101201503050010", ("G or L followed by 18 characters",)),
    ("123456789012345678", ("G or L followed by 18 characters",)),
])
def test_student_no(raw: Any, expected: Any) -> None:
    _check(p.parse_student_no, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    (VALID_ID, VALID_ID),
    (VALID_ID_X, VALID_ID_X),
    (VALID_ID_X.lower(), VALID_ID_X),
    (BAD_CHECKSUM_ID, ("checksum does not match",)),
    (VALID_ID[:17], ("must be 18 characters, not 17",)),
    ("99010120150305001A", ("17 digits followed by a digit or X",)),
    (_valid_id("99010120150230001"), ("birth date inside the number",)),   # 30 February
    (int(VALID_ID), (EXCEL_NUMBER,)),
    (9.9010120150305e17, (EXCEL_NUMBER,)),
])
def test_id_number(raw: Any, expected: Any) -> None:
    _check(p.parse_id_number, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("1", 1), ("9", 9), (3, 3), (3.0, 3), ("３", 3), ("一年级", 1), ("六年级", 6), ("七年级", 7),
    ("九年级", 9), ("初一", 7), ("初二", 8), ("初三", 9), ("4年级", 4),
    ("0", ("must be one of",)), ("10", ("must be one of",)), ("十年级", ("must be one of",)),
    ("高一", ("must be one of",)), (3.5, ("must be one of",)),
])
def test_grade(raw: Any, expected: Any) -> None:
    _check(p.parse_grade, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2014-03-05", dt.date(2014, 3, 5)),
    ("2014/3/5", dt.date(2014, 3, 5)),
    ("20140305", dt.date(2014, 3, 5)),
    (20140305, dt.date(2014, 3, 5)),
    ("２０１４－０３－０５", dt.date(2014, 3, 5)),
    ("2014.3.5", dt.date(2014, 3, 5)),
    ("2014年3月5日", dt.date(2014, 3, 5)),
    ("2014-03-05 00:00:00", dt.date(2014, 3, 5)),
    (dt.datetime(2014, 3, 5), dt.date(2014, 3, 5)),   # an Excel date cell
    (dt.date(2014, 3, 5), dt.date(2014, 3, 5)),
    ("2014-02-30", ("not a valid calendar date",)),
    ("2014-13-05", ("not a valid calendar date",)),
    ("5/3/2014", ("not a date",)),
    ("41703", ("not a date",)),                       # an Excel serial number is not guessed
    ("三月五日", ("not a date",)),
])
def test_date(raw: Any, expected: Any) -> None:
    _check(p.parse_date, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    *((s, s) for s in ("在读", "休学", "送教上门", "辍学", "转出", "毕业", "死亡")),
    (" 在读 ", "在读"), ("在校", ("must be one of",)), ("enrolled", ("must be one of",)),
])
def test_status(raw: Any, expected: Any) -> None:
    _check(p.parse_status, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("yes", True), ("No", False), (1, True),
    (0, False), (True, True), ("对", ("是 / 否",)), ("2", ("是 / 否",)),
])
def test_bool(raw: Any, expected: Any) -> None:
    _check(p.parse_bool, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("男", "男"), ("女", "女"), ("M", "男"), ("f", "女"), ("Female", "女"), ("未知", ("男 / 女",)),
])
def test_gender(raw: Any, expected: Any) -> None:
    _check(p.parse_gender, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    *((d, d) for d in ("无", "视力", "听力", "智力", "肢体", "精神", "言语", "多重")),
    ("视力残疾", "视力"), ("残疾", ("must be one of",)), ("色盲", ("must be one of",)),
])
def test_disability(raw: Any, expected: Any) -> None:
    _check(p.parse_disability, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("省", "province"), ("市", "prefecture"), ("州", "prefecture"), ("县", "county"), ("区", "county"),
    ("乡镇", "township"), ("街道", "township"), ("村", "village"), ("社区", "village"),
    ("province", "province"), ("Township", "township"), ("组", ("省 / 市 / 县 / 乡镇 / 村",)),
])
def test_level(raw: Any, expected: Any) -> None:
    _check(p.parse_level, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    *((t, t) for t in ("小学", "初中", "九年一贯制", "完全中学", "教学点", "特殊教育学校")),
    ("高中", ("must be one of",)),
])
def test_school_type(raw: Any, expected: Any) -> None:
    _check(p.parse_school_type, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("13800000001", "13800000001"), ("138 0000 0001", "13800000001"), ("138-0000-0001", "13800000001"),
    ("+86 13800000001", "13800000001"), (13800000001, "13800000001"), ("１３８０００００００１", "13800000001"),
    ("0871-12345678", "0871-12345678"), ("010-1234567", "010-1234567"), ("087112345678", "087112345678"),
    ("12800000001", ("not a mobile or landline",)), ("1380000000", ("not a mobile or landline",)),
    (87112345678, ("not a mobile or landline",)),   # a landline whose leading 0 Excel dropped
    ("0871-123456", ("not a mobile or landline",)), ("unknown", ("not a mobile or landline",)),
])
def test_phone(raw: Any, expected: Any) -> None:
    _check(p.parse_phone, raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), (12, 12), (12.0, 12), ("１２", 12), ("1,234", 1234), ("0", 0),
    ("-1", ("not a whole number",)), ("1.5", ("not a whole number",)), (1.5, ("not a whole number",)),
    ("10001", ("between 0 and 10000",)), (True, ("not a whole number",)),
])
def test_int(raw: Any, expected: Any) -> None:
    _check(p.int_parser(0, 10000), raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("100.45", 100.45), (100.45, 100.45), (100, 100.0), ("181", ("between -180 and 180",)),
    ("东经100度", ("not a number",)), ("nan", ("between",)),
])
def test_float(raw: Any, expected: Any) -> None:
    _check(p.float_parser(-180, 180), raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("测试甲", "测试甲"), (" 测试甲 ", "测试甲"), ("3班", "3班"), ("甲" * 21, ("longer than 20 characters",)),
])
def test_text(raw: Any, expected: Any) -> None:
    _check(p.text_parser(20), raw, expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("全国学籍号", "全国学籍号"), (" 全国学籍号　", "全国学籍号"), ("姓 名", "姓名"), ("*姓名", "姓名"),
    ("ｓｃｈｏｏｌ＿ｃｏｄｅ", "school_code"), ("School_Code", "school_code"), ("学校标识码（必填）", "学校标识码(必填)"),
])
def test_normalize_header(raw: str, expected: str) -> None:
    assert p.normalize_header(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    (None, True), ("", True), ("  ", True), ("\u3000", True), ("0", False), (0, False), (False, False),
])
def test_is_blank(raw: Any, expected: bool) -> None:
    assert p.is_blank(raw) is expected


@pytest.mark.parametrize(("raw", "expected"), [
    (None, ""), ("x ", "x"), (dt.datetime(2014, 3, 5), "2014-03-05"),
    (dt.datetime(2014, 3, 5, 8, 30), "2014-03-05 08:30:00"),
    (dt.date(2014, 3, 5), "2014-03-05"), (532822101000.0, "532822101000.0"), (12, "12"),
])
def test_display_value(raw: Any, expected: str) -> None:
    assert p.display_value(raw) == expected


def test_vocabularies_match_the_models() -> None:
    assert p.STATUSES == models.STATUSES
    assert p.DISABILITIES == models.DISABILITIES
    assert p.SCHOOL_TYPES == models.SCHOOL_TYPES
    assert p.LEVEL_ORDER == models.AREA_LEVELS
