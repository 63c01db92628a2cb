"""Receivables (policy.md, Receivables and limit breaches; 第十五、十六条).

Per subsidiary and customer, the balance after each transaction of the window
(+ 发货, − 退货, − 回款, in date order), the shipments that break the limit in
force, the closing balances above it and the group's exposure. The balances
carried from one period to the next are policy/carry.py's.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

SIGN = {"发货": 1, "退货": -1, "回款": -1}


def ordered_movements(tx: pd.DataFrame) -> pd.DataFrame:
    """Transactions in balance order: by date; on one date 回款 and 退货 before 发货; then
    the order of the sheet (file, row)."""
    # Sorted on integer codes: a string sort of a million rows costs seconds.
    pair = pd.MultiIndex.from_arrays([tx["subsidiary"].astype(str), tx["customer_uscc"].astype(str)])
    pair_code = pd.factorize(pair, sort=True)[0]
    file_code = pd.factorize(tx["source_file"].astype(str), sort=True)[0]
    day = tx["date"].to_numpy(dtype="datetime64[s]").astype(np.int64)
    shipment = (tx["type"] == "发货").to_numpy(dtype=bool).astype(np.int8)
    row = tx["source_row"].to_numpy(dtype=np.int64, na_value=0)
    order = np.lexsort((row, file_code, shipment, day, pair_code))
    frame = tx.iloc[order].copy()
    sign = frame["type"].map(SIGN).to_numpy(dtype=np.int64)
    frame["movement"] = frame["amount"].to_numpy(dtype=np.int64, na_value=0) * sign
    return frame


OVER_LIMIT, NO_LIMIT = "超限", "无额度"
OVER_LIMIT_SHIPMENT, NO_LIMIT_SHIPMENT = "超限发货", "无额度发货"


def running_balances(openings: pd.DataFrame, tx: pd.DataFrame) -> pd.DataFrame:
    """Every transaction with the balance after it (fen), in balance order. openings:
    subsidiary, customer_uscc, opening (the balance before the first of `tx`)."""
    moves = ordered_movements(tx)
    keys = ["subsidiary", "customer_uscc"]
    start = moves[keys].astype(str).merge(
        openings[[*keys, "opening"]].astype({"subsidiary": str, "customer_uscc": str}),
        on=keys, how="left")["opening"]
    moves["balance"] = moves.groupby(keys)["movement"].cumsum().to_numpy() + start.fillna(0).astype(
        "int64").to_numpy()
    return moves


def limit_shipments(balances: pd.DataFrame, limits: pd.DataFrame, start: dt.date,
                    end: dt.date) -> pd.DataFrame:
    """发货 in [start, end] after which the balance exceeds the limit in force (超限发货),
    or is owed with no limit in force (无额度发货). `limits`: subsidiary, customer_uscc, limit."""
    shipped = balances[(balances["type"] == "发货") & (balances["date"] >= pd.Timestamp(start))
                       & (balances["date"] <= pd.Timestamp(end))]
    shipped = shipped.merge(limits, on=["subsidiary", "customer_uscc"], how="left")
    has_limit = shipped["limit"].notna()
    over = has_limit & (shipped["balance"] > shipped["limit"].fillna(0))
    unlimited = ~has_limit & (shipped["balance"] > 0)
    flagged = shipped[over | unlimited].copy()
    flagged["kind"] = [OVER_LIMIT_SHIPMENT if h else NO_LIMIT_SHIPMENT
                       for h in flagged["limit"].notna()]
    return flagged.reset_index(drop=True)


def limit_warnings(closing: pd.DataFrame, limits: pd.DataFrame) -> pd.DataFrame:
    """Closing balances above the limit in force (超限) or owed with none (无额度)."""
    frame = closing.merge(limits, on=["subsidiary", "customer_uscc"], how="left")
    has_limit = frame["limit"].notna()
    over = has_limit & (frame["closing"] > frame["limit"].fillna(0))
    unlimited = ~has_limit & (frame["closing"] > 0)
    frame = frame[over | unlimited].copy()
    frame["kind"] = [OVER_LIMIT if h else NO_LIMIT for h in frame["limit"].notna()]
    frame["excess"] = (frame["closing"] - frame["limit"].fillna(0)).astype("int64")
    return frame.reset_index(drop=True)


def group_exposure(closing: pd.DataFrame, limits: pd.DataFrame, served: pd.DataFrame,
                   own_grades: pd.DataFrame) -> pd.DataFrame:
    """Customers served by two or more subsidiaries: balances and limits summed (a missing
    limit counts 0) and whether the subsidiaries' own 评定资信等级 differ.

    served: subsidiary, customer_uscc pairs; own_grades: subsidiary, customer_uscc, grade."""
    pairs = pd.concat([served[["subsidiary", "customer_uscc"]],
                       closing.loc[closing["closing"] != 0, ["subsidiary", "customer_uscc"]]]
                      ).drop_duplicates()
    counts = pairs.groupby("customer_uscc")["subsidiary"].nunique()
    shared = counts[counts >= 2]
    if shared.empty:
        return pd.DataFrame(columns=["customer_uscc", "subsidiaries", "closing", "limit",
                                     "grades_differ"])
    keys = pairs[pairs["customer_uscc"].isin(shared.index)]
    merged = keys.merge(closing, on=["subsidiary", "customer_uscc"], how="left").merge(
        limits, on=["subsidiary", "customer_uscc"], how="left")
    sums = merged.groupby("customer_uscc").agg(
        closing=("closing", lambda s: int(s.fillna(0).sum())),
        limit=("limit", lambda s: int(s.fillna(0).sum())),
    )
    grades = own_grades[own_grades["customer_uscc"].isin(shared.index)]
    differ = grades.groupby("customer_uscc")["grade"].nunique() > 1
    frame = sums.assign(subsidiaries=shared, grades_differ=differ.reindex(sums.index, fill_value=False))
    return frame.reset_index().sort_values(["closing", "customer_uscc"], ascending=[False, True]).reset_index(
        drop=True)


def opening_differences(stated: pd.DataFrame, carried: pd.DataFrame,
                        tolerance_fen: int = 1) -> pd.DataFrame:
    """This run's 期初应收余额 against the closing balance the ledger carries from the
    account's previous period, where both exist and differ by more than the tolerance.

    stated: this run's customer sheets (subsidiary, period, uscc, opening_balance); a blank
    opening balance is not compared. carried: subsidiary, period (the sheet's),
    customer_uscc, carried: the accounts that have a previous period."""
    keys = ["subsidiary", "period", "customer_uscc"]
    given = stated.dropna(subset=["uscc", "opening_balance"]).rename(columns={"uscc": "customer_uscc"})
    given = given.astype({"subsidiary": str, "period": str, "customer_uscc": str})
    both = given[[*keys, "opening_balance"]].merge(
        carried[[*keys, "carried"]].astype({"subsidiary": str, "period": str, "customer_uscc": str}),
        on=keys)
    both["stated"] = both["opening_balance"].astype("int64")
    both["carried"] = both["carried"].astype("int64")
    both["difference"] = both["stated"] - both["carried"]
    differ = both[both["difference"].abs() > tolerance_fen].sort_values(
        ["subsidiary", "customer_uscc"], kind="mergesort")
    return differ[["subsidiary", "customer_uscc", "carried", "stated", "difference"]].reset_index(drop=True)
