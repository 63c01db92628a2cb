"""The `xlcrm` command: parse options, call the core, print, exit with a code."""

from __future__ import annotations

import atexit
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import CONFIG_NAME, Config, ConfigError, find_config, load_config, missing_sqlite_file
from .periods import Period, parse_period, parse_run_month

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class PeriodType(click.ParamType):
    """A reporting period: 2026Q1 or 2026-03 (and the other forms of the spec)."""

    name = "period"

    def __init__(self, month_only: bool = False) -> None:
        self.month_only = month_only

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Period:
        if isinstance(value, Period):
            return value
        period = parse_run_month(str(value)) if self.month_only else parse_period(str(value))
        if period is None:
            hint = "月份，如 2026-03" if self.month_only else "季度如 2026Q1，或月份如 2026-03"
            self.fail(f"无法识别的期间“{value}”：应为{hint}", param, ctx)
        return period


LANG = click.Choice(["zh", "en"])


def _config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
        help=f"配置文件（默认：当前文件夹的 {CONFIG_NAME}）",
    )(f)


def _load(config_path: Path | None, *fallback: Path) -> Config:
    try:
        return load_config(find_config(config_path, *fallback))
    except ConfigError as e:
        raise click.UsageError(str(e)) from e


@contextmanager
def _importing() -> Iterator[None]:
    """For the imports of pandas and pyarrow. The collections they trigger find nothing
    to free (modules live until exit) and cost about 0.1 s: paused while importing.
    What the imports built is then frozen, so that no later collection walks it again,
    here or in the workers forked from this process."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[..., None]]:
    """A progress bar on a terminal; silence when output is not one."""
    if not sys.stderr.isatty() or total <= 1:
        yield lambda *_: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda *_: bar.advance(task)


# The interpreter's exit collects every object left, and pandas and pyarrow leave
# hundreds of thousands: about 0.1 s at the end of every command. Frozen at exit (the
# atexit functions run before those collections), they are skipped; the process ends
# anyway and the operating system takes its memory back.
atexit.register(gc.freeze)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xlcrm")
def main() -> None:
    """xlcrm：按集团《客户管理制度》收集、校验、汇总各单位的客户报表。"""


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--group", default="某某集团", show_default=True, help="集团名称")
@click.option("--subsidiary", "subsidiaries", multiple=True, metavar="NAME=INDUSTRY",
              help="下属单位及行业类型（化工、医药、其他），可重复，如 化工一厂=化工")
@click.option("--force", is_flag=True, help="覆盖已有的配置文件")
def init(directory: Path, group: str, subsidiaries: tuple[str, ...], force: bool) -> None:
    """写出带注释的配置文件 xlcrm.toml。"""
    from .write.config_file import ConfigExists, write_config

    pairs = []
    for item in subsidiaries:
        name, _, industry = item.partition("=")
        if not name.strip() or industry.strip() not in ("化工", "医药", "其他"):
            raise click.BadParameter(f"“{item}”应写作 单位名称=行业类型（化工、医药或其他）",
                                     param_hint="--subsidiary")
        pairs.append((name.strip(), industry.strip()))
    try:
        path = write_config(directory, group, pairs, force=force)
    except ConfigExists as e:
        raise click.UsageError(f"{e.path} 已存在；如需覆盖请加 --force") from e
    click.echo(f"已写出 {path}：请核对集团名称、下属单位及其行业类型。")


@main.command()
@click.option("--subsidiary", "names", multiple=True, help="只生成这些单位的模板（可重复）")
@click.option("--period", required=True, type=PeriodType(), help="报送期间，如 2026Q1 或 2026-03")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("templates-out"), show_default=True, help="输出文件夹")
@_config_option
@click.option("--ledger", help="台账位置（文件路径或数据库 URL），覆盖配置")
def template(names: tuple[str, ...], period: Period, out_dir: Path,
             config_path: Path | None, ledger: str | None) -> None:
    """生成各单位的空白填报工作簿（带下拉选项与输入检查）。"""
    from .write.template import template_name, write_template

    config = _load(config_path)
    chosen = [s for s in config.subsidiaries if not names or s.name in names]
    unknown = set(names) - {s.name for s in config.subsidiaries}
    if unknown:
        raise click.UsageError(f"配置中没有这些单位：{'、'.join(sorted(unknown))}")
    if not chosen:
        raise click.UsageError("配置中没有下属单位：请先用 xlcrm init 或编辑 xlcrm.toml 添加")
    # Check everything before writing anything. A subsidiary named on the command
    # line with the wrong kind of period is an error; others are skipped with a note.
    wrong = [s for s in chosen if s.monthly == period.is_quarter]
    if names and wrong:
        s = wrong[0]
        kind = "月份" if s.monthly else "季度"
        raise click.UsageError(f"{s.name}（{s.industry}）按{kind}报送，期间“{period}”不符")
    for s in wrong:
        click.echo(f"跳过 {s.name}（{s.industry}）：按{'月份' if s.monthly else '季度'}报送", err=True)
    chosen = [s for s in chosen if s not in wrong]
    if not chosen:
        raise click.UsageError(f"没有按期间“{period}”报送的单位")
    previous = _previous_customers(config, ledger)
    for s in chosen:
        target = out_dir / template_name(s.name, period)
        write_template(target, config, s, period, customers=previous(s.name))
        click.echo(f"已生成 {target}")


def _previous_customers(config: Config, ledger: str | None) -> Callable[..., Any]:
    """Last period's customer list from the ledger, when there is a ledger."""
    db = _existing_ledger(config, ledger)
    if db is None:
        return lambda _name: None
    return db.latest_customers


