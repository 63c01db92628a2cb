"""Template workbooks: read back with openpyxl, filled, and validated (outputs.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.worksheet import Worksheet

from xlcrm.cli import main
from xlcrm.codes import make_uscc
from xlcrm.config import Config, Subsidiary
from xlcrm.periods import Period
from xlcrm.schema import (
    CREDIT,
    CUSTOMERS,
    DATA_SHEETS,
    INSTRUCTIONS_SHEET,
    MARKET,
    REPORTER,
    SALES,
    STAFF,
    TEMPLATE_VERSION,
    VISITS,
    Kind,
)
from xlcrm.validate import validate_files
from xlcrm.write import template as template_module
from xlcrm.write.common import display_width
from xlcrm.write.template import template_name, write_template

CHEMICAL = Subsidiary("化工一厂", "化工")
PHARMA = Subsidiary("医药公司", "医药")
CONFIG = Config(group="某某集团", subsidiaries=(CHEMICAL, PHARMA))
Q1 = Period.quarter(2026, 1)
USCC = make_uscc("91110000", "60003734")
ALL_SHEETS = [INSTRUCTIONS_SHEET, REPORTER.name, *(s.name for s in DATA_SHEETS)]


def make(tmp_path: Path, subsidiary: Subsidiary = CHEMICAL, period: Period = Q1,
         customers: pd.DataFrame | None = None) -> Path:
    target = tmp_path / template_name(subsidiary.name, period)
    return write_template(target, CONFIG, subsidiary, period, customers)


@pytest.fixture(scope="module")
def q1_book(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    return openpyxl.load_workbook(make(tmp_path_factory.mktemp("q1")))


def headers(ws: Worksheet) -> list[Any]:
    return [c.value for c in ws[2] if c.value is not None]


def column_of(ws: Worksheet, label: str) -> int:
    return headers(ws).index(label) + 1


def width(ws: Worksheet, col: int) -> float:
    """openpyxl groups equal neighbouring columns into one dimension (min..max)."""
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= col <= dim.max:
            return float(dim.width)
    raise AssertionError(f"no width for column {col}")


def column_unlocked(ws: Worksheet, col: int) -> bool:
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= col <= dim.max:
            return dim.protection.locked is False
    return False


def validation_of(ws: Worksheet, cell: str) -> Any:
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, (cell, found)
    return found[0]


def fill_row(ws: Worksheet, row: int, values: dict[str, Any]) -> None:
    for label, value in values.items():
        ws.cell(row, column_of(ws, label), value)


def reporter_row(ws: Worksheet, label: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, 1).value == label:
            return row
    raise AssertionError(label)


CUSTOMER_ROW = {
    "客户编号": "00123", "客户名称": "华东化工贸易有限公司", "统一社会信用代码": USCC,
    "组织机构代码": USCC[8:17], "法定代表人": "王五", "注册资本(万元)": 500,
    "成立日期": dt.datetime(2010, 5, 1), "机构类型": "民营企业", "所在省份": "江苏省",
    "所在城市": "南京", "联系人": "赵六", "联系电话": "13812345678", "合作关系": "经销商",
    "客户阶段": "已签约", "合作起始日期": dt.datetime(2020, 1, 1), "负责业务员": "张三",
    "档案管理人": "李四", "付款方式": "月结", "账期(天)": 30, "期初应收余额(元)": 1000.5,
    "建议分类": "A",
}


def fill(path: Path, *, month: int = 3, customers: bool = True) -> None:
    """What a sales department does with the template: type in one of everything.

    `month`: the period's last month; 填报日期 is the 3rd of the next.
    """
    report_date = dt.datetime(2026, month + 1, 3)
    quarter_end = month % 3 == 0
    book = openpyxl.load_workbook(path)
    ws = book[REPORTER.name]
    for label, value in (("填报人", "李四"), ("联系电话", "025-83001234"),
                         ("填报日期", report_date), ("部门负责人", "钱七")):
        ws.cell(reporter_row(ws, label), 2, value)
    fill_row(book[STAFF.name], 3, {"姓名": "张三", "工号": "007", "职务": "业务员",
                                   "联系电话": "13900001111", "负责区域": "华东"})
    fill_row(book[STAFF.name], 4, {"姓名": "李四", "职务": "档案管理员"})
    if customers:
        fill_row(book[CUSTOMERS.name], 3, CUSTOMER_ROW)
    sales = book[SALES.name]
    fill_row(sales, 3, {"日期": dt.datetime(2026, month, 2), "单据号": "0001", "客户编号": "00123",
                        "客户名称": "华东化工贸易有限公司", "业务类型": "发货",
                        "产品名称": "乙二醇", "数量": 10, "单价(元)": 1234.5,
                        "金额(元)": 12345, "业务员": "张三"})
    fill_row(sales, 4, {"日期": dt.datetime(2026, month, 20), "单据号": "0002", "客户编号": "00123",
                        "业务类型": "回款", "金额(元)": 10000})
    if quarter_end:
        fill_row(book[CREDIT.name], 3, {
            "客户编号": "00123", "年销售规模(万元)": 120, "月均销售额(万元)": 10,
            "按期付款率": 0.95, "逾期次数": 1, "评定资信等级": "二级",
            "申请资信额度(元)": 200000, "申请日期": dt.datetime(2026, 3, 22),
            "批准资信额度(元)": 150000, "审批人": "总经理", "批复日期": dt.datetime(2026, 3, 24)})
        market = book[MARKET.name]
        market.cell(3, 1, "市场问题")
        market.cell(3, 2, "华东地区乙二醇价格下行，经销商压款。")
    fill_row(book[VISITS.name], 3, {
        "拜访日期": dt.datetime(2026, 1, 15),
        "客户编号": "00123", "拜访人": "张三", "拜访人职务": "业务员", "拜访方式": "上门拜访",
        "拜访目的": "产品销售、客情建设", "拜访内容": "介绍新产品"})
    book.save(path)


def findings(path: Path) -> list[tuple[str | None, str | None, str]]:
    result = validate_files([(path, path.name)], CONFIG)
    return [(f.sheet, f.cell, f.rule) for f in result.findings]


# ---------------------------------------------------------------- names and sheets


@pytest.mark.parametrize(("subsidiary", "period", "name"), [
    ("化工一厂", Period.quarter(2026, 1), "化工一厂_2026Q1_填报模板.xlsx"),
    ("医药公司", Period.month(2026, 2), "医药公司_2026-02_填报模板.xlsx"),
    ("华东/华南分公司", Period.quarter(2026, 4), "华东_华南分公司_2026Q4_填报模板.xlsx"),
])
def test_template_name(subsidiary: str, period: Period, name: str) -> None:
    assert template_name(subsidiary, period) == name


@pytest.mark.parametrize(("subsidiary", "period", "sheets"), [
    (CHEMICAL, Q1, ALL_SHEETS),
    (PHARMA, Period.month(2026, 3), ALL_SHEETS),
    # Months 1 and 2 of a quarter: no credit or market sheet, visits optional.
    (PHARMA, Period.month(2026, 2),
     [INSTRUCTIONS_SHEET, REPORTER.name, STAFF.name, CUSTOMERS.name, SALES.name, VISITS.name]),
])
def test_sheets_in_order(tmp_path: Path, subsidiary: Subsidiary, period: Period,
                         sheets: list[str]) -> None:
    book = openpyxl.load_workbook(make(tmp_path, subsidiary, period))
    assert book.sheetnames == sheets
    assert book.active.title == INSTRUCTIONS_SHEET


def test_headers_are_the_schema_labels(q1_book: openpyxl.Workbook) -> None:
    for sheet in DATA_SHEETS:
        ws = q1_book[sheet.name]
        assert headers(ws) == [f.label for f in sheet.fields], sheet.name
        assert ws["A1"].value == f"{sheet.name}（化工一厂 2026年第1季度）"
        last = openpyxl.utils.get_column_letter(len(sheet.fields))
        assert [str(r) for r in ws.merged_cells.ranges] == [f"A1:{last}1"]


def test_required_headers_are_red(q1_book: openpyxl.Workbook) -> None:
    ws = q1_book[CUSTOMERS.name]
    for col, f in enumerate(CUSTOMERS.fields, start=1):
        color = ws.cell(2, col).font.color
        assert (color is not None and color.rgb == "FFC00000") == f.required, f.label


def test_reporter_sheet_prefilled(q1_book: openpyxl.Workbook) -> None:
    ws = q1_book[REPORTER.name]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(3, ws.max_row + 1)}
    assert values == {"填报单位": "化工一厂", "行业类型": "化工", "报送期间": "2026Q1",
                      "填报人": None, "联系电话": None, "填报日期": None, "部门负责人": None,
                      "模板版本": TEMPLATE_VERSION}
    version = reporter_row(ws, "模板版本")
    assert ws.cell(version, 2).protection.locked
    date_row = reporter_row(ws, "填报日期")
    assert ws.cell(date_row, 2).protection.locked is False
    check = validation_of(ws, f"B{date_row}")
    assert (check.type, check.operator) == ("date", "greaterThanOrEqual")
    assert check.formula1 == "46112"  # 2026-03-31, the period's last day


def test_template_version_recorded_in_properties(q1_book: openpyxl.Workbook) -> None:
    assert TEMPLATE_VERSION in q1_book.properties.description
    custom = {p.name: p.value for p in q1_book.custom_doc_props.props}
    assert custom["xlcrm_template_version"] == TEMPLATE_VERSION
    assert custom["xlcrm_period"] == "2026Q1"


# ---------------------------------------------------------------- input checks


def test_every_enum_column_has_its_drop_down(q1_book: openpyxl.Workbook) -> None:
    for sheet in DATA_SHEETS:
        ws = q1_book[sheet.name]
        for col, f in enumerate(sheet.fields, start=1):
            if f.kind not in (Kind.ENUM, Kind.MULTI_ENUM):
                continue
            letter = openpyxl.utils.get_column_letter(col)
            check = validation_of(ws, f"{letter}3")
            assert str(check.sqref) == f"{letter}3:{letter}2002"
            assert check.type == "list"
            assert check.formula1 == '"' + ",".join(f.choices) + '"'
            assert check.errorStyle == ("warning" if f.kind == Kind.MULTI_ENUM else None)


@pytest.mark.parametrize(("sheet", "label", "kind", "operator", "formula1", "formula2"), [
    (CUSTOMERS.name, "统一社会信用代码", "textLength", "equal", "18", None),
    (CUSTOMERS.name, "组织机构代码", "textLength", "equal", "9", None),
    (CUSTOMERS.name, "账期(天)", "whole", "between", "0", "365"),
    (CUSTOMERS.name, "注册资本(万元)", "decimal", "greaterThanOrEqual", "0", None),
    (CUSTOMERS.name, "成立日期", "date", "between", "1", "2958465"),
    (SALES.name, "金额(元)", "decimal", "greaterThanOrEqual", "0.01", None),
    (SALES.name, "日期", "date", "between", "46023", "46112"),  # the quarter
    (CREDIT.name, "按期付款率", "decimal", "between", "0", "100"),
    (CREDIT.name, "逾期次数", "whole", "greaterThanOrEqual", "0", None),
    (VISITS.name, "拜访日期", "date", "between", "46023", "46112"),
])
def test_input_checks(q1_book: openpyxl.Workbook, sheet: str, label: str, kind: str,
                      operator: str, formula1: str, formula2: str | None) -> None:
    ws = q1_book[sheet]
    letter = openpyxl.utils.get_column_letter(column_of(ws, label))
    check = validation_of(ws, f"{letter}3")
    assert str(check.sqref) == f"{letter}3:{letter}2002"
    assert (check.type, check.operator, check.formula1, check.formula2) == (
        kind, None if operator == "between" else operator, formula1, formula2)
    assert check.errorTitle and check.error


def test_header_cells_carry_the_note(q1_book: openpyxl.Workbook) -> None:
    ws = q1_book[CUSTOMERS.name]
    for col, f in enumerate(CUSTOMERS.fields, start=1):
        cell = f"{openpyxl.utils.get_column_letter(col)}2"
        check = validation_of(ws, cell)
        assert check.promptTitle == f.label
        assert check.prompt.startswith("必填" if f.required else "选填")
        assert f.note in check.prompt


def test_long_choice_lists_go_to_hidden_columns(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # No list of the schema passes Excel's 255 characters today; pretend one does.
    monkeypatch.setattr(template_module, "LIST_LIMIT", 100)
    path = make(tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book[CUSTOMERS.name]
    province = CUSTOMERS.field("province")
    letter = openpyxl.utils.get_column_letter(column_of(ws, province.label))
    check = validation_of(ws, f"{letter}3")
    assert check.formula1 == "填报说明!$AA$1:$AA$34"
    notes = book[INSTRUCTIONS_SHEET]
    assert [notes.cell(r, 27).value for r in range(1, 35)] == list(province.choices)
    assert notes.column_dimensions["AA"].hidden
    # The instructions sheet is ignored by the reader: the filled template stays clean.
    fill(path)
    assert findings(path) == []


# ---------------------------------------------------------------- layout and protection


def test_frozen_header(q1_book: openpyxl.Workbook) -> None:
    panes = {s.name: q1_book[s.name].freeze_panes for s in DATA_SHEETS}
    assert panes == {STAFF.name: "A3", CUSTOMERS.name: "C3", SALES.name: "A3",
                     CREDIT.name: "A3", VISITS.name: "A3", MARKET.name: "A3"}


def test_locked_headers_unlocked_inputs_protected_sheets(q1_book: openpyxl.Workbook) -> None:
    for name in q1_book.sheetnames:
        protection = q1_book[name].protection
        assert protection.sheet, name
        assert protection.password is None
        # In OOXML an attribute set to false means "allowed while protected".
        assert not protection.formatCells and not protection.formatColumns
        assert not protection.insertRows and not protection.autoFilter and not protection.sort
    for sheet in DATA_SHEETS:
        ws = q1_book[sheet.name]
        for col in range(1, len(sheet.fields) + 1):
            assert ws.cell(1, col).protection.locked
            assert ws.cell(2, col).protection.locked
            assert column_unlocked(ws, col), (sheet.name, col)


def test_code_columns_are_text(q1_book: openpyxl.Workbook) -> None:
    for sheet, label in ((CUSTOMERS, "客户编号"), (CUSTOMERS, "统一社会信用代码"),
                         (CUSTOMERS, "组织机构代码"), (CUSTOMERS, "联系电话"),
                         (SALES, "单据号"), (SALES, "客户编号")):
        ws = q1_book[sheet.name]
        letter = openpyxl.utils.get_column_letter(column_of(ws, label))
        assert ws.column_dimensions[letter].number_format == "@", label
    ws = q1_book[SALES.name]
    assert ws.column_dimensions["I"].number_format == "#,##0.00"  # 金额(元)


def test_widths_count_cjk_double(q1_book: openpyxl.Workbook) -> None:
    for sheet in DATA_SHEETS:
        ws = q1_book[sheet.name]
        for col, f in enumerate(sheet.fields, start=1):
            assert width(ws, col) >= display_width(f.label) > len(f.label), (sheet.name, f.label)
    ws = q1_book[CUSTOMERS.name]
    assert width(ws, column_of(ws, "统一社会信用代码")) > width(ws, column_of(ws, "地址"))


# ---------------------------------------------------------------- filled and validated


def test_filled_template_validates_clean(tmp_path: Path) -> None:
    path = make(tmp_path)
    fill(path)
    result = validate_files([(path, path.name)], CONFIG)
    assert [(f.sheet, f.cell, f.rule) for f in result.findings] == []
    (sub,) = result.submissions
    assert (sub.subsidiary, sub.period, sub.report_date) == ("化工一厂", Q1, dt.date(2026, 4, 3))
    customers = sub.tables[CUSTOMERS.name].data
    assert customers["customer_no"].tolist() == ["00123"]
    assert customers["opening_balance"].tolist() == [100050]
    assert customers["province"].tolist() == ["江苏省"]
    assert sub.tables[SALES.name].data["amount"].tolist() == [1234500, 1000000]
    assert len(sub.tables[VISITS.name].data) == 1
    assert sub.market == [("市场问题", "华东地区乙二醇价格下行，经销商压款。")]


def test_a_bracketed_name_keeps_the_market_title_out_of_the_analysis(tmp_path: Path) -> None:
    nanjing = Subsidiary("化工一厂（南京）", "化工")
    config = Config(subsidiaries=(nanjing,))
    path = write_template(tmp_path / "t.xlsx", config, nanjing, Q1)
    assert openpyxl.load_workbook(path)[MARKET.name]["A1"].value == (
        "市场分析（化工一厂〔南京〕 2026年第1季度）")
    (sub,) = validate_files([(path, path.name)], config).submissions
    assert sub.market == []


def test_filled_monthly_template_validates_clean(tmp_path: Path) -> None:
    path = make(tmp_path, PHARMA, Period.month(2026, 2))
    fill(path, month=2)
    assert findings(path) == []


def test_blank_template_reports_what_is_missing(tmp_path: Path) -> None:
    """Unfilled, only the reporter's own entries are asked for."""
    path = make(tmp_path)
    assert findings(path) == [
        (REPORTER.name, "B6", "required"),  # 填报人
        (REPORTER.name, "B8", "required"),  # 填报日期
    ]


