"""Pure parsers for the cells of imported files: each takes a raw cell, returns a clean value or
raises CellError with a short readable reason (contract.md, "Files Baoxue imports")."""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from stdnum.cn import ric

STATUSES = ("在读", "休学", "送教上门", "辍学", "转出", "毕业", "死亡")
DISABILITIES = ("无", "视力", "听力", "智力", "肢体", "精神", "言语", "多重", "其他")
SCHOOL_TYPES = ("小学", "初中", "九年一贯制", "完全中学", "教学点", "特殊教育学校")
LEVEL_ORDER = ("province", "prefecture", "county", "township", "village")
EXCEL_NUMBER = "Excel turned this code into a number; format the column as text"

_LEVELS = {"省": "province", "市": "prefecture", "州": "prefecture", "地区": "prefecture", "盟": "prefecture",
           "县": "county", "区": "county", "旗": "county", "乡镇": "township", "乡": "township", "镇": "township",
           "街道": "township", "村": "village", "社区": "village", "居委会": "village", "村委会": "village",
           **{name: name for name in LEVEL_ORDER}}
_NUMERALS = "一二三四五六七八九"
_GRADES = {**{f"{n}年级": i for i, n in enumerate(_NUMERALS, 1)},
           **{f"{i}年级": i for i in range(1, 10)}, **{str(i): i for i in range(1, 10)},
           **{f"小学{n}年级": i for i, n in enumerate(_NUMERALS[:6], 1)},
           "初一": 7, "初二": 8, "初三": 9, "初中一年级": 7, "初中二年级": 8, "初中三年级": 9}
_BOOLS = {"是": True, "否": False, "y": True, "n": False, "yes": True, "no": False,
          "true": True, "false": False, "1": True, "0": False}
_GENDERS = {"男": "男", "女": "女", "m": "男", "f": "女", "male": "男", "female": "女", "1": "男", "2": "女",
            "男性": "男", "女性": "女"}     # 1 / 2: the registry's codes (GB/T 2261.1)
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d*)?E[+-]?\d+$")
_FLOAT_TEXT = re.compile(r"^\d+\.\d*$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0{1,2}:00(?::00)?)?$")
_STUDENT_NO = re.compile(r"^(?:[GL][0-9A-Z]{18}|\d{19})$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# Fast paths: a cell that is already clean ASCII text skips normalisation (most cells of a registry export).
_CLEAN_STUDENT_NO = re.compile(r"[GL][0-9A-Z]{18}|[0-9]{19}")
_CLEAN_ID = re.compile(r"[0-9]{17}[0-9X]")
_CLEAN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_TOTAL_ROW = re.compile(r"^(合计|总计|小计|共计|总数)[:：]?")


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown to the user."""


Parser = Callable[[Any], Any]


def clean_text(raw: Any) -> str:
    """A cell as text: full-width characters folded to half-width (NFKC), spaces stripped, and the apostrophe that
    exporters put before a digit run ('532822…) to keep Excel from making a number of it dropped."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = unicodedata.normalize("NFKC", str(raw)).strip()
    if value[:1] == "'" and value[1:2].isdigit():     # '5328…: a digit run kept as text for Excel
        return value[1:].strip()
    return value


def is_blank(raw: Any) -> bool:
    """True for an empty cell (None or only spaces)."""
    return raw is None or (isinstance(raw, str) and not clean_text(raw))


def normalize_header(raw: Any) -> str:
    """A header for matching: NFKC, no spaces or asterisks, case-folded."""
    return re.sub(r"[\s*]", "", clean_text(raw)).casefold()


def display_value(raw: Any) -> str:
    """A raw cell as the user would recognise it in a problem report."""
    if raw is None:
        return ""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def text_parser(max_len: int, fold: bool = False) -> Parser:
    """A parser for free text of at most max_len characters; names keep their characters as typed,
    fold=True folds full-width to half-width (class names like ３班)."""
    def parse(raw: Any) -> str:
        value = clean_text(raw) if fold else str(raw).strip()
        if len(value) > max_len:
            raise CellError(f"longer than {max_len} characters")
        if not value.isprintable() and any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise CellError("contains a control character (such as NUL)")     # PostgreSQL cannot store NUL
        return value
    return parse


def _digits_text(raw: Any, what: str) -> str:
    """The text of a code cell, refusing numbers Excel made of it (floats, scientific notation)."""
    if isinstance(raw, bool):
        raise CellError(f"not a valid {what}")
    if isinstance(raw, float):
        raise CellError(EXCEL_NUMBER)
    value = clean_text(raw).upper()
    if _SCIENTIFIC.match(value) or _FLOAT_TEXT.match(value):
        raise CellError(EXCEL_NUMBER)
    return value


def code_parser(digits: int) -> Parser:
    """A parser for a code of exactly `digits` digits (12 for areas, 10 for schools)."""
    def parse(raw: Any) -> str:
        if isinstance(raw, int) and not isinstance(raw, bool) and len(str(raw)) != digits:
            raise CellError(EXCEL_NUMBER)
        value = _digits_text(raw, "code")
        if not value.isdigit() or not value.isascii():
            raise CellError(f"must be {digits} digits")
        if len(value) != digits:
            raise CellError(f"must be {digits} digits, not {len(value)}")
        return value
    return parse


parse_area_code = code_parser(12)
parse_school_code = code_parser(10)

PROVINCE_PREFIXES = frozenset({"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
                               "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
                               "63", "64", "65", "71", "81", "82"})


def parse_household_code(raw: Any) -> str:
    """A household (户籍地) code: any valid division code in China of a county, township or village — 12 digits,
    or 6 or 9 digits padded with zeros (contract.md); a code outside the imported areas is normal."""
    if isinstance(raw, int) and not isinstance(raw, bool) and len(str(raw)) not in (6, 9, 12):
        raise CellError(EXCEL_NUMBER)
    value = _digits_text(raw, "code")
    if not value.isdigit() or not value.isascii() or len(value) not in (6, 9, 12):
        raise CellError("must be a division code of 12 digits (or 6 or 9, padded with zeros)")
    code = value.ljust(12, "0")
    if code[:2] not in PROVINCE_PREFIXES or code[2:4] == "00" or (code[6:9] == "000" and code[9:] != "000"):
        raise CellError("not a valid division code (county, township or village)")
    return code


def parse_student_no(raw: Any) -> str:
    """全国学籍号: G or L followed by 18 characters, or 19 digits."""
    if raw.__class__ is str and _CLEAN_STUDENT_NO.fullmatch(raw):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        raise CellError(EXCEL_NUMBER)
    value = _digits_text(raw, "student number")
    if not _STUDENT_NO.match(value):
        raise CellError("must be G or L followed by 18 characters, or 19 digits")
    return value


@functools.lru_cache(maxsize=65536)
def _id_birth(digits8: str) -> dt.date | None:
    """The date of the 8 birth-date digits of a resident ID (YYYYMMDD), or None when not a calendar date."""
    try:
        return dt.date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:]))
    except ValueError:
        return None


