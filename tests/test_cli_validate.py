"""`xlcrm validate`: exit codes, JSON and text output, folders, --lang and --config."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from builders import CHEM, OTHER, data_sheets, write_submission, write_workbook
from xlcrm.cli import main
from xlcrm.config import load_config
from xlcrm.report_text import as_json, as_text
from xlcrm.validate import validate_files

CONFIG_TOML = """\
group = "测试集团"

[[subsidiaries]]
name = "化工一厂"
industry = "化工"

[[subsidiaries]]
name = "医药公司"
industry = "医药"

[[subsidiaries]]
name = "贸易公司"
industry = "其他"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "conf" / "xlcrm.toml"
    path.parent.mkdir()
    path.write_text(CONFIG_TOML, encoding="utf-8")
    return path


@pytest.fixture
def valid(tmp_path: Path) -> Path:
    # Another subsidiary than `broken`: the two never meet as corrections of each other.
    return write_submission(tmp_path / "inbox" / "valid.xlsx", subsidiary=OTHER)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    sheets = data_sheets()
    sheets["客户信息表"][1][sheets["客户信息表"][0].index("所在省份")] = "火星"
    sheets["销售数据表"][2][sheets["销售数据表"][0].index("业务类型")] = "赠送"
    return write_submission(tmp_path / "inbox" / "broken.xlsx", sheets=sheets, 联系电话="123")


def invoke(*args: str | Path, cwd: Path | None = None) -> Result:
    """Run `xlcrm`; in `cwd` when given (a folder without xlcrm.toml)."""
    argv = [str(a) for a in args]
    with contextlib.chdir(cwd or Path.cwd()):
        return CliRunner().invoke(main, argv, catch_exceptions=False)


def test_a_valid_file_exits_0(valid: Path, config_file: Path) -> None:
    result = invoke("validate", valid, "--config", config_file)
    assert result.exit_code == 0, result.output
    assert "无问题" in result.output
    assert result.output.rstrip().endswith("全部通过，可以汇总。")


def test_a_file_with_errors_exits_1(broken: Path, config_file: Path) -> None:
    result = invoke("validate", broken, "--config", config_file)
    assert result.exit_code == 1
    assert "有错误的文件应退回填报单位修改后重新报送。" in result.output


