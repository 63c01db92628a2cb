"""Feedback workbooks, read back with openpyxl (spec/outputs.md, --feedback)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from xlcrm.cli import main
from xlcrm.config import Config, Subsidiary
from xlcrm.findings import Finding
from xlcrm.validate import Submission, validate_files
from xlcrm.write.feedback import HEADERS, LIST_SHEET, write_feedback

CONFIG = Config(subsidiaries=(Subsidiary("化工一厂", "化工"),))
FORMULA_TEXT = '=HYPERLINK("http://x","y")'
REPORTER = [
    ("填报单位", "化工一厂"), ("行业类型", "化工"), ("报送期间", "2026Q1"),
    ("填报人", "张三"),
]
GOOD = {
    "客户编号": "C001", "客户名称": "甲公司", "统一社会信用代码": "91350100M000100Y43",
    "法定代表人": "李四", "机构类型": "民营企业", "所在省份": "浙江省", "联系人": "王五",
    "联系电话": "13912345678", "合作关系": "直销客户", "客户阶段": "已签约",
    "负责业务员": "赵六", "档案管理人": "钱七", "付款方式": "月结", "账期(天)": "30",
    "备注": FORMULA_TEXT,
}
# Row 3: a wrong USCC check character (error, C3) and a short phone (warning, H3).
BAD = {**GOOD, "客户编号": "C002", "统一社会信用代码": "91350100M000100Y44",
       "联系电话": "12345", "备注": None}

RED, YELLOW = "FFFF9999", "FFFFFF66"
USCC_MESSAGE = "统一社会信用代码“91350100M000100Y44”无效：校验位错误"
PHONE_MESSAGE = "联系电话“12345”格式不正确（手机11位，座机如 021-12345678）"


def make_submission(path: Path, rows: list[dict[str, str | None]]) -> Path:
    """填报单位 and 客户信息表 as a clerk types them: digits as numbers, a real date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False})
    reporter = book.add_worksheet("填报单位")
    for r, (label, value) in enumerate(REPORTER):
        reporter.write_string(r, 0, label)
        reporter.write_string(r, 1, value)
    reporter.write_string(len(REPORTER), 0, "填报日期")
    reporter.write_datetime(len(REPORTER), 1, dt.datetime(2026, 4, 3),
                            book.add_format({"num_format": "yyyy/m/d"}))
    customers = book.add_worksheet("客户信息表")
    customers.write_row(0, 0, list(GOOD))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row.values()):
            if value is not None and value.isdigit() and len(value) < 10:
                customers.write_number(r, c, int(value))
            elif value is not None:
                customers.write_string(r, c, value)
    book.close()
    return path


def validated(path: Path) -> Submission:
    return validate_files([(path, path.name)], CONFIG).submissions[0]


def rows_of(ws: openpyxl.worksheet.worksheet.Worksheet, first: int) -> list[tuple[object, ...]]:
    return [tuple(r) for r in ws.iter_rows(min_row=first, values_only=True)]


@pytest.fixture
def feedback(tmp_path: Path) -> tuple[Submission, Path]:
    sub = validated(make_submission(tmp_path / "in" / "化工一厂_2026Q1.xlsx", [GOOD, BAD]))
    target = write_feedback(sub, tmp_path / "out")
    assert target is not None
    return sub, target


def test_feedback_is_named_after_the_submission(feedback: tuple[Submission, Path]) -> None:
    _sub, target = feedback
    assert target.name == "化工一厂_2026Q1_问题反馈.xlsx"
    assert target.is_file()
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_list_sheet_first_then_a_copy_of_every_sheet(feedback: tuple[Submission, Path]) -> None:
    _sub, target = feedback
    assert openpyxl.load_workbook(target).sheetnames == [LIST_SHEET, "填报单位", "客户信息表"]


