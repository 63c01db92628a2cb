"""Findings: what validation reports, and the message catalogue (zh, en).

Findings are data, collected and reported together; exceptions are kept for
failures of the program or its environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"

ERROR_RULES = (
    "unreadable_file", "encrypted_file", "missing_sheet", "missing_column", "required",
    "bad_number", "bad_date", "bad_period", "bad_enum", "out_of_range", "bad_uscc",
    "bad_org_code", "duplicate", "unknown_customer", "unknown_subsidiary",
    "industry_mismatch", "wrong_period_kind", "outside_period", "bad_report_date",
    "inconsistent", "conflicting_submission", "template_version",
)
WARNING_RULES = (
    "unknown_sheet", "unknown_column", "total_row_skipped", "bad_phone", "bad_reg_no",
    "bad_tax_no", "unknown_staff", "name_mismatch", "amount_mismatch",
)
SEVERITY = {**{r: ERROR for r in ERROR_RULES}, **{r: WARNING for r in WARNING_RULES}}

# One message per rule and language; {placeholders} come from Finding.params.
# A rule may carry several variants, chosen by params["variant"].
MESSAGES: dict[str, dict[str, str]] = {
    "unreadable_file": {
        "zh": "无法读取该文件：{reason}。请确认它是 Excel 工作簿（.xlsx/.xlsm/.xls/.ods）并重新保存后报送",
        "en": "The file cannot be read: {reason_en}. Make sure it is an Excel workbook "
              "(.xlsx/.xlsm/.xls/.ods) and save it again",
    },
    "encrypted_file": {
        "zh": "文件设有打开密码，无法读取。请取消密码后重新报送",
        "en": "The file is password-protected and cannot be read. Remove the password and resend it",
    },
    "missing_sheet": {
        "zh": "缺少工作表“{sheet}”（{period} 应报送）",
        "en": "Sheet '{sheet}' is missing (required for {period})",
    },
    "missing_reporter": {
        "zh": "缺少工作表“{sheet}”：无法确定填报单位和报送期间",
        "en": "Sheet '{sheet}' is missing: the subsidiary and period cannot be told",
    },
    "missing_column": {
        "zh": "工作表“{sheet}”缺少必填列“{column}”（表头在第 {row} 行）",
        "en": "Sheet '{sheet}' lacks the required column '{column}' (header on row {row})",
    },
    "missing_header": {
        "zh": "工作表“{sheet}”前 {rows} 行中找不到表头，缺少必填列“{column}”",
        "en": "Sheet '{sheet}' has no header row in its first {rows} rows: "
              "the required column '{column}' is missing",
    },
    "required": {
        "zh": "“{column}”为必填项，不能为空",
        "en": "'{column}' is required and must not be blank",
    },
    "required_when": {
        "zh": "{condition}时“{column}”必填",
        "en": "'{column}' is required when {condition_en}",
    },
    "bad_number": {
        "zh": "“{column}”应填写{expected}，“{value}”不是有效数字",
        "en": "'{column}' must be {expected_en}; '{value}' is not a valid number",
    },
    "bad_date": {
        "zh": "“{column}”不是有效日期：“{value}”（可写作 2026-03-05、2026/3/5、2026年3月5日）",
        "en": "'{column}' is not a valid date: '{value}' (write e.g. 2026-03-05)",
    },
    "bad_period": {
        "zh": "报送期间“{value}”无法识别（季度写作 2026Q1，月份写作 2026-03）",
        "en": "Reporting period '{value}' is not recognised (quarter: 2026Q1, month: 2026-03)",
    },
    "bad_enum": {
        "zh": "“{column}”的值“{value}”不在可选范围内：{choices}",
        "en": "'{column}' value '{value}' is not one of: {choices}",
    },
    "out_of_range": {
        "zh": "“{column}”的值“{value}”超出允许范围：{limit}",
        "en": "'{column}' value '{value}' is out of range: {limit_en}",
    },
    "bad_uscc": {
        "zh": "统一社会信用代码“{value}”无效：{reason}",
        "en": "Unified social credit code '{value}' is invalid: {reason_en}",
    },
    "bad_org_code": {
        "zh": "组织机构代码“{value}”校验位错误",
        "en": "Organization code '{value}' has a wrong check digit",
    },
    "duplicate": {
        "zh": "“{column}”的值“{value}”与第 {first_row} 行重复",
        "en": "'{column}' value '{value}' repeats row {first_row}",
    },
    "unknown_customer": {
        "zh": "客户编号“{value}”不在本单位本期的客户信息表中",
        "en": "Customer number '{value}' is not in this subsidiary's customer sheet for the period",
    },
    "unknown_subsidiary": {
        "zh": "填报单位“{value}”不是集团配置中的单位（{choices}）",
        "en": "Subsidiary '{value}' is not in the group configuration ({choices})",
    },
    "industry_mismatch": {
        "zh": "行业类型“{value}”与配置中该单位的行业类型“{expected}”不一致",
        "en": "Industry '{value}' differs from the configured industry '{expected}'",
    },
    "wrong_period_kind": {
        "zh": "{industry}企业应按{expected}报送，报送期间“{value}”不符",
        "en": "A {industry} subsidiary reports by {expected_en}; period '{value}' does not fit",
    },
    "outside_period": {
        "zh": "“{column}” {value} 不在{window}内",
        "en": "'{column}' {value} is outside {window_en}",
    },
    "bad_report_date": {
        "zh": "填报日期 {value} 早于报送期间最后一天 {period_end}",
        "en": "Report date {value} is before the period's last day {period_end}",
    },
    "inconsistent": {
        "zh": "{detail}",
        "en": "{detail_en}",
    },
    "conflicting_submission": {
        "zh": "“{sheet}”在本文件和“{other}”中都有报送，且填报日期相同（{date}），无法判断哪份为更正",
        "en": "Sheet '{sheet}' is in this file and in '{other}' with the same report date ({date}); "
              "which one is the correction cannot be told",
    },
    "template_version": {
        "zh": "模板版本“{value}”与当前模板 {expected} 不兼容，请使用新模板重新填报",
        "en": "Template version '{value}' is incompatible with the current template {expected}; "
              "please refill the new template",
    },
    "unknown_sheet": {
        "zh": "工作表“{sheet}”不属于报送内容，已忽略",
        "en": "Sheet '{sheet}' is not part of the submission and was ignored",
    },
    "unknown_column": {
        "zh": "列“{value}”不属于“{sheet}”，已忽略",
        "en": "Column '{value}' is not part of '{sheet}' and was ignored",
    },
    "total_row_skipped": {
        "zh": "第 {row} 行为“{value}”行，已跳过（合计由系统计算）",
        "en": "Row {row} is a '{value}' row and was skipped (totals are computed)",
    },
    "bad_phone": {
        "zh": "联系电话“{value}”格式不正确（手机11位，座机如 021-12345678）",
        "en": "Phone number '{value}' is malformed (mobile: 11 digits; landline e.g. 021-12345678)",
    },
    "bad_reg_no": {
        "zh": "营业执照注册号“{value}”应为15位数字",
        "en": "Business registration number '{value}' should be 15 digits",
    },
    "bad_tax_no": {
        "zh": "税务登记证号“{value}”应为15、18或20位",
        "en": "Tax registration number '{value}' should have 15, 18 or 20 characters",
    },
    "unknown_staff": {
        "zh": "业务员“{value}”不在本单位公司信息表的人员名单中",
        "en": "Salesperson '{value}' is not listed in the subsidiary's staff sheet",
    },
    "name_mismatch": {
        "zh": "客户名称“{value}”与客户信息表中的“{expected}”不一致",
        "en": "Customer name '{value}' differs from '{expected}' in the customer sheet",
    },
    "amount_mismatch": {
        "zh": "金额 {value} 与 数量×单价 = {expected} 不符",
        "en": "Amount {value} differs from quantity × unit price = {expected}",
    },
}

# Column kinds, as the bad_number message names them.
EXPECTED_NUMBER = {
    "amount": ("金额（数字，如 1,234.50）", "an amount such as 1,234.50"),
    "decimal": ("数字", "a number"),
    "integer": ("整数", "a whole number"),
    "percent": ("百分比（如 95% 或 0.95）", "a percentage such as 95% or 0.95"),
}


@dataclass(frozen=True)
class Finding:
    file: str
    rule: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def severity(self) -> str:
        return SEVERITY[self.rule]

    def message(self, lang: str = "zh") -> str:
        template_key = self.params.get("variant", self.rule)
        template = MESSAGES[template_key][lang]
        values = {
            "sheet": self.sheet, "column": self.column, "value": self.value, "row": self.row,
            **self.params,
        }
        # An English template may name an *_en param; fall back to the plain one.
        for k in list(values):
            values.setdefault(f"{k}_en", values[k])
        return template.format_map(_Blank(values))

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        """The finding as spec/submission.md's JSON shows it, keys in its order."""
        return {
            "file": self.file, "sheet": self.sheet, "cell": self.cell, "row": self.row,
            "column": self.column, "value": self.value, "rule": self.rule,
            "severity": self.severity, "message": self.message(lang),
        }

    def sort_key(self) -> tuple[Any, ...]:
        from .schema import SHEETS

        order = list(SHEETS).index(self.sheet) if self.sheet in SHEETS else len(SHEETS)
        sheet_order = (-1, "") if self.sheet is None else (order, self.sheet)
        return (self.file, sheet_order, self.row or 0, _column_order(self.cell), self.rule)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        if key.endswith("_en") and key[:-3] in self:
            return str(self[key[:-3]])
        return ""


def _column_order(cell: str | None) -> tuple[int, str]:
    if not cell:
        return (0, "")
    letters = cell.rstrip("0123456789")
    return (len(letters), letters)


def count(findings: list[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(1 for f in findings if f.severity == ERROR)
    return errors, len(findings) - errors
