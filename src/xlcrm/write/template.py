"""The blank submission workbook a subsidiary fills (outputs.md, "Template workbooks").

Generated fresh with XlsxWriter, never by round-tripping a filled file.
Sheets, labels, kinds, choices and notes all come from schema.py, so a
filled template reads back through validate.py with no header surprises.

Which data sheets a template carries: every data sheet at a quarter end
(a quarter, or a 医药 subsidiary's month 3, 6, 9 or 12); in the other
months of a 医药 subsidiary, `公司信息`, `客户信息表`, `销售数据表` and also
`拜访记录`, because submission.md lets 医药 send the visits of the quarter
so far with a monthly workbook. `资信评估表` and `市场分析` are quarterly
documents and are left out of those months.

Layout of every data sheet: row 1 a merged title, row 2 the header (the
exact labels of the schema; required columns in red), input from row 3.
Header cells are locked and the input columns unlocked under a sheet
protection without password, which still allows formatting, inserting and
deleting rows, sorting and filtering.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.workbook import Format, Workbook
from xlsxwriter.worksheet import Worksheet

from ..config import Config, Subsidiary
from ..periods import Period
from ..schema import (
    CUSTOMERS,
    DATA_SHEETS,
    INSTRUCTIONS_SHEET,
    MARKET,
    REPORTER,
    SALES,
    TEMPLATE_VERSION,
    VISITS,
    Field,
    Kind,
    Sheet,
)
from .common import atomic_workbook, display_width, fit_width, write_text

TITLE_ROW, HEADER_ROW, FIRST_ROW = 0, 1, 2  # 0-based: Excel rows 1, 2 and 3
INPUT_ROWS = 2000  # rows below the header that carry drop-downs and input checks
SPARE_ROWS = 500  # beyond a pre-filled customer list
# Excel's limit for a list typed into a validation ("a,b,c"); longer lists
# are written to hidden columns of 填报说明 and referenced as a range.
LIST_LIMIT = 255
LISTS_FIRST_COL = 26  # column AA of 填报说明
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(9999, 12, 31)
LARGEST = 10**12  # bound of an open-ended number check

# Identifiers kept as text ('@') so that leading zeros survive; free text is
# not, because Excel shows text-formatted cells over 255 characters as ####.
CODE_KEYS = frozenset({"customer_no", "document_no", "staff_no", "reg_no", "tax_no"})
CODE_KINDS = frozenset({Kind.USCC, Kind.ORG_CODE, Kind.PHONE})
LONG_TEXT_KEYS = frozenset({"address", "content", "complaint", "follow_up", "analysis"})
# 客户信息表 is wide: keep 客户编号 and 客户名称 in view while scrolling right.
FROZEN_COLUMNS = {CUSTOMERS.name: 2}
# Pre-filled from the ledger: the balance there is carried forward by the
# ledger itself, last period's opening balance would only be stale.
NOT_CARRIED = frozenset({"opening_balance"})

NUM_FORMATS = {
    Kind.DATE: "yyyy-mm-dd",
    Kind.AMOUNT: "#,##0.00",
    Kind.INTEGER: "0",
    Kind.PERCENT: "0.0%",
}
KIND_HINTS = {
    Kind.AMOUNT: "数字，可带两位小数",
    Kind.DECIMAL: "数字",
    Kind.INTEGER: "整数",
    Kind.PERCENT: "百分比，如 95% 或 0.95",
    Kind.DATE: "日期，如 2026-03-05",
    Kind.ENUM: "从下拉列表中选择",
    Kind.MULTI_ENUM: "从下拉列表中选择",
    Kind.USCC: "18位数字或大写字母",
    Kind.ORG_CODE: "不带“-”",
    Kind.PHONE: "手机或座机，如 13812345678、010-12345678",
}
WHO_FILLS = {
    REPORTER.name: "填报人填写填报人、联系电话、填报日期和部门负责人；"
                   "填报单位、行业类型、报送期间、模板版本已预填，请勿修改",
    "公司信息": "客户管理部门（销售部门）填写本单位法定代表人、经营管理层及业务员，"
                "每人一行（第四条(二)）",
    CUSTOMERS.name: "档案管理人填写本单位往来的全部客户，每个客户一行（第四、六、七条）",
    SALES.name: "销售部门按单据逐笔填写本期的发货、退货和回款，每张单据一行（第四条(四)）",
    "资信评估表": "客户管理部门（销售部门）填写本季度评估的客户，"
                  "总经理批复后填写批准额度、审批人和批复日期（第十三至十六条）",
    VISITS.name: "业务员、销售主管和公司领导的每次客户拜访一行（第十、十七条）",
    MARKET.name: "客户管理部门就本期报表、客户信息变化和市场问题写出分析："
                 "A 列主题，B 列内容（第九、十条）",
}
RULES = (
    "不要修改工作表名称和第2行的表头；红色表头为必填列。",
    "从第3行起每行一条记录；不要插入合计、小计行（会被跳过）。",
    "日期请填 Excel 日期，如 2026-03-05；也接受 2026/3/5、2026.3.5、2026年3月5日、20260305。",
    "金额单位为元（列名注明万元的除外），填数字，可带两位小数；"
    "也接受 1,234.50 和 1234.50元 这样的写法。",
    "百分比填 95% 或 0.95。整数列不能带小数。",
    "统一社会信用代码18位，组织机构代码9位；"
    "客户编号、单据号、电话等列为文本格式，开头的 0 会保留。",
    "下拉列表列请从列表中选择；拜访目的可多选，用“、”分隔。",
    "可分次报送（如先报客户信息表和销售数据表，再报拜访记录和市场分析）：分次报送时请删除本次未填写的工作表，"
    "空表也算已报送，会取代先前报送的同名表。",
    "更正：重新报送同一张表时以填报日期较晚的为准，请勿与前次使用同一填报日期。",
)


def template_name(subsidiary: str, period: Period) -> str:
    """`化工一厂_2026Q1_填报模板.xlsx`; characters no file system takes become `_`."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", subsidiary).strip() or "_"
    return f"{safe}_{period}_填报模板.xlsx"


