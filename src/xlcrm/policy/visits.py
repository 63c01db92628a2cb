"""Visits (policy.md, Visits; 第十、十二、十七、十八条).

Each customer of a subsidiary's current sheet must be visited as often as its
subsidiary class and credit grade require; A customers need a company
leader's visit and B customers a sales manager's (or leader's) within 183
days; complaints of A customers come first. Evaluated in quarter-end runs.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..config import Policy
from ..values import match_key

NORMAL, OVERDUE, NEVER, NOT_NEEDED = "正常", "逾期未拜访", "从未拜访", "无需拜访"
ACTIVE_STAGES = ("已签约", "日常维护")
LEADER_ROLES = {"A": ("公司领导",), "B": ("销售主管", "公司领导")}
DEFAULT_GRADE = "二级"


def unique_visits(visits: pd.DataFrame) -> pd.DataFrame:
    """The same visit (subsidiary, customer, date, visitor) sent twice counts once, with the
    details of the later submission."""
    frame = visits.assign(_visitor=match_key(visits["visitor"].astype("string")))
    frame = frame.sort_values(["run_month", "period", "source_file", "source_row"], kind="mergesort")
    return frame.drop_duplicates(["subsidiary", "customer_uscc", "date", "_visitor"], keep="last").drop(
        columns="_visitor")


def visit_status(current: pd.DataFrame, classes: pd.DataFrame, grades: pd.DataFrame,
                 visits: pd.DataFrame, window_start: dt.date, end: dt.date, policy: Policy,
                 last_visits: pd.DataFrame | None = None) -> pd.DataFrame:
    """current: subsidiary, uscc, customer_name, stage. classes: scope (subsidiary),
    customer_uscc, customer_class. grades: subsidiary, customer_uscc, grade in force.
    visits: unique visits up to E (at least those of the window and of the last
    `leader_visit_days`). last_visits: subsidiary, customer_uscc, last_visit carried from
    earlier periods (policy.carry), when `visits` does not reach back to every visit.
    """
    keys = ["subsidiary", "customer_uscc"]
    frame = current.rename(columns={"uscc": "customer_uscc"})[
        ["subsidiary", "customer_uscc", "customer_name", "stage"]].drop_duplicates(keys)
    cls = classes.rename(columns={"scope": "subsidiary"})[[*keys, "customer_class"]]
    frame = frame.merge(cls, on=keys, how="left").merge(grades[[*keys, "grade"]], on=keys, how="left")
    frame["customer_class"] = frame["customer_class"].fillna("C")
    frame["grade"] = frame["grade"].astype("string").fillna(DEFAULT_GRADE)
    table = policy.visit_interval_days
    intervals = {(c, g): int(days) for c, by_grade in table.items() for g, days in by_grade.items()}
    frame["interval"] = [intervals[(c, g)] for c, g in zip(frame["customer_class"], frame["grade"])]
    upto = visits[visits["date"] <= pd.Timestamp(end)]
    last = upto.groupby(keys)["date"].max()
    if last_visits is not None and not last_visits.empty:
        carried = last_visits.dropna(subset=["last_visit"]).set_index(keys)["last_visit"]
        last = pd.concat([last, pd.to_datetime(carried).astype("datetime64[s]")]).groupby(level=[0, 1]).max()
    last = last.rename("last_visit")
    in_window = upto[upto["date"] >= pd.Timestamp(window_start)].groupby(keys).size().rename("visits")
    frame = frame.merge(last.reset_index(), on=keys, how="left").merge(
        in_window.reset_index(), on=keys, how="left")
    frame["visits"] = frame["visits"].fillna(0).astype("int64")
    days = (pd.Timestamp(end) - frame["last_visit"]).dt.days
    frame["days_since"] = pd.array(days.tolist(), dtype="Int64")
    has = frame["last_visit"].notna()
    active = frame["stage"].isin(ACTIVE_STAGES)
    overdue = (frame["days_since"] > frame["interval"]).fillna(False).astype(bool)
    frame["status"] = np.where(has, np.where(overdue, OVERDUE, NORMAL),
                               np.where(active, NEVER, NOT_NEEDED))
    # Leaders' visits within the last leader_visit_days, per role (第十二条).
    recent = upto[(pd.Timestamp(end) - upto["date"]).dt.days <= policy.leader_visit_days]
    index = pd.MultiIndex.from_frame(frame[keys])
    leader = pd.Series("不要求", index=frame.index)
    for cls_name, roles in LEADER_ROLES.items():
        seen = recent[recent["visitor_role"].isin(roles)]
        met = index.isin(pd.MultiIndex.from_frame(seen[keys].astype(str))) if len(seen) else \
            np.zeros(len(frame), dtype=bool)
        mine = (frame["customer_class"] == cls_name).to_numpy()
        leader[mine] = np.where(met[mine], "已拜访", "未拜访")
    frame["leader_visit"] = leader
    return frame.sort_values(["subsidiary", "customer_class", "customer_uscc"]).reset_index(drop=True)


def complaints(visits: pd.DataFrame, classes: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Complaints in the window; those of the subsidiary's A customers first (第十二条(一)4)."""
    keys = ["subsidiary", "customer_uscc"]
    frame = visits[visits["complaint"].notna() & (visits["date"] >= pd.Timestamp(start))
                   & (visits["date"] <= pd.Timestamp(end))]
    cls = classes.rename(columns={"scope": "subsidiary"})[[*keys, "customer_class"]]
    frame = frame.merge(cls, on=keys, how="left")
    frame["customer_class"] = frame["customer_class"].fillna("C")
    return frame.sort_values(["customer_class", "subsidiary", "date"]).reset_index(drop=True)
