"""A consolidation run: validate an inbox, load the ledger, compute policy, write outputs.

One run is for one month M. Its data replace the month's data in the ledger,
its classes are saved, its run record written and its outputs staged in one
transaction; the outputs are renamed into place only after the commit, so a
run killed midway leaves the ledger and the output folder as they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from . import __version__
from .config import Config, Policy
from .findings import count
from .ledger import (
    GROUP_SCOPE,
    Ledger,
    assessments,
    customers,
    inputs_digest,
    sheets_json,
    transactions,
)
from .ledger import market as market_table
from .ledger import visits as visits_table
from .periods import Period, parse_period, stored_period, window_of
from .policy import changes as changes_policy
from .policy import credit
from .policy import visits as visits_policy
from .policy.classes import class_change, classify, previous_class_month
from .policy.deadlines import chinese_working_day, due_date, due_day, reports_due, submission_status
from .policy.growth import growth_rate, rank_growth
from .policy.receivables import (
    OVER_LIMIT_SHIPMENT,
    closing_balances,
    first_openings,
    group_exposure,
    limit_shipments,
    limit_warnings,
    opening_differences,
    running_balances,
)
from .policy.sales import in_window, rates, sales_figures, trailing_twelve_months
from .read import file_digest, find_workbooks
from .schema import CREDIT, CUSTOMERS, DATA_SHEETS, MARKET, SALES, STAFF, VISITS
from .validate import ROW, Submission, has_rows, validate_files
from .values import match_key
from .write import report as report_writer
from .write import summary as summary_writer

MONTH_FOLDER = re.compile(r"^\d{4}-\d{2}$")
LOADED, PARTIAL, RETURNED = "已汇总", "部分汇总", "退回"
GRADE_ORDER = {"一级": 1, "二级": 2, "三级": 3}


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
    skipped: bool = False


@dataclass
class Consolidation:
    """Everything a run computed, as tables the summary and the report are written from."""

    config: Config
    run_month: Period
    window: Period
    run_id: int
    compiled_at: dt.datetime
    operator: str
    inputs: pd.DataFrame
    status: pd.DataFrame
    customer_list: pd.DataFrame
    sales_summary: pd.DataFrame
    regions: pd.DataFrame
    salespeople: pd.DataFrame
    group_classes: pd.DataFrame
    growth: pd.DataFrame
    growth_known: bool
    c_class: pd.DataFrame
    changes: pd.DataFrame
    detail: pd.DataFrame
    market: pd.DataFrame
    subsidiary_sales: pd.DataFrame
    subsidiary_classes: pd.DataFrame
    credit: pd.DataFrame
    limit_warnings: pd.DataFrame
    limit_shipments: pd.DataFrame
    exposure: pd.DataFrame
    visits: pd.DataFrame
    complaints: pd.DataFrame
    opening_differences: pd.DataFrame
    inbox: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def end(self) -> dt.date:
        return self.run_month.end

    @property
    def quarter_end(self) -> bool:
        return self.run_month.is_quarter_end


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
    display_root: Path | None = None,
) -> RunOutcome:
    files = find_workbooks([folder])
    root = display_root or folder.parent
    shown = [(f, _display(f, root)) for f in files]
    validation = validate_files(shown, config, ledger, progress=progress)
    subs = validation.submissions
    statuses = {s.file: _decide(s, accept_partial) for s in subs}
    operator = operator or _operator()
    started = now()
    in_force = _sheets_to_load(subs, statuses)
    frames, market_rows = _frames(subs, in_force, str(run_month), ledger)
    inputs = _inputs(subs, statuses, frames, in_force)
    replaced = {s.group_key for s in subs if statuses[s.file] != RETURNED and s.group_key}
    staging = Path(tempfile.mkdtemp(prefix=".xlcrm-staging-", dir=_staging_parent(out_dir)))
    try:
        with ledger.transaction():
            run_id = ledger.start_run(
                str(run_month), operator=operator, version=__version__,
                config_sha256=config.digest, inputs_sha256=inputs_digest(s.sha256 for s in subs),
                accept_partial=accept_partial, now=started, outcome="ok",
            )
            ledger.replace_run_data(
                run_id, str(run_month), frames, market_rows, pd.DataFrame(),
                [{k: v for k, v in i.items() if not k.startswith("_")} for i in inputs],
                [(sub, str(per)) for sub, per in replaced],
            )
            result = compute(ledger, config, run_month, subs, statuses, inputs, run_id,
                             compiled_at=started, operator=operator)
            result.inbox = root.resolve()
            ledger.save_classes(str(run_month), result.group_classes, result.subsidiary_classes)
            staged_summary = summary_writer.write_summary(result, staging / summary_writer.summary_name(run_month))
            staged_report = report_writer.write_report(result, staging / report_writer.report_name(run_month))
            summary = out_dir / staged_summary.name
            report = out_dir / staged_report.name
            ledger.finish_run(run_id, "ok", now(), summary_path=str(summary))
        out_dir.mkdir(parents=True, exist_ok=True)
        os.replace(staged_summary, summary)
        os.replace(staged_report, report)
    except Exception as e:
        _record_failure(ledger, run_month, config, subs, accept_partial, operator, now, e)
        raise ConsolidationError(f"{run_month} 汇总失败，台账与输出未作改动：{e}") from e
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RunOutcome(run_month, run_id, summary, report, subs, statuses)


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


def _frames(
    subs: list[Submission], in_force: set[tuple[str, str]], run_month: str, ledger: Ledger,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The rows to load: sheets in force of accepted workbooks, without rows in error."""
    parts: dict[str, list[pd.DataFrame]] = {}
    market_rows = []
    for s in subs:
        if s.group_key is None:
            continue
        subsidiary, period = s.group_key
        for name, table in s.tables.items():
            if (s.file, name) not in in_force:
                continue
            if name == MARKET.name:
                market_rows += [
                    {"run_month": run_month, "subsidiary": subsidiary, "period": str(period),
                     "source_file": s.file, "topic": t, "analysis": a} for t, a in s.market
                ]
                continue
            data = table.data
            bad = s.error_rows(name)
            if bad:
                data = data[~data[ROW].isin(bad)]
            frame = data.rename(columns={ROW: "source_row"}).copy()
            frame["run_month"] = run_month
            frame["subsidiary"] = subsidiary
            frame["period"] = str(period)
            frame["source_file"] = s.file
            parts.setdefault(name, []).append(frame)
    frames = {name: pd.concat(p, ignore_index=True) for name, p in parts.items()}
    _resolve_uscc(frames, ledger)
    return frames, pd.DataFrame(market_rows)


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