def test_warnings_alone_exit_0(tmp_path: Path, config_file: Path) -> None:
    path = write_submission(tmp_path / "warn.xlsx", 联系电话="123")
    result = invoke("validate", path, "--config", config_file, "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["valid"] is True
    assert [f["rule"] for f in document["findings"]] == ["bad_phone"]
    assert [f["severity"] for f in document["findings"]] == ["warning"]


@pytest.mark.parametrize("args", [
    ("validate", "no/such/file.xlsx"),
    ("validate",),
    ("validate", "--format", "xml", "."),
    ("validate", "--lang", "fr", "."),
])
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert invoke(*args, cwd=tmp_path).exit_code == 2


def test_a_folder_without_workbooks_is_a_usage_error(tmp_path: Path, config_file: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x")
    result = invoke("validate", tmp_path / "empty", "--config", config_file)
    assert result.exit_code == 2
    assert "没有找到工作簿" in result.output


def test_a_missing_config_file_is_a_usage_error(valid: Path, tmp_path: Path) -> None:
    result = invoke("validate", valid, "--config", tmp_path / "nope.toml")
    assert result.exit_code == 2
    assert "找不到配置文件" in result.output


def test_json_output_equals_the_library_call(
    valid: Path, broken: Path, config_file: Path,
) -> None:
    result = invoke("validate", valid, broken, "--config", config_file, "--format", "json")
    assert result.exit_code == 1
    expected = as_json(validate_files(
        [(valid, str(valid)), (broken, str(broken))], load_config(config_file), jobs=1))
    assert json.loads(result.output) == expected


def test_json_shape_is_the_spec_example(broken: Path, config_file: Path) -> None:
    result = invoke("validate", broken, "--config", config_file, "--format", "json")
    document = json.loads(result.output)
    assert list(document) == ["valid", "files", "findings"]
    assert document["valid"] is False
    (entry,) = document["files"]
    assert list(entry) == ["file", "sha256", "subsidiary", "period", "errors", "warnings"]
    assert entry["file"] == str(broken)
    assert len(entry["sha256"]) == 64
    assert (entry["subsidiary"], entry["period"], entry["errors"], entry["warnings"]) == (
        CHEM, "2026Q1", 2, 1)
    assert [list(f) for f in document["findings"]] == [[
        "file", "sheet", "cell", "row", "column", "value", "rule", "severity", "message",
    ]] * 3
    assert [(f["sheet"], f["cell"], f["row"], f["column"], f["value"], f["rule"], f["severity"])
            for f in document["findings"]] == [
        ("填报单位", "B5", 5, "联系电话", "123", "bad_phone", "warning"),
        ("客户信息表", "L2", 2, "所在省份", "火星", "bad_enum", "error"),
        ("销售数据表", "E3", 3, "业务类型", "赠送", "bad_enum", "error"),
    ]
    assert document["findings"][1]["message"].startswith("“所在省份”的值“火星”不在可选范围内：北京市、")


def test_file_and_sheet_level_findings_have_null_cells(tmp_path: Path, config_file: Path) -> None:
    sheets = data_sheets()
    del sheets["市场分析"]
    sheets["笔记"] = [["随手记"]]
    path = write_submission(tmp_path / "a.xlsx", sheets=sheets)
    text = tmp_path / "b.xlsx"
    text.write_text("not a workbook")
    result = invoke("validate", path, text, "--config", config_file, "--format", "json")
    findings = json.loads(result.output)["findings"]
    assert [(f["file"], f["sheet"], f["cell"], f["row"], f["column"], f["rule"])
            for f in findings] == [
        (str(path), "市场分析", None, None, None, "missing_sheet"),
        (str(path), "笔记", None, None, None, "unknown_sheet"),
        (str(text), None, None, None, None, "unreadable_file"),
    ]


def test_lang_en_changes_messages_not_rules(broken: Path, config_file: Path) -> None:
    zh = json.loads(invoke("validate", broken, "--config", config_file, "--format", "json").output)
    en = json.loads(invoke("validate", broken, "--config", config_file, "--format", "json",
                           "--lang", "en").output)
    assert [f["rule"] for f in en["findings"]] == [f["rule"] for f in zh["findings"]]
    assert [f["message"] for f in en["findings"]] == [
        "Phone number '123' is malformed (mobile: 11 digits; landline e.g. 021-12345678)",
        "'所在省份' value '火星' is not one of: 北京市、天津市、上海市、重庆市、河北省、山西省、"
        "辽宁省、吉林省、黑龙江省、江苏省、浙江省、安徽省、福建省、江西省、山东省、河南省、湖北省、"
        "湖南省、广东省、海南省、四川省、贵州省、云南省、陕西省、甘肃省、青海省、台湾省、"
        "内蒙古自治区、广西壮族自治区、西藏自治区、宁夏回族自治区、新疆维吾尔自治区、"
        "香港特别行政区、澳门特别行政区",
        "'业务类型' value '赠送' is not one of: 发货、退货、回款",
    ]
    text = invoke("validate", broken, "--config", config_file, "--lang", "en").output
    assert "1 file(s) checked: 1 with errors; 2 error(s), 1 warning(s)." in text


def test_text_output_is_grouped_by_file_and_sheet(
    valid: Path, broken: Path, config_file: Path,
) -> None:
    result = invoke("validate", valid, broken, "--config", config_file)
    lines = result.output.splitlines()
    broken_at = lines.index(f"{broken}  {CHEM} 2026Q1  错误 2 个，警告 1 个")
    assert lines[broken_at + 1:broken_at + 8] == [
        "  填报单位",
        "    B5       警告  联系电话“123”格式不正确（手机11位，座机如 021-12345678）  [bad_phone]",
        "  客户信息表",
        f"    L2       错误  {lines[broken_at + 4].split('错误  ', 1)[1]}",
        "  销售数据表",
        "    E3       错误  “业务类型”的值“赠送”不在可选范围内：发货、退货、回款  [bad_enum]",
        "",
    ]
    assert lines[broken_at + 4].endswith("[bad_enum]")
    assert f"{valid}  {OTHER} 2026Q1  无问题" in lines
    assert lines[-2:] == ["共检查 2 个文件：1 个文件有错误；错误 2 个，警告 1 个。",
                          "有错误的文件应退回填报单位修改后重新报送。"]


def test_text_output_equals_the_library_rendering(broken: Path, config_file: Path) -> None:
    result = invoke("validate", broken, "--config", config_file)
    validation = validate_files([(broken, str(broken))], load_config(config_file), jobs=1)
    assert result.output == as_text(validation) + "\n"


def test_folders_are_searched_recursively(tmp_path: Path, config_file: Path) -> None:
    inbox = tmp_path / "inbox"
    customers = data_sheets()
    write_submission(inbox / "2026-03" / "a" / "customers.xlsx", sheets={
        k: v for k, v in customers.items() if k != "销售数据表"})
    write_submission(inbox / "2026-03" / "b" / "sales.xlsx",
                     sheets={"销售数据表": customers["销售数据表"]},
                     report_date=dt.date(2026, 4, 5))
    (inbox / "2026-03" / "readme.txt").write_text("说明")
    (inbox / "2026-03" / "~$customers.xlsx").write_bytes(b"lock")
    (inbox / "2026-03" / "._sales.xlsx").write_bytes(b"\0\5\26\7 AppleDouble")
    result = invoke("validate", inbox, "--config", config_file, "--format", "json")
    document = json.loads(result.output)
    assert [Path(f["file"]).name for f in document["files"]] == ["customers.xlsx", "sales.xlsx"]
    # One call: the sales file finds its customers in the other file.
    assert document["findings"] == []
    assert result.exit_code == 0


def test_the_config_in_the_current_folder_is_used(
    tmp_path: Path, valid: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "xlcrm.toml").write_text(CONFIG_TOML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", valid, "--format", "json")
    assert result.exit_code == 0, result.output


def test_the_config_beside_the_workbooks_is_used(tmp_path: Path, valid: Path) -> None:
    (valid.parent / "xlcrm.toml").write_text(CONFIG_TOML, encoding="utf-8")
    result = invoke("validate", valid.parent, "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.output


def test_without_a_config_no_subsidiary_is_known(tmp_path: Path, valid: Path) -> None:
    result = invoke("validate", valid, "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    findings = json.loads(result.output)["findings"]
    assert [(f["cell"], f["rule"]) for f in findings] == [("B1", "unknown_subsidiary")]
    assert findings[0]["message"] == "填报单位“贸易公司”不是集团配置中的单位（未配置任何单位）"


def test_an_unreadable_file_named_on_the_command_line_is_a_finding(
    tmp_path: Path, config_file: Path,
) -> None:
    path = tmp_path / "report.csv"
    path.write_text("a,b\n1,2\n")
    result = invoke("validate", path, "--config", config_file, "--format", "json")
    assert result.exit_code == 1
    assert [f["rule"] for f in json.loads(result.output)["findings"]] == ["unreadable_file"]


def test_an_xlsx_without_the_reporter_sheet(tmp_path: Path, config_file: Path) -> None:
    path = write_workbook(tmp_path / "a.xlsx", data_sheets())
    result = invoke("validate", path, "--config", config_file, "--format", "json")
    document = json.loads(result.output)
    assert document["files"][0]["subsidiary"] is None
    assert document["files"][0]["period"] is None
    assert [f["rule"] for f in document["findings"]] == ["missing_sheet"]
