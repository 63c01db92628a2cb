"""Report sheets written by write/sheets.py, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet as ReadSheet
from xlsxwriter.workbook import Workbook

from xlcrm.write.common import atomic_workbook
from xlcrm.write.sheets import (
    Column,
    Formats,
    ReportSheet,
    add_links_sheet,
    write_report_sheet,
)

TITLE = "集团客户分类表（某某集团，2025-04至2026-03）"
UNIT_LINE = "编制单位：某某集团    期间：2026-03    金额单位：元"
COMPILED_ON = dt.date(2026, 4, 10)
FORMULA_TEXT = '=HYPERLINK("http://x","y")'

COLUMNS = [
    Column("填报单位", "subsidiary"),
    Column("客户分类", "customer_class"),
    Column("客户名称", "customer_name"),
    Column("净销售额(元)", "net_sales", "money", total="sum"),
    Column("回款金额(元)", "collected", "money", total="sum"),
    Column("回款率", "collection_rate", "rate", total="ratio:collected:net_sales"),
    Column("客户数", "customers", "int", total="sum"),
    Column("最近拜访日期", "last_visit", "date"),
]
NET_SALES = [123456, 10, 20001]  # fen
COLLECTED = [100000, None, 5]


def sales_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "subsidiary": ["化工一厂", "化工一厂", "医药二厂"],
        "customer_class": ["A", None, "C"],
        "customer_name": ["上海某某化工有限公司", FORMULA_TEXT, "+plus -minus @at"],
        "net_sales": pd.array(NET_SALES, dtype="Int64"),
        "collected": pd.array(COLLECTED, dtype="Int64"),
        "collection_rate": [Fraction(100000, 123456), None, 5 / 20001],
        "customers": [3, 1, 2],
        "last_visit": [pd.Timestamp("2026-03-05"), pd.NaT, pd.Timestamp("2026-01-31")],
        "unused": ["x", "y", "z"],
    })


def write_book(path: Path, build: Callable[[Workbook], object]) -> Path:
    with atomic_workbook(path) as book:
        build(book)
    return path


def load(path: Path, name: str, *, data_only: bool = False) -> ReadSheet:
    sheet = openpyxl.load_workbook(path, data_only=data_only)[name]
    assert isinstance(sheet, ReadSheet)
    return sheet


def row_values(sheet: ReadSheet, row: int) -> list[object]:
    return [cell.value for cell in sheet[row]]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReportSheet]:
    result: list[ReportSheet] = []

    def build(book: Workbook) -> None:
        result.append(write_report_sheet(
            book, "客户分类", title=TITLE, unit_line=UNIT_LINE, columns=COLUMNS,
            rows=sales_rows(), compiled_on=COMPILED_ON,
        ))

    path = write_book(tmp_path_factory.mktemp("sheets") / "summary.xlsx", build)
    return path, result[0]


@pytest.fixture(scope="module")
def sheet(written: tuple[Path, ReportSheet]) -> ReadSheet:
    return load(written[0], "客户分类")


@pytest.fixture(scope="module")
def cached(written: tuple[Path, ReportSheet]) -> ReadSheet:
    return load(written[0], "客户分类", data_only=True)


def test_title_merged_across_the_columns_and_unit_line(sheet: ReadSheet) -> None:
    assert sheet["A1"].value == TITLE
    assert sheet["A1"].alignment.horizontal == "center"
    assert sheet["A2"].value == UNIT_LINE
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:H1", "A2:H2"} <= merged


def test_header_row(sheet: ReadSheet) -> None:
    assert row_values(sheet, 3) == [c.header for c in COLUMNS]
    assert sheet["A3"].font.b


def test_body_values_money_in_yuan(sheet: ReadSheet) -> None:
    assert row_values(sheet, 4) == [
        "化工一厂", "A", "上海某某化工有限公司", 1234.56, 1000.0,
        pytest.approx(100000 / 123456), 3, dt.datetime(2026, 3, 5),
    ]
    assert [sheet.cell(r, 4).value for r in (4, 5, 6)] == [1234.56, 0.1, 200.01]
    assert sheet["H6"].value == dt.datetime(2026, 1, 31)


def test_missing_values_are_blank(sheet: ReadSheet) -> None:
    assert sheet["B5"].value is None
    assert sheet["E5"].value is None
    assert sheet["F5"].value is None
    assert sheet["H5"].value is None
    assert sheet["E5"].border.left.style == "thin"  # blank, but still in the grid


def test_text_that_looks_like_a_formula_stays_text(sheet: ReadSheet) -> None:
    cell = sheet["C5"]
    assert cell.value == FORMULA_TEXT
    assert cell.data_type == "s"
    assert sheet["C6"].value == "+plus -minus @at"
    assert sheet["C6"].data_type == "s"


@pytest.mark.parametrize(("cell", "number_format"), [
    ("D4", "#,##0.00"),
    ("E6", "#,##0.00"),
    ("F4", "0.0%"),
    ("G4", "#,##0"),
    ("H4", "yyyy-mm-dd"),
    ("D7", "#,##0.00"),
    ("F7", "0.0%"),
])
def test_number_formats(sheet: ReadSheet, cell: str, number_format: str) -> None:
    assert sheet[cell].number_format == number_format


def test_total_row_formulas(sheet: ReadSheet) -> None:
    assert row_values(sheet, 7) == [
        "合计", None, None, "=SUM(D4:D6)", "=SUM(E4:E6)", '=IF(D7>0,E7/D7,"")',
        "=SUM(G4:G6)", None,
    ]
    assert sheet["A7"].font.b


def test_total_row_cached_values_are_exact(cached: ReadSheet) -> None:
    assert cached["D7"].value == sum(NET_SALES) / 100 == 1434.67
    assert cached["E7"].value == 100005 / 100
    assert cached["F7"].value == float(Fraction(100005, sum(NET_SALES)))
    assert cached["G7"].value == 6


def test_footer_row_after_a_blank_row(sheet: ReadSheet) -> None:
    assert row_values(sheet, 8) == [None] * 8
    assert sheet["A9"].value == (
        "单位负责人：        审核人：        制表人：        制表日期：2026-04-10")
    assert "A9:H9" in {str(r) for r in sheet.merged_cells.ranges}


def test_freeze_panes_and_filter(sheet: ReadSheet) -> None:
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:H6"


def test_print_setup(sheet: ReadSheet) -> None:
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # fitToWidth="1" is the OOXML default: XlsxWriter leaves it out, openpyxl reads None.
    assert int(sheet.page_setup.fitToWidth or 1) == 1
    assert int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_column_widths_fitted_with_cjk_double(tmp_path: Path) -> None:
    rows = pd.DataFrame({
        "name": ["上海某某化工有限公司", "abc"],  # 10 CJK characters: 20 units
        "code": ["x", "y"],
        "long": ["很长" * 40, None],
        "amount": [123456789012, 1],  # 1,234,567,890.12: 16 characters
    })
    columns = [Column("名称", "name"), Column("客户分类", "code"), Column("说明", "long"),
               Column("金额(元)", "amount", "money"), Column("固定", "code2", width=12)]
    path, _ = write_one(tmp_path, rows.assign(code2="z"), columns)
    widths = {c: load(path, "表").column_dimensions[c].width for c in "ABCDE"}
    # XlsxWriter stores a width plus its padding of about 0.7
    assert widths == pytest.approx({"A": 22.7, "B": 10.7, "C": 40.7, "D": 18.7, "E": 12.7},
                                   abs=0.1)


def test_report_sheet_records_where_things_are(written: tuple[Path, ReportSheet]) -> None:
    report = written[1]
    assert (report.header_row, report.first_row, report.last_row) == (2, 3, 5)
    assert report.total_row == 6
    assert report.footer_row == 8
    assert report.n_rows == 3
    assert report.ref("net_sales") == ["客户分类", 3, 3, 5, 3]
    assert report.header_ref("net_sales") == ["客户分类", 2, 3]
    assert report.body_range("collected") == "E4:E6"
    assert report.total_cell("net_sales") == "D7"


def write_one(
    tmp_path: Path,
    rows: pd.DataFrame,
    columns: Sequence[Column] = COLUMNS,
    **options: object,
) -> tuple[Path, ReportSheet]:
    result: list[ReportSheet] = []

    def build(book: Workbook) -> None:
        result.append(write_report_sheet(
            book, "表", title=TITLE, unit_line=UNIT_LINE, columns=list(columns), rows=rows,
            compiled_on=COMPILED_ON, **options,  # type: ignore[arg-type]
        ))

    return write_book(tmp_path / "one.xlsx", build), result[0]


def test_no_rows_writes_header_and_no_data_line(tmp_path: Path) -> None:
    path, report = write_one(tmp_path, pd.DataFrame())
    sheet = load(path, "表")
    assert row_values(sheet, 3) == [c.header for c in COLUMNS]
    assert sheet["A4"].value == "（无数据）"
    assert "A4:H4" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A6"].value.startswith("单位负责人：")
    assert sheet.auto_filter.ref == "A3:H3"
    assert report.total_row is None
    assert report.n_rows == 0
    with pytest.raises(ValueError, match="no data rows"):
        report.ref("net_sales")


def test_note_row_sits_above_the_header(tmp_path: Path) -> None:
    path, report = write_one(tmp_path, sales_rows(), note="本月非季末，不适用")
    sheet = load(path, "表")
    assert sheet["A3"].value == "本月非季末，不适用"
    assert sheet["A4"].value == "填报单位"
    assert sheet["D8"].value == "=SUM(D5:D7)"
    assert sheet.freeze_panes == "A5"
    assert sheet.print_title_rows == "$1:$4"
    assert report.header_row == 3


def test_without_totals_footer_and_in_portrait(tmp_path: Path) -> None:
    path, report = write_one(tmp_path, sales_rows(), totals=False, footer=False,
                             landscape=False)
    sheet = load(path, "表")
    assert sheet.max_row == 6
    assert report.total_row is None and report.footer_row is None
    assert sheet.page_setup.orientation == "portrait"


def test_ratio_total_blank_when_denominator_is_zero(tmp_path: Path) -> None:
    rows = sales_rows().assign(net_sales=pd.array([0, 0, 0], dtype="Int64"))
    path, _ = write_one(tmp_path, rows)
    assert load(path, "表")["F7"].value == '=IF(D7>0,E7/D7,"")'
    assert load(path, "表", data_only=True)["F7"].value in ("", None)


def test_money_sum_is_exact_in_fen(tmp_path: Path) -> None:
    # 0.1 + 0.2 in floats is not 0.3; summed in fen it is.
    rows = pd.DataFrame({"name": ["a", "b"], "amount": [10, 20]})
    columns = [Column("名称", "name"), Column("金额(元)", "amount", "money", total="sum")]
    path, _ = write_one(tmp_path, rows, columns)
    assert load(path, "表", data_only=True)["B6"].value == 0.3


def test_money_must_be_whole_fen(tmp_path: Path) -> None:
    rows = pd.DataFrame({"name": ["a"], "amount": [10.5]})
    columns = [Column("名称", "name"), Column("金额(元)", "amount", "money")]
    with pytest.raises(ValueError, match="whole fen"):
        write_one(tmp_path, rows, columns)


@pytest.mark.parametrize(("kind", "total", "message"), [
    ("percent", None, "unknown kind"),
    ("text", "sum", "cannot be summed"),
    ("date", "sum", "cannot be summed"),
    ("rate", "mean", "unknown total"),
    ("rate", "ratio:a", "unknown total"),
    ("rate", "ratio::b", "unknown total"),
])
def test_bad_columns(kind: str, total: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Column("x", "x", kind, total=total)


def test_ratio_needs_summed_columns(tmp_path: Path) -> None:
    columns = [Column("名称", "name"), Column("率", "rate", "rate", total="ratio:a:b")]
    rows = pd.DataFrame({"name": ["a"], "rate": [0.5]})
    with pytest.raises(ValueError, match="summed"):
        write_one(tmp_path, rows, columns)


def test_missing_key_is_reported(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="net_sales"):
        write_one(tmp_path, sales_rows().drop(columns=["net_sales"]))


def test_formats_are_created_once_per_workbook(tmp_path: Path) -> None:
    def build(book: Workbook) -> None:
        assert Formats.of(book) is Formats.of(book)

    write_book(tmp_path / "f.xlsx", build)


def test_links_sheet(tmp_path: Path) -> None:
    entries = [("销售汇总", "各单位各类客户的销售与回款"), ("C类客户分析", "=1+1"),
               ("O'Brien", "quote in a sheet name")]

    def build(book: Workbook) -> None:
        add_links_sheet(book, "目录", entries)
        for name, _ in entries:
            book.add_worksheet(name)

    path = write_book(tmp_path / "links.xlsx", build)
    sheet = load(path, "目录")
    assert sheet["A1"].value == "目录"
    assert row_values(sheet, 2) == ["序号", "工作表", "说明"]
    for row, (name, description) in enumerate(entries, start=3):
        link = sheet.cell(row, 2)
        assert link.value == name
        assert link.data_type == "s"
        assert link.hyperlink is not None
        assert link.hyperlink.location == "'{}'!A1".format(name.replace("'", "''"))
        assert sheet.cell(row, 3).value == description
        assert sheet.cell(row, 3).data_type == "s"
        assert sheet.cell(row, 1).value == row - 2
