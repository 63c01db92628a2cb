"""Statutory report sheets: the one layout every sheet of the summary shares.

spec/outputs.md, "The summary workbook": a centred title row (表名, group,
window), the 编制单位 / 期间 / 金额单位 line, an optional note (a sheet that does
not apply says so here), the header row, the body, a 合计 row, and the
signature footer (单位负责人、审核人、制表人、制表日期). Frozen header, filters,
number formats, and print setup so that auditors can print and sign.

Money arrives as integer fen and is written as 元 (fen / 100). Totals are
formulas written together with their value, computed exactly in fen, so that
a viewer that does not recalculate shows the right number. Text is always
written as a string (`write_text`): a customer name such as `=HYPERLINK(...)`
stays text.
"""

from __future__ import annotations

import datetime as dt
import numbers
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_range, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import body
from .body import is_missing
from .body import whole_fen as _fen
from .common import display_width, write_text

KINDS = ("text", "money", "rate", "int", "date", "share", "number")
TOTAL_LABEL = "合计"
NO_DATA = "（无数据）"
FOOTER_GAP = " " * 8
PAGE_FOOTER = "&C第 &P 页，共 &N 页"
PAPER_A4 = 9
MAX_WIDTH = 40
MIN_WIDTH = 6

_NUM_FORMATS = {
    "money": "#,##0.00",
    "rate": "0.0%",
    "share": "0.0%",
    "number": "0.00",
    "int": "#,##0",
    "date": "yyyy-mm-dd",
}
_SUMMABLE = ("money", "int", "rate", "share")
_BORDER = {"border": 1, "valign": "vcenter"}


@dataclass(frozen=True)
class Column:
    """One column of a report sheet: its fixed header, where its values come from, how shown."""

    header: str
    key: str
    kind: str = "text"
    # None, "sum", or "ratio:NUM:DEN" (=IF(DEN>0,NUM/DEN,"") over those columns' totals)
    total: str | None = None
    width: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key!r}: unknown kind {self.kind!r}")
        if self.total is None:
            return
        if self.total == "sum":
            if self.kind not in _SUMMABLE:
                raise ValueError(f"column {self.key!r}: a {self.kind} column cannot be summed")
        elif self.ratio_of is None:
            raise ValueError(f"column {self.key!r}: unknown total {self.total!r}")

    @property
    def ratio_of(self) -> tuple[str, str] | None:
        """(numerator key, denominator key) of a "ratio:NUM:DEN" total."""
        if self.total is None or not self.total.startswith("ratio:"):
            return None
        parts = self.total.split(":")
        if len(parts) != 3 or not parts[1] or not parts[2]:
            return None
        return parts[1], parts[2]


