"""The ledger: every period's submissions, what each customer account carries from one
period to the next, computed classes and the record of every run.

SQLAlchemy Core over an embedded SQLite file by default; a PostgreSQL URL works
the same. The data tables are generated from schema.py, so a field added to the
submission is a column here without a second declaration.

Each loaded sheet is a row of `loads` (run month, subsidiary, period, sheet, file);
its rows point to it. A run reads only what its windows need: the loads of the
periods it covers, the monthly sales figures of the months it sums (added up in SQL),
and for everything carried from earlier periods (the receivable balance, the latest
visit, the latest assessment and the limit in force) the account states of the
period before, never the whole history. Loading a run replaces its month's loads in
one transaction; rows go in by `executemany` on SQLite and by `COPY` on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .config import Config, missing_sqlite_file, sqlite_file
from .periods import Period, stored_period
from .schema import CREDIT, CUSTOMERS, MARKET, SALES, STAFF, VISITS, Kind, Sheet
from .values import match_key

SCHEMA_VERSION = 2

metadata = sa.MetaData()

_SQL_TYPES: dict[Kind, Any] = {
    Kind.AMOUNT: sa.BigInteger,  # fen
    Kind.DECIMAL: sa.BigInteger,  # millionths
    Kind.PERCENT: sa.BigInteger,  # millionths of one
    Kind.INTEGER: sa.Integer,
    Kind.DATE: sa.Date,
}

loads = sa.Table(
    "loads", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_month", sa.String(7), nullable=False, index=True),
    sa.Column("subsidiary", sa.String(200), nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("sheet", sa.String(20), nullable=False),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("quarter", sa.String(6), nullable=False),  # 2026Q1: the quarter of the period's end
    sa.Index("ix_loads_subsidiary_period", "subsidiary", "period"),
)
# What a row of a data table says of where it came from, through its load.
LOAD_COLUMNS = ("run_month", "subsidiary", "period", "source_file")


def _data_table(name: str, sheet: Sheet, *extra: sa.Column[Any]) -> sa.Table:
    """A ledger table for a data sheet: its load and row, then the sheet's fields."""
    return sa.Table(
        name, metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("load_id", sa.Integer, sa.ForeignKey("loads.id"), nullable=False, index=True),
        sa.Column("source_row", sa.Integer, nullable=False),
        *extra,
        *(sa.Column(f.key, _SQL_TYPES.get(f.kind, sa.Text)) for f in sheet.fields),
    )


def _uscc() -> sa.Column[Any]:
    return sa.Column("customer_uscc", sa.String(18))


staff = _data_table("staff", STAFF)
customers = _data_table("customers", CUSTOMERS)
sa.Index("ix_customers_uscc", customers.c.uscc)
transactions = _data_table("transactions", SALES, _uscc())
assessments = _data_table("assessments", CREDIT, _uscc())
visits = _data_table("visits", VISITS, _uscc())
market = sa.Table(
    "market_analysis", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("load_id", sa.Integer, sa.ForeignKey("loads.id"), nullable=False, index=True),
    sa.Column("topic", sa.Text),
    sa.Column("analysis", sa.Text),
)
DATA_TABLES = {
    STAFF.name: staff, CUSTOMERS.name: customers, SALES.name: transactions,
    CREDIT.name: assessments, VISITS.name: visits, MARKET.name: market,
}

