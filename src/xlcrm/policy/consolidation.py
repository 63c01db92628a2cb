"""One run's results from what it read (policy.md, every section; 第四、七至十八条).

`compute` takes a Reading (consolidate.read_window: the run's own rows and the
ledger's, cut to its windows, with the account states carried from before) and
returns the Consolidation the outputs are written from. It reads nothing itself.
Sales figures come per account (subsidiary, customer) summed over the trailing
twelve months T, the window W and W a year earlier; balances, the latest visit
and assessment, and the limits in force from the account states.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd

from ..config import Config, Policy
from ..periods import Period, window_of
from ..results import Consolidation, Reading
from ..schema import DATA_SHEETS
from . import carry as carry_policy
from . import changes as changes_policy
from . import credit
from . import visits as visits_policy
from .classes import class_change, classify, classify_each, previous_class_month
from .deadlines import chinese_working_day, due_date, due_day, reports_due, submission_status
from .growth import growth_rate, rank_growth
from .receivables import (
    OVER_LIMIT_SHIPMENT,
    detail_order,
    group_exposure,
    limit_shipments,
    limit_warnings,
    opening_differences,
)
from .sales import FIGURES, rates

KEYS = ["subsidiary", "customer_uscc"]
GROUP_SCOPE = ""
GRADE_ORDER = {"一级": 1, "二级": 2, "三级": 3}
UNKNOWN_PROVINCE, UNKNOWN_SALESPERSON = "（未知）", "（未指定）"


def compute(r: Reading, config: Config, received: pd.DataFrame, inputs: pd.DataFrame, run_id: int,
            compiled_at: dt.datetime, operator: str) -> Consolidation:
    policy = config.policy
    run_month = r.run_month
    end = run_month.end
    window = window_of(run_month)
    last_year = window.year_earlier()

    current = r.sheets_current.dropna(subset=["uscc"]).copy()
    current["uscc"] = current["uscc"].astype(str)
    this_run = r.sheets_this_run
    figures = r.figures

    # A/B/C, group and each subsidiary, over net sales in T (第十二条). The customers
    # classified: those with a 发货 or 退货 in T, and those listed in this run's sheets.
    traded = figures[figures["t_trades"] > 0]
    value = _net(traded, "t").groupby("customer_uscc")["value"].sum().reset_index()
    listed = set(this_run["uscc"].dropna().astype(str))
    group = classify(value, listed, cut_a=policy.class_a_cutoff, cut_b=policy.class_b_cutoff,
                     method=policy.class_method)
    previous = r.previous_classes
    prev_group = previous[previous["scope"] == GROUP_SCOPE].set_index("customer_uscc")["customer_class"]
    group["previous_class"] = group["customer_uscc"].map(prev_group).astype(object)
    group["class_change"] = [class_change(p, c) for p, c in
                             zip(group["previous_class"], group["customer_class"])]
    subsidiary_classes = _subsidiary_classes(traded, this_run, config)

    # Customer attributes: the latest sheet row of each USCC, this run's first.
    attributes = current.sort_values(["period_end", "run_month"]).drop_duplicates(
        "uscc", keep="last").set_index("uscc")
    names = dict(r.names)
    names.update(attributes["customer_name"].astype(str).to_dict())
    group["customer_name"] = group["customer_uscc"].map(names)

    # Growth: W against W a year earlier.
    known = all(str(m) in r.covered_months for m in last_year.month_list())
    now_sales = _per_customer(figures, "w")
    then_sales = _per_customer(figures, "ly")
    growth = rank_growth(now_sales, then_sales, group[["customer_uscc", "customer_class"]],
                         known=known, min_growth=policy.potential_growth,
                         min_sales_yuan=policy.potential_min_sales)
    growth["customer_name"] = growth["customer_uscc"].map(names)

    # Balances at E per account, carried (policy.carry).
    states = r.states_end
    balances = pd.DataFrame({"subsidiary": states["subsidiary"].astype(str),
                             "customer_uscc": states["customer_uscc"].astype(str),
                             "closing": states["closing"].astype("int64")}).sort_values(KEYS).reset_index(drop=True)

    serving = _joined(current, "subsidiary")
    salespeople = _joined(current, "salesperson")
    w_tx = r.window_tx

    # Credit: the grade in force is the latest assessment's; this quarter's assessments
    # and the customers due one are listed (第十三至十六条).
    quarter = run_month.containing_quarter()
    assessed_end = states.dropna(subset=["assessed_quarter"])
    graded = credit.score(assessed_end, policy) if len(assessed_end) else assessed_end.assign(
        computed_grade=pd.Series(dtype=object))
    grades_in_force = pd.DataFrame({
        "subsidiary": graded["subsidiary"].astype(str),
        "customer_uscc": graded["customer_uscc"].astype(str),
        "grade_in_force": graded["computed_grade"], "own_grade": graded["grade"]})
    limits = carry_policy.limits_in_force(r.states_quarter)
    w_figures = figures[(figures["w_shipped"] + figures["w_returned"] + figures["w_collected"]) > 0]
    sold = set(zip(w_figures["subsidiary"], w_figures["customer_uscc"]))
    review = credit.review_status(current, states, sold, end, policy)
    credit_rows = _credit_rows(r.assessments, r.assessment_terms, review, quarter, names, policy) \
        if run_month.is_quarter_end else pd.DataFrame()

    # Receivables against the limits in force (第十五、十六条): each transaction of W from
    # the balance before W, which is the closing balance less W's movements.
    moved = figures.set_index(KEYS)
    moved = moved["w_shipped"] - moved["w_returned"] - moved["w_collected"]
    opening = balances.set_index(KEYS)["closing"].sub(moved, fill_value=0).rename("opening").reset_index()
    shipments = limit_shipments(opening, w_tx, limits, window.start, window.end)
    shipments["customer_name"] = _named(shipments["customer_uscc"], names)
    warnings = limit_warnings(balances, limits)
    tolerance = int(Decimal(policy.balance_tolerance) * 100)
    differences = opening_differences(this_run, r.carried_openings, tolerance)
    differences["customer_name"] = differences["customer_uscc"].map(names)
    owners = current.drop_duplicates(["subsidiary", "uscc"]).set_index(["subsidiary", "uscc"])["salesperson"]
    warnings["customer_name"] = warnings["customer_uscc"].map(names)
    warnings["salesperson"] = owners.reindex(pd.MultiIndex.from_frame(
        warnings[KEYS])).to_numpy() if len(warnings) else pd.Series(dtype=object)
    served = current.rename(columns={"uscc": "customer_uscc"})[KEYS]
    exposure = group_exposure(balances, limits, served, grades_in_force.rename(
        columns={"own_grade": "grade"}).dropna(subset=["grade"]))
    exposure["customer_name"] = exposure["customer_uscc"].map(names)

    # Visits, in quarter-end runs (拜访记录 is reported quarterly, 第十条).
    if run_month.is_quarter_end:
        seen = r.visits
        visit_rows = visits_policy.visit_status(
            current, subsidiary_classes, grades_in_force.rename(columns={"grade_in_force": "grade"}),
            seen, window.start, end, policy, last_visits=states[[*KEYS, "last_visit"]])
        complaint_rows = visits_policy.complaints(seen, subsidiary_classes, window.start, end)
        complaint_rows["customer_name"] = complaint_rows["customer_uscc"].map(names)
    else:
        visit_rows = complaint_rows = pd.DataFrame()

    worst_grade = _worst(grades_in_force, "grade_in_force")
    w_by_customer = now_sales.set_index("customer_uscc")
    detail = w_tx.iloc[detail_order(w_tx)]
    detail = detail.assign(customer_name=_named(detail["customer_uscc"], names))

    return Consolidation(
        config=config, run_month=run_month, window=window, run_id=run_id,
        compiled_at=compiled_at, operator=operator, inputs=inputs,
        status=deadlines_status(config, run_month, received),
        customer_list=customer_list(group, attributes, names, serving, salespeople, worst_grade, growth),
        sales_summary=sales_summary(figures, balances, group, known),
        regions=regions(group, attributes, w_by_customer),
        salespeople=salespeople_table(current, figures, shipments),
        group_classes=group, growth=growth, growth_known=known,
        c_class=c_class(group, growth, serving, w_by_customer, balances),
        changes=archive_changes(r.sheets_previous, this_run, group, names),
        detail=detail.reset_index(drop=True), market=r.market,
        subsidiary_sales=_per(figures, "w", ["subsidiary"]),
        subsidiary_classes=subsidiary_classes, credit=credit_rows, limit_warnings=warnings,
        limit_shipments=shipments, exposure=exposure, visits=visit_rows, complaints=complaint_rows,
        opening_differences=differences,
    )


def previous_classes_month(run_month: str, quarter_end: bool, class_months: list[str]) -> str | None:
    return previous_class_month(run_month, quarter_end, [m for m in class_months if m != run_month])


def _named(usccs: pd.Series, names: dict[str, str]) -> np.ndarray:
    """Each row's customer name, looked up once per distinct USCC (a million rows repeat a
    few thousand customers)."""
    codes, distinct = pd.factorize(usccs)
    found = np.array([names.get(str(u)) for u in distinct] + [None], dtype=object)
    return found[codes]


def _joined(current: pd.DataFrame, column: str) -> pd.Series:
    """Per USCC its distinct values of a column, sorted and joined with 、 (most have one)."""
    pairs = current[["uscc", column]].dropna().astype(str).drop_duplicates().sort_values(["uscc", column])
    several = pairs["uscc"].duplicated(keep=False)
    one = pairs[~several].set_index("uscc")[column]
    many = pairs[several].groupby("uscc", sort=False)[column].agg("、".join)
    return pd.concat([one, many])


# ---------------------------------------------------------------- figures per account


def _net(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return frame.assign(value=frame[f"{prefix}_shipped"] - frame[f"{prefix}_returned"])


def _per(figures: pd.DataFrame, prefix: str, by: list[str]) -> pd.DataFrame:
    """发货, 退货, net and 回款 in fen per group of `by`, over one range (t, w or ly); only
    groups with some figure in the range."""
    columns = {f"{prefix}_shipped": "shipped", f"{prefix}_returned": "returned",
               f"{prefix}_collected": "collected"}
    some = figures[(figures[list(columns)] != 0).any(axis=1)]
    grouped = some.groupby(by, sort=True)[list(columns)].sum().rename(columns=columns)
    grouped["net_sales"] = grouped["shipped"] - grouped["returned"]
    return grouped[list(FIGURES)].astype("int64").reset_index()


def _per_customer(figures: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return _per(figures, prefix, ["customer_uscc"])


def _subsidiary_classes(traded: pd.DataFrame, this_run: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Each subsidiary's own classes (its service duties, 第十二条)."""
    policy = config.policy
    values = _net(traded, "t").rename(columns={"subsidiary": "scope"})[["scope", "customer_uscc", "value"]]
    listed = this_run.dropna(subset=["uscc"]).rename(columns={"subsidiary": "scope", "uscc": "customer_uscc"})
    return classify_each(values, listed[["scope", "customer_uscc"]], cut_a=policy.class_a_cutoff,
                         cut_b=policy.class_b_cutoff, method=policy.class_method)


