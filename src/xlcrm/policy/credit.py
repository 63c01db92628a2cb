"""Credit grade and limit (policy.md, Credit grade and limit; 第十三至十六条).

From each 资信评估表 row: a score out of 100 from 年销售规模, 月均销售额,
付款方式 and 付款信誉; the grade it gives; a suggested limit; the approval's
timeliness; and which approved limit is in force in a quarter (limits
approved in a quarter's assessment govern the next quarter's shipments).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd

from ..config import Policy
from ..periods import Period, stored_period

# (threshold in 万元, points), highest first; amounts arrive in fen of 万元.
ANNUAL_POINTS = ((1000, 25), (500, 21), (100, 17), (50, 13), (10, 9), (0, 5))
MONTHLY_POINTS = ((100, 15), (50, 12), (10, 9), (1, 6), (0, 3))
TERMS_POINTS = {"现款": 20, "预付款": 20, "承兑汇票": 15, "月结": 10, "赊销": 5}
GRADES = ("一级", "二级", "三级")
APPROVED, LATE, PENDING = "已批复", "批复超时", "待批复"
REVIEW_OK, REVIEW_OVERDUE, NEVER_ASSESSED = "正常", "逾期未复评", "未评估"


def _points(wan_fen: int, table: tuple[tuple[int, int], ...]) -> int:
    for threshold, points in table:
        if wan_fen >= threshold * 100:
            return points
    return table[-1][1]


def credit_score(annual_wan_fen: int, monthly_wan_fen: int, payment_terms: str | None,
                 on_time_micro: int, overdue_count: int) -> Fraction:
    """The score 0-100, exact: 付款信誉 = 40 × 按期付款率 − 5 per 逾期次数, not below 0."""
    reputation = max(Fraction(40 * int(on_time_micro), 1_000_000) - 5 * int(overdue_count), Fraction(0))
    return (
        _points(int(annual_wan_fen), ANNUAL_POINTS)
        + _points(int(monthly_wan_fen), MONTHLY_POINTS)
        + TERMS_POINTS.get(payment_terms or "", 0)
        + reputation
    )


def grade_of(score: Fraction, policy: Policy) -> str:
    if score >= policy.grade_one_min_score:
        return "一级"
    if score >= policy.grade_two_min_score:
        return "二级"
    return "三级"


def suggested_limit(monthly_wan_fen: int, credit_days: int | None, grade: str, policy: Policy) -> int:
    """月均销售额 (元) × max(账期, 30) / 30 × factor, rounded down to 1,000 元; in fen."""
    factor = {
        "一级": Fraction(policy.limit_factor_one), "二级": Fraction(policy.limit_factor_two),
        "三级": Fraction(policy.limit_factor_three),
    }[grade]
    monthly_yuan = Fraction(int(monthly_wan_fen) * 10_000, 100)
    days = max(int(credit_days) if credit_days is not None and not pd.isna(credit_days) else 0, 30)
    limit = monthly_yuan * days / 30 * factor
    step = policy.limit_rounding
    return int(limit // step) * step * 100


def approval(applied_on: object, approved_on: object, approved_limit: object,
             policy: Policy) -> tuple[str, int | None]:
    """(status, days): 已批复 within 3 days, 批复超时 after more, 待批复 with no approved limit."""
    if approved_limit is None or pd.isna(approved_limit):
        return PENDING, None
    if approved_on is None or pd.isna(approved_on) or applied_on is None or pd.isna(applied_on):
        return APPROVED, None
    days = (pd.Timestamp(approved_on) - pd.Timestamp(applied_on)).days  # type: ignore[arg-type]
    return (APPROVED if days <= policy.approval_days else LATE), days


def applied_too_early(applied_on: object, quarter: Period, policy: Policy) -> bool:
    """An application should be dated from the 21st of the quarter's last month (下旬)."""
    if applied_on is None or pd.isna(applied_on):
        return False
    earliest = dt.date(quarter.year, quarter.last_month, policy.application_earliest_day)
    return bool(pd.Timestamp(applied_on).date() < earliest)  # type: ignore[arg-type]


def assessment_quarter(period: str) -> Period:
    """An assessment belongs to the quarter of the submission that carries it."""
    return stored_period(period).containing_quarter()