def template_sheets(period: Period) -> list[Sheet]:
    """The data sheets of a template for `period` (see the module docstring)."""
    return [s for s in DATA_SHEETS
            if not s.quarter_end_only or period.is_quarter_end or s is VISITS]


def sheet_title(sheet: Sheet, subsidiary: Subsidiary, period: Period) -> str:
    """`客户信息表（化工一厂 2026年第1季度）`.

    Brackets inside the name become 〔〕: the reader drops one trailing
    parenthetical from a label, so `市场分析（…）` must hold no inner pair
    for the title row of the free-text sheet to be skipped, not read as a topic.
    """
    name = subsidiary.name.translate(_BRACKETS)
    return f"{sheet.name}（{name} {period.label_zh}）"


_BRACKETS = str.maketrans("()（）", "〔〕〔〕")


def due_date(period: Period, day: int) -> dt.date:
    """Day `day` of the month after the period (policy.md, Deadlines)."""
    after = period.end_month().shift_months(1)
    return dt.date(after.year, after.first_month, day)


def write_template(
    target: Path,
    config: Config,
    subsidiary: Subsidiary,
    period: Period,
    customers: pd.DataFrame | None = None,
) -> Path:
    """Write the submission workbook for one subsidiary and period to `target`.

    `customers`: last period's customer list (columns named by the field keys
    of schema.CUSTOMERS, amounts in integer fen) to pre-fill `客户信息表`.
    """
    sheets = template_sheets(period)
    with atomic_workbook(target) as book:
        book.set_properties({
            "title": f"{subsidiary.name} {period.label_zh} 客户管理报表",
            "subject": f"{config.group}客户管理报表填报模板",
            "company": config.group,
            "category": "xlcrm 填报模板",
            "keywords": f"xlcrm, 模板版本 {TEMPLATE_VERSION}",
            "comments": f"xlcrm 填报模板，模板版本 {TEMPLATE_VERSION}",
        })
        book.set_custom_property("xlcrm_template_version", TEMPLATE_VERSION)
        book.set_custom_property("xlcrm_subsidiary", subsidiary.name)
        book.set_custom_property("xlcrm_period", str(period))
        styles = _Styles(book)
        notes = book.add_worksheet(INSTRUCTIONS_SHEET)
        lists = _ChoiceLists(notes)
        _write_reporter(book.add_worksheet(REPORTER.name), styles, subsidiary, period)
        for sheet in sheets:
            ws = book.add_worksheet(sheet.name)
            title = sheet_title(sheet, subsidiary, period)
            if sheet.free_text:
                _write_market(ws, styles, title)
            else:
                rows = customers if sheet is CUSTOMERS and customers is not None else None
                _write_data_sheet(ws, styles, lists, sheet, title, period, rows)
        _write_instructions(notes, styles, config, subsidiary, period, sheets)
    return target


