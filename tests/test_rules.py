"""Every rule code of spec/submission.md, at its sheet, cell and severity.

Each case writes a valid submission (tests/builders.py), breaks one cell and
expects exactly one finding: (sheet, cell, row, column, rule, severity).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msoffcrypto.format.ooxml
import pandas as pd
import pytest

from builders import (
    CHEM,
    CONFIG,
    DROP,
    OTHER,
    PHARMA,
    USCC,
    Grid,
    credit_row,
    customer_row,
    data_sheets,
    market,
    reporter,
    sale_row,
    staff_row,
    table,
    visit_row,
    write_submission,
    write_workbook,
)
from xlcrm.config import Config
from xlcrm.findings import MESSAGES, SEVERITY, Finding
from xlcrm.periods import Period
from xlcrm.schema import CUSTOMERS, VISITS
from xlcrm.validate import Validation, validate_files

DATA = Path(__file__).parent / "data"
Spot = tuple[str | None, str | None, int | None, str | None, str, str]


def run(*paths: Path, config: Config = CONFIG, reference: Any = None) -> Validation:
    return validate_files([(p, p.name) for p in paths], config, reference, jobs=1)


def spots(findings: list[Finding]) -> set[Spot]:
    return {(f.sheet, f.cell, f.row, f.column, f.rule, f.severity) for f in findings}


def submit(tmp_path: Path, sheets: dict[str, Grid] | None = None, name: str = "a.xlsx",
           **reporter_args: Any) -> list[Finding]:
    return run(write_submission(tmp_path / name, sheets=sheets, **reporter_args)).findings


def changed(sheet: str, index: int, **values: Any) -> dict[str, Grid]:
    """The valid data sheets with row `index` (0 = first data row, Excel row 2) changed."""
    sheets = data_sheets()
    grid = sheets[sheet]
    header = grid[0]
    for label, value in values.items():
        grid[index + 1][header.index(label)] = value
    return sheets


def letter(sheet: str, label: str) -> str:
    """The column letter `data_sheets()` writes `label` in."""
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[data_sheets()[sheet][0].index(label)]


E, W = "error", "warning"


def test_the_sample_submission_is_valid(tmp_path: Path) -> None:
    assert submit(tmp_path) == []


def test_every_rule_code_has_a_severity_and_messages() -> None:
    spec_rules = {
        "unreadable_file", "encrypted_file", "missing_sheet", "missing_column", "required",
        "bad_number", "bad_date", "bad_period", "bad_enum", "out_of_range", "bad_uscc",
        "bad_org_code", "duplicate", "unknown_customer", "unknown_subsidiary",
        "industry_mismatch", "wrong_period_kind", "outside_period", "bad_report_date",
        "inconsistent", "conflicting_submission", "template_version", "unknown_sheet",
        "unknown_column", "total_row_skipped", "bad_phone", "bad_reg_no", "bad_tax_no",
        "unknown_staff", "name_mismatch", "amount_mismatch",
    }
    assert set(SEVERITY) == spec_rules
    for rule in spec_rules:
        assert MESSAGES[rule]["zh"] and MESSAGES[rule]["en"]


# ------------------------------------------------------------ one cell, one finding

CELL_CASES: list[tuple[str, str, Any, str]] = [
    # sheet, column, value written in the first data row, rule
    ("客户信息表", "客户名称", None, "required"),
    ("客户信息表", "法定代表人", "\u3000 ", "required"),
    ("客户信息表", "统一社会信用代码", None, "required"),
    ("客户信息表", "账期(天)", None, "required"),
    ("客户信息表", "注册资本(万元)", "五百", "bad_number"),
    ("客户信息表", "账期(天)", 30.5, "bad_number"),
    ("客户信息表", "账期(天)", "30天", "bad_number"),
    ("客户信息表", "期初应收余额(元)", "1,2x", "bad_number"),
    ("客户信息表", "成立日期", "去年", "bad_date"),
    ("客户信息表", "合作起始日期", "2026-02-30", "bad_date"),
    ("客户信息表", "机构类型", "私营企业", "bad_enum"),
    ("客户信息表", "所在省份", "广东的", "bad_enum"),
    ("客户信息表", "合作关系", "朋友", "bad_enum"),
    ("客户信息表", "客户阶段", "完成", "bad_enum"),
    ("客户信息表", "付款方式", "现金", "bad_enum"),
    ("客户信息表", "建议分类", "D", "bad_enum"),
    ("客户信息表", "账期(天)", 400, "out_of_range"),
    ("客户信息表", "账期(天)", -1, "out_of_range"),
    ("客户信息表", "注册资本(万元)", -1, "out_of_range"),
    ("客户信息表", "成立日期", dt.date(2026, 4, 4), "out_of_range"),
    ("客户信息表", "统一社会信用代码", "91110000600037341X", "bad_uscc"),
    ("客户信息表", "统一社会信用代码", "9111000060003734", "bad_uscc"),
    ("客户信息表", "组织机构代码", "12345678-9", "bad_org_code"),
    ("客户信息表", "组织机构代码", USCC[5][8:17], "inconsistent"),
    ("客户信息表", "营业执照注册号", "1101080123", "bad_reg_no"),
    ("客户信息表", "税务登记证号", "12345", "bad_tax_no"),
    ("客户信息表", "联系电话", "12345", "bad_phone"),
    ("客户信息表", "负责业务员", "赵无名", "unknown_staff"),
    ("销售数据表", "日期", None, "required"),
    ("销售数据表", "金额(元)", None, "required"),
    ("销售数据表", "产品名称", None, "required"),
    ("销售数据表", "业务员", None, "required"),
    ("销售数据表", "日期", "2026-13-01", "bad_date"),
    ("销售数据表", "金额(元)", "一千", "bad_number"),
    ("销售数据表", "数量", "十", "bad_number"),
    ("销售数据表", "单价(元)", "100元", "bad_number"),
    ("销售数据表", "业务类型", "赠送", "bad_enum"),
    ("销售数据表", "金额(元)", 0, "out_of_range"),
    ("销售数据表", "金额(元)", -1000, "out_of_range"),
    ("销售数据表", "日期", dt.date(2026, 4, 1), "outside_period"),
    ("销售数据表", "日期", dt.date(2025, 12, 31), "outside_period"),
    ("销售数据表", "客户编号", "C999", "unknown_customer"),
    ("销售数据表", "客户名称", "别的公司", "name_mismatch"),
    ("销售数据表", "金额(元)", 1100, "amount_mismatch"),
    ("资信评估表", "申请日期", None, "required"),
    ("资信评估表", "评定资信等级", None, "required"),
    ("资信评估表", "审批人", None, "required"),
    ("资信评估表", "批复日期", None, "required"),
    ("资信评估表", "按期付款率", "高", "bad_number"),
    ("资信评估表", "逾期次数", 1.5, "bad_number"),
    ("资信评估表", "申请日期", "2026/13/1", "bad_date"),
    ("资信评估表", "评定资信等级", "四级", "bad_enum"),
    ("资信评估表", "按期付款率", 101, "out_of_range"),
    ("资信评估表", "按期付款率", "150%", "out_of_range"),
    ("资信评估表", "按期付款率", -0.1, "out_of_range"),
    ("资信评估表", "逾期次数", -1, "out_of_range"),
    ("资信评估表", "申请资信额度(元)", -100, "out_of_range"),
    ("资信评估表", "批准资信额度(元)", -100, "out_of_range"),
    ("资信评估表", "批复日期", dt.date(2026, 3, 21), "inconsistent"),
    ("资信评估表", "客户编号", "C999", "unknown_customer"),
    ("拜访记录", "拜访人", None, "required"),
    ("拜访记录", "拜访目的", None, "required"),
    ("拜访记录", "拜访日期", "abc", "bad_date"),
    ("拜访记录", "拜访人职务", "司机", "bad_enum"),
    ("拜访记录", "拜访方式", "微信", "bad_enum"),
    ("拜访记录", "拜访目的", "产品销售、吃饭", "bad_enum"),
    ("拜访记录", "拜访日期", dt.date(2025, 12, 31), "outside_period"),
    ("拜访记录", "拜访日期", dt.date(2026, 4, 1), "outside_period"),
    ("拜访记录", "客户编号", "C999", "unknown_customer"),
    ("公司信息", "职务", "厨师", "bad_enum"),
    ("公司信息", "职务", None, "required"),
    ("公司信息", "联系电话", "abc", "bad_phone"),
]


def _case_workbook(path: Path) -> tuple[Path, list[Spot]]:
    """One workbook holding every case of CELL_CASES, each on its own row.

    Validating it once keeps the suite fast; each case still gets its own test.
    """
    credit_cases = sum(1 for sheet, *_ in CELL_CASES if sheet == "资信评估表")
    sheets = data_sheets()
    sheets["客户信息表"] += data_sheets(customers=credit_cases + 2)["客户信息表"][3:]
    expected: list[Spot] = []
    makers: dict[str, Callable[[int], dict[str, Any]]] = {
        "客户信息表": lambda i: customer_row(f"X{i:03d}", 50 + i),
        "销售数据表": lambda i: sale_row("C001"),
        "资信评估表": lambda i: credit_row(f"C{i:03d}"),  # C003 onwards
        "拜访记录": lambda i: visit_row("C001"),
        "公司信息": lambda i: staff_row(f"员工{i}", f"E{100 + i}"),
    }
    for sheet, column, value, rule in CELL_CASES:
        grid = sheets[sheet]
        row = makers[sheet](len(grid))
        row[column] = value
        grid.append([row.get(h) for h in grid[0]])
        address = f"{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[grid[0].index(column)]}{len(grid)}"
        expected.append((sheet, address, len(grid), column, rule, SEVERITY[rule]))
    return write_submission(path, sheets=sheets), expected


@pytest.fixture(scope="module")
def case_findings(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[Spot], list[Spot]]:
    path, expected = _case_workbook(tmp_path_factory.mktemp("cases") / "cases.xlsx")
    return spots(run(path).findings), expected


@pytest.mark.parametrize("case", range(len(CELL_CASES)),
                         ids=[f"{s}-{c}-{r}" for s, c, _, r in CELL_CASES])
def test_a_bad_cell_is_reported_at_its_cell(
    case_findings: tuple[set[Spot], list[Spot]], case: int,
) -> None:
    found, expected = case_findings
    assert expected[case] in found


def test_the_bad_cells_cause_no_other_findings(
    case_findings: tuple[set[Spot], list[Spot]],
) -> None:
    found, expected = case_findings
    assert found == set(expected)


def test_one_bad_cell_alone_gives_one_finding(tmp_path: Path) -> None:
    findings = submit(tmp_path, changed("客户信息表", 0, 所在省份="广东的"))
    assert spots(findings) == {("客户信息表", "L2", 2, "所在省份", "bad_enum", E)}


def test_cell_addresses_beyond_z_and_on_later_rows(tmp_path: Path) -> None:
    sheets = data_sheets(customers=3)
    grid = sheets["客户信息表"]
    for row in grid:
        row[1:1] = [None] * 26  # push every column after 客户编号 right by 26: B -> AB
    grid[3][grid[0].index("所在省份")] = "火星"
    assert spots(submit(tmp_path, sheets)) == {
        ("客户信息表", "AL4", 4, "所在省份", "bad_enum", E)}


# ------------------------------------------------------------ precedence

def test_required_comes_before_other_rules_and_a_bad_cell_is_not_also_duplicate(
    tmp_path: Path,
) -> None:
    sheets = data_sheets(customers=4)
    grid = sheets["客户信息表"]
    col = grid[0].index("统一社会信用代码")
    org = grid[0].index("组织机构代码")
    grid[2][col], grid[2][org] = USCC[0], USCC[0][8:17]  # row 3 repeats row 2
    grid[3][col], grid[3][org] = "91110000600037341X", None  # row 4 bad, not duplicate
    grid[4][col], grid[4][org] = USCC[0], USCC[0][8:17]  # row 5 repeats row 2 again
    assert spots(submit(tmp_path, sheets)) == {
        ("客户信息表", "C3", 3, "统一社会信用代码", "duplicate", E),
        ("客户信息表", "C4", 4, "统一社会信用代码", "bad_uscc", E),
        ("客户信息表", "C5", 5, "统一社会信用代码", "duplicate", E),
    }


def test_duplicate_is_reported_on_later_occurrences_with_the_first_row(tmp_path: Path) -> None:
    sheets = changed("销售数据表", 1, 单据号="D0000")
    sheets["公司信息"] = table([staff_row("王五", "E001"), staff_row("孙八", " E001 ")])
    findings = submit(tmp_path, sheets)
    assert spots(findings) == {
        ("公司信息", "B3", 3, "工号", "duplicate", E),
        ("销售数据表", "B3", 3, "单据号", "duplicate", E),
    }
    assert [f.message() for f in findings][1] == "“单据号”的值“D0000”与第 2 行重复"


def test_duplicate_customer_numbers_and_credit_rows(tmp_path: Path) -> None:
    sheets = changed("客户信息表", 1, 客户编号="C001")
    grid = sheets["资信评估表"]
    grid[2][0] = "C001"
    assert spots(submit(tmp_path, sheets)) == {
        ("客户信息表", "A3", 3, "客户编号", "duplicate", E),
        ("资信评估表", "A3", 3, "客户编号", "duplicate", E),
        # C002 is now in no customer sheet: its sale and visit are unknown customers
        ("销售数据表", "C3", 3, "客户编号", "unknown_customer", E),
        ("拜访记录", "B3", 3, "客户编号", "unknown_customer", E),
    }


def test_a_bad_uscc_is_not_also_inconsistent_with_a_valid_org_code(tmp_path: Path) -> None:
    # 600037341 is a valid organization code; the credit code's check character is wrong.
    findings = submit(tmp_path, changed("客户信息表", 0, 统一社会信用代码="91110000600037341X",
                                        组织机构代码="60003734-1"))
    assert spots(findings) == {("客户信息表", "C2", 2, "统一社会信用代码", "bad_uscc", E)}


def test_a_repeated_unknown_customer_is_unknown_once_then_duplicate(tmp_path: Path) -> None:
    sheets = data_sheets()
    sheets["资信评估表"] = table([credit_row("C001"), credit_row("C404"), credit_row("C404")])
    assert spots(submit(tmp_path, sheets)) == {
        ("资信评估表", "A3", 3, "客户编号", "unknown_customer", E),
        ("资信评估表", "A4", 4, "客户编号", "duplicate", E),
    }


def test_a_wrong_org_code_check_digit_is_bad_org_code_not_inconsistent(tmp_path: Path) -> None:
    wrong = USCC[0][8:16] + ("0" if USCC[0][16] != "0" else "1")
    findings = submit(tmp_path, changed("客户信息表", 0, 组织机构代码=wrong))
    assert spots(findings) == {("客户信息表", "D2", 2, "组织机构代码", "bad_org_code", E)}


def test_an_org_code_with_hyphen_matching_the_uscc_is_fine(tmp_path: Path) -> None:
    code = USCC[0][8:16] + "-" + USCC[0][16]
    assert submit(tmp_path, changed("客户信息表", 0, 组织机构代码=code)) == []


def test_out_of_range_comes_before_amount_mismatch_and_unknown_customer_after_required(
    tmp_path: Path,
) -> None:
    sheets = data_sheets()
    sheets["销售数据表"] = table([sale_row("C001", **{"金额(元)": -5}),
                                 sale_row(None, 客户名称=None)])
    assert spots(submit(tmp_path, sheets)) == {
        ("销售数据表", "I2", 2, "金额(元)", "out_of_range", E),
        ("销售数据表", "C3", 3, "客户编号", "required", E),
    }


def test_conditional_required_depends_on_the_type(tmp_path: Path) -> None:
    sheets = data_sheets()
    sheets["销售数据表"] = table([
        sale_row("C001", 业务类型="回款", 产品名称=None, 业务员=None, 数量=None,
                 **{"单价(元)": None}),
        sale_row("C002", 业务类型="退货", 产品名称="产品甲", 业务员=None),
        sale_row("C002", 业务类型="收款", 产品名称=None, 业务员=None, 数量=None,
                 **{"单价(元)": None}),
        sale_row("C002", 业务类型="销售", 产品名称="产品甲", 业务员=None),
    ])
    findings = submit(tmp_path, sheets)
    assert spots(findings) == {("销售数据表", "J5", 5, "业务员", "required", E)}
    assert findings[0].message() == "业务类型为发货时“业务员”必填"
    assert findings[0].message("en") == "'业务员' is required when the type is 发货"


def test_a_missing_conditional_column_is_missing_column_when_a_row_needs_it(
    tmp_path: Path,
) -> None:
    sheets = data_sheets()
    labels = [h for h in sheets["销售数据表"][0] if h != "产品名称"]
    sheets["销售数据表"] = table([sale_row("C001"), sale_row("C002")], headers=labels)
    assert spots(submit(tmp_path, sheets)) == {
        ("销售数据表", None, 1, "产品名称", "missing_column", E)}


def test_credit_approval_fields_only_when_approved(tmp_path: Path) -> None:
    sheets = data_sheets()
    sheets["资信评估表"] = table([
        credit_row("C001", **{"批准资信额度(元)": None, "审批人": None, "批复日期": None}),
        credit_row("C002", **{"审批人": None}),
    ])
    findings = submit(tmp_path, sheets)
    assert spots(findings) == {("资信评估表", "J3", 3, "审批人", "required", E)}
    assert findings[0].message() == "已填批准资信额度时“审批人”必填"


def test_a_required_salesperson_in_the_customer_sheet_has_the_plain_message(
    tmp_path: Path,
) -> None:
    findings = submit(tmp_path, changed("客户信息表", 0, 负责业务员=None))
    assert spots(findings) == {("客户信息表", "T2", 2, "负责业务员", "required", E)}
    assert findings[0].message() == "“负责业务员”为必填项，不能为空"


# ------------------------------------------------------------ messages

def test_messages_name_the_value_and_the_limit(tmp_path: Path) -> None:
    sheets = changed("客户信息表", 0, 统一社会信用代码="91110000600037341X",
                     组织机构代码="600037341")
    findings = run(write_submission(tmp_path / "a.xlsx", sheets=sheets)).findings
    (bad_uscc,) = findings
    assert bad_uscc.message() == "统一社会信用代码“91110000600037341X”无效：校验位错误"
    assert bad_uscc.message("en") == (
        "Unified social credit code '91110000600037341X' is invalid: the check character is wrong")
    assert bad_uscc.value == "91110000600037341X"


def test_out_of_range_and_outside_period_messages(tmp_path: Path) -> None:
    sheets = changed("客户信息表", 0, **{"账期(天)": 400})
    sheets["销售数据表"][1][0] = dt.date(2026, 4, 1)
    findings = submit(tmp_path, sheets)
    assert [f.message() for f in findings] == [
        "“账期(天)”的值“400”超出允许范围：0~365",
        "“日期” 2026-04-01 不在报送期间 2026-01-01 至 2026-03-31 内",
    ]
    assert findings[1].value == "2026-04-01"


def test_amount_mismatch_message_gives_the_product(tmp_path: Path) -> None:
    findings = submit(tmp_path, changed("销售数据表", 0, **{"金额(元)": 1234.5}))
    assert [f.message() for f in findings] == ["金额 1234.5 与 数量×单价 = 1,000.00 不符"]


def test_amount_mismatch_tolerance(tmp_path: Path) -> None:
    # 数量 10 × 单价 100 = 1000: off by more than 1 元 and more than 0.5% of 金额.
    amounts = [1000, 1001, 1005, 1006, 994, "1,000.00元"]
    sheets = data_sheets()
    sheets["销售数据表"] = table([sale_row("C001", **{"金额(元)": a}) for a in amounts])
    assert spots(submit(tmp_path, sheets)) == {
        ("销售数据表", "I5", 5, "金额(元)", "amount_mismatch", W),
        ("销售数据表", "I6", 6, "金额(元)", "amount_mismatch", W),
    }


def test_amount_mismatch_needs_more_than_one_yuan(tmp_path: Path) -> None:
    sheets = changed("销售数据表", 0, 数量=1, **{"单价(元)": 100, "金额(元)": 100.99})
    assert submit(tmp_path, sheets) == []


# ------------------------------------------------------------ 填报单位
# These workbooks carry only 填报单位: its findings do not depend on the data sheets.

REPORTER_CASES: list[tuple[dict[str, Any], str, int, str]] = [
    # reporter() arguments, the label's row (B column), rule
    ({"subsidiary": "不存在厂"}, "填报单位", 1, "unknown_subsidiary"),
    ({"subsidiary": None}, "填报单位", 1, "required"),
    ({"行业类型": "医药"}, "行业类型", 2, "industry_mismatch"),
    ({"行业类型": "制造"}, "行业类型", 2, "bad_enum"),
    ({"行业类型": None}, "行业类型", 2, "required"),
    ({"period": "2026-03"}, "报送期间", 3, "wrong_period_kind"),
    ({"subsidiary": PHARMA, "period": "2026Q1"}, "报送期间", 3, "wrong_period_kind"),
    ({"period": "2026Q5"}, "报送期间", 3, "bad_period"),
    ({"period": "2026-3-5-1"}, "报送期间", 3, "bad_period"),
    ({"period": 202613}, "报送期间", 3, "bad_period"),
    ({"period": None}, "报送期间", 3, "required"),
    ({"填报人": None}, "填报人", 4, "required"),
    ({"填报人": "　"}, "填报人", 4, "required"),
    ({"联系电话": "123"}, "联系电话", 5, "bad_phone"),
    ({"report_date": "昨天"}, "填报日期", 6, "bad_date"),
    ({"report_date": None}, "填报日期", 6, "required"),
    ({"report_date": dt.date(2026, 3, 30)}, "填报日期", 6, "bad_report_date"),
    ({"subsidiary": PHARMA, "period": "2026-02", "report_date": "2026-02-27"}, "填报日期", 6,
     "bad_report_date"),
    ({"模板版本": "2.0"}, "模板版本", 8, "template_version"),
    ({"模板版本": 2}, "模板版本", 8, "template_version"),
    ({"模板版本": "旧版"}, "模板版本", 8, "template_version"),
]


def reporter_only(tmp_path: Path, **args: Any) -> Validation:
    return run(write_submission(tmp_path / "a.xlsx", sheets={}, **args))


def without_missing_sheets(findings: list[Finding]) -> set[Spot]:
    return {s for s in spots(findings) if s[4] != "missing_sheet"}


@pytest.mark.parametrize(("args", "label", "row", "rule"), REPORTER_CASES)
def test_reporter_sheet_findings_name_the_value_cell(
    tmp_path: Path, args: dict[str, Any], label: str, row: int, rule: str,
) -> None:
    findings = reporter_only(tmp_path, **args).findings
    assert without_missing_sheets(findings) == {
        ("填报单位", f"B{row}", row, label, rule, SEVERITY[rule])}


def test_a_broken_reporter_sheet_leaves_the_workbook_unplaced(tmp_path: Path) -> None:
    validation = run(write_submission(tmp_path / "a.xlsx", subsidiary="不存在厂"))
    assert [f.rule for f in validation.findings] == ["unknown_subsidiary"]
    assert validation.submissions[0].group_key is None


def test_a_pharma_subsidiary_reports_months(tmp_path: Path) -> None:
    findings = reporter_only(tmp_path, subsidiary=PHARMA, period="2026Q1").findings
    assert findings[0].message() == "医药企业应按月份报送，报送期间“2026Q1”不符"
    assert findings[0].message("en") == (
        "A 医药 subsidiary reports by month; period '2026Q1' does not fit")


@pytest.mark.parametrize("version", ["1.0", "1", 1, 1.0, "1.3", "v1.0", "１.０", None, DROP])
def test_template_versions_of_major_one_are_accepted(tmp_path: Path, version: Any) -> None:
    assert without_missing_sheets(reporter_only(tmp_path, 模板版本=version).findings) == set()


@pytest.mark.parametrize("period", [
    "2026Q1", "2026-Q1", "2026年第1季度", "2026年一季度", " 2026q1 ", "２０２６Ｑ１",
])
def test_quarter_forms_in_the_reporter_sheet(tmp_path: Path, period: str) -> None:
    validation = reporter_only(tmp_path, period=period)
    assert validation.submissions[0].period == Period.quarter(2026, 1)
    assert without_missing_sheets(validation.findings) == set()


@pytest.mark.parametrize("period", [
    "2026-03", "2026年3月", "202603", 202603, dt.date(2026, 3, 31), dt.date(2026, 3, 1),
    46112,  # a date cell the reader did not take for one: its Excel serial (2026-03-31)
])
def test_month_forms_in_the_reporter_sheet(tmp_path: Path, period: Any) -> None:
    validation = reporter_only(tmp_path, subsidiary=PHARMA, period=period)
    assert validation.submissions[0].period == Period.month(2026, 3)
    assert without_missing_sheets(validation.findings) == set()


def test_a_report_date_on_the_last_day_is_fine(tmp_path: Path) -> None:
    validation = reporter_only(tmp_path, report_date=dt.date(2026, 3, 31))
    assert validation.submissions[0].report_date == dt.date(2026, 3, 31)
    assert without_missing_sheets(validation.findings) == set()


def test_reporter_labels_match_loosely_and_a_title_is_ignored(tmp_path: Path) -> None:
    grid: Grid = [
        ["填报单位"],  # a title that happens to be a label, with no value
        [None],
        ["填报单位：", CHEM],
        [" 行业类型 ", "化工"],
        ["报送期间（季度）", "2026Q1"],
        ["填报人:", "张三"],
        ["填报日期(年月日)", dt.date(2026, 4, 3)],
        ["说明：本表由模板生成", None],
    ]
    path = write_submission(tmp_path / "a.xlsx", reporter_sheet=grid)
    assert run(path).findings == []
    assert run(path).submissions[0].subsidiary == CHEM


def test_reporter_subsidiary_name_matches_after_nfkc(tmp_path: Path) -> None:
    validation = run(write_submission(tmp_path / "a.xlsx", subsidiary=" 化工一厂\u3000"))
    assert validation.findings == []
    assert validation.submissions[0].subsidiary == CHEM


def test_a_missing_reporter_label_is_required_with_no_cell(tmp_path: Path) -> None:
    findings = submit(tmp_path, 填报人=DROP)
    assert spots(findings) == {("填报单位", None, None, "填报人", "required", E)}


def test_a_workbook_without_the_reporter_sheet(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "a.xlsx", data_sheets())
    findings = run(path).findings
    assert spots(findings) == {("填报单位", None, None, None, "missing_sheet", E)}
    assert findings[0].message() == "缺少工作表“填报单位”：无法确定填报单位和报送期间"


# ------------------------------------------------------------ headers and tables

def test_header_below_a_title_row_and_blank_rows(tmp_path: Path) -> None:
    sheets = data_sheets()
    rows = [customer_row("C001", 0), customer_row("C002", 1, 所在省份="火星")]
    sheets["客户信息表"] = table(rows, title="客户信息表（2026年第1季度）", blank_rows=1)
    assert spots(submit(tmp_path, sheets)) == {("客户信息表", "L5", 5, "所在省份", "bad_enum", E)}


def test_header_on_row_ten_is_found_on_row_eleven_not(tmp_path: Path) -> None:
    sheets = data_sheets()
    sheets["客户信息表"] = table([customer_row("C001", 0), customer_row("C002", 1)],
                                 title="客户信息表", blank_rows=8)
    assert submit(tmp_path, sheets) == []
    sheets["客户信息表"] = table([customer_row("C001", 0), customer_row("C002", 1)],
                                 title="客户信息表", blank_rows=9)
    findings = submit(tmp_path, sheets)
    required = [f.label for f in CUSTOMERS.fields if f.required]
    assert {(f.sheet, f.cell, f.row, f.column, f.rule) for f in findings} >= {
        ("客户信息表", None, None, label, "missing_column") for label in required}
    # Without the customer sheet every sale and visit is of an unknown customer.
    assert {f.rule for f in findings} == {"missing_column", "unknown_customer"}
    assert findings[0].message() == "工作表“客户信息表”前 10 行中找不到表头，缺少必填列“客户编号”"


def test_aliases_full_width_parenthetical_colon_forms_and_column_order(tmp_path: Path) -> None:
    sheets = data_sheets()
    rows = [customer_row("C001", 0), customer_row("C002", 1)]
    renamed = {
        "客户编号": "客户代码", "客户名称": "客户名称（全称）", "统一社会信用代码": "信用代码(18位)",
        "法定代表人": " 法人代表 ", "注册资本(万元)": "注册资本（万元）", "机构类型": "企业性质：",
        "所在省份": "省份:", "联系电话": "电话", "合作关系": "客户类型", "负责业务员": "*业务员",
        "档案管理人": "档案负责人", "付款方式": "结算方式", "账期(天)": "账期（天）",
        "期初应收余额(元)": "期初应收", "联系人": "联系人\u3000",
    }
    renamed_rows = [{renamed.get(k, k): v for k, v in r.items()} for r in rows]
    headers = list(reversed(list(renamed_rows[0])))
    renamed_rows[1]["省份:"] = "火星"
    sheets["客户信息表"] = table(renamed_rows, headers=headers)
    findings = submit(tmp_path, sheets)
    column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[headers.index("省份:")]
    assert spots(findings) == {("客户信息表", f"{column}3", 3, "所在省份", "bad_enum", E)}


def test_spaces_inside_a_header_label_are_ignored(tmp_path: Path) -> None:
    sheets = data_sheets()
    grid = sheets["拜访记录"]
    grid[0] = [" ".join(label) if i % 2 else label.replace("拜访", "拜访\u3000")
               for i, label in enumerate(grid[0])]
    assert submit(tmp_path, sheets) == []


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    sheets = data_sheets()
    grid = sheets["拜访记录"]
    grid[0][grid[0].index("拜访人")] = "陪同人员"
    grid[0].append("天气")
    grid[1].append("晴")
    assert spots(submit(tmp_path, sheets)) == {
        ("拜访记录", None, 1, "拜访人", "missing_column", E),
        ("拜访记录", "C1", 1, "陪同人员", "unknown_column", W),
        ("拜访记录", "J1", 1, "天气", "unknown_column", W),
    }


def test_a_repeated_header_is_an_unknown_column(tmp_path: Path) -> None:
    sheets = data_sheets()
    grid = sheets["拜访记录"]
    grid[0].append("客户代码")
    assert spots(submit(tmp_path, sheets)) == {
        ("拜访记录", "J1", 1, "客户代码", "unknown_column", W)}


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(tmp_path: Path) -> None:
    sheets = data_sheets()
    grid = sheets["销售数据表"]
    bad = sale_row("C002", 业务类型="赠送")
    sheets["销售数据表"] = [grid[0], grid[1], [], [None, " ", "\u3000"], grid[2],
                           [bad[h] for h in grid[0]]]
    assert spots(submit(tmp_path, sheets)) == {("销售数据表", "E6", 6, "业务类型", "bad_enum", E)}


@pytest.mark.parametrize("word", ["合计", "小计", "总计", " 合 计 ", "合计：", "合计（元）"])
def test_total_rows_are_skipped_with_a_warning_at_the_word(tmp_path: Path, word: str) -> None:
    sheets = data_sheets()
    grid = sheets["销售数据表"]
    grid.append([None, None, word, None, None, None, None, None, 2000, None])
    grid.append([*grid[1][:1], "D9", *grid[1][2:]])
    findings = submit(tmp_path, sheets)
    assert spots(findings) == {("销售数据表", "C4", 4, None, "total_row_skipped", W)}
    assert findings[0].message() == f"第 4 行为“{word}”行，已跳过（合计由系统计算）"


def test_a_row_with_content_only_outside_the_table_is_skipped(tmp_path: Path) -> None:
    sheets = data_sheets()
    grid = sheets["销售数据表"]
    grid[0].insert(0, "序号")
    for n, row in enumerate(grid[1:], start=1):
        row.insert(0, n)
    grid += [[3], [4], [None] * 11 + ["备注：无"]]  # L: a column with no header
    findings = submit(tmp_path, sheets)
    assert spots(findings) == {("销售数据表", "A1", 1, "序号", "unknown_column", W)}


def test_a_total_word_later_in_the_row_is_not_a_total_row(tmp_path: Path) -> None:
    findings = submit(tmp_path, changed("销售数据表", 0, 产品名称="合计"))
    assert findings == []


def test_whole_number_cells_read_as_digits(tmp_path: Path) -> None:
    sheets = data_sheets()
    sheets["客户信息表"] = table([customer_row(300007, 0), customer_row("300008", 1)])
    sheets["销售数据表"] = table([sale_row("300007", 客户名称="客户300007有限公司"),
                                 sale_row(300008, 客户名称="客户300008有限公司")])
    sheets["资信评估表"] = table([credit_row(300007, 评定资信等级=1),
                                 credit_row("300008", 评定资信等级="2级")])
    sheets["拜访记录"] = table([visit_row(300007)])
    validation = run(write_submission(tmp_path / "a.xlsx", sheets=sheets))
    assert validation.findings == []
    data = validation.submissions[0].tables["资信评估表"].data
    assert data["customer_no"].tolist() == ["300007", "300008"]
    assert data["grade"].tolist() == ["一级", "二级"]


def test_values_are_normalised_in_the_typed_table(tmp_path: Path) -> None:
    sheets = data_sheets()
    sheets["客户信息表"] = table([
        customer_row("C001", 0, 所在省份="广东", **{"注册资本(万元)": "１，２３４元",
                                                  "统一社会信用代码": USCC[0].lower()}),
        customer_row("C002", 1, 所在省份=" 内蒙古\u3000", 建议分类="重要客户",
                     成立日期="2010年5月1日", **{"期初应收余额(元)": "-1,234.50"}),
    ])
    validation = run(write_submission(tmp_path / "a.xlsx", sheets=sheets))
    assert validation.findings == []
    data = validation.submissions[0].tables["客户信息表"].data
    assert data["province"].tolist() == ["广东省", "内蒙古自治区"]
    assert data["registered_capital"].tolist() == [123400, 50000]
    assert data["opening_balance"].tolist() == [1000000, -123450]
    assert data["uscc"].tolist() == [USCC[0], USCC[1]]
    assert data["suggested_class"].tolist() == ["A", "A"]
    assert data["founded"].tolist() == [pd.Timestamp("2010-05-01")] * 2
    assert data["_row"].tolist() == [2, 3]


def test_a_sheet_name_with_a_stray_space_is_the_sheet(tmp_path: Path) -> None:
    sheets = data_sheets()
    sheets[" 拜访记录 "] = sheets.pop("拜访记录")
    sheets["客户 信息表"] = sheets.pop("客户信息表")
    assert submit(tmp_path, sheets) == []


def test_a_workbook_the_program_cannot_handle_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import xlcrm.validate as validate_module

    good = write_submission(tmp_path / "good.xlsx", subsidiary=OTHER)
    bad = write_submission(tmp_path / "bad.xlsx")
    real = validate_module._check_tables

    def fails_on_chem(stack: Any, parsed: Any, keep_tables: bool) -> Any:
        if any(rows.sub.subsidiary == CHEM for rows in stack.batch):
            raise ValueError("boom")
        return real(stack, parsed, keep_tables)

    monkeypatch.setattr(validate_module, "_check_tables", fails_on_chem)
    message = ("无法读取该文件：程序无法处理该文件（ValueError: boom）。"
               "请确认它是 Excel 工作簿（.xlsx/.xlsm/.xls/.ods）并重新保存后报送")
    validation = run(good, bad)
    assert [(f.file, f.rule) for f in validation.findings] == [("bad.xlsx", "unreadable_file")]
    assert validation.findings[0].message() == message
    # Checked in one batch, the two are then checked alone to find which one fails.
    good_sub, bad_sub = validate_module.check_workbooks(
        [(good, "good.xlsx"), (bad, "bad.xlsx")], CONFIG)
    alone = validate_module.check_workbook(good, "good.xlsx", CONFIG)
    assert good_sub.findings == [] and len(good_sub.tables) == 6
    assert set(good_sub.tables) == set(alone.tables)
    assert [(f.file, f.rule) for f in bad_sub.findings] == [("bad.xlsx", "unreadable_file")]
    assert bad_sub.tables == {} and not bad_sub.readable


def test_a_messy_but_valid_submission(tmp_path: Path) -> None:
    """Every accepted form at once: only the total row is reported."""
    uscc = USCC[0]
    customers = [
        customer_row("C001", 0, **{
            "统一社会信用代码": f"{uscc[:6].lower()} {uscc[6:12]}-{uscc[12:]}",
            "组织机构代码": f"{uscc[8:16]}-{uscc[16]}", "所在省份": "广东",
            "注册资本(万元)": "１，２３４元", "成立日期": "2010年5月1日", "联系电话": "+86 20 1234 5678",
            "账期(天)": "３０", "期初应收余额(元)": "-1,234.50", "建议分类": "重要客户",
            "机构类型": "\u3000民营企业\u3000", "合作起始日期": 43831, "营业执照注册号": 110108012345678}),
        customer_row(300007, 1, **{"所在省份": "内蒙古自治区", "联系电话": "020-12345678转801",
                                   "建议分类": "c", "成立日期": "20100501", "付款方式": " 月结 "}),
    ]
    renamed = {"客户编号": "客户代码", "客户名称": "客户名称（全称）", "账期(天)": "账期（天）",
               "负责业务员": "业务员：", "注册资本(万元)": "注册资本"}
    customers = [{renamed.get(k, k): v for k, v in row.items()} for row in customers]
    sales = [
        sale_row("C001", "2026/1/5", 业务类型="销售", 数量="10.0",
                 **{"单价(元)": "100", "金额(元)": "1,000.00元"}),
        sale_row(300007, 46100, 客户名称="客户300007有限公司", 业务类型="收款", 产品名称=None,
                 业务员=None, 数量=None, **{"单价(元)": None, "金额(元)": "５００"}),
        sale_row("C001", "2026.3.31", 业务类型="退货", 业务员=None, 数量=1,
                 **{"单价(元)": 100, "金额(元)": 100}),
    ]
    credit = [
        credit_row("C001", 按期付款率="95%", 评定资信等级=1, 逾期次数="0"),
        credit_row(300007, 按期付款率=0.9, 评定资信等级="二", 申请日期="2026-03-25",
                   **{"批准资信额度(元)": None, "审批人": None, "批复日期": None}),
    ]
    visits = [visit_row("C001", "2026-01-15", 拜访目的="产品销售，客情建设 / 信息收集",
                        拜访方式=" 电话 "),
              visit_row(300007, dt.datetime(2026, 3, 31, 16, 30), 拜访人职务="公司领导")]
    sales_grid = table(sales, title="销售数据表（2026年一季度）", blank_rows=1)
    sales_grid.insert(4, [])
    sales_grid.append([None, None, "合计", None, None, None, None, None, 1600, None])
    sheets = {
        "填报说明": [["说明"]],
        "公司信息": table([staff_row("王五", 1001), staff_row("孙八", 1002, 职务="档案管理员")],
                      title="公司信息"),
        "客户信息表": table(customers, headers=list(reversed(list(customers[0])))),
        "销售数据表": sales_grid,
        "资信评估表": table(credit),
        "拜访记录": table(visits, title="拜访记录"),
        "市场分析": [["市场分析（2026年一季度）"], ["主题", "分析内容"], ["华南", "平稳"]],
        "Sheet3": [],
    }
    reporter_sheet = reporter(period="2026年一季度", report_date="2026年4月3日", 模板版本=1,
                              联系电话="138-0013-8000", title="报送信息")
    path = write_submission(tmp_path / "messy.xlsx", sheets=sheets, reporter_sheet=reporter_sheet)
    validation = run(path)
    assert spots(validation.findings) == {("销售数据表", "C8", 8, None, "total_row_skipped", W)}
    sub = validation.submissions[0]
    assert sub.period == Period.quarter(2026, 1)
    assert sub.report_date == dt.date(2026, 4, 3)
    sales_data = sub.tables["销售数据表"].data
    assert sales_data["_row"].tolist() == [4, 6, 7]
    assert sales_data["type"].tolist() == ["发货", "回款", "退货"]
    assert sales_data["amount"].tolist() == [100000, 50000, 10000]
    assert sales_data["date"].dt.date.tolist() == [
        dt.date(2026, 1, 5), dt.date(2026, 3, 19), dt.date(2026, 3, 31)]
    credit_data = sub.tables["资信评估表"].data
    assert credit_data["grade"].tolist() == ["一级", "二级"]
    assert credit_data["on_time_rate"].tolist() == [950_000, 900_000]
    visit_data = sub.tables["拜访记录"].data
    assert visit_data["purpose"].tolist() == ["产品销售、客情建设、信息收集", "产品销售、客情建设"]
    assert sub.market == [("华南", "平稳")]


# ------------------------------------------------------------ sheets

def test_unknown_sheets_warn_and_blank_or_instruction_sheets_do_not(tmp_path: Path) -> None:
    sheets = {"填报说明": [["请按说明填写"]], **data_sheets(), "透视表": [["客户", "金额"]],
              "Sheet2": []}
    findings = submit(tmp_path, sheets)
    assert spots(findings) == {("透视表", None, None, None, "unknown_sheet", W)}


@pytest.mark.parametrize(("subsidiary", "period", "day", "missing"), [
    (CHEM, "2026Q1", dt.date(2026, 3, 10), {"资信评估表", "拜访记录", "市场分析"}),
    (OTHER, "2026Q2", dt.date(2026, 5, 10), {"资信评估表", "拜访记录", "市场分析"}),
    (PHARMA, "2026-03", dt.date(2026, 3, 10), {"资信评估表", "拜访记录", "市场分析"}),
    (PHARMA, "2026-02", dt.date(2026, 2, 10), set()),
])
def test_missing_sheets_at_quarter_end_only(
    tmp_path: Path, subsidiary: str, period: str, day: dt.date, missing: set[str],
) -> None:
    sheets = data_sheets(quarter_end=False, day=day)
    report_date = dt.date(2026, 7, 3) if period == "2026Q2" else dt.date(2026, 4, 3)
    findings = submit(tmp_path, sheets, subsidiary=subsidiary, period=period,
                      report_date=report_date)
    assert spots(findings) == {(name, None, None, None, "missing_sheet", E) for name in missing}
    for f in findings:
        assert f.message() == f"缺少工作表“{f.sheet}”（{period} 应报送）"


def test_customer_and_sales_sheets_are_always_required(tmp_path: Path) -> None:
    sheets = data_sheets(quarter_end=False, day=dt.date(2026, 2, 10))
    del sheets["客户信息表"], sheets["销售数据表"]
    findings = submit(tmp_path, sheets, subsidiary=PHARMA, period="2026-02")
    assert spots(findings) == {
        ("客户信息表", None, None, None, "missing_sheet", E),
        ("销售数据表", None, None, None, "missing_sheet", E),
    }


def test_a_blank_data_sheet_counts_as_missing(tmp_path: Path) -> None:
    sheets = data_sheets()
    sheets["市场分析"] = []
    assert spots(submit(tmp_path, sheets)) == {("市场分析", None, None, None, "missing_sheet", E)}


def test_a_data_sheet_with_only_a_header_is_present(tmp_path: Path) -> None:
    sheets = data_sheets()
    sheets["拜访记录"] = [sheets["拜访记录"][0]]
    assert submit(tmp_path, sheets) == []


def test_market_analysis_rows_are_kept(tmp_path: Path) -> None:
    sub = run(write_submission(tmp_path / "a.xlsx")).submissions[0]
    assert sub.market == [("华南市场", "需求平稳，价格竞争加剧。")]
    assert market()[1] == ["华南市场", "需求平稳，价格竞争加剧。"]


# ------------------------------------------------------------ files

def test_an_empty_workbook(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "empty.xlsx", {"Sheet1": []})
    assert spots(run(path).findings) == {("填报单位", None, None, None, "missing_sheet", E)}


@pytest.mark.parametrize(("name", "content"), [
    ("text.xlsx", "客户编号,金额\nC001,100\n".encode()),
    ("empty.xlsx", b""),
    ("zip.xlsx", b"PK\x03\x04" + b"\0" * 100),
])
def test_unreadable_files(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    validation = run(path)
    assert spots(validation.findings) == {(None, None, None, None, "unreadable_file", E)}
    assert validation.findings[0].message().startswith("无法读取该文件：")
    assert validation.submissions[0].sha256


def test_a_truncated_xlsx_is_unreadable(tmp_path: Path) -> None:
    good = write_submission(tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good[: len(good) // 2])
    findings = run(path).findings
    assert spots(findings) == {(None, None, None, None, "unreadable_file", E)}
    assert findings[0].message("en") == (
        "The file cannot be read: it is not an Excel workbook, or it is damaged. "
        "Make sure it is an Excel workbook (.xlsx/.xlsm/.xls/.ods) and save it again")


def test_an_encrypted_workbook(tmp_path: Path) -> None:
    plain = write_submission(tmp_path / "plain.xlsx")
    path = tmp_path / "locked.xlsx"
    with plain.open("rb") as f, path.open("wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(f).encrypt("secret", out)
    findings = run(path).findings
    assert spots(findings) == {(None, None, None, None, "encrypted_file", E)}
    assert findings[0].message() == "文件设有打开密码，无法读取。请取消密码后重新报送"


def _write_ods(path: Path, sheets: dict[str, Grid]) -> Path:
    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, grid in sheets.items():
            width = max((len(r) for r in grid), default=0)
            frame = pd.DataFrame([r + [None] * (width - len(r)) for r in grid])
            frame.to_excel(writer, sheet_name=name, header=False, index=False)
    return path


def test_ods_workbooks_are_read(tmp_path: Path) -> None:
    sheets = {"填报单位": reporter(), **changed("销售数据表", 1, 业务类型="赠送")}
    sheets["客户信息表"].insert(0, ["客户信息表"])  # a title row: the header on row 2
    sheets["客户信息表"][3][sheets["客户信息表"][1].index("所在省份")] = "火星"
    path = _write_ods(tmp_path / "a.ods", sheets)
    assert spots(run(path).findings) == {
        ("客户信息表", "L4", 4, "所在省份", "bad_enum", E),
        ("销售数据表", "E3", 3, "业务类型", "bad_enum", E),
    }


def test_xls_workbooks_are_read() -> None:
    # The same workbook as the .ods one, saved by xlwt (Excel 97-2003); xlwt is no
    # test dependency, so the file is kept under tests/data.
    path = DATA / "excel97_title_row_two_bad_enums.xls"
    validation = run(path)
    assert spots(validation.findings) == {
        ("客户信息表", "L4", 4, "所在省份", "bad_enum", E),
        ("销售数据表", "E3", 3, "业务类型", "bad_enum", E),
    }
    assert validation.submissions[0].report_date == dt.date(2026, 4, 3)


def test_xlsm_is_read_like_xlsx(tmp_path: Path) -> None:
    path = write_submission(tmp_path / "a.xlsx")
    path.rename(tmp_path / "a.xlsm")
    assert run(tmp_path / "a.xlsm").findings == []


# ------------------------------------------------------------ across workbooks

def test_a_later_report_date_supersedes_and_earlier_only_sheets_stay(tmp_path: Path) -> None:
    first = write_submission(tmp_path / "first.xlsx", report_date=dt.date(2026, 4, 3))
    sheets = data_sheets()
    correction = {"客户信息表": sheets["客户信息表"], "销售数据表": sheets["销售数据表"]}
    second = write_submission(tmp_path / "second.xlsx", sheets=correction,
                              report_date=dt.date(2026, 4, 5))
    validation = run(first, second)
    assert validation.findings == []
    old, new = validation.submissions
    assert old.superseded == {"客户信息表": "second.xlsx", "销售数据表": "second.xlsx"}
    assert new.superseded == {}
    assert old.in_force("资信评估表") and old.in_force("拜访记录") and old.in_force("公司信息")
    assert new.in_force("客户信息表") and not old.in_force("客户信息表")


def test_equal_report_dates_conflict_on_each_file_for_each_shared_sheet(tmp_path: Path) -> None:
    a = write_submission(tmp_path / "a.xlsx")
    sheets = data_sheets()
    b = write_submission(tmp_path / "b.xlsx", sheets={"销售数据表": sheets["销售数据表"]})
    validation = run(a, b)
    got = {(f.file, f.sheet, f.cell, f.row, f.rule) for f in validation.findings}
    assert got == {
        ("a.xlsx", "销售数据表", None, None, "conflicting_submission"),
        ("b.xlsx", "销售数据表", None, None, "conflicting_submission"),
    }
    assert validation.findings[0].message() == (
        "“销售数据表”在本文件和“b.xlsx”中都有报送，且填报日期相同（2026-04-03），无法判断哪份为更正")


def test_three_files_of_one_day_conflict_once_per_file_and_sheet(tmp_path: Path) -> None:
    sales = {"销售数据表": data_sheets()["销售数据表"]}
    paths = [write_submission(tmp_path / f"{n}.xlsx", sheets=sales) for n in "abc"]
    paths.append(write_submission(tmp_path / "d.xlsx", sheets=data_sheets(),
                                  report_date=dt.date(2026, 4, 9)))
    findings = run(*paths).findings
    assert [(f.file, f.sheet, f.rule) for f in findings] == [
        (f"{n}.xlsx", "销售数据表", "conflicting_submission") for n in "abc"]
    assert findings[0].params["other"] == "b.xlsx、c.xlsx"


def test_split_submissions_know_each_others_customers(tmp_path: Path) -> None:
    sheets = data_sheets()
    customers = write_submission(tmp_path / "customers.xlsx", sheets={
        "公司信息": sheets["公司信息"], "客户信息表": sheets["客户信息表"],
        "资信评估表": sheets["资信评估表"], "市场分析": sheets["市场分析"]})
    sales = write_submission(tmp_path / "sales.xlsx", sheets={
        "销售数据表": sheets["销售数据表"]}, report_date=dt.date(2026, 4, 4))
    visits = write_submission(tmp_path / "visits.xlsx", sheets={
        "拜访记录": sheets["拜访记录"]}, report_date=dt.date(2026, 4, 8))
    assert run(customers, sales, visits).findings == []
    # Alone, the sales file lacks the customers and the quarter-end sheets.
    assert spots(run(sales).findings) == {
        ("销售数据表", "C2", 2, "客户编号", "unknown_customer", E),
        ("销售数据表", "C3", 3, "客户编号", "unknown_customer", E),
        *{(s, None, None, None, "missing_sheet", E)
          for s in ("客户信息表", "资信评估表", "拜访记录", "市场分析")},
    }


def test_other_subsidiaries_and_periods_do_not_share_customers(tmp_path: Path) -> None:
    sheets = data_sheets()
    customers = write_submission(tmp_path / "c.xlsx", sheets={
        "客户信息表": sheets["客户信息表"]}, subsidiary=OTHER)
    sales = write_submission(tmp_path / "s.xlsx", sheets={"销售数据表": sheets["销售数据表"]})
    findings = run(customers, sales).findings
    assert {(f.file, f.rule) for f in findings if f.rule == "unknown_customer"} == {
        ("s.xlsx", "unknown_customer")}


class Ledger:
    def __init__(self, customers: set[str], staff: set[str]) -> None:
        self._customers, self._staff = customers, staff

    def customers(self, subsidiary: str) -> set[str]:
        return self._customers if subsidiary == CHEM else set()

    def staff(self, subsidiary: str) -> set[str]:
        return self._staff if subsidiary == CHEM else set()


def test_the_ledger_knows_customers_and_staff(tmp_path: Path) -> None:
    sheets = data_sheets()
    del sheets["公司信息"]
    sheets["销售数据表"].append(list(sale_row("C900", 单据号="D9", 客户名称=None).values()))
    sheets["客户信息表"][2][sheets["客户信息表"][0].index("负责业务员")] = "离职员工"
    path = write_submission(tmp_path / "a.xlsx", sheets=sheets)
    assert spots(run(path).findings) == {
        ("销售数据表", "C4", 4, "客户编号", "unknown_customer", E)}
    findings = run(path, reference=Ledger({"C900"}, {"王五"})).findings
    assert spots(findings) == {("客户信息表", "T3", 3, "负责业务员", "unknown_staff", W)}


def test_the_staff_sheet_of_this_submission_comes_before_the_ledger(tmp_path: Path) -> None:
    path = write_submission(tmp_path / "a.xlsx")
    assert run(path, reference=Ledger(set(), {"别人"})).findings == []


def test_name_mismatch_compares_after_nfkc(tmp_path: Path) -> None:
    sheets = changed("销售数据表", 0, 客户名称=" 客户Ｃ００１有限公司 ")
    assert submit(tmp_path, sheets) == []


def test_findings_come_sorted_by_file_sheet_row_and_column(tmp_path: Path) -> None:
    sheets = changed("客户信息表", 1, 所在省份="火星", 客户名称=None)
    sheets["销售数据表"][1][4] = "赠送"
    findings = submit(tmp_path, sheets, 联系电话="1")
    assert [(f.sheet, f.cell) for f in findings] == [
        ("填报单位", "B5"), ("客户信息表", "B3"), ("客户信息表", "L3"), ("销售数据表", "E2")]


def test_percent_number_cells_as_excel_writes_them(tmp_path: Path) -> None:
    sheets = data_sheets()
    sheets["资信评估表"] = table([credit_row("C001", 按期付款率=1),
                                 credit_row("C002", 按期付款率="95%")])
    validation = run(write_submission(tmp_path / "a.xlsx", sheets=sheets))
    assert validation.findings == []
    data = validation.submissions[0].tables["资信评估表"].data
    assert data["on_time_rate"].tolist() == [1_000_000, 950_000]



def test_an_empty_template_sheet_neither_corrects_nor_conflicts(tmp_path: Path) -> None:
    """Reports sent in parts on template workbooks: the later workbook's 拜访记录 is only a
    header, so the earlier workbook's visits stay in force; same-day empty sheets do not
    conflict either."""
    first_sheets = data_sheets()
    first = write_submission(tmp_path / "first.xlsx", sheets=first_sheets,
                             report_date=dt.date(2026, 4, 3))
    later_sheets = {"拜访记录": table([], headers=[f.label for f in VISITS.fields]),
                    "市场分析": market()}
    later = write_submission(tmp_path / "later.xlsx", sheets=later_sheets,
                             report_date=dt.date(2026, 4, 9))
    result = run(first, later)
    by_file = {s.file: s for s in result.submissions}
    assert result.findings == []
    assert by_file["first.xlsx"].in_force("拜访记录")
    assert by_file["first.xlsx"].superseded == {"市场分析": "later.xlsx"}
    assert by_file["later.xlsx"].superseded == {"拜访记录": "first.xlsx"}
    empty_market = later_sheets | {"市场分析": [["主题", "分析内容"]]}
    same_day = write_submission(tmp_path / "same_day.xlsx", sheets=empty_market, report_date=dt.date(2026, 4, 3))
    assert run(first, same_day).findings == []
