"""Loading one run into the ledger: in one transaction, in this process or in one of its own.

A run's ledger work is one transaction: its run record, the replacement of its
month's loads by its rows (a million for a large group's quarter), its classes and
the record of the files it wrote. The rows go in while the run computes its results
and writes its outputs; in the same interpreter the two would take turns holding its
lock (most of a load is SQLite's or the server's, but the conversions around it are
Python's), so for a large run the transaction is held by a process of its own (a
`Loader`), fed through a pipe. A small run, or a machine of one core, keeps it here
(`InProcessLoader`): the same steps, the same transaction.

Either way nothing is committed until `finish`, after the outputs are written; an
exception, a kill of either process or `abort` leaves the ledger as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from . import workers
from .ledger import DATA_TABLES, Ledger, LedgerError, account_states, arrow_rows, sales_months
from .schema import SALES
from .write.common import scratch_dir


@dataclass
class LoadJob:
    """The rows of a run and what replaces what."""

    run_month: str
    rows: dict[str, pa.Table]  # sheet -> the rows to load, each with `_part` (ledger.arrow_rows)
    parts: dict[str, list[tuple[str, str, str]]]  # sheet -> (subsidiary, period, file) per part
    states: pd.DataFrame  # account states (policy.carry) with period and period_end
    months: pd.DataFrame  # monthly sales figures with `_part`
    inputs: list[dict[str, Any]]
    dropped: list[int]  # the loads this run replaces
    files: dict[str, str] = field(default_factory=dict)  # sheet -> Arrow IPC file, for a Loader

    @classmethod
    def of(cls, run_month: str, frames: dict[str, pd.DataFrame], parts: dict[str, list[tuple[str, str, str]]],
           states: pd.DataFrame, months: pd.DataFrame, inputs: list[dict[str, Any]],
           dropped: list[int]) -> LoadJob:
        rows = {name: arrow_rows(DATA_TABLES[name], frame, "_part") for name, frame in frames.items()}
        return cls(run_month, rows, parts, states, months, inputs, dropped)

    def to_files(self, folder: Path) -> LoadJob:
        """The job with its rows in Arrow IPC files (written at memory speed, mapped by the
        loader without a copy) instead of through the pipe, which pickles at a tenth of it."""
        files = {}
        for i, (name, rows) in enumerate(self.rows.items()):
            path = folder / f"rows-{i}.arrow"
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, rows.schema) as writer:
                writer.write_table(rows)
            files[name] = str(path)
        return replace(self, rows={}, files=files)

    def tables(self) -> dict[str, pa.Table]:
        if not self.files:
            return self.rows
        return {name: pa.ipc.open_file(pa.memory_map(path)).read_all() for name, path in self.files.items()}


@dataclass
class Finish:
    """What a run records once its outputs are written."""

    run_month: str
    group_classes: pd.DataFrame
    subsidiary_classes: pd.DataFrame
    outputs: list[tuple[str, str, int]]  # file, SHA-256, size
    finished_at: dt.datetime
    summary_path: str


class LoadError(Exception):
    """The ledger could not take the run; nothing of it was committed."""


def load_run(ledger: Ledger, run_id: int, job: LoadJob) -> None:
    """Replace the run month's loads (and the corrected (subsidiary, period)s) with this
    run's: rows, monthly figures and account states; and record its inputs."""
    old = ledger.loads()
    old = old[old["id"].isin(job.dropped)]
    states = job.states
    ledger.drop_loads(job.dropped, set(zip(old["subsidiary"], old["period"]))
                      | set(zip(states["subsidiary"], states["period"])))
    load_ids: dict[str, np.ndarray] = {}
    for name, rows in job.tables().items():
        part = rows.column("_part").to_numpy().astype(np.int64)
        sizes = np.bincount(part, minlength=len(job.parts[name]))
        specs = [{"run_month": job.run_month, "subsidiary": subsidiary, "period": period, "sheet": name,
                  "source_file": source_file, "rows": int(n)}
                 for (subsidiary, period, source_file), n in zip(job.parts[name], sizes, strict=True) if n]
        ids = np.full(len(sizes), -1, dtype=np.int64)
        ids[sizes > 0] = ledger.add_loads(specs)
        load_ids[name] = ids
        if rows.num_rows:
            ledger.insert_rows(DATA_TABLES[name], rows.append_column("load_id", pa.array(ids[part])))
    months = job.months
    if len(months):
        ledger.insert_rows(sales_months, months.assign(
            load_id=load_ids[SALES.name][months["_part"].to_numpy(dtype=np.int64)]))
    ledger.insert_rows(account_states, states.assign(run_month=job.run_month))
    ledger.record_inputs(run_id, [{k: v for k, v in i.items() if not k.startswith("_")} for i in job.inputs])


