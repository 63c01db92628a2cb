"""The bundled sample group: the inbox is valid, and the workbooks with typical
mistakes give exactly the findings their generator injected (expected.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from xlcrm.config import load_config
from xlcrm.read import find_workbooks
from xlcrm.validate import batches, check_workbook, check_workbooks, validate_files

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


def test_a_batch_gives_what_each_workbook_gives_alone() -> None:
    """Workbooks are checked in batches, each sheet stacked over the batch: the
    findings and the typed tables are those of each workbook checked alone."""
    files = find_workbooks([SAMPLES / "mistakes", SAMPLES / "inbox" / "2025-03"])
    items = [(f, f.name) for f in files]
    together = check_workbooks(items, CONFIG)
    assert len(together) == len(items) > 20
    assert sum(len(s.findings) for s in together) >= 40
    for sub, (path, name) in zip(together, items, strict=True):
        alone = check_workbook(path, name, CONFIG)
        assert (sub.file, sub.findings) == (alone.file, alone.findings)
        assert (sub.subsidiary, sub.period, sub.carried) == (alone.subsidiary, alone.period,
                                                             alone.carried)
        assert sub.tables.keys() == alone.tables.keys()
        for sheet, table in sub.tables.items():
            other = alone.tables[sheet]
            assert (table.letters, table.header_row) == (other.letters, other.header_row)
            pd.testing.assert_frame_equal(table.data, other.data)
            assert table.keys.keys() == other.keys.keys()
            for key, column in table.keys.items():
                assert column.equals(other.keys[key])


def test_batches_take_every_file_once_in_order(tmp_path: Path) -> None:
    files = []
    for i in range(37):
        path = tmp_path / f"{i:02d}.xlsx"
        path.write_bytes(b"x" * (9 * 2**20 if i in (5, 6) else 10))
        files.append((path, path.name))
    runs = batches(files, 2)
    assert [item for run in runs for item in run] == files
    # Each run about half of what is left per worker (a quarter with two workers), down
    # to three files; the two large files (in the first run of ten) do not share a batch.
    assert [len(run) for run in runs] == [6, 4, 7, 5, 4, 3, 3, 3, 2]
    assert [item[0].name for item in runs[1]] == ["06.xlsx", "07.xlsx", "08.xlsx", "09.xlsx"]
    assert batches([], 2) == []
    assert [len(run) for run in batches(files[:3], 2)] == [3]