class Formats:
    """The cell formats of report sheets, created once per workbook (Formats.of(book))."""

    _cache: ClassVar[weakref.WeakKeyDictionary[Workbook, Formats]] = weakref.WeakKeyDictionary()

    def __init__(self, book: Workbook) -> None:
        self.title: Format = book.add_format(
            {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.unit_line: Format = book.add_format({"align": "left", "valign": "vcenter"})
        self.note: Format = book.add_format(
            {"bold": True, "font_color": "#C00000", "align": "left", "valign": "vcenter"})
        self.header: Format = book.add_format({
            **_BORDER, "bold": True, "align": "center", "text_wrap": True,
            "bg_color": "#D9E1F2",
        })
        self.footer: Format = book.add_format({"align": "left", "valign": "vcenter"})
        self.link: Format = book.add_format(
            {**_BORDER, "font_color": "blue", "underline": 1})
        self._body = {
            kind: book.add_format({**_BORDER, **_kind_format(kind)}) for kind in KINDS
        }
        self._total = {
            kind: book.add_format(
                {**_BORDER, **_kind_format(kind), "bold": True, "bg_color": "#F2F2F2"})
            for kind in KINDS
        }

        self.text = self._body["text"]
        self.money = self._body["money"]
        self.rate = self._body["rate"]
        self.integer = self._body["int"]
        self.date = self._body["date"]

    @classmethod
    def of(cls, book: Workbook) -> Formats:
        formats = cls._cache.get(book)
        if formats is None:
            formats = cls._cache[book] = cls(book)
        return formats

    def body(self, kind: str) -> Format:
        return self._body[kind]

    def total(self, kind: str) -> Format:
        return self._total[kind]


def _kind_format(kind: str) -> dict[str, Any]:
    if kind == "text":
        return {"align": "left"}
    if kind == "date":
        return {"num_format": _NUM_FORMATS[kind], "align": "center"}
    return {"num_format": _NUM_FORMATS[kind]}


@dataclass(frozen=True)
class ReportSheet:
    """Where a written report sheet put things, for charts and formulas added afterwards.

    Rows and columns are 0-based. With no data rows, `last_row == first_row - 1`.
    """

    worksheet: Worksheet
    name: str
    header_row: int
    first_row: int
    last_row: int
    columns: dict[str, int]
    total_row: int | None = None
    footer_row: int | None = None

    @property
    def n_rows(self) -> int:
        return self.last_row - self.first_row + 1

    def col(self, key: str) -> int:
        return self.columns[key]

    def ref(self, key: str) -> list[Any]:
        """The column's body as an XlsxWriter chart reference [sheet, r1, c, r2, c].

        A list, not a tuple: XlsxWriter's add_series takes only lists as references.
        """
        if self.n_rows <= 0:
            raise ValueError(f"sheet {self.name!r} has no data rows to refer to")
        col = self.columns[key]
        return [self.name, self.first_row, col, self.last_row, col]

    def header_ref(self, key: str) -> list[Any]:
        """The column's header cell as a chart reference [sheet, row, col] (a series name)."""
        return [self.name, self.header_row, self.columns[key]]

    def body_range(self, key: str) -> str:
        """The column's body in A1 notation, e.g. "D4:D6", for formulas on this sheet."""
        if self.n_rows <= 0:
            raise ValueError(f"sheet {self.name!r} has no data rows to refer to")
        col = self.columns[key]
        return xl_range(self.first_row, col, self.last_row, col)

    def total_cell(self, key: str) -> str:
        """The column's 合计 cell in A1 notation, e.g. "D7"."""
        if self.total_row is None:
            raise ValueError(f"sheet {self.name!r} has no 合计 row")
        return xl_rowcol_to_cell(self.total_row, self.columns[key])


class _ColumnWriter:
    """Writes one column's cells and keeps what the 合计 row and the width need."""

    def __init__(self, column: Column, col: int, fmt: Format) -> None:
        self.column = column
        self.col = col
        self.kind = column.kind
        self.fmt = fmt
        self.exact_sum = 0  # fen for money, integer for int
        self.float_sum = 0.0  # rate / share and any non-integral int
        self.widest = display_width(column.header)
        self.lowest: float = 0
        self.highest: float = 0

    def write(self, ws: Worksheet, row: int, value: Any) -> None:
        if is_missing(value) or (isinstance(value, str) and not value):
            ws.write_blank(row, self.col, None, self.fmt)
            return
        kind = self.kind
        col = self.col
        if kind == "text":
            text = str(value)
            # display_width is at most twice the length: skip measuring most cells
            if 2 * len(text) > self.widest:
                self.widest = max(self.widest, display_width(text))
            write_text(ws, row, col, text, self.fmt)
        elif kind == "money":
            fen = _fen(value, self.column.key)
            self.exact_sum += fen
            self.track(fen)
            ws.write_number(row, col, fen / 100, self.fmt)
        elif kind == "int":
            if isinstance(value, numbers.Integral) or (
                    isinstance(value, float) and value.is_integer()):
                number: float = int(value)
                self.exact_sum += int(value)
            else:
                number = float(value)
                self.float_sum += number
            self.track(number)
            ws.write_number(row, col, number, self.fmt)
        elif kind in ("rate", "share", "number") and isinstance(value, str):
            # A word in place of a rate, such as 新客户 where growth has no base.
            self.widest = max(self.widest, display_width(value))
            write_text(ws, row, col, value, self.fmt)
        elif kind in ("rate", "share", "number"):
            number = float(value)
            self.float_sum += number
            self.track(number)
            ws.write_number(row, col, number, self.fmt)
        else:
            self._write_date(ws, row, value)

    def _write_date(self, ws: Worksheet, row: int, value: Any) -> None:
        col = self.col
        if isinstance(value, pd.Timestamp):
            if value.tzinfo is not None:
                value = value.tz_localize(None)
            value = value.to_pydatetime()
        if isinstance(value, dt.date):
            self.widest = max(self.widest, 10)
            ws.write_datetime(row, col, value, self.fmt)
        elif isinstance(value, str):
            self.widest = max(self.widest, display_width(value))
            write_text(ws, row, col, value, self.fmt)
        else:
            raise TypeError(f"column {self.column.key!r}: not a date: {value!r}")

    def take(self, cells: body.Cells) -> None:
        """What a block of this column's cells adds to the 合计 row and the width."""
        self.exact_sum += cells.exact_sum
        self.float_sum += cells.float_sum
        self.widest = max(self.widest, cells.widest)
        self.track(cells.lowest)
        self.track(cells.highest)

    def track(self, number: float) -> None:
        """Widen the column for a number shown in it (fen for money)."""
        if number < self.lowest:
            self.lowest = number
        elif number > self.highest:
            self.highest = number

    @property
    def total_value(self) -> float:
        if self.kind == "money":
            return self.exact_sum / 100
        if self.kind == "int" and self.float_sum == 0:
            return self.exact_sum
        return self.exact_sum + self.float_sum

    def exact_total(self) -> Fraction:
        """The sum exactly, in the column's own unit (fen for money)."""
        if self.float_sum:
            return Fraction(self.exact_sum) + Fraction(self.float_sum)
        return Fraction(self.exact_sum)

    def width(self) -> int:
        if self.column.width is not None:
            return self.column.width
        widest = self.widest
        if self.kind == "money":
            shown = [f"{n / 100:,.2f}" for n in (self.lowest, self.highest)]
        elif self.kind == "int":
            shown = [f"{n:,.0f}" for n in (self.lowest, self.highest)]
        elif self.kind in ("rate", "share", "number"):
            shown = [f"{n:.1%}" for n in (self.lowest, self.highest)]
        else:
            shown = []
        for text in shown:
            widest = max(widest, len(text))
        return max(MIN_WIDTH, min(MAX_WIDTH, widest + 2))


def write_report_sheet(
    book: Workbook,
    name: str,
    *,
    title: str,
    unit_line: str,
    columns: Sequence[Column],
    rows: pd.DataFrame,
    note: str | None = None,
    footer: bool = True,
    totals: bool = True,
    landscape: bool = True,
    compiled_on: dt.date | None = None,
) -> ReportSheet:
    """Add a report sheet laid out as spec/outputs.md asks and return where things went.

    `rows` holds one column per `Column.key` (extra columns are ignored); money
    in integer fen. `compiled_on` fills 制表日期 of the footer; without it the
    date is left blank to be filled in by hand.
    """
    if not columns:
        raise ValueError(f"sheet {name!r}: no columns")
    keys = [c.key for c in columns]
    if len(set(keys)) != len(keys):
        raise ValueError(f"sheet {name!r}: a column key is used twice")
    has_rows = len(rows) > 0
    if has_rows:
        missing = [k for k in keys if k not in rows.columns]
        if missing:
            raise KeyError(f"sheet {name!r}: rows lack the columns {missing}")
    position = {key: i for i, key in enumerate(keys)}
    _check_totals(name, columns)

    formats = Formats.of(book)
    ws = book.add_worksheet(name)
    last_col = len(columns) - 1

    _merged_text(ws, 0, last_col, title, formats.title)
    ws.set_row(0, 28)
    _merged_text(ws, 1, last_col, unit_line, formats.unit_line)
    row = 2
    if note:
        _merged_text(ws, row, last_col, note, formats.note)
        row += 1
    header_row = row
    for col, column in enumerate(columns):
        write_text(ws, header_row, col, column.header, formats.header)
    first_row = header_row + 1

    writers = [
        _ColumnWriter(column, col, formats.body(column.kind))
        for col, column in enumerate(columns)
    ]
    if has_rows and ws.constant_memory:
        # A block of rows at a time (body.py); the cell-by-cell path below gives the same.
        numbers = body.row_numbers(first_row, len(rows))
        made = []
        for writer in writers:
            cells = body.column_cells(writer.kind, numbers, writer.col, writer.fmt,
                                      rows[writer.column.key], writer.column.key, book.str_table)
            writer.take(cells)
            made.append((writer.col, cells))
        body.write_rows(ws, first_row, made, len(rows))
        last_row = first_row + len(rows) - 1
        filter_last = last_row
    elif has_rows:
        row = first_row
        for values in rows[keys].itertuples(index=False, name=None):
            for writer, value in zip(writers, values, strict=True):
                writer.write(ws, row, value)
            row += 1
        last_row = row - 1
        filter_last = last_row
    else:
        _merged_text(ws, first_row, last_col, NO_DATA, formats.text)
        last_row = first_row - 1
        filter_last = header_row
    after = max(last_row, first_row)

    total_row = None
    if totals and has_rows and any(c.total for c in columns):
        total_row = last_row + 1
        _write_totals(ws, total_row, first_row, last_row, columns, writers, position, formats)
        after = total_row

    footer_row = None
    if footer:
        footer_row = after + 2
        signed = compiled_on.isoformat() if compiled_on is not None else ""
        text = FOOTER_GAP.join(("单位负责人：", "审核人：", "制表人：", f"制表日期：{signed}"))
        _merged_text(ws, footer_row, last_col, text, formats.footer)

    for col, writer in enumerate(writers):
        ws.set_column(col, col, writer.width())
    ws.freeze_panes(first_row, 0)
    ws.autofilter(header_row, 0, filter_last, last_col)
    _print_setup(ws, header_row, landscape)
    # The report's own table is what prints; charts beside it would shrink it to fit.
    ws.print_area(0, 0, footer_row if footer_row is not None else after, last_col)

    return ReportSheet(
        worksheet=ws, name=name, header_row=header_row, first_row=first_row,
        last_row=last_row, columns=position, total_row=total_row, footer_row=footer_row,
    )


def _check_totals(name: str, columns: Sequence[Column]) -> None:
    by_key = {c.key: c for c in columns}
    for column in columns:
        ratio = column.ratio_of
        if ratio is None:
            continue
        for key in ratio:
            other = by_key.get(key)
            if other is None or other.total != "sum" or other.kind not in ("money", "int"):
                raise ValueError(
                    f"sheet {name!r}: total of {column.key!r} needs {key!r} to be a summed "
                    "money or int column of the same sheet")


def _write_totals(
    ws: Worksheet,
    row: int,
    first_row: int,
    last_row: int,
    columns: Sequence[Column],
    writers: Sequence[_ColumnWriter],
    position: Mapping[str, int],
    formats: Formats,
) -> None:
    label_col = next(
        (i for i, c in enumerate(columns) if c.kind == "text" and not c.total),
        next((i for i, c in enumerate(columns) if not c.total), None),
    )
    for col, (column, writer) in enumerate(zip(columns, writers, strict=True)):
        fmt = formats.total(column.kind)
        if col == label_col:
            write_text(ws, row, col, TOTAL_LABEL, fmt)
        elif column.total == "sum":
            total = writer.total_value
            ws.write_formula(row, col, f"=SUM({xl_range(first_row, col, last_row, col)})",
                             fmt, total)
            writer.track(total * 100 if column.kind == "money" else total)
        elif (ratio := column.ratio_of) is not None:
            num_col, den_col = position[ratio[0]], position[ratio[1]]
            num_cell = xl_rowcol_to_cell(row, num_col)
            den_cell = xl_rowcol_to_cell(row, den_col)
            numerator = writers[num_col].exact_total()
            denominator = writers[den_col].exact_total()
            value: float | str = float(numerator / denominator) if denominator > 0 else ""
            if isinstance(value, float):
                writer.track(value)
            ws.write_formula(row, col, f'=IF({den_cell}>0,{num_cell}/{den_cell},"")', fmt, value)
        else:
            ws.write_blank(row, col, None, fmt)


def _merged_text(ws: Worksheet, row: int, last_col: int, text: str, fmt: Format) -> None:
    """Text across the sheet's columns; written as a string whatever it starts with."""
    if last_col > 0:
        ws.merge_range(row, 0, row, last_col, "", fmt)
    write_text(ws, row, 0, text, fmt)


def _print_setup(ws: Worksheet, header_row: int, landscape: bool) -> None:
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(PAPER_A4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, header_row)
    ws.set_footer(PAGE_FOOTER)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    ws.center_horizontally()


def _sheet_link(sheet: str) -> str:
    return "internal:'{}'!A1".format(sheet.replace("'", "''"))


def add_links_sheet(
    book: Workbook,
    name: str,
    entries: Sequence[tuple[str, str]],
    *,
    title: str | None = None,
) -> Worksheet:
    """A 目录 sheet: one row per (sheet name, description), the name a link to that sheet."""
    formats = Formats.of(book)
    ws = book.add_worksheet(name)
    headers = ("序号", "工作表", "说明")
    _merged_text(ws, 0, len(headers) - 1, title if title is not None else name, formats.title)
    ws.set_row(0, 28)
    header_row = 1
    for col, header in enumerate(headers):
        write_text(ws, header_row, col, header, formats.header)
    sheet_width = display_width(headers[1])
    note_width = display_width(headers[2])
    for i, (sheet, description) in enumerate(entries, start=1):
        row = header_row + i
        ws.write_number(row, 0, i, formats.body("int"))
        # The display string goes through write_string inside write_url: never a formula.
        ws.write_url(row, 1, _sheet_link(sheet), formats.link, string=sheet)
        write_text(ws, row, 2, description, formats.text)
        sheet_width = max(sheet_width, display_width(sheet))
        note_width = max(note_width, display_width(description))
    ws.set_column(0, 0, MIN_WIDTH)
    ws.set_column(1, 1, max(MIN_WIDTH, min(MAX_WIDTH, sheet_width + 2)))
    ws.set_column(2, 2, max(MIN_WIDTH, min(60, note_width + 2)))
    ws.freeze_panes(header_row + 1, 0)
    ws.set_portrait()
    ws.set_paper(PAPER_A4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, header_row)
    ws.set_footer(PAGE_FOOTER)
    return ws
