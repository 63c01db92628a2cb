"""The written report 客户管理报告_{period}.html (第九条、第十一条), from a Jinja2 template."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd

from ..periods import Period
from ..values import fen_to_yuan
from .common import atomic_text

if TYPE_CHECKING:
    from ..results import Consolidation


def report_name(run_month: Period) -> str:
    return f"客户管理报告_{run_month.year}-{run_month.first_month:02d}.html"


def _yuan(fen: Any) -> str:
    if fen is None or pd.isna(fen):
        return ""
    return fen_to_yuan(int(fen))


def _rate(value: Any) -> str:
    if value is None or (not isinstance(value, (Fraction, str)) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        return value
    return f"{float(value):.1%}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("xlcrm", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["yuan"] = _yuan
    env.filters["rate"] = _rate
    return env


# A written report is read, not searched: its lists show this many rows and say where the
# whole list is (the summary workbook's sheet).
LISTED = 200


def _records(frame: pd.DataFrame, limit: int | None = None) -> list[dict[str, Any]]:
    rows = frame.head(limit) if limit else frame
    return [
        {k: (None if not isinstance(v, (Fraction, str, bool)) and pd.isna(v) else v)
         for k, v in row.items()}
        for row in rows.to_dict("records")
    ]


def render_report(r: Consolidation) -> str:
    group_sales = r.subsidiary_sales
    top = int(group_sales["net_sales"].max()) if not group_sales.empty else 0
    bars = [
        {"name": name, "net": int(net), "width": (100 * int(net) / top) if top > 0 else 0}
        for name, net in zip(group_sales["subsidiary"], group_sales["net_sales"])
    ]
    classes = r.group_classes["customer_class"].value_counts().to_dict()
    status_counts = r.status["status"].value_counts().to_dict() if not r.status.empty else {}
    net = int(group_sales["net_sales"].sum()) if not group_sales.empty else 0
    collected = int(group_sales["collected"].sum()) if not group_sales.empty else 0
    totals: dict[str, Any] = {
        "net": net, "collected": collected,
        "rate": Fraction(collected, net) if net > 0 else None,
    }
    potential = r.growth[r.growth["potential"]] if r.growth_known else r.growth.iloc[0:0]
    overdue = r.visits[r.visits["status"].isin(["逾期未拜访", "从未拜访"])].sort_values(
        ["customer_class", "subsidiary"], kind="mergesort") if not r.visits.empty else r.visits
    return _environment().get_template("report.html.j2").render(
        r=r,
        window=r.window.label_zh,
        bars=bars,
        totals=totals,
        classes={k: classes.get(k, 0) for k in ("A", "B", "C")},
        status_counts=status_counts,
        status=_records(r.status),
        changes=_records(r.changes, LISTED), changes_total=len(r.changes),
        growth=_records(potential, LISTED), growth_total=len(potential),
        leaders=_records(r.growth, 10),
        market=_records(r.market),
        visit_counts=r.visits["status"].value_counts().to_dict() if not r.visits.empty else {},
        overdue=_records(overdue, LISTED), overdue_total=len(overdue),
        complaints=_records(r.complaints, LISTED), complaints_total=len(r.complaints),
        warnings=_records(r.limit_warnings.sort_values("excess", ascending=False), 15),
        upgraded=int((r.group_classes["class_change"] == "升级").sum()),
        downgraded=int((r.group_classes["class_change"] == "降级").sum()),
    )


def write_report(r: Consolidation, target: Path) -> Path:
    """Written to a temporary file and renamed into place."""
    return atomic_text(target, render_report(r))