# Each sales sheet's figures per customer and calendar month: the trailing twelve
# months, the window and the window a year earlier are sums of these.
sales_months = sa.Table(
    "sales_months", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("load_id", sa.Integer, sa.ForeignKey("loads.id"), nullable=False, index=True),
    sa.Column("customer_uscc", sa.String(18), nullable=False),
    sa.Column("month", sa.String(7), nullable=False, index=True),  # 2026-03
    sa.Column("shipped", sa.BigInteger, nullable=False),  # fen
    sa.Column("returned", sa.BigInteger, nullable=False),
    sa.Column("collected", sa.BigInteger, nullable=False),
    sa.Column("trades", sa.Integer, nullable=False),  # 发货 and 退货 rows
)
# What each customer account (subsidiary, customer) carries at the end of a period of
# that subsidiary: policy.carry computes it from the period before and the period's data.
account_states = sa.Table(
    "account_states", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_month", sa.String(7), nullable=False),
    sa.Column("subsidiary", sa.String(200), nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("customer_uscc", sa.String(18), nullable=False),
    sa.Column("closing", sa.BigInteger, nullable=False),  # fen
    sa.Column("last_visit", sa.Date),
    sa.Column("applied_on", sa.Date),  # the latest 申请日期
    # The latest assessment (the latest period's, then the latest row) and its terms.
    sa.Column("assessed_quarter", sa.String(6)),
    sa.Column("annual_sales", sa.BigInteger),
    sa.Column("monthly_sales", sa.BigInteger),
    sa.Column("on_time_rate", sa.BigInteger),
    sa.Column("overdue_count", sa.Integer),
    sa.Column("grade", sa.Text),
    sa.Column("payment_terms", sa.Text),
    sa.Column("credit_days", sa.Integer),
    sa.Column("approved_limit", sa.BigInteger),
    # The approved limit of the latest earlier quarter whose assessment approved one.
    sa.Column("limit_before", sa.BigInteger),
    sa.Index("ix_account_states_subsidiary_period", "subsidiary", "period"),
)
STATE_COLUMNS = tuple(c.name for c in account_states.columns
                      if c.name not in ("id", "run_month", "period", "period_end"))

runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_month", sa.String(7), nullable=False, index=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("outcome", sa.String(20), nullable=False),  # running | ok | failed
    sa.Column("operator", sa.String(200)),
    sa.Column("version", sa.String(40)),
    sa.Column("config_sha256", sa.String(64)),
    sa.Column("inputs_sha256", sa.String(64)),  # over the sorted input hashes
    sa.Column("accept_partial", sa.Boolean, nullable=False, default=False),
    sa.Column("summary_path", sa.Text),
    sa.Column("note", sa.Text),
)
run_inputs = sa.Table(
    "run_inputs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger),
    sa.Column("subsidiary", sa.String(200)),
    sa.Column("period", sa.String(7)),
    sa.Column("report_date", sa.Date),
    sa.Column("status", sa.String(20), nullable=False),  # 已汇总 | 部分汇总 | 退回 | 已被更正
    sa.Column("errors", sa.Integer, nullable=False),
    sa.Column("warnings", sa.Integer, nullable=False),
    sa.Column("sheets", sa.Text),  # JSON: sheet -> rows loaded
)
# The files a run wrote (the summary, the report, the per-subsidiary details), relative
# to the output folder, with their hashes: what `verify` checks the files against.
run_outputs = sa.Table(
    "run_outputs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
)
classes = sa.Table(
    "classes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_month", sa.String(7), nullable=False, index=True),
    sa.Column("scope", sa.String(200), nullable=False),  # "" for the group, else a subsidiary
    sa.Column("customer_uscc", sa.String(18), nullable=False),
    sa.Column("customer_class", sa.String(1), nullable=False),
    sa.Column("value_fen", sa.BigInteger, nullable=False),
)
meta = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String(50), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
GROUP_SCOPE = ""
# Set once every load has its monthly figures and account states: at once in a new
# ledger, after consolidate.carry_history in one upgraded from schema 1.
CARRIED = "carried"
# SQLite binds at most 32,766 parameters a statement; lists of keys go in slices.
_IN_SLICE = 900


class LedgerError(Exception):
    """The ledger cannot be opened or is of an unknown schema version."""


