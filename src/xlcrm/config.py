"""The configuration file `xlcrm.toml`: the group, its subsidiaries, the policy knobs."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .schema import INDUSTRIES

CONFIG_NAME = "xlcrm.toml"
DEFAULT_LEDGER = "xlcrm-ledger.sqlite"


class ConfigError(Exception):
    """The configuration file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Subsidiary:
    name: str
    industry: str  # 化工 | 医药 | 其他

    @property
    def monthly(self) -> bool:
        """医药 subsidiaries report every month, the others every quarter (第八条)."""
        return self.industry == "医药"


@dataclass(frozen=True)
class Policy:
    """Every number of policy.md, with its default."""

    class_a_cutoff: str = "0.80"
    class_b_cutoff: str = "0.95"
    class_method: str = "value"  # value | count
    potential_growth: str = "0.30"
    potential_min_sales: int = 50_000  # 元
    grade_one_min_score: int = 80
    grade_two_min_score: int = 60
    limit_factor_one: str = "1.5"
    limit_factor_two: str = "1.0"
    limit_factor_three: str = "0.5"
    limit_rounding: int = 1000  # 元
    approval_days: int = 3
    application_earliest_day: int = 21
    reassessment_days: int = 183
    leader_visit_days: int = 183
    balance_tolerance: str = "0.01"
    report_due_day: int = 6
    summary_due_day: int = 8
    visits_due_day: int = 10
    written_report_due_day: int = 15
    holiday_shift: bool = False
    # A person reads pages: a longer per-transaction list goes to per-subsidiary workbooks.
    detail_rows_in_summary: int = 50_000
    visit_interval_days: dict[str, dict[str, int]] = field(
        default_factory=lambda: {
            "A": {"一级": 30, "二级": 30, "三级": 15},
            "B": {"一级": 60, "二级": 45, "三级": 30},
            "C": {"一级": 90, "二级": 90, "三级": 60},
        }
    )


@dataclass(frozen=True)
class Config:
    group: str = "集团"
    ledger: str = DEFAULT_LEDGER
    subsidiaries: tuple[Subsidiary, ...] = ()
    policy: Policy = Policy()
    path: Path | None = None
    digest: str = ""

    def subsidiary(self, name: str) -> Subsidiary | None:
        for s in self.subsidiaries:
            if s.name == name:
                return s
        return None

    @property
    def ledger_url(self) -> str:
        """A database URL; a plain path is a SQLite file beside the configuration."""
        if "://" in self.ledger:
            return self.ledger
        path = Path(self.ledger)
        if not path.is_absolute() and self.path is not None:
            path = self.path.parent / path
        return f"sqlite:///{path}"

    def ledger_location(self, override: str | None = None) -> str:
        """--ledger, else the configuration's; a plain path is a SQLite file."""
        url = override if override else self.ledger_url
        return url if "://" in url else f"sqlite:///{url}"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite ledger URL; None for another database."""
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def missing_sqlite_file(url: str) -> bool:
    """A SQLite ledger whose file does not exist: there is no ledger yet. Decided
    without SQLAlchemy, so that validating without a ledger does not import it."""
    path = sqlite_file(url)
    return path is not None and not path.is_file()


def load_config(path: Path | None) -> Config:
    """The configuration at `path`; built-in defaults when `path` is None."""
    if path is None:
        return Config()
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"找不到配置文件 {path}") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"配置文件 {path} 格式错误：{e}") from e
    subsidiaries = []
    for entry in data.get("subsidiaries", []):
        name, industry = entry.get("name"), entry.get("industry")
        if not isinstance(name, str) or industry not in INDUSTRIES:
            raise ConfigError(
                f"配置文件 {path} 的 [[subsidiaries]] 需要 name 和 industry（化工、医药或其他）：{entry}"
            )
        subsidiaries.append(Subsidiary(name.strip(), industry))
    return Config(
        group=str(data.get("group", "集团")),
        ledger=str(data.get("ledger", DEFAULT_LEDGER)),
        subsidiaries=tuple(subsidiaries),
        policy=_policy(data.get("policy", {}), path),
        path=path.resolve(),
        digest=hashlib.sha256(raw).hexdigest(),
    )


def _policy(data: dict[str, Any], path: Path) -> Policy:
    known = {f.name for f in fields(Policy)}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"配置文件 {path} 的 [policy] 中有未知的设置：{', '.join(sorted(unknown))}")
    values: dict[str, Any] = {k: (str(v) if isinstance(v, float) else v) for k, v in data.items()}
    return Policy(**values)


def find_config(explicit: Path | None, *fallback_dirs: Path) -> Path | None:
    """--config, else xlcrm.toml in the current folder, else in the given folders."""
    if explicit is not None:
        return explicit
    for d in (Path.cwd(), *fallback_dirs):
        candidate = d / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None