# ---------------------------------------------------------------- formats


class _Styles:
    """The workbook's formats, made once (XlsxWriter formats belong to one workbook)."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14, "align": "center",
                                      "valign": "vcenter"})
        header = {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True,
                  "border": 1, "bg_color": "#DDEBF7"}
        self.header = book.add_format(header)
        self.required_header = book.add_format({**header, "font_color": "#C00000"})
        self.label = book.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7"})
        self.required_label = book.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7",
                                               "font_color": "#C00000"})
        self.given = book.add_format({"border": 1, "bg_color": "#F2F2F2", "num_format": "@"})
        self.note = book.add_format({"font_color": "#595959", "text_wrap": True,
                                     "valign": "top"})
        self.heading = book.add_format({"bold": True, "font_size": 12})
        self.big_title = book.add_format({"bold": True, "font_size": 16})
        self.table_head = book.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7",
                                           "valign": "top"})
        self.table_cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        self._inputs: dict[tuple[str | None, bool, bool], Format] = {}

    def input(self, num_format: str | None = None, *, wrap: bool = False,
              border: bool = False) -> Format:
        """An unlocked input cell, shared by every column of the same look."""
        key = (num_format, wrap, border)
        if key not in self._inputs:
            props: dict[str, Any] = {"locked": False, "valign": "top"}
            if num_format:
                props["num_format"] = num_format
            if wrap:
                props["text_wrap"] = True
            if border:
                props["border"] = 1
            self._inputs[key] = self.book.add_format(props)
        return self._inputs[key]

    def column(self, f: Field, *, border: bool = False) -> Format:
        return self.input(num_format(f), wrap=f.key in LONG_TEXT_KEYS, border=border)


def num_format(f: Field) -> str | None:
    if f.kind in CODE_KINDS or f.key in CODE_KEYS:
        return "@"
    return NUM_FORMATS.get(f.kind)


def _protect(ws: Worksheet) -> None:
    """Protection without password: locked cells stay put, users can still work."""
    ws.protect("", {
        "format_cells": True, "format_columns": True, "format_rows": True,
        "insert_rows": True, "delete_rows": True, "sort": True, "autofilter": True,
        "select_locked_cells": True, "select_unlocked_cells": True,
    })


# ---------------------------------------------------------------- input checks


@dataclass
class _ChoiceLists:
    """Long choice lists, written to hidden columns of 填报说明 and referenced by range.

    填报说明 rather than a sheet of its own: the reader ignores 填报说明
    silently, any other extra sheet is reported (`unknown_sheet`).
    """

    sheet: Worksheet
    ranges: dict[tuple[str, ...], str] = field(default_factory=dict)

    def source(self, choices: tuple[str, ...]) -> list[str] | str:
        if len(",".join(choices)) <= LIST_LIMIT:
            return list(choices)
        if choices not in self.ranges:
            col = LISTS_FIRST_COL + len(self.ranges)
            for i, choice in enumerate(choices):
                write_text(self.sheet, i, col, choice)
            self.sheet.set_column(col, col, None, None, {"hidden": True})
            first = xl_rowcol_to_cell(0, col, row_abs=True, col_abs=True)
            last = xl_rowcol_to_cell(len(choices) - 1, col, row_abs=True, col_abs=True)
            self.ranges[choices] = f"={quote_sheetname(INSTRUCTIONS_SHEET)}!{first}:{last}"
        return self.ranges[choices]


def requirement(f: Field) -> str:
    """The value form a column takes and the schema's note for it."""
    hint = KIND_HINTS.get(f.kind, "")
    if f.kind == Kind.AMOUNT and "万元" not in f.label:
        hint = "金额（元），" + hint
    parts = [hint] if hint else []
    bounds = _bounds_hint(f)
    if bounds and bounds not in f.note:
        parts.append(bounds)
    if f.note and f.note not in hint:
        parts.append(f.note)
    if f.unique:
        parts.append("本表内不能重复")
    return "；".join(parts)


def _bounds_hint(f: Field) -> str:
    low, high = _limit(f.minimum, f), _limit(f.maximum, f)
    if low is not None and high is not None:
        return f"{low}~{high}"
    if low == 0:
        return "不能为负数"
    if low is not None:
        return "大于0" if f.kind == Kind.AMOUNT else f"不小于 {low}"
    return ""


def field_hint(f: Field) -> str:
    """The input message of a column: required or not, then its requirement."""
    return "；".join(p for p in ("必填" if f.required else "选填", requirement(f)) if p)


