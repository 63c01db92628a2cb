"""Open a submitted workbook and give each sheet's cells as text, by Excel address.

fastexcel (Rust calamine) reads .xlsx, .xlsm, .xls and .ods into Arrow
columns; asking for every column as text keeps one reading path for all
kinds: a whole-number cell arrives as its digits (`300007`), a date cell as
`2026-03-05 00:00:00`, other numbers in their shortest form. The value
parsers of values.py turn that text into typed values.

Known limit of the reader: a cell holding an Excel error (`#DIV/0!`) reads as
blank, so a required one is reported `required`, an optional one is lost.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import fastexcel
import pandas as pd
import pyarrow as pa
from xlsxwriter.utility import xl_col_to_name

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# An encrypted OOXML file is an OLE container holding these streams (MS-OFFCRYPTO).
_ENCRYPTED_MARKERS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


class UnreadableWorkbook(Exception):
    """The file is not a workbook the reader can open."""

    def __init__(self, reason: str, *, encrypted: bool = False, reason_en: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_en = reason_en or reason
        self.encrypted = encrypted


@dataclass
class RawSheet:
    """A sheet's cells as text: Arrow columns named by their letters, row i of the
    table at Excel row i + 1. A blank cell, an empty string and a cell of spaces alone
    are all null.

    Validation works on the Arrow columns (pyarrow.compute costs a fraction of pandas
    per call, and a workbook has many short columns); `cells` gives the same as a
    pandas frame, index = Excel row, for the code that reads a few cells.
    """

    name: str
    table: pa.Table

    @cached_property
    def cells(self) -> pd.DataFrame:
        frame = self.table.to_pandas(types_mapper=_as_string)
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        return frame

    @property
    def is_blank(self) -> bool:
        return all(c.null_count == len(c) for c in self.table.columns)

    def column(self, letter: str) -> list[str | None]:
        """A column's cells from Excel row 1; None for a blank cell (or no such column)."""
        if letter not in self.table.column_names:
            return [None] * self.table.num_rows
        return self.table.column(letter).to_pylist()


@dataclass
class RawWorkbook:
    path: Path
    sha256: str
    size: int
    sheets: dict[str, RawSheet] = field(default_factory=dict)


def sheet_key(name: str) -> str:
    """Sheet names match after NFKC and without spaces (a stray space is not a new sheet)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def file_digest(path: Path) -> tuple[str, int]:
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)


def _is_encrypted(head: bytes, data: bytes) -> bool:
    return head.startswith(_OLE_MAGIC) and any(m in data for m in _ENCRYPTED_MARKERS)


def read_workbook(path: Path) -> RawWorkbook:
    """Every sheet of the workbook at `path`, or UnreadableWorkbook."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableWorkbook(e.strerror or str(e)) from e
    book = RawWorkbook(path, hashlib.sha256(data).hexdigest(), len(data))
    if not data:
        raise UnreadableWorkbook("文件为空", reason_en="the file is empty")
    if _is_encrypted(data[:8], data):
        raise UnreadableWorkbook("文件已加密", encrypted=True, reason_en="it is encrypted")
    try:
        reader = fastexcel.read_excel(data)
        for name in reader.sheet_names:
            book.sheets[name] = RawSheet(name, _load(reader, name))
    except Exception as e:
        raise _unreadable(e) from e
    except BaseException as e:
        # A panic inside the Rust reader (pyo3 PanicException) is a damaged file, not a crash.
        if isinstance(e, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        raise _unreadable(e) from e
    return book


def _unreadable(e: BaseException) -> UnreadableWorkbook:
    first_line = str(e).splitlines()[0] if str(e) else type(e).__name__
    lowered = first_line.lower()
    if "password" in lowered or "encrypt" in lowered:
        return UnreadableWorkbook("文件已加密", encrypted=True, reason_en="it is encrypted")
    if "cannot detect file format" in lowered:
        return UnreadableWorkbook("不是 Excel 工作簿，或文件已损坏",
                                  reason_en="it is not an Excel workbook, or it is damaged")
    return UnreadableWorkbook(f"文件已损坏（{first_line}）",
                              reason_en=f"it is damaged ({first_line})")


def _load(reader: fastexcel.ExcelReader, name: str) -> pa.Table:
    # header_row=None with skip_rows=0 keeps row i of the table at Excel row i+1.
    # eager=True goes straight to Arrow, about a tenth faster than the lazy sheet and
    # its to_arrow(); but an eager batch does not say where its columns are (leading
    # blank columns are dropped), so use_columns records each column's position.
    # whitespace_as_null: a blank cell is null whatever the format wrote (.ods gives "")
    # and so is a cell of spaces alone (U+3000 and U+00A0 included).
    position: dict[str, int] = {}

    def keep(column: fastexcel.ColumnInfoNoDtype) -> bool:
        position[column.name] = column.absolute_index
        return True

    batch = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string", eager=True,
                              use_columns=keep, whitespace_as_null=True)
    letters = [xl_col_to_name(position[n]) for n in batch.schema.names]
    return pa.table([c if c.type == pa.string() else c.cast(pa.string()) for c in batch.columns],
                    names=letters)


def _as_string(arrow_type: pa.DataType) -> pd.StringDtype | None:
    return pd.StringDtype() if pa.types.is_string(arrow_type) else None


def find_workbooks(paths: list[Path]) -> list[Path]:
    """Files given, and the workbooks inside folders given (recursively, sorted).

    A file named on the command line is taken whatever its suffix, so that a
    wrong file gets a finding rather than silence; in folders only workbook
    suffixes are taken, and Excel's `~$` lock files and the `._` files macOS
    leaves beside copied files are skipped.
    """
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(
                f for f in sorted(p.rglob("*"))
                if f.is_file() and f.suffix.lower() in WORKBOOK_SUFFIXES
                and not f.name.startswith(("~$", "._"))
            )
        else:
            found.append(p)
    return list(dict.fromkeys(found))