def test_list_has_one_row_per_finding_in_finding_order(feedback: tuple[Submission, Path]) -> None:
    sub, target = feedback
    ws = openpyxl.load_workbook(target)[LIST_SHEET]
    assert ws["A1"].value == "问题反馈：化工一厂_2026Q1.xlsx  化工一厂 2026Q1"
    assert ws["A2"].value.startswith("错误 5 个，警告 1 个。")
    assert rows_of(ws, 3)[0] == HEADERS == ("工作表", "单元格", "列", "值", "规则", "级别", "说明")
    assert rows_of(ws, 4) == [
        ("客户信息表", "C3", "统一社会信用代码", "91350100M000100Y44", "bad_uscc", "错误",
         USCC_MESSAGE),
        ("客户信息表", "H3", "联系电话", "12345", "bad_phone", "警告", PHONE_MESSAGE),
        ("销售数据表", None, None, None, "missing_sheet", "错误",
         "缺少工作表“销售数据表”（2026Q1 应报送）"),
        ("资信评估表", None, None, None, "missing_sheet", "错误",
         "缺少工作表“资信评估表”（2026Q1 应报送）"),
        ("拜访记录", None, None, None, "missing_sheet", "错误",
         "缺少工作表“拜访记录”（2026Q1 应报送）"),
        ("市场分析", None, None, None, "missing_sheet", "错误",
         "缺少工作表“市场分析”（2026Q1 应报送）"),
    ]
    assert len(sub.findings) == 6


def test_list_is_filtered_frozen_and_linked(feedback: tuple[Submission, Path]) -> None:
    _sub, target = feedback
    ws = openpyxl.load_workbook(target)[LIST_SHEET]
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:G9"
    assert ws["B4"].hyperlink.location == "'客户信息表'!C3"
    assert ws["B5"].hyperlink.location == "'客户信息表'!H3"
    assert ws["B6"].hyperlink is None
    assert ws["F4"].fill.fgColor.rgb == RED
    assert ws["F5"].fill.fgColor.rgb == YELLOW
    assert ws.column_dimensions["G"].width >= 40  # 说明 is the widest column


def test_copy_marks_error_red_and_warning_yellow_with_comments(
    feedback: tuple[Submission, Path],
) -> None:
    _sub, target = feedback
    ws = openpyxl.load_workbook(target)["客户信息表"]
    assert ws["C3"].value == "91350100M000100Y44"
    assert ws["C3"].fill.fgColor.rgb == RED
    assert ws["C3"].comment.text == USCC_MESSAGE
    assert ws["H3"].value == "12345"
    assert ws["H3"].fill.fgColor.rgb == YELLOW
    assert ws["H3"].comment.text == PHONE_MESSAGE
    assert ws["C2"].fill.fgColor.rgb != RED
    assert ws["C2"].comment is None
    assert ws.freeze_panes == "A2"  # below the header validation found


def test_copy_keeps_text_as_text(feedback: tuple[Submission, Path]) -> None:
    _sub, target = feedback
    book = openpyxl.load_workbook(target)
    formula_like = book["客户信息表"]["O2"]
    assert formula_like.value == FORMULA_TEXT
    assert formula_like.data_type == "s"
    assert book["填报单位"]["B5"].value == "2026-04-03"
    assert book["客户信息表"]["N2"].value == "30"  # 账期(天), a number cell


def test_a_cell_with_an_error_and_a_warning_is_red_with_both_messages(tmp_path: Path) -> None:
    path = make_submission(tmp_path / "both.xlsx", [GOOD])
    sub = Submission("both.xlsx", path)
    warning = Finding("both.xlsx", "bad_phone", "客户信息表", "H2", 2, "联系电话", "13912345678")
    error = Finding("both.xlsx", "required", "客户信息表", "H2", 2, "联系电话", "13912345678")
    missing = Finding("both.xlsx", "missing_column", "客户信息表", None, 1, "付款方式")
    sub.findings = [warning, error, missing]
    target = write_feedback(sub, tmp_path / "out")
    assert target is not None
    ws = openpyxl.load_workbook(target)["客户信息表"]
    assert ws["H2"].fill.fgColor.rgb == RED
    assert ws["H2"].comment.text == (
        "联系电话“13912345678”格式不正确（手机11位，座机如 021-12345678）\n"
        "“联系电话”为必填项，不能为空"
    )
    # A missing column has no cell: its note goes on the header row, unfilled.
    assert ws["A1"].comment.text == "工作表“客户信息表”缺少必填列“付款方式”（表头在第 1 行）"
    assert ws["A1"].fill.fgColor.rgb != RED