def id_birth_date(id_number: str) -> dt.date | None:
    """The birth date a (valid) resident ID number carries."""
    return _id_birth(id_number[6:14])


def id_gender(id_number: str) -> str:
    """The gender a resident ID number carries: its 17th digit is odd for 男, even for 女."""
    return "男" if int(id_number[16]) % 2 else "女"


def parse_id_number(raw: Any) -> str:
    """An 18-character resident ID number with a valid checksum (python-stdnum) and birth date."""
    if raw.__class__ is str and _CLEAN_ID.fullmatch(raw):
        value = raw
    else:
        if isinstance(raw, int) and not isinstance(raw, bool):
            raise CellError(EXCEL_NUMBER)
        value = _digits_text(raw, "ID number")
        if len(value) != 18:
            raise CellError(f"must be 18 characters, not {len(value)}")
        if not value[:17].isdigit() or not value[:17].isascii() or not (value[17].isdigit() or value[17] == "X"):
            raise CellError("must be 17 digits followed by a digit or X")
    if ric.calc_check_digit(value) != value[17]:
        raise CellError("checksum does not match")
    if _id_birth(value[6:14]) is None:
        raise CellError("the birth date inside the number is not a valid date")
    return value


def id_mismatch(id_number: str, birth_date: dt.date | None, gender: str | None,
                birth_header: str, gender_header: str) -> str | None:
    """Why an ID number disagrees with the row's birth date or gender (None when it agrees)."""
    born = _id_birth(id_number[6:14])
    if birth_date is not None and born is not None and born != birth_date:
        return f"the birth date in the ID number is {born.isoformat()}, but {birth_header} is {birth_date.isoformat()}"
    if gender is not None and id_gender(id_number) != gender:
        return f"the ID number is of a {'boy' if gender == '女' else 'girl'}, but {gender_header} is {gender}"
    return None


def is_total_row(cells: Any) -> bool:
    """True for a 合计 / 总计 / 小计 row under a table (its first non-empty cell says so)."""
    for cell in cells:
        if cell is None:
            continue
        if cell.__class__ is str:
            text = cell.strip()
            if not text:
                continue
            return bool(_TOTAL_ROW.match(text.replace(" ", "").replace("\u3000", "")))
        return False
    return False


