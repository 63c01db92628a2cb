"""Schema + raw sheets -> typed tables + findings (spec/submission.md).

Per workbook (`check_workbooks`, on batches of files in parallel; each data
sheet of a batch checked as one stacked table): the sheets, header rows, every
cell's value form and the rules inside one workbook.
Per subsidiary and period over all workbooks of one call (`check_groups`):
corrections, conflicting submissions, missing sheets and the cross-sheet
rules (unknown_customer, unknown_staff, name_mismatch).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import values as V
from .config import Config, Subsidiary
from .findings import ERROR, EXPECTED_NUMBER, Finding
from .periods import Period, parse_period
from .read import (
    RawSheet,
    RawWorkbook,
    UnreadableWorkbook,
    file_digest,
    read_workbook,
    sheet_key,
)
from .schema import (
    ALWAYS_REQUIRED,
    CREDIT,
    CUSTOMERS,
    DATA_SHEETS,
    INSTRUCTIONS_SHEET,
    MARKET,
    QUARTER_END_REQUIRED,
    REPORTER,
    SALES,
    SHEETS,
    STAFF,
    TEMPLATE_VERSION,
    VISITS,
    Field,
    Kind,
    Sheet,
)

HEADER_SEARCH_ROWS = 10
TOTAL_WORDS = {"合计", "小计", "总计"}
ROW = "_row"  # the Excel row of each typed row


# What a label may carry after it: colons and one parenthetical, in any order (after
# NFKC, full-width brackets and colons are half-width). A leading or trailing `*`
# marks a required column in many hand-made templates.
_LABEL_TAIL = re.compile(r"(?:\s*(?::|\([^()]*\)|\*))+$")


@functools.lru_cache(maxsize=4096)  # the same headers come in every workbook
def label_key(text: str) -> str:
    """A header label as matched: NFKC, trimmed, no trailing colon or (parenthetical)."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = _LABEL_TAIL.sub("", s).lstrip("*")
    # No label has a space inside: `客户　名称` is `客户名称`.
    return re.sub(r"\s+", "", s)


def _label_index(sheet: Sheet) -> dict[str, Field]:
    return {label_key(label): f for f in sheet.fields for label in f.labels}


LABELS = {s.name: _label_index(s) for s in SHEETS.values()}


@dataclass
class Table:
    """A data sheet's rows, typed: one column per field key, index = Excel row."""

    sheet: str
    data: pd.DataFrame
    letters: dict[str, str]  # field key -> column letter
    header_row: int
    # Match keys (NFKC, trimmed; null where blank) of the columns cross-sheet rules
    # compare, made in the worker that read the sheet rather than afterwards in the parent.
    keys: dict[str, pa.Array] = field(default_factory=dict)

    def cell(self, key: str, row: int) -> str | None:
        letter = self.letters.get(key)
        return f"{letter}{row}" if letter else None


@dataclass
class Submission:
    """One workbook as validated: who and when, its typed tables, its findings."""

    file: str
    path: Path
    sha256: str = ""
    size: int = 0
    subsidiary: str | None = None
    industry: str | None = None
    period: Period | None = None
    report_date: dt.date | None = None
    reporter: str | None = None
    tables: dict[str, Table] = field(default_factory=dict)
    carried: set[str] = field(default_factory=set)  # data sheets present, usable or not
    market: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    superseded: dict[str, str] = field(default_factory=dict)  # sheet -> file in force
    readable: bool = True

    @property
    def group_key(self) -> tuple[str, Period] | None:
        if self.subsidiary is None or self.period is None:
            return None
        return (self.subsidiary, self.period)

    def error_rows(self, sheet: str) -> set[int]:
        return {
            f.row for f in self.findings
            if f.sheet == sheet and f.row is not None and f.severity == ERROR
            and f.rule not in ("missing_column",)
        }

    @property
    def has_errors(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)

    def in_force(self, sheet: str) -> bool:
        return sheet in self.tables and sheet not in self.superseded


class Reference(Protocol):
    """What the ledger knows of a subsidiary, for cross-sheet rules."""

    def customers(self, subsidiary: str) -> set[str]: ...

    def staff(self, subsidiary: str) -> set[str]: ...


class NoReference:
    def customers(self, subsidiary: str) -> set[str]:
        return set()

    def staff(self, subsidiary: str) -> set[str]:
        return set()


# ---------------------------------------------------------------- per workbook


def check_workbook(path: Path, display: str, config: Config) -> Submission:
    return check_workbooks([(path, display)], config)[0]


def check_workbooks(items: list[tuple[Path, str]], config: Config,
                    keep_tables: bool = True) -> list[Submission]:
    """Workbooks checked one by one up to their rows, then each data sheet's rows of
    all of them together.

    The cost of checking a column is mostly per call, not per cell: a 200-row
    customer sheet costs nearly what a 10,000-row one does. Stacking the same sheet
    of a batch of workbooks pays that cost once per batch instead of once per file.
    """
    subs: list[Submission] = []
    reporters: list[tuple[Submission, _Cells]] = []
    pending: dict[str, list[_Rows]] = {}
    for path, display in items:
        sub = Submission(display, path)
        subs.append(sub)
        book = _open(sub)
        if book is None:
            continue
        try:
            cells, prepared = _check_sheets(book, sub)
        except Exception as e:
            _cannot_process(sub, e)
            continue
        if cells is not None:
            reporters.append((sub, cells))
        for rows in prepared:
            pending.setdefault(rows.sheet.name, []).append(rows)
    try:
        # The reporter first: the rules of the data sheets need the period it gives.
        _check_reporters(reporters, config)
        stacks = [_stack(sheet, pending[sheet.name]) for sheet in DATA_SHEETS
                  if sheet.name in pending]
        # Every column of every sheet parsed in one call: one pass per value kind.
        parsed = V.parse_columns([((stack.sheet.name, key), stack.sheet.field(key), column)
                                  for stack in stacks for key, column in stack.text.items()])
        for stack in stacks:
            _check_tables(stack, {key: parsed[(stack.sheet.name, key)] for key in stack.text},
                          keep_tables)
    except Exception as e:
        if len(items) > 1:
            # Which workbook the program cannot handle is found by checking each alone.
            return [sub for item in items
                    for sub in check_workbooks([item], config, keep_tables)]
        _cannot_process(subs[0], e)
    return subs


