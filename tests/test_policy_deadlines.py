"""Deadlines (policy.md, Deadlines; 第八至十一条).

In the month after the period's end E: 客户信息表, 销售数据表, 资信评估表 by day 6;
拜访记录 and 市场分析 by day 10. Status 按时 (on or before the due day), 逾期 with days
late, 未报送, 退回. The shift of a due date off weekends and holidays is off by default.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xlcrm.config import Policy
from xlcrm.periods import Period
from xlcrm.policy.deadlines import (
    LATE,
    MISSING,
    ON_TIME,
    RETURNED,
    chinese_working_day,
    due_date,
    due_day,
    reports_due,
    submission_status,
)

D = dt.date


@pytest.mark.parametrize(("report", "day"), [
    ("客户信息表", 6), ("销售数据表", 6), ("资信评估表", 6), ("拜访记录", 10), ("市场分析", 10),
])
def test_due_day(report: str, day: int) -> None:
    policy = Policy()
    assert due_day(report, policy.report_due_day, policy.visits_due_day) == day
    assert due_day(report) == day
    assert (policy.summary_due_day, policy.written_report_due_day) == (8, 15)


@pytest.mark.parametrize(("period_end", "day", "due"), [
    (D(2026, 3, 31), 6, D(2026, 4, 6)),
    (D(2026, 3, 31), 10, D(2026, 4, 10)),
    (D(2025, 12, 31), 6, D(2026, 1, 6)),  # across the year
    (D(2026, 1, 31), 6, D(2026, 2, 6)),
    (D(2026, 2, 28), 10, D(2026, 3, 10)),
    # Saturday 2026-06-06 and National Day 2025-10-06 stay without the shift.
    (D(2026, 5, 31), 6, D(2026, 6, 6)),
    (D(2025, 9, 30), 6, D(2025, 10, 6)),
])
def test_due_date_without_shift(period_end: dt.date, day: int, due: dt.date) -> None:
    assert due_date(period_end, day) == due


def test_holiday_shift_is_off_by_default() -> None:
    assert Policy().holiday_shift is False


@pytest.mark.parametrize(("period_end", "due"), [
    (D(2026, 5, 31), D(2026, 6, 8)),  # Saturday -> Monday
    (D(2026, 6, 30), D(2026, 7, 6)),  # Monday stays
    (D(2025, 9, 30), D(2025, 10, 9)),  # 2025-10-06..08 holidays in this calendar
])
def test_due_date_moves_to_the_next_working_day_when_asked(period_end: dt.date, due: dt.date) -> None:
    holidays = {D(2025, 10, 6), D(2025, 10, 7), D(2025, 10, 8)}

    def working(day: dt.date) -> bool:
        return day.weekday() < 5 and day not in holidays

    assert due_date(period_end, 6, working) == due


@pytest.mark.parametrize(("period", "reports"), [
    (Period.quarter(2026, 1), ("客户信息表", "销售数据表", "资信评估表", "拜访记录", "市场分析")),
    (Period.month(2026, 3), ("客户信息表", "销售数据表", "资信评估表", "拜访记录", "市场分析")),
    (Period.month(2026, 2), ("客户信息表", "销售数据表")),
    (Period.month(2026, 4), ("客户信息表", "销售数据表")),
])
def test_reports_due(period: Period, reports: tuple[str, ...]) -> None:
    assert reports_due(period) == reports


def _due(subsidiaries: list[str], due: dt.date) -> pd.DataFrame:
    return pd.DataFrame({"subsidiary": subsidiaries, "industry": "化工", "period": "2026Q1",
                         "report": "客户信息表", "due_date": [due] * len(subsidiaries)})


def _received(rows: list[tuple[str, dt.date | None, int, int, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["subsidiary", "report_date", "errors", "warnings", "returned"]).assign(
        report="客户信息表")


@pytest.mark.parametrize(("submitted", "returned", "status", "days_late"), [
    (D(2026, 4, 6), False, ON_TIME, None),  # on the due day
    (D(2026, 4, 1), False, ON_TIME, None),
    (D(2026, 4, 7), False, LATE, 1),
    (D(2026, 4, 9), False, LATE, 3),
    (D(2026, 5, 6), False, LATE, 30),
    (D(2026, 4, 3), True, RETURNED, None),
    (D(2026, 4, 9), True, RETURNED, None),
])
def test_submission_status(submitted: dt.date, returned: bool, status: str, days_late: int | None) -> None:
    result = submission_status(_due(["S1"], D(2026, 4, 6)), _received([("S1", submitted, 2, 5, returned)]))
    assert list(result["status"]) == [status]
    assert result["days_late"].tolist() == [pd.NA if days_late is None else days_late]
    assert (list(result["errors"]), list(result["warnings"])) == ([2], [5])


def test_a_report_not_received_is_missing() -> None:
    result = submission_status(_due(["S1", "S2", "S3"], D(2026, 4, 6)), _received([
        ("S1", D(2026, 4, 6), 0, 0, False), ("S3", D(2026, 4, 8), 0, 1, True)]))
    assert list(zip(result["subsidiary"], result["status"])) == [("S1", ON_TIME), ("S2", MISSING), ("S3", RETURNED)]
    assert (ON_TIME, LATE, MISSING, RETURNED) == ("按时", "逾期", "未报送", "退回")


def test_returned_as_a_nullable_boolean_column() -> None:
    received = _received([("S1", D(2026, 4, 3), 1, 0, True)])
    received["returned"] = received["returned"].astype("boolean")
    result = submission_status(_due(["S1"], D(2026, 4, 6)), received)
    assert list(result["status"]) == [RETURNED]


@pytest.mark.parametrize(("day", "working"), [
    (D(2026, 6, 6), False),  # Saturday
    (D(2026, 6, 7), False),  # Sunday
    (D(2026, 6, 8), True),  # Monday
])
def test_chinese_working_day_on_plain_weeks(day: dt.date, working: bool) -> None:
    assert chinese_working_day()(day) is working
