"""Credit grade and limit (policy.md, Credit grade and limit; 第十三至十六条), by hand.

万元 amounts arrive as fen of 万元 (12.34 万元 -> 1234), 按期付款率 in millionths,
limits in fen.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd
import pytest

from xlcrm.config import Policy
from xlcrm.periods import Period
from xlcrm.policy.credit import (
    APPROVED,
    LATE,
    NEVER_ASSESSED,
    PENDING,
    REVIEW_OK,
    REVIEW_OVERDUE,
    applied_too_early,
    approval,
    assess,
    credit_score,
    grade_of,
    latest_per_quarter,
    limits_in_force,
    review_status,
    suggested_limit,
)

POLICY = Policy()
WAN = 100  # 1 万元 in fen of 万元
YUAN = 100  # 1 元 in fen
D = dt.date


@pytest.mark.parametrize(("annual", "points"), [
    (1000 * WAN, 25), (1000 * WAN - 1, 21), (5000 * WAN, 25),
    (500 * WAN, 21), (500 * WAN - 1, 17),
    (100 * WAN, 17), (100 * WAN - 1, 13),
    (50 * WAN, 13), (50 * WAN - 1, 9),
    (10 * WAN, 9), (10 * WAN - 1, 5),
    (0, 5),
])
def test_annual_sales_points(annual: int, points: int) -> None:
    # 月均销售额 0: 3 points; no 付款方式 and 付款信誉 0 add nothing.
    assert credit_score(annual, 0, None, 0, 0) == points + 3


@pytest.mark.parametrize(("monthly", "points"), [
    (100 * WAN, 15), (100 * WAN - 1, 12),
    (50 * WAN, 12), (50 * WAN - 1, 9),
    (10 * WAN, 9), (10 * WAN - 1, 6),
    (1 * WAN, 6), (1 * WAN - 1, 3),
    (0, 3),
])
def test_monthly_sales_points(monthly: int, points: int) -> None:
    # 年销售规模 0: 5 points.
    assert credit_score(0, monthly, None, 0, 0) == 5 + points


@pytest.mark.parametrize(("terms", "points"), [
    ("现款", 20), ("预付款", 20), ("承兑汇票", 15), ("月结", 10), ("赊销", 5),
])
def test_payment_terms_points(terms: str, points: int) -> None:
    assert credit_score(0, 0, terms, 0, 0) == 5 + 3 + points  # 年 0: 5, 月均 0: 3


@pytest.mark.parametrize(("rate", "overdue", "points"), [
    (1_000_000, 0, Fraction(40)),
    (950_000, 0, Fraction(38)),
    (950_000, 1, Fraction(33)),
    (333_333, 0, Fraction(13_333_320, 1_000_000)),  # exact, not rounded
    (500_000, 3, Fraction(5)),
    (500_000, 4, Fraction(0)),  # 20 − 20
    (500_000, 5, Fraction(0)),  # 20 − 25: not below 0
    (1_000_000, 9, Fraction(0)),
    (0, 0, Fraction(0)),
    (0, 2, Fraction(0)),
])
def test_payment_reputation_points(rate: int, overdue: int, points: Fraction) -> None:
    assert credit_score(0, 0, None, rate, overdue) == 5 + 3 + points


@pytest.mark.parametrize(("annual", "monthly", "terms", "rate", "overdue", "score"), [
    # 1200 万元 25 + 100 万元 15 + 现款 20 + 40 × 0.95 = 98.
    (1200 * WAN, 100 * WAN, "现款", 950_000, 0, Fraction(98)),
    # 600 万元 21 + 50 万元 12 + 月结 10 + 40 × 0.9 − 5 = 74.
    (600 * WAN, 50 * WAN, "月结", 900_000, 1, Fraction(74)),
    # 12.5 万元 9 + 1.04 万元 6 + 赊销 5 + 40 × 0.875 − 10 = 45.
    (1250, 104, "赊销", 875_000, 2, Fraction(45)),
    # The maximum.
    (1000 * WAN, 100 * WAN, "预付款", 1_000_000, 0, Fraction(100)),
    # The minimum with a known 付款方式.
    (0, 0, "赊销", 0, 10, Fraction(13)),
])
def test_credit_score(annual: int, monthly: int, terms: str, rate: int, overdue: int, score: Fraction) -> None:
    assert credit_score(annual, monthly, terms, rate, overdue) == score


@pytest.mark.parametrize(("score", "grade"), [
    (Fraction(100), "一级"),
    (Fraction(80), "一级"),
    (Fraction(7_999_999, 100_000), "二级"),
    (Fraction(60), "二级"),
    (Fraction(5_999_999, 100_000), "三级"),
    (Fraction(0), "三级"),
])
def test_grade_boundaries(score: Fraction, grade: str) -> None:
    assert grade_of(score, POLICY) == grade


@pytest.mark.parametrize(("monthly", "days", "grade", "limit_yuan"), [
    # 10 万元 a month = 100,000 元.
    (10 * WAN, 30, "一级", 150_000),
    (10 * WAN, 30, "二级", 100_000),
    (10 * WAN, 30, "三级", 50_000),
    # 账期 below 30 counts as 30.
    (10 * WAN, 0, "二级", 100_000),
    (10 * WAN, 15, "二级", 100_000),
    (10 * WAN, None, "二级", 100_000),
    (10 * WAN, 45, "二级", 150_000),
    (10 * WAN, 60, "三级", 100_000),
    (10 * WAN, 90, "一级", 450_000),
    # Rounded down to a multiple of 1,000 元.
    (123, 30, "一级", 18_000),  # 1.23 万元: 12,300 × 1.5 = 18,450
    (99, 30, "二级", 9_000),  # 9,900
    (100, 40, "三级", 6_000),  # 10,000 × 40/30 × 0.5 = 6,666.67
    (300, 31, "二级", 31_000),  # 30,000 × 31/30 = 31,000 exactly
    (10, 30, "二级", 1_000),  # 1,000 exactly
    (9, 30, "二级", 0),  # 900
    (0, 30, "一级", 0),
])
def test_suggested_limit(monthly: int, days: int | None, grade: str, limit_yuan: int) -> None:
    assert suggested_limit(monthly, days, grade, POLICY) == limit_yuan * YUAN


@pytest.mark.parametrize(("applied", "approved", "limit", "expected"), [
    (D(2026, 3, 25), D(2026, 3, 28), 100_000 * YUAN, (APPROVED, 3)),
    (D(2026, 3, 25), D(2026, 3, 29), 100_000 * YUAN, (LATE, 4)),
    (D(2026, 3, 25), D(2026, 3, 25), 100_000 * YUAN, (APPROVED, 0)),
    (D(2026, 3, 30), D(2026, 4, 2), 100_000 * YUAN, (APPROVED, 3)),  # across the month
    (D(2026, 3, 30), D(2026, 4, 10), 100_000 * YUAN, (LATE, 11)),
    (D(2026, 3, 25), D(2026, 3, 26), 0, (APPROVED, 1)),  # an approved limit of 0 is a limit
    (D(2026, 3, 25), None, None, (PENDING, None)),
    (D(2026, 3, 25), pd.NaT, pd.NA, (PENDING, None)),
])
def test_approval(applied: object, approved: object, limit: object, expected: tuple[str, int | None]) -> None:
    assert approval(applied, approved, limit, POLICY) == expected
    assert (APPROVED, LATE, PENDING) == ("已批复", "批复超时", "待批复")


@pytest.mark.parametrize(("applied", "quarter", "early"), [
    (D(2026, 3, 20), Period.quarter(2026, 1), True),
    (D(2026, 3, 21), Period.quarter(2026, 1), False),
    (D(2026, 3, 31), Period.quarter(2026, 1), False),
    (D(2026, 2, 28), Period.quarter(2026, 1), True),
    (D(2026, 6, 20), Period.quarter(2026, 2), True),
    (D(2026, 6, 21), Period.quarter(2026, 2), False),
    (D(2025, 12, 20), Period.quarter(2025, 4), True),
    (D(2025, 12, 21), Period.quarter(2025, 4), False),
    (pd.Timestamp(2026, 3, 20), Period.quarter(2026, 1), True),
    (None, Period.quarter(2026, 1), False),
])
def test_applied_too_early(applied: object, quarter: Period, early: bool) -> None:
    assert applied_too_early(applied, quarter, POLICY) is early


def _assessments(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Ledger-typed 资信评估表 rows; the keys not given take the defaults below."""
    defaults: dict[str, object] = {
        "subsidiary": "S1", "period": "2026Q1", "source_row": 2, "customer_uscc": "U1",
        "annual_sales": 1200 * WAN, "monthly_sales": 100 * WAN, "on_time_rate": 950_000, "overdue_count": 0,
        "grade": "一级", "applied_on": D(2026, 3, 25), "approved_limit": 100_000 * YUAN,
        "approved_on": D(2026, 3, 27),
    }
    frame = pd.DataFrame([defaults | r for r in rows])
    for col in ("source_row", "annual_sales", "monthly_sales", "on_time_rate", "overdue_count", "approved_limit"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    for col in ("applied_on", "approved_on"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[s]")
    for col in ("subsidiary", "period", "customer_uscc", "grade"):
        frame[col] = frame[col].astype("string")
    return frame


def _terms(rows: list[tuple[str, str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["subsidiary", "period", "customer_uscc", "payment_terms", "credit_days"])


def test_assess_scores_grades_limits_and_approvals() -> None:
    frame = assess(_assessments([
        # 98 points: 一级, as the subsidiary says; 100 万元 × 60/30 × 1.5 = 3,000,000 元.
        {"customer_uscc": "U1"},
        # 17 + 9 + 赊销 5 + 40 × 0.5 − 5 = 46: 三级 against its own 一级; 10 万元 × 0.5 = 50,000 元.
        {"customer_uscc": "U2", "annual_sales": 100 * WAN, "monthly_sales": 10 * WAN, "on_time_rate": 500_000,
         "overdue_count": 1, "applied_on": D(2026, 3, 20), "approved_on": D(2026, 3, 24)},
        # Pending, in a 医药 month: its quarter is 2026Q1.
        {"customer_uscc": "U3", "period": "2026-03", "subsidiary": "S2", "approved_limit": None,
         "approved_on": None, "grade": "二级", "annual_sales": 500 * WAN, "monthly_sales": 50 * WAN,
         "on_time_rate": 1_000_000},
    ]), _terms([
        ("S1", "2026Q1", "U1", "现款", 60),
        ("S1", "2026Q1", "U2", "赊销", 30),
        ("S2", "2026-03", "U3", "月结", 30),
        ("S2", "2026-02", "U1", "赊销", 30),  # another period: not this assessment's terms
    ]), POLICY)
    assert list(frame["quarter"]) == ["2026Q1", "2026Q1", "2026Q1"]
    # U3: 21 + 12 + 月结 10 + 40 = 83.
    assert list(frame["score"]) == [Fraction(98), Fraction(46), Fraction(83)]
    assert list(frame["computed_grade"]) == ["一级", "三级", "一级"]
    assert list(frame["grade_differs"]) == [False, True, True]
    assert list(frame["suggested_limit"]) == [3_000_000 * YUAN, 50_000 * YUAN, 750_000 * YUAN]
    assert list(frame["approval_status"]) == [APPROVED, LATE, PENDING]
    assert frame["approval_days"].tolist() == [2, 4, pd.NA]
    assert list(frame["too_early"]) == [False, True, False]


def _assessed(rows: list[tuple[str, str, str, int | None]], *, source_rows: list[int] | None = None) -> pd.DataFrame:
    """(subsidiary, customer, period, approved limit in 元) as `assess` gives them."""
    frame = _assessments([
        {"subsidiary": s, "customer_uscc": c, "period": p, "approved_limit": None if a is None else a * YUAN}
        for s, c, p, a in rows
    ])
    if source_rows is not None:
        frame["source_row"] = pd.array(source_rows, dtype="Int64")
    return assess(frame, _terms([]), POLICY)


LIMIT_HISTORY = [
    ("S1", "A", "2026Q1", 100),
    ("S1", "B", "2026Q1", 100), ("S1", "B", "2026Q2", None),  # pending in Q2
    ("S1", "C", "2026Q1", 100), ("S1", "C", "2026Q2", 200),
    ("S1", "D", "2026Q1", None),  # never approved
    ("S1", "E", "2025Q4", 50),  # across the year
    ("S2", "A", "2026Q2", 70),  # another subsidiary's limit for the same customer
    ("S2", "F", "2026-06", 30),  # a 医药 month: quarter 2026Q2
]


@pytest.mark.parametrize(("quarter", "expected"), [
    # Approved in Q1: nothing governs Q1 itself except Q4's.
    (Period.quarter(2026, 1), {("S1", "E"): 50}),
    (Period.quarter(2026, 2), {("S1", "A"): 100, ("S1", "B"): 100, ("S1", "C"): 100, ("S1", "E"): 50}),
    # Q3: C takes Q2's limit; B's Q2 application is pending, so Q1's stays in force.
    (Period.quarter(2026, 3), {("S1", "A"): 100, ("S1", "B"): 100, ("S1", "C"): 200, ("S1", "E"): 50,
                               ("S2", "A"): 70, ("S2", "F"): 30}),
    (Period.quarter(2025, 4), {}),
])
def test_limits_in_force(quarter: Period, expected: dict[tuple[str, str], int]) -> None:
    limits = limits_in_force(_assessed(LIMIT_HISTORY), quarter)
    got = {(s, c): int(v) // YUAN for s, c, v in zip(limits["subsidiary"], limits["customer_uscc"], limits["limit"])}
    assert got == expected


def test_a_late_approval_still_governs_the_next_quarter_from_its_first_day() -> None:
    frame = _assessments([{"approved_on": D(2026, 4, 20)}])  # applied 3-25, approved in Q2
    limits = limits_in_force(assess(frame, _terms([]), POLICY), Period.quarter(2026, 2))
    assert list(limits["limit"]) == [100_000 * YUAN]


def test_latest_per_quarter_keeps_the_latest_period_then_row() -> None:
    assessed = _assessed([
        ("S1", "A", "2026Q1", 100), ("S1", "A", "2026Q1", 300),  # same quarter: the later row
        ("S1", "A", "2026Q2", 200),
        ("S2", "A", "2026-02", 10), ("S2", "A", "2026-03", 20),  # 医药 months: the quarter-end month
    ], source_rows=[5, 3, 2, 9, 4])
    got = latest_per_quarter(assessed)
    assert sorted(zip(got["subsidiary"], got["quarter"], got["approved_limit"] // YUAN)) == [
        ("S1", "2026Q1", 100), ("S1", "2026Q2", 200), ("S2", "2026Q1", 20)]


E = D(2026, 3, 31)


def test_review_status() -> None:
    current = pd.DataFrame({"subsidiary": ["S1"] * 6 + ["S2"],
                            "uscc": ["U1", "U2", "U3", "U4", "U5", "U6", "U1"]})
    assessed = _assessments([
        {"customer_uscc": "U1", "applied_on": D(2025, 9, 29)},  # E − 183 days: in time
        {"customer_uscc": "U2", "applied_on": D(2025, 9, 28)},  # E − 184 days: overdue
        {"customer_uscc": "U3", "applied_on": D(2025, 6, 1)},  # an older one, and a recent one
        {"customer_uscc": "U3", "applied_on": D(2026, 3, 25)},
    ])
    sold = {("S1", "U4"), ("S2", "U1"), ("S1", "U1")}
    review = review_status(current, assessed, sold, E, POLICY)
    # No status is blank.
    assert list(zip(review["subsidiary"], review["customer_uscc"], review["review"].fillna(""))) == [
        ("S1", "U1", REVIEW_OK),
        ("S1", "U2", REVIEW_OVERDUE),
        ("S1", "U3", REVIEW_OK),
        ("S1", "U4", NEVER_ASSESSED),  # sales in W, never assessed
        ("S1", "U5", ""),  # never assessed, no sales in W
        ("S1", "U6", ""),
        ("S2", "U1", NEVER_ASSESSED),  # assessed by S1 only
    ]
    assert (REVIEW_OK, REVIEW_OVERDUE, NEVER_ASSESSED) == ("正常", "逾期未复评", "未评估")