def _resolve_uscc(frames: dict[str, pd.DataFrame], ledger: Ledger) -> None:
    """Give rows that name a customer by 客户编号 the customer's USCC (the group-wide key):
    from the same subsidiary's customer sheet for the period, else the ledger's latest."""
    known = ledger.frame(customers, None)[["subsidiary", "period", "customer_no", "uscc"]]
    here = frames.get(CUSTOMERS.name)
    sources = [known]
    if here is not None:
        sources.append(here[["subsidiary", "period", "customer_no", "uscc"]])
    book = pd.concat(sources, ignore_index=True)
    book["key"] = match_key(book["customer_no"].astype("string"))
    book["_end"] = book["period"].map(lambda p: stored_period(p).end)
    book = book.sort_values("_end").dropna(subset=["uscc"])
    exact = book.drop_duplicates(["subsidiary", "period", "key"], keep="last").set_index(
        ["subsidiary", "period", "key"])["uscc"]
    latest = book.drop_duplicates(["subsidiary", "key"], keep="last").set_index(
        ["subsidiary", "key"])["uscc"]
    for name in (SALES.name, CREDIT.name, VISITS.name):
        frame = frames.get(name)
        if frame is None:
            continue
        key = match_key(frame["customer_no"].astype("string"))
        by_period = pd.MultiIndex.from_arrays([frame["subsidiary"], frame["period"], key])
        by_sub = pd.MultiIndex.from_arrays([frame["subsidiary"], key])
        uscc = pd.Series(exact.reindex(by_period).to_numpy(), index=frame.index)
        fallback = pd.Series(latest.reindex(by_sub).to_numpy(), index=frame.index)
        frame["customer_uscc"] = uscc.fillna(fallback).astype("string")


