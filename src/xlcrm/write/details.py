"""The long lists at scale: 销售明细 and 超限发货 (spec/outputs.md, "Long lists at scale").

A person reads pages, not a million rows. When a per-transaction or per-shipment
list is longer than the setting `detail_rows_in_summary`, the summary shows its
aggregation per 填报单位 and 业务员 with a note naming where the rows are, and every
row goes to one workbook per subsidiary, OUT/明细/{填报单位}_{YYYY-MM}.xlsx, laid out
like the summary's sheets (sheets.write_report_sheet), each row with its source
file and row: what the head office can send back to the subsidiary.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook

from ..periods import Period
from ..results import Consolidation
from .common import atomic_workbook
from .sheets import Column, write_report_sheet

FOLDER = "明细"
# Excel holds 1,048,576 rows a sheet; a longer detail continues on 销售明细(2), (3) ...
DETAIL_ROWS_PER_SHEET = 1_000_000
DETAIL_TITLE = "本期销售明细（追溯）"
DETAIL_COLUMNS = [
    Column("填报单位", "subsidiary"), Column("日期", "date", "date"),
    Column("单据号", "document_no"), Column("统一社会信用代码", "customer_uscc"),
    Column("客户名称", "customer_name"), Column("业务类型", "type"),
    Column("金额(元)", "amount", "money"), Column("业务员", "salesperson"),
    Column("来源文件", "source_file"), Column("来源行", "source_row", "int"),
]
SHIPMENT_TITLE = "超资信额度发货明细表"
SHIPMENT_COLUMNS = [
    Column("填报单位", "subsidiary"), Column("日期", "date", "date"),
    Column("单据号", "document_no"), Column("统一社会信用代码", "customer_uscc"),
    Column("客户名称", "customer_name"), Column("发货金额(元)", "amount", "money", "sum"),
    Column("发货后应收余额(元)", "balance", "money"),
    Column("执行资信额度(元)", "limit", "money"), Column("业务员", "salesperson"),
    Column("类型", "kind"), Column("来源文件", "source_file"), Column("来源行", "source_row", "int"),
]
SHIPMENT_NOTE = "超限额发货造成的损失由销售人员及管理中心负责人承担（第十六条）"
NO_SALESPERSON = "（未填）"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def month_text(run_month: Period) -> str:
    return f"{run_month.year}-{run_month.first_month:02d}"


def detail_name(subsidiary: str, run_month: Period) -> str:
    """明细/{填报单位}_{YYYY-MM}.xlsx; characters a file name cannot hold become _."""
    return f"{_UNSAFE.sub('_', subsidiary).strip() or '_'}_{month_text(run_month)}.xlsx"


def too_long(r: Consolidation, rows: pd.DataFrame) -> bool:
    return len(rows) > r.config.policy.detail_rows_in_summary


def needed(r: Consolidation) -> bool:
    """Whether the run writes the per-subsidiary workbooks: either list is too long."""
    return too_long(r, r.detail) or too_long(r, r.limit_shipments)


def by_subsidiary(r: Consolidation) -> Iterator[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """(subsidiary, its transactions of W, its shipments over the limit), in name order."""
    detail = dict(tuple(r.detail.groupby("subsidiary", sort=True)))
    shipments = r.limit_shipments
    shipped = dict(tuple(shipments.groupby("subsidiary", sort=True))) if len(shipments) else {}
    for subsidiary in sorted(set(detail) | set(shipped)):
        yield (str(subsidiary), detail.get(subsidiary, r.detail.iloc[0:0]),
               shipped.get(subsidiary, shipments.iloc[0:0]))


def moved_note(r: Consolidation, sheet: str, rows: int) -> str:
    limit = r.config.policy.detail_rows_in_summary
    return (f"{sheet}共 {rows:,} 行，超过 {limit:,} 行（detail_rows_in_summary）：本表按填报单位和业务员汇总，"
            f"逐行明细（含来源文件与行号）见 {FOLDER}/ 文件夹中各单位的明细工作簿")


def _workbook_of(subsidiaries: pd.Series, run_month: Period) -> pd.Series:
    names = {s: f"{FOLDER}/{detail_name(str(s), run_month)}" for s in subsidiaries.unique()}
    return subsidiaries.map(names)


def detail_by_salesperson(r: Consolidation) -> pd.DataFrame:
    """笔数 and the 发货, 退货, 回款 amounts per 填报单位 and the row's 业务员."""
    d = r.detail
    amount = d["amount"].astype("int64")
    frame = pd.DataFrame({
        "subsidiary": d["subsidiary"].astype(str),
        "salesperson": d["salesperson"].astype(object).where(d["salesperson"].notna(), NO_SALESPERSON),
        "count": 1,
        "shipped": amount.where(d["type"] == "发货", 0),
        "returned": amount.where(d["type"] == "退货", 0),
        "collected": amount.where(d["type"] == "回款", 0),
    })
    grouped = frame.groupby(["subsidiary", "salesperson"], sort=True).sum().reset_index()
    grouped["workbook"] = _workbook_of(grouped["subsidiary"], r.run_month)
    return grouped


