"""The bundled sample group: the inbox is valid, and the workbooks with typical
mistakes give exactly the findings their generator injected (expected.json)."""

from __future__ import annotations

import json
from pathlib import Path

from xlcrm.config import load_config
from xlcrm.read import find_workbooks
from xlcrm.validate import validate_files

SAMPLES = Path(__file__).resolve().parent.parent / "sample_workbooks"
CONFIG = load_config(SAMPLES / "xlcrm.toml")


def test_mistakes_give_exactly_the_injected_findings() -> None:
    folder = SAMPLES / "mistakes"
    result = validate_files([(f, f.name) for f in find_workbooks([folder])], CONFIG)
    got = {(f.file, f.sheet, f.cell, f.rule) for f in result.findings}
    expected = {(e["file"], e["sheet"], e["cell"], e["rule"])
                for e in json.loads((folder / "expected.json").read_text(encoding="utf-8"))}
    assert got == expected


def test_every_inbox_month_is_valid() -> None:
    for month in sorted(p for p in (SAMPLES / "inbox").iterdir() if p.is_dir()):
        result = validate_files([(f, f.name) for f in find_workbooks([month])], CONFIG)
        errors = [f for f in result.findings if f.severity == "error"]
        assert errors == [], month.name