def _inputs(subs: list[Submission], statuses: dict[str, str], frames: dict[str, pd.DataFrame],
            in_force: set[tuple[str, str]]) -> list[dict[str, object]]:
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
            frame = frames.get(name)
            loaded[name] = int((frame["source_file"] == s.file).sum()) if frame is not None \
                else len(s.market) if name == MARKET.name else 0
        rows.append({
            "file": s.file, "sha256": s.sha256, "size": s.size, "subsidiary": s.subsidiary,
            "period": str(s.period) if s.period else None, "report_date": s.report_date,
            "status": statuses[s.file], "errors": errors, "warnings": warnings,
            "sheets": sheets_json(loaded), "_tables": sorted(s.tables),
        })
    return rows


# ---------------------------------------------------------------- policy over the ledger


def compute(
    ledger: Ledger, config: Config, run_month: Period, subs: list[Submission],
    statuses: dict[str, str], inputs: list[dict[str, object]], run_id: int, *,
    compiled_at: dt.datetime, operator: str,
) -> Consolidation:
    policy = config.policy
    end = run_month.end
    window = window_of(run_month)
    last_year = window.year_earlier()
    t_start, t_end = trailing_twelve_months(run_month)

    sheets = ledger.frame(customers)
    sheets["period_end"] = sheets["period"].map(lambda p: stored_period(p).end)
    sheets = sheets[sheets["period_end"] <= end]
    tx = ledger.frame(transactions)
    tx = tx[tx["date"] <= pd.Timestamp(end)].dropna(subset=["customer_uscc"])
    tx["customer_uscc"] = tx["customer_uscc"].astype(str)

    # Each subsidiary's current customer sheet: its latest period up to E.
    latest_end = sheets.groupby("subsidiary")["period_end"].transform("max")
    current = sheets[sheets["period_end"] == latest_end].dropna(subset=["uscc"]).copy()
    current["uscc"] = current["uscc"].astype(str)
    this_run = sheets[sheets["run_month"] == str(run_month)]

    # A/B/C: group and each subsidiary, over net sales in T.
    # The customers classified: those with a 发货 or 退货 in T (a 回款 alone does not
    # make a customer of T), and those listed in this run's customer sheets.
    in_t = in_window(tx, t_start, t_end)
    in_t = in_t[in_t["type"].isin(["发货", "退货"])]
    value = sales_figures(in_t, ["customer_uscc"]).rename(columns={"net_sales": "value"})
    listed = set(this_run["uscc"].dropna().astype(str))
    group = classify(value, listed, cut_a=policy.class_a_cutoff, cut_b=policy.class_b_cutoff,
                     method=policy.class_method)
    previous_month = previous_class_month(str(run_month), run_month.is_quarter_end,
                                          [m for m in ledger.class_months() if m != str(run_month)])
    previous = ledger.classes_of(previous_month) if previous_month else pd.DataFrame(
        columns=["scope", "customer_uscc", "customer_class"])
    prev_group = previous[previous["scope"] == GROUP_SCOPE].set_index("customer_uscc")[
        "customer_class"]
    group["previous_class"] = group["customer_uscc"].map(prev_group).astype(object)
    group["class_change"] = [class_change(p, c) for p, c in
                             zip(group["previous_class"], group["customer_class"])]
    subsidiary_rows = []
    for name in sorted(set(in_t["subsidiary"]) | set(this_run["subsidiary"])):
        own = sales_figures(in_t[in_t["subsidiary"] == name], ["customer_uscc"]).rename(
            columns={"net_sales": "value"})
        own_listed = set(this_run.loc[this_run["subsidiary"] == name, "uscc"].dropna().astype(str))
        ranked = classify(own, own_listed, cut_a=policy.class_a_cutoff,
                          cut_b=policy.class_b_cutoff, method=policy.class_method)
        ranked["scope"] = name
        subsidiary_rows.append(ranked)
    subsidiary_classes = pd.concat(subsidiary_rows, ignore_index=True) if subsidiary_rows else \
        pd.DataFrame(columns=["scope", "customer_uscc", "customer_class", "value"])

    # Customer attributes: the latest sheet row of each USCC, this run's first.
    attributes = current.sort_values(["period_end", "run_month"]).drop_duplicates(
        "uscc", keep="last").set_index("uscc")
    names = attributes["customer_name"].astype(str).to_dict()
    fallback_names = sheets.dropna(subset=["uscc"]).drop_duplicates("uscc", keep="last")
    for u, n in zip(fallback_names["uscc"], fallback_names["customer_name"]):
        names.setdefault(str(u), str(n))
    group["customer_name"] = group["customer_uscc"].map(names)

    # Growth: W against W a year earlier.
    covered = _covered_months(ledger)
    known = all(str(m) in covered for m in last_year.month_list())
    now_sales = sales_figures(in_window(tx, window.start, window.end), ["customer_uscc"])
    then_sales = sales_figures(in_window(tx, last_year.start, last_year.end), ["customer_uscc"])
    growth = rank_growth(now_sales, then_sales, group[["customer_uscc", "customer_class"]],
                         known=known, min_growth=policy.potential_growth,
                         min_sales_yuan=policy.potential_min_sales)
    growth["customer_name"] = growth["customer_uscc"].map(names)

    # Balances at E per subsidiary and customer.
    openings = first_openings(sheets)
    balances = closing_balances(openings, tx, end)

    # Serving subsidiaries and salespeople from current sheets.
    serving = current.groupby("uscc")["subsidiary"].agg(lambda s: "、".join(sorted(set(s))))
    salespeople = current.groupby("uscc")["salesperson"].agg(
        lambda s: "、".join(sorted({str(x) for x in s.dropna()})))
    w_tx = in_window(tx, window.start, window.end)
    ly_tx = in_window(tx, last_year.start, last_year.end)

    # Credit: every assessment up to E scored; this quarter's and those due one listed.
    quarter = run_month.containing_quarter()
    assessed = _assessed(ledger, sheets, end, policy)
    own = credit.latest_per_quarter(assessed).sort_values("quarter").drop_duplicates(
        ["subsidiary", "customer_uscc"], keep="last")
    grades_in_force = own[["subsidiary", "customer_uscc", "computed_grade", "grade"]].rename(
        columns={"computed_grade": "grade_in_force", "grade": "own_grade"})
    limits = credit.limits_in_force(assessed, quarter)
    sold = set(zip(w_tx["subsidiary"], w_tx["customer_uscc"]))
    review = credit.review_status(current, assessed, sold, end, policy)
    credit_rows = _credit_rows(assessed, review, quarter, names) if run_month.is_quarter_end \
        else pd.DataFrame()

    # Receivables against the limits in force (第十五、十六条).
    running = running_balances(openings, tx)
    shipments = limit_shipments(running, limits, window.start, window.end)
    shipments["customer_name"] = shipments["customer_uscc"].map(names)
    warnings = limit_warnings(balances, limits)
    stated = this_run.assign(
        period_start=this_run["period"].map(lambda p: stored_period(p).start),
    )
    tolerance = int(Decimal(policy.balance_tolerance) * 100)
    differences = opening_differences(openings, tx, stated, tolerance)
    differences["customer_name"] = differences["customer_uscc"].map(names)
    owners = current.drop_duplicates(["subsidiary", "uscc"]).set_index(["subsidiary", "uscc"])["salesperson"]
    warnings["customer_name"] = warnings["customer_uscc"].map(names)
    warnings["salesperson"] = [owners.get((a, b)) for a, b in zip(warnings["subsidiary"],
                                                                  warnings["customer_uscc"])]
    served = current.rename(columns={"uscc": "customer_uscc"})[["subsidiary", "customer_uscc"]]
    exposure = group_exposure(balances, limits, served, grades_in_force.rename(
        columns={"own_grade": "grade"}).dropna(subset=["grade"]))
    exposure["customer_name"] = exposure["customer_uscc"].map(names)

    # Visits, in quarter-end runs (拜访记录 is reported quarterly, 第十条).
    if run_month.is_quarter_end:
        seen = _visits(ledger, end)
        visit_rows = visits_policy.visit_status(
            current, subsidiary_classes, grades_in_force.rename(columns={"grade_in_force": "grade"}),
            seen, window.start, end, policy)
        complaint_rows = visits_policy.complaints(seen, subsidiary_classes, window.start, end)
        complaint_rows["customer_name"] = complaint_rows["customer_uscc"].map(names)
    else:
        visit_rows = complaint_rows = pd.DataFrame()

    worst_grade = _worst(grades_in_force, "grade_in_force")
    customer_list = _customer_list(group, attributes, names, serving, salespeople, worst_grade,
                                   growth)
    sales_summary = _sales_summary(w_tx, ly_tx, balances, group, known)
    region_table = _regions(group, attributes, w_tx)
    salespeople_table = _salespeople(current, w_tx, shipments)
    c_class = _c_class(group, growth, serving, in_t, w_tx, balances)
    change_rows = _changes(sheets, this_run, group, names)
    status = _status(config, run_month, subs, statuses)
    detail = w_tx.copy()
    detail["customer_name"] = detail["customer_uscc"].map(names)
    detail = detail.sort_values(["subsidiary", "date", "source_file", "source_row"])
    market = ledger.frame(market_table, market_table.c.run_month == str(run_month))
    subsidiary_sales = sales_figures(w_tx, ["subsidiary"])

    result = Consolidation(
        config=config, run_month=run_month, window=window, run_id=run_id,
        compiled_at=compiled_at, operator=operator,
        inputs=pd.DataFrame([{k: v for k, v in i.items()} for i in inputs]),
        status=status, customer_list=customer_list, sales_summary=sales_summary,
        regions=region_table, salespeople=salespeople_table, group_classes=group,
        growth=growth, growth_known=known, c_class=c_class, changes=change_rows,
        detail=detail, market=market, subsidiary_sales=subsidiary_sales,
        subsidiary_classes=subsidiary_classes, credit=credit_rows, limit_warnings=warnings,
        limit_shipments=shipments, exposure=exposure, visits=visit_rows, complaints=complaint_rows,
        opening_differences=differences,
    )
    return result


