"""The body of a report sheet written a block of rows at a time.

XlsxWriter takes about 4.5 µs a cell (measured: 100,000 rows × 4 columns, constant
memory mode), and a large group's summary holds some three million cells (one row per
customer in seven sheets) besides the per-subsidiary detail of a million transactions:
a minute of writing. So the rows under the header are made here as the XML XlsxWriter
itself writes in constant-memory mode (`<row r="5"><c r="A5" s="3" t="inlineStr">…`),
whole columns at a time with Arrow's string kernels, and appended to the worksheet's
row stream; everything around them (title, header, 合计, footer, formats, print setup,
the package) is still XlsxWriter's. Cells that need XlsxWriter's special handling
(control characters, `_xHHHH_` look-alikes, leading or trailing white space, very long
text) get it from XlsxWriter's own helpers, one cell at a time.

The price is a dependence on how XlsxWriter keeps its row stream in constant-memory
mode (`fh`, `previous_row`, `_write_single_row`, `_check_dimensions`):
tests/test_sheets.py writes every sheet both ways and compares them cell by cell.

Text is always escaped: XlsxWriter writes a string that starts with `<r>` and ends
with `</r>` into the XML unescaped (as a rich string), which text from a submission
must never be.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.format import Format
from xlsxwriter.sharedstrings import SharedStringTable
from xlsxwriter.utility import _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from .common import display_width

# Rows turned into XML at a time: bounds the memory of a long sheet.
CHUNK_ROWS = 50_000
STRING_MAX = 32767  # UTF-16 units, as XlsxWriter counts them
EXCEL_EPOCH = dt.date(1899, 12, 30)
_EPOCH_DAYS = (dt.date(1970, 1, 1) - EXCEL_EPOCH).days  # 25569
# Text that needs XlsxWriter's own treatment: control characters, what looks like
# Excel's _xHHHH_ escape, the two non-characters, and white space at either end
# (Python's \s, which XlsxWriter uses, is Unicode white space; RE2's is ASCII only).
_SPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_SPECIAL = (r"[\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_|\x{fffe}|\x{ffff}"
            rf"|^[{_SPACE}]|[{_SPACE}]$|^<r>")
# Beyond this many code points a text may exceed Excel's limit of 32,767 UTF-16 units.
_MAYBE_LONG = STRING_MAX // 2


@dataclass
class Cells:
    """One column of a body: each cell's XML, and what the 合计 row and the width need.

    `exact_sum` is in the column's own unit (fen for money); `float_sum` holds rates and
    any non-integral number. `lowest` and `highest` are the extremes shown (fen for
    money), for the column's width.
    """

    xml: pa.Array  # string, one fragment per row, no nulls
    exact_sum: int = 0
    float_sum: float = 0.0
    widest: int = 0
    lowest: float = 0.0
    highest: float = 0.0


def _prefix(col: int, xf: int) -> tuple[str, str]:
    """The text before a cell's row number and after it (with its style)."""
    style = f' s="{xf}"' if xf else ""
    return f'<c r="{xl_col_to_name(col)}', f'"{style}'


def _join(*parts: Any) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def blank_cells(rows: pa.Array, col: int, xf: int) -> pa.Array:
    """Empty cells that keep their format (a border in the grid); none without one."""
    start, end = _prefix(col, xf)
    if not xf:
        return pa.array([""] * len(rows), pa.string())
    return _join(start, rows, end + "/>")


def _number_xml(rows: pa.Array, col: int, xf: int, values: pa.Array) -> pa.Array:
    """Number cells; a null is a blank cell. Shortest text that reads back as the same
    float (Arrow's cast), where XlsxWriter writes 16 significant digits."""
    start, end = _prefix(col, xf)
    text = pc.cast(values, pa.string())
    cells = _join(start, rows, end + "><v>", text, "</v></c>")
    return pc.coalesce(cells, blank_cells(rows, col, xf)) if cells.null_count else cells


def _text_xml(rows: pa.Array, col: int, xf: int, text: pa.Array) -> pa.Array:
    """Inline-string cells; a null or empty text is a blank cell."""
    start, end = _prefix(col, xf)
    escaped = text
    if pc.any(pc.match_substring_regex(text, "[&<>]")).as_py():
        escaped = pc.replace_substring(escaped, "&", "&amp;")
        escaped = pc.replace_substring(escaped, "<", "&lt;")
        escaped = pc.replace_substring(escaped, ">", "&gt;")
    cells = _join(start, rows, end + ' t="inlineStr"><is><t>', escaped, "</t></is></c>")
    special = pc.fill_null(pc.or_(pc.match_substring_regex(text, _SPECIAL),
                                  pc.greater(pc.utf8_length(text), _MAYBE_LONG)), False)
    if pc.any(special).as_py():
        cells = _special_text(cells, rows, col, xf, text, special)
    empty = pc.fill_null(pc.equal(text, ""), True)
    if not pc.any(empty).as_py():
        return cells
    return pc.if_else(empty, blank_cells(rows, col, xf), cells)


