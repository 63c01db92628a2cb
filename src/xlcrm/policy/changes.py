"""Changes to the archives (policy.md, Changes to the archives; 第九、十二条).

Each subsidiary's 客户信息表 against its previous period in the ledger:
new customers, customers no longer listed, changed fields (one row per
field; 法定代表人 and 联系人 are the personnel changes 第十二条 asks to watch),
and group class changes.
"""

from __future__ import annotations

import pandas as pd

from ..schema import CUSTOMERS
from ..values import match_key

NEW, LOST, CHANGED, RECLASSIFIED = "新增客户", "流失客户", "信息变更", "分类变化"
WATCHED = ("customer_name", "legal_rep", "address", "contact", "phone", "salesperson",
           "relationship", "payment_terms", "credit_days")
COLUMNS = ["change", "subsidiary", "customer_uscc", "customer_name", "field", "old", "new"]


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def archive_changes(subsidiary: str, current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """current/previous: one subsidiary's customer sheets (field keys as columns)."""
    cur = current.drop_duplicates("uscc").set_index("uscc")
    prev = previous.drop_duplicates("uscc").set_index("uscc")
    rows: list[dict[str, object]] = []
    for uscc in sorted(set(cur.index) - set(prev.index)):
        rows.append({"change": NEW, "customer_uscc": uscc,
                     "customer_name": cur.at[uscc, "customer_name"]})
    for uscc in sorted(set(prev.index) - set(cur.index)):
        rows.append({"change": LOST, "customer_uscc": uscc,
                     "customer_name": prev.at[uscc, "customer_name"]})
    common = sorted(set(cur.index) & set(prev.index))
    if common:
        for key in WATCHED:
            old = prev.loc[common, key].astype("string")
            new = cur.loc[common, key].astype("string")
            differs = match_key(old).fillna("") != match_key(new).fillna("")
            label = CUSTOMERS.field(key).label
            for uscc in differs[differs].index:
                rows.append({"change": CHANGED, "customer_uscc": uscc,
                             "customer_name": cur.at[uscc, "customer_name"], "field": label,
                             "old": _text(prev.at[uscc, key]), "new": _text(cur.at[uscc, key])})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["subsidiary"] = subsidiary
    return frame


def class_changes(group_classes: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """group_classes: customer_uscc, customer_class, previous_class, class_change."""
    changed = group_classes[group_classes["class_change"] != ""]
    return pd.DataFrame({
        "change": RECLASSIFIED,
        "subsidiary": "",
        "customer_uscc": changed["customer_uscc"],
        "customer_name": changed["customer_uscc"].map(names),
        "field": "客户分类",
        "old": changed["previous_class"],
        "new": changed["customer_class"],
    }, columns=COLUMNS)
