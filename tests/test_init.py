"""`xlcrm init`: the commented xlcrm.toml loads back into the policy defaults."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlcrm.cli import main
from xlcrm.config import DEFAULT_LEDGER, Policy, Subsidiary, load_config
from xlcrm.write.config_file import (
    POLICY_NOTES,
    ConfigExists,
    config_text,
    toml_value,
    write_config,
)


def test_written_config_loads_into_the_defaults(tmp_path: Path) -> None:
    path = write_config(tmp_path, "某某集团", [("化工一厂", "化工"), ("医药公司", "医药")])
    assert path == tmp_path / "xlcrm.toml"
    config = load_config(path)
    assert config.group == "某某集团"
    assert config.ledger == DEFAULT_LEDGER
    assert config.subsidiaries == (Subsidiary("化工一厂", "化工"), Subsidiary("医药公司", "医药"))
    assert config.policy == Policy()


def test_every_policy_field_is_written_with_its_comment() -> None:
    assert set(POLICY_NOTES) == {f.name for f in fields(Policy)}
    text = config_text("集团", [])
    lines = text.splitlines()
    for f in fields(Policy):
        if f.name == "visit_interval_days":
            at = lines.index("[policy.visit_interval_days]")
        else:
            at = next(i for i, line in enumerate(lines) if line.startswith(f"{f.name} = "))
        assert lines[at - 1] == f"# {POLICY_NOTES[f.name]}"
    assert tomllib.loads(text)["policy"]["visit_interval_days"] == Policy().visit_interval_days


def test_no_subsidiaries_gives_commented_examples_and_one_live_entry(tmp_path: Path) -> None:
    path = write_config(tmp_path, "某某集团", [])
    text = path.read_text(encoding="utf-8")
    assert '# name = "医药公司"' in text and '# name = "贸易公司"' in text
    assert load_config(path).subsidiaries == (Subsidiary("化工一厂", "化工"),)
    assert "postgresql://" in text


@pytest.mark.parametrize(("value", "literal"), [
    (True, "true"),
    (50_000, "50000"),
    ("0.80", '"0.80"'),
    ('某"集团\\', '"某\\"集团\\\\"'),
    ({"A": {"一级": 30}}, '{ A = { "一级" = 30 } }'),
])
def test_toml_value(value: object, literal: str) -> None:
    assert toml_value(value) == literal


def test_awkward_names_round_trip(tmp_path: Path) -> None:
    path = write_config(tmp_path, '某"集团\\', [("化工#1厂", "化工")])
    config = load_config(path)
    assert (config.group, config.subsidiaries[0].name) == ('某"集团\\', "化工#1厂")


def test_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    path = write_config(tmp_path, "甲集团", [])
    with pytest.raises(ConfigExists) as raised:
        write_config(tmp_path, "乙集团", [])
    assert raised.value.path == path
    assert load_config(path).group == "甲集团"
    write_config(tmp_path, "乙集团", [], force=True)
    assert load_config(path).group == "乙集团"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xlcrm.toml"]  # no temporary left


def test_bad_industry_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="行业类型"):
        write_config(tmp_path, "集团", [("某厂", "制造")])
    assert not (tmp_path / "xlcrm.toml").exists()


def test_cli_init(tmp_path: Path) -> None:
    target = tmp_path / "new"
    runner = CliRunner()
    result = runner.invoke(main, ["init", str(target), "--group", "某某集团",
                                  "--subsidiary", "化工一厂=化工", "--subsidiary", "医药公司=医药"])
    assert result.exit_code == 0, result.output
    path = target / "xlcrm.toml"
    assert result.output == f"已写出 {path}：请核对集团名称、下属单位及其行业类型。\n"
    config = load_config(path)
    assert config.policy == Policy()
    assert [s.name for s in config.subsidiaries] == ["化工一厂", "医药公司"]

    again = runner.invoke(main, ["init", str(target)])
    assert again.exit_code == 2
    assert f"{path} 已存在；如需覆盖请加 --force" in again.output

    forced = runner.invoke(main, ["init", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert load_config(path).subsidiaries == (Subsidiary("化工一厂", "化工"),)


def test_cli_init_bad_subsidiary(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--subsidiary", "某厂"])
    assert result.exit_code == 2
    assert "“某厂”应写作 单位名称=行业类型（化工、医药或其他）" in result.output
    assert not (tmp_path / "xlcrm.toml").exists()
