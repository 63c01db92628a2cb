"""Receivables and limit breaches (policy.md; 第十五、十六条), balances worked by hand.

Amounts in fen. Balance after each transaction: + 发货, − 退货, − 回款; on the same date
回款 and 退货 before 发货, then sheet order.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xlcrm.policy.receivables import (
    NO_LIMIT,
    NO_LIMIT_SHIPMENT,
    OVER_LIMIT,
    OVER_LIMIT_SHIPMENT,
    group_exposure,
    limit_shipments,
    limit_warnings,
    opening_differences,
    ordered_movements,
    running_balances,
)

D = dt.date
Q1_START, Q1_END = D(2026, 1, 1), D(2026, 3, 31)


def _tx(rows: list[tuple[str, str, dt.date, str, int, int]], source_file: str = "a.xlsx") -> pd.DataFrame:
    """(subsidiary, customer, date, type, amount, source row) as the ledger gives them."""
    frame = pd.DataFrame(rows, columns=["subsidiary", "customer_uscc", "date", "type", "amount", "source_row"])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[s]")
    frame["amount"] = pd.array(frame["amount"].tolist(), dtype="Int64")
    frame["source_row"] = pd.array(frame["source_row"].tolist(), dtype="Int64")
    frame["source_file"] = source_file
    frame["document_no"] = [f"D{r}" for r in frame["source_row"]]
    frame["salesperson"] = "李四"
    return frame


def _openings(rows: dict[tuple[str, str], int]) -> pd.DataFrame:
    return pd.DataFrame({"subsidiary": [k[0] for k in rows], "customer_uscc": [k[1] for k in rows],
                         "opening": list(rows.values())})


def _limits(rows: dict[tuple[str, str], int]) -> pd.DataFrame:
    return pd.DataFrame({"subsidiary": [k[0] for k in rows], "customer_uscc": [k[1] for k in rows],
                         "limit": pd.Series(list(rows.values()), dtype="int64")})


def test_same_date_collections_and_returns_before_shipments_then_sheet_order() -> None:
    tx = _tx([
        ("S1", "U1", D(2026, 2, 10), "发货", 500, 2),
        ("S1", "U1", D(2026, 2, 10), "回款", 800, 3),
        ("S1", "U1", D(2026, 2, 10), "退货", 100, 4),
        ("S1", "U1", D(2026, 2, 10), "发货", 50, 5),
        ("S1", "U1", D(2026, 2, 9), "发货", 70, 6),  # an earlier date first, whatever its row
        ("S1", "U1", D(2026, 2, 10), "回款", 10, 1),
    ])
    ordered = ordered_movements(tx)
    assert list(ordered["source_row"]) == [6, 1, 3, 4, 2, 5]
    assert list(ordered["movement"]) == [70, -10, -800, -100, 500, 50]


def test_running_balances_start_from_the_opening() -> None:
    tx = _tx([
        ("S1", "U1", D(2026, 1, 5), "发货", 500, 2),
        ("S1", "U1", D(2026, 1, 5), "回款", 800, 3),
        ("S1", "U1", D(2026, 1, 20), "退货", 100, 4),
        ("S1", "U2", D(2026, 1, 6), "发货", 300, 5),  # no opening: starts at 0
        ("S2", "U1", D(2026, 1, 7), "发货", 40, 2),  # another subsidiary's balance
    ])
    running = running_balances(_openings({("S1", "U1"): 1000, ("S2", "U1"): -10}), tx)
    got = list(zip(running["subsidiary"], running["customer_uscc"], running["type"], running["balance"]))
    # S1/U1: 1000 − 800 = 200, + 500 = 700, − 100 = 600.
    assert got == [("S1", "U1", "回款", 200), ("S1", "U1", "发货", 700), ("S1", "U1", "退货", 600),
                   ("S1", "U2", "发货", 300), ("S2", "U1", "发货", 30)]


@pytest.mark.parametrize(("opening", "amount", "limit", "expected"), [
    (0, 1000, 1000, None),  # balance equal to the limit: not over
    (0, 1001, 1000, OVER_LIMIT_SHIPMENT),
    (500, 600, 1000, OVER_LIMIT_SHIPMENT),  # over only with the opening balance
    (0, 1, 0, OVER_LIMIT_SHIPMENT),  # an approved limit of 0
    (0, 1, None, NO_LIMIT_SHIPMENT),  # on credit with no limit in force
    (-500, 500, None, None),  # prepaid: balance after 0
    (-500, 499, None, None),
    (-500, 501, None, NO_LIMIT_SHIPMENT),
    (-500, 400, 0, None),
])
def test_limit_shipments(opening: int, amount: int, limit: int | None, expected: str | None) -> None:
    limits = _limits({} if limit is None else {("S1", "U1"): limit})
    flagged = limit_shipments(_openings({("S1", "U1"): opening}),
                              _tx([("S1", "U1", D(2026, 2, 1), "发货", amount, 2)]), limits, Q1_START, Q1_END)
    assert list(flagged["kind"]) == ([] if expected is None else [expected])


def test_limit_shipments_report_each_shipment_in_the_window_with_its_details() -> None:
    tx = _tx([
        ("S1", "U1", D(2025, 12, 31), "发货", 900, 2),  # before W: balance 900 > 800 but not listed
        ("S1", "U1", D(2026, 1, 10), "回款", 900, 3),
        ("S1", "U1", D(2026, 1, 10), "发货", 500, 4),  # after the same-day collection: 500
        ("S1", "U1", D(2026, 2, 10), "发货", 400, 5),  # 900 > 800
        ("S1", "U1", D(2026, 2, 11), "回款", 1000, 6),  # −100; a collection is never flagged
        ("S1", "U1", D(2026, 3, 1), "发货", 950, 7),  # 850 > 800
        ("S1", "U1", D(2026, 4, 1), "发货", 5000, 8),  # after W
        ("S1", "U2", D(2026, 3, 2), "发货", 10, 9),  # no limit in force
    ])
    flagged = limit_shipments(_openings({}), tx, _limits({("S1", "U1"): 800}), Q1_START, Q1_END)
    assert list(zip(flagged["customer_uscc"], flagged["document_no"], flagged["amount"], flagged["balance"],
                    flagged["limit"].fillna(-1), flagged["kind"], flagged["salesperson"])) == [
        ("U1", "D5", 400, 900, 800, OVER_LIMIT_SHIPMENT, "李四"),
        ("U1", "D7", 950, 850, 800, OVER_LIMIT_SHIPMENT, "李四"),
        ("U2", "D9", 10, 10, -1, NO_LIMIT_SHIPMENT, "李四"),
    ]
    assert (OVER_LIMIT_SHIPMENT, NO_LIMIT_SHIPMENT) == ("超限发货", "无额度发货")


@pytest.mark.parametrize(("closing", "limit", "expected"), [
    (1500, 1000, (OVER_LIMIT, 500)),
    (1001, 1000, (OVER_LIMIT, 1)),
    (1000, 1000, None),
    (10, 0, (OVER_LIMIT, 10)),
    (0, 0, None),
    (500, None, (NO_LIMIT, 500)),
    (1, None, (NO_LIMIT, 1)),
    (0, None, None),
    (-100, None, None),
    (-100, 1000, None),
])
def test_limit_warnings(closing: int, limit: int | None, expected: tuple[str, int] | None) -> None:
    balances = pd.DataFrame({"subsidiary": ["S1"], "customer_uscc": ["U1"], "closing": [closing]})
    warnings = limit_warnings(balances, _limits({} if limit is None else {("S1", "U1"): limit}))
    assert list(zip(warnings["kind"], warnings["excess"])) == ([] if expected is None else [expected])
    assert (OVER_LIMIT, NO_LIMIT) == ("超限", "无额度")


def test_group_exposure() -> None:
    closing = pd.DataFrame([
        ("S1", "U1", 100), ("S2", "U1", 200),
        ("S1", "U2", 999),  # one subsidiary only
        ("S1", "U3", 10), ("S2", "U3", 50),  # S2 no longer lists U3 but is still owed
        ("S1", "U4", 0), ("S2", "U4", 0),
        ("S2", "U5", 0),  # S2 owed nothing and does not list U5: one subsidiary
    ], columns=["subsidiary", "customer_uscc", "closing"])
    served = pd.DataFrame([("S1", "U1"), ("S2", "U1"), ("S1", "U2"), ("S1", "U3"), ("S1", "U4"), ("S2", "U4"),
                           ("S1", "U5")], columns=["subsidiary", "customer_uscc"])
    limits = _limits({("S1", "U1"): 150, ("S1", "U3"): 20, ("S2", "U3"): 30, ("S1", "U4"): 5})
    grades = pd.DataFrame([("S1", "U1", "一级"), ("S2", "U1", "二级"), ("S1", "U3", "二级"), ("S2", "U3", "二级"),
                           ("S1", "U4", "三级")], columns=["subsidiary", "customer_uscc", "grade"])
    exposure = group_exposure(closing, limits, served, grades)
    assert list(zip(exposure["customer_uscc"], exposure["subsidiaries"], exposure["closing"], exposure["limit"],
                    exposure["grades_differ"])) == [
        ("U1", 2, 300, 150, True),  # S2's missing limit counts 0; 一级 against 二级
        ("U3", 2, 60, 50, False),
        ("U4", 2, 0, 5, False),
    ]


def test_group_exposure_without_shared_customers_is_empty() -> None:
    closing = pd.DataFrame({"subsidiary": ["S1"], "customer_uscc": ["U1"], "closing": [100]})
    served = pd.DataFrame({"subsidiary": ["S1", "S1"], "customer_uscc": ["U1", "U2"]})
    exposure = group_exposure(closing, _limits({}), served,
                              pd.DataFrame(columns=["subsidiary", "customer_uscc", "grade"]))
    assert exposure.empty
    assert list(exposure.columns) == ["customer_uscc", "subsidiaries", "closing", "limit", "grades_differ"]


def test_opening_differences_beyond_the_tolerance_only() -> None:
    stated = pd.DataFrame({
        "subsidiary": ["S1", "S1", "S1", "S1", "S2"], "period": "2026Q1",
        "uscc": ["U1", "U2", "U3", "U4", "U1"],
        "opening_balance": pd.array([10_000, 10_001, 12_000, None, 5], dtype="Int64"),
    })
    carried = pd.DataFrame({
        "subsidiary": ["S1", "S1", "S1", "S1"], "period": "2026Q1",
        "customer_uscc": ["U1", "U2", "U3", "U4"], "carried": [10_000, 10_000, 10_000, 10_000],
    })
    got = opening_differences(stated, carried, tolerance_fen=1)
    # U2 is within 0.01 元; U4 states none; S2/U1 has no previous period.
    assert got.to_dict("records") == [{"subsidiary": "S1", "customer_uscc": "U3", "carried": 10_000,
                                       "stated": 12_000, "difference": 2_000}]
