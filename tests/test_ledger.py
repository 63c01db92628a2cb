"""The ledger on SQLite and on a real PostgreSQL server: replacement in one
transaction, failures leaving it as it was, the schema version, and the same
consolidation on both."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from builders import CONFIG
from pg import throwaway_cluster
from test_consolidate import MARCH, write_group
from xlcrm.consolidate import ConsolidationError, run
from xlcrm.ledger import Ledger, LedgerError, classes, meta, runs, transactions
from xlcrm.periods import Period


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with throwaway_cluster() as url:
        if url is None:
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL is not installed: .ci/run installs it")
            pytest.skip("PostgreSQL is not installed here")
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    if request.param == "sqlite":
        yield Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
        return
    url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    with engine.begin() as c:  # each test starts from an empty ledger
        c.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    led = Ledger.open(url)
    yield led
    led.engine.dispose()


def _runs(ledger: Ledger) -> list[tuple[str, str]]:
    return [(r.run_month, r.outcome) for r in ledger.runs().itertuples()]


def test_rerunning_a_month_replaces_its_data_and_keeps_both_runs(
        ledger: Ledger, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_group(inbox)
    for month in (Period.month(2025, 3), MARCH, MARCH):
        run(inbox / str(month), month, CONFIG, ledger, tmp_path / "out", display_root=inbox)
    tx = ledger.frame(transactions)
    assert sorted(tx.groupby("run_month").size().items()) == [("2025-03", 4), ("2026-03", 8)]
    assert _runs(ledger) == [("2025-03", "ok"), ("2026-03", "ok"), ("2026-03", "ok")]
    # Earlier periods are never touched by a re-run.
    assert set(tx.loc[tx["run_month"] == "2025-03", "document_no"]) == {"A1", "A2", "A3", "A4"}
    assert tx["amount"].sum() == (613_000 + 1_013_000) * 100  # fen
    group = ledger.classes_of("2026-03")
    assert (group["scope"] == "").sum() == 6


def test_a_failed_run_leaves_the_ledger_and_outputs_as_they_were(
        ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    write_group(inbox)
    out = tmp_path / "out"
    run(inbox / "2025-03", Period.month(2025, 3), CONFIG, ledger, out, display_root=inbox)
    before = ledger.frame(transactions).sort_values("id").reset_index(drop=True)
    before_classes = len(ledger.frame(classes))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("xlcrm.write.summary.write_summary", broken)
    with pytest.raises(ConsolidationError, match="2026-03 汇总失败，台账与输出未作改动：disk full"):
        run(inbox / "2026-03", MARCH, CONFIG, ledger, out, display_root=inbox)
    pd.testing.assert_frame_equal(ledger.frame(transactions).sort_values("id").reset_index(
        drop=True), before)
    assert len(ledger.frame(classes)) == before_classes
    # The failure is on record; no summary for the month was written.
    assert _runs(ledger) == [("2025-03", "ok"), ("2026-03", "failed")]
    assert sorted(p.name for p in out.iterdir()) == [
        "客户管理报告_2025-03.html", "集团客户管理汇总_2025-03.xlsx"]


def test_a_newer_schema_is_refused(ledger: Ledger) -> None:
    with ledger.engine.begin() as c:
        c.execute(meta.update().where(meta.c.key == "schema_version").values(value="99"))
    with pytest.raises(LedgerError, match="结构版本 99 比本程序支持的 2 新"):
        Ledger.open(ledger.engine.url.render_as_string(hide_password=False))


def test_run_record_keeps_input_hashes(ledger: Ledger, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_group(inbox, lost_customer_pays=False)
    outcome = run(inbox / "2026-03", MARCH, CONFIG, ledger, tmp_path / "out",
                  display_root=inbox, now=lambda: dt.datetime(2026, 4, 9, 8, 30))
    assert outcome.run_id is not None
    inputs = ledger.run_inputs(outcome.run_id).sort_values("file")
    import hashlib

    assert inputs["file"].tolist() == ["2026-03/chem.xlsx", "2026-03/other.xlsx",
                                       "2026-03/pharma.xlsx"]
    assert inputs["sha256"].tolist() == [
        hashlib.sha256((inbox / f).read_bytes()).hexdigest() for f in inputs["file"]]
    record = ledger.runs().iloc[-1]
    assert record["started_at"] == pd.Timestamp(2026, 4, 9, 8, 30)
    with ledger.engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(runs)).scalar() == 1
