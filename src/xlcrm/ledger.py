"""The ledger: every period's submissions, computed classes and the record of every run.

SQLAlchemy Core over an embedded SQLite file by default; a PostgreSQL URL
works the same. The data tables are generated from schema.py, so a field
added to the submission is a column here without a second declaration.
Loading a run replaces that run's data in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .config import Config, missing_sqlite_file, sqlite_file
from .periods import stored_period
from .schema import CREDIT, CUSTOMERS, SALES, STAFF, VISITS, Kind, Sheet
from .values import match_key

SCHEMA_VERSION = 1

metadata = sa.MetaData()

_SQL_TYPES: dict[Kind, Any] = {
    Kind.AMOUNT: sa.BigInteger,  # fen
    Kind.DECIMAL: sa.BigInteger,  # millionths
    Kind.PERCENT: sa.BigInteger,  # millionths of one
    Kind.INTEGER: sa.Integer,
    Kind.DATE: sa.Date,
}


def _data_table(name: str, sheet: Sheet, *extra: sa.Column[Any]) -> sa.Table:
    """A ledger table for a data sheet: where each row came from, then the sheet's fields."""
    return sa.Table(
        name, metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_month", sa.String(7), nullable=False, index=True),
        sa.Column("subsidiary", sa.String(200), nullable=False, index=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("source_file", sa.Text, nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
        *extra,
        *(sa.Column(f.key, _SQL_TYPES.get(f.kind, sa.Text)) for f in sheet.fields),
    )


def _uscc() -> sa.Column[Any]:
    return sa.Column("customer_uscc", sa.String(18), index=True)


staff = _data_table("staff", STAFF)
customers = _data_table("customers", CUSTOMERS)
transactions = _data_table("transactions", SALES, _uscc())
assessments = _data_table("assessments", CREDIT, _uscc())
visits = _data_table("visits", VISITS, _uscc())
market = sa.Table(
    "market_analysis", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_month", sa.String(7), nullable=False, index=True),
    sa.Column("subsidiary", sa.String(200), nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("topic", sa.Text),
    sa.Column("analysis", sa.Text),
)
DATA_TABLES = {
    STAFF.name: staff, CUSTOMERS.name: customers, SALES.name: transactions,
    CREDIT.name: assessments, VISITS.name: visits,
}

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
            metadata.create_all(engine)
            with engine.begin() as c:
                version = c.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version"))
                found = version.scalar()
                if found is None:
                    c.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
                elif int(found) > SCHEMA_VERSION:
                    raise LedgerError(
                        f"台账的结构版本 {found} 比本程序支持的 {SCHEMA_VERSION} 新，请升级 xlcrm")
                elif int(found) < SCHEMA_VERSION:
                    _migrate(c, int(found))
        except sa.exc.SQLAlchemyError as e:
            raise LedgerError(f"无法打开台账 {_safe_url(url)}：{e.__class__.__name__}: {e}") from e
        return cls(engine)

    # ------------------------------------------------------------ writing

    @contextlib.contextmanager
    def _begin(self) -> Iterator[Connection]:
        """The open transaction, else a new one: reads and writes alike."""
        if self._conn is not None:
            yield self._conn
        else:
            with self.engine.begin() as c:
                yield c

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

    def replace_run_data(
        self, run_id: int, run_month: str, frames: dict[str, pd.DataFrame],
        market_rows: pd.DataFrame, class_rows: pd.DataFrame, inputs: list[dict[str, Any]],
        replaced: Iterable[tuple[str, str]],
    ) -> None:
        """Replace the run month's data (and corrected (subsidiary, period)s) in one transaction."""
        replaced = list(replaced)
        with self._begin() as c:
            for table in (*DATA_TABLES.values(), market):
                c.execute(table.delete().where(table.c.run_month == run_month))
                for subsidiary, period in replaced:
                    c.execute(table.delete().where(
                        (table.c.subsidiary == subsidiary) & (table.c.period == period)))
            c.execute(classes.delete().where(classes.c.run_month == run_month))
            for sheet, frame in frames.items():
                _insert(c, DATA_TABLES[sheet], frame)
            _insert(c, market, market_rows)
            _insert(c, classes, class_rows)
            if inputs:
                c.execute(run_inputs.insert(), [{**i, "run_id": run_id} for i in inputs])

    def save_classes(self, run_month: str, group: pd.DataFrame, subsidiaries: pd.DataFrame) -> None:
        """This run's group and subsidiary classes (the next run's previous classes)."""
        rows = pd.concat([
            group.assign(scope=GROUP_SCOPE)[["scope", "customer_uscc", "customer_class", "value"]],
            subsidiaries[["scope", "customer_uscc", "customer_class", "value"]],
        ], ignore_index=True).rename(columns={"value": "value_fen"})
        rows["run_month"] = run_month
        with self._begin() as c:
            c.execute(classes.delete().where(classes.c.run_month == run_month))
            _insert(c, classes, rows)

    # ------------------------------------------------------------ reading

    def frame(self, table: sa.Table, where: Any = None) -> pd.DataFrame:
        query = sa.select(table)
        if where is not None:
            query = query.where(where)
        with self._begin() as c:
            rows = c.execute(query).all()
        # Rows as tuples, not one dict each: a year of a large group is a million rows.
        frame = pd.DataFrame.from_records(rows, columns=[col.name for col in table.columns])
        return _typed(frame, table)

    def runs(self) -> pd.DataFrame:
        return self.frame(runs).sort_values("id")

    def run_inputs(self, run_id: int) -> pd.DataFrame:
        return self.frame(run_inputs, run_inputs.c.run_id == run_id)

    def latest_ok_run(self, run_month: str) -> dict[str, Any] | None:
        with self._begin() as c:
            row = c.execute(
                sa.select(runs).where((runs.c.run_month == run_month) & (runs.c.outcome == "ok"))
                .order_by(runs.c.id.desc()).limit(1)
            ).mappings().first()
        return dict(row) if row else None

    def consolidated_months(self) -> dict[str, str]:
        """run month -> inputs hash of its latest successful run."""
        with self._begin() as c:
            rows = c.execute(
                sa.select(runs.c.run_month, runs.c.inputs_sha256).where(runs.c.outcome == "ok")
                .order_by(runs.c.id)
            ).all()
        return {m: h for m, h in rows}

    def classes_of(self, run_month: str) -> pd.DataFrame:
        return self.frame(classes, classes.c.run_month == run_month)

    def class_months(self) -> list[str]:
        with self._begin() as c:
            return sorted(m for (m,) in c.execute(sa.select(classes.c.run_month).distinct()))

    def covered_periods(self) -> set[str]:
        """Periods (2026Q1, 2026-03) any loaded sheet belongs to."""
        with self._begin() as c:
            found: set[str] = set()
            for table in (customers, transactions):
                found |= {p for (p,) in c.execute(sa.select(table.c.period).distinct())}
        return found

    # The validator's Reference: what the ledger knows of a subsidiary.
    def customers(self, subsidiary: str) -> set[str]:
        with self._begin() as c:
            nos = c.execute(sa.select(customers.c.customer_no).distinct()
                            .where(customers.c.subsidiary == subsidiary)).scalars().all()
        return set(match_key(pd.Series(nos, dtype="string")).dropna())

    def staff(self, subsidiary: str) -> set[str]:
        with self._begin() as c:
            latest = c.execute(sa.select(sa.func.max(staff.c.period))
                               .where(staff.c.subsidiary == subsidiary)).scalar()
            if latest is None:
                return set()
            names = c.execute(sa.select(staff.c.name).where(
                (staff.c.subsidiary == subsidiary) & (staff.c.period == latest))).scalars().all()
        return set(match_key(pd.Series(names, dtype="string")).dropna())

    def latest_customers(self, subsidiary: str) -> pd.DataFrame | None:
        """The subsidiary's latest customer sheet in the ledger (for templates)."""
        frame = self.frame(customers, customers.c.subsidiary == subsidiary)
        if frame.empty:
            return None
        ends = frame["period"].map(lambda p: stored_period(p).end)
        return frame[ends == ends.max()].reset_index(drop=True)


def _insert(c: Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    if frame is None or frame.empty:
        return
    names = [col.name for col in table.columns if col.name != "id" and col.name in frame.columns]
    # In batches: the rows as Python values exist for one batch at a time.
    for start in range(0, len(frame), 20_000):
        c.execute(table.insert(), _records(frame[names].iloc[start:start + 20_000]))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values for the driver (NA -> None, timestamps -> dates)."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            values = [None if pd.isna(v) else v.date() for v in col]
        elif pd.api.types.is_integer_dtype(col) or pd.api.types.is_bool_dtype(col):
            values = [None if pd.isna(v) else int(v) for v in col.astype(object)]
        else:
            values = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                      else v for v in col.astype(object)]
        out[name] = values
    return [dict(zip(out, row)) for row in zip(*out.values())]


def _typed(frame: pd.DataFrame, table: sa.Table) -> pd.DataFrame:
    for col in table.columns:
        if col.name not in frame.columns:
            continue
        if isinstance(col.type, sa.Date):
            frame[col.name] = pd.to_datetime(frame[col.name]).astype("datetime64[s]")
        elif isinstance(col.type, (sa.BigInteger, sa.Integer)) and col.name != "id":
            frame[col.name] = pd.array(frame[col.name].tolist(), dtype="Int64")
        elif isinstance(col.type, (sa.String, sa.Text)):
            frame[col.name] = frame[col.name].astype("string")
    return frame


def _migrate(c: Connection, found: int) -> None:
    """Bring an older ledger to SCHEMA_VERSION, one version at a time (none yet)."""
    c.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))


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
    import hashlib

    return hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest()


def sheets_json(counts: dict[str, int | str]) -> str:
    return json.dumps(counts, ensure_ascii=False)