def _special_text(cells: pa.Array, rows: pa.Array, col: int, xf: int, text: pa.Array,
                  special: pa.Array) -> pa.Array:
    """The few cells that need XlsxWriter's handling, made by its own helpers."""
    at = np.flatnonzero(special.to_numpy(zero_copy_only=False))
    start, end = _prefix(col, xf)
    made = cells.to_pylist()
    for i in at.tolist():
        value = text[i].as_py()
        value = _utf16_truncate(value, STRING_MAX) if len(value) > _MAYBE_LONG else value
        value = XMLwriter._escape_control_characters(value)
        space = ' xml:space="preserve"' if re.search(r"^\s|\s$", value) else ""
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        made[i] = f'{start}{rows[i].as_py()}{end} t="inlineStr"><is><t{space}>{value}</t></is></c>'
    return pa.array(made, pa.string())


def _strings(values: pd.Series) -> pa.Array:
    """A column as Arrow text, nulls where missing; any other value as str() of it."""
    if isinstance(values.dtype, pd.StringDtype) or values.dtype == "str":
        array = pa.array(values.array) if len(values) else pa.array([], pa.string())
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        return array.cast(pa.string())
    return pa.array([None if is_missing(v) else v if isinstance(v, str) else str(v)
                     for v in values.tolist()], pa.string())


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def whole_fen(value: Any, key: str) -> int:
    """An amount in integer fen; a float is accepted only when it holds a whole number."""
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float | Fraction | Decimal) and math.isfinite(value):
        whole = int(value)
        if whole == value:
            return whole
    raise ValueError(f"column {key!r}: money must be whole fen, got {value!r}")


