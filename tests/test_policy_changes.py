"""Changes to the archives (policy.md, Changes to the archives; 第九条).

A subsidiary's 客户信息表 against its previous period: 新增客户, 流失客户, 信息变更 (one row
per changed watched field, values compared by their match key: NFKC, trimmed) and 分类变化
(group class, 填报单位 blank).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from xlcrm.policy.changes import CHANGED, COLUMNS, LOST, NEW, RECLASSIFIED, archive_changes, class_changes

BASE: dict[str, Any] = {
    "customer_name": "华东化工有限公司", "legal_rep": "张三", "address": "上海市浦东新区1号", "contact": "李四",
    "phone": "13800138000", "salesperson": "王五", "relationship": "直销客户", "payment_terms": "月结",
    "credit_days": 30, "province": "上海市",
}


def _sheet(rows: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """USCC -> overrides of BASE, typed as the ledger gives them."""
    frame = pd.DataFrame([{"uscc": u, **BASE, **r} for u, r in rows.items()], columns=["uscc", *BASE])
    for col in frame.columns:
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64") if col == "credit_days" else \
            frame[col].astype("string")
    return frame


def _changes(current: dict[str, dict[str, Any]], previous: dict[str, dict[str, Any]]) -> list[tuple[str, ...]]:
    frame = archive_changes("化工一厂", _sheet(current), _sheet(previous))
    assert list(frame.columns) == COLUMNS
    assert set(frame["subsidiary"]) <= {"化工一厂"}
    return [tuple("" if pd.isna(v) else str(v) for v in row)
            for row in frame[["change", "customer_uscc", "field", "old", "new"]].itertuples(index=False)]


def test_new_and_lost_customers() -> None:
    assert _changes({"U1": {}, "U3": {}, "U2": {}}, {"U1": {}, "U4": {"customer_name": "旧客户"}}) == [
        (NEW, "U2", "", "", ""), (NEW, "U3", "", "", ""), (LOST, "U4", "", "", "")]
    assert (NEW, LOST, CHANGED, RECLASSIFIED) == ("新增客户", "流失客户", "信息变更", "分类变化")


def test_the_lost_customer_keeps_its_previous_name() -> None:
    frame = archive_changes("S", _sheet({"U1": {}}), _sheet({"U1": {}, "U4": {"customer_name": "旧客户"}}))
    assert list(zip(frame["change"], frame["customer_name"])) == [(LOST, "旧客户")]


@pytest.mark.parametrize(("key", "label", "old", "new"), [
    ("customer_name", "客户名称", "华东化工有限公司", "华东化工股份有限公司"),
    ("legal_rep", "法定代表人", "张三", "赵六"),
    ("address", "地址", "上海市浦东新区1号", "上海市浦东新区2号"),
    ("contact", "联系人", "李四", "钱七"),
    ("phone", "联系电话", "13800138000", "13900139000"),
    ("salesperson", "负责业务员", "王五", "孙八"),
    ("relationship", "合作关系", "直销客户", "经销商"),
    ("payment_terms", "付款方式", "月结", "现款"),
    ("credit_days", "账期(天)", 30, 60),
    ("address", "地址", None, "上海市"),  # a blank filled in
    ("contact", "联系人", "李四", None),  # a value cleared
])
def test_one_row_per_changed_field(key: str, label: str, old: Any, new: Any) -> None:
    assert _changes({"U1": {key: new}}, {"U1": {key: old}}) == [
        (CHANGED, "U1", label, "" if old is None else str(old), "" if new is None else str(new))]


@pytest.mark.parametrize(("key", "old", "new"), [
    ("customer_name", "ＡＢＣ化工（上海）有限公司", "ABC化工(上海)有限公司"),  # full-width vs half-width
    ("legal_rep", " 张三 ", "张三"),  # trimmed
    ("phone", "１３８００１３８０００", "13800138000"),
    ("address", None, "  "),  # blank either way
    ("address", None, ""),
    ("province", "上海市", "江苏省"),  # not a watched field
])
def test_equal_by_match_key_or_not_watched(key: str, old: Any, new: Any) -> None:
    assert _changes({"U1": {key: new}}, {"U1": {key: old}}) == []


def test_several_fields_of_one_customer() -> None:
    rows = _changes({"U1": {"legal_rep": "赵六", "contact": "钱七", "credit_days": 45}, "U2": {}},
                    {"U1": {}, "U2": {"salesperson": "孙八"}})
    assert sorted(rows) == sorted([
        (CHANGED, "U1", "法定代表人", "张三", "赵六"),
        (CHANGED, "U1", "联系人", "李四", "钱七"),
        (CHANGED, "U1", "账期(天)", "30", "45"),
        (CHANGED, "U2", "负责业务员", "孙八", "王五"),
    ])


def test_the_first_period_has_everyone_new() -> None:
    assert _changes({"U1": {}}, {}) == [(NEW, "U1", "", "", "")]


def test_class_changes_one_row_per_changed_customer_with_subsidiary_blank() -> None:
    group = pd.DataFrame({
        "customer_uscc": ["U1", "U2", "U3", "U4"],
        "customer_class": ["A", "C", "B", "C"],
        "previous_class": ["B", "A", "B", None],
        "class_change": ["升级", "降级", "", ""],
    })
    frame = class_changes(group, {"U1": "甲公司", "U2": "乙公司"})
    assert list(frame.columns) == COLUMNS
    assert frame.to_dict("records") == [
        {"change": RECLASSIFIED, "subsidiary": "", "customer_uscc": "U1", "customer_name": "甲公司",
         "field": "客户分类", "old": "B", "new": "A"},
        {"change": RECLASSIFIED, "subsidiary": "", "customer_uscc": "U2", "customer_name": "乙公司",
         "field": "客户分类", "old": "A", "new": "C"},
    ]
