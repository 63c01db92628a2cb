"""Feedback workbooks: a submission sent back with its findings marked (spec/outputs.md).

One workbook per submission with findings. The first sheet, 问题清单, lists
every finding in the order validation sorted them (sheet, row, column), with
a link from each 单元格 to that cell; then a copy of every sheet of the
submission, each finding's cell filled red (error) or yellow (warning) and
its messages in a cell comment. The copy keeps every cell at its original
address, as text, so that the addresses of the findings stay true and text
such as `=HYPERLINK(...)` is never turned into a formula.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..findings import ERROR, WARNING, Finding, count
from ..read import RawSheet, UnreadableWorkbook, read_workbook, sheet_key
from ..report_text import WORDS, severity_word
from ..validate import Submission
from .common import atomic_workbook, display_width, fit_width, write_text

LIST_SHEET = "问题清单"
# External checks read these labels: they stay Chinese in every language.
HEADERS = ("工作表", "单元格", "列", "值", "规则", "级别", "说明")
SUFFIX = "_问题反馈"
FILLS = {ERROR: "#FF9999", WARNING: "#FFFF66"}  # light red, light yellow
# The feedback's custom document property naming the submission it was made
# from: a rerun overwrites its own feedback and never another file's.
SOURCE_PROPERTY = "xlcrm_source"

_TITLE_ROW, _COUNT_ROW, _HEADER_ROW = 0, 1, 2
_MAX_URLS = 65_530  # Excel's limit of hyperlinks in one worksheet
_WIDTH_SAMPLE = 500  # rows looked at to size a column of a copied sheet
_MAX_NAME_BYTES = 200  # leaves room for the temporary file's longer name
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_ADDRESS = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")

TEXT = {
    "zh": {
        "title": "问题反馈：{file}  {who}",
        "counts": "{counts}。点击“单元格”可跳到标注处；红色为错误，黄色为警告，说明见单元格批注。",
    },
    "en": {
        "title": "Feedback: {file}  {who}",
        "counts": "{counts}. Click a 单元格 to jump to the marked cell; red: error, "
                  "yellow: warning; the cell's comment explains.",
    },
}


@dataclass
class _Marks:
    """Findings of one copied sheet, by cell (0-based row, column)."""

    severity: dict[tuple[int, int], str] = field(default_factory=dict)
    messages: dict[tuple[int, int], list[str]] = field(default_factory=dict)

    def add(self, at: tuple[int, int], finding: Finding, lang: str, *, fill: bool = True) -> None:
        if fill and self.severity.get(at) != ERROR:
            self.severity[at] = finding.severity
        self.messages.setdefault(at, []).append(finding.message(lang))


def feedback_path(sub: Submission, out_dir: Path) -> Path:
    """`<stem>_问题反馈.xlsx` in out_dir, numbered when another submission holds the name."""
    stem = sub.path.stem
    while len(f"{stem}{SUFFIX}_99.xlsx".encode()) > _MAX_NAME_BYTES and len(stem) > 1:
        stem = stem[:-1]
    source = _source_id(sub.path)
    n = 1
    while True:
        target = out_dir / f"{stem}{SUFFIX}{'' if n == 1 else f'_{n}'}.xlsx"
        if not target.exists() or _recorded_source(target) == source:
            return target
        n += 1


def write_feedback(sub: Submission, out_dir: Path, lang: str = "zh") -> Path | None:
    """The feedback workbook of `sub` in out_dir, or None when it has no findings."""
    if not sub.findings:
        return None
    sheets: dict[str, RawSheet] = {}
    if sub.readable:
        try:
            sheets = read_workbook(sub.path).sheets
        except UnreadableWorkbook:
            sheets = {}  # changed or gone since validation: the list alone still helps
    target = feedback_path(sub, out_dir)
    with atomic_workbook(target) as book:
        book.set_properties({"title": f"{LIST_SHEET}: {sub.path.name}", "author": "xlcrm"})
        book.set_custom_property(SOURCE_PROPERTY, _source_id(sub.path))
        fills = {sev: book.add_format({"bg_color": c, "pattern": 1}) for sev, c in FILLS.items()}
        listing = book.add_worksheet(LIST_SHEET)
        copies = _copy_names(list(sheets))
        _write_list(book, listing, sub, lang, copies, sheets, fills)
        marks = _marks(sub, lang, copies, sheets)
        for name, raw in sheets.items():
            ws = book.add_worksheet(copies[name])
            _write_copy(ws, raw, marks.get(name, _Marks()), fills, _header_row(sub, name))
    return target


# ---------------------------------------------------------------- 问题清单


def _write_list(
    book: Workbook, ws: Worksheet, sub: Submission, lang: str,
    copies: dict[str, str], sheets: dict[str, RawSheet], fills: dict[str, Format],
) -> None:
    """The list of findings, under a title and a count line."""
    words = TEXT[lang]
    who = " ".join(x for x in (sub.subsidiary, str(sub.period) if sub.period else None) if x)
    ws.write_string(_TITLE_ROW, 0, words["title"].format(file=sub.path.name, who=who).rstrip(),
                    book.add_format({"bold": True, "font_size": 14}))
    errors, warnings = count(sub.findings)
    counts = WORDS[lang]["counts"].format(errors=errors, warnings=warnings)
    ws.write_string(_COUNT_ROW, 0, words["counts"].format(counts=counts))
    header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "pattern": 1, "border": 1})
    ws.write_row(_HEADER_ROW, 0, HEADERS, header)
    link = book.add_format({"font_color": "blue", "underline": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    level, note = HEADERS.index("级别"), HEADERS.index("说明")

    columns: list[list[str]] = [[h] for h in HEADERS]
    links = 0
    row = _HEADER_ROW
    for f in sub.findings:
        row += 1
        values = (f.sheet, f.cell, f.column, f.value, f.rule, severity_word(f, lang),
                  f.message(lang))
        for col, value in enumerate(values):
            fmt = fills[f.severity] if col == level else wrap if col == note else None
            write_text(ws, row, col, value, fmt)
            if value is not None and row - _HEADER_ROW <= _WIDTH_SAMPLE:
                columns[col].append(value)
        copy = copies.get(_raw_name(f.sheet, sheets) or "")
        if f.cell and copy and links < _MAX_URLS:
            quoted = copy.replace("'", "''")
            ws.write_url(row, 1, f"internal:'{quoted}'!{f.cell}", link, f.cell)
            links += 1
    ws.freeze_panes(_HEADER_ROW + 1, 0)
    ws.autofilter(_HEADER_ROW, 0, row, len(HEADERS) - 1)
    for col, texts in enumerate(columns):
        ws.set_column(col, col, fit_width(texts, maximum=80 if col == note else 40))


def _raw_name(sheet: str | None, sheets: dict[str, RawSheet]) -> str | None:
    """The submission's sheet a finding names (canonical names match after NFKC, trim)."""
    if sheet is None:
        return None
    if sheet in sheets:
        return sheet
    key = sheet_key(sheet)
    return next((name for name in sheets if sheet_key(name) == key), None)


