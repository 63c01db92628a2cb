"""A/B/C classification by customer value (policy.md; 第十二条).

One function serves the group class (all customers of the group) and the
subsidiary class (one subsidiary's customers): customers with value v > 0
sorted by v descending, ties by USCC; customer i is A while the cumulative
share before it is below the A cut-off, then B below the B cut-off, else C.
Customers with v <= 0 or no sales are C, ranked after, with no share.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

UPGRADE, DOWNGRADE = "升级", "降级"
_ORDER = {"A": 0, "B": 1, "C": 2}


def classify(
    values: pd.DataFrame, listed: Iterable[str] = (), *, cut_a: str = "0.80",
    cut_b: str = "0.95", method: str = "value", shares: bool = True,
) -> pd.DataFrame:
    """values: customer_uscc, value (fen). listed: USCCs to classify even without sales.

    Returns rank, customer_uscc, value, share_before, cumulative_share (Fractions, None
    for v <= 0; left out with shares=False) and customer_class, in rank order.
    """
    frame = values[["customer_uscc", "value"]].copy()
    frame["customer_uscc"] = frame["customer_uscc"].astype(str)
    extra = sorted(set(listed) - set(frame["customer_uscc"]))
    if extra:
        frame = pd.concat([frame, pd.DataFrame({"customer_uscc": extra, "value": 0})])
    frame["value"] = frame["value"].fillna(0).astype("int64")
    positive = frame[frame["value"] > 0].sort_values(
        ["value", "customer_uscc"], ascending=[False, True])
    rest = frame[frame["value"] <= 0].sort_values(
        ["value", "customer_uscc"], ascending=[False, True])
    a, b = Fraction(Decimal(cut_a)), Fraction(Decimal(cut_b))
    n = len(positive)
    amounts = positive["value"].to_numpy(dtype=np.int64)
    if method == "count":
        numerators, total = np.arange(n, dtype=np.int64), n
        after_numerators = numerators + 1
    else:
        after_numerators = np.cumsum(amounts)
        numerators, total = after_numerators - amounts, int(after_numerators[-1]) if n else 0
    labels = _labels(numerators, total, a, b)
    ranked = pd.concat([positive, rest], ignore_index=True)
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    if shares:
        before = [Fraction(int(x), total) for x in numerators.tolist()]
        after = [Fraction(int(x), total) for x in after_numerators.tolist()]
        ranked["share_before"] = pd.Series(before + [None] * len(rest), dtype=object)
        ranked["cumulative_share"] = pd.Series(after + [None] * len(rest), dtype=object)
    ranked["customer_class"] = [*labels, *(["C"] * len(rest))]
    return ranked


def _labels(before: np.ndarray, total: int | np.ndarray, a: Fraction, b: Fraction) -> list[str]:
    """A while the share before the customer (before / total) is below a, B below b, else
    C; compared exactly, as integers: before × den < num × total."""
    if not len(before):
        return []
    totals = np.broadcast_to(np.asarray(total, dtype=np.int64), before.shape)
    limit = 2**62
    if int(before.max()) * max(a.denominator, b.denominator) < limit and \
            int(totals.max()) * max(a.numerator, b.numerator, 1) < limit:
        under_a = before * a.denominator < a.numerator * totals
        under_b = before * b.denominator < b.numerator * totals
        return np.where(under_a, "A", np.where(under_b, "B", "C")).tolist()
    shares = [Fraction(int(x), int(t)) for x, t in zip(before.tolist(), totals.tolist(), strict=True)]
    return ["A" if s < a else "B" if s < b else "C" for s in shares]


def classify_each(values: pd.DataFrame, listed: pd.DataFrame, *, cut_a: str = "0.80",
                  cut_b: str = "0.95", method: str = "value") -> pd.DataFrame:
    """classify() within each scope at once (each subsidiary's own classes). values: scope,
    customer_uscc, value (fen); listed: scope, customer_uscc to classify even without sales.

    Returns scope, rank, customer_uscc, value, customer_class, by scope in rank order."""
    keys = ["scope", "customer_uscc"]
    frame = values[[*keys, "value"]].astype({"scope": str, "customer_uscc": str})
    extra = listed[keys].astype(str).drop_duplicates()
    extra = extra[~pd.MultiIndex.from_frame(extra).isin(pd.MultiIndex.from_frame(frame[keys]))]
    frame = pd.concat([frame, extra.assign(value=0)], ignore_index=True)
    frame["value"] = frame["value"].fillna(0).astype("int64")
    frame["_positive"] = frame["value"] > 0
    frame = frame.sort_values(["scope", "_positive", "value", "customer_uscc"],
                              ascending=[True, False, False, True], kind="mergesort").reset_index(drop=True)
    frame.insert(1, "rank", frame.groupby("scope").cumcount() + 1)
    positive = frame["_positive"].to_numpy()
    amounts = np.where(positive, frame["value"].to_numpy(dtype=np.int64), 0)
    by_scope = frame.groupby("scope", sort=False)
    if method == "count":
        before = by_scope["_positive"].cumsum().to_numpy(dtype=np.int64) - 1
        total = by_scope["_positive"].transform("sum").to_numpy(dtype=np.int64)
    else:
        after = pd.Series(amounts).groupby(frame["scope"], sort=False).cumsum().to_numpy(dtype=np.int64)
        before = after - amounts
        total = pd.Series(amounts).groupby(frame["scope"], sort=False).transform("sum").to_numpy(dtype=np.int64)
    labels = np.array(_labels(before[positive], total[positive], Fraction(Decimal(cut_a)),
                              Fraction(Decimal(cut_b))), dtype=object)
    classes = np.full(len(frame), "C", dtype=object)
    classes[positive] = labels
    frame["customer_class"] = classes
    return frame.drop(columns="_positive")


def class_change(previous: object, current: str) -> str:
    """升级 / 降级 / "" against the previous class (none when there is none)."""
    if not isinstance(previous, str) or previous not in _ORDER:
        return ""
    if _ORDER[current] < _ORDER[previous]:
        return UPGRADE
    if _ORDER[current] > _ORDER[previous]:
        return DOWNGRADE
    return ""


def previous_class_month(run_month: str, quarter_end: bool, months_with_classes: list[str]) -> str | None:
    """The run whose classes count as previous: the latest earlier quarter-end run in a
    quarter-end run, else the latest earlier run."""
    earlier = [m for m in months_with_classes if m < run_month]
    if quarter_end:
        earlier = [m for m in earlier if int(m[5:7]) % 3 == 0]
    return max(earlier) if earlier else None
