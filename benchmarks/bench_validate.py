#!/usr/bin/env python3
"""Time `xlcrm validate` on a large valid group beside the floor: a plain parallel read.

    python benchmarks/make_group.py          # once: benchmarks/data/, 100 workbooks x ~10,000 sales lines
    python benchmarks/bench_validate.py      # the best of three runs of each; --repeat N

In one run it measures

* the floor: every workbook read with fastexcel (Rust calamine) in a
  ProcessPoolExecutor of os.cpu_count() workers, each opening a workbook and
  loading every sheet with fastexcel's defaults (first row as header, dtype
  inference) into Arrow: the least any validator built on that reader can take;
* for the breakdown (skip with --no-reader), the same pool running xlcrm's own
  reader, xlcrm.read.read_workbook (every cell as text, blanks masked): the
  part of validate that is reading;
* `xlcrm validate <inbox> --format json --config <xlcrm.toml>` as a subprocess:
  wall time (interpreter start-up and imports included), peak memory of its
  whole process tree (sampled from /proc every 50 ms: the sum of the RSS of the
  command and its pool workers, and the sum of their PSS, which counts pages
  shared after fork once), its exit code and the findings by rule;

and reports rows/s of both, the ratio validate/floor and PASS/FAIL against the
targets: ratio <= 2.0, peak RSS (tree sum) < 2 GiB, no error on the valid group.
Exits 0 when all pass, 1 otherwise. Rows are the rows under the first row of
every sheet, as the floor read loads them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastexcel

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / "benchmarks" / "data"
SALES_SHEET = "销售数据表"
TARGET_RATIO = 2.0
TARGET_RSS = 2 * 2**30
SAMPLE_SECONDS = 0.05
PAGE = os.sysconf("SC_PAGE_SIZE")
GNU_TIME = "/usr/bin/time"


# ---------------------------------------------------------------- the floor


def quiet_reader() -> None:
    """Pool initialiser: no "Could not determine dtype ... falling back to string" warnings on stderr."""
    logging.getLogger("fastexcel").setLevel(logging.ERROR)


def read_plain(path: str) -> dict[str, int]:
    """Every sheet of one workbook, as plainly and fast as fastexcel reads it: sheet -> rows."""
    reader = fastexcel.read_excel(path)
    return {name: reader.load_sheet(name).to_arrow().num_rows for name in reader.sheet_names}


def read_xlcrm(path: str) -> dict[str, int]:
    """The same workbook through xlcrm's own reader (every cell as text, blanks masked): sheet -> rows."""
    from xlcrm.read import read_workbook

    return {name: sheet.table.num_rows for name, sheet in read_workbook(Path(path)).sheets.items()}


def cpu_seconds(who: int = resource.RUSAGE_CHILDREN) -> float:
    """User + system CPU time of this process (RUSAGE_SELF) or of its reaped descendants (RUSAGE_CHILDREN)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@dataclass
class PoolRun:
    seconds: float
    cpu: float  # CPU seconds of the pool's workers and of this process meanwhile
    rows: int
    sales_rows: int
    sheets: int


def run_pool(read: Callable[[str], dict[str, int]], files: list[Path], jobs: int) -> PoolRun:
    """Every file read by `read` in a pool of `jobs` processes, the pool's start-up included."""
    cpu = cpu_seconds() + cpu_seconds(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs, initializer=quiet_reader) as pool:
        counts = list(pool.map(read, [str(f) for f in files], chunksize=1))
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() + cpu_seconds(resource.RUSAGE_SELF) - cpu
    return PoolRun(seconds, cpu, sum(n for c in counts for n in c.values()),
                   sum(n for c in counts for name, n in c.items() if name.strip() == SALES_SHEET),
                   sum(len(c) for c in counts))


# ---------------------------------------------------------------- memory of a process tree


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces and parentheses
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def process_tree(root: int) -> list[int]:
    kids, tree, todo = _children_map(), [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(kids.get(pid, []))
    return tree


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


@dataclass
class MemoryPeak:
    rss_sum: int = 0       # largest sum of RSS over the tree at one sample
    pss_sum: int = 0       # largest sum of PSS over the tree at one sample
    rss_single: int = 0    # largest RSS of one process
    processes: int = 0     # most processes in the tree at one sample
    samples: int = 0


class TreeSampler(threading.Thread):
    """Samples the memory of a process and its descendants until stopped."""

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = MemoryPeak()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def sample(self) -> None:
        tree = process_tree(self.pid)
        rss = [rss_bytes(p) for p in tree]
        p = self.peak
        p.rss_sum = max(p.rss_sum, sum(rss))
        p.pss_sum = max(p.pss_sum, sum(pss_bytes(pid) for pid in tree))
        p.rss_single = max(p.rss_single, *rss)
        p.processes = max(p.processes, len(tree))
        p.samples += 1

    def stop(self) -> MemoryPeak:
        self._stop_event.set()
        self.join()
        return self.peak


# ---------------------------------------------------------------- xlcrm validate


def xlcrm_command() -> list[str]:
    script = Path(sys.executable).with_name("xlcrm")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "xlcrm"]