def _open(sub: Submission) -> RawWorkbook | None:
    try:
        book = read_workbook(sub.path)
    except UnreadableWorkbook as e:
        sub.readable = False
        rule = "encrypted_file" if e.encrypted else "unreadable_file"
        sub.findings.append(Finding(sub.file, rule, params={
            "reason": e.reason, "reason_en": e.reason_en}))
        try:
            sub.sha256, sub.size = file_digest(sub.path)
        except OSError:
            pass
        return None
    sub.sha256, sub.size = book.sha256, book.size
    return book


def _cannot_process(sub: Submission, e: Exception) -> None:
    # A workbook this program cannot handle must not stop the others of the call:
    # it is reported and kept out of the cross-workbook rules.
    sub.readable = False
    sub.subsidiary, sub.period = None, None
    sub.tables.clear()
    sub.carried.clear()
    detail = f"{type(e).__name__}: {e}"
    sub.findings.append(Finding(sub.file, "unreadable_file", params={
        "reason": f"程序无法处理该文件（{detail}）",
        "reason_en": f"the program cannot process it ({detail})"}))


def _check_sheets(book: RawWorkbook, sub: Submission) -> tuple[_Cells | None, list[_Rows]]:
    """The workbook's own sheets, columns and rows; returns what is still to check
    (with the other workbooks of the batch): the reporter's cells, the data rows."""
    sheets = _classify_sheets(book, sub)
    reporter = sheets.get(REPORTER.name)
    cells = None
    if reporter is None:
        sub.findings.append(Finding(sub.file, "missing_sheet", REPORTER.name,
                                    params={"variant": "missing_reporter"}))
    else:
        cells = _reporter_cells(reporter)
    prepared = []
    for sheet in DATA_SHEETS:
        raw = sheets.get(sheet.name)
        if raw is None:
            continue
        sub.carried.add(sheet.name)
        if sheet.free_text:
            sub.market = _market_rows(raw)
            sub.tables[sheet.name] = Table(sheet.name, pd.DataFrame(), {}, 0)
            continue
        rows = _table_rows(sheet, raw, sub)
        if rows is not None:
            prepared.append(rows)
    return cells, prepared


def _classify_sheets(book: RawWorkbook, sub: Submission) -> dict[str, RawSheet]:
    known = {sheet_key(n): n for n in SHEETS}
    found: dict[str, RawSheet] = {}
    for name, raw in book.sheets.items():
        key = sheet_key(name)
        if key == INSTRUCTIONS_SHEET or raw.is_blank:
            # Also a known sheet left blank: it is not there (missing_sheet when required).
            continue
        if key in known and known[key] not in found:
            found[known[key]] = raw
        else:
            sub.findings.append(Finding(sub.file, "unknown_sheet", name))
    return found


# The reporter's cells: field key -> (the text beside its label, the Excel row).
_Cells = dict[str, tuple[str | None, int]]
_SCALAR_FIELDS = [f for f in REPORTER.fields
                  if f.kind != Kind.PERIOD and f.key != "template_version"]


def _reporter_cells(raw: RawSheet) -> _Cells:
    labels = LABELS[REPORTER.name]
    cells: _Cells = {}
    for row, (text, value) in enumerate(zip(raw.column("A"), raw.column("B")), start=1):
        f = labels.get(label_key(text)) if text is not None else None
        if f is None:
            continue
        # A label seen twice (a title `填报单位` above the table): the filled one counts.
        if f.key not in cells or (cells[f.key][0] is None and value is not None):
            cells[f.key] = (value, row)
    return cells


def _check_reporters(reporters: list[tuple[Submission, _Cells]], config: Config) -> None:
    """The reporter sheets of the batch: each field's values of all of them
    parsed in one call, then each workbook's rules."""
    parsed: dict[str, V.Parsed] = {}
    for f in _SCALAR_FIELDS:
        texts = [cells.get(f.key, (None, 0))[0] for _sub, cells in reporters]
        texts = [t if t is not None and t.strip() else None for t in texts]
        parsed[f.key] = V.parse(pd.Series(texts, dtype="string"), f)
    for i, (sub, cells) in enumerate(reporters):
        _check_reporter(sub, cells, config, {
            k: (V.RULES[p.error[i]], p.values.iat[i]) for k, p in parsed.items()})