# ---------------------------------------------------------------- the summary's tables


def _worst(grades: pd.DataFrame, column: str) -> pd.Series:
    """Per USCC the worst grade among its subsidiaries."""
    frame = grades.dropna(subset=[column])
    frame = frame.assign(order=frame[column].map(GRADE_ORDER)).sort_values("order", kind="mergesort")
    return frame.drop_duplicates("customer_uscc", keep="last").set_index("customer_uscc")[column]


def customer_list(group: pd.DataFrame, attributes: pd.DataFrame, names: dict[str, str],
                  serving: pd.Series, salespeople: pd.Series, grades: pd.Series,
                  growth: pd.DataFrame) -> pd.DataFrame:
    """交易往来客户一览表 (第四条(三)): every classified customer of the group."""
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


def _with_class(frame: pd.DataFrame, group: pd.DataFrame) -> pd.DataFrame:
    classes = group.set_index("customer_uscc")["customer_class"]
    return frame.assign(customer_class=frame["customer_uscc"].map(classes).fillna("C"))


def sales_summary(figures: pd.DataFrame, balances: pd.DataFrame, group: pd.DataFrame,
                  known: bool) -> pd.DataFrame:
    """客户销售汇总表 (第四条(四)、第八条): per subsidiary and group class."""
    keys = ["subsidiary", "customer_class"]
    classed = _with_class(figures, group)
    now = _per(classed, "w", keys)
    then = _per(classed, "ly", keys)[[*keys, "net_sales"]].rename(
        columns={"net_sales": "previous_net_sales"})
    owed = _with_class(balances, group).groupby(keys)["closing"].sum().rename("receivable")
    frame = now.merge(then, on=keys, how="outer").merge(owed.reset_index(), on=keys, how="outer")
    for col in ("shipped", "returned", "net_sales", "collected", "previous_net_sales", "receivable"):
        frame[col] = frame[col].fillna(0).astype("int64")
    frame["collection_rate"] = rates(frame["collected"], frame["net_sales"])
    frame["growth"] = [growth_rate(c, p) if known else None
                       for c, p in zip(frame["net_sales"], frame["previous_net_sales"])]
    return frame.sort_values(keys).reset_index(drop=True)