@dataclass
class Ledger:
    engine: Engine
    _conn: Connection | None = field(default=None, repr=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction; reads through the ledger inside it see its own writes."""
        with self.engine.begin() as c:
            self._conn = c
            try:
                yield c
            finally:
                self._conn = None

    @classmethod
    def open(cls, url: str) -> Ledger:
        try:
            engine = sa.create_engine(url)
            if engine.dialect.name == "sqlite":
                sa.event.listen(engine, "connect", _sqlite_pragmas)
            with engine.begin() as c:
                found = _schema_version(c)
                if found is not None and found > SCHEMA_VERSION:
                    raise LedgerError(
                        f"台账的结构版本 {found} 比本程序支持的 {SCHEMA_VERSION} 新，请升级 xlcrm")
                if found == 1:
                    _migrate_from_1(c)
                metadata.create_all(c)
                if found is None:
                    c.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
                    c.execute(meta.insert().values(key=CARRIED, value="1"))
        except sa.exc.SQLAlchemyError as e:
            raise LedgerError(f"无法打开台账 {_safe_url(url)}：{e.__class__.__name__}: {e}") from e
        return cls(engine)

    @contextlib.contextmanager
    def _begin(self) -> Iterator[Connection]:
        """The open transaction, else a new one: reads and writes alike."""
        if self._conn is not None:
            yield self._conn
        else:
            with self.engine.begin() as c:
                yield c

    def meta_value(self, key: str) -> str | None:
        with self._begin() as c:
            found = c.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()
        return None if found is None else str(found)

    def set_meta(self, key: str, value: str) -> None:
        with self._begin() as c:
            c.execute(meta.delete().where(meta.c.key == key))
            c.execute(meta.insert().values(key=key, value=value))

    # ------------------------------------------------------------ runs

    def start_run(self, run_month: str, *, operator: str, version: str, config_sha256: str,
                  inputs_sha256: str, accept_partial: bool, now: dt.datetime,
                  outcome: str = "running") -> int:
        with self._begin() as c:
            result = c.execute(runs.insert().values(
                run_month=run_month, started_at=now, outcome=outcome, operator=operator,
                version=version, config_sha256=config_sha256, inputs_sha256=inputs_sha256,
                accept_partial=accept_partial,
            ))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def finish_run(self, run_id: int, outcome: str, now: dt.datetime,
                   summary_path: str | None = None, note: str | None = None) -> None:
        with self._begin() as c:
            c.execute(runs.update().where(runs.c.id == run_id).values(
                outcome=outcome, finished_at=now, summary_path=summary_path, note=note))

    def record_inputs(self, run_id: int, inputs: list[dict[str, Any]]) -> None:
        if inputs:
            with self._begin() as c:
                c.execute(run_inputs.insert(), [{**i, "run_id": run_id} for i in inputs])

    def record_outputs(self, run_id: int, outputs: list[tuple[str, str, int]]) -> None:
        """(file relative to the output folder, SHA-256, size) of each file the run wrote."""
        if outputs:
            with self._begin() as c:
                c.execute(run_outputs.insert(), [
                    {"run_id": run_id, "file": f, "sha256": h, "size": n} for f, h, n in outputs])

    def runs(self) -> pd.DataFrame:
        return self.frame(runs).sort_values("id")

    def run_inputs(self, run_id: int) -> pd.DataFrame:
        return self.frame(run_inputs, run_inputs.c.run_id == run_id)

    def run_outputs(self, run_id: int) -> pd.DataFrame:
        return self.frame(run_outputs, run_outputs.c.run_id == run_id)

    def consolidated_months(self) -> dict[str, str]:
        """run month -> inputs hash of its latest successful run."""
        with self._begin() as c:
            rows = c.execute(
                sa.select(runs.c.run_month, runs.c.inputs_sha256).where(runs.c.outcome == "ok")
                .order_by(runs.c.id)
            ).all()
        return {m: h for m, h in rows}

    # ------------------------------------------------------------ loading a run

    def loads(self, where: Any = None) -> pd.DataFrame:
        """Rows of `loads` (all of them is a few per subsidiary and period)."""
        return self.frame(loads, where)

    def replaced_loads(self, run_month: str, group_keys: Iterable[tuple[str, str]]) -> list[int]:
        """The loads a run of `run_month` replaces: every load of that month, and every load of
        a (subsidiary, period) the run loads again (a late correction filed in a later folder)."""
        keys = set(group_keys)
        frame = self.loads()
        if frame.empty:
            return []
        mine = frame["run_month"] == run_month
        again = pd.Series([(s, p) in keys for s, p in zip(frame["subsidiary"], frame["period"])],
                          index=frame.index, dtype=bool)
        return sorted(int(i) for i in frame.loc[mine | again, "id"])

    def add_loads(self, rows: list[dict[str, Any]]) -> list[int]:
        """New loads (run_month, subsidiary, period, sheet, source_file, rows); their ids."""
        ids = []
        with self._begin() as c:
            for row in rows:
                period = stored_period(row["period"])
                result = c.execute(loads.insert().values(
                    **row, period_start=period.start, period_end=period.end,
                    quarter=str(period.end_month().containing_quarter())))
                key = result.inserted_primary_key
                assert key is not None
                ids.append(int(key[0]))
        return ids

    def drop_loads(self, ids: Sequence[int], states: Iterable[tuple[str, str]]) -> None:
        """Delete loads with their rows and figures, and the account states of the
        (subsidiary, period)s given."""
        with self._begin() as c:
            for part in _slices(list(ids)):
                for table in (*DATA_TABLES.values(), sales_months):
                    c.execute(table.delete().where(table.c.load_id.in_(part)))
                c.execute(loads.delete().where(loads.c.id.in_(part)))
            for subsidiary, period in set(states):
                c.execute(account_states.delete().where(
                    (account_states.c.subsidiary == subsidiary) & (account_states.c.period == period)))

    def insert_rows(self, table: sa.Table, rows: pd.DataFrame | pa.Table) -> None:
        """Rows in bulk: COPY on PostgreSQL, executemany on SQLite; columns by name."""
        if rows is None or len(rows) == 0:
            return
        arrow = rows if isinstance(rows, pa.Table) else arrow_rows(table, rows)
        names = [col.name for col in table.columns if col.name != "id" and col.name in arrow.column_names]
        arrow = arrow.select(names)
        with self._begin() as c:
            if c.dialect.name == "postgresql":
                _copy(c, table, arrow)
            else:
                _executemany(c, table, arrow)

    def save_classes(self, run_month: str, group: pd.DataFrame, subsidiaries: pd.DataFrame) -> None:
        """This run's group and subsidiary classes (the next run's previous classes)."""
        rows = pd.concat([
            group.assign(scope=GROUP_SCOPE)[["scope", "customer_uscc", "customer_class", "value"]],
            subsidiaries[["scope", "customer_uscc", "customer_class", "value"]],
        ], ignore_index=True).rename(columns={"value": "value_fen"})
        rows["run_month"] = run_month
        with self._begin() as c:
            c.execute(classes.delete().where(classes.c.run_month == run_month))
        self.insert_rows(classes, rows)

    # ------------------------------------------------------------ reading

    def frame(self, table: sa.Table, where: Any = None) -> pd.DataFrame:
        """A table as a DataFrame; a data table with the run month, subsidiary, period
        and file of each row's load."""
        query: Any = sa.select(table)
        names = [col.name for col in table.columns]
        if "load_id" in table.c:
            query = sa.select(table, *(loads.c[k] for k in LOAD_COLUMNS)).join(
                loads, table.c.load_id == loads.c.id)
            names += list(LOAD_COLUMNS)
        if where is not None:
            query = query.where(where)
        with self._begin() as c:
            rows = c.execute(query).all()
        # Rows as tuples, not one dict each: a quarter of a large group is a million rows.
        frame = pd.DataFrame.from_records(rows, columns=names)
        return _typed(frame, table)

    def rows_of(self, table: sa.Table, load_ids: Sequence[int], where: Any = None) -> pd.DataFrame:
        """The rows of some loads, with where each came from."""
        parts = [self.frame(table, table.c.load_id.in_(part) if where is None
                            else table.c.load_id.in_(part) & where)
                 for part in _slices(list(load_ids))]
        return pd.concat(parts, ignore_index=True) if parts else self.frame(table, sa.false())

    def month_figures(self, months: dict[str, tuple[str, str]], skip: Sequence[int]) -> pd.DataFrame:
        """Per subsidiary and customer, the sales figures summed over each named range of
        months ({"w": ("2026-01", "2026-03"), ...}): columns {name}_shipped, _returned,
        _collected, _trades. Summed in the database; the loads in `skip` left out."""
        low = min(a for a, _ in months.values())
        high = max(b for _, b in months.values())
        sums = []
        for name, (a, b) in months.items():
            inside = sales_months.c.month.between(a, b)
            for figure in ("shipped", "returned", "collected", "trades"):
                sums.append(sa.func.sum(sa.case((inside, sales_months.c[figure]), else_=0))
                            .label(f"{name}_{figure}"))
        query = (sa.select(loads.c.subsidiary, sales_months.c.customer_uscc, *sums)
                 .join(loads, sales_months.c.load_id == loads.c.id)
                 .where(sales_months.c.month.between(low, high))
                 .group_by(loads.c.subsidiary, sales_months.c.customer_uscc))
        if skip:
            query = query.where(sales_months.c.load_id.not_in(list(skip)))
        with self._begin() as c:
            rows = c.execute(query).all()
        frame = pd.DataFrame.from_records(rows, columns=["subsidiary", "customer_uscc",
                                                         *(s.name for s in sums)])
        for s in sums:
            frame[s.name] = frame[s.name].fillna(0).astype("int64")
        return frame

    def states(self, keys: Iterable[tuple[str, str]]) -> pd.DataFrame:
        """The account states of some (subsidiary, period)s."""
        parts = []
        for subsidiary, period in sorted(set(keys)):
            parts.append(self.frame(account_states, (account_states.c.subsidiary == subsidiary)
                                    & (account_states.c.period == period)))
        return pd.concat(parts, ignore_index=True) if parts else self.frame(account_states, sa.false())

    def state_periods(self) -> pd.DataFrame:
        """subsidiary, period, period_end of every period with account states."""
        query = sa.select(account_states.c.subsidiary, account_states.c.period,
                          account_states.c.period_end).distinct()
        with self._begin() as c:
            rows = c.execute(query).all()
        frame = pd.DataFrame.from_records(rows, columns=["subsidiary", "period", "period_end"])
        frame["period_end"] = pd.to_datetime(frame["period_end"]).astype("datetime64[s]")
        return frame

    def latest_customer_rows(self, usccs: Sequence[str], end: dt.date,
                             skip: Sequence[int]) -> pd.DataFrame:
        """For each USCC, its row in the latest customer sheet up to `end` that lists it."""
        parts = []
        for part in _slices(sorted(set(usccs))):
            where = customers.c.uscc.in_(part) & (loads.c.period_end <= end)
            if skip:
                where &= customers.c.load_id.not_in(list(skip))
            parts.append(self.frame(customers, where))
        if not parts:
            return self.frame(customers, sa.false())
        frame = pd.concat(parts, ignore_index=True)
        frame["_end"] = frame["period"].map(lambda p: stored_period(p).end)
        return frame.sort_values(["_end", "run_month", "source_row"]).drop_duplicates(
            "uscc", keep="last").drop(columns="_end").reset_index(drop=True)

    def customer_numbers(self, pairs: Iterable[tuple[str, str]], skip: Sequence[int]) -> pd.DataFrame:
        """subsidiary, period, customer_no, uscc of the customer sheets of some subsidiaries
        whose 客户编号 match keys are among `pairs` (subsidiary, key)."""
        wanted = pd.DataFrame(list(set(pairs)), columns=["subsidiary", "key"])
        if wanted.empty:
            return pd.DataFrame(columns=["subsidiary", "period", "customer_no", "uscc", "key"])
        parts = []
        for subsidiary, keys in wanted.groupby("subsidiary")["key"]:
            where = (loads.c.subsidiary == subsidiary)
            if skip:
                where &= customers.c.load_id.not_in(list(skip))
            query = (sa.select(loads.c.subsidiary, loads.c.period, customers.c.customer_no,
                               customers.c.uscc)
                     .join(loads, customers.c.load_id == loads.c.id).where(where))
            with self._begin() as c:
                rows = c.execute(query).all()
            found = pd.DataFrame.from_records(rows, columns=["subsidiary", "period", "customer_no", "uscc"])
            found["key"] = match_key(found["customer_no"].astype("string"))
            parts.append(found[found["key"].isin(set(keys))])
        return pd.concat(parts, ignore_index=True)

    def classes_of(self, run_month: str) -> pd.DataFrame:
        return self.frame(classes, classes.c.run_month == run_month)

    def class_months(self) -> list[str]:
        with self._begin() as c:
            return sorted(m for (m,) in c.execute(sa.select(classes.c.run_month).distinct()))

    def covered_periods(self) -> set[str]:
        """Periods (2026Q1, 2026-03) any loaded customer or sales sheet belongs to."""
        with self._begin() as c:
            return {p for (p,) in c.execute(sa.select(loads.c.period).distinct().where(
                loads.c.sheet.in_([CUSTOMERS.name, SALES.name])))}

    # The validator's Reference: what the ledger knows of a subsidiary.
    def customers(self, subsidiary: str) -> set[str]:
        with self._begin() as c:
            nos = c.execute(sa.select(customers.c.customer_no).distinct()
                            .join(loads, customers.c.load_id == loads.c.id)
                            .where(loads.c.subsidiary == subsidiary)).scalars().all()
        return set(match_key(pd.Series(nos, dtype="string")).dropna())

    def staff(self, subsidiary: str) -> set[str]:
        frame = self.loads((loads.c.subsidiary == subsidiary) & (loads.c.sheet == STAFF.name))
        if frame.empty:
            return set()
        latest = max(frame["period"], key=lambda p: stored_period(p).end)
        ids = [int(i) for i in frame.loc[frame["period"] == latest, "id"]]
        with self._begin() as c:
            names = c.execute(sa.select(staff.c.name).where(staff.c.load_id.in_(ids))).scalars().all()
        return set(match_key(pd.Series(names, dtype="string")).dropna())

    def latest_customers(self, subsidiary: str) -> pd.DataFrame | None:
        """The subsidiary's latest customer sheet in the ledger (for templates)."""
        frame = self.loads((loads.c.subsidiary == subsidiary) & (loads.c.sheet == CUSTOMERS.name))
        if frame.empty:
            return None
        latest = frame["period_end"] == frame["period_end"].max()
        rows = self.rows_of(customers, [int(i) for i in frame.loc[latest, "id"]])
        return rows.sort_values(["load_id", "source_row"]).reset_index(drop=True)


