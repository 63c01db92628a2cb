"""Growth and potential customers (policy.md, Growth and potential customers; 第十二条).

g = (net sales in W − net sales in W a year earlier) / the latter, none when the latter
<= 0 (新客户 if sales in W > 0). Ranked g descending (none last), then net sales in W
descending, then USCC. Potential: B or C, g >= 30% and net sales in W >= 50,000 元.
Amounts in fen.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from xlcrm.policy.growth import NEW_CUSTOMER, growth_rate, rank_growth

YUAN = 100  # fen


@pytest.mark.parametrize(("current", "previous", "expected"), [
    (150, 100, Fraction(1, 2)),
    (130, 100, Fraction(3, 10)),
    (100, 100, Fraction(0)),
    (50, 100, Fraction(-1, 2)),
    (0, 100, Fraction(-1)),
    (-20, 100, Fraction(-6, 5)),
    (1, 3, Fraction(-2, 3)),
    (100, 0, None),  # from zero: 新客户
    (100, -50, None),  # negative previous
    (0, 0, None),
])
def test_growth_rate(current: int, previous: int, expected: Fraction | None) -> None:
    assert growth_rate(current, previous) == expected


def _sales(values: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"customer_uscc": list(values), "net_sales": pd.array(list(values.values()), dtype="Int64")})


def _rank(current: dict[str, int], previous: dict[str, int], classes: dict[str, str] | None = None,
          known: bool = True, **options: object) -> pd.DataFrame:
    usccs = sorted(set(current) | set(previous))
    classes = classes if classes is not None else dict.fromkeys(usccs, "C")
    class_frame = pd.DataFrame({"customer_uscc": list(classes), "customer_class": list(classes.values())})
    return rank_growth(_sales(current), _sales(previous), class_frame, known=known, **options)  # type: ignore[arg-type]


def test_new_customers_negative_previous_and_who_is_listed() -> None:
    ranked = _rank(
        current={"U1": 100, "U2": 100, "U4": -30, "U5": 0, "U6": 80},
        previous={"U2": -50, "U3": 200, "U5": 0, "U6": 0, "U7": 0},
    )
    # U5 and U7 have no sales either year: not listed. U4 (returns only) is listed.
    assert list(ranked["customer_uscc"]) == ["U3", "U1", "U2", "U6", "U4"]
    assert list(ranked["rank"]) == [1, 2, 3, 4, 5]
    assert list(ranked["growth"]) == [Fraction(-1), None, None, None, None]
    assert list(ranked["new_customer"]) == [False, True, True, True, False]
    assert list(ranked["net_sales"]) == [0, 100, 100, 80, -30]
    assert list(ranked["previous_net_sales"]) == [200, 0, -50, 0, 0]
    assert NEW_CUSTOMER == "新客户"


def test_ranking_g_descending_none_last_then_sales_then_uscc() -> None:
    ranked = _rank(
        current={"U1": 150, "U2": 300, "U3": 150, "U4": 90, "U5": 10_000, "U6": 500, "U7": 500, "U8": 1},
        previous={"U1": 100, "U2": 200, "U3": 100, "U4": 100, "U8": 1},
    )
    # g = 1/2 for U1, U2, U3 (U2 first by sales, then U1 before U3 by USCC); U8 0;
    # U4 −1/10; then the none: U5 by sales, then U6 and U7 by USCC.
    assert list(ranked["customer_uscc"]) == ["U2", "U1", "U3", "U8", "U4", "U5", "U6", "U7"]
    assert list(ranked["growth"]) == [Fraction(1, 2)] * 3 + [Fraction(0), Fraction(-1, 10)] + [None] * 3


def test_fractions_compare_exactly_in_ranking() -> None:
    # 1/3 and 333,333/1,000,000 differ by 1/3,000,000.
    ranked = _rank(current={"U1": 1_333_333, "U2": 4}, previous={"U1": 1_000_000, "U2": 3})
    assert list(ranked["customer_uscc"]) == ["U2", "U1"]


def test_unknown_coverage_blanks_growth_and_potentials() -> None:
    ranked = _rank(
        current={"U1": 200_000 * YUAN, "U2": 100_000 * YUAN, "U3": 300_000 * YUAN},
        previous={"U1": 100_000 * YUAN, "U2": 50_000 * YUAN},
        classes={"U1": "B", "U2": "C", "U3": "A"},
        known=False,
    )
    # Ranked as all-none: net sales in W descending, then USCC.
    assert list(ranked["customer_uscc"]) == ["U3", "U1", "U2"]
    assert list(ranked["growth"]) == [None, None, None]
    assert list(ranked["new_customer"]) == [False, False, False]
    assert list(ranked["potential"]) == [False, False, False]


@pytest.mark.parametrize(("cls", "current", "previous", "potential"), [
    # g exactly 30% and far above the sales floor.
    ("B", 130_000 * YUAN, 100_000 * YUAN, True),
    ("C", 130_000 * YUAN, 100_000 * YUAN, True),
    ("A", 130_000 * YUAN, 100_000 * YUAN, False),
    # Just under 30%.
    ("B", 130_000 * YUAN - 1, 100_000 * YUAN, False),
    # Net sales in W exactly 50,000 元 (g = 2/3), and one fen less.
    ("C", 50_000 * YUAN, 30_000 * YUAN, True),
    ("C", 50_000 * YUAN - 1, 30_000 * YUAN, False),
    # A new customer has no g: not a potential customer whatever its sales.
    ("C", 1_000_000 * YUAN, 0, False),
    ("C", 1_000_000 * YUAN, -5_000 * YUAN, False),
])
def test_potential_customer(cls: str, current: int, previous: int, potential: bool) -> None:
    ranked = _rank(current={"U1": current}, previous={"U1": previous}, classes={"U1": cls})
    assert list(ranked["potential"]) == [potential]
    assert list(ranked["customer_class"]) == [cls]


@pytest.mark.parametrize(("min_growth", "min_sales", "potential"), [
    ("0.30", 50_000, True),
    ("0.5", 50_000, True),
    ("0.51", 50_000, False),
    ("0.30", 60_000, True),
    ("0.30", 60_001, False),
])
def test_configured_potential_thresholds(min_growth: str, min_sales: int, potential: bool) -> None:
    ranked = _rank(current={"U1": 60_000 * YUAN}, previous={"U1": 40_000 * YUAN}, classes={"U1": "B"},
                   min_growth=min_growth, min_sales_yuan=min_sales)
    assert list(ranked["potential"]) == [potential]