def _covered_months(ledger: Ledger) -> set[str]:
    months: set[str] = set()
    for period in ledger.covered_periods():
        p = parse_period(period)
        if p is not None:
            months |= {str(m) for m in p.month_list()}
    return months


def _assessed(ledger: Ledger, sheets: pd.DataFrame, end: dt.date, policy: Policy) -> pd.DataFrame:
    """Every assessment up to E, scored, with 付款方式 and 账期 from the same sheet."""
    frame = ledger.frame(assessments).dropna(subset=["customer_uscc"])
    frame = frame[frame["period"].map(lambda p: stored_period(p).end) <= end]
    frame["customer_uscc"] = frame["customer_uscc"].astype(str)
    terms = sheets.dropna(subset=["uscc"]).drop_duplicates(["subsidiary", "period", "uscc"], keep="last")
    terms = terms.rename(columns={"uscc": "customer_uscc"})[
        ["subsidiary", "period", "customer_uscc", "payment_terms", "credit_days"]]
    terms["customer_uscc"] = terms["customer_uscc"].astype(str)
    if frame.empty:
        return frame.assign(quarter=pd.Series(dtype=str), payment_terms=None, credit_days=None,
                            score=None, computed_grade=pd.Series(dtype=str), grade_differs=False,
                            suggested_limit=None, approval_status=None, approval_days=None,
                            too_early=False)
    return credit.assess(frame, terms, policy)