@main.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False, path_type=Path),
              help="把标注了问题的工作簿副本写到此文件夹")
@click.option("--lang", type=LANG, default="zh", show_default=True, help="消息语言")
@_config_option
@click.option("--ledger", help="台账位置（文件路径或数据库 URL），覆盖配置")
def validate(paths: tuple[Path, ...], fmt: str, feedback_dir: Path | None, lang: str,
             config_path: Path | None, ledger: str | None) -> None:
    """校验报送的工作簿（文件或文件夹）。无错误退出码 0，有错误 1，用法错误 2。"""
    with _importing():
        from .read import find_workbooks
        from .report_text import as_text, json_text
        from .validate import validate_files

    fallback = [p if p.is_dir() else p.parent for p in paths]
    config = _load(config_path, *fallback)
    files = find_workbooks(list(paths))
    if not files:
        raise click.UsageError("没有找到工作簿（.xlsx、.xlsm、.xls、.ods）")
    reference = _existing_ledger(config, ledger)
    with _progress(len(files), "校验") as advance:
        result = validate_files([(f, str(f)) for f in files], config, reference, progress=advance,
                                keep_tables=False)
    if feedback_dir is not None:
        from .write.feedback import write_feedback

        for sub in result.submissions:
            if sub.findings:
                target = write_feedback(sub, feedback_dir, lang)
                if fmt == "text" and target is not None:
                    click.echo(f"已写出反馈工作簿 {target}", err=True)
    click.echo(json_text(result, lang) if fmt == "json" else as_text(result, lang))
    sys.exit(EXIT_OK if result.valid else EXIT_FINDINGS)


def _existing_ledger(config: Config, ledger: str | None) -> Any:
    """The ledger when it exists, for validation and templates (which never create one).
    A SQLite file that is not there is known without importing SQLAlchemy."""
    if missing_sqlite_file(config.ledger_location(ledger)):
        return None
    from .ledger import open_existing_ledger

    return open_existing_ledger(config, ledger)


def _ledger(config: Config, override: str | None) -> Any:
    from .ledger import LedgerError, open_ledger

    try:
        return open_ledger(config, override)
    except LedgerError as e:
        raise click.UsageError(str(e)) from e


@main.command()
@click.argument("inbox", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--period", type=PeriodType(month_only=True),
              help="汇总月份，如 2026-03（默认：所有未汇总或输入有变化的月份）")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out"), show_default=True, help="汇总表输出文件夹")