def _check_reporter(sub: Submission, values: _Cells, config: Config,
                    scalars: dict[str, tuple[object, object]]) -> None:
    """One reporter sheet's rules; `scalars` holds each field's (rule broken, value)."""
    sheet, file = REPORTER.name, sub.file

    def finding(key: str, rule: str, **params: object) -> None:
        value, row = values.get(key, (None, None))
        f = REPORTER.field(key)
        sub.findings.append(Finding(
            file, rule, sheet, f"B{row}" if row else None, row, f.label, display_value(value),
            dict(params),
        ))

    parsed: dict[str, object] = {}
    for f in REPORTER.fields:
        value, _row = values.get(f.key, (None, 0))
        text = value.strip() if value is not None else ""
        if not text:
            if f.required:
                finding(f.key, "required")
            continue
        if f.kind == Kind.PERIOD:
            period = _reporting_period(text)
            if period is None:
                finding(f.key, "bad_period")
            parsed[f.key] = period
            continue
        if f.key == "template_version":
            # `1.0` as text, or a number cell `1` (read as major 1).
            version = re.fullmatch(r"[vV]?(\d+)(?:\.\d+)*", unicodedata.normalize("NFKC", text))
            if version is None or int(version[1]) != int(TEMPLATE_VERSION.split(".")[0]):
                finding(f.key, "template_version", expected=TEMPLATE_VERSION)
            continue
        error, parsed_value = scalars[f.key]
        if error is not None:
            extra = {"choices": "、".join(f.choices)} if error == "bad_enum" else {}
            finding(f.key, str(error), **extra)
            if error != "bad_phone":
                continue
        parsed[f.key] = parsed_value

    name = parsed.get("subsidiary")
    subsidiary = _configured(config, str(name)) if name is not None else None
    if name is not None and subsidiary is None:
        finding("subsidiary", "unknown_subsidiary",
                choices="、".join(s.name for s in config.subsidiaries) or "未配置任何单位")
    industry = parsed.get("industry")
    if subsidiary is not None and industry is not None and industry != subsidiary.industry:
        finding("industry", "industry_mismatch", expected=subsidiary.industry)
    given = parsed.get("period")
    period = given if isinstance(given, Period) else None
    monthly = (subsidiary.monthly if subsidiary else industry == "医药")
    if period is not None and (subsidiary is not None or industry is not None):
        if period.is_quarter == monthly:
            finding("period", "wrong_period_kind", industry=subsidiary.industry if subsidiary
                    else industry, expected="月份" if monthly else "季度",
                    expected_en="month" if monthly else "quarter")
            period = None
    report_date = V.to_date(parsed.get("report_date"))
    if report_date is not None and period is not None and report_date < period.end:
        finding("report_date", "bad_report_date", value=str(report_date),
                period_end=str(period.end))
    sub.subsidiary = subsidiary.name if subsidiary else None
    sub.industry = subsidiary.industry if subsidiary else (str(industry) if industry else None)
    sub.period = period
    sub.report_date = report_date
    reporter = parsed.get("reporter")
    sub.reporter = str(reporter) if reporter is not None else None


def _reporting_period(text: str) -> Period | None:
    """报送期间 in a form of submission.md, or a date cell whose format the reader did
    not take for a date and gave as its Excel serial number (5 digits): its month."""
    period = parse_period(text)
    if period is None and re.fullmatch(r"\d{5}(?:\.\d+)?", text.strip()):
        day = V.to_date(V.parse_date(pd.Series([text], dtype="string")).values.iloc[0])
        period = Period.month(day.year, day.month) if day is not None else None
    return period


def _configured(config: Config, name: str) -> Subsidiary | None:
    """The configured subsidiary of that name, compared after NFKC and without spaces."""
    found = config.subsidiary(name)
    if found is not None:
        return found
    key = _name_key(name)
    return next((s for s in config.subsidiaries if _name_key(s.name) == key), None)


def _name_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def _market_rows(raw: RawSheet) -> list[tuple[str, str]]:
    skip = {label_key(MARKET.name), *LABELS[MARKET.name]}
    rows = []
    for t, a in zip(raw.column("A"), raw.column("B")):
        t = (t or "").strip()
        a = (a or "").strip()
        if (t or a) and not (label_key(t) in skip and (not a or label_key(a) in skip)):
            rows.append((t, a))
    return rows


def _find_header(sheet: Sheet, raw: RawSheet) -> int | None:
    labels = LABELS[sheet.name]
    for row, cells in enumerate(raw.table.slice(0, HEADER_SEARCH_ROWS).to_pylist(), start=1):
        found = (label_key(v) for v in cells.values() if v is not None)
        if 2 * len({labels[k].key for k in found if k in labels}) >= len(sheet.fields):
            return row
    return None


@dataclass
class _Rows:
    """A data sheet's rows in one workbook, found but not yet checked: their text by
    field key, their Excel rows and the column letter of each field."""

    sheet: Sheet
    sub: Submission
    text: pa.Table
    rows: np.ndarray
    letters: dict[str, str]
    header_row: int


