"""Receivables (policy.md, Receivables and limit breaches; 第十五、十六条).

Per subsidiary and customer, balances are carried from the first period the
ledger knows: the opening balance is the previous period's closing balance,
and only without one the sheet's 期初应收余额 (blank = 0). So the closing
balance at E is the first sheet's opening balance plus every movement up to
E: + 发货, − 退货, − 回款.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

SIGN = {"发货": 1, "退货": -1, "回款": -1}


def first_openings(customer_sheets: pd.DataFrame) -> pd.DataFrame:
    """subsidiary, customer_uscc, opening (fen) from each pair's earliest customer sheet."""
    sheets = customer_sheets.dropna(subset=["uscc"]).copy()
    sheets["_order"] = sheets["period_end"]
    first = sheets.sort_values(["_order", "source_row"]).drop_duplicates(["subsidiary", "uscc"])
    return pd.DataFrame({
        "subsidiary": first["subsidiary"].astype(str),
        "customer_uscc": first["uscc"].astype(str),
        "opening": first["opening_balance"].fillna(0).astype("int64"),
        "first_period_end": first["period_end"],
    })


def ordered_movements(tx: pd.DataFrame) -> pd.DataFrame:
    """Transactions in balance order: by date; on one date 回款 and 退货 before 发货; then
    the order of the sheet (file, row)."""
    frame = tx.copy()
    frame["_same_day"] = (frame["type"] == "发货").astype(int)
    frame = frame.sort_values(
        ["subsidiary", "customer_uscc", "date", "_same_day", "source_file", "source_row"],
        kind="mergesort",
    )
    frame["movement"] = frame["amount"].astype("int64") * frame["type"].map(SIGN).astype("int64")
    return frame.drop(columns="_same_day")


def closing_balances(openings: pd.DataFrame, tx: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """subsidiary, customer_uscc, closing (fen) at `end`: opening + movements to `end`."""
    upto = tx[tx["date"] <= pd.Timestamp(end)]
    moved = ordered_movements(upto).groupby(["subsidiary", "customer_uscc"])["movement"].sum()
    base = openings.set_index(["subsidiary", "customer_uscc"])["opening"]
    closing = base.add(moved, fill_value=0).astype("int64").rename("closing").reset_index()
    return closing