def _credit_rows(assessed: pd.DataFrame, review: pd.DataFrame, quarter: Period,
                 names: dict[str, str]) -> pd.DataFrame:
    """This quarter's assessments, and the customers due one (未评估, 逾期未复评)."""
    keys = ["subsidiary", "customer_uscc"]
    this = credit.latest_per_quarter(assessed)
    this = this[this["quarter"] == str(quarter)]
    due = review[review["review"].isin([credit.NEVER_ASSESSED, credit.REVIEW_OVERDUE])]
    due = due.merge(this[keys], on=keys, how="left", indicator=True)
    due = due[due["_merge"] == "left_only"].drop(columns="_merge")
    rows = pd.concat([this.merge(review, on=keys, how="left"), due], ignore_index=True)
    rows["customer_name"] = rows["customer_uscc"].map(names)
    rows["review"] = rows["review"].fillna(credit.REVIEW_OK)
    return rows.sort_values(keys).reset_index(drop=True)


def _visits(ledger: Ledger, end: dt.date) -> pd.DataFrame:
    frame = ledger.frame(visits_table).dropna(subset=["customer_uscc"])
    frame["customer_uscc"] = frame["customer_uscc"].astype(str)
    frame = frame[frame["date"] <= pd.Timestamp(end)]
    return visits_policy.unique_visits(frame)


