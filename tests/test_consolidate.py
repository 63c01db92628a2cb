"""Consolidation computed by hand on a small group, read back from the written summary.

The group: 化工一厂 (quarterly) sells to five customers; 医药公司 (monthly)
and 贸易公司 (quarterly) also serve customer 0 under the same USCC. Net sales
over the trailing twelve months at 2026-03 (元): customer 0 800,000 (500,000 +
200,000 + 100,000 from three subsidiaries), customer 1 150,000, customer 2
50,000: a total of 1,000,000, so the cumulative shares before each are 0,
0.80 and 0.95 — exactly on the two cut-offs. Customer 3 shipped 1,000 and
took back 2,000 (v = −1,000); customer 4 bought nothing.

A year earlier (2025Q1, 化工一厂 only): customer 1 500,000, customer 0
100,000, customer 2 10,000, customer 3 3,000.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from builders import (
    CHEM,
    CONFIG,
    OTHER,
    PHARMA,
    USCC,
    credit_row,
    customer_row,
    market,
    reporter,
    sale_row,
    table,
    visit_row,
    write_workbook,
)
from xlcrm.cli import main
from xlcrm.consolidate import run
from xlcrm.ledger import Ledger, transactions
from xlcrm.periods import Period

MARCH = Period.month(2026, 3)


def _quarter_sheets(customers: list[dict[str, Any]], sales: list[dict[str, Any]],
                    day: dt.date) -> dict[str, Any]:
    nos = [c["客户编号"] for c in customers]
    return {
        "客户信息表": table(customers),
        "销售数据表": table(sales),
        "资信评估表": table([credit_row(no, 申请日期=day.replace(day=22),
                                    批复日期=day.replace(day=24)) for no in nos]),
        "拜访记录": table([visit_row(no, day) for no in nos]),
        "市场分析": market(),
    }


def _sale(no: str, amount: int, day: dt.date, doc: str, kind: str = "发货") -> dict[str, Any]:
    return sale_row(no, day, 单据号=doc, 业务类型=kind, 数量=None,
                    **{"金额(元)": amount, "单价(元)": None})


def write_group(inbox: Path, *, lost_customer_pays: bool = True) -> None:
    """The group's workbooks. With lost_customer_pays, 化工一厂's 2026Q1 sales hold a 回款
    of C007, known only from the ledger's 2025Q1 sheet: consolidate 2025-03 first."""
    # 2025Q1: 化工一厂 only (and a customer C007 that is gone by 2026).
    d25 = dt.date(2025, 3, 10)
    chem_2025 = [customer_row(f"C00{i + 1}", i) for i in range(5)] + [customer_row("C007", 6)]
    chem_sales_2025 = [
        _sale("C002", 500_000, d25, "A1"), _sale("C001", 100_000, d25, "A2"),
        _sale("C003", 10_000, d25, "A3"), _sale("C004", 3_000, d25, "A4"),
    ]
    write_workbook(inbox / "2025-03" / "chem.xlsx", {
        "填报单位": reporter(CHEM, "2025Q1", dt.date(2025, 4, 3)),
        **_quarter_sheets(chem_2025, chem_sales_2025, d25),
    })
    # 2026Q1: C002's contact changed, C006 is new, C007 gone.
    d26 = dt.date(2026, 3, 10)
    chem_2026 = [customer_row(f"C00{i + 1}", i) for i in range(5)] + [customer_row("C006", 5)]
    chem_2026[1]["联系人"] = "周八"
    chem_sales_2026 = [
        _sale("C001", 500_000, d26, "B1"), _sale("C002", 150_000, d26, "B2"),
        _sale("C003", 50_000, d26, "B3"), _sale("C004", 1_000, d26, "B4"),
        _sale("C004", 2_000, d26, "B5", "退货"),
    ]
    if lost_customer_pays:
        # C007 is no longer listed but pays what it owed: a 回款 alone does not put it
        # among the customers classified.
        chem_sales_2026.append(_sale("C007", 10_000, d26, "B6", "回款") | {"客户名称": None})
    write_workbook(inbox / "2026-03" / "chem.xlsx", {
        "填报单位": reporter(CHEM, "2026Q1", dt.date(2026, 4, 3)),
        **_quarter_sheets(chem_2026, chem_sales_2026, d26),
    })
    write_workbook(inbox / "2026-03" / "pharma.xlsx", {
        "填报单位": reporter(PHARMA, "2026-03", dt.date(2026, 4, 6)),
        **_quarter_sheets([customer_row("M01", 0)], [_sale("M01", 200_000, d26, "P1")], d26),
    })
    write_workbook(inbox / "2026-03" / "other.xlsx", {
        "填报单位": reporter(OTHER, "2026Q1", dt.date(2026, 4, 8)),
        **_quarter_sheets([customer_row("T01", 0)], [_sale("T01", 100_000, d26, "T1")], d26),
    })