def test_prefilled_customers(tmp_path: Path) -> None:
    last = pd.DataFrame({
        "customer_no": ["00123", "C-2"],
        "customer_name": ["华东化工贸易有限公司", "西南医药有限公司"],
        "uscc": [USCC, make_uscc("91510100", "20181234")],
        "legal_rep": ["王五", "孙八"],
        "registered_capital": pd.array([50000, None], dtype="Int64"),  # 500.00 万元
        "founded": pd.to_datetime(["2010-05-01", None]),
        "since": ["2020-01-01", "2021-07-01 00:00:00"],  # dates as ISO text
        "org_type": ["民营企业", "国有企业"],
        "province": ["江苏省", "四川省"],
        "contact": ["赵六", "周九"],
        "phone": ["13812345678", "028-87654321"],
        "relationship": ["经销商", "直销客户"],
        "stage": ["已签约", "日常维护"],
        "salesperson": ["张三", "张三"],
        "archivist": ["李四", "李四"],
        "payment_terms": ["月结", "现款"],
        "credit_days": pd.array([30, 0], dtype="Int64"),
        "opening_balance": pd.array([100050, -2000], dtype="Int64"),
        "not_a_field": ["x", "y"],
    })
    path = make(tmp_path, customers=last)
    ws = openpyxl.load_workbook(path)[CUSTOMERS.name]
    row = {label: ws.cell(3, column_of(ws, label)).value for label in (
        "客户编号", "注册资本(万元)", "成立日期", "账期(天)", "期初应收余额(元)", "所在省份")}
    assert row == {"客户编号": "00123", "注册资本(万元)": 500, "成立日期": dt.datetime(2010, 5, 1),
                   "账期(天)": 30, "期初应收余额(元)": None, "所在省份": "江苏省"}
    assert ws.cell(4, column_of(ws, "合作起始日期")).value == dt.datetime(2021, 7, 1)
    assert ws.cell(4, column_of(ws, "注册资本(万元)")).value is None
    assert ws.cell(3, 1).protection.locked is False
    assert ws.cell(5, 1).value is None
    fill(path, customers=False)
    assert findings(path) == []