def regions(group: pd.DataFrame, attributes: pd.DataFrame, w: pd.DataFrame) -> pd.DataFrame:
    """客户区域分析表 (第七条): customers and sales by province.
    w: per customer (index USCC) the window's figures."""
    province = attributes["province"]
    customers_by = group.assign(province=group["customer_uscc"].map(province).fillna(UNKNOWN_PROVINCE))
    count_by = customers_by.groupby("province")["customer_uscc"].nunique().rename("customers")
    sold = w.reset_index()
    sold["province"] = sold["customer_uscc"].map(province).fillna(UNKNOWN_PROVINCE)
    figures = sold.groupby("province")[list(FIGURES)].sum()
    frame = pd.concat([count_by, figures], axis=1).fillna(0).reset_index(names="province")
    for col in ("customers", "shipped", "returned", "net_sales", "collected"):
        frame[col] = frame[col].astype("int64")
    frame["collection_rate"] = rates(frame["collected"], frame["net_sales"])
    return frame.sort_values(["net_sales", "province"], ascending=[False, True]).reset_index(drop=True)


def salespeople_table(current: pd.DataFrame, figures: pd.DataFrame, shipments: pd.DataFrame) -> pd.DataFrame:
    """业务员销售分析表 (第七、十六条): the sales of each salesperson's customers (负责业务员
    of the current sheet); 超限发货笔数 counts the shipment row's own 业务员, who is
    answerable for it (第十六条)."""
    owner = current.drop_duplicates(["subsidiary", "uscc"]).set_index(["subsidiary", "uscc"])["salesperson"]
    w = figures[(figures[["w_shipped", "w_returned", "w_collected"]] != 0).any(axis=1)]
    index = pd.MultiIndex.from_frame(w[KEYS])
    w = w.assign(salesperson=pd.Series(owner.reindex(index).to_numpy(), index=w.index).fillna(
        UNKNOWN_SALESPERSON))
    counts = current.groupby(["subsidiary", "salesperson"])["uscc"].nunique().rename("customers")
    sums = _per(w, "w", ["subsidiary", "salesperson"]).set_index(["subsidiary", "salesperson"])
    frame = pd.concat([counts, sums], axis=1).fillna(0).reset_index()
    frame.columns = ["subsidiary", "salesperson", *frame.columns[2:]]
    over = shipments[shipments["kind"] == OVER_LIMIT_SHIPMENT]
    counted = over.assign(salesperson=over["salesperson"].fillna(UNKNOWN_SALESPERSON)).groupby(
        ["subsidiary", "salesperson"]).size().rename("over_limit").reset_index()
    frame = frame.merge(counted, on=["subsidiary", "salesperson"], how="outer")
    for col in ("customers", "shipped", "returned", "net_sales", "collected", "over_limit"):
        frame[col] = frame[col].fillna(0).astype("int64")
    frame["collection_rate"] = rates(frame["collected"], frame["net_sales"])
    return frame.sort_values(["subsidiary", "net_sales"], ascending=[True, False]).reset_index(drop=True)