# ---------------------------------------------------------------- bulk loading


def _slices(items: list[Any], size: int = _IN_SLICE) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def arrow_rows(table: sa.Table, frame: pd.DataFrame, *keep: str) -> pa.Table:
    """The columns of a ledger table (and `keep`) of a frame, as Arrow: what is loaded."""
    names = [col.name for col in table.columns if col.name != "id" and col.name in frame.columns]
    names += [k for k in keep if k in frame.columns]
    return pa.table({n: _arrow_column(frame[n]) for n in names})


def _arrow_column(values: pd.Series) -> pa.Array:
    """A column as Arrow, dates as dates; what the driver is given is made from this."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return pa.array(values.to_numpy(dtype="datetime64[s]"), pa.timestamp("s"),
                        mask=values.isna().to_numpy(dtype=bool)).cast(pa.date32())
    if pd.api.types.is_bool_dtype(values.dtype):
        return pa.array(values.astype("boolean").array)
    if values.dtype == object:
        return pa.array(values.tolist(), from_pandas=True)
    array = pa.array(values.array) if hasattr(values.array, "__arrow_array__") \
        else pa.array(values.to_numpy(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.string()) if pa.types.is_large_string(array.type) else array


def _python_values(array: pa.Array) -> list[Any]:
    """A column as Python values for executemany, None for nulls. Text and dates through
    their distinct values, so that a repeated text is one Python object, not a million."""
    if pa.types.is_string(array.type) or pa.types.is_date(array.type) or pa.types.is_boolean(array.type):
        if pa.types.is_date(array.type):
            array = pc.cast(array, pa.string())  # ISO, as SQLAlchemy's Date stores it on SQLite
        encoded = pc.dictionary_encode(array)
        distinct = np.array([*encoded.dictionary.to_pylist(), None], dtype=object)
        codes = pc.fill_null(encoded.indices, len(distinct) - 1).to_numpy(zero_copy_only=False)
        return list(distinct[codes])
    if pa.types.is_integer(array.type):
        numbers = pc.fill_null(array, 0).to_numpy(zero_copy_only=False).astype(object)
        if array.null_count:
            numbers[array.is_null().to_numpy(zero_copy_only=False)] = None
        return numbers.tolist()
    return array.to_pylist()


def _executemany(c: Connection, table: sa.Table, rows: pa.Table) -> None:
    """Insert through the driver's executemany, inside the open transaction, many rows to a
    statement. SQLAlchemy's own executemany builds a dict of parameters per row (a third
    of the time of a large load); and the driver lets other threads run at every statement
    it steps, which with one row a statement made a million-row load wait on the threads
    writing the outputs."""
    import sqlite3

    names = rows.column_names
    listed = ", ".join(f'"{n}"' for n in names)
    one = f"({', '.join('?' for _ in names)})"
    limit = 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999  # bound parameters
    per = max(1, min(100, limit // len(names)))
    cursor = c.connection.cursor()
    try:
        for start in range(0, rows.num_rows, 100_000):
            part = rows.slice(start, 100_000)
            grid = np.empty((part.num_rows, len(names)), dtype=object)
            for j, column in enumerate(part.columns):
                grid[:, j] = _python_values(column.combine_chunks())
            whole = part.num_rows - part.num_rows % per
            if whole:
                cursor.executemany(f'INSERT INTO "{table.name}" ({listed}) VALUES {", ".join([one] * per)}',
                                   grid[:whole].reshape(-1, per * len(names)).tolist())
            if whole < part.num_rows:
                cursor.executemany(f'INSERT INTO "{table.name}" ({listed}) VALUES {one}', grid[whole:].tolist())
    finally:
        cursor.close()


def _copy(c: Connection, table: sa.Table, rows: pa.Table) -> None:
    """COPY FROM STDIN in CSV, the CSV made by Arrow."""
    listed = ", ".join(f'"{n}"' for n in rows.column_names)
    cursor = c.connection.driver_connection.cursor()  # type: ignore[union-attr]
    sql = f'COPY "{table.name}" ({listed}) FROM STDIN (FORMAT csv)'
    with cursor.copy(sql) as copy:
        for start in range(0, rows.num_rows, 200_000):
            buffer = io.BytesIO()
            pacsv.write_csv(rows.slice(start, 200_000), buffer, pacsv.WriteOptions(include_header=False))
            copy.write(buffer.getvalue())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """A larger page cache (the default 2 MB makes a million-row load thrash its indexes)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA cache_size = -131072")  # KiB: 128 MiB
    cursor.close()