def _worst(grades: pd.DataFrame, column: str) -> pd.Series:
    """Per USCC the worst grade among its subsidiaries."""
    frame = grades.dropna(subset=[column])
    frame = frame.assign(order=frame[column].map(GRADE_ORDER)).sort_values("order")
    return frame.drop_duplicates("customer_uscc", keep="last").set_index("customer_uscc")[column]


def _customer_list(group: pd.DataFrame, attributes: pd.DataFrame, names: dict[str, str],
                   serving: pd.Series, salespeople: pd.Series, grades: pd.Series,
                   growth: pd.DataFrame) -> pd.DataFrame:
    g = growth.set_index("customer_uscc")
    usccs = group["customer_uscc"]
    frame = pd.DataFrame({
        "customer_uscc": usccs,
        "customer_name": usccs.map(names),
        "province": usccs.map(attributes["province"]),
        "org_type": usccs.map(attributes["org_type"]),
        "relationship": usccs.map(attributes["relationship"]),
        "serving": usccs.map(serving),
        "salesperson": usccs.map(salespeople),
        "customer_class": group["customer_class"],
        "grade": usccs.map(grades),
        "net_sales": usccs.map(g["net_sales"]).fillna(0).astype("int64"),
        "growth": usccs.map(g["growth"]),
        "new_customer": usccs.map(g["new_customer"]).fillna(False).astype(bool),
    })
    return frame.sort_values(["customer_class", "net_sales", "customer_uscc"],
                             ascending=[True, False, True]).reset_index(drop=True)


def _with_class(tx: pd.DataFrame, group: pd.DataFrame) -> pd.DataFrame:
    classes = group.set_index("customer_uscc")["customer_class"]
    return tx.assign(customer_class=tx["customer_uscc"].map(classes).fillna("C"))