def _limit(value: int | None, f: Field) -> float | int | None:
    """A schema bound (stored units: fen, millionths) in the units typed into Excel."""
    scale = {Kind.AMOUNT: 100, Kind.DECIMAL: 1_000_000}.get(f.kind, 1)
    if value is None:
        return None
    return value // scale if value % scale == 0 else value / scale


def _number_check(kind: str, low: float | int | None, high: float | int | None) -> dict[str, Any]:
    if low is not None and high is not None:
        return {"validate": kind, "criteria": "between", "minimum": low, "maximum": high}
    if low is not None:
        return {"validate": kind, "criteria": ">=", "value": low}
    if high is not None:
        return {"validate": kind, "criteria": "<=", "value": high}
    return {"validate": kind, "criteria": "between", "minimum": -LARGEST, "maximum": LARGEST}


def _date_window(f: Field, period: Period) -> tuple[dt.date, dt.date | None]:
    """The dates a column takes (the rules of submission.md); None: no end."""
    if f is SALES.field("date"):
        return period.start, period.end
    if f is VISITS.field("date"):
        return period.containing_quarter().start, period.end
    if f is REPORTER.field("report_date"):
        return period.end, None
    return FIRST_DATE, LAST_DATE


def input_check(f: Field, period: Period, lists: _ChoiceLists | None) -> dict[str, Any]:
    """The data validation of a column's input cells (options of XlsxWriter)."""
    low, high = _limit(f.minimum, f), _limit(f.maximum, f)
    check: dict[str, Any]
    error = f"“{f.label}”应为：{field_hint(f)}"
    if f.kind in (Kind.ENUM, Kind.MULTI_ENUM):
        source = lists.source(f.choices) if lists is not None else list(f.choices)
        check = {"validate": "list", "source": source}
        if f.kind == Kind.MULTI_ENUM:
            # Several purposes in one cell are fine: warn, let the user go on.
            check["error_type"] = "warning"
            error = f"“{f.label}”可多选，用“、”分隔；选“是”保留所填内容"
        else:
            error = f"请从下拉列表中选择“{f.label}”"
    elif f.kind == Kind.DATE:
        first, last = _date_window(f, period)
        if last is None:
            check = {"validate": "date", "criteria": ">=", "value": first}
            error = f"“{f.label}”应为 {first} 或以后的日期"
        else:
            check = {"validate": "date", "criteria": "between", "minimum": first, "maximum": last}
            if (first, last) != (FIRST_DATE, LAST_DATE):
                error = f"“{f.label}”应为 {first} 至 {last} 的日期"
    elif f.kind in (Kind.AMOUNT, Kind.DECIMAL):
        check = _number_check("decimal", low, high)
    elif f.kind == Kind.PERCENT:
        check = _number_check("decimal", 0, 100)
    elif f.kind == Kind.INTEGER:
        check = _number_check("integer", low, high)
    elif f.kind == Kind.USCC:
        check = {"validate": "length", "criteria": "==", "value": 18}
    elif f.kind == Kind.ORG_CODE:
        check = {"validate": "length", "criteria": "==", "value": 9}
    else:
        check = {"validate": "any"}
    check.update(_messages(f))
    if check["validate"] != "any":
        check.update({"error_title": "输入有误", "error_message": error[:255]})
    return check


def _messages(f: Field) -> dict[str, Any]:
    return {"input_title": f.label[:32], "input_message": field_hint(f)[:255]}


# ---------------------------------------------------------------- sheets


def _write_data_sheet(
    ws: Worksheet, styles: _Styles, lists: _ChoiceLists, sheet: Sheet, title: str,
    period: Period, rows: pd.DataFrame | None,
) -> None:
    fields = sheet.fields
    last_col = len(fields) - 1
    prefill = _prefill_columns(sheet, rows)
    count = len(rows) if prefill and rows is not None else 0
    last_row = FIRST_ROW + max(INPUT_ROWS, count + SPARE_ROWS) - 1

    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, title, styles.title)
    ws.set_row(TITLE_ROW, 28)
    ws.set_row(HEADER_ROW, 32)
    for col, f in enumerate(fields):
        header = styles.required_header if f.required else styles.header
        write_text(ws, HEADER_ROW, col, f.label, header)
        ws.data_validation(HEADER_ROW, col, HEADER_ROW, col, {"validate": "any", **_messages(f)})
        ws.data_validation(FIRST_ROW, col, last_row, col, input_check(f, period, lists))
        texts = [f.label, f.note, *(str(v) for v in prefill.get(f.key, [])[:200])]
        width = fit_width(texts, minimum=_min_width(f), maximum=40)
        ws.set_column(col, col, width, styles.column(f))
    for col, f in enumerate(fields):
        for i, value in enumerate(prefill.get(f.key, ())):
            _write_value(ws, FIRST_ROW + i, col, f, value, styles.column(f))
    ws.freeze_panes(FIRST_ROW, FROZEN_COLUMNS.get(sheet.name, 0))
    ws.autofilter(HEADER_ROW, 0, last_row, last_col)
    _print_setup(ws)
    _protect(ws)


