"""The reader: every cell as text at its Excel address."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from xlcrm.read import read_workbook


def test_cells_keep_their_excel_address_when_leading_rows_and_columns_are_blank(
        tmp_path: Path) -> None:
    path = tmp_path / "offset.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("表")
    sheet.write("C3", "客户编号")
    sheet.write("D4", 1.5)
    sheet.write("E5", 300007)
    sheet.write("F5", "　")  # an ideographic space alone: blank
    sheet.write("G6", "  ")
    sheet.write_string("H7", "\u00a0\t")  # a no-break space and a tab: blank
    sheet.write_string("I7", " 客户 ")  # text keeps its spaces (the parsers trim)
    book.close()

    raw = read_workbook(path).sheets["表"]

    assert raw.table.column_names == ["C", "D", "E", "F", "G", "H", "I"]
    assert raw.column("C") == [None, None, "客户编号", None, None, None, None]
    assert raw.column("D") == [None, None, None, "1.5", None, None, None]
    assert raw.column("E") == [None, None, None, None, "300007", None, None]
    assert raw.column("F") == [None] * 7
    assert raw.column("G") == [None] * 7
    assert raw.column("H") == [None] * 7
    assert raw.column("I") == [None] * 6 + [" 客户 "]
    assert raw.column("A") == [None] * 7
    assert raw.cells.loc[4, "D"] == "1.5"