def _table_rows(sheet: Sheet, raw: RawSheet, sub: Submission) -> _Rows | None:
    """The header, the columns and the rows that hold data: the findings about them."""
    file = sub.file
    findings = sub.findings
    header_row = _find_header(sheet, raw)
    if header_row is None:
        for f in sheet.fields:
            if f.required:
                findings.append(Finding(file, "missing_column", sheet.name, None, None, f.label,
                                        params={"variant": "missing_header",
                                                "rows": HEADER_SEARCH_ROWS}))
        return None
    labels = LABELS[sheet.name]
    letters: dict[str, str] = {}
    for letter, text in raw.table.slice(header_row - 1, 1).to_pylist()[0].items():
        if text is None:
            continue
        known = labels.get(label_key(text))
        if known is None or known.key in letters:
            # The column is named as its header is written: it has no label of the schema.
            findings.append(Finding(file, "unknown_column", sheet.name, f"{letter}{header_row}",
                                    header_row, text.strip(), text))
        else:
            letters[known.key] = letter
    for f in sheet.fields:
        if f.required and f.key not in letters:
            findings.append(Finding(file, "missing_column", sheet.name, None, header_row, f.label))

    body = raw.table.slice(header_row)  # body row i is Excel row header_row + 1 + i
    # The reader gives blank and all-space cells as null. A column filled on every row
    # (as a required one usually is) keeps them all.
    columns = [body.column(letter) for letter in letters.values()]
    if any(c.null_count == 0 for c in columns):
        kept = np.ones(body.num_rows, dtype=bool)
    else:
        kept = np.zeros(body.num_rows, dtype=bool)
        for c in columns:
            kept |= pc.is_valid(c).to_numpy(zero_copy_only=False)
    for i, letter in _total_rows(body):
        row = header_row + 1 + i
        findings.append(Finding(file, "total_row_skipped", sheet.name, f"{letter}{row}",
                                row, None, body.column(letter)[i].as_py()))
        kept[i] = False
    # A row with nothing in the table's own columns (only a 序号 or a note in a column
    # that is not the table's) has nothing to check.
    text = body.select(list(letters.values())).rename_columns(list(letters))
    at = np.flatnonzero(kept)
    if len(at) and at[-1] - at[0] + 1 == len(at):
        # One run of rows (blank rows and a total row at the end, as usual): a slice is
        # free, a filter copies every cell.
        text = text.slice(int(at[0]), len(at))
    else:
        text = text.filter(kept)
    return _Rows(sheet, sub, text, at + header_row + 1, letters, header_row)


_TOTAL_CHAR = re.compile("计".encode())


def _total_rows(body: pa.Table) -> list[tuple[int, str]]:
    """Rows whose first non-blank cell is 合计, 小计 or 总计: (row in body, its letter)."""
    # Only rows with 计 somewhere (after NFKC it is still 计) can be total rows: look
    # closely at those few instead of gathering every row's first cell.
    candidate = np.zeros(body.num_rows, dtype=bool)
    for column in body.columns:
        # Most columns have no 计 at all: a search of the column's bytes (memchr speed)
        # spares them the search cell by cell.
        if any(_TOTAL_CHAR.search(memoryview(data)) for chunk in column.chunks
               if (data := chunk.buffers()[2]) is not None):
            candidate |= pc.fill_null(pc.match_substring(column, "计"), False).to_numpy()
    totals = []
    for i in np.flatnonzero(candidate).tolist():
        letter = next(c for c in body.column_names if body.column(c)[i].is_valid)
        word = re.sub(r"(?:\s|:)+|\([^()]*\)$", "", V.key_of(body.column(letter)[i].as_py()))
        if word in TOTAL_WORDS:
            totals.append((i, letter))
    return totals


@dataclass
class _Stack:
    """One data sheet of every workbook of the batch, stacked: one row per data row
    (position 0..n-1); `file` is the number in `batch` of the workbook each row comes
    from, `rows` its Excel row, `text` the cells by field key."""

    sheet: Sheet
    batch: list[_Rows]
    sizes: list[int]
    file: np.ndarray
    rows: np.ndarray
    text: dict[str, pd.Series]


def _stack(sheet: Sheet, batch: list[_Rows]) -> _Stack:
    sizes = [len(r.rows) for r in batch]
    rows = np.concatenate([r.rows for r in batch]).astype(np.int64)
    position = pd.RangeIndex(len(rows))
    # A column some of the sheets lack is null in their rows.
    stacked = pa.concat_tables([r.text for r in batch], promote_options="default")
    text = {f.key: pd.Series(pd.arrays.ArrowStringArray(stacked.column(f.key)), index=position)
            for f in sheet.fields if f.key in stacked.column_names}
    return _Stack(sheet, batch, sizes, np.repeat(np.arange(len(batch)), sizes), rows, text)


