"""Credit grade and limit (policy.md, Credit grade and limit; 第十三至十六条).

From each 资信评估表 row: a score out of 100 from 年销售规模, 月均销售额,
付款方式 and 付款信誉; the grade it gives; a suggested limit; the approval's
timeliness; and which approved limit is in force in a quarter (limits
approved in a quarter's assessment govern the next quarter's shipments).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
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


MICRO = 1_000_000  # scores are held in millionths of a point: exact, and whole numbers


def _points(wan_fen: np.ndarray, table: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Points by the highest threshold reached (amounts in fen of 万元)."""
    return np.select([wan_fen >= threshold * 100 for threshold, _ in table],
                     [points for _, points in table], default=table[-1][1])


def score_micro(annual_wan_fen: np.ndarray, monthly_wan_fen: np.ndarray, payment_terms: np.ndarray,
                on_time_micro: np.ndarray, overdue_count: np.ndarray) -> np.ndarray:
    """Scores 0-100 in millionths: 付款信誉 = 40 × 按期付款率 − 5 per 逾期次数, not below 0."""
    reputation = np.maximum(40 * on_time_micro.astype(np.int64) - 5 * MICRO * overdue_count.astype(np.int64), 0)
    terms = np.array([TERMS_POINTS.get(t, 0) if isinstance(t, str) else 0 for t in payment_terms],
                     dtype=np.int64)
    points = _points(annual_wan_fen.astype(np.int64), ANNUAL_POINTS) \
        + _points(monthly_wan_fen.astype(np.int64), MONTHLY_POINTS) + terms
    return points.astype(np.int64) * MICRO + reputation


def credit_score(annual_wan_fen: int, monthly_wan_fen: int, payment_terms: str | None,
                 on_time_micro: int, overdue_count: int) -> Fraction:
    """The score 0-100, exact."""
    micro = score_micro(np.array([annual_wan_fen]), np.array([monthly_wan_fen]),
                        np.array([payment_terms], dtype=object), np.array([on_time_micro]),
                        np.array([overdue_count]))
    return Fraction(int(micro[0]), MICRO)


def grades(score: np.ndarray, policy: Policy) -> np.ndarray:
    """一级 from grade_one_min_score, 二级 from grade_two_min_score, else 三级 (scores in
    millionths)."""
    return np.where(score >= policy.grade_one_min_score * MICRO, "一级",
                    np.where(score >= policy.grade_two_min_score * MICRO, "二级", "三级"))


def grade_of(score: Fraction, policy: Policy) -> str:
    if score >= policy.grade_one_min_score:
        return "一级"
    if score >= policy.grade_two_min_score:
        return "二级"
    return "三级"