@dataclass
class ValidateRun:
    seconds: float
    cpu: float  # CPU seconds of the command and its workers
    exit_code: int
    memory: MemoryPeak
    time_max_rss: int | None  # /usr/bin/time -v: the largest single process, as the kernel counts it
    findings: Counter[tuple[str, str]] = field(default_factory=Counter)
    files: int = 0
    valid: bool | None = None
    stderr: str = ""


# The command runs as installed xlcrm runs for its users: with Python's bytecode cache.
# An environment that turns the cache off (PYTHONDONTWRITEBYTECODE, set on some build
# machines) would have every run compile xlcrm's sources again, about 30 ms that no
# installation pays (pip compiles a package's modules when it installs it; an editable
# install writes the cache at the first import).
COMMAND_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_validate(command: list[str]) -> ValidateRun:
    gnu_time = GNU_TIME if os.access(GNU_TIME, os.X_OK) else None
    with tempfile.TemporaryDirectory(prefix="xlcrm-bench-") as tmp:
        out, err, timing = Path(tmp, "stdout.json"), Path(tmp, "stderr.txt"), Path(tmp, "time.txt")
        full = [gnu_time, "-v", "-o", str(timing), *command] if gnu_time else command
        with out.open("wb") as stdout, err.open("wb") as stderr:
            cpu = cpu_seconds()
            started = time.perf_counter()
            proc = subprocess.Popen(full, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                    env=COMMAND_ENV)
            sampler = TreeSampler(proc.pid)
            sampler.start()
            code = proc.wait()
            seconds = time.perf_counter() - started
            cpu = cpu_seconds() - cpu
            memory = sampler.stop()
        run = ValidateRun(seconds, cpu, code, memory, None, stderr=err.read_text(encoding="utf-8", errors="replace"))
        if gnu_time and timing.is_file():
            found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing.read_text())
            run.time_max_rss = int(found.group(1)) * 1024 if found else None
        try:
            report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        except ValueError:
            return run
    run.valid = bool(report.get("valid"))
    run.files = len(report.get("files", []))
    run.findings = Counter((f["rule"], f["severity"]) for f in report.get("findings", []))
    return run


# ---------------------------------------------------------------- the report


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def source_version() -> str:
    """The commit measured, and whether the working tree differs from it (or where else xlcrm comes from)."""
    import xlcrm

    where = Path(xlcrm.__file__).resolve().parent
    if not where.is_relative_to(ROOT):
        return f"xlcrm from {where}"
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes in src/" if dirty else "")


