"""What a consolidation run reads and what it computes, as plain tables.

`Reading` is what one run needs, cut to its windows: its own rows and the ledger's,
and the account states carried from before (consolidate.read_window builds it).
`Consolidation` is everything the run computed (policy.consolidation.compute builds
it from a Reading); the summary, the report and the detail workbooks are written from
it. Both sit below write/ and policy/, so that neither imports consolidate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import Config
from .periods import Period


@dataclass
class Reading:
    """What one run needs of the ledger and of its own submissions.

    Customer sheets carry subsidiary, period, period_end and run_month besides their
    fields; transactions, assessments and visits carry subsidiary, period, source_file
    and source_row. States are policy.carry's, one row per account.
    """

    run_month: Period
    sheets_current: pd.DataFrame  # each subsidiary's latest customer sheet up to E
    sheets_this_run: pd.DataFrame  # the customer sheets of this run
    sheets_previous: pd.DataFrame  # each subsidiary's sheet before each of this run's (for_period)
    carried_openings: pd.DataFrame  # subsidiary, period, customer_uscc, carried: the closing
    # balance of the account's previous period, for each of this run's sheets
    names: dict[str, str]  # USCC -> name from the latest sheet that lists it
    figures: pd.DataFrame  # subsidiary, customer_uscc, {t,w,ly}_{shipped,returned,collected,trades}
    covered_months: set[str]  # months some customer or sales sheet covers
    window_tx: pd.DataFrame  # the transactions dated in W
    states_quarter: pd.DataFrame  # the states before the quarter (the limits in force)
    states_end: pd.DataFrame  # the states at E
    assessments: pd.DataFrame  # this quarter's assessments
    assessment_terms: pd.DataFrame  # subsidiary, period, customer_uscc, payment_terms, credit_days
    visits: pd.DataFrame  # the visits up to E that the visit analysis reads
    previous_classes: pd.DataFrame  # scope, customer_uscc, customer_class of the previous run
    market: pd.DataFrame  # this run's 市场分析 rows


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