def _min_width(f: Field) -> int:
    if f.kind == Kind.USCC:
        return 22
    if f.kind in (Kind.DATE, Kind.AMOUNT, Kind.PHONE):
        return 13
    return 8


def _print_setup(ws: Worksheet) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.repeat_rows(TITLE_ROW, HEADER_ROW)
    ws.fit_to_pages(1, 0)


def _prefill_columns(sheet: Sheet, rows: pd.DataFrame | None) -> dict[str, list[Any]]:
    """The columns of a pre-filled list that the sheet knows, by field key."""
    if rows is None or rows.empty:
        return {}
    keys = [f.key for f in sheet.fields if f.key in rows.columns and f.key not in NOT_CARRIED]
    return {k: rows[k].tolist() for k in keys}


def _write_value(ws: Worksheet, row: int, col: int, f: Field, value: Any, fmt: Format) -> None:
    """A ledger value in the form the reader takes back: 元 for fen, dates as dates."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        ws.write_blank(row, col, None, fmt)
    elif f.kind == Kind.DATE and (day := _as_date(value)) is not None:
        ws.write_datetime(row, col, dt.datetime(day.year, day.month, day.day), fmt)
    elif f.kind == Kind.AMOUNT and _is_number(value):
        ws.write_number(row, col, float(Decimal(int(value)) / 100), fmt)
    elif f.kind in (Kind.DECIMAL, Kind.PERCENT) and _is_number(value):
        ws.write_number(row, col, float(Decimal(int(value)) / 1_000_000), fmt)
    elif f.kind == Kind.INTEGER and _is_number(value):
        ws.write_number(row, col, int(value), fmt)
    else:
        write_text(ws, row, col, _as_text(value), fmt)


def _as_date(value: Any) -> dt.date | None:
    """A date from a date, a timestamp or ISO text; None for anything else."""
    if isinstance(value, dt.datetime):  # pd.Timestamp included
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    return getattr(getattr(value, "dtype", None), "kind", "") in ("i", "u", "f")


def _as_text(value: Any) -> str:
    """A whole float (a code the ledger held as a number) without its `.0`."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _write_market(ws: Worksheet, styles: _Styles, title: str) -> None:
    topic, analysis = MARKET.fields
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, 1, title, styles.title)
    ws.set_row(TITLE_ROW, 28)
    for col, f in enumerate((topic, analysis)):
        write_text(ws, HEADER_ROW, col, f.label, styles.header)
        message = {"input_title": f.label, "input_message": _MARKET_HINTS[f.key]}
        ws.data_validation(HEADER_ROW, col, HEADER_ROW, col, {"validate": "any", **message})
        ws.data_validation(FIRST_ROW, col, FIRST_ROW + INPUT_ROWS - 1, col,
                           {"validate": "any", **message})
    ws.set_column(0, 0, 24, styles.input(wrap=True))
    ws.set_column(1, 1, 90, styles.input(wrap=True))
    ws.freeze_panes(FIRST_ROW, 0)
    _print_setup(ws)
    _protect(ws)


_MARKET_HINTS = {
    "topic": "如：本期报表分析、客户信息变化、市场问题、拜访情况",
    "analysis": "分析内容，可写多段（单元格内换行按 Alt+Enter）",
}