def _sales_summary(w_tx: pd.DataFrame, ly_tx: pd.DataFrame, balances: pd.DataFrame,
                   group: pd.DataFrame, known: bool) -> pd.DataFrame:
    keys = ["subsidiary", "customer_class"]
    now = sales_figures(_with_class(w_tx, group), keys)
    then = sales_figures(_with_class(ly_tx, group), keys)[[*keys, "net_sales"]].rename(
        columns={"net_sales": "previous_net_sales"})
    owed = _with_class(balances, group).groupby(keys)["closing"].sum().rename("receivable")
    frame = now.merge(then, on=keys, how="outer").merge(owed.reset_index(), on=keys, how="outer")
    for col in ("shipped", "returned", "net_sales", "collected", "previous_net_sales",
                "receivable"):
        frame[col] = frame[col].fillna(0).astype("int64")
    frame["collection_rate"] = rates(frame["collected"], frame["net_sales"])
    frame["growth"] = [growth_rate(c, p) if known else None
                       for c, p in zip(frame["net_sales"], frame["previous_net_sales"])]
    return frame.sort_values(keys).reset_index(drop=True)


def _regions(group: pd.DataFrame, attributes: pd.DataFrame, w_tx: pd.DataFrame) -> pd.DataFrame:
    province = attributes["province"]
    customers_by = group.assign(province=group["customer_uscc"].map(province).fillna("（未知）"))
    count_by = customers_by.groupby("province")["customer_uscc"].nunique().rename("customers")
    tx = w_tx.assign(province=w_tx["customer_uscc"].map(province).fillna("（未知）"))
    figures = sales_figures(tx, ["province"]).set_index("province")
    frame = pd.concat([count_by, figures], axis=1).fillna(0).reset_index(names="province")
    for col in ("customers", "shipped", "returned", "net_sales", "collected"):
        frame[col] = frame[col].astype("int64")
    frame["collection_rate"] = rates(frame["collected"], frame["net_sales"])
    return frame.sort_values(["net_sales", "province"], ascending=[False, True]).reset_index(
        drop=True)


def _salespeople(current: pd.DataFrame, w_tx: pd.DataFrame, shipments: pd.DataFrame) -> pd.DataFrame:
    """Sales of each salesperson's customers (负责业务员 of the current customer sheet)."""
    owner = current.drop_duplicates(["subsidiary", "uscc"]).set_index(["subsidiary", "uscc"])[
        "salesperson"]
    tx = w_tx.copy()
    index = pd.MultiIndex.from_arrays([tx["subsidiary"], tx["customer_uscc"]])
    tx["salesperson"] = pd.Series(owner.reindex(index).to_numpy(), index=tx.index).fillna("（未指定）")
    counts = current.groupby(["subsidiary", "salesperson"])["uscc"].nunique().rename("customers")
    figures = sales_figures(tx, ["subsidiary", "salesperson"]).set_index(["subsidiary",
                                                                            "salesperson"])
    frame = pd.concat([counts, figures], axis=1).fillna(0).reset_index()
    frame.columns = ["subsidiary", "salesperson", *frame.columns[2:]]
    for col in ("customers", "shipped", "returned", "net_sales", "collected"):
        frame[col] = frame[col].astype("int64")
    frame["collection_rate"] = rates(frame["collected"], frame["net_sales"])
    # 超限发货笔数 counts the shipment row's own 业务员 (第十六条: who shipped is answerable).
    over = shipments[shipments["kind"] == OVER_LIMIT_SHIPMENT]
    counted = over.assign(salesperson=over["salesperson"].fillna("（未指定）")).groupby(
        ["subsidiary", "salesperson"]).size().rename("over_limit").reset_index()
    frame = frame.merge(counted, on=["subsidiary", "salesperson"], how="outer")
    for col in ("customers", "shipped", "returned", "net_sales", "collected", "over_limit"):
        frame[col] = frame[col].fillna(0).astype("int64")
    return frame.sort_values(["subsidiary", "net_sales"], ascending=[True, False]).reset_index(
        drop=True)


