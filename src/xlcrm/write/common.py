"""What every workbook xlcrm writes shares: safe files, safe text, widths."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

# XlsxWriter packs a workbook with zlib's default level 6 and has no setting for it. A
# large group's summary and detail workbooks hold hundreds of megabytes of sheet XML,
# and level 6 spends most of their writing time on it: level 1 takes a third of that
# for files about a fifth larger (measured on the benchmark group's detail workbooks:
# 1.98 s at level 6, 1.36 s at level 1 for ten of them). So the ZipFile XlsxWriter
# opens is one that compresses at level 1; nothing else in xlcrm writes zip files.
ZIP_LEVEL = 1


class _FasterZip(zipfile.ZipFile):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compresslevel", ZIP_LEVEL)
        super().__init__(*args, **kwargs)


xlsxwriter.workbook.ZipFile = _FasterZip  # type: ignore[misc]


@functools.cache
def scratch_dir() -> str | None:
    """Where XlsxWriter keeps its temporary files: memory (/dev/shm) when there is one with
    room, else the system's temporary folder. In constant-memory mode every sheet's XML
    goes through two temporary files before it is packed; on disk that was a fifth of
    the writing time of the benchmark group's detail workbooks."""
    shm = Path("/dev/shm")
    try:
        usage = os.statvfs(shm)
    except OSError:
        return None
    room = usage.f_bavail * usage.f_frsize
    return str(shm) if os.access(shm, os.W_OK) and room > 2 * 2**30 else None


@contextlib.contextmanager
def atomic_workbook(target: Path, *, row_by_row: bool = False) -> Iterator[Workbook]:
    """An XlsxWriter workbook written to a temporary file, renamed into place on success.

    A failure (or a kill) midway leaves `target` as it was: the temporary
    file sits in the same folder, so the rename is atomic. `row_by_row` turns on
    XlsxWriter's constant_memory mode, for workbooks of a million rows: every sheet
    must then be written top to bottom.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".xlsx.tmp", dir=target.parent)
    os.close(fd)
    # strings_to_formulas/numbers/urls off: text from a submission stays text,
    # even `=HYPERLINK(...)`; formulas are written only by write_formula.
    book = xlsxwriter.Workbook(tmp, {
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "nan_inf_to_errors": True,
        "constant_memory": row_by_row,
        "tmpdir": scratch_dir(),
    })
    try:
        yield book
        book.close()
        # mkstemp makes the file private (0600); outputs go to shared folders.
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(Exception):
            book.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_text(target: Path, text: str, mode: int = 0o644) -> Path:
    """A text file written to a temporary file beside it and renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        # mkstemp makes the file private (0600); outputs go to shared folders.
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


def file_sha256(path: Path) -> tuple[str, int]:
    """(SHA-256, size) of a file written, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def write_text(ws: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """A cell as text, never as a formula (write_string, whatever it starts with)."""
    if value is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def display_width(text: str) -> int:
    """Column width in Excel character units: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def fit_width(texts: list[str], minimum: int = 6, maximum: int = 50) -> int:
    widest = max((display_width(t) for t in texts if t is not None), default=0)
    return max(minimum, min(maximum, widest + 2))
