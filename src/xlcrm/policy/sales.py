"""Sales figures (policy.md, Sales figures; 第四条(四)).

Net sales = 发货 − 退货 dated in a window; collections = 回款 in the window.
Amounts are integer fen; rates are exact Fractions, rounded only for display.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction

import pandas as pd

from ..periods import Period

FIGURES = ("shipped", "returned", "net_sales", "collected")


def in_window(tx: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    dates = tx["date"]
    return tx[(dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))]


def trailing_twelve_months(end_month: Period) -> tuple[dt.date, dt.date]:
    """T: the twelve months ending at E."""
    first = end_month.shift_months(-11)
    return first.start, end_month.end


def sales_figures(tx: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """发货, 退货, net and 回款 in fen per group of `by` (tx already cut to a window)."""
    amounts = tx["amount"].astype("Int64")
    frame = pd.DataFrame({
        **{k: tx[k] for k in by},
        "shipped": amounts.where(tx["type"] == "发货", 0),
        "returned": amounts.where(tx["type"] == "退货", 0),
        "collected": amounts.where(tx["type"] == "回款", 0),
    })
    grouped = frame.groupby(list(by), dropna=False, sort=True)[
        ["shipped", "returned", "collected"]].sum()
    grouped["net_sales"] = grouped["shipped"] - grouped["returned"]
    return grouped[list(FIGURES)].astype("Int64").reset_index()


def collection_rate(collected: int, net_sales: int) -> Fraction | None:
    """回款 / net sales; none when net sales <= 0."""
    if pd.isna(net_sales) or net_sales <= 0:
        return None
    return Fraction(int(collected), int(net_sales))


def rates(collected: pd.Series, net_sales: pd.Series) -> pd.Series:
    return pd.Series(
        [collection_rate(c, n) for c, n in zip(collected, net_sales)],
        index=collected.index, dtype=object,
    )
