"""What each customer account carries from one period to the next (policy.md: Receivables
and limit breaches, Credit grade and limit, Visits; 第十五、十六、十七条).

A subsidiary's account with a customer carries, at the end of each of the subsidiary's
periods:

- the receivable balance: the previous period's closing balance (without one, the
  sheet's 期初应收余额, blank = 0), + 发货 − 退货 − 回款 of the period;
- the latest visit;
- the latest assessment (the latest period's, then its latest row), with the 付款方式
  and 账期 of the same period's customer sheet, and the approved limit of the latest
  earlier quarter whose assessment approved one: so the limit in force in a quarter Q,
  read from the state before Q, is the latest assessment's approved limit, else that
  earlier one (a pending application leaves the earlier limit in force);
- the latest 申请日期.

So a run reads the states of the period before its window instead of every period
before it, and its cost follows the month it runs, not the ledger's history.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..periods import Period

KEYS = ["subsidiary", "customer_uscc"]
ASSESSED = ("annual_sales", "monthly_sales", "on_time_rate", "overdue_count", "grade",
            "approved_limit")
TERMS = ("payment_terms", "credit_days")
COLUMNS = ["subsidiary", "customer_uscc", "closing", "last_visit", "applied_on",
           "assessed_quarter", *ASSESSED, *TERMS, "limit_before"]


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


def carry(previous: pd.DataFrame, quarters: dict[str, str], sheets: pd.DataFrame,
          movements: pd.DataFrame, visits: pd.DataFrame, assessments: pd.DataFrame) -> pd.DataFrame:
    """The states at the end of one period of each subsidiary in `quarters`.

    previous: the states at the end of each one's previous period (COLUMNS).
    quarters: subsidiary -> the quarter of the period (2026Q1), whose assessments these are.
    sheets: the period's customer sheets (subsidiary, uscc, opening_balance, payment_terms,
    credit_days), in sheet order. movements: subsidiary, customer_uscc, movement (fen:
    + 发货 − 退货 − 回款). visits: subsidiary, customer_uscc, date. assessments: subsidiary,
    customer_uscc, source_row, applied_on and the assessed fields.
    """
    listed = sheets.dropna(subset=["uscc"]).rename(columns={"uscc": "customer_uscc"})
    keys = pd.concat([previous[KEYS], listed[KEYS], movements[KEYS], visits[KEYS],
                      assessments[KEYS]], ignore_index=True).dropna().drop_duplicates()
    keys = keys.astype(str)
    frame = keys.merge(_str_keys(previous), on=KEYS, how="left", indicator="_known")
    known = (frame["_known"] == "both").to_numpy()
    frame = frame.drop(columns="_known")

    # The balance: carried, else the sheet's opening (the first row of the pair).
    stated = _str_keys(listed).drop_duplicates(KEYS, keep="first").set_index(KEYS)["opening_balance"]
    index = pd.MultiIndex.from_frame(frame[KEYS])
    opening = pd.Series(stated.reindex(index).to_numpy(), index=frame.index).astype("Int64").fillna(0)
    carried = frame["closing"].astype("Int64")
    opening = carried.where(known, opening).fillna(0)
    moved = _str_keys(movements).groupby(KEYS)["movement"].sum()
    frame["closing"] = (opening + pd.Series(moved.reindex(index).to_numpy(), index=frame.index)
                        .astype("Int64").fillna(0)).astype("int64")

    # The latest visit.
    seen = _str_keys(visits).groupby(KEYS)["date"].max()
    frame["last_visit"] = _latest(frame["last_visit"], pd.Series(seen.reindex(index).to_numpy(),
                                                                  index=frame.index))

    # The latest assessment, and the limit of the latest earlier quarter that has one.
    rows = _str_keys(assessments)
    applied = rows.groupby(KEYS)["applied_on"].max()
    frame["applied_on"] = _latest(frame["applied_on"], pd.Series(applied.reindex(index).to_numpy(),
                                                                 index=frame.index))
    latest = rows.sort_values("source_row", kind="mergesort").drop_duplicates(KEYS, keep="last")
    latest = latest.set_index(KEYS)
    new = pd.Series(index.isin(latest.index), index=frame.index)
    quarter = frame["subsidiary"].map(quarters)
    earlier = frame["assessed_quarter"].isna() | (frame["assessed_quarter"].astype(object) < quarter)
    moves_on = new & earlier.fillna(True).astype(bool)
    before = frame["approved_limit"].astype("Int64").fillna(frame["limit_before"].astype("Int64"))
    frame["limit_before"] = before.where(moves_on, frame["limit_before"].astype("Int64"))
    terms = _str_keys(listed).drop_duplicates(KEYS, keep="last").set_index(KEYS)
    for column in ASSESSED:
        fresh = pd.Series(latest[column].reindex(index).to_numpy(), index=frame.index)
        frame[column] = fresh.where(new, frame[column]) if len(frame) else frame[column]
    for column in TERMS:
        fresh = pd.Series(terms[column].reindex(index).to_numpy(), index=frame.index)
        frame[column] = fresh.where(new, frame[column]) if len(frame) else frame[column]
    frame["assessed_quarter"] = quarter.where(new, frame["assessed_quarter"])
    return frame[COLUMNS].reset_index(drop=True)


def _str_keys(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.dropna(subset=KEYS).copy()
    out[KEYS] = out[KEYS].astype(str)
    return out


def _latest(before: pd.Series, now: pd.Series) -> pd.Series:
    """The later of two dates, either of them missing."""
    a = pd.to_datetime(before).astype("datetime64[s]")
    b = pd.to_datetime(now).astype("datetime64[s]")
    return a.where(b.isna() | (a >= b), b)


def state_before(states: pd.DataFrame, boundary: dt.date) -> pd.DataFrame:
    """Per subsidiary, the states of its latest period ending before `boundary`.
    states: the states of several periods, with period_end."""
    earlier = states[states["period_end"] < pd.Timestamp(boundary)]
    latest = earlier.groupby("subsidiary")["period_end"].transform("max")
    return earlier[earlier["period_end"] == latest].reset_index(drop=True)


def limits_in_force(states: pd.DataFrame) -> pd.DataFrame:
    """subsidiary, customer_uscc, limit (fen) in force in a quarter, from the states of the
    period before it: the latest assessment's approved limit, else the earlier one."""
    limit = states["approved_limit"].astype("Int64").fillna(states["limit_before"].astype("Int64"))
    frame = pd.DataFrame({"subsidiary": states["subsidiary"].astype(str),
                          "customer_uscc": states["customer_uscc"].astype(str), "limit": limit})
    return frame.dropna(subset=["limit"]).astype({"limit": "int64"}).reset_index(drop=True)


def quarter_of(period: Period) -> str:
    """The quarter an assessment of a submission for `period` belongs to."""
    return str(period.end_month().containing_quarter())