# ---------------------------------------------------------------- schema versions


def _schema_version(c: Connection) -> int | None:
    if not sa.inspect(c).has_table("meta"):
        return None
    found = c.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(found) if found is not None else None


# Version 1 kept run_month, subsidiary, period and source_file on every row, and no
# account states or monthly figures. Its rows move to loads; the states and figures of
# every period are computed afterwards by the next consolidation (consolidate.py,
# `_carry_missing`), which finds loads without them.
_V1_SHEETS = {"staff": STAFF.name, "customers": CUSTOMERS.name, "transactions": SALES.name,
              "assessments": CREDIT.name, "visits": VISITS.name, "market_analysis": MARKET.name}


def _migrate_from_1(c: Connection) -> None:
    inspector = sa.inspect(c)
    old_names = {name: f"v1_{name}" for name in _V1_SHEETS if inspector.has_table(name)}
    indexes = [index["name"] for name in old_names for index in inspector.get_indexes(name)]
    for name, old in old_names.items():
        c.execute(sa.text(f'ALTER TABLE "{name}" RENAME TO "{old}"'))
    for index in indexes:
        c.execute(sa.text(f'DROP INDEX IF EXISTS "{index}"'))
    metadata.create_all(c)
    for name, old in old_names.items():
        table = metadata.tables[name]
        sheet = _V1_SHEETS[name]
        groups = c.execute(sa.text(
            f'SELECT run_month, subsidiary, period, source_file, COUNT(*) FROM "{old}" '
            "GROUP BY run_month, subsidiary, period, source_file")).all()
        for run_month, subsidiary, period, source_file, count in groups:
            p = stored_period(period)
            key = c.execute(loads.insert().values(
                run_month=run_month, subsidiary=subsidiary, period=period, sheet=sheet,
                source_file=source_file, rows=count, period_start=p.start, period_end=p.end,
                quarter=str(p.end_month().containing_quarter()))).inserted_primary_key
            assert key is not None
            load_id = key[0]
            columns = [col.name for col in table.columns if col.name not in ("id", "load_id")]
            if name == "market_analysis":
                columns = ["topic", "analysis"]
            listed = ", ".join(columns)
            c.execute(sa.text(
                f'INSERT INTO "{name}" (load_id, {listed}) SELECT :load_id, {listed} FROM "{old}" '
                "WHERE run_month = :m AND subsidiary = :s AND period = :p AND source_file = :f "
                "ORDER BY id"), {"load_id": load_id, "m": run_month, "s": subsidiary, "p": period,
                                  "f": source_file})
        c.execute(sa.text(f'DROP TABLE "{old}"'))
    c.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))