def suggested_limits(monthly_wan_fen: np.ndarray, credit_days: np.ndarray, grade: np.ndarray,
                     policy: Policy) -> np.ndarray:
    """月均销售额 (元) × max(账期, 30) / 30 × factor, rounded down to 1,000 元; in fen.
    credit_days: 0 where none."""
    factors = {"一级": Fraction(policy.limit_factor_one), "二级": Fraction(policy.limit_factor_two),
               "三级": Fraction(policy.limit_factor_three)}
    numerator = np.array([factors[g].numerator for g in grade], dtype=np.int64)
    denominator = np.array([factors[g].denominator for g in grade], dtype=np.int64)
    monthly_yuan = monthly_wan_fen.astype(np.int64) * 100  # fen of 万元 × 10,000 / 100
    days = np.maximum(credit_days.astype(np.int64), 30)
    step = policy.limit_rounding
    top = monthly_yuan * days * numerator
    if len(top) and np.abs(top).max() >= 2**62 // max(1, int(denominator.max())):
        return np.array([int(Fraction(int(t), 30 * int(d)) // step) * step * 100
                         for t, d in zip(top.tolist(), denominator.tolist())], dtype=object)
    return np.floor_divide(top, 30 * denominator * step) * step * 100


def suggested_limit(monthly_wan_fen: int, credit_days: int | None, grade: str, policy: Policy) -> int:
    days = int(credit_days) if credit_days is not None and not pd.isna(credit_days) else 0
    return int(suggested_limits(np.array([monthly_wan_fen]), np.array([days]),
                                np.array([grade], dtype=object), policy)[0])


def approvals(applied_on: pd.Series, approved_on: pd.Series, approved_limit: pd.Series,
              policy: Policy) -> tuple[np.ndarray, pd.array]:
    """(status, days): 已批复 within 3 days, 批复超时 after more, 待批复 with no approved limit."""
    applied = pd.to_datetime(applied_on)
    approved = pd.to_datetime(approved_on)
    days = (approved - applied).dt.days
    pending = approved_limit.isna().to_numpy(dtype=bool)
    late = (days > policy.approval_days).fillna(False).to_numpy(dtype=bool)
    status = np.where(pending, PENDING, np.where(late, LATE, APPROVED))
    shown = pd.array(days.where(~pending).tolist(), dtype="Int64")
    return status, shown


def approval(applied_on: object, approved_on: object, approved_limit: object,
             policy: Policy) -> tuple[str, int | None]:
    status, days = approvals(pd.Series([applied_on]), pd.Series([approved_on]),
                             pd.Series([approved_limit], dtype=object), policy)
    return str(status[0]), None if pd.isna(days[0]) else int(days[0])


def applied_too_early(applied_on: object, quarter: Period, policy: Policy) -> bool:
    """An application should be dated from the 21st of the quarter's last month (下旬)."""
    if applied_on is None or pd.isna(applied_on):
        return False
    return bool(pd.Timestamp(applied_on) < pd.Timestamp(_earliest(quarter, policy)))  # type: ignore[arg-type]


def _earliest(quarter: Period, policy: Policy) -> dt.date:
    return dt.date(quarter.year, quarter.last_month, policy.application_earliest_day)


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
    frame["quarter"] = frame["period"].map({p: str(assessment_quarter(str(p))) for p in set(frame["period"])})
    frame = score(frame, policy)
    frame["approval_status"], frame["approval_days"] = approvals(
        frame["applied_on"], frame["approved_on"], frame["approved_limit"], policy)
    earliest = {p: pd.Timestamp(_earliest(assessment_quarter(str(p)), policy)) for p in set(frame["period"])}
    applied = pd.to_datetime(frame["applied_on"])
    frame["too_early"] = (applied < frame["period"].map(earliest)).fillna(False).astype(bool)
    return frame


def score(frame: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Score, computed grade, its difference from the subsidiary's own 评定资信等级 and
    the suggested limit of assessment rows that carry their 付款方式 and 账期."""
    frame = frame.copy()

    def ints(column: str) -> np.ndarray:
        return frame[column].astype("Int64").fillna(0).to_numpy(dtype=np.int64)

    micro = score_micro(ints("annual_sales"), ints("monthly_sales"),
                        frame["payment_terms"].astype(object).to_numpy(), ints("on_time_rate"),
                        ints("overdue_count"))
    frame["score"] = pd.Series([Fraction(int(m), MICRO) for m in micro.tolist()], index=frame.index,
                               dtype=object)
    frame["computed_grade"] = grades(micro, policy)
    # A blank 评定资信等级 (the subsidiary gave none) is not a difference.
    frame["grade_differs"] = frame["grade"].notna() & (frame["computed_grade"] != frame["grade"].astype(object))
    frame["suggested_limit"] = suggested_limits(ints("monthly_sales"), ints("credit_days"),
                                                frame["computed_grade"].to_numpy(), policy)
    return frame


def latest_per_quarter(assessed: pd.DataFrame) -> pd.DataFrame:
    """One assessment per subsidiary, customer and quarter: the latest period's (a 医药
    subsidiary's quarter-end month), then the latest row."""
    order = assessed.assign(_end=assessed["period"].map({p: stored_period(p).end for p in set(assessed["period"])}))
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
    dated = assessed.dropna(subset=["applied_on"])
    latest = dated.groupby([dated["subsidiary"].astype(str), dated["customer_uscc"].astype(str)])[
        "applied_on"].max()
    index = pd.MultiIndex.from_arrays([current["subsidiary"].astype(str), current["uscc"].astype(str)])
    applied = pd.to_datetime(pd.Series(latest.reindex(index).to_numpy()))
    overdue = ((pd.Timestamp(end) - applied).dt.days > policy.reassessment_days).to_numpy(dtype=bool)
    never = applied.isna().to_numpy(dtype=bool)
    has_sales = np.array([key in sold for key in index], dtype=bool)
    status = np.full(len(index), None, dtype=object)
    status[never & has_sales] = NEVER_ASSESSED
    status[~never] = np.where(overdue[~never], REVIEW_OVERDUE, REVIEW_OK)
    return pd.DataFrame({"subsidiary": current["subsidiary"].astype(str),
                         "customer_uscc": current["uscc"].astype(str), "review": status})