def find_workbooks(data: Path) -> list[Path]:
    """The workbooks `xlcrm validate` finds in the folder (same rules: recursive, no ~$ lock files)."""
    from xlcrm.read import find_workbooks as xlcrm_find

    return xlcrm_find([data])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help=f"group folder with xlcrm.toml and inbox/ (default {DEFAULT_DATA})")
    ap.add_argument("--config", type=Path, help="configuration (default DATA/xlcrm.toml)")
    # One run of each can be slowed by other work on a shared machine, more on one side
    # than the other: the best of three, taken in turns, is the default.
    ap.add_argument("--repeat", type=int, default=3, help="runs of each, the best taken (default 3)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="floor workers (default: CPUs)")
    ap.add_argument("--no-reader", action="store_true", help="skip the xlcrm-reader-only measurement")
    ap.add_argument("--json", dest="json_out", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    inbox = args.data / "inbox" if (args.data / "inbox").is_dir() else args.data
    config = args.config or args.data / "xlcrm.toml"
    if not config.is_file():
        ap.error(f"no configuration {config}: run benchmarks/make_group.py first, or give --config")
    files = find_workbooks(inbox)
    if not files:
        ap.error(f"no workbooks in {inbox}: run benchmarks/make_group.py first")
    size = sum(f.stat().st_size for f in files)
    for f in files:  # warm the page cache so that neither side pays the disk
        f.read_bytes()
    command = [*xlcrm_command(), "validate", str(inbox), "--format", "json", "--config", str(config)]
    version, load_before = source_version(), load_average()
    print(f"{len(files)} workbooks, {size / 2**20:.0f} MiB in {inbox}; {os.cpu_count()} CPUs; "
          f"best of {args.repeat}; xlcrm: {version}; load average {load_before}")
    print("validate command:", " ".join(command), flush=True)

    floors: list[PoolRun] = []
    readers: list[PoolRun] = []
    runs: list[ValidateRun] = []
    for i in range(max(1, args.repeat)):  # alternate, so that drift hits all sides alike
        floors.append(run_pool(read_plain, files, args.jobs))
        if not args.no_reader:
            readers.append(run_pool(read_xlcrm, files, args.jobs))
        runs.append(run_validate(command))
        reader = f", xlcrm reader {readers[-1].seconds:.2f} s" if readers else ""
        print(f"  run {i + 1}: floor {floors[-1].seconds:.2f} s{reader}, validate {runs[-1].seconds:.2f} s "
              f"(exit {runs[-1].exit_code}), peak RSS {gib(runs[-1].memory.rss_sum)}", flush=True)
    floor = min(floors, key=lambda r: r.seconds)
    reader_best = min(readers, key=lambda r: r.seconds) if readers else None
    best = min(runs, key=lambda r: r.seconds)
    rss = max(r.memory.rss_sum for r in runs)
    pss = max(r.memory.pss_sum for r in runs)
    single = max(r.memory.rss_single for r in runs)
    time_rss = max((r.time_max_rss for r in runs if r.time_max_rss is not None), default=None)
    ratio = best.seconds / floor.seconds
    errors = sum(n for (_, severity), n in best.findings.items() if severity == "error")

    rows = floor.rows
    print(f"load average at the end: {load_average()} (other work on the machine slows both sides)")
    print()
    print(f"rows: {rows:,} in {floor.sheets} sheets ({floor.sales_rows:,} sales lines)")
    print(f"{'':22}{'wall s':>9}{'rows/s':>12}{'CPU s':>9}")
    print(f"{'floor (fastexcel)':22}{floor.seconds:9.2f}{rows / floor.seconds:12,.0f}{floor.cpu:9.2f}")
    if reader_best:
        print(f"{'xlcrm reader only':22}{reader_best.seconds:9.2f}{rows / reader_best.seconds:12,.0f}"
              f"{reader_best.cpu:9.2f}   (xlcrm.read.read_workbook in the same pool)")
    print(f"{'xlcrm validate':22}{best.seconds:9.2f}{rows / best.seconds:12,.0f}{best.cpu:9.2f}")
    print(f"ratio validate/floor: {ratio:.2f} wall (the target), {best.cpu / floor.cpu:.2f} CPU "
          "(less sensitive to other work on the machine)")
    print(f"peak memory of validate's process tree: RSS sum {gib(rss)}, PSS sum {gib(pss)}, "
          f"largest process {gib(single)}"
          + (f" (/usr/bin/time -v: {gib(time_rss)})" if time_rss is not None else "")
          + f", up to {best.memory.processes} processes")
    print(f"validate exit code {best.exit_code}, {best.files} files in the report, valid={best.valid}")
    print("findings by rule:", ", ".join(f"{rule} ({sev}) {n}" for (rule, sev), n in sorted(best.findings.items()))
          or "none")
    if best.exit_code not in (0, 1) and best.stderr:
        print("validate stderr:", best.stderr[-2000:], file=sys.stderr)

    checks = [(f"ratio {ratio:.2f} <= {TARGET_RATIO}", ratio <= TARGET_RATIO),
              (f"peak RSS {gib(rss)} < {gib(TARGET_RSS)}", rss < TARGET_RSS),
              (f"no error on the valid group (exit {best.exit_code}, {errors} errors)",
               best.exit_code == 0 and errors == 0)]
    for text, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    if args.json_out:
        figures: dict[str, Any] = {
            "date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "xlcrm": version,
            "load_average_before": load_before, "workbooks": len(files), "bytes": size,
            "rows": rows, "sales_rows": floor.sales_rows, "repeat": args.repeat,
            "floor_seconds": floor.seconds, "validate_seconds": best.seconds,
            "reader_seconds": reader_best.seconds if reader_best else None,
            "floor_cpu": floor.cpu, "validate_cpu": best.cpu,
            "reader_cpu": reader_best.cpu if reader_best else None,
            "ratio": ratio, "peak_rss_sum": rss, "peak_pss_sum": pss, "peak_rss_single": single,
            "time_max_rss": time_rss, "exit_code": best.exit_code,
            "findings": {f"{r}/{s}": n for (r, s), n in best.findings.items()},
            "command": command, "pass": all(ok for _, ok in checks)}
        args.json_out.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