def _consolidate(inbox: Path, out: Path, ledger: Ledger) -> None:
    for month in (Period.month(2025, 3), MARCH):
        run(inbox / f"{month}", month, CONFIG, ledger, out, display_root=inbox,
            now=lambda: dt.datetime(2026, 4, 9, 10, 0), operator="测试员")


def write_config(folder: Path) -> Path:
    """The test group's xlcrm.toml, with its SQLite ledger beside it."""
    config = folder / "xlcrm.toml"
    config.write_text(
        'group = "测试集团"\nledger = "ledger.sqlite"\n'
        + "".join(f'[[subsidiaries]]\nname = "{s.name}"\nindustry = "{s.industry}"\n'
                  for s in CONFIG.subsidiaries), encoding="utf-8")
    return config


def sheet_rows(path: Path, name: str, header_first: str) -> list[dict[str, Any]]:
    """The body rows of a report sheet as dicts by header (stops at 合计 or a blank row)."""
    ws = openpyxl.load_workbook(path, data_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == header_first)
    header = rows[at]
    body = []
    for r in rows[at + 1:]:
        if not any(v is not None for v in r) or "合计" in r:
            break
        body.append({h: v for h, v in zip(header, r) if h})
    return body


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("group")
    write_group(base / "inbox")
    ledger = Ledger.open(f"sqlite:///{base / 'ledger.sqlite'}")
    _consolidate(base / "inbox", base / "out", ledger)
    return base / "out" / "集团客户管理汇总_2026-03.xlsx"


def test_classes_on_the_exact_cut_offs(summary: Path) -> None:
    rows = sheet_rows(summary, "客户分类", "排名")
    got = [(r["统一社会信用代码"], r["近12个月净销售额(元)"], r["累计占比"], r["客户分类"],
            r["上期分类"], r["分类变化"]) for r in rows]
    assert got == [
        (USCC[0], 800_000, pytest.approx(0.80), "A", "B", "升级"),
        (USCC[1], 150_000, pytest.approx(0.95), "B", "A", "降级"),
        (USCC[2], 50_000, pytest.approx(1.0), "C", "C", None),
        # v <= 0: after the others, v descending then USCC, with no share.
        (USCC[4], 0, None, "C", "C", None),
        (USCC[5], 0, None, "C", None, None),  # new in 2026: no previous class
        (USCC[3], -1_000, None, "C", "C", None),
    ]


def test_growth_ranking_and_potential(summary: Path) -> None:
    rows = sheet_rows(summary, "增长排名", "排名")
    got = [(r["排名"], r["统一社会信用代码"], r["本期净销售额(元)"], r["上年同期净销售额(元)"],
            r["同比增长率"], r["潜力客户"]) for r in rows]
    assert got == [
        (1, USCC[0], 800_000, 100_000, pytest.approx(7.0), "否"),  # A: never potential
        (2, USCC[2], 50_000, 10_000, pytest.approx(4.0), "是"),  # C, >= 30%, exactly 50,000
        (3, USCC[1], 150_000, 500_000, pytest.approx(-0.7), "否"),
        (4, USCC[3], -1_000, 3_000, pytest.approx(-4 / 3), "否"),
    ]


def test_customer_served_by_three_subsidiaries(summary: Path) -> None:
    rows = {r["统一社会信用代码"]: r for r in sheet_rows(summary, "客户一览表", "统一社会信用代码")}
    first = rows[USCC[0]]
    assert first["服务单位"] == "、".join(sorted([CHEM, PHARMA, OTHER]))
    assert first["本期净销售额(元)"] == 800_000
    assert first["客户分类"] == "A"
    assert first["资信等级"] == "一级"
    assert first["同比增长率"] == pytest.approx(7.0)