def c_class(group: pd.DataFrame, growth: pd.DataFrame, serving: pd.Series, w: pd.DataFrame,
            balances: pd.DataFrame) -> pd.DataFrame:
    """第十二条(三): the C customers, potential ones first."""
    c = group[group["customer_class"] == "C"][["customer_uscc", "customer_name", "value"]]
    g = growth.set_index("customer_uscc")
    owed = balances.groupby("customer_uscc")["closing"].sum()
    usccs = c["customer_uscc"]
    frame = c.assign(
        serving=usccs.map(serving),
        net_sales=usccs.map(w["net_sales"]).fillna(0).astype("int64"),
        collected=usccs.map(w["collected"]).fillna(0).astype("int64"),
        previous_net_sales=usccs.map(g["previous_net_sales"]).fillna(0).astype("int64"),
        growth=usccs.map(g["growth"]),
        new_customer=usccs.map(g["new_customer"]).fillna(False).astype(bool),
        potential=usccs.map(g["potential"]).fillna(False).astype(bool),
        receivable=usccs.map(owed).fillna(0).astype("int64"),
    )
    frame["collection_rate"] = rates(frame["collected"], frame["net_sales"])
    frame = frame.sort_values(["potential", "value", "customer_uscc"],
                              ascending=[False, False, True]).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame


