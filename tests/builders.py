"""Build submission workbooks for tests (spec/submission.md), with XlsxWriter.

A sheet is a grid: a list of rows, each a list of cell values, written from
A1 down. Python types choose the cell type: `str` a text cell, `int`,
`float` or `Decimal` a number cell, `date`/`datetime` a date cell, `None` a
blank cell. `table()` makes the grid of a data sheet from dicts keyed by
header label, `reporter()` the key/value grid of `填报单位`, and the `*_row`
helpers give one valid row of each data sheet, to be overridden per test.

    path = write_submission(tmp_path / "a.xlsx", sheets={
        "客户信息表": table([customer_row("C001")]),
        "销售数据表": table([sale_row("C001")]),
    })
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from xlcrm.codes import make_uscc
from xlcrm.config import Config, Subsidiary

Grid = list[list[Any]]

CHEM = "化工一厂"  # quarterly
PHARMA = "医药公司"  # monthly
OTHER = "贸易公司"  # quarterly
CONFIG = Config(
    group="测试集团",
    subsidiaries=(Subsidiary(CHEM, "化工"), Subsidiary(PHARMA, "医药"), Subsidiary(OTHER, "其他")),
)
_INDUSTRY = {s.name: s.industry for s in CONFIG.subsidiaries}

# Valid credit codes: registration authority 9 (工商), type 1 (企业), area 110000.
USCC = [make_uscc("91110000", f"{n:08d}") for n in range(10_000_001, 10_000_101)]


def reporter(
    subsidiary: str = CHEM, period: Any = "2026Q1", report_date: Any = dt.date(2026, 4, 3),
    *, title: str | None = None, **overrides: Any,
) -> Grid:
    """The `填报单位` sheet: labels in column A, values in column B.

    `overrides` are keyed by label; a value of None writes the label with a
    blank value, `DROP` leaves the row out.
    """
    values: dict[str, Any] = {
        "填报单位": subsidiary,
        "行业类型": _INDUSTRY.get(subsidiary, "化工"),
        "报送期间": period,
        "填报人": "张三",
        "联系电话": "13800138000",
        "填报日期": report_date,
        "部门负责人": "李四",
        "模板版本": "1.0",
    }
    values.update(overrides)
    grid: Grid = [[title]] if title else []
    grid += [[label, value] for label, value in values.items() if value is not DROP]
    return grid


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


DROP: Any = _Drop()


def table(
    rows: Iterable[Mapping[str, Any]], headers: Sequence[str] | None = None,
    *, title: str | None = None, blank_rows: int = 0,
) -> Grid:
    """A data sheet: an optional title row, blank rows, the header row, the rows.

    Headers default to every key of the rows, in first-seen order; a row dict
    may hold `None` for a blank cell. A row that is a list is written as is.
    """
    rows = list(rows)
    if headers is None:
        headers = list(dict.fromkeys(k for r in rows if isinstance(r, Mapping) for k in r))
    grid: Grid = [[title]] if title else []
    grid += [[] for _ in range(blank_rows)]
    grid.append(list(headers))
    for r in rows:
        grid.append(list(r) if not isinstance(r, Mapping) else [r.get(h) for h in headers])
    return grid


def staff_row(name: Any = "王五", no: Any = "E001", **overrides: Any) -> dict[str, Any]:
    row = {"姓名": name, "工号": no, "职务": "业务员",
           "联系电话": "13900139000", "负责区域": "华南"}
    return {**row, **overrides}


def customer_row(no: Any = "C001", index: int = 0, **overrides: Any) -> dict[str, Any]:
    """A valid 客户信息表 row; `index` picks a distinct valid credit code."""
    uscc = USCC[index]
    row: dict[str, Any] = {
        "客户编号": no, "客户名称": f"客户{no}有限公司", "统一社会信用代码": uscc,
        "组织机构代码": uscc[8:17], "营业执照注册号": "110108012345678",
        "税务登记证号": uscc, "法定代表人": "赵六", "注册资本(万元)": 500,
        "成立日期": dt.date(2010, 5, 1), "机构类型": "民营企业", "所属行业": "化工",
        "所在省份": "广东省", "所在城市": "广州", "地址": "天河路1号", "联系人": "钱七",
        "联系电话": "020-12345678", "合作关系": "直销客户", "客户阶段": "已签约",
        "合作起始日期": dt.date(2020, 1, 1), "负责业务员": "王五", "档案管理人": "孙八",
        "付款方式": "月结", "账期(天)": 30, "期初应收余额(元)": 10000,
        "建议分类": "A", "备注": None,
    }
    return {**row, **overrides}


def sale_row(customer: Any = "C001", day: Any = dt.date(2026, 2, 10), **overrides: Any,
             ) -> dict[str, Any]:
    row: dict[str, Any] = {
        "日期": day, "单据号": None, "客户编号": customer, "客户名称": f"客户{customer}有限公司",
        "业务类型": "发货", "产品名称": "产品甲", "数量": 10, "单价(元)": 100,
        "金额(元)": 1000, "业务员": "王五",
    }
    return {**row, **overrides}


def credit_row(customer: Any = "C001", **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "客户编号": customer, "年销售规模(万元)": 1200, "月均销售额(万元)": 100,
        "按期付款率": 0.95, "逾期次数": 0, "评定资信等级": "一级",
        "申请资信额度(元)": 500000, "申请日期": dt.date(2026, 3, 22),
        "批准资信额度(元)": 400000, "审批人": "周九", "批复日期": dt.date(2026, 3, 24),
        "备注": None,
    }
    return {**row, **overrides}


def visit_row(customer: Any = "C001", day: Any = dt.date(2026, 3, 10), **overrides: Any,
              ) -> dict[str, Any]:
    row: dict[str, Any] = {
        "拜访日期": day, "客户编号": customer, "拜访人": "王五", "拜访人职务": "业务员",
        "拜访方式": "上门拜访", "拜访目的": "产品销售、客情建设", "拜访内容": "介绍新品",
        "客户投诉": None, "跟进措施": None,
    }
    return {**row, **overrides}


def market() -> Grid:
    return [["主题", "分析内容"], ["华南市场", "需求平稳，价格竞争加剧。"]]


def data_sheets(
    *, quarter_end: bool = True, customers: int = 2, day: dt.date = dt.date(2026, 3, 10),
) -> dict[str, Grid]:
    """Valid data sheets: `customers` customers, a sale each on `day`; at quarter end the rest."""
    nos = [f"C{i + 1:03d}" for i in range(customers)]
    sheets: dict[str, Grid] = {
        "公司信息": table([staff_row("王五", "E001"), staff_row("孙八", "E002", 职务="档案管理员")]),
        "客户信息表": table([customer_row(no, i) for i, no in enumerate(nos)]),
        "销售数据表": table([sale_row(no, day, 单据号=f"D{i:04d}") for i, no in enumerate(nos)]),
    }
    if quarter_end:
        sheets["资信评估表"] = table([credit_row(no) for no in nos])
        sheets["拜访记录"] = table([visit_row(no, day) for no in nos])
        sheets["市场分析"] = market()
    return sheets


def write_workbook(path: Path, sheets: Mapping[str, Grid]) -> Path:
    """Write grids as sheets, in order; dates get a date format, as Excel writes them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, grid in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                _write_cell(ws, r, c, value, date_format)
    book.close()
    return path


def _write_cell(ws: Any, r: int, c: int, value: Any, date_format: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, dt.datetime | dt.date):
        when = value if isinstance(value, dt.datetime) else dt.datetime(
            value.year, value.month, value.day)
        ws.write_datetime(r, c, when, date_format)
    elif isinstance(value, int | float | Decimal):
        ws.write_number(r, c, float(value))
    else:
        ws.write_string(r, c, str(value))


def write_submission(
    path: Path, *, reporter_sheet: Grid | None = None, sheets: Mapping[str, Grid] | None = None,
    **reporter_args: Any,
) -> Path:
    """A workbook: `填报单位` (from `reporter(**reporter_args)` unless given), then `sheets`.

    With `sheets` None, the valid data sheets of `data_sheets()` are written.
    """
    grids = {"填报单位": reporter_sheet if reporter_sheet is not None else reporter(**reporter_args)}
    grids.update(data_sheets() if sheets is None else sheets)
    return write_workbook(path, grids)

