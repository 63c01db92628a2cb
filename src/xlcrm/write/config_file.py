"""`xlcrm init`: a commented `xlcrm.toml` for the head-office clerk to complete.

The `[policy]` table is generated from `config.Policy` itself, one line per
field with its default, so the file written and the defaults in code cannot
drift apart: a field added to `Policy` appears here with its default at once
(and `tests/test_init.py` asks for its comment in `POLICY_NOTES`).
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

from ..config import CONFIG_NAME, DEFAULT_LEDGER, Policy
from ..schema import INDUSTRIES
from .common import atomic_text


class ConfigExists(Exception):
    """The configuration file is already there and overwriting was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


# The comment above each policy setting: what it is, and the rule of
# spec/policy.md or the regulation's article it implements.
POLICY_NOTES: dict[str, str] = {
    "class_a_cutoff": "A/B/C 分类（第十二条）：按近12个月净销售额从高到低累计，"
                      "累计占比（不含本客户）未达此值的客户为 A 类",
    "class_b_cutoff": "累计占比（不含本客户）未达此值的其余客户为 B 类，再往后为 C 类（第十二条）",
    "class_method": "分类依据：value 按净销售额累计占比；count 按客户数占比"
                    "（policy.md「A/B/C 分类」）",
    "potential_growth": "潜力客户（第十二条(三)）：B、C 类客户中同比增长率不低于此值……",
    "potential_min_sales": "……且本期净销售额不低于此金额（元）的客户",
    "grade_one_min_score": "资信评分（满分100）不低于此分评为一级（第十四、十五条）",
    "grade_two_min_score": "资信评分不低于此分评为二级，否则为三级（第十四、十五条）",
    "limit_factor_one": "建议资信额度 = 月均销售额 × max(账期,30)/30 × 系数"
                        "（第十五条(一)）：一级系数",
    "limit_factor_two": "二级系数",
    "limit_factor_three": "三级系数",
    "limit_rounding": "建议资信额度向下取整到此金额的整数倍（元）",
    "approval_days": "总经理收到资信额度申请后应在此天数内批复，超过为“批复超时”（第十六条）",
    "application_earliest_day": "资信额度申请应在季末月下旬提出："
                                "早于该月此日为“申请过早”（第十六条）",
    "reassessment_days": "最近一次资信评估的申请日期距期末超过此天数为“逾期未复评”"
                         "（第十五条(四)，每半年）",
    "leader_visit_days": "A 类客户须有公司领导拜访、B 类须有销售主管或公司领导拜访，"
                         "最近一次距期末不超过此天数（第十二条(一)(二)）",
    "balance_tolerance": "报表的期初应收余额与台账上期期末余额相差超过此金额（元）时提示",
    "report_due_day": "客户信息表、销售数据表、资信评估表：期末次月此日前报送（第八条）",
    "summary_due_day": "总管理部汇总表：期末次月此日前报送集团（第八条）",
    "visits_due_day": "拜访记录、市场分析：期末次月此日前报送（第十条）",
    "written_report_due_day": "总管理部书面报告（档案维护与拜访分析）：期末次月此日前（第十一条）",
    "holiday_shift": "截止日遇周末或法定节假日是否顺延到下一个工作日（true/false，默认不顺延）",
    "detail_rows_in_summary": "汇总表的逐笔清单（销售明细、超限发货）超过此行数时，汇总表只列按填报单位"
                              "和业务员的汇总，逐行明细写入 明细/{填报单位}_{月份}.xlsx",
    "visit_interval_days": "拜访间隔（天）：按客户分类（A/B/C）与资信等级（一级/二级/三级），"
                           "距最近一次拜访超过即“逾期未拜访”（第十二、十八条）",
}

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")

_HEADER = """\
# xlcrm 配置文件：按集团《客户管理制度》收集、校验、汇总各单位的客户报表。
# 由 `xlcrm init` 生成。以 # 开头的是注释；修改后请以 UTF-8 编码保存。
"""

_GROUP = """
# 集团名称：写在汇总表和书面报告的标题中。
group = {group}

# 台账（历次报送数据的数据库）的位置。
# 默认是与本文件同一文件夹的 SQLite 文件；
# 写成 postgresql://用户名@服务器/数据库名 则放在共享的数据库服务器上，供多名文员共用。
ledger = {ledger}
"""

_SUBSIDIARIES = """
# 下属单位：每个单位写一段 [[subsidiaries]]。
#   name     单位名称，须与各单位“填报单位”表中所填完全一致；
#   industry 行业类型：化工、医药 或 其他。医药单位按月报送，其他单位按季度报送（第八条）。
"""

_EXAMPLES = """
# 例如（去掉行首的 # 即生效）：
# [[subsidiaries]]
# name = "医药公司"
# industry = "医药"
#
# [[subsidiaries]]
# name = "贸易公司"
# industry = "其他"

# 下面是一个示例单位，请改为实际的单位名称和行业类型：
"""

_POLICY = """
# 政策参数：spec/policy.md 的默认值，括号内为《客户管理制度》的条款。一般无需修改。
# 带引号的小数（如 "0.80"）按精确小数计算，请保留引号。
[policy]
"""

_EXAMPLE_SUBSIDIARY = ("化工一厂", "化工")


def toml_value(value: object) -> str:
    """A TOML literal for a policy default (bool, int, str, or a table of them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a valid TOML basic string (same escapes).
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        items = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return f"{{ {items} }}"
    raise TypeError(f"no TOML form for {value!r}")


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" for line in text.splitlines())


def policy_toml(policy: Policy | None = None) -> str:
    """The `[policy]` table with every field of `Policy`, each under its comment."""
    policy = policy or Policy()
    scalars, tables = [], []
    for f in fields(Policy):
        value = getattr(policy, f.name)
        note = _comment(POLICY_NOTES.get(f.name, f.name))
        if isinstance(value, dict):
            # A [policy.x] header ends the [policy] table: tables go last.
            rows = "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in value.items())
            tables.append(f"\n{note}[policy.{f.name}]\n{rows}")
        else:
            scalars.append(f"{note}{f.name} = {toml_value(value)}\n")
    return _POLICY + "".join(scalars) + "".join(tables)


def config_text(group: str, subsidiaries: list[tuple[str, str]]) -> str:
    parts = [_HEADER, _GROUP.format(group=toml_value(group), ledger=toml_value(DEFAULT_LEDGER)),
             _SUBSIDIARIES]
    if not subsidiaries:
        # An example entry that is live, so that the file loads and `xlcrm
        # template` has something to show before the clerk edits it.
        parts.append(_EXAMPLES)
        subsidiaries = [_EXAMPLE_SUBSIDIARY]
    entries = []
    for name, industry in subsidiaries:
        if industry not in INDUSTRIES:
            raise ValueError(f"行业类型应为 {'、'.join(INDUSTRIES)}：{industry}")
        entries.append(f"[[subsidiaries]]\nname = {toml_value(name)}\n"
                       f"industry = {toml_value(industry)}\n")
    parts.append("\n".join(entries))
    parts.append(policy_toml())
    return "".join(parts)


def write_config(
    directory: Path, group: str, subsidiaries: list[tuple[str, str]], *, force: bool = False,
) -> Path:
    """Write `directory/xlcrm.toml`; ConfigExists if it is there and not `force`."""
    target = directory / CONFIG_NAME
    if target.exists() and not force:
        raise ConfigExists(target)
    text = config_text(group, subsidiaries)
    # An existing file keeps its mode.
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    atomic_text(target, text, mode)
    return target