def _whole_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(int64 values, missing mask) for an integer column; None for any other dtype."""
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        missing = values.isna().to_numpy(dtype=bool)
        return values.fillna(0).to_numpy(dtype=np.int64), missing
    if pd.api.types.is_float_dtype(values.dtype):
        # Whole numbers that a merge turned into floats (NaN for the missing).
        floats = values.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(floats)
        present = floats[~missing]
        if np.all(np.isfinite(present)) and np.all(present == np.round(present)) \
                and (not len(present) or np.abs(present).max() < 2**53):
            return np.where(missing, 0, floats).astype(np.int64), missing
    return None


def _exact_sum(numbers_: np.ndarray) -> int:
    """The sum of int64 values, exact even where int64 would overflow."""
    if len(numbers_) == 0:
        return 0
    bound = int(np.abs(numbers_).max()) * len(numbers_)
    if bound < 2**62:
        return int(numbers_.sum())
    return sum(int(v) for v in numbers_.tolist())


def _track(cells: Cells, shown: np.ndarray) -> None:
    if len(shown):
        cells.lowest = min(0.0, float(shown.min()))
        cells.highest = max(0.0, float(shown.max()))


def money_cells(rows: pa.Array, col: int, xf: int, values: pd.Series, key: str) -> Cells:
    """Amounts in integer fen, written in 元."""
    whole = _whole_numbers(values)
    if whole is None:
        listed = values.tolist()
        missing = np.array([is_missing(v) for v in listed], dtype=bool)
        fen = np.array([0 if m else whole_fen(v, key) for v, m in zip(listed, missing, strict=True)],
                       dtype=np.int64)
    else:
        fen, missing = whole
    yuan = pa.array(fen / 100, pa.float64(), mask=missing)
    cells = Cells(_number_xml(rows, col, xf, yuan), exact_sum=_exact_sum(fen[~missing]))
    _track(cells, fen[~missing])
    return cells


def int_cells(rows: pa.Array, col: int, xf: int, values: pd.Series) -> Cells:
    """Counts and other whole numbers; a non-integral value is kept as it is."""
    whole = _whole_numbers(values)
    if whole is not None:
        numbers_, missing = whole
        shown = pa.array(numbers_, pa.int64(), mask=missing)
        cells = Cells(_number_xml(rows, col, xf, shown), exact_sum=_exact_sum(numbers_[~missing]))
        _track(cells, numbers_[~missing])
        return cells
    exact, floats = 0, 0.0
    out: list[float | None] = []
    for v in values.tolist():
        if is_missing(v) or (isinstance(v, str) and not v):
            out.append(None)
        elif isinstance(v, numbers.Integral) or (isinstance(v, float) and v.is_integer()):
            exact += int(v)
            out.append(float(int(v)))
        else:
            floats += float(v)
            out.append(float(v))
    shown_all = pa.array(out, pa.float64())
    cells = Cells(_number_xml(rows, col, xf, shown_all), exact_sum=exact, float_sum=floats)
    _track(cells, np.array([v for v in out if v is not None], dtype=float))
    return cells


def rate_cells(rows: pa.Array, col: int, xf: int, values: pd.Series) -> Cells:
    """Rates, shares and scores (Fractions or floats); a word in place of a number (新客户
    where growth has no base) is written as text."""
    numbers_: list[float | None] = []
    words: list[str | None] = []
    for v in values.tolist():
        if is_missing(v) or (isinstance(v, str) and not v):
            numbers_.append(None)
            words.append(None)
        elif isinstance(v, str):
            numbers_.append(None)
            words.append(v)
        else:
            numbers_.append(float(v))
            words.append(None)
    shown = pa.array(numbers_, pa.float64())
    xml = _number_xml(rows, col, xf, shown)
    word_text = pa.array(words, pa.string())
    if pc.any(pc.is_valid(word_text)).as_py():
        xml = pc.if_else(pc.is_valid(word_text), _text_xml(rows, col, xf, word_text), xml)
    present = np.array([v for v in numbers_ if v is not None], dtype=float)
    cells = Cells(xml, float_sum=float(present.sum()) if len(present) else 0.0)
    _track(cells, present)
    cells.widest = max((display_width(w) for w in set(words) if w), default=0)
    return cells


def date_cells(rows: pa.Array, col: int, xf: int, values: pd.Series, key: str) -> Cells:
    """Dates as Excel serial numbers (the format shows them); a text is written as text."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        missing = stamps.isna().to_numpy(dtype=bool)
        seconds = stamps.to_numpy(dtype="datetime64[s]").astype(np.int64)
        serial = np.where(missing, 0, seconds) / 86_400 + _EPOCH_DAYS
        cells = Cells(_number_xml(rows, col, xf, pa.array(serial, pa.float64(), mask=missing)))
        cells.widest = 10 if (~missing).any() else 0
        return cells
    serials: list[float | None] = []
    words: list[str | None] = []
    for v in values.tolist():
        if isinstance(v, pd.Timestamp):
            v = v.tz_localize(None).to_pydatetime() if v.tzinfo is not None else v.to_pydatetime()
        if is_missing(v) or (isinstance(v, str) and not v):
            serials.append(None)
            words.append(None)
        elif isinstance(v, dt.datetime):
            delta = v - dt.datetime(1899, 12, 30)
            serials.append(delta.days + delta.seconds / 86_400 + delta.microseconds / 86_400e6)
            words.append(None)
        elif isinstance(v, dt.date):
            serials.append(float((v - EXCEL_EPOCH).days))
            words.append(None)
        elif isinstance(v, str):
            serials.append(None)
            words.append(v)
        else:
            raise TypeError(f"column {key!r}: not a date: {v!r}")
    xml = _number_xml(rows, col, xf, pa.array(serials, pa.float64()))
    word_text = pa.array(words, pa.string())
    if pc.any(pc.is_valid(word_text)).as_py():
        xml = pc.if_else(pc.is_valid(word_text), _text_xml(rows, col, xf, word_text), xml)
    cells = Cells(xml)
    cells.widest = max([10 if any(s is not None for s in serials) else 0,
                        *(display_width(w) for w in set(words) if w)])
    return cells


def text_cells(rows: pa.Array, col: int, xf: int, values: pd.Series,
               shared: SharedStringTable | None = None) -> Cells:
    text = _strings(values)
    xml = _shared_xml(rows, col, xf, text, shared) if shared is not None else None
    cells = Cells(xml if xml is not None else _text_xml(rows, col, xf, text))
    cells.widest = text_width(text)
    return cells


