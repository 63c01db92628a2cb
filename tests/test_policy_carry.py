"""What each customer account carries from one period to the next (policy/carry.py),
worked by hand, and against the direct reading of policy.md over the whole history.

Amounts in fen.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcrm.periods import Period
from xlcrm.policy import carry
from xlcrm.policy.credit import assessment_quarter, latest_per_quarter, limits_in_force
from xlcrm.policy.receivables import NO_LIMIT, limit_warnings

D = dt.date
Q4, Q1, Q2 = Period.quarter(2025, 4), Period.quarter(2026, 1), Period.quarter(2026, 2)


def _sheets(rows: list[tuple[str, str | None, int | None]], terms: str = "月结") -> pd.DataFrame:
    """(subsidiary, uscc, 期初应收余额) in sheet order."""
    return pd.DataFrame({"subsidiary": [r[0] for r in rows], "uscc": [r[1] for r in rows],
                         "opening_balance": pd.array([r[2] for r in rows], dtype="Int64"),
                         "payment_terms": terms, "credit_days": pd.array([30] * len(rows), dtype="Int64")})


def _moves(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["subsidiary", "customer_uscc", "movement"])


def _visits(rows: list[tuple[str, str, dt.date]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["subsidiary", "customer_uscc", "date"])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[s]")
    return frame


def _assessments(rows: list[tuple[str, str, int, int | None, dt.date]]) -> pd.DataFrame:
    """(subsidiary, customer, source row, approved limit, applied on)."""
    frame = pd.DataFrame(rows, columns=["subsidiary", "customer_uscc", "source_row", "approved_limit",
                                        "applied_on"])
    frame["approved_limit"] = pd.array(frame["approved_limit"].tolist(), dtype="Int64")
    frame["applied_on"] = pd.to_datetime(frame["applied_on"]).astype("datetime64[s]")
    for column in ("annual_sales", "monthly_sales", "on_time_rate", "overdue_count"):
        frame[column] = pd.array([1] * len(frame), dtype="Int64")
    frame["grade"] = "二级"
    return frame


NONE = _visits([]).iloc[0:0]


def _carry(before: pd.DataFrame, period: Period, sheets: pd.DataFrame, moves: pd.DataFrame | None = None,
           visits: pd.DataFrame | None = None, assessed: pd.DataFrame | None = None) -> pd.DataFrame:
    subsidiaries = set(sheets["subsidiary"]) | ({"S1"} if sheets.empty else set())
    return carry.carry(before, {s: carry.quarter_of(period) for s in subsidiaries}, sheets,
                       moves if moves is not None else _moves([]),
                       visits if visits is not None else NONE,
                       assessed if assessed is not None else _assessments([]))


def _by_account(states: pd.DataFrame, column: str) -> dict[tuple[str, str], object]:
    return {(s, u): v for s, u, v in zip(states["subsidiary"], states["customer_uscc"], states[column])}


def test_the_first_sheet_gives_the_opening_then_the_closing_balance_is_carried() -> None:
    q4 = _carry(carry.empty(), Q4, _sheets([("S1", "U1", 500), ("S1", "U2", None), ("S1", None, 80)]),
                _moves([("S1", "U1", 400), ("S1", "U3", 70)]))
    # A blank opening is 0; a row without USCC is not an account; a customer with
    # movements but no sheet row starts at 0.
    assert _by_account(q4, "closing") == {("S1", "U1"): 900, ("S1", "U2"): 0, ("S1", "U3"): 70}
    q1 = _carry(q4, Q1, _sheets([("S1", "U1", 999), ("S1", "U4", 300)]), _moves([("S1", "U1", -150)]))
    # The carried balance governs a later sheet's 期初; U4 is new; U2 and U3 are no longer
    # listed and are carried as they were.
    assert _by_account(q1, "closing") == {("S1", "U1"): 750, ("S1", "U2"): 0, ("S1", "U3"): 70,
                                          ("S1", "U4"): 300}


def test_a_customer_no_longer_listed_that_still_owes_stays_in_the_warnings() -> None:
    q4 = _carry(carry.empty(), Q4, _sheets([("S1", "U1", 800), ("S1", "U2", 0)]))
    q1 = _carry(q4, Q1, _sheets([("S1", "U2", 0)]), _moves([("S1", "U1", -300), ("S1", "U2", 200)]))
    balances = q1[["subsidiary", "customer_uscc", "closing"]]
    limits = pd.DataFrame({"subsidiary": ["S1"], "customer_uscc": ["U2"], "limit": [500]})
    warnings = limit_warnings(balances, limits)
    assert list(zip(warnings["customer_uscc"], warnings["kind"], warnings["excess"])) == [("U1", NO_LIMIT, 500)]


def test_the_latest_visit_and_application_are_kept() -> None:
    q4 = _carry(carry.empty(), Q4, _sheets([("S1", "U1", 0)]),
                visits=_visits([("S1", "U1", D(2025, 11, 3)), ("S1", "U1", D(2025, 10, 9))]),
                assessed=_assessments([("S1", "U1", 2, 100, D(2025, 12, 22))]))
    q1 = _carry(q4, Q1, _sheets([("S1", "U1", 0)]), visits=_visits([("S1", "U2", D(2026, 2, 1))]))
    assert _by_account(q1, "last_visit") == {("S1", "U1"): pd.Timestamp(2025, 11, 3),
                                             ("S1", "U2"): pd.Timestamp(2026, 2, 1)}
    assert _by_account(q1, "applied_on")[("S1", "U1")] == pd.Timestamp(2025, 12, 22)


def _limit(states: pd.DataFrame) -> dict[tuple[str, str], int]:
    frame = carry.limits_in_force(states)
    return {(s, u): int(v) for s, u, v in zip(frame["subsidiary"], frame["customer_uscc"], frame["limit"])}


def test_a_pending_application_leaves_the_earlier_limit_in_force() -> None:
    q4 = _carry(carry.empty(), Q4, _sheets([("S1", "U1", 0)]),
                assessed=_assessments([("S1", "U1", 2, 100, D(2025, 12, 22))]))
    assert _limit(q4) == {("S1", "U1"): 100}  # in force in 2026Q1
    q1 = _carry(q4, Q1, _sheets([("S1", "U1", 0)]),
                assessed=_assessments([("S1", "U1", 2, None, D(2026, 3, 22))]))
    assert _limit(q1) == {("S1", "U1"): 100}  # in force in 2026Q2: the pending one does not count
    q2 = _carry(q1, Q2, _sheets([("S1", "U1", 0)]),
                assessed=_assessments([("S1", "U1", 2, 300, D(2026, 6, 22)),
                                       ("S1", "U1", 5, 200, D(2026, 6, 23))]))
    assert _limit(q2) == {("S1", "U1"): 200}  # the sheet's latest row


def test_the_latest_month_of_a_quarter_decides_that_quarter() -> None:
    # A 医药 subsidiary assessed in January (approved) and again in March (pending): the
    # quarter's assessment is March's, so no limit of this quarter is in force next quarter.
    months = [Period.month(2026, m) for m in (1, 2, 3)]
    jan = _carry(carry.empty(), months[0], _sheets([("S1", "U1", 0)]),
                 assessed=_assessments([("S1", "U1", 2, 100, D(2026, 1, 22))]))
    feb = _carry(jan, months[1], _sheets([("S1", "U1", 0)]))
    mar = _carry(feb, months[2], _sheets([("S1", "U1", 0)]),
                 assessed=_assessments([("S1", "U1", 2, None, D(2026, 3, 22))]))
    assert _limit(mar) == {}


# ---------------------------------------------------------------- against the whole history

_PERIODS = [Period.quarter(2025, q) for q in (1, 2, 3, 4)] + [Period.quarter(2026, q) for q in (1, 2)]
_accounts = st.sampled_from([("S1", "U1"), ("S1", "U2"), ("S2", "U1")])


@st.composite
def _history(draw: st.DrawFn) -> list[dict[str, object]]:
    periods = []
    for period in _PERIODS:
        listed = draw(st.lists(st.tuples(_accounts, st.one_of(st.none(), st.integers(-500, 5000))),
                               max_size=4))
        moves = draw(st.lists(st.tuples(_accounts, st.integers(-3000, 3000)), max_size=4))
        assessed = draw(st.lists(st.tuples(_accounts, st.integers(1, 9), st.one_of(
            st.none(), st.integers(0, 9000))), max_size=3))
        periods.append({"period": period, "listed": listed, "moves": moves, "assessed": assessed})
    return periods


@settings(max_examples=150, deadline=None)
@given(_history())
def test_carried_balances_and_limits_agree_with_the_whole_history(history: list[dict[str, object]]) -> None:
    """Carried period by period, the closing balance is the first sheet's opening plus every
    movement since, and the limit in force is credit.limits_in_force over every assessment."""
    state = carry.empty()
    all_sheets, all_moves, all_assessed = [], [], []
    for h in history:
        period = h["period"]
        assert isinstance(period, Period)
        sheets = _sheets([(s, u, o) for (s, u), o in h["listed"]])  # type: ignore[attr-defined]
        moves = _moves([(s, u, m) for (s, u), m in h["moves"]])  # type: ignore[attr-defined]
        assessed = _assessments([(s, u, row, limit, period.end) for (s, u), row, limit
                                 in h["assessed"]])  # type: ignore[attr-defined]
        quarters = {"S1": carry.quarter_of(period), "S2": carry.quarter_of(period)}
        state = carry.carry(state, quarters, sheets, moves, NONE, assessed)
        all_sheets.append(sheets.assign(order=len(all_sheets)))
        all_moves.append(moves)
        all_assessed.append(assessed.assign(period=str(period)))
        # The limit in force in the next quarter, both ways.
        every = pd.concat(all_assessed, ignore_index=True)
        every["quarter"] = every["period"].map(lambda p: str(assessment_quarter(p)))
        direct = limits_in_force(latest_per_quarter(every), period.previous().shift_months(6)) \
            if not every.empty else pd.DataFrame(columns=["subsidiary", "customer_uscc", "limit"])
        expected = {(s, u): int(v) for s, u, v in zip(direct["subsidiary"], direct["customer_uscc"],
                                                       direct["limit"])}
        assert _limit(state) == expected
    sheets = pd.concat(all_sheets, ignore_index=True).dropna(subset=["uscc"])
    first = sheets.drop_duplicates(["subsidiary", "uscc"], keep="first")
    opening = {(s, u): 0 if pd.isna(o) else int(o) for s, u, o in
               zip(first["subsidiary"], first["uscc"], first["opening_balance"])}
    moves = pd.concat(all_moves, ignore_index=True)
    expected_closing = dict(opening)
    for s, u, m in zip(moves["subsidiary"], moves["customer_uscc"], moves["movement"]):
        expected_closing[(s, u)] = expected_closing.get((s, u), 0) + int(m)
    # An account that appears (a movement, an assessment) before it is first listed starts
    # at 0 then and its balance is carried from there, where the direct formula would take
    # the later sheet's opening: such histories are left out of the comparison.
    got = _by_account(state, "closing")
    for key, value in expected_closing.items():
        earlier = history[:_first_listed(history, key)]
        seen_before = any(k == key for h in earlier for k, *_ in
                          [*h["moves"], *h["assessed"]])  # type: ignore[misc]
        if not seen_before:
            assert got[key] == value, key


def _first_listed(history: list[dict[str, object]], key: tuple[str, str]) -> int:
    for i, h in enumerate(history):
        if any(k == key for k, _ in h["listed"]):  # type: ignore[attr-defined]
            return i
    return len(history)


@pytest.mark.parametrize(("period", "quarter"), [
    (Period.month(2026, 2), "2026Q1"), (Period.quarter(2026, 1), "2026Q1"), (Period.month(2026, 4), "2026Q2")])
def test_quarter_of(period: Period, quarter: str) -> None:
    assert carry.quarter_of(period) == quarter
