"""Deadlines and submission status (policy.md, Deadlines; 第八至十一条).

For a submission whose period ends on E, in the month after E: the
subsidiary's reports (客户信息表, 销售数据表, 资信评估表) by day 6, the
summary by day 8, 拜访记录 and 市场分析 by day 10, the written report by day 15.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from ..periods import Period
from ..schema import CREDIT, CUSTOMERS, MARKET, SALES, VISITS

ON_TIME, LATE, MISSING, RETURNED = "按时", "逾期", "未报送", "退回"


def due_day(report: str, report_day: int = 6, visits_day: int = 10) -> int:
    return visits_day if report in (VISITS.name, MARKET.name) else report_day


def due_date(period_end: dt.date, day: int,
             working_day: Callable[[dt.date], bool] | None = None) -> dt.date:
    """Day `day` of the month after the period; moved to the next working day when asked."""
    first_next = (pd.Timestamp(period_end) + pd.offsets.MonthBegin(1)).date()
    due = first_next.replace(day=day)
    while working_day is not None and not working_day(due):
        due += dt.timedelta(days=1)
    return due


def reports_due(period: Period) -> tuple[str, ...]:
    """The reports a submission for `period` owes: all five at quarter end."""
    if period.is_quarter_end:
        return (CUSTOMERS.name, SALES.name, CREDIT.name, VISITS.name, MARKET.name)
    return (CUSTOMERS.name, SALES.name)


def submission_status(
    due: pd.DataFrame, received: pd.DataFrame,
) -> pd.DataFrame:
    """due: subsidiary, industry, period, report, due_date.
    received: subsidiary, report, report_date, errors, warnings, returned (the
    workbook in force for that report; returned = rejected by validation).

    Adds submitted_on, status, days_late, errors, warnings.
    """
    merged = due.merge(received, on=["subsidiary", "report"], how="left")
    status: list[str] = []
    late: list[int | None] = []
    for submitted, deadline, returned in zip(
        merged["report_date"], merged["due_date"], merged["returned"]
    ):
        if submitted is None or pd.isna(submitted):
            status.append(MISSING)
            late.append(None)
        elif not pd.isna(returned) and bool(returned):
            status.append(RETURNED)
            late.append(None)
        else:
            days = (pd.Timestamp(submitted) - pd.Timestamp(deadline)).days
            status.append(LATE if days > 0 else ON_TIME)
            late.append(days if days > 0 else None)
    merged["status"] = status
    merged["days_late"] = pd.array(late, dtype="Int64")
    return merged


def chinese_working_day() -> Callable[[dt.date], bool]:
    """China's official calendar (statutory holidays and adjusted working weekends).

    Uses the `chinesecalendar` package when installed; without it, weekends only.
    """
    try:
        import chinese_calendar  # type: ignore[import-not-found]

        def working(day: dt.date) -> bool:
            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:  # a year the package does not cover yet
                return day.weekday() < 5

        return working
    except ImportError:
        return lambda day: day.weekday() < 5