def _c_class(group: pd.DataFrame, growth: pd.DataFrame, serving: pd.Series, in_t: pd.DataFrame,
             w_tx: pd.DataFrame, balances: pd.DataFrame) -> pd.DataFrame:
    """第十二条(三): the C customers, potential ones first."""
    c = group[group["customer_class"] == "C"][["customer_uscc", "customer_name", "value"]]
    g = growth.set_index("customer_uscc")
    w = sales_figures(w_tx, ["customer_uscc"]).set_index("customer_uscc")
    owed = balances.groupby("customer_uscc")["closing"].sum()
    frame = c.assign(
        serving=c["customer_uscc"].map(serving),
        net_sales=c["customer_uscc"].map(w["net_sales"]).fillna(0).astype("int64"),
        collected=c["customer_uscc"].map(w["collected"]).fillna(0).astype("int64"),
        previous_net_sales=c["customer_uscc"].map(g["previous_net_sales"]).fillna(0).astype(
            "int64"),
        growth=c["customer_uscc"].map(g["growth"]),
        new_customer=c["customer_uscc"].map(g["new_customer"]).fillna(False).astype(bool),
        potential=c["customer_uscc"].map(g["potential"]).fillna(False).astype(bool),
        receivable=c["customer_uscc"].map(owed).fillna(0).astype("int64"),
    )
    frame["collection_rate"] = rates(frame["collected"], frame["net_sales"])
    frame = frame.sort_values(["potential", "value", "customer_uscc"],
                              ascending=[False, False, True]).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame


def _changes(sheets: pd.DataFrame, this_run: pd.DataFrame, group: pd.DataFrame,
             names: dict[str, str]) -> pd.DataFrame:
    parts = []
    for (subsidiary, period), current in this_run.groupby(["subsidiary", "period"]):
        end = stored_period(period).end
        earlier = sheets[(sheets["subsidiary"] == subsidiary) & (sheets["period_end"] < end)]
        if earlier.empty:
            continue
        previous = earlier[earlier["period_end"] == earlier["period_end"].max()]
        parts.append(changes_policy.archive_changes(
            str(subsidiary), current.dropna(subset=["uscc"]), previous.dropna(subset=["uscc"])))
    parts.append(changes_policy.class_changes(group, names))
    frame = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(
        not p.empty for p in parts) else pd.DataFrame(columns=changes_policy.COLUMNS)
    order = {k: i for i, k in enumerate((changes_policy.NEW, changes_policy.LOST,
                                         changes_policy.CHANGED, changes_policy.RECLASSIFIED))}
    return frame.sort_values(["change", "subsidiary", "customer_uscc"],
                             key=lambda s: s.map(order) if s.name == "change" else s,
                             kind="mergesort").reset_index(drop=True)


def _status(config: Config, run_month: Period, subs: list[Submission],
            statuses: dict[str, str]) -> pd.DataFrame:
    policy = config.policy
    working = chinese_working_day() if policy.holiday_shift else None
    due_rows = []
    for s in config.subsidiaries:
        if s.monthly:
            period = run_month
        elif run_month.is_quarter_end:
            period = run_month.containing_quarter()
        else:
            continue
        for report in reports_due(period):
            day = due_day(report, policy.report_due_day, policy.visits_due_day)
            due_rows.append({"subsidiary": s.name, "industry": s.industry, "period": str(period),
                             "report": report, "due_date": due_date(period.end, day, working)})
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
    due = pd.DataFrame(due_rows, columns=["subsidiary", "industry", "period", "report", "due_date"])
    got = pd.DataFrame(received, columns=["subsidiary", "period_received", "report",
                                          "report_date", "errors", "warnings", "returned", "file"])
    got = got.merge(due[["subsidiary", "period", "report"]], left_on=["subsidiary",
                    "period_received", "report"], right_on=["subsidiary", "period", "report"])
    got = got.drop(columns=["period", "period_received"]).drop_duplicates(["subsidiary", "report"])
    frame = submission_status(due, got)
    order = {name: i for i, name in enumerate(s.name for s in DATA_SHEETS)}
    return frame.sort_values(["subsidiary", "report"],
                             key=lambda c: c.map(order) if c.name == "report" else c,
                             kind="mergesort").reset_index(drop=True)