def _typed(frame: pd.DataFrame, table: sa.Table) -> pd.DataFrame:
    columns = {col.name: col for col in table.columns}
    columns.update({k: loads.c[k] for k in LOAD_COLUMNS if k not in columns})
    for name, col in columns.items():
        if name not in frame.columns:
            continue
        if isinstance(col.type, sa.Date):
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[s]")
        elif isinstance(col.type, (sa.BigInteger, sa.Integer)) and name != "id":
            frame[name] = pd.array(frame[name].tolist(), dtype="Int64")
        elif isinstance(col.type, (sa.String, sa.Text)):
            frame[name] = frame[name].astype("string")
    return frame


def _safe_url(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True) if "://" in url else url


def open_ledger(config: Config, override: str | None = None) -> Ledger:
    """The ledger, created when it does not exist yet (with its folder, for SQLite)."""
    url = config.ledger_location(override)
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    return Ledger.open(url)


def open_existing_ledger(config: Config, override: str | None = None) -> Ledger | None:
    """The ledger when it exists (validation and templates never create one)."""
    url = config.ledger_location(override)
    if missing_sqlite_file(url):
        return None
    try:
        return Ledger.open(url)
    except LedgerError:
        return None


def inputs_digest(hashes: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest()


def sheets_json(counts: dict[str, int | str]) -> str:
    return json.dumps(counts, ensure_ascii=False)


def window_months(first: Period | dt.date, last: Period | dt.date) -> tuple[str, str]:
    """The months from `first` to `last` as the `month` column spells them."""
    a = first.start if isinstance(first, Period) else first
    b = last.end if isinstance(last, Period) else last
    return f"{a:%Y-%m}", f"{b:%Y-%m}"