def _write_reporter(ws: Worksheet, styles: _Styles, subsidiary: Subsidiary,
                    period: Period) -> None:
    """Key/value: labels in column A, values in column B, a hint in column C."""
    given = {
        "subsidiary": subsidiary.name,
        "industry": subsidiary.industry,
        "period": str(period),
        "template_version": TEMPLATE_VERSION,
    }
    # A title the reader ignores: it is no label of the sheet.
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, 2, f"报送信息（{period.label_zh}）", styles.title)
    ws.set_row(TITLE_ROW, 28)
    for col, text in enumerate(("项目", "内容", "说明")):
        write_text(ws, HEADER_ROW, col, text, styles.header)
    for i, f in enumerate(REPORTER.fields):
        row = FIRST_ROW + i
        write_text(ws, row, 0, f.label, styles.required_label if f.required else styles.label)
        if f.key in given:
            write_text(ws, row, 1, given[f.key], styles.given)
            hint = "已预填，请勿修改"
        else:
            ws.write_blank(row, 1, None, styles.column(f, border=True))
            ws.data_validation(row, 1, row, 1, input_check(f, period, None))
            hint = field_hint(f)
            if f is REPORTER.field("report_date"):
                hint += f"（{period.end}）"
        write_text(ws, row, 2, hint, styles.note)
    ws.set_column(0, 0, fit_width([f.label for f in REPORTER.fields], minimum=12))
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2, 60)
    _protect(ws)


def _write_instructions(
    ws: Worksheet, styles: _Styles, config: Config, subsidiary: Subsidiary, period: Period,
    sheets: list[Sheet],
) -> None:
    """填报说明: who fills what, by when, and each column's requirements."""
    lines: list[tuple[str, Format | None]] = []

    def line(text: str = "", fmt: Format | None = None) -> None:
        lines.append((text, fmt))

    policy = config.policy
    names = {s.name for s in sheets}
    line(f"{config.group}客户管理报表填报说明", styles.big_title)
    line(f"填报单位：{subsidiary.name}（{subsidiary.industry}）    报送期间：{period.label_zh}"
         f"（{period}）    模板版本：{TEMPLATE_VERSION}")
    line("请按本说明填写后报送总管理部。本工作簿由 xlcrm 生成，填写时请勿改动工作表名称与表头。")
    line()
    line("一、报送时限（《客户管理制度》第八、十条）", styles.heading)
    reports = [n for n in ("客户信息表", "销售数据表", "资信评估表") if n in names]
    line(f"  · {'、'.join(reports)}：{due_date(period, policy.report_due_day)} 前报送")
    if period.is_quarter_end:
        line(f"  · 拜访记录、市场分析：{due_date(period, policy.visits_due_day)} 前报送")
    else:
        line("  · 拜访记录为季度报表，季末月随月报报送；本月也可报送本季度至今的拜访记录（选填）。")
        line("  · 资信评估表、市场分析为季度报表，随季末月的工作簿报送，本工作簿不含。")
    if policy.holiday_shift:
        line("  · 截止日遇周末或法定节假日，顺延至下一个工作日。")
    line()
    line("二、由谁填写", styles.heading)
    for name in (REPORTER.name, *(s.name for s in sheets)):
        line(f"  · {name}：{WHO_FILLS.get(name, '')}")
    if subsidiary.monthly:
        line("  · 医药企业按月报送（第八条）。")
    line()
    line("三、填写规则", styles.heading)
    for rule in RULES:
        line(f"  · {rule}")
    line()
    line("四、各表各列的填写要求", styles.heading)

    for row, (text, fmt) in enumerate(lines):
        if text:
            write_text(ws, row, 0, text, fmt)
    row = len(lines)
    for sheet in (REPORTER, *sheets):
        if sheet.free_text:
            continue
        row += 1
        write_text(ws, row, 0, f"【{sheet.name}】", styles.heading)
        row += 1
        for col, text in enumerate(("列名", "必填", "填写要求", "可选值")):
            write_text(ws, row, col, text, styles.table_head)
        for f in sheet.fields:
            row += 1
            write_text(ws, row, 0, f.label, styles.table_cell)
            write_text(ws, row, 1, "是" if f.required else "", styles.table_cell)
            write_text(ws, row, 2, requirement(f), styles.table_cell)
            choices = "、".join(f.choices)
            write_text(ws, row, 3, choices, styles.table_cell)
            # Wrapped text does not grow its row by itself in every viewer.
            lines_needed = max(display_width(choices) // 58, display_width(requirement(f)) // 48)
            if lines_needed:
                ws.set_row(row, 15 * (lines_needed + 1))
    if MARKET.name in names:
        row += 2
        write_text(ws, row, 0, f"【{MARKET.name}】", styles.heading)
        write_text(ws, row + 1, 0, f"{_MARKET_HINTS['topic']}。{_MARKET_HINTS['analysis']}。")
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 6)
    ws.set_column(2, 2, 50)
    ws.set_column(3, 3, 60)
    ws.activate()
    _protect(ws)