def _check_tables(stack: _Stack, parsed_columns: dict[str, V.Parsed], keep_tables: bool) -> None:
    """Every cell of one data sheet in all workbooks of the batch, with the values
    parsed: rules per cell, rules inside each sheet; each workbook gets its table and
    its findings (keep_tables=False: only the columns the rules across workbooks read)."""
    sheet, batch, sizes, file, rows, text = (
        stack.sheet, stack.batch, stack.sizes, stack.file, stack.rows, stack.text)
    position = pd.RangeIndex(len(rows))

    # Columns by field key, in the sheet's order: the typed values, the rule broken per
    # cell (a number into V.RULES, 0 where fine) and the cell text for the messages.
    data: _Data = {}
    errors: _Errors = {}
    raw_text: dict[str, pd.Series] = {}
    for f in sheet.fields:
        parsed = parsed_columns.get(f.key) or V.blank_column(f, position)
        errors[f.key] = error = parsed.error.copy()
        if f.required and f.key in text:
            has_column = np.repeat([f.key in r.letters for r in batch], sizes)
            # The reader gives every blank or all-space cell as NA.
            error[has_column & text[f.key].isna().to_numpy(dtype=bool)] = V.RULE["required"]
        if f.minimum is not None or f.maximum is not None:
            out = np.zeros(len(rows), dtype=bool)
            if f.minimum is not None:
                out |= (parsed.values < f.minimum).fillna(False).to_numpy(dtype=bool)
            if f.maximum is not None:
                out |= (parsed.values > f.maximum).fillna(False).to_numpy(dtype=bool)
            _mark(errors, f.key, out, "out_of_range")
        broken = error != 0
        # A value that breaks a rule is not used; a malformed phone is only a warning.
        if f.kind != Kind.PHONE and broken.any():
            data[f.key] = parsed.values.where(~broken)
        else:
            data[f.key] = parsed.values
        if f.key in text:
            raw_text[f.key] = text[f.key]
        if parsed.detail is not None:
            raw_text[f"{f.key}__detail"] = parsed.detail
    context = _Context(batch, file, rows)

    _sheet_rules(sheet, data, errors, context)
    for name, key in _CONDITIONS:
        # A conditionally required column that is absent while some row needs it.
        if name != sheet.name:
            continue
        needed = set(file[errors[key] == V.RULE["required"]].tolist())
        for i in sorted(needed):
            r = batch[i]
            if key not in r.letters:
                r.sub.findings.append(Finding(r.sub.file, "missing_column", sheet.name, None,
                                              r.header_row, sheet.field(key).label))
    matched = {k: V.match_key(data[k]) for k in _KEYED.get(sheet.name, ())}
    for f in sheet.fields:
        if f.unique:
            key = matched[f.key] if f.key in matched else V.match_key(data[f.key].astype("string"))
            # A value seen before in the same workbook: (workbook, value) as one integer.
            codes, _distinct = pd.factorize(key, use_na_sentinel=True)
            seen = pd.Series(file.astype(np.int64) * (len(_distinct) + 1) + codes).duplicated()
            dup = (codes >= 0) & seen.to_numpy() & (errors[f.key] == 0)
            if dup.any():
                errors[f.key][dup] = V.RULE["duplicate"]
                first = pd.Series(rows).groupby([file, key], dropna=True).transform("first")
                context.first_row[f.key] = first
    # Cell findings (sorted later); a column that is absent has none.
    at, columns = np.stack(list(errors.values()), axis=1).nonzero()
    for i, j in zip(at.tolist(), columns.tolist(), strict=True):
        f = sheet.fields[j]
        r = batch[file[i]]
        letter = r.letters.get(f.key)
        if letter is not None:
            rule = V.RULES[errors[f.key][i]]
            assert rule is not None
            r.sub.findings.append(_cell_finding(sheet, f, letter, i, rule, raw_text, context))
    # The match keys go to the rules across workbooks (in the parent process) as Arrow
    # arrays: compact copies per workbook, for a slice would carry the whole batch along.
    arrow_keys = {k: V.arrow_of(s).cast(pa.string()) for k, s in matched.items()}
    kept = [f.key for f in sheet.fields] if keep_tables else _CROSS_SHEET_COLUMNS.get(sheet.name, ())
    table = pd.DataFrame({ROW: rows, **{k: data[k] for k in kept if k in data}}, index=position)
    start = 0
    for r, size in zip(batch, sizes, strict=True):
        end = start + size
        index = pd.Index(r.rows)
        r.sub.tables[sheet.name] = Table(
            sheet.name, table.iloc[start:end].set_axis(index), r.letters, r.header_row,
            {k: pa.concat_arrays([a.slice(start, size)]) for k, a in arrow_keys.items()})
        start = end


@dataclass
class _Context:
    """What the rules of a stacked sheet know of each row's workbook."""

    batch: list[_Rows]
    file: np.ndarray  # per row: its workbook's number in the batch
    rows: np.ndarray  # per row: its Excel row
    expected_amount: dict[int, str] = field(default_factory=dict)  # position -> 数量×单价
    first_row: dict[str, pd.Series] = field(default_factory=dict)  # key -> first row of a value

    def sub(self, position: int) -> Submission:
        return self.batch[self.file[position]].sub

    def per_row(self, value: Callable[[Submission], dt.date | None]) -> pd.Series:
        """A date of each row's workbook (NaT where it has none), for comparisons."""
        dates = [value(r.sub) for r in self.batch]
        per_file = pd.Series(pd.to_datetime([d if d is not None else pd.NaT for d in dates]))
        return pd.Series(per_file.to_numpy()[self.file]).astype("datetime64[s]")


# The columns the rules across workbooks compare, by sheet (see _cross_sheet).
_KEYED = {
    CUSTOMERS.name: ("customer_no", "salesperson"),
    SALES.name: ("customer_no", "customer_name"),
    CREDIT.name: ("customer_no",),
    VISITS.name: ("customer_no",),
    STAFF.name: ("name",),
}


_RANGE_TEXT = {
    ("amount", 1, None): ("应大于 0", "must be greater than 0"),
    ("amount", 0, None): ("不能为负数", "must not be negative"),
}


def _cell_finding(
    sheet: Sheet, f: Field, letter: str, position: int, rule: str,
    raw_text: dict[str, pd.Series], context: _Context,
) -> Finding:
    sub = context.sub(position)
    row = int(context.rows[position])
    value = display_value(raw_text[f.key].iat[position])
    params: dict[str, object] = {}
    if rule == "bad_number":
        zh, en = EXPECTED_NUMBER[f.kind]
        params = {"expected": zh, "expected_en": en}
    elif rule in ("bad_enum",):
        params = {"choices": "、".join(f.choices)}
    elif rule == "bad_uscc":
        reason = raw_text[f"{f.key}__detail"].iat[position]
        params = {"reason": str(reason), "reason_en": _USCC_REASON_EN.get(str(reason), str(reason))}
    elif rule == "out_of_range":
        params = _range_params(f)
    elif rule == "required" and (sheet.name, f.key) in _CONDITIONS:
        zh, en = _CONDITIONS[(sheet.name, f.key)]
        params = {"variant": "required_when", "condition": zh, "condition_en": en}
    elif rule == "duplicate":
        params = {"first_row": int(context.first_row[f.key].iat[position])}
    elif rule == "inconsistent":
        params = dict(_INCONSISTENT[(sheet.name, f.key)])
    elif rule == "outside_period":
        assert sub.period is not None  # the rule needs the period
        params = dict(_window_text(*_period_window(sheet, sub.period)))
    elif rule == "amount_mismatch":
        params = {"expected": context.expected_amount[position]}
    return Finding(sub.file, rule, sheet.name, f"{letter}{row}", row, f.label,
                   value, params)


