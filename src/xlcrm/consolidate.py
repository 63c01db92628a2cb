"""A consolidation run: validate an inbox, read what the run needs, compute, load the
ledger and write the outputs.

One run is for one month M. In one transaction it reads from the ledger only what its
windows need (`read_window`), computes (policy.consolidation), replaces the month's
loads and writes its run record; meanwhile its outputs are written to a staging
folder by a pool of threads (the summary, the written report and, for a long
detail, one workbook per subsidiary). The outputs are renamed into place only after
the commit, so a run killed midway leaves the ledger and the output folder as they
were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from . import __version__
from . import workers as processes
from .config import Config
from .findings import count
from .ledger import (
    CARRIED,
    Ledger,
    account_states,
    assessments,
    customers,
    inputs_digest,
    sales_months,
    sheets_json,
    transactions,
    visits,
    window_months,
)
from .loading import Finish, InProcessLoader, LoadJob, loader_for
from .periods import Period, parse_period, stored_period, window_of
from .policy import carry as carry_policy
from .policy import visits as visits_policy
from .policy.consolidation import compute, previous_classes_month
from .policy.sales import trailing_twelve_months
from .read import file_digest, find_workbooks
from .results import Consolidation, Reading
from .schema import CREDIT, CUSTOMERS, MARKET, SALES, STAFF, VISITS
from .validate import ROW, Submission, has_rows, validate_files
from .values import match_key
from .write import details as details_writer
from .write import report as report_writer
from .write import summary as summary_writer
from .write.common import file_sha256

MONTH_FOLDER = re.compile(r"^\d{4}-\d{2}$")
# XLCRM_TIMINGS=1: each step's wall time on standard error (for benchmarks/README.md).
_TIMINGS = bool(os.environ.get("XLCRM_TIMINGS"))


@contextlib.contextmanager
def _step(name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    if _TIMINGS:
        print(f"xlcrm timing: {name} {time.perf_counter() - started:.2f} s", file=sys.stderr, flush=True)


def _timed(name: str, work: Callable[..., T]) -> Callable[..., T]:
    def timed(*args: object) -> T:
        with _step(name):
            return work(*args)
    return timed
LOADED, PARTIAL, RETURNED = "已汇总", "部分汇总", "退回"
KEYS = ["subsidiary", "customer_uscc"]
T = TypeVar("T")
# From this many rows a run loads the ledger in a process of its own (loading.Loader).
LOADER_ROWS = 100_000
# What the run uses of the window's transactions: receivables and the detail lists.
WINDOW_TX_COLUMNS = ("subsidiary", "date", "document_no", "customer_uscc", "type", "amount",
                     "salesperson", "source_file", "source_row")


class InboxError(Exception):
    """The inbox does not hold what the command asks for."""


class ConsolidationError(Exception):
    """A run could not be completed; the ledger and outputs are as they were."""


@dataclass
class RunOutcome:
    run_month: Period
    run_id: int | None
    summary: Path | None
    report: Path | None
    submissions: list[Submission]
    statuses: dict[str, str]  # file -> 已汇总 / 部分汇总 / 退回
    details: list[Path] | None = None


# ---------------------------------------------------------------- which runs


def plan_runs(inbox: Path, period: Period | None, ledger: Ledger) -> list[tuple[Period, Path]]:
    """The run months to consolidate, in date order, each with its folder.

    With --period: that month's folder (INBOX/2026-03), or INBOX itself when it
    holds workbooks directly. Without: every month folder not yet consolidated
    or whose inputs changed since.
    """
    months = sorted(p for p in inbox.iterdir() if p.is_dir() and MONTH_FOLDER.match(p.name))
    if period is not None:
        folder = inbox / f"{period.year}-{period.first_month:02d}"
        if folder.is_dir():
            return [(period, folder)]
        if months:
            # Not the whole inbox of every month as if it were this month's.
            raise InboxError(f"收件箱 {inbox} 中没有 {folder.name} 文件夹（有 {months[0].name} 至 {months[-1].name}）")
        return [(period, inbox)]
    done = ledger.consolidated_months()
    plan = []
    for folder in months:
        month = parse_period(folder.name)
        if month is None or month.is_quarter:
            continue
        files = find_workbooks([folder])
        digest = inputs_digest(file_digest(f)[0] for f in files)
        if done.get(str(month)) != digest:
            plan.append((month, folder))
    return plan


# ---------------------------------------------------------------- one run


def run(
    folder: Path, run_month: Period, config: Config, ledger: Ledger, out_dir: Path, *,
    accept_partial: bool = False, now: Callable[[], dt.datetime] = dt.datetime.now,
    operator: str | None = None, progress: Callable[..., None] | None = None,
    display_root: Path | None = None, jobs: int | None = None,
) -> RunOutcome:
    files = find_workbooks([folder])
    root = display_root or folder.parent
    shown = [(f, _display(f, root)) for f in files]
    with _step("validate"):
        validation = validate_files(shown, config, ledger, progress=progress)
    subs = validation.submissions
    statuses = {s.file: _decide(s, accept_partial) for s in subs}
    operator = operator or _operator()
    started = now()
    in_force = _sheets_to_load(subs, statuses)
    frames, parts = _frames(subs, in_force, str(run_month))
    inputs = _inputs(subs, statuses, frames, in_force)
    received = _received(subs, statuses)
    loaded_keys = {(sub, str(per)) for s in subs if statuses[s.file] != RETURNED and s.group_key
                   for sub, per in [s.group_key]}
    _release(subs)
    workers = jobs or os.cpu_count() or 1
    writers = _writer_processes(frames, config, workers)
    staging = Path(tempfile.mkdtemp(prefix=".xlcrm-staging-", dir=_staging_parent(out_dir)))
    rows = sum(len(f) for f in frames.values())
    try:
        if ledger.meta_value(CARRIED) is None:
            carry_history(ledger)
        with loader_for(ledger, rows, workers, LOADER_ROWS) as loader:
            run_id = loader.begin(
                run_month=str(run_month), operator=operator, version=__version__,
                config_sha256=config.digest, inputs_sha256=inputs_digest(s.sha256 for s in subs),
                accept_partial=accept_partial, now=started, outcome="ok",
            )
            dropped = ledger.replaced_loads(str(run_month), loaded_keys)
            with _step("read"):
                _resolve_uscc(frames, ledger, dropped)
                reading, carried = read_window(ledger, config, run_month, frames, parts, dropped)
            with _step("load ledger" if isinstance(loader, InProcessLoader) else "hand to the loader"):
                loader.load(LoadJob.of(str(run_month), frames, parts, carried.states, carried.months,
                                       inputs, dropped))
            inputs_frame = pd.DataFrame([{k: v for k, v in i.items() if not k.startswith("_")}
                                         for i in inputs])
            with _step("compute"):
                result = compute(reading, config, received, inputs_frame, run_id, started, operator)
            result.inbox = root.resolve()
            with ThreadPoolExecutor(max_workers=workers) as pool, _step("outputs"):
                staged = [f.result() for f in _write_outputs(pool, result, staging, writers)]
            summary = out_dir / staged[0].name
            with _step("commit"):
                loader.finish(Finish(
                    str(run_month), result.group_classes, result.subsidiary_classes,
                    [(p.relative_to(staging).as_posix(), *file_sha256(p)) for p in staged], now(),
                    str(summary)))
        _publish(staging, staged, out_dir, run_month)
    except Exception as e:
        _record_failure(ledger, run_month, config, subs, accept_partial, operator, now, e)
        raise ConsolidationError(f"{run_month} 汇总失败，台账与输出未作改动：{e}") from e
    finally:
        if writers is not None:
            writers.shutdown(cancel_futures=True)
        shutil.rmtree(staging, ignore_errors=True)
    details = [out_dir / p.relative_to(staging) for p in staged[2:]]
    return RunOutcome(run_month, run_id, summary, out_dir / staged[1].name, subs, statuses,
                      details)


def _write_outputs(pool: ThreadPoolExecutor, result: Consolidation, staging: Path,
                   writers: ProcessPoolExecutor | None) -> list[Future[Path]]:
    """The summary and the report, written by the pool's threads; the detail workbooks by
    the writer processes (a process each core: the threads of one interpreter, sharing
    its lock, took half as long again)."""
    month = result.run_month
    tasks = [pool.submit(_timed("summary", summary_writer.write_summary), result,
                         staging / summary_writer.summary_name(month)),
             pool.submit(_timed("report", report_writer.write_report), result,
                         staging / report_writer.report_name(month))]
    if details_writer.needed(result):
        heading = details_writer.Heading.of(result)
        for subsidiary, tx, shipments in details_writer.by_subsidiary(result):
            target = staging / details_writer.FOLDER / details_writer.detail_name(subsidiary, month)
            tasks.append((writers or pool).submit(details_writer.write_detail, heading, subsidiary, tx,
                                                  shipments, target))
    return tasks


def _writer_processes(frames: dict[str, pd.DataFrame], config: Config, jobs: int) -> ProcessPoolExecutor | None:
    """Processes to write the detail workbooks, started before the run needs them (their
    start-up, the imports, overlaps the reading and the computing), when this run's
    transactions alone are more than the summary holds. Forked from a server that has
    imported only the writers, not from this process with its million rows."""
    sales = frames.get(SALES.name)
    if jobs <= 1 or sales is None or len(sales) <= config.policy.detail_rows_in_summary:
        return None
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=processes.context())
    for _ in range(jobs):
        pool.submit(int)  # start the workers now
    return pool


def _publish(staging: Path, staged: list[Path], out_dir: Path, run_month: Period) -> None:
    """Rename the staged outputs into the output folder; detail workbooks of the same
    month that this run did not write (an earlier run's) go, so none is left stale."""
    out_dir.mkdir(parents=True, exist_ok=True)
    details = out_dir / details_writer.FOLDER
    mine = {p.name for p in staged[2:]}
    if details.is_dir():
        for old in details.glob(f"*_{details_writer.month_text(run_month)}.xlsx"):
            if old.name not in mine:
                with contextlib.suppress(OSError):
                    old.unlink()
    for p in staged:
        target = out_dir / p.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(p, target)


def _staging_parent(out_dir: Path) -> Path:
    """Outputs are staged beside the output folder (same file system, so the final
    rename is atomic) and not inside it, so a killed run leaves the folder as it was."""
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    # A run killed midway leaves its staging folder; clear those older than a day.
    stale = dt.datetime.now().timestamp() - 86_400
    for old in parent.glob(".xlcrm-staging-*"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < stale:
                shutil.rmtree(old, ignore_errors=True)
    return parent


def _record_failure(ledger: Ledger, run_month: Period, config: Config, subs: list[Submission],
                    accept_partial: bool, operator: str, now: Callable[[], dt.datetime],
                    error: Exception) -> None:
    with contextlib.suppress(Exception):
        run_id = ledger.start_run(
            str(run_month), operator=operator, version=__version__,
            config_sha256=config.digest, inputs_sha256=inputs_digest(s.sha256 for s in subs),
            accept_partial=accept_partial, now=now(), outcome="failed",
        )
        ledger.finish_run(run_id, "failed", now(), note=f"{type(error).__name__}: {error}")


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _operator() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return ""


def _decide(sub: Submission, accept_partial: bool) -> str:
    if not sub.readable or sub.group_key is None:
        return RETURNED
    if sub.has_errors:
        return PARTIAL if accept_partial else RETURNED
    return LOADED


# ---------------------------------------------------------------- this run's rows


def _frames(subs: list[Submission], in_force: set[tuple[str, str]], run_month: str,
            ) -> tuple[dict[str, pd.DataFrame], dict[str, list[tuple[str, str, str]]]]:
    """The rows to load: sheets in force of accepted workbooks, without rows in error.

    Each row says where it came from (run_month, subsidiary, period, source_file,
    source_row) and which part of its sheet's frame it is (`_part`: one workbook's sheet,
    a load of the ledger); per sheet, the (subsidiary, period, file) of each part.
    市场分析 as topic and analysis."""
    parts: dict[str, list[pd.DataFrame]] = {}
    meta: dict[str, list[tuple[str, str, str]]] = {}
    for s in subs:
        if s.group_key is None:
            continue
        subsidiary, period = s.group_key
        for name, table in s.tables.items():
            if (s.file, name) not in in_force:
                continue
            if name == MARKET.name:
                data = pd.DataFrame(s.market, columns=["topic", "analysis"])
            else:
                data = table.data
                bad = s.error_rows(name)
                if bad:
                    data = data[~data[ROW].isin(bad)]
                data = data.rename(columns={ROW: "source_row"})
            parts.setdefault(name, []).append(data.reset_index(drop=True))
            meta.setdefault(name, []).append((subsidiary, str(period), s.file))
    frames = {}
    for name, frames_of in parts.items():
        frame = pd.concat(frames_of, ignore_index=True)
        part = np.repeat(np.arange(len(frames_of)), [len(f) for f in frames_of])
        # Each part's constants spread over its rows in Arrow (a dictionary decoded), not
        # one Python string per row.
        codes = pa.array(part, pa.int32())
        for column, values in (("run_month", [run_month] * len(frames_of)),
                               ("subsidiary", [m[0] for m in meta[name]]),
                               ("period", [m[1] for m in meta[name]]),
                               ("source_file", [m[2] for m in meta[name]])):
            decoded = pa.DictionaryArray.from_arrays(codes, pa.array(values, pa.string())).cast(pa.string())
            frame[column] = pd.Series(pd.arrays.ArrowStringArray(decoded), index=frame.index)
        frame["_part"] = part
        frames[name] = frame
    return frames, meta


def _sheets_to_load(subs: list[Submission], statuses: dict[str, str]) -> set[tuple[str, str]]:
    """(file, sheet) pairs in force among the workbooks that are loaded.

    Corrections are decided among accepted workbooks only: a correction that is returned
    leaves the earlier accepted sheet in force, rather than no sheet at all. As in
    validation, a sheet with rows is preferred to one left empty, then the later 填报日期.
    """
    chosen: dict[tuple[object, str], Submission] = {}
    for s in subs:
        if statuses[s.file] == RETURNED or s.group_key is None:
            continue
        for name in s.tables:
            key = (s.group_key, name)
            rank = (has_rows(s, name), s.report_date or dt.date.min, s.file)
            best = chosen.get(key)
            if best is None or rank > (has_rows(best, name), best.report_date or dt.date.min, best.file):
                chosen[key] = s
    return {(s.file, name) for (_, name), s in chosen.items()}


def _resolve_uscc(frames: dict[str, pd.DataFrame], ledger: Ledger, skip: list[int]) -> None:
    """Give rows that name a customer by 客户编号 the customer's USCC (the group-wide key):
    from the same subsidiary's customer sheet for the period, else the latest one that
    lists the number (this run's or the ledger's)."""
    here = frames.get(CUSTOMERS.name)
    columns = ["subsidiary", "period", "customer_no", "uscc"]
    book = here[columns].copy() if here is not None else pd.DataFrame(columns=columns)
    book["key"] = match_key(book["customer_no"].astype("string"))
    book = book.dropna(subset=["uscc"])
    exact = book.drop_duplicates(["subsidiary", "period", "key"], keep="last").set_index(
        ["subsidiary", "period", "key"])["uscc"]
    for name in (SALES.name, CREDIT.name, VISITS.name):
        frame = frames.get(name)
        if frame is None:
            continue
        key = match_key(frame["customer_no"].astype("string"))
        by_period = pd.MultiIndex.from_arrays([frame["subsidiary"], frame["period"], key])
        uscc = pd.Series(exact.reindex(by_period).to_numpy(), index=frame.index, dtype=object)
        missing = uscc.isna() & key.notna()
        if missing.any():
            wanted = set(zip(frame.loc[missing, "subsidiary"], key[missing]))
            known = pd.concat([book, ledger.customer_numbers(wanted, skip)], ignore_index=True)
            known = known.dropna(subset=["uscc"])
            known["_end"] = known["period"].map(lambda p: stored_period(p).end)
            latest = known.sort_values("_end", kind="mergesort").drop_duplicates(
                ["subsidiary", "key"], keep="last").set_index(["subsidiary", "key"])["uscc"]
            by_sub = pd.MultiIndex.from_arrays([frame.loc[missing, "subsidiary"], key[missing]])
            uscc[missing] = latest.reindex(by_sub).to_numpy()
        frame["customer_uscc"] = uscc.astype("string")


def _inputs(subs: list[Submission], statuses: dict[str, str], frames: dict[str, pd.DataFrame],
            in_force: set[tuple[str, str]]) -> list[dict[str, object]]:
    counts = {name: frame["source_file"].value_counts() for name, frame in frames.items()}
    rows = []
    for s in subs:
        errors, warnings = count(s.findings)
        loaded: dict[str, int | str] = {}
        for name in s.tables:
            if statuses[s.file] == RETURNED:
                continue
            if (s.file, name) not in in_force:
                other = s.superseded.get(name)
                loaded[name] = f"已被 {other} 更正" if other else "未采用（另一工作簿的同表有数据）"
                continue
            loaded[name] = int(counts[name].get(s.file, 0)) if name in counts else 0
        rows.append({
            "file": s.file, "sha256": s.sha256, "size": s.size, "subsidiary": s.subsidiary,
            "period": str(s.period) if s.period else None, "report_date": s.report_date,
            "status": statuses[s.file], "errors": errors, "warnings": warnings,
            "sheets": sheets_json(loaded), "_tables": sorted(s.tables),
        })
    return rows


def _release(subs: list[Submission]) -> None:
    """Let the typed tables go once the rows to load are taken from them: a large group's
    are half a gigabyte, and the run keeps only the findings and the sheets' names."""
    for s in subs:
        for table in s.tables.values():
            table.data = table.data.iloc[0:0]
            table.keys = {}


def _received(subs: list[Submission], statuses: dict[str, str]) -> pd.DataFrame:
    """The reports received: each workbook's sheets (but corrected ones and 公司信息)."""
    received = []
    for sub in subs:
        if sub.group_key is None:
            continue
        for name in sub.tables:
            if name in sub.superseded or name == STAFF.name:
                continue
            errors, warnings = count(sub.findings)
            received.append({
                "subsidiary": sub.subsidiary, "period_received": str(sub.period), "report": name,
                "report_date": sub.report_date, "errors": errors, "warnings": warnings,
                "returned": statuses[sub.file] == RETURNED, "file": sub.file,
            })
    return pd.DataFrame(received, columns=["subsidiary", "period_received", "report",
                                           "report_date", "errors", "warnings", "returned", "file"])


# ---------------------------------------------------------------- reading the windows


@dataclass
class Carried:
    """The account states this run computes: for its own (subsidiary, period)s and for the
    later ones of the ledger that follow from them."""

    states: pd.DataFrame  # with run_month, period, period_end
    months: pd.DataFrame  # this run's sales figures per sheet, customer and month


def read_window(ledger: Ledger, config: Config, run_month: Period, frames: dict[str, pd.DataFrame],
                parts: dict[str, list[tuple[str, str, str]]], skip: list[int]) -> tuple[Reading, Carried]:
    """What the run needs: its own rows, and of the ledger (the loads in `skip`, which the
    run replaces, left out) only the loads of the periods its windows cover, the monthly
    figures it sums, and the account states of the periods before."""
    end = run_month.end
    window = window_of(run_month)
    quarter = run_month.containing_quarter()
    last_year = window.year_earlier()
    t_start, t_end = trailing_twelve_months(run_month)
    loads = ledger.loads()
    loads = loads[~loads["id"].isin(skip)].copy()
    loads["period_end"] = pd.to_datetime(loads["period_end"]).dt.date
    loads["period_start"] = pd.to_datetime(loads["period_start"]).dt.date

    mine = dict(frames)
    if CUSTOMERS.name in mine:
        mine[CUSTOMERS.name] = _with_end(mine[CUSTOMERS.name])
    empty_sheet = _with_end(ledger.frame(customers, customers.c.id < 0))
    sheets_here = mine.get(CUSTOMERS.name, empty_sheet)

    # Each subsidiary's current customer sheet (its latest up to E), and the one before
    # each of this run's sheets.
    sheet_loads = loads[(loads["sheet"] == CUSTOMERS.name) & (loads["period_end"] <= end)]
    candidates = pd.concat([
        sheet_loads[["subsidiary", "period", "period_end", "id"]],
        sheets_here[["subsidiary", "period", "period_end"]].drop_duplicates().assign(id=-1),
    ], ignore_index=True)
    candidates = candidates[candidates["period_end"] <= end]
    latest = candidates.sort_values(["period_end", "id"]).drop_duplicates("subsidiary", keep="last")
    wanted = [int(i) for i in latest["id"] if i >= 0]
    previous_pairs = []
    for subsidiary, period, period_end in sheets_here[["subsidiary", "period", "period_end"]] \
            .drop_duplicates().itertuples(index=False):
        earlier = candidates[(candidates["subsidiary"] == subsidiary) & (candidates["period_end"] < period_end)]
        if not earlier.empty:
            previous_pairs.append((period, earlier.sort_values(["period_end", "id"]).iloc[-1]))
    fetch = sorted(set(wanted) | {int(row["id"]) for _, row in previous_pairs if row["id"] >= 0})
    fetched = _with_end(ledger.rows_of(customers, fetch)) if fetch else empty_sheet
    current = pd.concat([fetched[fetched["load_id"].isin(wanted)],
                         sheets_here[sheets_here["subsidiary"].isin(
                             latest.loc[latest["id"] < 0, "subsidiary"]) & sheets_here["period_end"].isin(
                             latest.loc[latest["id"] < 0, "period_end"])]], ignore_index=True)
    current = _current_only(current, latest)
    previous_parts = []
    for period, row in previous_pairs:
        source = fetched[fetched["load_id"] == row["id"]] if row["id"] >= 0 else sheets_here[
            (sheets_here["subsidiary"] == row["subsidiary"]) & (sheets_here["period"] == row["period"])]
        previous_parts.append(source.assign(for_period=period))
    sheets_previous = pd.concat(previous_parts, ignore_index=True) if previous_parts else \
        empty_sheet.assign(for_period=pd.Series(dtype=str))

    # Sales figures per account over T, W and W a year earlier: the ledger's summed in the
    # database, this run's from its own rows.
    months = {"t": window_months(t_start, t_end), "w": window_months(window, window),
              "ly": window_months(last_year, last_year)}
    tx_here = mine.get(SALES.name)
    month_rows = _month_sales(tx_here)
    figures = _add_figures(ledger.month_figures(months, skip), _figures_of(
        _with_accounts(month_rows, parts.get(SALES.name, [])), months))

    covered = {p for p in loads.loc[loads["sheet"].isin([CUSTOMERS.name, SALES.name]), "period"]}
    for name in (CUSTOMERS.name, SALES.name):
        if name in mine:
            covered |= {period for _, period, _ in parts.get(name, [])}
    covered_months = {str(m) for p in covered for m in stored_period(p).month_list()}

    # The transactions dated in W.
    in_w = loads[(loads["sheet"] == SALES.name) & (loads["period_start"] <= window.end)
                 & (loads["period_end"] >= window.start)]
    ledger_tx = ledger.rows_of(transactions, [int(i) for i in in_w["id"]],
                               transactions.c.date.between(window.start, window.end))
    window_tx = _in_window(pd.concat([ledger_tx, tx_here], ignore_index=True)
                           if tx_here is not None else ledger_tx, window.start, window.end)
    window_tx = window_tx.dropna(subset=["customer_uscc"])[list(WINDOW_TX_COLUMNS)]
    window_tx = window_tx.assign(customer_uscc=window_tx["customer_uscc"].astype(str))

    # The account states: this run's and the later ones that follow, then per subsidiary
    # those at E and before the quarter.
    carried, opening_checks = _carry(ledger, loads, mine, parts, month_rows)
    state_loads = loads.drop_duplicates(["subsidiary", "period"])[["subsidiary", "period", "period_end"]]
    new_keys = set(zip(carried.states["subsidiary"], carried.states["period"]))
    state_loads = state_loads[np.array([k not in new_keys for k in zip(
        state_loads["subsidiary"], state_loads["period"])], dtype=bool)]
    at_end = _latest_before(state_loads, end + dt.timedelta(days=1))
    at_quarter = _latest_before(state_loads, quarter.start)
    stored = ledger.states(set(zip(at_end["subsidiary"], at_end["period"]))
                           | set(zip(at_quarter["subsidiary"], at_quarter["period"])))
    stored["period_end"] = pd.to_datetime(stored["period_end"]).dt.date
    every = pd.concat([stored, carried.states], ignore_index=True)
    states_end = _states_at(every, end + dt.timedelta(days=1))
    states_quarter = _states_at(every, quarter.start)

    names = _names(ledger, current, figures, states_end, window_tx, end, skip, sheets_here)

    # This quarter's assessments (a quarter-end run lists them) and the visits the visit
    # analysis reads: those of W and of the leaders' period, with the carried latest one.
    if run_month.is_quarter_end:
        a_loads = loads[(loads["sheet"] == CREDIT.name) & (loads["quarter"] == str(quarter))]
        found = ledger.rows_of(assessments, [int(i) for i in a_loads["id"]])
        assessed = pd.concat([found, mine[CREDIT.name]], ignore_index=True) if CREDIT.name in mine else found
        assessed = assessed.dropna(subset=["customer_uscc"])
        assessed = assessed.assign(customer_uscc=assessed["customer_uscc"].astype(str))
        terms = _terms(ledger, loads, assessed, sheets_here)
        since = min(window.start, end - dt.timedelta(days=config.policy.leader_visit_days))
        v_loads = loads[(loads["sheet"] == VISITS.name) & (loads["period_start"] <= end)
                        & (loads["period_end"] >= since)]
        seen = ledger.rows_of(visits, [int(i) for i in v_loads["id"]], visits.c.date.between(since, end))
        if VISITS.name in mine:
            seen = pd.concat([seen, mine[VISITS.name]], ignore_index=True)
        seen = seen.dropna(subset=["customer_uscc"])
        seen = seen.assign(customer_uscc=seen["customer_uscc"].astype(str))
        seen = visits_policy.unique_visits(seen[(seen["date"] >= pd.Timestamp(since))
                                                & (seen["date"] <= pd.Timestamp(end))])
    else:
        assessed = terms = seen = pd.DataFrame()

    previous_month = previous_classes_month(str(run_month), run_month.is_quarter_end,
                                            ledger.class_months())
    previous = ledger.classes_of(previous_month) if previous_month else pd.DataFrame(
        columns=["scope", "customer_uscc", "customer_class"])
    market = mine.get(MARKET.name, pd.DataFrame(columns=["subsidiary", "period", "source_file",
                                                         "topic", "analysis"]))
    reading = Reading(
        run_month=run_month, sheets_current=current, sheets_this_run=sheets_here,
        sheets_previous=sheets_previous, carried_openings=opening_checks, names=names,
        figures=figures, covered_months=covered_months, window_tx=window_tx.reset_index(drop=True),
        states_quarter=states_quarter, states_end=states_end, assessments=assessed,
        assessment_terms=terms, visits=seen, previous_classes=previous, market=market,
    )
    return reading, carried


def _with_end(frame: pd.DataFrame) -> pd.DataFrame:
    if "period" not in frame.columns:
        return frame
    ends = {p: stored_period(p).end for p in set(frame["period"])}
    return frame.assign(period_end=frame["period"].map(ends))


def _current_only(current: pd.DataFrame, latest: pd.DataFrame) -> pd.DataFrame:
    """The rows of each subsidiary's latest sheet only."""
    chosen = dict(zip(latest["subsidiary"], latest["period_end"]))
    keep = np.array([chosen.get(s) == e for s, e in zip(current["subsidiary"], current["period_end"])],
                    dtype=bool)
    return current[keep].reset_index(drop=True)


def _in_window(tx: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    dates = tx["date"]
    return tx[(dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))]


def _month_sales(tx: pd.DataFrame | None, by: str = "_part") -> pd.DataFrame:
    """Sales figures per sheet (`by`: this run's part, or the ledger's load_id), customer and
    calendar month."""
    columns = [by, "customer_uscc", "month", "shipped", "returned", "collected", "trades"]
    if tx is None or tx.empty:
        return pd.DataFrame(columns=columns)
    frame = tx.dropna(subset=["customer_uscc", "date"])
    amount = frame["amount"].to_numpy(dtype=np.int64, na_value=0)
    kind = frame["type"]
    shipped = (kind == "发货").to_numpy(dtype=bool)
    returned = (kind == "退货").to_numpy(dtype=bool)
    dates = frame["date"]
    figures = pd.DataFrame({
        by: frame[by].to_numpy(), "customer_uscc": frame["customer_uscc"],
        "month": (dates.dt.year * 100 + dates.dt.month).to_numpy(dtype=np.int64),
        "shipped": np.where(shipped, amount, 0), "returned": np.where(returned, amount, 0),
        "collected": np.where((kind == "回款").to_numpy(dtype=bool), amount, 0),
        "trades": (shipped | returned).astype(np.int64),
    })
    grouped = figures.groupby([by, "customer_uscc", "month"], sort=False).sum().reset_index()
    names = {m: f"{m // 100}-{m % 100:02d}" for m in grouped["month"].unique().tolist()}
    grouped["month"] = grouped["month"].map(names)
    grouped["customer_uscc"] = grouped["customer_uscc"].astype(str)
    return grouped


def _with_accounts(months: pd.DataFrame, meta: list[tuple[str, str, str]]) -> pd.DataFrame:
    """This run's monthly figures with each part's subsidiary."""
    subsidiaries = np.array([m[0] for m in meta] or [""], dtype=object)
    return months.assign(subsidiary=subsidiaries[months["_part"].to_numpy(dtype=np.int64)]
                         if len(months) else pd.Series(dtype=object))


def _figures_of(months_rows: pd.DataFrame, ranges: dict[str, tuple[str, str]]) -> pd.DataFrame:
    frame = months_rows[["subsidiary", "customer_uscc"]].copy()
    for name, (a, b) in ranges.items():
        inside = (months_rows["month"] >= a) & (months_rows["month"] <= b)
        for figure in ("shipped", "returned", "collected", "trades"):
            frame[f"{name}_{figure}"] = months_rows[figure].where(inside, 0).astype("int64")
    return frame.groupby(["subsidiary", "customer_uscc"], sort=False).sum().reset_index()


def _add_figures(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    both = pd.concat([a.astype({"subsidiary": str, "customer_uscc": str}),
                      b.astype({"subsidiary": str, "customer_uscc": str})], ignore_index=True)
    summed = both.groupby(["subsidiary", "customer_uscc"], sort=True).sum().reset_index()
    figure_columns = [c for c in summed.columns if c not in ("subsidiary", "customer_uscc")]
    summed[figure_columns] = summed[figure_columns].astype("int64")
    return summed


def _latest_before(periods: pd.DataFrame, boundary: dt.date) -> pd.DataFrame:
    """Per subsidiary, its latest period ending before `boundary`."""
    earlier = periods[periods["period_end"] < boundary]
    return earlier.sort_values("period_end").drop_duplicates("subsidiary", keep="last")


def _states_at(states: pd.DataFrame, boundary: dt.date) -> pd.DataFrame:
    """Per subsidiary, the states of its latest period ending before `boundary`."""
    if states.empty:
        return carry_policy.empty()
    latest = _latest_before(states[["subsidiary", "period", "period_end"]].drop_duplicates(), boundary)
    chosen = set(zip(latest["subsidiary"], latest["period"]))
    keep = np.array([(s, p) in chosen for s, p in zip(states["subsidiary"], states["period"])],
                    dtype=bool)
    return states[keep].reset_index(drop=True)


def _names(ledger: Ledger, current: pd.DataFrame, figures: pd.DataFrame, states: pd.DataFrame,
           window_tx: pd.DataFrame, end: dt.date, skip: list[int], here: pd.DataFrame) -> dict[str, str]:
    """Names of the customers no current sheet lists (a lost customer still owing, say):
    from the latest sheet up to E that lists them."""
    listed = set(current["uscc"].dropna().astype(str))
    needed = (set(figures["customer_uscc"].unique()) | set(states["customer_uscc"].astype(str).unique())
              | set(window_tx["customer_uscc"].unique())) - listed
    if not needed:
        return {}
    found = ledger.latest_customer_rows(sorted(needed), end, skip)
    mine = here[here["uscc"].astype(str).isin(needed)] if len(here) else here
    both = pd.concat([found, mine], ignore_index=True).dropna(subset=["uscc"])
    if both.empty:
        return {}
    both = _with_end(both).sort_values(["period_end", "run_month", "source_row"], kind="mergesort")
    both = both.drop_duplicates("uscc", keep="last")
    return dict(zip(both["uscc"].astype(str), both["customer_name"].astype(str)))


def _terms(ledger: Ledger, loads: pd.DataFrame, assessed: pd.DataFrame, here: pd.DataFrame) -> pd.DataFrame:
    """付款方式 and 账期 of the customer sheet of each assessment's subsidiary and period."""
    columns = ["subsidiary", "period", "customer_uscc", "payment_terms", "credit_days"]
    wanted = set(zip(assessed["subsidiary"], assessed["period"]))
    ids = [int(i) for i, s, p in zip(loads["id"], loads["subsidiary"], loads["period"])
           if (s, p) in wanted and i >= 0]
    sheet_ids = loads[(loads["sheet"] == CUSTOMERS.name) & loads["id"].isin(ids)]["id"]
    found = ledger.rows_of(customers, [int(i) for i in sheet_ids])
    sheets = pd.concat([found, here], ignore_index=True).dropna(subset=["uscc"])
    sheets = sheets.rename(columns={"uscc": "customer_uscc"})
    sheets = sheets.assign(customer_uscc=sheets["customer_uscc"].astype(str))
    return sheets.drop_duplicates(["subsidiary", "period", "customer_uscc"], keep="last")[columns]


# ---------------------------------------------------------------- carrying the accounts


def _carry(ledger: Ledger, loads: pd.DataFrame, mine: dict[str, pd.DataFrame],
           parts: dict[str, list[tuple[str, str, str]]], month_rows: pd.DataFrame) -> tuple[Carried, pd.DataFrame]:
    """The account states of this run's (subsidiary, period)s, each from the state of the
    subsidiary's period before it, then of the ledger's later periods of the same
    subsidiaries (a month re-run after later ones were loaded); and, for each of this
    run's periods, the closing balances carried into it (for 期初余额核对).

    Every subsidiary's first period of the run is carried in one call, then every one's
    second (a late correction of an earlier period), and so on."""
    periods = _run_periods(parts).sort_values(["subsidiary", "period_end"])
    periods["rank"] = periods.groupby("subsidiary").cumcount()
    ledger_periods = loads.drop_duplicates(["subsidiary", "period"])[["subsidiary", "period", "period_end"]]
    data = _run_data(mine)
    known: dict[str, tuple[dt.date, pd.DataFrame]] = {}  # subsidiary -> its latest states so far
    states: list[pd.DataFrame] = []
    checks = []
    for _, batch in periods.groupby("rank", sort=True):
        before = _previous_states(ledger, ledger_periods, known, batch)
        keys = set(zip(batch["subsidiary"], batch["period"]))
        quarters = {s: carry_policy.quarter_of(stored_period(p)) for s, p in keys}
        state = carry_policy.carry(before, quarters, *(_of_periods(frame, keys) for frame in data))
        period_of = dict(zip(batch["subsidiary"], batch["period"]))
        end_of = dict(zip(batch["subsidiary"], batch["period_end"]))
        checks.append(pd.DataFrame({
            "subsidiary": before["subsidiary"], "period": before["subsidiary"].map(period_of),
            "customer_uscc": before["customer_uscc"], "carried": before["closing"]}))
        state = state.assign(period=state["subsidiary"].map(period_of),
                             period_end=state["subsidiary"].map(end_of))
        for subsidiary, own in state.groupby("subsidiary"):
            known[str(subsidiary)] = (end_of[subsidiary], own[carry_policy.COLUMNS])
        states.append(state)
    # The ledger's later periods of these subsidiaries follow from the new states.
    for subsidiary, rows in periods.groupby("subsidiary"):
        later = ledger_periods[(ledger_periods["subsidiary"] == subsidiary)
                               & (ledger_periods["period_end"] > max(rows["period_end"]))]
        for period, period_end in sorted(zip(later["period"], later["period_end"]), key=lambda x: x[1]):
            state = carry_policy.carry(
                known[str(subsidiary)][1], {str(subsidiary): carry_policy.quarter_of(stored_period(period))},
                *_ledger_period_data(ledger, loads, str(subsidiary), str(period)))
            known[str(subsidiary)] = (period_end, state)
            states.append(state.assign(period=period, period_end=period_end))
    frame = pd.concat(states, ignore_index=True) if states else carry_policy.empty().assign(
        period=pd.Series(dtype=str), period_end=pd.Series(dtype=object))
    opening = pd.concat(checks, ignore_index=True) if checks else pd.DataFrame(
        columns=["subsidiary", "period", "customer_uscc", "carried"])
    return Carried(frame, month_rows), opening


def _run_periods(parts: dict[str, list[tuple[str, str, str]]]) -> pd.DataFrame:
    """This run's (subsidiary, period)s, with their ends."""
    keys = sorted({(subsidiary, period) for meta in parts.values() for subsidiary, period, _ in meta})
    return _with_end(pd.DataFrame(keys, columns=["subsidiary", "period"]))


def _previous_states(ledger: Ledger, ledger_periods: pd.DataFrame,
                     known: dict[str, tuple[dt.date, pd.DataFrame]], batch: pd.DataFrame) -> pd.DataFrame:
    """For each subsidiary of the batch, the states of its latest period before the batch's:
    computed in this run, else the ledger's."""
    parts = []
    wanted = []
    for subsidiary, period_end in zip(batch["subsidiary"], batch["period_end"]):
        earlier = ledger_periods[(ledger_periods["subsidiary"] == subsidiary)
                                 & (ledger_periods["period_end"] < period_end)]
        stored = earlier.sort_values("period_end").iloc[-1] if len(earlier) else None
        mine = known.get(str(subsidiary))
        if mine is not None and (stored is None or mine[0] >= stored["period_end"]):
            parts.append(mine[1])
        elif stored is not None:
            wanted.append((str(subsidiary), str(stored["period"])))
    if wanted:
        parts.append(ledger.states(wanted)[carry_policy.COLUMNS])
    return pd.concat(parts, ignore_index=True) if parts else carry_policy.empty()


def _run_data(mine: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, ...]:
    """This run's customer sheets, movements (summed per account), visits and assessments,
    each with subsidiary and period."""
    def rows(name: str, columns: list[str]) -> pd.DataFrame:
        frame = mine.get(name)
        if frame is None:
            return pd.DataFrame(columns=["period", *columns])
        return frame[["period", *columns]]

    sheets = rows(CUSTOMERS.name, ["subsidiary", "uscc", "opening_balance", *carry_policy.TERMS])
    tx = rows(SALES.name, ["subsidiary", "customer_uscc", "type", "amount"]).dropna(subset=["customer_uscc"])
    sign = np.where(tx["type"] == "发货", 1, -1)
    movements = tx.assign(movement=tx["amount"].astype("int64") * sign).groupby(
        ["subsidiary", "period", "customer_uscc"], sort=False)["movement"].sum().reset_index()
    seen = rows(VISITS.name, ["subsidiary", "customer_uscc", "date"])
    assessed = rows(CREDIT.name, ["subsidiary", "customer_uscc", "source_row", "applied_on",
                                  *carry_policy.ASSESSED])
    return sheets, movements, seen, assessed


def _of_periods(frame: pd.DataFrame, keys: set[tuple[str, str]]) -> pd.DataFrame:
    """The rows of some (subsidiary, period)s."""
    if frame.empty:
        return frame
    index = pd.MultiIndex.from_arrays([frame["subsidiary"].astype(str), frame["period"].astype(str)])
    return frame[index.isin(list(keys))]


def _ledger_period_data(ledger: Ledger, loads: pd.DataFrame, subsidiary: str,
                        period: str) -> tuple[pd.DataFrame, ...]:
    """The same of a period already in the ledger: its movements from the monthly figures."""
    of = loads[(loads["subsidiary"] == subsidiary) & (loads["period"] == period)]

    def ids(sheet: str) -> list[int]:
        return [int(i) for i in of.loc[of["sheet"] == sheet, "id"]]

    sheets = ledger.rows_of(customers, ids(CUSTOMERS.name))
    months = ledger.frame(sales_months, sales_months.c.load_id.in_(ids(SALES.name) or [-1]))
    movements = pd.DataFrame({
        "subsidiary": subsidiary, "customer_uscc": months["customer_uscc"].astype(str),
        "movement": (months["shipped"] - months["returned"] - months["collected"]).astype("int64")})
    seen = ledger.rows_of(visits, ids(VISITS.name))[["subsidiary", "customer_uscc", "date"]]
    assessed = ledger.rows_of(assessments, ids(CREDIT.name))
    return sheets, movements, seen, assessed


# ---------------------------------------------------------------- loading the ledger


def carry_history(ledger: Ledger) -> None:
    """After an upgrade from a ledger without them (schema 1): the monthly figures of every
    sales sheet and the account states of every period, in order, in one transaction."""
    with ledger.transaction():
        loads = ledger.loads()
        loads["period_end"] = pd.to_datetime(loads["period_end"]).dt.date
        sales = loads[loads["sheet"] == SALES.name]
        for load_id in sales["id"]:
            tx = ledger.rows_of(transactions, [int(load_id)])
            ledger.insert_rows(sales_months, _month_sales(tx, by="load_id"))
        periods = loads.drop_duplicates(["subsidiary", "period"]).sort_values("period_end")
        for subsidiary, rows in periods.groupby("subsidiary"):
            state = carry_policy.empty()
            for period, period_end, run_month in zip(rows["period"], rows["period_end"], rows["run_month"]):
                state = carry_policy.carry(
                    state, {str(subsidiary): carry_policy.quarter_of(stored_period(period))},
                    *_ledger_period_data(ledger, loads, str(subsidiary), str(period)))
                ledger.insert_rows(account_states, state.assign(
                    run_month=run_month, period=period, period_end=period_end))
        ledger.set_meta(CARRIED, "1")