def finish_run(ledger: Ledger, run_id: int, finish: Finish) -> None:
    ledger.save_classes(finish.run_month, finish.group_classes, finish.subsidiary_classes)
    ledger.record_outputs(run_id, finish.outputs)
    ledger.finish_run(run_id, "ok", finish.finished_at, summary_path=finish.summary_path)


@dataclass
class InProcessLoader:
    """The run's transaction on this process's connection to the ledger."""

    ledger: Ledger
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _run_id: int = 0

    def begin(self, **run: Any) -> int:
        self._stack.enter_context(self.ledger.transaction())
        self._run_id = self.ledger.start_run(**run)
        return self._run_id

    def load(self, job: LoadJob) -> None:
        load_run(self.ledger, self._run_id, job)

    def finish(self, finish: Finish) -> None:
        finish_run(self.ledger, self._run_id, finish)
        self._stack.close()  # commits

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._stack.__exit__(RuntimeError, RuntimeError("aborted"), None)


class Loader:
    """The run's transaction in a process of its own, which loads the rows while this one
    computes and writes. Started from a server that has imported only the ledger's
    modules: a fork of this process would carry its million rows along."""

    def __init__(self, url: str) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="xlcrm-load-", dir=scratch_dir()))
        processes = workers.context()
        self._pipe, theirs = processes.Pipe()
        self._process = processes.Process(target=_serve, args=(theirs, url), daemon=True)  # type: ignore[attr-defined]
        self._process.start()
        theirs.close()

    def _ask(self, message: tuple[Any, ...]) -> Any:
        try:
            self._pipe.send(message)
        except OSError:
            pass  # it stopped: its last word says why
        try:
            reply = self._pipe.recv()
        except (EOFError, OSError) as e:
            raise LoadError(f"台账写入进程意外退出：{e}") from e
        if reply[0] == "failed":
            raise LoadError(reply[1])
        return reply[1]

    def begin(self, **run: Any) -> int:
        return int(self._ask(("begin", run)))

    def load(self, job: LoadJob) -> None:
        self._pipe.send(("load", job.to_files(self._folder)))  # loaded while this process goes on

    def finish(self, finish: Finish) -> None:
        try:
            self._ask(("finish", finish))
            self._process.join(timeout=60)
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._pipe.send(("abort",))
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        shutil.rmtree(self._folder, ignore_errors=True)


def _serve(pipe: Connection, url: str) -> None:
    """The loader process: one run's transaction, step by step as the pipe says."""
    try:
        ledger = Ledger.open(url)
    except LedgerError as e:
        pipe.send(("failed", str(e)))
        return
    run_id = 0
    try:
        with ledger.transaction():
            for kind, *body in iter(pipe.recv, None):
                if kind == "begin":
                    run_id = ledger.start_run(**body[0])
                    pipe.send(("ok", run_id))
                elif kind == "load":
                    load_run(ledger, run_id, body[0])
                elif kind == "finish":
                    finish_run(ledger, run_id, body[0])
                    break
                else:
                    raise _Aborted
        pipe.send(("ok", None))
    except _Aborted:
        pass
    except EOFError:
        pass  # the run's process is gone: roll back
    except Exception as e:
        with contextlib.suppress(Exception):
            pipe.send(("failed", f"{type(e).__name__}: {e}"))


class _Aborted(Exception):
    """The run asked to roll back."""


@contextlib.contextmanager
def loader_for(ledger: Ledger, rows: int, jobs: int, threshold: int = 100_000) -> Iterator[Any]:
    """A Loader for a large run on a machine of more than one core, else an
    InProcessLoader; aborted unless finished."""
    loader: InProcessLoader | Loader
    if jobs > 1 and rows > threshold:
        loader = Loader(ledger.engine.url.render_as_string(hide_password=False))
    else:
        loader = InProcessLoader(ledger)
    try:
        yield loader
    except BaseException:
        loader.abort()
        raise
