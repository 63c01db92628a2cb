"""A/B/C classification (policy.md, A/B/C classification; 第十二条), cases computed by hand.

Customers with v > 0 are sorted by v descending, ties by USCC; customer i is A when the
cumulative share before it c(i-1) < 0.80, else B when c(i-1) < 0.95, else C: the customer
that crosses a cut-off belongs to the upper class. v <= 0 and listed customers without
sales are C, ranked after (v descending, then USCC) with no share.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcrm.policy.classes import DOWNGRADE, UPGRADE, class_change, classify, classify_each, previous_class_month


def _values(values: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"customer_uscc": list(values), "value": pd.array(list(values.values()), dtype="Int64")})


def _classes(values: dict[str, int], listed: tuple[str, ...] = (), **options: str) -> list[tuple[str, str]]:
    ranked = classify(_values(values), listed, **options)
    return list(zip(ranked["customer_uscc"], ranked["customer_class"]))


@pytest.mark.parametrize(("values", "expected"), [
    # c(i-1) exactly on 0.80 and 0.95: B and C.
    ({"U1": 80, "U2": 15, "U3": 5}, [("U1", "A"), ("U2", "B"), ("U3", "C")]),
    # U2 starts at 0.79 and crosses 0.80: A; U3 starts at 0.95: C.
    ({"U1": 79, "U2": 16, "U3": 5}, [("U1", "A"), ("U2", "A"), ("U3", "C")]),
    # U4 starts at 0.94 and crosses 0.95: B.
    ({"U1": 50, "U2": 30, "U3": 14, "U4": 6}, [("U1", "A"), ("U2", "A"), ("U3", "B"), ("U4", "B")]),
    ({"U1": 50, "U2": 30, "U3": 15, "U4": 5}, [("U1", "A"), ("U2", "A"), ("U3", "B"), ("U4", "C")]),
    ({"U1": 50, "U2": 29, "U3": 16, "U4": 5}, [("U1", "A"), ("U2", "A"), ("U3", "A"), ("U4", "C")]),
    # 0.7 + 0.1 is 0.7999999999999999 in binary floating point; exactly 0.80 here.
    ({"U1": 70, "U2": 10, "U3": 10, "U4": 10}, [("U1", "A"), ("U2", "A"), ("U3", "B"), ("U4", "B")]),
    # One customer holds everything.
    ({"U1": 1}, [("U1", "A")]),
    # Sorted by v descending whatever the input order.
    ({"U3": 5, "U1": 15, "U2": 80}, [("U2", "A"), ("U1", "B"), ("U3", "C")]),
    # Ties by USCC ascending: U1 before U2, so U1 (before it 0.70) is A and U2 (0.80) is B.
    ({"U9": 70, "U2": 10, "U3": 10, "U1": 10}, [("U9", "A"), ("U1", "A"), ("U2", "B"), ("U3", "B")]),
    # U1 starts at 0.94 (B), the tied U2 at 0.97 (C).
    ({"U9": 80, "U3": 14, "U2": 3, "U1": 3}, [("U9", "A"), ("U3", "B"), ("U1", "B"), ("U2", "C")]),
])
def test_value_cut_offs_and_ties(values: dict[str, int], expected: list[tuple[str, str]]) -> None:
    assert _classes(values) == expected


def test_non_positive_and_listed_without_sales_are_c_ranked_after_with_no_share() -> None:
    ranked = classify(_values({"U5": -10, "U3": -50, "U2": 0, "U1": 100}), ["U4", "U1"])
    assert list(ranked["rank"]) == [1, 2, 3, 4, 5]
    # v descending, then USCC: the listed U4 (v = 0) ties with U2 and follows it.
    assert list(ranked["customer_uscc"]) == ["U1", "U2", "U4", "U5", "U3"]
    assert list(ranked["value"]) == [100, 0, 0, -10, -50]
    assert list(ranked["customer_class"]) == ["A", "C", "C", "C", "C"]
    assert list(ranked["share_before"]) == [Fraction(0), None, None, None, None]
    assert list(ranked["cumulative_share"]) == [Fraction(1), None, None, None, None]


@pytest.mark.parametrize(("values", "listed", "expected"), [
    ({}, ("U2", "U1"), [("U1", "C"), ("U2", "C")]),
    ({"U1": -5}, ("U2",), [("U2", "C"), ("U1", "C")]),
    ({}, (), []),
])
def test_without_positive_values_everyone_is_c(
    values: dict[str, int], listed: tuple[str, ...], expected: list[tuple[str, str]],
) -> None:
    assert _classes(values, listed) == expected


def test_shares_are_exact_fractions() -> None:
    ranked = classify(_values({"U1": 1, "U2": 1, "U3": 1}))
    assert list(ranked["share_before"]) == [Fraction(0), Fraction(1, 3), Fraction(2, 3)]
    assert list(ranked["cumulative_share"]) == [Fraction(1, 3), Fraction(2, 3), Fraction(1)]
    assert list(ranked["customer_class"]) == ["A", "A", "A"]


@pytest.mark.parametrize(("n", "expected"), [
    # c(i-1) = (i-1)/n: with 20, the 17th starts at 0.80 (B), the 20th at 0.95 (C).
    (20, "A" * 16 + "B" * 3 + "C"),
    # With 10: the 9th starts at 0.80, the 10th at 0.90 (< 0.95): B.
    (10, "A" * 8 + "BB"),
    (4, "AAAA"),
    (5, "AAAAB"),
])
def test_count_method(n: int, expected: str) -> None:
    # Very unequal values (by value U00 alone would be A): by count only the ranks matter.
    values = {"U00": 10**12} | {f"U{i:02d}": 100 - i for i in range(1, n)} | {"U99": 0}
    ranked = classify(_values(values), method="count")
    assert "".join(ranked["customer_class"]) == expected + "C"
    assert ranked["share_before"].iat[1] == Fraction(1, n)


@pytest.mark.parametrize(("cut_a", "cut_b", "expected"), [
    ("0.5", "0.9", [("U1", "A"), ("U2", "B"), ("U3", "C")]),  # before: 0, 0.5, 0.9
    ("0.51", "0.91", [("U1", "A"), ("U2", "A"), ("U3", "B")]),
])
def test_configured_cut_offs(cut_a: str, cut_b: str, expected: list[tuple[str, str]]) -> None:
    assert _classes({"U1": 50, "U2": 40, "U3": 10}, cut_a=cut_a, cut_b=cut_b) == expected


def _by_the_book(values: dict[str, int], listed: set[str]) -> list[tuple[str, str]]:
    """policy.md step by step, on Python ints: the reference the function must agree with."""
    every = {u: values.get(u, 0) for u in set(values) | listed}
    positive = sorted((u for u in every if every[u] > 0), key=lambda u: (-every[u], u))
    rest = sorted((u for u in every if every[u] <= 0), key=lambda u: (-every[u], u))
    total, before, out = sum(every[u] for u in positive), 0, []
    for u in positive:
        # c(i-1) < 0.80  <=>  100 × before < 80 × total, in integers.
        out.append((u, "A" if 100 * before < 80 * total else "B" if 100 * before < 95 * total else "C"))
        before += every[u]
    return out + [(u, "C") for u in rest]


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from([f"U{i}" for i in range(12)]), st.integers(-50, 100), max_size=12),
       st.sets(st.sampled_from([f"U{i}" for i in range(15)]), max_size=4))
def test_agrees_with_the_policy_read_step_by_step(values: dict[str, int], listed: set[str]) -> None:
    assert _classes(values, tuple(sorted(listed))) == _by_the_book(values, listed)


@pytest.mark.parametrize(("previous", "current", "expected"), [
    (None, "A", ""),
    (float("nan"), "C", ""),
    (pd.NA, "B", ""),
    ("B", "A", UPGRADE),
    ("C", "A", UPGRADE),
    ("C", "B", UPGRADE),
    ("A", "B", DOWNGRADE),
    ("A", "C", DOWNGRADE),
    ("B", "C", DOWNGRADE),
    ("A", "A", ""),
    ("C", "C", ""),
])
def test_class_change(previous: object, current: str, expected: str) -> None:
    assert class_change(previous, current) == expected
    assert (UPGRADE, DOWNGRADE) == ("升级", "降级")


@pytest.mark.parametrize(("run_month", "quarter_end", "months", "expected"), [
    # Quarter-end run: the latest earlier quarter-end run, not the months in between.
    ("2026-03", True, ["2025-12", "2026-01", "2026-02"], "2025-12"),
    ("2026-06", True, ["2025-12", "2026-03", "2026-04", "2026-05"], "2026-03"),
    ("2026-03", True, ["2026-01", "2026-02"], None),
    # Another month: the latest earlier run, quarter-end or not.
    ("2026-02", False, ["2025-12", "2026-01"], "2026-01"),
    ("2026-04", False, ["2025-12", "2026-03"], "2026-03"),
    ("2026-01", False, ["2025-11", "2025-12"], "2025-12"),
    ("2026-01", False, [], None),
    # The run itself and later runs are not earlier.
    ("2026-03", True, ["2025-09", "2026-03", "2026-06"], "2025-09"),
    ("2026-02", False, ["2026-02", "2026-03"], None),
])
def test_previous_class_month(run_month: str, quarter_end: bool, months: list[str], expected: str | None) -> None:
    assert previous_class_month(run_month, quarter_end, months) == expected


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from(["S1", "S2", "S3"]), st.dictionaries(
    st.text("0123456789ABC", min_size=3, max_size=3), st.integers(-5, 100), max_size=8), max_size=3),
       st.sets(st.tuples(st.sampled_from(["S1", "S2", "S4"]), st.text("0123456789ABC", min_size=3, max_size=3)),
               max_size=4),
       st.sampled_from(["value", "count"]))
def test_classify_each_is_classify_within_each_scope(
        values: dict[str, dict[str, int]], listed: set[tuple[str, str]], method: str) -> None:
    rows = [(scope, uscc, v) for scope, by in values.items() for uscc, v in by.items()]
    frame = pd.DataFrame(rows, columns=["scope", "customer_uscc", "value"])
    extra = pd.DataFrame(sorted(listed), columns=["scope", "customer_uscc"])
    got = classify_each(frame, extra, method=method)
    for scope in sorted(set(frame["scope"]) | set(extra["scope"])):
        own = frame[frame["scope"] == scope]
        alone = classify(own[["customer_uscc", "value"]], {u for s, u in listed if s == scope}, method=method)
        mine = got[got["scope"] == scope]
        assert list(zip(mine["rank"], mine["customer_uscc"], mine["customer_class"])) == \
            list(zip(alone["rank"], alone["customer_uscc"], alone["customer_class"]))
