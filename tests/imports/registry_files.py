"""Generated files laid out as the national student registry (全国中小学生学籍信息管理系统) exports a school's
学生基础信息, for the import tests. Every person is generated: names are 测试 + a number, ID numbers are made up
around the fixture county's code with valid checksums (python-stdnum), phones are 138 0000 xxxx.

`python -m tests.imports.registry_files` writes tests/data/registry_basic.xls once: the rows below saved as an
.xlsx by openpyxl and converted by LibreOffice (`soffice --headless --convert-to xls`), since no maintained
library writes .xls (xlwt is unmaintained). Its second sheet holds the fixture areas (codes as text)."""
from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from stdnum.cn import ric

DATA = Path(__file__).resolve().parents[1] / "data"
XLS_FIXTURE = DATA / "registry_basic.xls"
TITLE = "全国中小学生学籍信息管理系统 学生基础信息"

HEADER = [
    "学校标识码", "学籍号", "学籍辅号", "姓名", "性别", "出生日期", "出生地行政区划代码", "民族", "国籍/地区",
    "身份证件类型", "身份证号", "户口性质", "户口所在地行政区划", "现住址", "联系电话", "是否独生子女",
    "是否留守儿童", "是否进城务工人员随迁子女", "是否孤儿", "健康状况", "年级", "班级号", "班内学号", "入学年月",
    "入学方式", "就读方式", "学生来源", "残疾类型", "随班就读",
    "成员1姓名", "成员1关系", "成员1关系说明", "成员1现住址", "成员1户口所在地行政区划", "成员1联系电话",
    "成员1是否监护人", "成员1身份证件类型", "成员1身份证件号",
    "成员2姓名", "成员2关系", "成员2关系说明", "成员2现住址", "成员2户口所在地行政区划", "成员2联系电话",
    "成员2是否监护人", "成员2身份证件类型", "成员2身份证件号",
]


def resident_id(birth: dt.date, serial: int, male: bool, area: str = "532822") -> str:
    """A made-up resident ID number with a valid check digit: area, birth date, serial (odd for boys)."""
    seq = serial * 2 + (1 if male else 0)
    first = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    return first + ric.calc_check_digit(first + "0")     # the check digit is computed over the first 17


# (name, male, birth, id type, school, grade, class, left-behind, boarding, disability, 随班就读, orphan, migrant,
#  members: (name, relation, phone, is guardian)...)
PUPILS: list[tuple[Any, ...]] = [
    ("测试一", True, dt.date(2016, 3, 5), "居民身份证", "2153000001", "三年级", "1", "非留守儿童", "走读", "无残疾",
     "非随班就读", "否", "否", [("测试父一", "父亲", "13800000101", "是"), ("测试母一", "母亲", "13800000102", "否")]),
    ("测试二", False, dt.date(2015, 7, 9), "居民身份证", "2153000001", "四年级", "2", "单亲留守儿童", "住校", "无残疾",
     "非随班就读", "否", "否", [("测试母二", "母亲", "13800000201", "否"),
                             ("测试祖二", "祖父母或外祖父母", "13800000202", "是")]),
    ("测试三", True, dt.date(2014, 11, 20), "居民身份证", "2153000001", "五年级", "1", "双亲留守儿童", "住校",
     "视力残疾", "视力残疾随班就读", "否", "否", [("测试祖三", "祖父母或外祖父母", "13800000301", "是")]),
    ("测试四", False, dt.date(2012, 1, 15), "护照", "2153000002", "七年级", "1", "非留守儿童", "走读", "无残疾",
     "非随班就读", "否", "是", [("测试父四", "父亲", "13800000401", "是")]),
    ("测试五", True, dt.date(2011, 5, 30), "户口簿", "2153000002", "八年级", "2", "非留守儿童", "住校", "多重残疾",
     "其他残疾随班就读", "是", "否", [("测试兄五", "兄弟姐妹", "13800000501", "是")]),
    ("测试六", False, dt.date(2013, 9, 1), "居民身份证", "2153000001", "六年级", "1", "非留守儿童", "走读", "其他残疾",
     "非随班就读", "否", "是", []),
]