# ---------------------------------------------------------------- the command


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "xlcrm.toml"
    pairs = (("化工一厂", "化工"), ("贸易公司", "其他"), ("医药公司", "医药"))
    entries = "".join(f'\n[[subsidiaries]]\nname = "{s}"\nindustry = "{i}"\n' for s, i in pairs)
    path.write_text(f'group = "某某集团"\n{entries}', encoding="utf-8")
    return path


def test_cli_template(tmp_path: Path, config_file: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["template", "--period", "2026Q1", "-o", str(out),
                                       "--config", str(config_file),
                                       "--subsidiary", "化工一厂", "--subsidiary", "贸易公司"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == ["化工一厂_2026Q1_填报模板.xlsx", "贸易公司_2026Q1_填报模板.xlsx"]
    assert result.output == "".join(f"已生成 {out / name}\n" for name in files)


def test_cli_template_monthly(tmp_path: Path, config_file: Path) -> None:
    result = CliRunner().invoke(main, ["template", "--period", "2026-02", "-o", str(tmp_path),
                                       "--config", str(config_file), "--subsidiary", "医药公司"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "医药公司_2026-02_填报模板.xlsx")
    assert CREDIT.name not in book.sheetnames and VISITS.name in book.sheetnames


def test_cli_template_wrong_period_kind(tmp_path: Path, config_file: Path) -> None:
    result = CliRunner().invoke(main, ["template", "--period", "2026Q1", "-o", str(tmp_path),
                                       "--config", str(config_file), "--subsidiary", "医药公司"])
    assert result.exit_code == 2
    assert "医药公司（医药）按月份报送，期间“2026Q1”不符" in result.output
    assert not list(tmp_path.glob("*.xlsx"))


def test_input_checks_reach_past_a_long_customer_list(tmp_path: Path) -> None:
    count = 1700
    last = pd.DataFrame({"customer_no": [f"{i:05d}" for i in range(count)],
                         "customer_name": [f"客户{i}" for i in range(count)]})
    ws = openpyxl.load_workbook(make(tmp_path, customers=last))[CUSTOMERS.name]
    assert ws.cell(2 + count, 1).value == f"{count - 1:05d}"
    assert ws.cell(3 + count, 1).value is None
    last_row = 2 + count + template_module.SPARE_ROWS
    assert str(validation_of(ws, "J3").sqref) == f"J3:J{last_row}"