def _shared_xml(rows: pa.Array, col: int, xf: int, text: pa.Array,
                shared: SharedStringTable) -> pa.Array | None:
    """Cells pointing into the workbook's shared strings, for a column whose texts repeat
    (names, codes, files): a third of the XML of inline strings to write and pack. None
    for a column of mostly distinct texts (document numbers), which stay inline."""
    present = len(text) - text.null_count
    encoded = pc.dictionary_encode(text)
    distinct = encoded.dictionary
    if present == 0 or 2 * len(distinct) > present:
        return None
    # Texts XlsxWriter would write unescaped or needs to treat (see _SPECIAL) stay inline.
    own = pc.or_(pc.match_substring_regex(distinct, _SPECIAL), pc.greater(pc.utf8_length(distinct), _MAYBE_LONG))
    values = distinct.to_pylist()
    index = [None if own_ or v == "" else shared._get_shared_string_index(v)
             for v, own_ in zip(values, own.to_pylist(), strict=True)]
    # XlsxWriter counts every reference; the table above counted one per distinct text.
    uses = np.bincount(encoded.indices.drop_null().to_numpy(zero_copy_only=False), minlength=len(values))
    shared.count += int(sum(int(n) - 1 for n, i in zip(uses.tolist(), index, strict=True) if i is not None and n))
    numbers = pa.array([None if i is None else str(i) for i in index], pa.string())
    start, end = _prefix(col, xf)
    cells = _join(start, rows, end + ' t="s"><v>', pc.take(numbers, encoded.indices), "</v></c>")
    inline = pc.is_null(cells)
    if pc.any(pc.and_(inline, pc.is_valid(text))).as_py():
        return pc.if_else(inline, _text_xml(rows, col, xf, text), cells)
    return pc.coalesce(cells, blank_cells(rows, col, xf)) if cells.null_count else cells


def text_width(text: pa.Array) -> int:
    """The widest display width of a column (CJK counts double), measured on its
    distinct texts."""
    distinct = pc.unique(pc.drop_null(text))
    if len(distinct) == 0:
        return 0
    if pc.all(pc.string_is_ascii(distinct)).as_py():
        return int(pc.max(pc.utf8_length(distinct)).as_py())
    if len(distinct) <= 2_000:
        return max(display_width(t) for t in distinct.to_pylist())
    # Many distinct texts: bytes beyond one per character are mostly CJK (three bytes,
    # two columns wide), so width ≈ chars + (bytes - chars) / 2.
    chars = pc.utf8_length(distinct)
    extra = pc.subtract(pc.binary_length(distinct), chars)
    return int(pc.max(pc.add(chars, pc.divide(extra, 2))).as_py() or 0)


def column_cells(kind: str, rows: pa.Array, col: int, fmt: Format, values: pd.Series,
                 key: str, shared: SharedStringTable | None = None) -> Cells:
    xf = fmt._get_xf_index() if fmt is not None else 0
    if kind == "text":
        return text_cells(rows, col, xf, values, shared)
    if kind == "money":
        return money_cells(rows, col, xf, values, key)
    if kind == "int":
        return int_cells(rows, col, xf, values)
    if kind in ("rate", "share", "number"):
        return rate_cells(rows, col, xf, values)
    return date_cells(rows, col, xf, values, key)


def row_numbers(first_row: int, n: int) -> pa.Array:
    """Excel's 1-based row numbers of n rows from the 0-based `first_row`, as text."""
    return pc.cast(pa.array(np.arange(first_row + 1, first_row + n + 1, dtype=np.int64)), pa.string())


def write_rows(ws: Worksheet, first_row: int, columns: list[tuple[int, Cells]], n: int) -> None:
    """Append n rows made of the columns' cells to a constant-memory worksheet's data,
    from row `first_row` (0-based) on. Nothing else may be written in those rows."""
    if not ws.constant_memory:
        raise ValueError("write_rows needs a worksheet in constant-memory mode")
    if n == 0:
        return
    last_row = first_row + n - 1
    cols = [c for c, _ in columns]
    # Flush the row XlsxWriter holds (the header) and move its stream past the block.
    ws._write_single_row(first_row)
    ws._check_dimensions(first_row, min(cols))
    ws._check_dimensions(last_row, max(cols))
    rows = row_numbers(first_row, n)
    out = ws.fh
    out.flush()
    binary = out.buffer
    for start in range(0, n, CHUNK_ROWS):
        size = min(CHUNK_ROWS, n - start)
        parts = [cells.xml.slice(start, size) for _, cells in columns]
        xml = _join('<row r="', rows.slice(start, size), '">', *parts, "</row>")
        binary.write(_buffer_bytes(xml))
    binary.flush()
    ws.previous_row = last_row


def _buffer_bytes(strings: pa.Array) -> memoryview:
    """The concatenated text of a string array without nulls, straight from its buffer."""
    strings = strings.combine_chunks() if isinstance(strings, pa.ChunkedArray) else strings
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)[strings.offset:strings.offset + len(strings) + 1]
    data = strings.buffers()[2]
    return memoryview(data)[int(offsets[0]):int(offsets[-1])]