# ---------------------------------------------------------------- the copied sheets


def _copy_names(names: list[str]) -> dict[str, str]:
    """A valid, unique sheet name for each submission sheet (问题清单 is taken)."""
    taken = {LIST_SHEET.casefold()}
    result: dict[str, str] = {}
    for name in names:
        base = _BAD_SHEET_CHARS.sub("_", name).strip("'")[:31] or "Sheet"
        candidate, n = base, 1
        while candidate.casefold() in taken or candidate.casefold() == "history":
            n += 1
            candidate = f"{base[:31 - len(str(n)) - 1]}_{n}"
        taken.add(candidate.casefold())
        result[name] = candidate
    return result


def _marks(
    sub: Submission, lang: str, copies: dict[str, str], sheets: dict[str, RawSheet],
) -> dict[str, _Marks]:
    marks: dict[str, _Marks] = {}
    for f in sub.findings:
        name = _raw_name(f.sheet, sheets)
        if name is None or name not in copies:
            continue
        if f.cell:
            at = _rowcol(f.cell)
            if at is not None:
                marks.setdefault(name, _Marks()).add(at, f, lang)
        elif f.rule == "missing_column" and f.row is not None:
            # No cell to mark: the note goes on the header row, without a fill,
            # so that no present cell looks wrong.
            first = _first_column(sheets[name])
            marks.setdefault(name, _Marks()).add((f.row - 1, first), f, lang, fill=False)
    return marks


