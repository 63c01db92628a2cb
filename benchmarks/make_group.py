#!/usr/bin/env python3
"""Generate the benchmark's large valid group of submission workbooks.

    python benchmarks/make_group.py                # 100 workbooks x ~10,000 sales lines
    python benchmarks/make_group.py --workbooks 20 --lines 2000 --out /tmp/small

writes `xlcrm.toml` and `inbox/2025-0{1,2,3}/*.xlsx` into benchmarks/data/
(gitignored) with tools/samplegen.py's `write_group()`: one simulated quarter,
2025Q1, so that each 医药 subsidiary returns three monthly workbooks and each
other subsidiary one quarterly workbook, every one of about `--lines` sales
lines. The number of subsidiaries is picked so that the workbook count comes
as close to `--workbooks` as the mix of industries allows. messy=True: title
rows, header aliases, text amounts and dates, 合计 rows ... so the reader and
the value parsers do real work; the group has warnings but no error.

Idempotent: `manifest.json` records the parameters and the files written; a
second run with the same parameters and every file in place does nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "data"
SAMPLEGEN = ROOT / "tools" / "samplegen.py"
MANIFEST = "manifest.json"
MONTHS = 3  # one quarter: monthly 医药 workbooks x 3, quarterly workbooks x 1
FIRST_MONTH = "2025-01"

sys.path.insert(0, str(ROOT / "tools"))
import samplegen  # noqa: E402


def is_monthly(index: int) -> bool:
    """Whether subsidiary `index` of samplegen's Group submits monthly (医药), as Group.new_subsidiary decides."""
    if index < len(samplegen.SAMPLE_SUBSIDIARIES):
        return bool(samplegen.SAMPLE_SUBSIDIARIES[index][1] == "医药")
    return index % 4 == 2


def workbook_count(n_subsidiaries: int) -> int:
    """Workbooks write_group writes for one quarter: 3 per monthly subsidiary, 1 per quarterly one,
    and one more for the quarter a quarterly subsidiary splits over two workbooks (a story event)."""
    monthly = sum(is_monthly(i) for i in range(n_subsidiaries))
    quarterly = n_subsidiaries - monthly
    return 3 * monthly + quarterly + (1 if quarterly >= 2 else 0)


def subsidiaries_for(workbooks: int) -> int:
    """The number of subsidiaries whose quarter gives the workbook count nearest `workbooks` (fewest on a tie)."""
    return min(range(1, workbooks + 1), key=lambda n: (abs(workbook_count(n) - workbooks), n))


def parameters(workbooks: int, lines: int, customers: int, seed: int) -> dict[str, Any]:
    n = subsidiaries_for(workbooks)
    return {
        "workbooks_requested": workbooks, "n_subsidiaries": n, "expected_workbooks": workbook_count(n),
        "customers_per_subsidiary": customers, "sales_lines_per_workbook": lines, "months": MONTHS,
        "first_month": FIRST_MONTH, "messy": True, "seed": seed,
        "samplegen_sha256": hashlib.sha256(SAMPLEGEN.read_bytes()).hexdigest(),
    }


def up_to_date(out: Path, params: dict[str, Any]) -> bool:
    manifest = out / MANIFEST
    if not manifest.is_file():
        return False
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    files = recorded.get("files", [])
    return recorded.get("parameters") == params and bool(files) and all((out / f).is_file() for f in files)


def make_group(out: Path, *, workbooks: int = 100, lines: int = 10_000, customers: int = 200,
               seed: int = samplegen.DEFAULT_SEED, force: bool = False) -> list[Path]:
    """Write the group into `out` unless it is already there; return its workbooks."""
    params = parameters(workbooks, lines, customers, seed)
    if not force and up_to_date(out, params):
        recorded = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return [out / f for f in recorded["files"] if f.endswith(".xlsx")]
    (out / MANIFEST).unlink(missing_ok=True)  # a half-written group is never taken as done
    started = time.perf_counter()
    written = samplegen.write_group(
        out, n_subsidiaries=params["n_subsidiaries"], customers_per_subsidiary=customers,
        sales_lines_per_workbook=lines, months=MONTHS, first_month=FIRST_MONTH, messy=True, seed=seed)
    seconds = time.perf_counter() - started
    files = sorted(p.relative_to(out).as_posix() for p in written)
    record = {"parameters": params, "seconds": round(seconds, 1),
              "bytes": sum((out / f).stat().st_size for f in files), "files": files}
    (out / MANIFEST).write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [out / f for f in files if f.endswith(".xlsx")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--workbooks", type=int, default=100, help="about how many workbooks (default 100)")
    ap.add_argument("--lines", type=int, default=10_000, help="sales lines per workbook, about (default 10000)")
    ap.add_argument("--customers", type=int, default=200, help="customers per subsidiary (default 200)")
    ap.add_argument("--seed", type=int, default=samplegen.DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    ap.add_argument("--force", action="store_true", help="regenerate even if the manifest matches")
    args = ap.parse_args(argv)
    if args.workbooks < 1 or args.lines < 1 or args.customers < 3:
        ap.error("--workbooks and --lines must be positive, --customers at least 3")
    before = (args.out / MANIFEST).stat().st_mtime if (args.out / MANIFEST).is_file() else None
    files = make_group(args.out, workbooks=args.workbooks, lines=args.lines, customers=args.customers,
                       seed=args.seed, force=args.force)
    after = (args.out / MANIFEST).stat().st_mtime
    record = json.loads((args.out / MANIFEST).read_text(encoding="utf-8"))
    params = record["parameters"]
    state = "up to date, nothing written" if before == after else f"written in {record['seconds']} s"
    print(f"{args.out}: {len(files)} workbooks of ~{params['sales_lines_per_workbook']} sales lines "
          f"({params['n_subsidiaries']} subsidiaries, {record['bytes'] / 2**20:.0f} MiB), {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
