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
import pyarrow as pa
import pyarrow.compute as pc

SIGN = {"发货": 1, "退货": -1, "回款": -1}


def _arrow(values: pd.Series) -> pa.Array:
    """A text column as one Arrow array (large_string, so that any two can be joined)."""
    if (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow") or values.dtype == "str":
        array = pa.array(values.array)
    else:
        array = pa.array(values.astype(str).to_numpy(dtype=object), pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _sorted_codes(array: pa.Array) -> tuple[np.ndarray, list[str]]:
    """Each value's rank among the distinct values (sorted), and those values. Arrow's
    hashing: pandas' factorize of a million texts costs ten times as much."""
    encoded = pc.dictionary_encode(array)
    distinct = encoded.dictionary.to_pylist()
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[np.argsort(np.array(distinct, dtype=object), kind="stable")] = np.arange(len(distinct))
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return rank[codes], sorted(distinct)


def _accounts(frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Each row's account (subsidiary, customer) as a code, and the accounts as texts."""
    joined = pc.binary_join_element_wise(_arrow(frame["subsidiary"]), _arrow(frame["customer_uscc"]),
                                         pa.scalar("\x1f", pa.large_string()))
    return _sorted_codes(joined)


def _per_account(accounts: list[str], table: pd.DataFrame, column: str) -> np.ndarray:
    """A table's column (per subsidiary and customer) for each account; NaN where none."""
    if table.empty:
        return np.full(len(accounts), np.nan)
    codes, names = _accounts(table)
    found = pd.Series(table[column].astype("float64").to_numpy(), index=np.array(names, dtype=object)[codes])
    return pd.Series(accounts, dtype=object).map(found[~found.index.duplicated()]).to_numpy(dtype=np.float64)


def _balance_order(tx: pd.DataFrame, account: np.ndarray) -> np.ndarray:
    """Row positions in balance order: by account; by date; on one date 回款 and 退货 before
    发货; then the order of the sheet (file, row). Sorted on integer codes: a string sort
    of a million rows costs seconds."""
    file_code, _ = _sorted_codes(_arrow(tx["source_file"]))
    day = tx["date"].to_numpy(dtype="datetime64[s]").astype(np.int64)
    shipment = _is_shipment(tx).astype(np.int8)
    row = tx["source_row"].to_numpy(dtype=np.int64, na_value=0)
    return np.lexsort((row, file_code, shipment, day, account))


def detail_order(tx: pd.DataFrame) -> np.ndarray:
    """Row positions of the 销售明细 order: by subsidiary, date, file and row."""
    subsidiary, _ = _sorted_codes(_arrow(tx["subsidiary"]))
    file_code, _ = _sorted_codes(_arrow(tx["source_file"]))
    day = tx["date"].to_numpy(dtype="datetime64[s]").astype(np.int64)
    row = tx["source_row"].to_numpy(dtype=np.int64, na_value=0)
    return np.lexsort((row, file_code, day, subsidiary))


def _is_shipment(tx: pd.DataFrame) -> np.ndarray:
    return pc.equal(_arrow(tx["type"]), "发货").to_numpy(zero_copy_only=False).astype(bool)


def _movements(tx: pd.DataFrame) -> np.ndarray:
    sign = np.where(_is_shipment(tx), 1, -1)
    return tx["amount"].to_numpy(dtype=np.int64, na_value=0) * sign


def ordered_movements(tx: pd.DataFrame) -> pd.DataFrame:
    """Transactions in balance order, each with its movement (+ 发货, − 退货, − 回款)."""
    order = _balance_order(tx, _accounts(tx)[0])
    return tx.iloc[order].assign(movement=_movements(tx)[order])


OVER_LIMIT, NO_LIMIT = "超限", "无额度"
OVER_LIMIT_SHIPMENT, NO_LIMIT_SHIPMENT = "超限发货", "无额度发货"


def _balances(openings: pd.DataFrame, tx: pd.DataFrame
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(row positions in balance order, their movements, the balance after each (fen), the
    account code of each, and the accounts). openings: subsidiary, customer_uscc, opening
    (the balance before the first of `tx`)."""
    account, names = _accounts(tx)
    order = _balance_order(tx, account)
    moved = _movements(tx)[order]
    accounts = account[order]
    total = np.cumsum(moved)
    # Each account's running sum: the running total less the total before its first row.
    first = np.r_[True, accounts[1:] != accounts[:-1]] if len(accounts) else np.zeros(0, dtype=bool)
    before = np.maximum.accumulate(np.where(first, np.arange(len(total)), 0)) if len(total) else total
    start = total[before] - moved[before]
    carried = np.nan_to_num(_per_account(names, openings, "opening")).astype(np.int64)[accounts]
    return order, moved, total - start + carried, accounts, names


def running_balances(openings: pd.DataFrame, tx: pd.DataFrame) -> pd.DataFrame:
    """Every transaction with the balance after it (fen), in balance order."""
    order, moved, balance, _, _ = _balances(openings, tx)
    return tx.iloc[order].assign(movement=moved, balance=balance)


def limit_shipments(openings: pd.DataFrame, tx: pd.DataFrame, limits: pd.DataFrame, start: dt.date,
                    end: dt.date) -> pd.DataFrame:
    """发货 in [start, end] after which the balance exceeds the limit in force (超限发货),
    or is owed with no limit in force (无额度发货), in balance order, each with its balance
    and limit. `limits`: subsidiary, customer_uscc, limit."""
    order, _, balance, accounts, names = _balances(openings, tx)
    limit = _per_account(names, limits, "limit")[accounts]
    dates = tx["date"].to_numpy(dtype="datetime64[s]")[order]
    shipped = _is_shipment(tx)[order] & (dates >= np.datetime64(start)) & (dates <= np.datetime64(end))
    has_limit = ~np.isnan(limit)
    over = has_limit & (balance > np.nan_to_num(limit))
    keep = shipped & (over | (~has_limit & (balance > 0)))
    # One take of the rows kept, already in balance order.
    flagged = tx.iloc[order[keep]].assign(
        balance=balance[keep],
        limit=pd.array(np.where(has_limit[keep], limit[keep], np.nan), dtype="Int64"),
        kind=np.where(has_limit[keep], OVER_LIMIT_SHIPMENT, NO_LIMIT_SHIPMENT))
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
    merged = merged.assign(closing=merged["closing"].fillna(0).astype("int64"),
                           limit=merged["limit"].astype("Int64").fillna(0).astype("int64"))
    sums = merged.groupby("customer_uscc")[["closing", "limit"]].sum()
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