def pupil_ids(index: int) -> tuple[str, str]:
    """The student number and ID-document number of pupil `index`: a passport number for the 护照 row, a
    number that is not a resident ID for the 户口簿 row."""
    name, male, birth, id_type = PUPILS[index][:4]
    number = resident_id(birth, index + 1, male)
    student_no = "G" + number
    if id_type == "护照":
        return student_no, "E12345678"
    if id_type == "户口簿":
        return student_no, "HK" + number[2:]
    return student_no, number


def registry_rows(apostrophes: bool = False, title: bool = True) -> list[list[Any]]:
    """The basic-information export as rows of text (a title row, the header, one row per pupil); with
    `apostrophes`, every digit run of 10 or more digits is written '5328… as careful exporters do."""
    def digits(value: str) -> str:
        return "'" + value if apostrophes and value.isdigit() and len(value) >= 10 else value
    rows: list[list[Any]] = [[TITLE]] if title else []
    rows.append(list(HEADER))
    for i, (name, male, birth, id_type, school, grade, klass, left, boarding, disability, mainstream, orphan,
            migrant, members) in enumerate(PUPILS):
        student_no, id_no = pupil_ids(i)
        household = "532822101201" if school == "2153000001" else "532822102201"
        row = {
            "学校标识码": digits(school), "学籍号": student_no, "学籍辅号": f"{i + 1:04d}", "姓名": name,
            "性别": "男" if male else "女", "出生日期": birth.isoformat(), "出生地行政区划代码": digits("532822000000"),
            "民族": "汉族", "国籍/地区": "中国", "身份证件类型": id_type, "身份证号": digits(id_no),
            "户口性质": "农业户口", "户口所在地行政区划": digits(household), "现住址": "测试地址",
            "联系电话": digits(f"1380000{i + 1:02d}99"), "是否独生子女": "否", "是否留守儿童": left,
            "是否进城务工人员随迁子女": migrant, "是否孤儿": orphan, "健康状况": "健康或良好", "年级": grade,
            "班级号": klass, "班内学号": str(i + 1), "入学年月": "2021-09", "入学方式": "就近入学",
            "就读方式": boarding, "学生来源": "正常入学", "残疾类型": disability, "随班就读": mainstream,
        }
        for n in (1, 2):
            member = members[n - 1] if len(members) >= n else ("", "", "", "")
            row |= {f"成员{n}姓名": member[0], f"成员{n}关系": member[1], f"成员{n}关系说明": "",
                    f"成员{n}现住址": "测试地址" if member[0] else "",
                    f"成员{n}户口所在地行政区划": digits(household) if member[0] else "",
                    f"成员{n}联系电话": digits(member[2]), f"成员{n}是否监护人": member[3],
                    f"成员{n}身份证件类型": "居民身份证" if member[0] else "", f"成员{n}身份证件号": ""}
        rows.append([row[h] for h in HEADER])
    return rows


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook with one sheet per entry (empty strings as empty cells)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append([None if v == "" else v for v in row])
    wb.save(path)
    return path


def write_gbk_tsv(path: Path, rows: list[list[Any]]) -> Path:
    """Rows as the registry's "Excel" download often is: GBK tab-separated text (whatever the file's name)."""
    with path.open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh, delimiter="\t", lineterminator="\r\n").writerows(rows)
    return path


def area_rows() -> list[list[str]]:
    """The fixture areas (tests/data/areas.csv)."""
    with (DATA / "areas.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def make_xls_fixture() -> Path:
    """Write tests/data/registry_basic.xls through LibreOffice (run once; the file is kept in the repository)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (with Calc: libreoffice-calc) is needed to write the .xls fixture"
    with tempfile.TemporaryDirectory() as tmp:
        rows = registry_rows()
        birth, klass = rows[1].index("出生日期"), rows[1].index("班级号")
        for row in rows[2:]:         # as Excel holds them: birth dates as date cells, class numbers as numbers
            row[birth] = dt.datetime.fromisoformat(row[birth])
            row[klass] = int(row[klass])
        source = write_xlsx(Path(tmp) / XLS_FIXTURE.with_suffix(".xlsx").name, {"学生基础信息": rows, "区划": area_rows()})
        profile = Path(tmp, "profile").as_uri()     # its own profile: another LibreOffice may be running
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xls",
                        "--outdir", tmp, str(source)], check=True, capture_output=True, timeout=300)
        shutil.copy(Path(tmp) / XLS_FIXTURE.name, XLS_FIXTURE)
    return XLS_FIXTURE


if __name__ == "__main__":
    print(make_xls_fixture())