def display_value(value: object) -> str | None:
    """A cell's text as a finding shows it: a date cell without its midnight time."""
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return None
    text = str(value)
    return _MIDNIGHT.sub("", text)


_MIDNIGHT = re.compile(r"(?<=^\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?$")

_USCC_REASON_EN = {
    "应为18位数字或大写字母": "it must be 18 digits or capital letters",
    "含有不允许的字符（I、O、S、V、Z）": "it contains a letter not allowed (I, O, S, V, Z)",
    "校验位错误": "the check character is wrong",
    "第9-17位组织机构代码校验位错误": "the organization code in characters 9-17 has a wrong check digit",
}
# Columns required only on some rows: (sheet, key) -> the condition, for the message.
_CONDITIONS = {
    (SALES.name, "product"): ("业务类型为发货或退货", "the type is 发货 or 退货"),
    (SALES.name, "salesperson"): ("业务类型为发货", "the type is 发货"),
    (CREDIT.name, "approver"): ("已填批准资信额度", "an approved limit is given"),
    (CREDIT.name, "approved_on"): ("已填批准资信额度", "an approved limit is given"),
}
_INCONSISTENT = {
    (CUSTOMERS.name, "org_code"): {
        "detail": "组织机构代码与统一社会信用代码第9-17位不一致",
        "detail_en": "The organization code differs from characters 9-17 of the credit code",
    },
    (CREDIT.name, "approved_on"): {
        "detail": "批复日期早于申请日期",
        "detail_en": "The approval date is before the application date",
    },
}


def _range_params(f: Field) -> dict[str, object]:
    if f.kind == Kind.PERCENT:
        return {"limit": "0~100%", "limit_en": "0 to 100%"}
    if f.key == "founded":
        return {"limit": "不晚于填报日期", "limit_en": "not after the report date"}
    if f.kind == Kind.AMOUNT and f.maximum is None:
        zh, en = _RANGE_TEXT[("amount", 1 if f.minimum == 1 else 0, None)]
        return {"limit": zh, "limit_en": en}
    if f.maximum is None:
        return {"limit": f"不小于 {f.minimum}", "limit_en": f"at least {f.minimum}"}
    return {"limit": f"{f.minimum}~{f.maximum}", "limit_en": f"{f.minimum} to {f.maximum}"}


# A sheet's typed columns and the rule broken per cell (V.RULES), by field key.
_Data = dict[str, pd.Series]
_Errors = dict[str, np.ndarray]


def _mark(errors: _Errors, key: str, mask: pd.Series | np.ndarray, rule: str) -> None:
    """Set `rule` where `mask` holds and the cell has no earlier error."""
    if isinstance(mask, pd.Series):
        mask = mask.fillna(False).to_numpy(dtype=bool)
    errors[key][(errors[key] == 0) & mask] = V.RULE[rule]


def _sheet_rules(sheet: Sheet, data: _Data, errors: _Errors, context: _Context) -> None:
    """Rules inside one sheet of one workbook, in the spec's order of precedence."""
    if sheet is CUSTOMERS:
        org, uscc = data["org_code"], data["uscc"]
        _mark(errors, "org_code", org.notna() & uscc.notna() & (org != uscc.str.slice(8, 17)),
              "inconsistent")
        _mark(errors, "founded", data["founded"] > context.per_row(lambda s: s.report_date),
              "out_of_range")
        reg = V.clean_code(data["reg_no"])
        _mark(errors, "reg_no", reg.notna() & ~reg.str.fullmatch(r"[0-9]{15}").fillna(False),
              "bad_reg_no")
        tax = V.clean_code(data["tax_no"])
        _mark(errors, "tax_no", tax.notna() & ~tax.str.len().isin([15, 18, 20]), "bad_tax_no")
    elif sheet is SALES:
        kind = data["type"]
        for key, types in (("product", ("发货", "退货")), ("salesperson", ("发货",))):
            _mark(errors, key, kind.isin(types) & data[key].isna(), "required")
        _outside_period(sheet, data, errors, context)
        _amount_mismatch(data, errors, context)
    elif sheet is CREDIT:
        approved = data["approved_limit"].notna()
        for key in ("approver", "approved_on"):
            _mark(errors, key, approved & data[key].isna(), "required")
        _mark(errors, "approved_on", data["approved_on"] < data["applied_on"], "inconsistent")
    elif sheet is VISITS:
        _outside_period(sheet, data, errors, context)


def _period_window(sheet: Sheet, period: Period) -> tuple[dt.date, dt.date]:
    """The dates a sheet's rows may fall in: the period; visits from the start of its
    quarter (they may be sent with any report of the quarter)."""
    return (period.containing_quarter().start if sheet is VISITS else period.start), period.end


