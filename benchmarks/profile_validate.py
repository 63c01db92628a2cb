#!/usr/bin/env python3
"""Profile `validate_files` in one process on a few workbooks of the benchmark group.

    python benchmarks/profile_validate.py                  # 10 workbooks spread over benchmarks/data
    python benchmarks/profile_validate.py --files 5 --top 40 --out /tmp/v.prof

Runs xlcrm.validate.validate_files(files, config, jobs=1) under cProfile (so
the work of the pool workers is seen), writes the raw profile to --out (for
snakeviz or pstats) and prints the functions of xlcrm's own code with the most
cumulative time, then the most internal time of all code.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

from bench_validate import DEFAULT_DATA, find_workbooks

from xlcrm.config import find_config, load_config
from xlcrm.validate import validate_files


def own_code(stats: pstats.Stats, top: int) -> list[tuple[str, float, float, int]]:
    """(function, cumulative s, internal s, calls) of xlcrm's functions with the most cumulative time."""
    rows = []
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]] = stats.stats  # type: ignore[attr-defined]
    for (file, line, name), (_, calls, internal, cumulative, _) in raw.items():
        if "/xlcrm/" in file.replace("\\", "/") and "/benchmarks/" not in file:
            where = file.replace("\\", "/").split("/xlcrm/", 1)[1]
            rows.append((f"{where}:{line} {name}", cumulative, internal, calls))
    return sorted(rows, key=lambda r: -r[1])[:top]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--files", type=int, default=10, help="how many workbooks, evenly spread (default 10)")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--out", type=Path, default=Path("/tmp/v.prof"))
    args = ap.parse_args(argv)
    inbox = args.data / "inbox" if (args.data / "inbox").is_dir() else args.data
    config = load_config(find_config(None, args.data))
    every = find_workbooks(inbox)
    step = max(1, len(every) // max(1, args.files))
    files = every[::step][: args.files]  # spread over the months: monthly and quarterly workbooks alike
    if not files:
        ap.error(f"no workbooks in {inbox}: run benchmarks/make_group.py first")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    result = validate_files([(f, str(f)) for f in files], config, jobs=1)
    profiler.disable()
    seconds = time.perf_counter() - started
    profiler.dump_stats(args.out)
    findings = len(result.findings)
    print(f"{len(files)} workbooks in {seconds:.2f} s under the profiler, {findings} findings; profile: {args.out}")
    stats = pstats.Stats(profiler)
    print(f"\nxlcrm's functions by cumulative time:\n{'cum s':>8}{'own s':>8}{'calls':>9}  function")
    for name, cumulative, internal, calls in own_code(stats, args.top):
        print(f"{cumulative:8.2f}{internal:8.2f}{calls:9d}  {name}")
    print("\nall code by internal time:")
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