def _choice(value: str, table: dict[str, Any], allowed: str) -> Any:
    found = table.get(value, table.get(value.casefold()))
    if found is None:
        raise CellError(f"must be one of {allowed}")
    return found


def parse_grade(raw: Any) -> int:
    """Grade 1–9 from 1–9, 一年级…九年级, 初一…初三."""
    return _choice(clean_text(raw).replace(" ", ""), _GRADES, "1–9, 一年级…九年级, 初一…初三")


def parse_date(raw: Any) -> dt.date:
    """A date from 2014-03-05, 2014/3/5, 20140305 or an Excel date cell."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    value = clean_text(raw)
    m = _DATE.match(value)
    parts = m.groups() if m else (value[:4], value[4:6], value[6:]) if len(value) == 8 and value.isdigit() else None
    if parts is None:
        raise CellError("not a date (use 2014-03-05)")
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as exc:
        raise CellError("not a valid calendar date") from exc


def parse_status(raw: Any) -> str:
    """就读状态: one of 在读 / 休学 / 送教上门 / 辍学 / 转出 / 毕业 / 死亡."""
    value = clean_text(raw)
    if value not in STATUSES:
        raise CellError("must be one of " + " / ".join(STATUSES))
    return value


def parse_bool(raw: Any) -> bool:
    """是 / 否 (also yes/no, Y/N, 1/0)."""
    if isinstance(raw, bool):
        return raw
    return _choice(clean_text(raw), _BOOLS, "是 / 否")


def parse_gender(raw: Any) -> str:
    """性别: 男 / 女 (also M/F)."""
    return _choice(clean_text(raw), _GENDERS, "男 / 女")


def parse_disability(raw: Any) -> str:
    """残疾类型: 无 / 视力 / 听力 / 智力 / 肢体 / 精神 / 言语 / 多重 / 其他 (empty = 无; the registry's 无残疾,
    视力残疾 … 其他残疾 are the same)."""
    value = clean_text(raw).replace(" ", "")
    if value in ("无残疾", "非残疾", "非残疾人", "否"):
        return "无"
    value = value[:-2] if value.endswith("残疾") and len(value) > 2 else value
    if value not in DISABILITIES:
        raise CellError("must be one of " + " / ".join(DISABILITIES))
    return value


def parse_level(raw: Any) -> str:
    """级别: 省 / 市 / 县 / 乡镇 / 村 or the English level names, as a model level name."""
    return _choice(clean_text(raw), _LEVELS, "省 / 市 / 县 / 乡镇 / 村")


def parse_school_type(raw: Any) -> str:
    """学校类型: one of the six school types."""
    value = clean_text(raw)
    if value not in SCHOOL_TYPES:
        raise CellError("must be one of " + " / ".join(SCHOOL_TYPES))
    return value


def parse_phone(raw: Any) -> str:
    """A mainland mobile (1[3-9] + 9 digits) or landline (0 + area code, -, 7–8 digits) number."""
    if raw.__class__ is str and _CLEAN_MOBILE.fullmatch(raw):
        return raw
    if isinstance(raw, float):
        if not raw.is_integer():
            raise CellError("not a mobile or landline number")
        raw = int(raw)
    value = re.sub(r"[\s()（）]", "", clean_text(raw))
    if value.startswith("+86"):
        value = value[3:]
    compact = value.replace("-", "")
    if _MOBILE.match(compact):
        return compact
    if _LANDLINE.match(value):
        return value
    raise CellError("not a mobile or landline number")


def int_parser(low: int, high: int) -> Parser:
    """A parser for a whole number between low and high (Excel's 12.0 is 12)."""
    def parse(raw: Any) -> int:
        if isinstance(raw, bool):
            raise CellError("not a whole number")
        if isinstance(raw, float):
            if not raw.is_integer():
                raise CellError("not a whole number")
            raw = int(raw)
        if isinstance(raw, int):
            value = raw
        else:
            text = clean_text(raw).replace(",", "")
            if not text.isdigit() or not text.isascii():
                raise CellError("not a whole number")
            value = int(text)
        if not low <= value <= high:
            raise CellError(f"must be between {low} and {high}")
        return value
    return parse


def float_parser(low: float, high: float) -> Parser:
    """A parser for a decimal number between low and high (longitude, latitude)."""
    def parse(raw: Any) -> float:
        if isinstance(raw, bool):
            raise CellError("not a number")
        try:
            value = float(raw) if isinstance(raw, (int, float)) else float(clean_text(raw))
        except ValueError as exc:
            raise CellError("not a number") from exc
        if not low <= value <= high:
            raise CellError(f"must be between {low:g} and {high:g}")
        return value
    return parse