def _outside_period(sheet: Sheet, data: _Data, errors: _Errors, context: _Context) -> None:
    """Dates outside each row's workbook's window (none where the period is unknown)."""
    start = context.per_row(lambda s: _period_window(sheet, s.period)[0] if s.period else None)
    end = context.per_row(lambda s: s.period.end if s.period else None)
    _mark(errors, "date", (data["date"] < start) | (data["date"] > end), "outside_period")


def _window_text(start: dt.date, end: dt.date) -> dict[str, str]:
    return {"window": f"报送期间 {start} 至 {end} ", "window_en": f"the period {start} to {end}"}


def _amount_mismatch(data: _Data, errors: _Errors, context: _Context) -> None:
    """金额 against 数量×单价: off by more than 1 元 and more than 0.5% of 金额 (a warning)."""
    both = (data["quantity"].notna() & data["unit_price"].notna() & data["amount"].notna()
            ).to_numpy(dtype=bool)
    if not both.any():
        return
    at = np.flatnonzero(both)
    q, p, a = (data[k].to_numpy(dtype=np.int64, na_value=0)[at]
               for k in ("quantity", "unit_price", "amount"))
    off = V.amount_off(q, p, a)
    mask = np.zeros(len(both), dtype=bool)
    mask[at[off]] = True
    _mark(errors, "amount", mask, "amount_mismatch")
    for i, qi, pi in zip(at[off].tolist(), q[off].tolist(), p[off].tolist(), strict=True):
        # The message's 数量×单价 in 元, exact: millionths × millionths = 10^-12 元.
        context.expected_amount[i] = V.fen_to_yuan((qi * pi + 5 * 10**9) // 10**10)


# ---------------------------------------------------------------- across workbooks


def check_groups(subs: list[Submission], reference: Reference) -> None:
    """Rules over all workbooks of a subsidiary and period in one call."""
    groups: dict[tuple[str, Period], list[Submission]] = {}
    for s in subs:
        if s.group_key is not None:
            groups.setdefault(s.group_key, []).append(s)
    for (subsidiary, period), members in groups.items():
        _corrections(members)
        _missing_sheets(members, period)
        _cross_sheet(members, subsidiary, reference)


def has_rows(m: Submission, sheet: str) -> bool:
    """The sheet holds at least one row (市场分析: one topic or analysis)."""
    if sheet == MARKET.name:
        return bool(m.market)
    return sheet in m.tables and not m.tables[sheet].data.empty


def _corrections(members: list[Submission]) -> None:
    for sheet in [s.name for s in DATA_SHEETS]:
        carriers = [m for m in members if sheet in m.tables]
        if len(carriers) < 2:
            continue
        # A sheet left as the template gave it (a header, no rows) neither corrects nor
        # conflicts with one that has rows: a subsidiary sending its reports in parts
        # on template workbooks leaves the other sheets empty.
        with_rows = [m for m in carriers if has_rows(m, sheet)]
        if with_rows:
            carriers = with_rows + [m for m in carriers if m not in with_rows]
            deciding = with_rows
        else:
            deciding = carriers
        same_day: dict[dt.date, list[Submission]] = {}
        for m in deciding:
            if m.report_date is not None:
                same_day.setdefault(m.report_date, []).append(m)
        for day, clash in same_day.items():
            for a in clash if len(clash) > 1 else ():
                others = "、".join(b.file for b in clash if b is not a)
                a.findings.append(Finding(a.file, "conflicting_submission", sheet, params={
                    "other": others, "date": str(day)}))
        dated = [m for m in deciding if m.report_date is not None]
        if not dated:
            continue
        latest = max(dated, key=lambda m: (m.report_date, m.file))
        for m in carriers:
            if m is not latest:
                m.superseded[sheet] = latest.file


def _missing_sheets(members: list[Submission], period: Period) -> None:
    required = list(ALWAYS_REQUIRED)
    if period.is_quarter_end:
        required += QUARTER_END_REQUIRED
    last = max(members, key=lambda m: (m.report_date or dt.date.min, m.file))
    for name in required:
        if not any(name in m.carried for m in members):
            last.findings.append(Finding(last.file, "missing_sheet", name,
                                         params={"period": str(period)}))


def _cross_sheet(members: list[Submission], subsidiary: str, reference: Reference) -> None:
    # In-force customer sheets first, so that a corrected name is the one compared against.
    carriers = sorted((m for m in members if CUSTOMERS.name in m.tables),
                      key=lambda m: not m.in_force(CUSTOMERS.name))
    known = set(reference.customers(subsidiary))
    names: dict[str, str] = {}  # each customer's name as the first sheet (in force first) gives it
    for m in carriers:
        sheet_in = m.tables[CUSTOMERS.name]
        for key, name in zip(sheet_in.keys["customer_no"].to_pylist(),
                             sheet_in.data["customer_name"].tolist(), strict=True):
            if isinstance(key, str):
                known.add(key)
                if isinstance(name, str):
                    names.setdefault(key, name)
    # Compared in Arrow: a lookup per workbook and sheet over thousands of rows, for every
    # subsidiary of the call, in the parent process after the parallel part.
    known_keys = pa.array(list(known), pa.string())
    named_keys = pa.array(list(names), pa.string())
    expected_names = pa.array(list(names.values()), pa.string())
    expected_keys = pa.array([V.key_of(name) for name in names.values()], pa.string())
    for m in members:
        for sheet in (SALES, CREDIT, VISITS):
            table = m.tables.get(sheet.name)
            if table is None or "customer_no" not in table.letters:
                continue
            keys = table.keys["customer_no"]
            unknown = pc.and_not(pc.is_valid(keys), pc.is_in(keys, value_set=known_keys))
            _row_findings(m, table, "customer_no", _mask(unknown), "unknown_customer")
            if sheet is SALES and "customer_name" in table.letters:
                at = pc.index_in(keys, value_set=named_keys)
                given = table.keys["customer_name"]
                differs = _mask(pc.not_equal(given, pc.take(expected_keys, at)))
                if differs.any():
                    _row_findings(m, table, "customer_name", differs, "name_mismatch",
                                  expected=pc.take(expected_names, at))
    # A 公司信息 left empty does not replace the staff list the ledger knows.
    staff_tables = [m for m in members if m.in_force(STAFF.name) and has_rows(m, STAFF.name)]
    if staff_tables:
        staff = set(pc.drop_null(staff_tables[0].tables[STAFF.name].keys["name"]).to_pylist())
    else:
        staff = reference.staff(subsidiary)
    if staff:
        staff_keys = pa.array(list(staff), pa.string())
        for m in members:
            table = m.tables.get(CUSTOMERS.name)
            if table is None or "salesperson" not in table.letters:
                continue
            person = table.keys["salesperson"]
            unknown = pc.and_not(pc.is_valid(person), pc.is_in(person, value_set=staff_keys))
            _row_findings(m, table, "salesperson", _mask(unknown), "unknown_staff")


def _mask(flags: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(flags, False).to_numpy(zero_copy_only=False), dtype=bool)


def _row_findings(
    m: Submission, table: Table, key: str, mask: np.ndarray, rule: str,
    expected: pa.Array | pa.ChunkedArray | None = None,
) -> None:
    sheet = SHEETS[table.sheet]
    f = sheet.field(key)
    if not mask.any():
        return
    taken = {(x.sheet, x.row, x.column) for x in m.findings if x.severity == ERROR}
    rows, values = table.data[ROW], table.data[key]
    for i in np.flatnonzero(mask).tolist():
        row = int(rows.iat[i])
        if (table.sheet, row, f.label) in taken:
            continue
        value = values.iat[i]
        params = {"expected": str(expected[i].as_py())} if expected is not None else {}
        m.findings.append(Finding(m.file, rule, table.sheet, table.cell(key, row), row, f.label,
                                  None if pd.isna(value) else str(value), params))


# ---------------------------------------------------------------- a whole call


@dataclass
class Validation:
    submissions: list[Submission]

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for s in self.submissions for f in s.findings), key=Finding.sort_key)

    @property
    def valid(self) -> bool:
        return not any(s.has_errors for s in self.submissions)


