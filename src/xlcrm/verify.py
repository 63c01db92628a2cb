"""`xlcrm verify`: a summary workbook checked against its inputs and the ledger.

The inputs named in 审计追溯 are hashed again; the run named on 封面 must be a
successful run of the ledger with exactly those inputs; and the classes of
客户分类 must be the ledger's classes for that month (a summary made before a
re-run of its month no longer matches).
"""

from __future__ import annotations

from pathlib import Path

import fastexcel
import pandas as pd

from .ledger import GROUP_SCOPE, Ledger
from .read import file_digest
from .write.summary import AUDIT_SHEET, INBOX_LABEL, RUN_ID_LABEL


def _sheet(reader: fastexcel.ExcelReader, name: str) -> pd.DataFrame:
    return reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_pandas()


def _table(frame: pd.DataFrame, first_header: str) -> pd.DataFrame:
    """The table whose header row starts with `first_header`, up to its first blank row."""
    first_col = frame.iloc[:, 0]
    header_at = first_col[first_col == first_header].index[0]
    header = frame.loc[header_at].tolist()
    body = frame.loc[header_at + 1:]
    # The body ends at a blank row or at the 合计 row (合计 sits in the first text column).
    blank = body.isna().all(axis=1) | body.isin(["合计", "（无数据）"]).any(axis=1)
    end = blank[blank].index.min() if blank.any() else None
    body = body.loc[: end - 1] if end is not None else body
    body.columns = header
    return body.reset_index(drop=True)


def verify_summary(summary: Path, ledger: Ledger, inbox: Path | None = None) -> tuple[list[str], int]:
    """(problems, inputs checked)."""
    problems: list[str] = []
    try:
        reader = fastexcel.read_excel(summary)
        cover = _sheet(reader, "封面")
        audit = _table(_sheet(reader, AUDIT_SHEET), "文件")
        classes = _table(_sheet(reader, "客户分类"), "排名")
    except (fastexcel.FastExcelError, IndexError, KeyError) as e:
        return [f"{summary} 不是 xlcrm 生成的汇总表：{e}"], 0
    facts = {str(k).rstrip("："): v for k, v in zip(cover.iloc[:, 0], cover.iloc[:, 1])
             if isinstance(k, str)}
    run_id = int(facts.get(RUN_ID_LABEL, "0") or 0)
    root = inbox or Path(str(facts.get(INBOX_LABEL, ".")))
    record = ledger.runs()
    record = record[record["id"] == run_id]
    if record.empty:
        return [f"台账中没有运行编号 {run_id}"], 0
    run = record.iloc[0]
    if run["outcome"] != "ok":
        problems.append(f"运行 {run_id} 的结果是 {run['outcome']}，不是成功的汇总")
    recorded = ledger.run_inputs(run_id)
    in_ledger = dict(zip(recorded["file"], recorded["sha256"]))
    in_summary = dict(zip(audit["文件"], audit["SHA-256"]))
    for f in sorted(set(in_ledger) ^ set(in_summary)):
        where = "台账" if f in in_ledger else "汇总表"
        problems.append(f"输入文件 {f} 只在{where}中出现")
    checked = 0
    for f, digest in sorted(in_summary.items()):
        if in_ledger.get(f) not in (None, digest):
            problems.append(f"{f} 的哈希在汇总表与台账中不同")
        path = root / f
        if not path.is_file():
            problems.append(f"找不到输入文件 {path}")
            continue
        checked += 1
        if file_digest(path)[0] != digest:
            problems.append(f"{f} 已被修改：哈希与汇总时不同")
    ledger_classes = ledger.classes_of(str(run["run_month"]))
    ledger_classes = ledger_classes[ledger_classes["scope"] == GROUP_SCOPE]
    expected = dict(zip(ledger_classes["customer_uscc"], ledger_classes["customer_class"]))
    shown = dict(zip(classes["统一社会信用代码"], classes["客户分类"]))
    if expected != shown:
        differ = sorted(k for k in set(expected) | set(shown) if expected.get(k) != shown.get(k))
        problems.append(f"客户分类与台账不一致（{len(differ)} 户，如 {'、'.join(differ[:3])}）")
    return problems, checked