def shipments_by_salesperson(r: Consolidation) -> pd.DataFrame:
    """笔数, 发货金额 and the largest excess over the limit (the balance where no limit is in
    force) per 填报单位, the shipment's 业务员 and 类型."""
    s = r.limit_shipments
    excess = s["balance"].astype("int64") - s["limit"].astype("Int64").fillna(0).astype("int64")
    frame = pd.DataFrame({
        "subsidiary": s["subsidiary"].astype(str),
        "salesperson": s["salesperson"].astype(object).where(s["salesperson"].notna(), NO_SALESPERSON),
        "kind": s["kind"].astype(str), "count": 1, "amount": s["amount"].astype("int64"),
        "largest_excess": excess,
    })
    grouped = frame.groupby(["subsidiary", "salesperson", "kind"], sort=True).agg(
        count=("count", "sum"), amount=("amount", "sum"), largest_excess=("largest_excess", "max"),
    ).reset_index()
    grouped["workbook"] = _workbook_of(grouped["subsidiary"], r.run_month)
    return grouped


def write_detail_sheets(book: Workbook, d: pd.DataFrame, *, title: str, unit_line: str,
                        compiled_on: dt.date, note: str | None = None) -> None:
    """销售明细, continued on 销售明细(2) ... beyond what a sheet holds."""
    parts = max(1, -(-len(d) // DETAIL_ROWS_PER_SHEET))
    for i in range(parts):
        name = "销售明细" if i == 0 else f"销售明细({i + 1})"
        chunk = d.iloc[i * DETAIL_ROWS_PER_SHEET:(i + 1) * DETAIL_ROWS_PER_SHEET]
        part = f"第 {i + 1} 部分，共 {parts} 部分" if parts > 1 else None
        text = "；".join(t for t in (note, part) if t) or None
        write_report_sheet(book, name, title=title, unit_line=unit_line, columns=DETAIL_COLUMNS,
                           rows=chunk, note=text, totals=False, compiled_on=compiled_on)


@dataclass(frozen=True)
class Heading:
    """What a detail workbook says of its run (small, for the processes that write them)."""

    group: str
    window: Period
    run_month: Period
    run_id: int
    compiled_on: dt.date

    @classmethod
    def of(cls, r: Consolidation) -> Heading:
        return cls(r.config.group, r.window, r.run_month, r.run_id, r.compiled_at.date())


def write_detail(heading: Heading, subsidiary: str, tx: pd.DataFrame, shipments: pd.DataFrame,
                 target: Path) -> Path:
    """One subsidiary's workbook: its 销售明细 and 超限发货, every row."""
    w = heading.window
    unit_line = (f"编制单位：{heading.group}    填报单位：{subsidiary}    "
                 f"期间：{w.label_zh}（{w.start} 至 {w.end}）    金额单位：元")
    source = (f"集团客户管理汇总_{month_text(heading.run_month)}.xlsx（运行编号 {heading.run_id}）的逐笔明细，"
              "每行注明来源文件与行号")
    shipped = int(shipments["amount"].astype("int64").sum()) if len(shipments) else 0
    with atomic_workbook(target, row_by_row=True) as book:
        write_detail_sheets(book, tx, title=f"{DETAIL_TITLE}（{subsidiary} {w.label_zh}）",
                            unit_line=unit_line, compiled_on=heading.compiled_on,
                            note=f"{source}；共 {len(tx):,} 笔")
        write_report_sheet(book, "超限发货", title=f"{SHIPMENT_TITLE}（{subsidiary} {w.label_zh}）",
                           unit_line=unit_line, columns=SHIPMENT_COLUMNS, rows=shipments,
                           note=f"{SHIPMENT_NOTE}；共 {len(shipments):,} 笔，发货金额 "
                                f"{np.int64(shipped) / 100:,.2f} 元",
                           compiled_on=heading.compiled_on)
    return target
