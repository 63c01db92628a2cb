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
    sheets = customer_sheets.dropna(subset=["uscc"])
    first = sheets.sort_values(["period_end", "source_row"]).drop_duplicates(["subsidiary", "uscc"])
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


OVER_LIMIT, NO_LIMIT = "超限", "无额度"
OVER_LIMIT_SHIPMENT, NO_LIMIT_SHIPMENT = "超限发货", "无额度发货"


def running_balances(openings: pd.DataFrame, tx: pd.DataFrame) -> pd.DataFrame:
    """Every transaction with the balance after it (fen), in balance order."""
    moves = ordered_movements(tx)
    keys = ["subsidiary", "customer_uscc"]
    start = moves[keys].merge(openings[[*keys, "opening"]], on=keys, how="left")["opening"]
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


def opening_differences(openings: pd.DataFrame, tx: pd.DataFrame, sheets: pd.DataFrame,
                        tolerance_fen: int = 1) -> pd.DataFrame:
    """This run's 期初应收余额 against the closing balance the ledger carries from the
    pair's previous period, where both exist and differ by more than the tolerance.

    sheets: this run's customer sheets (subsidiary, uscc, period_start, period_end,
    opening_balance); a blank opening balance is not compared."""
    given = sheets.dropna(subset=["uscc", "opening_balance"])
    rows = []
    for (subsidiary, uscc), group in given.groupby(["subsidiary", "uscc"]):
        known = openings[(openings["subsidiary"] == subsidiary) & (openings["customer_uscc"] == uscc)]
        for start, end, stated in zip(group["period_start"], group["period_end"], group["opening_balance"]):
            if known.empty or not known["first_period_end"].iloc[0] < end:
                continue  # no previous period for this pair: the sheet's value is the opening
            before = pd.Timestamp(start) - pd.Timedelta(days=1)
            carried = closing_balances(known, tx[(tx["subsidiary"] == subsidiary)
                                                & (tx["customer_uscc"] == uscc)], before.date())
            previous = int(carried["closing"].iloc[0]) if len(carried) else 0
            if abs(previous - int(stated)) > tolerance_fen:
                rows.append({"subsidiary": subsidiary, "customer_uscc": uscc, "carried": previous,
                             "stated": int(stated), "difference": int(stated) - previous})
    return pd.DataFrame(rows, columns=["subsidiary", "customer_uscc", "carried", "stated", "difference"])