def test_english_feedback_keeps_chinese_headers(tmp_path: Path) -> None:
    sub = validated(make_submission(tmp_path / "in" / "a.xlsx", [GOOD, BAD]))
    target = write_feedback(sub, tmp_path / "out", "en")
    assert target is not None
    ws = openpyxl.load_workbook(target)[LIST_SHEET]
    assert rows_of(ws, 3)[0] == HEADERS
    assert rows_of(ws, 4)[1] == (
        "客户信息表", "H3", "联系电话", "12345", "bad_phone", "warning",
        "Phone number '12345' is malformed (mobile: 11 digits; landline e.g. 021-12345678)",
    )


def test_unreadable_file_gets_only_the_list(tmp_path: Path) -> None:
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(b"this is not a workbook")
    sub = validated(path)
    assert not sub.readable
    target = write_feedback(sub, tmp_path / "out")
    assert target is not None
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [LIST_SHEET]
    rows = rows_of(book[LIST_SHEET], 4)
    assert [(r[0], r[1], r[4], r[5]) for r in rows] == [(None, None, "unreadable_file", "错误")]


def test_no_findings_no_feedback(tmp_path: Path) -> None:
    sub = Submission("ok.xlsx", tmp_path / "ok.xlsx")
    assert write_feedback(sub, tmp_path / "out") is None
    assert not (tmp_path / "out").exists()


def test_same_name_in_two_folders_gives_two_feedbacks_and_reruns_overwrite(
    tmp_path: Path,
) -> None:
    first = validated(make_submission(tmp_path / "一月" / "报表.xlsx", [BAD]))
    second = validated(make_submission(tmp_path / "二月" / "报表.xlsx", [BAD]))
    out = tmp_path / "out"
    names = [write_feedback(s, out).name for s in (first, second)]  # type: ignore[union-attr]
    assert names == ["报表_问题反馈.xlsx", "报表_问题反馈_2.xlsx"]
    again = [write_feedback(s, out).name for s in (second, first)]  # type: ignore[union-attr]
    assert again == ["报表_问题反馈_2.xlsx", "报表_问题反馈.xlsx"]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)


def test_a_submission_sheet_named_like_the_list_is_renamed(tmp_path: Path) -> None:
    path = tmp_path / "odd.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet(LIST_SHEET).write_string(0, 0, "x")
    book.close()
    sub = Submission("odd.xlsx", path)
    sub.findings = [Finding("odd.xlsx", "unknown_sheet", LIST_SHEET)]
    target = write_feedback(sub, tmp_path / "out")
    assert target is not None
    assert openpyxl.load_workbook(target).sheetnames == [LIST_SHEET, f"{LIST_SHEET}_2"]


def test_cli_validate_writes_feedback(tmp_path: Path) -> None:
    path = make_submission(tmp_path / "in" / "化工一厂_2026Q1.xlsx", [GOOD, BAD])
    config = tmp_path / "xlcrm.toml"
    config.write_text('[[subsidiaries]]\nname = "化工一厂"\nindustry = "化工"\n', encoding="utf-8")
    out = tmp_path / "反馈"
    result = CliRunner().invoke(main, [
        "validate", str(path), "--feedback", str(out), "--config", str(config),
        "--ledger", str(tmp_path / "ledger.sqlite"),
    ])
    assert result.exit_code == 1, result.output
    target = out / "化工一厂_2026Q1_问题反馈.xlsx"
    assert target.is_file()
    assert f"已写出反馈工作簿 {target}" in result.stderr
    assert openpyxl.load_workbook(target).sheetnames[0] == LIST_SHEET