def _one_thread() -> None:
    """Each worker uses one core: the parallelism is across workbooks, and Arrow's own
    thread pool in every worker would only make the workers compete."""
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


def _check_batch(args: tuple[list[tuple[Path, str]], Config, bool]) -> list[Submission]:
    items, config, keep_tables = args
    return check_workbooks(items, config, keep_tables)


# A batch is checked as one (see check_workbooks): enough workbooks to spread the cost
# per call. The batches shrink towards the end of the call ("guided" scheduling): the
# workers then finish within a small batch of each other, where equal batches leave one
# waiting half a large batch on average. A batch of large files is cut by their size on
# disk, to bound the memory of a worker.
BATCH_FILES = 16
LAST_BATCH_FILES = 3
BATCH_BYTES = 16 * 2**20


def batches(files: list[tuple[Path, str]], jobs: int) -> list[list[tuple[Path, str]]]:
    """Consecutive runs of the files, each about half of what is left per worker."""
    out: list[list[tuple[Path, str]]] = []
    start = 0
    while start < len(files):
        left = len(files) - start
        count = min(left, max(LAST_BATCH_FILES, min(BATCH_FILES, -(-left // (2 * jobs)))))
        size = 0
        for j, item in enumerate(files[start:start + count]):
            try:
                bytes_ = item[0].stat().st_size
            except OSError:
                bytes_ = 0
            if j == 0 or size + bytes_ > BATCH_BYTES:
                out.append([])
                size = 0
            out[-1].append(item)
            size += bytes_
        start += count
    return out


# What the rules across workbooks read of a table (the cells their findings show, and
# the customers' names); the rest stays in the worker when only the findings are
# wanted (xlcrm validate), which spares sending it back.
_CROSS_SHEET_COLUMNS = {
    sheet: (ROW, *keys, *(("customer_name",) if sheet == CUSTOMERS.name else ()))
    for sheet, keys in _KEYED.items()
}


def validate_files(
    files: Iterable[tuple[Path, str]],
    config: Config,
    reference: Reference | None = None,
    *,
    jobs: int | None = None,
    progress: Callable[[Submission], None] | None = None,
    keep_tables: bool = True,
) -> Validation:
    """Validate workbooks (path, name shown) in parallel, then across workbooks.

    keep_tables=False keeps of the typed tables only what the findings need."""
    files = list(files)
    jobs = jobs or min(len(files), os.cpu_count() or 1)
    work = [(batch, config, keep_tables) for batch in batches(files, jobs)]
    subs: list[Submission] = []
    with ExitStack() as stack:
        if jobs <= 1 or len(work) <= 1:
            done: Iterable[list[Submission]] = map(_check_batch, work)
        else:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=jobs, initializer=_one_thread))
            done = pool.map(_check_batch, work, chunksize=1)
        for batch in done:
            for s in batch:
                subs.append(s)
                if progress:
                    progress(s)
    check_groups(subs, reference or NoReference())
    for s in subs:
        s.findings.sort(key=Finding.sort_key)
    return Validation(subs)
