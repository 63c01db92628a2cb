"""Reporting periods: a quarter (化工, 其他) or a month (医药), 第八条."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    first_month: int
    months: int  # 3 for a quarter, 1 for a month

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, month, 1)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(year, 3 * quarter - 2, 3)

    @property
    def is_quarter(self) -> bool:
        return self.months == 3

    @property
    def last_month(self) -> int:
        return self.first_month + self.months - 1

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        m = self.last_month
        return dt.date(self.year, m, calendar.monthrange(self.year, m)[1])

    @property
    def quarter_number(self) -> int:
        return (self.first_month - 1) // 3 + 1

    def containing_quarter(self) -> Period:
        return Period.quarter(self.year, self.quarter_number)

    def end_month(self) -> Period:
        return Period.month(self.year, self.last_month)

    @property
    def is_quarter_end(self) -> bool:
        return self.last_month % 3 == 0

    def shift_months(self, n: int) -> Period:
        index = self.year * 12 + self.first_month - 1 + n
        return Period(index // 12, index % 12 + 1, self.months)

    def previous(self) -> Period:
        return self.shift_months(-self.months)

    def year_earlier(self) -> Period:
        return Period(self.year - 1, self.first_month, self.months)

    def month_list(self) -> list[Period]:
        return [Period.month(self.year, m) for m in range(self.first_month, self.last_month + 1)]

    def __str__(self) -> str:
        if self.is_quarter:
            return f"{self.year}Q{self.quarter_number}"
        return f"{self.year}-{self.first_month:02d}"

    @property
    def label_zh(self) -> str:
        if self.is_quarter:
            return f"{self.year}年第{self.quarter_number}季度"
        return f"{self.year}年{self.first_month}月"


_QUARTER = re.compile(
    r"^(\d{4})\s*(?:-?\s*Q|年\s*第?|年\s*Q)\s*([1-4一二三四])\s*(?:季度?)?$", re.I)
_MONTH = re.compile(r"^(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")
# A date cell as the reader gives it (`2026-03-05 00:00:00`; .ods: `2026-03-05T00:00:00`
# or `2026-03-05`), or a date typed as text: read as its month.
_DATE_CELL = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)


def parse_period(text: str) -> Period | None:
    """A period from the forms of submission.md; None when it fits none."""
    s = unicodedata.normalize("NFKC", text).strip()
    if m := _QUARTER.match(s):
        q = m.group(2)
        return Period.quarter(int(m.group(1)), CN_DIGITS.get(q) or int(q))
    if m := _DATE_CELL.match(s):
        month = int(m.group(2))
    elif m := _MONTH.match(s):
        month = int(m.group(2) or m.group(3))
    else:
        return None
    if not 1 <= month <= 12:
        return None
    return Period.month(int(m.group(1)), month)


def stored_period(text: object) -> Period:
    """A period as the ledger stores it (`2026Q1`, `2026-03`, from str(Period))."""
    period = parse_period(str(text))
    if period is None:
        raise ValueError(f"not a period: {text!r}")
    return period


def parse_run_month(text: str) -> Period | None:
    """The month of a consolidation run (`--period 2026-03`, a folder name)."""
    p = parse_period(text)
    return p if p is not None and not p.is_quarter else None


def window_of(run_month: Period) -> Period:
    """The run's reporting window W: the quarter ending at E, else the month."""
    return run_month.containing_quarter() if run_month.is_quarter_end else run_month