def test_sales_summary_by_subsidiary_and_class(summary: Path) -> None:
    rows = sheet_rows(summary, "销售汇总", "填报单位")
    chem = {r["客户分类"]: r for r in rows if r["填报单位"] == CHEM}
    assert chem["A"]["发货金额(元)"] == 500_000
    assert chem["C"]["发货金额(元)"] == 51_000
    assert chem["C"]["退货金额(元)"] == 2_000
    assert chem["C"]["净销售额(元)"] == 49_000
    assert chem["A"]["上年同期净销售额(元)"] == 100_000
    # Receivables: opening 10,000 from the first sheet + shipments − returns (no collections).
    assert chem["A"]["期末应收余额(元)"] == 10_000 + 100_000 + 500_000
    ws = openpyxl.load_workbook(summary)["销售汇总"]
    formulas = [c.value for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=SUM(")]
    assert formulas, "totals are written as formulas"


def test_submission_status(summary: Path) -> None:
    rows = sheet_rows(summary, "报送情况", "填报单位")
    got = {(r["填报单位"], r["报表"]): (r["状态"], r["逾期天数"]) for r in rows}
    assert got[(CHEM, "客户信息表")] == ("按时", None)
    assert got[(PHARMA, "销售数据表")] == ("按时", None)  # 6th: on the day
    assert got[(OTHER, "客户信息表")] == ("逾期", 2)  # 8th against the 6th
    assert got[(OTHER, "拜访记录")] == ("按时", None)  # due the 10th
    assert len(rows) == 3 * 5


def test_archive_changes(summary: Path) -> None:
    rows = sheet_rows(summary, "档案变动", "变动类型")
    got = {(r["变动类型"], r["填报单位"], r["统一社会信用代码"], r["字段"], r["原值"], r["新值"])
           for r in rows}
    assert ("新增客户", CHEM, USCC[5], None, None, None) in got
    assert ("流失客户", CHEM, USCC[6], None, None, None) in got
    assert ("信息变更", CHEM, USCC[1], "联系人", "钱七", "周八") in got
    assert ("分类变化", None, USCC[0], "客户分类", "B", "A") in got


def test_text_from_a_submission_is_never_a_formula(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    d = dt.date(2026, 3, 10)
    evil = '=HYPERLINK("http://x","点我")'
    write_workbook(inbox / "2026-03" / "chem.xlsx", {
        "填报单位": reporter(CHEM, "2026Q1", dt.date(2026, 4, 3)),
        **_quarter_sheets([customer_row("C001", 0, 客户名称=evil)],
                          [_sale("C001", 1_000, d, "X1") | {"客户名称": evil}], d),
    })
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.sqlite'}")
    run(inbox / "2026-03", MARCH, CONFIG, ledger, tmp_path / "out", display_root=inbox)
    ws = openpyxl.load_workbook(tmp_path / "out" / "集团客户管理汇总_2026-03.xlsx")["客户一览表"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == evil]
    assert cells and all(c.data_type == "s" for c in cells)


def test_growth_unknown_without_last_year(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_group(inbox, lost_customer_pays=False)
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.sqlite'}")
    run(inbox / "2026-03", MARCH, CONFIG, ledger, tmp_path / "out", display_root=inbox)
    path = tmp_path / "out" / "集团客户管理汇总_2026-03.xlsx"
    ws = openpyxl.load_workbook(path)["增长排名"]
    texts = [c.value for row in ws.iter_rows(max_row=4) for c in row if isinstance(c.value, str)]
    assert any("同比增长率无法计算" in t for t in texts)
    rows = sheet_rows(path, "增长排名", "排名")
    assert rows and all(r["同比增长率"] is None for r in rows)
    assert all(r["潜力客户"] == "否" for r in rows)


def test_cli_consolidate_runs_and_verify(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_group(inbox)
    config = write_config(tmp_path)
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(main, ["consolidate", str(inbox), "--out", str(out),
                                  "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "2025-03：汇总 1 个工作簿，退回 0 个" in result.output
    assert "2026-03：汇总 3 个工作簿，退回 0 个" in result.output
    # Nothing changed: a second run has nothing to do.
    again = runner.invoke(main, ["consolidate", str(inbox), "--out", str(out),
                                 "--config", str(config)])
    assert again.exit_code == 0
    assert "没有需要汇总的月份" in again.output
    history = runner.invoke(main, ["runs", "--config", str(config)])
    assert history.exit_code == 0
    assert history.output.count(" ok ") == 2
    summary = out / "集团客户管理汇总_2026-03.xlsx"
    ok = runner.invoke(main, ["verify", str(summary), "--config", str(config)])
    assert ok.exit_code == 0, ok.output
    assert "核对通过：3 个输入文件" in ok.output
    # An input changed after the run: verify fails.
    write_workbook(inbox / "2026-03" / "other.xlsx", {
        "填报单位": reporter(OTHER, "2026Q1", dt.date(2026, 4, 9)),
        **_quarter_sheets([customer_row("T01", 0)],
                          [_sale("T01", 999, dt.date(2026, 3, 1), "T1")], dt.date(2026, 3, 1)),
    })
    bad = runner.invoke(main, ["verify", str(summary), "--config", str(config)])
    assert bad.exit_code == 1
    assert "2026-03/other.xlsx 已被修改" in bad.output


def test_returned_workbook_is_not_loaded(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    d = dt.date(2026, 3, 10)
    write_workbook(inbox / "2026-03" / "chem.xlsx", {
        "填报单位": reporter(CHEM, "2026Q1", dt.date(2026, 4, 3)),
        **_quarter_sheets([customer_row("C001", 0)],
                          [_sale("C001", 1_000, d, "X1"), _sale("C001", 500, d, "X2") | {
                              "金额(元)": "abc"}], d),
    })
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.sqlite'}")
    outcome = run(inbox / "2026-03", MARCH, CONFIG, ledger, tmp_path / "out", display_root=inbox)
    assert outcome.statuses == {"2026-03/chem.xlsx": "退回"}
    assert ledger.frame(transactions).empty
    partial = run(inbox / "2026-03", MARCH, CONFIG, ledger, tmp_path / "out", display_root=inbox,
                  accept_partial=True)
    assert partial.statuses == {"2026-03/chem.xlsx": "部分汇总"}
    loaded = ledger.frame(transactions)
    assert loaded["document_no"].tolist() == ["X1"]
    rows = sheet_rows(tmp_path / "out" / "集团客户管理汇总_2026-03.xlsx", "审计追溯", "文件")
    assert rows[0]["状态"] == "部分汇总"
    assert rows[0]["错误数"] == 1


_KILL_SCRIPT = """
import os, signal, sys
from pathlib import Path
import xlcrm.write.summary as summary
from xlcrm.cli import main

real = summary.write_summary
def killed(result, target):
    real(result, target)  # the staged workbook exists, the ledger is not committed yet
    os.kill(os.getpid(), signal.SIGKILL)
summary.write_summary = killed
sys.argv = ["xlcrm", "consolidate", sys.argv[1], "--period", "2026-03", "--out", sys.argv[2],
            "--config", sys.argv[3]]
main()
"""


def test_a_killed_run_leaves_ledger_and_outputs_as_they_were(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_group(inbox)
    config = write_config(tmp_path)
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(main, ["consolidate", str(inbox), "--period", "2025-03", "--out",
                                 str(out), "--config", str(config)])
    assert first.exit_code == 0, first.output
    ledger_file = tmp_path / "ledger.sqlite"
    before_ledger = Ledger.open(f"sqlite:///{ledger_file}").runs()[["id", "run_month", "outcome"]]
    before_out = sorted(p.name for p in out.iterdir())
    proc = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, str(inbox), str(out), str(config)],
                          capture_output=True, env={**os.environ})
    assert proc.returncode == -signal.SIGKILL
    ledger = Ledger.open(f"sqlite:///{ledger_file}")
    assert ledger.runs()[["id", "run_month", "outcome"]].equals(before_ledger)
    assert set(ledger.frame(transactions)["run_month"]) == {"2025-03"}
    assert sorted(p.name for p in out.iterdir()) == before_out


def test_template_carries_last_periods_customers_from_the_ledger(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_group(inbox)
    config = write_config(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["consolidate", str(inbox), "--out", str(tmp_path / "out"),
                                "--config", str(config)]).exit_code == 0
    made = runner.invoke(main, ["template", "--period", "2026Q2", "--subsidiary", CHEM,
                                "-o", str(tmp_path / "t"), "--config", str(config)])
    assert made.exit_code == 0, made.output
    ws = openpyxl.load_workbook(tmp_path / "t" / f"{CHEM}_2026Q2_填报模板.xlsx")["客户信息表"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    header = rows[0]
    listed = [dict(zip(header, r)) for r in rows[1:] if r[0] is not None]
    assert [r["客户编号"] for r in listed] == ["C001", "C002", "C003", "C004", "C005", "C006"]
    assert listed[1]["联系人"] == "周八"  # the 2026Q1 sheet, not 2025Q1's
    assert listed[0]["统一社会信用代码"] == USCC[0]


# The sheets of spec/outputs.md and the columns each must have (external checks read them).
REQUIRED_COLUMNS = {
    "报送情况": "填报单位 行业类型 报表 截止日期 填报日期 状态 逾期天数 错误数 警告数",
    "客户一览表": "统一社会信用代码 客户名称 所在省份 机构类型 合作关系 服务单位 负责业务员 客户分类 资信等级 "
                  "本期净销售额(元) 同比增长率",
    "销售汇总": "填报单位 客户分类 发货金额(元) 退货金额(元) 净销售额(元) 回款金额(元) 回款率 期末应收余额(元) "
                "上年同期净销售额(元) 同比增长率",
    "区域分析": "所在省份 客户数 净销售额(元) 回款率",
    "业务员分析": "填报单位 业务员 客户数 净销售额(元) 回款率 超限发货笔数",
    "客户分类": "排名 统一社会信用代码 客户名称 近12个月净销售额(元) 累计占比 客户分类 上期分类 分类变化",
    "增长排名": "排名 统一社会信用代码 客户名称 客户分类 本期净销售额(元) 上年同期净销售额(元) 同比增长率 潜力客户",
    "C类客户分析": "统一社会信用代码 客户名称",
    "资信评估": "填报单位 统一社会信用代码 客户名称 评分 系统评定等级 单位评定等级 建议资信额度(元) 申请资信额度(元) "
                "批准资信额度(元) 批复用时(天) 审批状态 申请过早 复评状态",
    "超限预警": "填报单位 统一社会信用代码 客户名称 执行资信额度(元) 期末应收余额(元) 超出金额(元) 负责业务员 类型",
    "超限发货": "填报单位 日期 单据号 统一社会信用代码 客户名称 发货金额(元) 发货后应收余额(元) "
                "执行资信额度(元) 业务员 类型",
    "集团敞口": "统一社会信用代码 客户名称 服务单位数 应收余额合计(元) 执行额度合计(元) 等级不一致",
    "拜访分析": "填报单位 统一社会信用代码 客户名称 客户分类 资信等级 要求间隔(天) 最近拜访日期 距今天数 状态 "
                "本期拜访次数 领导拜访",
    "档案变动": "变动类型 填报单位 统一社会信用代码 客户名称 字段 原值 新值",
    "审计追溯": "文件 SHA-256 大小(字节) 填报单位 报送期间 工作表及行数 状态",
}


def test_every_sheet_and_column_of_the_spec_is_there(summary: Path) -> None:
    book = openpyxl.load_workbook(summary)
    assert book.sheetnames[:2] == ["封面", "目录"]
    for name, columns in REQUIRED_COLUMNS.items():
        ws = book[name]
        cells = {c.value for row in ws.iter_rows(max_row=6) for c in row if isinstance(c.value, str)}
        missing = [c for c in columns.split() if c not in cells]
        assert not missing, (name, missing)
        assert ws.freeze_panes is not None, name
        assert ws.auto_filter.ref, name
    links = [c.hyperlink.location for row in book["目录"].iter_rows() for c in row if c.hyperlink]
    assert len(links) >= len(REQUIRED_COLUMNS)


def test_a_long_detail_continues_on_further_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("xlcrm.write.details.DETAIL_ROWS_PER_SHEET", 4)
    inbox = tmp_path / "inbox"
    write_group(inbox, lost_customer_pays=False)
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.sqlite'}")
    run(inbox / "2026-03", MARCH, CONFIG, ledger, tmp_path / "out", display_root=inbox)
    path = tmp_path / "out" / "集团客户管理汇总_2026-03.xlsx"
    book = openpyxl.load_workbook(path)
    assert [n for n in book.sheetnames if n.startswith("销售明细")] == ["销售明细", "销售明细(2)"]
    docs = [r["单据号"] for n in ("销售明细", "销售明细(2)") for r in sheet_rows(path, n, "填报单位")]
    assert sorted(docs) == ["B1", "B2", "B3", "B4", "B5", "P1", "T1"]


def test_outputs_are_readable_by_others(summary: Path) -> None:
    """Outputs go to shared folders: not the 0600 of a temporary file."""
    for path in (summary, summary.with_name("客户管理报告_2026-03.html")):
        assert path.stat().st_mode & 0o777 == 0o644, path.name


def test_opening_balances_against_the_ledger(summary: Path) -> None:
    """Every 2026Q1 row states 10,000 as its opening; the ledger carries 10,000 plus the
    2025Q1 shipments. C005 (no sales) agrees; C006 is new: nothing to compare."""
    rows = sheet_rows(summary, "期初余额核对", "填报单位")
    got = {(r["统一社会信用代码"], r["台账结转上期期末余额(元)"], r["本期填报期初余额(元)"], r["差额(元)"])
           for r in rows}
    assert got == {
        (USCC[0], 110_000, 10_000, -100_000),
        (USCC[1], 510_000, 10_000, -500_000),
        (USCC[2], 20_000, 10_000, -10_000),
        (USCC[3], 13_000, 10_000, -3_000),
    }


def test_a_returned_correction_leaves_the_earlier_sheet_in_force(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    d = dt.date(2026, 3, 10)
    write_workbook(inbox / "2026-03" / "first.xlsx", {
        "填报单位": reporter(CHEM, "2026Q1", dt.date(2026, 4, 3)),
        **_quarter_sheets([customer_row("C001", 0)], [_sale("C001", 1_000, d, "X1")], d),
    })
    write_workbook(inbox / "2026-03" / "correction.xlsx", {
        "填报单位": reporter(CHEM, "2026Q1", dt.date(2026, 4, 5)),
        "销售数据表": table([_sale("C001", 2_000, d, "X1") | {"金额(元)": "两千"}]),
    })
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.sqlite'}")
    outcome = run(inbox / "2026-03", MARCH, CONFIG, ledger, tmp_path / "out", display_root=inbox)
    assert outcome.statuses == {"2026-03/correction.xlsx": "退回", "2026-03/first.xlsx": "已汇总"}
    loaded = ledger.frame(transactions)
    assert loaded["amount"].tolist() == [100_000]  # the earlier sheet's 1,000 元
    path = tmp_path / "out" / "集团客户管理汇总_2026-03.xlsx"
    status = {r["报表"]: (r["状态"], r["文件"])
              for r in sheet_rows(path, "报送情况", "填报单位") if r["填报单位"] == CHEM}
    assert status["销售数据表"] == ("退回", "2026-03/correction.xlsx")
    audit = {r["文件"]: r["工作表及行数"] for r in sheet_rows(path, "审计追溯", "文件")}
    assert "销售数据表 1 行" in audit["2026-03/first.xlsx"]


def test_a_month_the_inbox_does_not_have_is_a_usage_error(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_group(inbox)
    config = write_config(tmp_path)
    result = CliRunner().invoke(main, ["consolidate", str(inbox), "--period", "2026-02", "--out",
                                       str(tmp_path / "out"), "--config", str(config)])
    assert result.exit_code == 2
    assert f"收件箱 {inbox} 中没有 2026-02 文件夹（有 2025-03 至 2026-03）" in result.output
    assert not (tmp_path / "out").exists()