@click.option("--accept-partial", is_flag=True, help="有错误的工作簿也汇总其无误的行，并列出被排除的行")
@_config_option
@click.option("--ledger", help="台账位置（文件路径或数据库 URL），覆盖配置")
def consolidate(inbox: Path, period: Period | None, out_dir: Path, accept_partial: bool,
                config_path: Path | None, ledger: str | None) -> None:
    """校验收件箱中的报表、载入台账并生成集团汇总表与书面报告。"""
    with _importing():
        from .consolidate import LOADED, PARTIAL, ConsolidationError, InboxError, plan_runs, run

    config = _load(config_path, inbox)
    if not config.subsidiaries:
        raise click.UsageError("配置中没有下属单位：请先用 xlcrm init 或编辑 xlcrm.toml 添加")
    db = _ledger(config, ledger)
    try:
        plan = plan_runs(inbox, period, db)
    except InboxError as e:
        raise click.UsageError(str(e)) from e
    if not plan:
        click.echo("没有需要汇总的月份：所有月份均已汇总且输入未变。")
        return
    failed = False
    for month, folder in plan:
        with _progress(len(list(folder.glob("**/*"))), f"汇总 {month}") as advance:
            try:
                outcome = run(folder, month, config, db, out_dir, accept_partial=accept_partial,
                              progress=advance, display_root=inbox)
            except ConsolidationError as e:
                click.echo(str(e), err=True)
                failed = True
                continue
        loaded = sum(1 for s in outcome.statuses.values() if s in (LOADED, PARTIAL))
        returned = [f for f, s in outcome.statuses.items() if s not in (LOADED, PARTIAL)]
        click.echo(f"{month}：汇总 {loaded} 个工作簿，退回 {len(returned)} 个 → {outcome.summary}")
        for f in returned:
            sub = next(s for s in outcome.submissions if s.file == f)
            errors = sum(1 for x in sub.findings if x.severity == "error")
            click.echo(f"  退回 {f}（错误 {errors} 个；用 xlcrm validate 查看详情）")
        if accept_partial:
            for sub in outcome.submissions:
                if outcome.statuses[sub.file] == PARTIAL:
                    for sheet in sorted({x.sheet for x in sub.findings if x.row and x.sheet}):
                        rows = sorted(sub.error_rows(sheet))
                        if rows:
                            shown = "、".join(map(str, rows[:20])) + ("…" if len(rows) > 20 else "")
                            click.echo(f"  部分汇总 {sub.file} {sheet}：排除第 {shown} 行")
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@main.command()
@_config_option
@click.option("--ledger", help="台账位置（文件路径或数据库 URL），覆盖配置")
def runs(config_path: Path | None, ledger: str | None) -> None:
    """列出台账中的汇总运行记录：时间、月份、输入文件哈希、结果。"""
    config = _load(config_path)
    db = _ledger(config, ledger)
    history = db.runs()
    if history.empty:
        click.echo("台账中还没有汇总记录。")
        return
    history = history.astype(object).where(history.notna(), None)
    for r in history.itertuples():
        click.echo(f"#{r.id}  {r.run_month}  {r.started_at:%Y-%m-%d %H:%M:%S}  {r.outcome}"
                   f"  操作人 {r.operator or '-'}  输入 {str(r.inputs_sha256)[:12]}"
                   + (f"  {r.summary_path}" if r.summary_path else "")
                   + (f"  {r.note}" if r.note else ""))
        for i in db.run_inputs(int(r.id)).itertuples():
            click.echo(f"      {i.sha256[:12]}  {i.status}  {i.file}")


@main.command()
@click.argument("summary", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--inbox", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="输入文件所在的收件箱（默认：汇总表记录的位置）")
@_config_option
@click.option("--ledger", help="台账位置（文件路径或数据库 URL），覆盖配置")
def verify(summary: Path, inbox: Path | None, config_path: Path | None, ledger: str | None) -> None:
    """重新计算汇总表所列输入文件的哈希，并与台账核对。不一致时退出码 1。"""
    from .verify import verify_summary

    config = _load(config_path, summary.parent)
    db = _ledger(config, ledger)
    problems, checked = verify_summary(summary, db, inbox)
    for p in problems:
        click.echo(f"不一致：{p}")
    if problems:
        click.echo(f"核对失败：{len(problems)} 处不一致。")
        sys.exit(EXIT_FINDINGS)
    click.echo(f"核对通过：{checked} 个输入文件的哈希与台账记录一致，汇总表与台账一致。")
