"""Every command has help text and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from xlcrm.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_command_has_help_and_is_in_readme(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert main.commands[command].help, f"{command} has no help text"
    assert f"xlcrm {command}" in README, f"`xlcrm {command}` is not in the README"


def test_readme_starts_with_the_two_commands() -> None:
    blocks = README.split("```")
    assert "xlcrm consolidate sample_workbooks/inbox" in blocks[1]
    assert "pytest" in blocks[3]
    assert "xlcrm validate sample_workbooks/mistakes" in README
