"""Visits (policy.md, Visits; 第十二、十七、十八条), as of E = 2026-03-31.

Required interval by subsidiary class and grade in force (二级 when none); 逾期未拜访 when
E − the latest visit > the interval; never visited: 从未拜访 in stage 已签约 or 日常维护,
else 无需拜访. A customers need a 公司领导 visit, B customers a 销售主管 or 公司领导 visit,
within 183 days of E.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xlcrm.config import Policy
from xlcrm.policy.visits import NEVER, NORMAL, NOT_NEEDED, OVERDUE, complaints, unique_visits, visit_status

POLICY = Policy()
D = dt.date
E = D(2026, 3, 31)
W_START = D(2026, 1, 1)


def _days_before_e(days: int) -> dt.date:
    return E - dt.timedelta(days=days)


def _visits(rows: list[tuple[str, str, dt.date, str]], complaint: list[str | None] | None = None) -> pd.DataFrame:
    """(subsidiary, customer, date, visitor role)."""
    frame = pd.DataFrame(rows, columns=["subsidiary", "customer_uscc", "date", "visitor_role"])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[s]")
    frame["complaint"] = complaint if complaint is not None else [None] * len(frame)
    return frame


def _status(customers: list[tuple[str, str, str]], classes: dict[tuple[str, str], str],
            grades: dict[tuple[str, str], str], visits: pd.DataFrame) -> pd.DataFrame:
    """customers: (subsidiary, uscc, stage)."""
    current = pd.DataFrame({"subsidiary": [c[0] for c in customers], "uscc": [c[1] for c in customers],
                            "customer_name": [f"客户{c[1]}" for c in customers], "stage": [c[2] for c in customers]})
    class_frame = pd.DataFrame({"scope": [k[0] for k in classes], "customer_uscc": [k[1] for k in classes],
                                "customer_class": list(classes.values())})
    grade_frame = pd.DataFrame({"subsidiary": [k[0] for k in grades], "customer_uscc": [k[1] for k in grades],
                                "grade": pd.Series(list(grades.values()), dtype="string")})
    result = visit_status(current, class_frame, grade_frame, visits, W_START, E, POLICY)
    return result.set_index("customer_uscc")


@pytest.mark.parametrize(("cls", "grade", "interval"), [
    ("A", "一级", 30), ("A", "二级", 30), ("A", "三级", 15),
    ("B", "一级", 60), ("B", "二级", 45), ("B", "三级", 30),
    ("C", "一级", 90), ("C", "二级", 90), ("C", "三级", 60),
    # No grade in force: 二级.
    ("A", None, 30), ("B", None, 45), ("C", None, 90),
])
def test_interval_by_class_and_grade(cls: str, grade: str | None, interval: int) -> None:
    # U1 last visited exactly `interval` days before E, U2 one day earlier.
    keys = [("S1", "U1"), ("S1", "U2")]
    frame = _status(
        [("S1", "U1", "日常维护"), ("S1", "U2", "日常维护")],
        dict.fromkeys(keys, cls), {} if grade is None else dict.fromkeys(keys, grade),
        _visits([("S1", "U1", _days_before_e(interval), "业务员"),
                 ("S1", "U1", _days_before_e(interval + 40), "业务员"),
                 ("S1", "U2", _days_before_e(interval + 1), "业务员")]),
    )
    assert list(frame["interval"]) == [interval, interval]
    assert list(frame["days_since"]) == [interval, interval + 1]
    assert list(frame["status"]) == [NORMAL, OVERDUE]
    assert list(frame["grade"]) == [grade or "二级"] * 2


@pytest.mark.parametrize(("stage", "status"), [
    ("已签约", NEVER),
    ("日常维护", NEVER),
    ("潜在", NOT_NEEDED),
    ("初步接触", NOT_NEEDED),
])
def test_never_visited_by_stage(stage: str, status: str) -> None:
    # A visit after E does not count; nor does another subsidiary's visit to the customer.
    frame = _status([("S1", "U1", stage)], {("S1", "U1"): "B"}, {},
                    _visits([("S1", "U1", D(2026, 4, 1), "业务员"), ("S2", "U1", D(2026, 3, 1), "业务员")]))
    assert frame.at["U1", "status"] == status
    assert (NORMAL, OVERDUE, NEVER, NOT_NEEDED) == ("正常", "逾期未拜访", "从未拜访", "无需拜访")


@pytest.mark.parametrize(("cls", "visits", "leader"), [
    ("A", [(183, "公司领导")], "已拜访"),
    ("A", [(184, "公司领导")], "未拜访"),
    ("A", [(1, "销售主管"), (2, "业务员")], "未拜访"),
    ("A", [(0, "公司领导")], "已拜访"),
    ("B", [(183, "销售主管")], "已拜访"),
    ("B", [(184, "销售主管")], "未拜访"),
    ("B", [(10, "公司领导")], "已拜访"),
    ("B", [(10, "业务员")], "未拜访"),
    ("B", [], "未拜访"),
    ("C", [], "不要求"),
    ("C", [(10, "公司领导")], "不要求"),
    # A visit after E does not count.
    ("A", [(-1, "公司领导")], "未拜访"),
])
def test_leader_visits(cls: str, visits: list[tuple[int, str]], leader: str) -> None:
    frame = _status([("S1", "U1", "日常维护")], {("S1", "U1"): cls}, {},
                    _visits([("S1", "U1", _days_before_e(d), role) for d, role in visits]))
    assert frame.at["U1", "leader_visit"] == leader


def test_each_subsidiary_uses_its_own_class_and_grade() -> None:
    # U1 is A at S1 (interval 15 at 三级) and C at S2 (interval 90 at 二级 by default).
    visits = _visits([("S1", "U1", _days_before_e(20), "业务员"), ("S2", "U1", _days_before_e(20), "业务员")])
    result = visit_status(
        pd.DataFrame({"subsidiary": ["S1", "S2"], "uscc": ["U1", "U1"], "customer_name": "甲", "stage": "日常维护"}),
        pd.DataFrame({"scope": ["S1", "S2"], "customer_uscc": ["U1", "U1"], "customer_class": ["A", "C"]}),
        pd.DataFrame({"subsidiary": ["S1"], "customer_uscc": ["U1"], "grade": ["三级"]}),
        visits, W_START, E, POLICY)
    assert list(zip(result["subsidiary"], result["interval"], result["status"], result["leader_visit"])) == [
        ("S1", 15, OVERDUE, "未拜访"), ("S2", 90, NORMAL, "不要求")]


def test_visits_in_the_window_are_counted() -> None:
    frame = _status([("S1", "U1", "日常维护")], {("S1", "U1"): "C"}, {}, _visits([
        ("S1", "U1", D(2025, 12, 31), "业务员"), ("S1", "U1", W_START, "业务员"), ("S1", "U1", E, "业务员"),
        ("S1", "U1", D(2026, 4, 1), "业务员"),
    ]))
    assert frame.at["U1", "visits"] == 2
    assert frame.at["U1", "days_since"] == 0


def test_a_visit_sent_twice_counts_once_with_the_later_details() -> None:
    visits = pd.DataFrame({
        "run_month": ["2026-03", "2026-06", "2026-03", "2026-03"],
        "period": ["2026Q1", "2026Q2", "2026Q1", "2026Q1"],
        "source_file": ["q1.xlsx", "q2.xlsx", "q1.xlsx", "q1.xlsx"],
        "source_row": [2, 7, 3, 4],
        "subsidiary": "S1", "customer_uscc": "U1",
        "date": pd.to_datetime(["2026-03-20", "2026-03-20", "2026-03-20", "2026-03-21"]).astype("datetime64[s]"),
        # NFKC and trimmed: the same visitor; 赵六 is another visit on the same day.
        "visitor": ["王五", " 王五 ", "赵六", "王五"],
        "content": ["初稿", "更正", "另一人", "次日"],
    })
    unique = unique_visits(visits)
    assert sorted(unique["content"]) == sorted(["更正", "另一人", "次日"])
    assert len(unique) == 3


def test_a_visit_repeated_in_a_correction_of_the_same_period() -> None:
    visits = pd.DataFrame({
        "run_month": ["2026-03", "2026-03"], "period": ["2026Q1", "2026Q1"],
        "source_file": ["a.xlsx", "b.xlsx"], "source_row": [5, 2],
        "subsidiary": "S1", "customer_uscc": "U1",
        "date": pd.to_datetime(["2026-03-20", "2026-03-20"]).astype("datetime64[s]"),
        "visitor": ["ＡＢ", "AB"],  # full-width and half-width: one visitor
        "content": ["a", "b"],
    })
    assert list(unique_visits(visits)["content"]) == ["b"]


def test_complaints_of_a_customers_first() -> None:
    visits = _visits([
        ("S1", "U1", D(2026, 2, 1), "业务员"),  # C at S1
        ("S1", "U2", D(2026, 3, 1), "业务员"),  # A at S1
        ("S2", "U1", D(2026, 1, 5), "业务员"),  # A at S2
        ("S1", "U2", D(2026, 1, 9), "业务员"),  # A at S1, earlier
        ("S1", "U3", D(2026, 3, 2), "业务员"),  # B at S1
        ("S1", "U2", D(2025, 12, 31), "业务员"),  # before W
        ("S1", "U2", D(2026, 2, 2), "业务员"),  # no complaint
        ("S1", "U9", D(2026, 2, 3), "业务员"),  # not classified: C
    ], complaint=["慢", "贵", "差", "早", "少", "旧", None, "无类"])
    classes = pd.DataFrame({"scope": ["S1", "S1", "S1", "S2"], "customer_uscc": ["U1", "U2", "U3", "U1"],
                            "customer_class": ["C", "A", "B", "A"]})
    listed = complaints(visits, classes, W_START, E)
    assert list(zip(listed["customer_class"], listed["subsidiary"], listed["complaint"])) == [
        ("A", "S1", "早"), ("A", "S1", "贵"), ("A", "S2", "差"), ("B", "S1", "少"), ("C", "S1", "慢"),
        ("C", "S1", "无类")]