def archive_changes(previous: pd.DataFrame, this_run: pd.DataFrame, group: pd.DataFrame,
                    names: dict[str, str]) -> pd.DataFrame:
    """客户档案变动 (第九、十二条): each of this run's customer sheets against the
    subsidiary's sheet before it (`previous`: subsidiary, for_period and the sheet's
    rows), and the group class changes."""
    parts = []
    for (subsidiary, period), current in this_run.groupby(["subsidiary", "period"]):
        earlier = previous[(previous["subsidiary"] == subsidiary) & (previous["for_period"] == period)]
        if earlier.empty:
            continue
        parts.append(changes_policy.archive_changes(
            str(subsidiary), current.dropna(subset=["uscc"]), earlier.dropna(subset=["uscc"])))
    parts.append(changes_policy.class_changes(group, names))
    kept = [p for p in parts if not p.empty]
    frame = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=changes_policy.COLUMNS)
    order = {k: i for i, k in enumerate((changes_policy.NEW, changes_policy.LOST,
                                         changes_policy.CHANGED, changes_policy.RECLASSIFIED))}
    return frame.sort_values(["change", "subsidiary", "customer_uscc"],
                             key=lambda s: s.map(order) if s.name == "change" else s,
                             kind="mergesort").reset_index(drop=True)


def deadlines_status(config: Config, run_month: Period, received: pd.DataFrame) -> pd.DataFrame:
    """报送情况 (第八至十条): every report due for the run's period, with the workbook in
    force for it. received: subsidiary, period_received, report, report_date, errors,
    warnings, returned, file."""
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
    due = pd.DataFrame(due_rows, columns=["subsidiary", "industry", "period", "report", "due_date"])
    got = received.merge(due[["subsidiary", "period", "report"]], left_on=["subsidiary",
                         "period_received", "report"], right_on=["subsidiary", "period", "report"])
    got = got.drop(columns=["period", "period_received"]).drop_duplicates(["subsidiary", "report"])
    frame = submission_status(due, got)
    order = {name: i for i, name in enumerate(s.name for s in DATA_SHEETS)}
    return frame.sort_values(["subsidiary", "report"],
                             key=lambda c: c.map(order) if c.name == "report" else c,
                             kind="mergesort").reset_index(drop=True)


def _credit_rows(assessments: pd.DataFrame, terms: pd.DataFrame, review: pd.DataFrame,
                 quarter: Period, names: dict[str, str], policy: Policy) -> pd.DataFrame:
    """This quarter's assessments, scored, and the customers due one (未评估, 逾期未复评)."""
    keys = KEYS
    if assessments.empty:
        this = pd.DataFrame(columns=[*keys, "quarter"])
    else:
        this = credit.latest_per_quarter(credit.assess(assessments, terms, policy))
        this = this[this["quarter"] == str(quarter)]
    due = review[review["review"].isin([credit.NEVER_ASSESSED, credit.REVIEW_OVERDUE])]
    due = due.merge(this[keys], on=keys, how="left", indicator=True)
    due = due[due["_merge"] == "left_only"].drop(columns="_merge")
    rows = pd.concat([this.merge(review, on=keys, how="left"), due], ignore_index=True)
    rows["customer_name"] = rows["customer_uscc"].map(names)
    rows["review"] = rows["review"].fillna(credit.REVIEW_OK)
    return rows.sort_values(keys).reset_index(drop=True)