def assess(assessments: pd.DataFrame, terms: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Score, grades, suggested limit and approval for each assessment row.

    assessments: the ledger's rows (subsidiary, period, customer_uscc, fields of
    资信评估表). terms: subsidiary, customer_uscc, payment_terms, credit_days from the
    customer sheet of the same subsidiary and period.
    """
    frame = assessments.merge(terms, on=["subsidiary", "period", "customer_uscc"], how="left")
    frame["quarter"] = frame["period"].map(lambda p: str(assessment_quarter(str(p))))
    frame = score(frame, policy)
    decided = [approval(a, b, c, policy) for a, b, c in zip(
        frame["applied_on"], frame["approved_on"], frame["approved_limit"])]
    frame["approval_status"] = [d[0] for d in decided]
    frame["approval_days"] = pd.array([d[1] for d in decided], dtype="Int64")
    frame["too_early"] = [
        applied_too_early(a, assessment_quarter(str(p)), policy)
        for a, p in zip(frame["applied_on"], frame["period"])
    ]
    return frame


def score(frame: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Score, computed grade, its difference from the subsidiary's own 评定资信等级 and
    the suggested limit of assessment rows that carry their 付款方式 and 账期."""
    frame = frame.copy()
    scores = [
        credit_score(a, m, t, r, o) for a, m, t, r, o in zip(
            frame["annual_sales"].fillna(0), frame["monthly_sales"].fillna(0),
            frame["payment_terms"], frame["on_time_rate"].fillna(0), frame["overdue_count"].fillna(0))
    ]
    frame["score"] = pd.Series(scores, index=frame.index, dtype=object)
    frame["computed_grade"] = [grade_of(s, policy) for s in scores]
    # A blank 评定资信等级 (the subsidiary gave none) is not a difference.
    frame["grade_differs"] = frame["grade"].notna() & (frame["computed_grade"] != frame["grade"].astype(object))
    frame["suggested_limit"] = [
        suggested_limit(m, d, g, policy) for m, d, g in zip(
            frame["monthly_sales"].fillna(0), frame["credit_days"], frame["computed_grade"])
    ]
    return frame


def latest_per_quarter(assessed: pd.DataFrame) -> pd.DataFrame:
    """One assessment per subsidiary, customer and quarter: the latest period's (a 医药
    subsidiary's quarter-end month), then the latest row."""
    order = assessed.assign(_end=assessed["period"].map(lambda p: stored_period(p).end))
    order = order.sort_values(["_end", "source_row"], kind="mergesort")
    return order.drop_duplicates(["subsidiary", "customer_uscc", "quarter"], keep="last").drop(
        columns="_end")


def limits_in_force(assessed: pd.DataFrame, quarter: Period) -> pd.DataFrame:
    """subsidiary, customer_uscc, limit (fen): the approved limit of the latest assessment of
    a quarter before `quarter` that has one; a pending application leaves the earlier one."""
    rows = latest_per_quarter(assessed)
    earlier = rows[(rows["quarter"] < str(quarter)) & rows["approved_limit"].notna()]
    latest = earlier.sort_values("quarter").drop_duplicates(["subsidiary", "customer_uscc"], keep="last")
    return pd.DataFrame({
        "subsidiary": latest["subsidiary"].astype(str),
        "customer_uscc": latest["customer_uscc"].astype(str),
        "limit": latest["approved_limit"].astype("int64"),
    }).reset_index(drop=True)


def review_status(current: pd.DataFrame, assessed: pd.DataFrame, sold: set[tuple[str, str]],
                  end: dt.date, policy: Policy) -> pd.DataFrame:
    """For each customer of a subsidiary's current sheet: 正常, 逾期未复评 (latest 申请日期 more
    than 183 days before E) or 未评估 (sales in W, never assessed); none otherwise."""
    latest = assessed.sort_values("applied_on", na_position="first").drop_duplicates(
        ["subsidiary", "customer_uscc"], keep="last").set_index(["subsidiary", "customer_uscc"])["applied_on"]
    status = []
    for sub, uscc in zip(current["subsidiary"], current["uscc"]):
        applied = latest.get((sub, uscc))
        if applied is None or pd.isna(applied):
            status.append(NEVER_ASSESSED if (sub, uscc) in sold else None)
        elif (pd.Timestamp(end) - pd.Timestamp(applied)).days > policy.reassessment_days:
            status.append(REVIEW_OVERDUE)
        else:
            status.append(REVIEW_OK)
    return pd.DataFrame({"subsidiary": current["subsidiary"].astype(str),
                         "customer_uscc": current["uscc"].astype(str), "review": status})
