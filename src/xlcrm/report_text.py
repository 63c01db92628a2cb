"""Findings for people (text) and for programs (JSON), spec/submission.md."""

from __future__ import annotations

import json
from itertools import groupby
from typing import Any

from .findings import ERROR, Finding, count
from .validate import Validation

WORDS = {
    "zh": {
        "error": "错误", "warning": "警告", "file_level": "（文件）", "sheet_level": "（整表）",
        "clean": "无问题",
        "summary": "共检查 {files} 个文件：{bad} 个文件有错误；错误 {errors} 个，警告 {warnings} 个。",
        "verdict_ok": "全部通过，可以汇总。",
        "verdict_bad": "有错误的文件应退回填报单位修改后重新报送。",
        "counts": "错误 {errors} 个，警告 {warnings} 个",
        "superseded": "  （{sheet} 已被 {other} 更正，以后者为准）",
    },
    "en": {
        "error": "error", "warning": "warning", "file_level": "(file)", "sheet_level": "(sheet)",
        "clean": "no problems",
        "summary": "{files} file(s) checked: {bad} with errors; {errors} error(s), "
                   "{warnings} warning(s).",
        "verdict_ok": "All valid: ready to consolidate.",
        "verdict_bad": "Return the files with errors to their subsidiaries for correction.",
        "counts": "{errors} error(s), {warnings} warning(s)",
        "superseded": "  ({sheet} is superseded by {other})",
    },
}


def as_json(validation: Validation, lang: str = "zh") -> dict[str, Any]:
    files = []
    for s in validation.submissions:
        errors, warnings = count(s.findings)
        files.append({
            "file": s.file, "sha256": s.sha256, "subsidiary": s.subsidiary,
            "period": str(s.period) if s.period else None,
            "errors": errors, "warnings": warnings,
        })
    return {
        "valid": validation.valid,
        "files": files,
        "findings": [f.to_json(lang) for f in validation.findings],
    }


def json_text(validation: Validation, lang: str = "zh") -> str:
    return json.dumps(as_json(validation, lang), ensure_ascii=False, indent=2)


def as_text(validation: Validation, lang: str = "zh") -> str:
    w = WORDS[lang]
    lines: list[str] = []
    for s in validation.submissions:
        errors, warnings = count(s.findings)
        who = " ".join(x for x in (s.subsidiary, str(s.period) if s.period else None) if x)
        status = w["counts"].format(errors=errors, warnings=warnings) if s.findings else w["clean"]
        lines.append("  ".join(x for x in (s.file, who, status) if x))
        for sheet, other in s.superseded.items():
            lines.append(w["superseded"].format(sheet=sheet, other=other))
        for sheet, group in groupby(s.findings, key=lambda f: f.sheet or ""):
            lines.append(f"  {sheet or w['file_level']}")
            for f in group:
                lines.append(f"    {_where(f, w):<8} {w[f.severity]}  {f.message(lang)}  [{f.rule}]")
        lines.append("")
    total_errors, total_warnings = count(validation.findings)
    bad = sum(1 for s in validation.submissions if s.has_errors)
    lines.append(w["summary"].format(files=len(validation.submissions), bad=bad,
                                     errors=total_errors, warnings=total_warnings))
    lines.append(w["verdict_ok"] if validation.valid else w["verdict_bad"])
    return "\n".join(lines)


def _where(f: Finding, w: dict[str, str]) -> str:
    if f.cell:
        return f.cell
    if f.row:
        return f"{f.row}行" if w is WORDS["zh"] else f"row {f.row}"
    return w["sheet_level"] if f.sheet else w["file_level"]


def severity_word(f: Finding, lang: str) -> str:
    return WORDS[lang][ERROR if f.severity == ERROR else "warning"]
