"""Growth and potential customers (policy.md; 第十二条).

g = (net sales in W − net sales in W one year earlier) / the latter, none
when the latter <= 0 (then 新客户 if sales in W > 0). A potential customer
(潜力客户) is a B or C customer with g >= 30% and net sales in W >= 50,000 元.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd

NEW_CUSTOMER = "新客户"


def growth_rate(current: int, previous: int) -> Fraction | None:
    if previous <= 0:
        return None
    return Fraction(int(current) - int(previous), int(previous))


def rank_growth(
    current: pd.DataFrame, previous: pd.DataFrame, classes: pd.DataFrame, *, known: bool,
    min_growth: str = "0.30", min_sales_yuan: int = 50_000,
) -> pd.DataFrame:
    """current / previous: customer_uscc, net_sales (fen) in W and in W a year earlier.
    classes: customer_uscc, customer_class. known: every month of W a year earlier is
    covered by a submission (else growth is unknown for everyone).

    Returns rank, customer_uscc, customer_class, net_sales, previous_net_sales,
    growth (Fraction or None), new_customer, potential, in rank order.
    """
    merged = pd.merge(
        current[["customer_uscc", "net_sales"]],
        previous[["customer_uscc", "net_sales"]].rename(columns={"net_sales": "previous_net_sales"}),
        on="customer_uscc", how="outer",
    )
    merged["net_sales"] = merged["net_sales"].fillna(0).astype("int64")
    merged["previous_net_sales"] = merged["previous_net_sales"].fillna(0).astype("int64")
    merged = merged[(merged["net_sales"] != 0) | (merged["previous_net_sales"] != 0)]
    merged = merged.merge(classes[["customer_uscc", "customer_class"]], on="customer_uscc",
                          how="left")
    merged["customer_class"] = merged["customer_class"].fillna("C")
    growth = [
        growth_rate(c, p) if known else None
        for c, p in zip(merged["net_sales"], merged["previous_net_sales"])
    ]
    merged["growth"] = pd.Series(growth, index=merged.index, dtype=object)
    merged["new_customer"] = known & (merged["previous_net_sales"] <= 0) & (merged["net_sales"] > 0)
    threshold = Fraction(Decimal(min_growth))
    merged["potential"] = [
        known and g is not None and g >= threshold and cls in ("B", "C")
        and s >= min_sales_yuan * 100
        for g, cls, s in zip(merged["growth"], merged["customer_class"], merged["net_sales"])
    ]
    # g descending (none last), then net sales in W descending, then USCC.
    merged["_has"] = merged["growth"].map(lambda g: g is not None)
    merged["_neg"] = merged["growth"].map(lambda g: -g if g is not None else Fraction(0))
    merged = merged.sort_values(
        ["_has", "_neg", "net_sales", "customer_uscc"], ascending=[False, True, False, True],
        kind="mergesort",
    ).drop(columns=["_has", "_neg"]).reset_index(drop=True)
    merged.insert(0, "rank", range(1, len(merged) + 1))
    return merged