def _rowcol(cell: str) -> tuple[int, int] | None:
    """(row, column) 0-based of an address such as `C17`; None if it is not one."""
    return xl_cell_to_rowcol(cell) if _ADDRESS.fullmatch(cell) else None


def _first_column(raw: RawSheet) -> int:
    if raw.cells.columns.empty:
        return 0
    return xl_cell_to_rowcol(f"{raw.cells.columns[0]}1")[1]


def _header_row(sub: Submission, raw_name: str) -> int:
    """The Excel row of the sheet's header, when validation found one (0 if none)."""
    key = sheet_key(raw_name)
    for name, table in sub.tables.items():
        if sheet_key(name) == key:
            return table.header_row
    return 0


def _write_copy(
    ws: Worksheet, raw: RawSheet, marks: _Marks, fills: dict[str, Format], header_row: int,
) -> None:
    """Every cell of `raw` as text at its own address; then the marked cells again, filled."""
    cells = raw.cells
    # The reader gives a date cell as `2026-03-05 00:00:00`; show it as typed.
    for letter in cells.columns:
        col = xl_cell_to_rowcol(f"{letter}1")[1]
        column = cells[letter].dropna().str.replace(_MIDNIGHT, r"\1", regex=True)
        for row, text in zip(column.index.tolist(), column.tolist(), strict=True):
            write_text(ws, row - 1, col, text)
        sample = column.iloc[:_WIDTH_SAMPLE].tolist()
        ws.set_column(col, col, fit_width(sample, minimum=8, maximum=40))
    for at, severity in marks.severity.items():
        write_text(ws, at[0], at[1], _cell_text(cells, at), fills[severity])
    for at, messages in marks.messages.items():
        ws.write_comment(at[0], at[1], "\n".join(messages), _comment_size(messages))
    if header_row:
        ws.freeze_panes(header_row, 0)
    if cells.shape[0] and cells.shape[1]:
        last = f"{xl_col_to_name(_first_column(raw) + cells.shape[1] - 1)}{cells.index[-1]}"
        # Every value is text on purpose (a review copy): no green triangles.
        ws.ignore_errors({"number_stored_as_text": f"A1:{last}"})


def _comment_size(messages: list[str]) -> dict[str, object]:
    """A comment box the messages fit in (the default box holds ~18 units by ~4 lines)."""
    widths = [display_width(m) for m in messages]
    x_scale = min(3.0, max(1.0, max(widths) / 18))
    lines = sum(-(-w // int(18 * x_scale)) for w in widths)
    return {"author": "xlcrm", "x_scale": x_scale, "y_scale": min(8.0, max(1.0, lines / 4))}


def _cell_text(cells: pd.DataFrame, at: tuple[int, int]) -> str | None:
    row, letter = at[0] + 1, xl_col_to_name(at[1])
    if letter not in cells.columns or row not in cells.index:
        return None
    value = cells[letter].get(row)
    if value is None or pd.isna(value):
        return None
    return _MIDNIGHT.sub(r"\1", str(value))


# ---------------------------------------------------------------- which submission


def _source_id(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


def _recorded_source(feedback: Path) -> str | None:
    """The SOURCE_PROPERTY of an existing feedback workbook, None if it has none."""
    try:
        with zipfile.ZipFile(feedback) as z:
            root = ElementTree.fromstring(z.read("docProps/custom.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    for prop in root:
        if prop.get("name") == SOURCE_PROPERTY and len(prop):
            return prop[0].text
    return None
