"""The summary workbook 集团客户管理汇总_{period}.xlsx (spec/outputs.md).

Each report sheet is laid out by sheets.write_report_sheet; this module only
says which rows and columns each sheet has, and adds the cover, the contents
and the native charts. Sheet names and the headers named in the spec are
fixed; external checks read them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import __version__
from ..periods import Period
from ..policy.growth import NEW_CUSTOMER
from . import details
from .common import atomic_workbook, write_text
from .sheets import Column, Formats, ReportSheet, add_links_sheet, write_report_sheet

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

    from ..results import Consolidation

AUDIT_SHEET = "审计追溯"
CHART_DATA_SHEET = "图表数据"
RUN_ID_LABEL = "运行编号"
INBOX_LABEL = "输入文件夹"


def summary_name(run_month: Period) -> str:
    return f"集团客户管理汇总_{run_month.year}-{run_month.first_month:02d}.xlsx"


def _yes(flag: Any) -> str:
    return "是" if bool(flag) else "否"


def _growth_cell(growth: Any, new_customer: Any) -> Any:
    """The rate, `新客户` in its place, or blank (none)."""
    if bool(new_customer):
        return NEW_CUSTOMER
    return growth


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """Growth as shown (the rate, 新客户 or blank) and 潜力客户 as 是 / 否."""
    return frame.assign(
        growth_shown=[_growth_cell(x, n) for x, n in zip(frame["growth"], frame["new_customer"])],
        potential_shown=frame["potential"].map(_yes),
    )


def _window_text(r: Consolidation) -> str:
    w = r.window
    return f"{w.label_zh}（{w.start} 至 {w.end}）"


# The report sheets in order, with what 目录 says of each.
CONTENTS = [
    ("报送情况", "各单位各报表的截止日期、填报日期与状态（第八至十条）"),
    ("客户一览表", "集团全部客户：分类、资信等级、本期销售（第四条(三)）"),
    ("销售汇总", "各单位按客户分类的发货、退货、回款与应收（第四条(四)、第八条）"),
    ("区域分析", "按省份的客户数、净销售额与回款率（第七条）"),
    ("业务员分析", "各业务员负责客户的销售与回款（第七、十六条）"),
    ("客户分类", "按近12个月净销售额的ABC分类与帕累托曲线（第十二条）"),
    ("增长排名", "按同比增长率排序，标出潜力客户（第十二条）"),
    ("C类客户分析", "C类客户综合分析，潜力客户在前（第十二条(三)）"),
    ("资信评估", "评分、系统评定等级与单位评定等级、建议额度、审批时效与复评（第十三至十六条）"),
    ("超限预警", "期末应收余额超过执行资信额度或无额度欠款的客户（第十五条）"),
    ("超限发货", "发货后应收余额超过执行额度的每一笔发货及其业务员（第十六条）"),
    ("集团敞口", "由两家以上单位服务的客户的应收合计与额度合计"),
    ("期初余额核对", "本期填报的期初应收余额与台账结转的上期期末余额不一致的客户"),
    ("拜访分析", "按客户类别与资信等级要求的拜访间隔、最近拜访与领导拜访（第十二、十七、十八条）"),
    ("客户投诉", "本期拜访中记录的客户投诉，A类客户优先（第十二条(一)4）"),
    ("档案变动", "新增、流失客户，信息变更（含法定代表人、联系人等人事变动）与分类变化（第九、十二条）"),
    ("销售明细", "本期每一笔发货、退货、回款及其来源文件与行号，供审计追溯"),
    (AUDIT_SHEET, "每个输入文件的哈希、行数与处理结果，及本次运行信息"),
]


def _contents(r: Consolidation) -> list[tuple[str, str]]:
    """目录; a long list that moved to the detail workbooks says so."""
    moved = {"销售明细": details.too_long(r, r.detail), "超限发货": details.too_long(r, r.limit_shipments)}
    return [(name, f"{text}；本期按填报单位和业务员汇总，逐笔见 {details.FOLDER}/ 中各单位的明细工作簿"
             if moved.get(name) else text) for name, text in CONTENTS]


class _Book:
    """Writes the report sheets with the shared title and unit line."""

    def __init__(self, book: Workbook, r: Consolidation) -> None:
        self.book, self.r = book, r
        self.unit_line = (f"编制单位：{r.config.group}    期间：{_window_text(r)}    "
                          f"金额单位：元")

    def sheet_title(self, report: str) -> str:
        return f"{report}（{self.r.config.group} {self.r.window.label_zh}）"

    def sheet(self, name: str, report: str, columns: list[Column], rows: pd.DataFrame, *,
              note: str | None = None, totals: bool = True,
              quarterly: bool = False) -> ReportSheet:
        title = self.sheet_title(report)
        if quarterly and not self.r.quarter_end:
            # A sheet that does not apply says so in its title row instead of vanishing.
            title += "——本月非季末，本表不适用（按季度评估）"
            rows = rows.iloc[0:0] if not rows.empty else pd.DataFrame(columns=[c.key for c in columns])
        return write_report_sheet(
            self.book, name, title=title, unit_line=self.unit_line, columns=columns, rows=rows,
            note=note, totals=totals, compiled_on=self.r.compiled_at.date(),
        )


def write_summary(r: Consolidation, target: Path) -> Path:
    # Every sheet is written top to bottom, so the detail of a million transactions
    # need not be held in memory.
    with atomic_workbook(target, row_by_row=True) as book:
        cover = book.add_worksheet("封面")
        add_links_sheet(book, "目录", _contents(r), title=f"目录（{r.config.group} {r.window.label_zh}）")
        b = _Book(book, r)
        _status_sheet(b)
        _customer_sheet(b)
        sales = _sales_sheet(b)
        _region_sheet(b)
        _salespeople_sheet(b)
        _class_sheet(b)
        _growth_sheet(b)
        _c_class_sheet(b)
        _credit_sheet(b)
        _limit_warning_sheet(b)
        _limit_shipment_sheet(b)
        _exposure_sheet(b)
        _opening_sheet(b)
        _visit_sheet(b)
        _complaint_sheet(b)
        _changes_sheet(b)
        _detail_sheet(b)
        _audit_sheet(b)
        _cover(book, cover, r)
        if sales is not None:
            _subsidiary_chart(book, sales, r)
    return target


def _cover(book: Workbook, ws: Any, r: Consolidation) -> None:
    f = Formats.of(book)
    title = book.add_format({"bold": True, "font_size": 22, "align": "center"})
    label = book.add_format({"bold": True, "align": "right"})
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 60)
    ws.merge_range(2, 0, 2, 1, f"{r.config.group}客户管理汇总表", title)
    lines = [
        ("集团", r.config.group),
        ("汇总月份", f"{r.run_month.year}年{r.run_month.first_month}月"),
        ("报告期间", _window_text(r)),
        (RUN_ID_LABEL, str(r.run_id)),
        ("编制时间", r.compiled_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("编制人", r.operator),
        ("程序版本", f"xlcrm {__version__}"),
        (INBOX_LABEL, str(r.inbox or "")),
        ("依据", "《集团公司客户管理制度》第四、八至十八条"),
    ]
    for i, (k, v) in enumerate(lines):
        write_text(ws, 5 + i, 0, k + "：", label)
        write_text(ws, 5 + i, 1, v, f.text)
    row = 6 + len(lines)
    for i, k in enumerate(("编制人", "审核人", "批准人")):
        write_text(ws, row + 2 * i, 0, k + "：", label)
        write_text(ws, row + 2 * i, 1, "________________    日期：____年__月__日", f.text)
    ws.set_portrait()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)


def _status_sheet(b: _Book) -> None:
    s = b.r.status
    rows = s.assign(
        due=s["due_date"], submitted=s["report_date"],
    )
    b.sheet("报送情况", "各单位报送情况表", [
        Column("填报单位", "subsidiary"), Column("行业类型", "industry"),
        Column("报送期间", "period"), Column("报表", "report"),
        Column("截止日期", "due", "date"), Column("填报日期", "submitted", "date"),
        Column("状态", "status"), Column("逾期天数", "days_late", "int"),
        Column("错误数", "errors", "int"), Column("警告数", "warnings", "int"),
        Column("文件", "file"),
    ], rows, totals=False)


def _customer_sheet(b: _Book) -> None:
    c = b.r.customer_list
    rows = c.assign(growth_shown=[_growth_cell(g, n) for g, n in zip(c["growth"],
                                                                     c["new_customer"])])
    b.sheet("客户一览表", "交易往来客户一览表", [
        Column("统一社会信用代码", "customer_uscc"), Column("客户名称", "customer_name"),
        Column("所在省份", "province"), Column("机构类型", "org_type"),
        Column("合作关系", "relationship"), Column("服务单位", "serving"),
        Column("负责业务员", "salesperson"), Column("客户分类", "customer_class"),
        Column("资信等级", "grade"), Column("本期净销售额(元)", "net_sales", "money", "sum"),
        Column("同比增长率", "growth_shown", "rate"),
    ], rows, note=_growth_note(b.r))


def _growth_note(r: Consolidation) -> str | None:
    if r.growth_known:
        return None
    return (f"上年同期（{r.window.year_earlier().label_zh}）有月份台账中无报送数据，"
            "同比增长率无法计算，本期不列潜力客户")


def _sales_sheet(b: _Book) -> ReportSheet:
    return b.sheet("销售汇总", "客户销售汇总表", [
        Column("填报单位", "subsidiary"), Column("客户分类", "customer_class"),
        Column("发货金额(元)", "shipped", "money", "sum"),
        Column("退货金额(元)", "returned", "money", "sum"),
        Column("净销售额(元)", "net_sales", "money", "sum"),
        Column("回款金额(元)", "collected", "money", "sum"),
        Column("回款率", "collection_rate", "rate", "ratio:collected:net_sales"),
        Column("期末应收余额(元)", "receivable", "money", "sum"),
        Column("上年同期净销售额(元)", "previous_net_sales", "money", "sum"),
        Column("同比增长率", "growth", "rate"),
    ], b.r.sales_summary, note=_growth_note(b.r))


def _region_sheet(b: _Book) -> None:
    b.sheet("区域分析", "客户区域分析表", [
        Column("所在省份", "province"), Column("客户数", "customers", "int", "sum"),
        Column("净销售额(元)", "net_sales", "money", "sum"),
        Column("回款金额(元)", "collected", "money", "sum"),
        Column("回款率", "collection_rate", "rate", "ratio:collected:net_sales"),
    ], b.r.regions)


def _salespeople_sheet(b: _Book) -> None:
    rows = b.r.salespeople
    b.sheet("业务员分析", "业务员销售分析表", [
        Column("填报单位", "subsidiary"), Column("业务员", "salesperson"),
        Column("客户数", "customers", "int", "sum"),
        Column("净销售额(元)", "net_sales", "money", "sum"),
        Column("回款金额(元)", "collected", "money", "sum"),
        Column("回款率", "collection_rate", "rate", "ratio:collected:net_sales"),
        Column("超限发货笔数", "over_limit", "int", "sum"),
    ], rows)


def _class_sheet(b: _Book) -> None:
    g = b.r.group_classes
    rows = g.assign(previous_class=g["previous_class"].fillna(""))
    sheet = b.sheet("客户分类", "客户价值分类表（ABC）", [
        Column("排名", "rank", "int"), Column("统一社会信用代码", "customer_uscc"),
        Column("客户名称", "customer_name"),
        Column("近12个月净销售额(元)", "value", "money", "sum"),
        Column("累计占比", "cumulative_share", "share"),
        Column("客户分类", "customer_class"), Column("上期分类", "previous_class"),
        Column("分类变化", "class_change"),
    ], rows)
    positive = int((g["cumulative_share"].notna()).sum())
    if positive:
        _pareto_chart(b.book, sheet, positive)


def _pareto_chart(book: Workbook, sheet: ReportSheet, n: int) -> None:
    last = sheet.first_row + n - 1
    name = sheet.name
    chart = book.add_chart({"type": "column"})
    chart.add_series({
        "name": "近12个月净销售额(元)",
        "categories": [name, sheet.first_row, sheet.col("customer_name"), last,
                       sheet.col("customer_name")],
        "values": [name, sheet.first_row, sheet.col("value"), last, sheet.col("value")],
        "fill": {"color": "#4472C4"},
    })
    line = book.add_chart({"type": "line"})
    line.add_series({
        "name": "累计占比",
        "categories": [name, sheet.first_row, sheet.col("customer_name"), last,
                       sheet.col("customer_name")],
        "values": [name, sheet.first_row, sheet.col("cumulative_share"), last,
                   sheet.col("cumulative_share")],
        "y2_axis": True, "line": {"color": "#C00000"},
    })
    chart.combine(line)
    chart.set_title({"name": "客户价值帕累托图"})
    chart.set_y_axis({"name": "元", "num_format": "#,##0"})
    line.set_y2_axis({"name": "累计占比", "num_format": "0%", "max": 1})
    chart.set_x_axis({"num_font": {"rotation": -45}})
    chart.set_size({"width": 900, "height": 420})
    chart.set_legend({"position": "bottom"})
    sheet.worksheet.insert_chart(sheet.header_row, len(sheet.columns) + 1, chart)


def _growth_sheet(b: _Book) -> None:
    g = b.r.growth
    rows = _shown(g)
    note = _growth_note(b.r)
    sheet = b.sheet("增长排名", "客户销售同比增长排名表", [
        Column("排名", "rank", "int"), Column("统一社会信用代码", "customer_uscc"),
        Column("客户名称", "customer_name"), Column("客户分类", "customer_class"),
        Column("本期净销售额(元)", "net_sales", "money", "sum"),
        Column("上年同期净销售额(元)", "previous_net_sales", "money", "sum"),
        Column("同比增长率", "growth_shown", "rate"),
        Column("潜力客户", "potential_shown"),
    ], rows, note=note)
    leaders = int(sum(1 for x in g["growth"] if x is not None))
    if leaders:
        n = min(leaders, 10)
        chart = b.book.add_chart({"type": "bar"})
        chart.add_series({
            "name": "同比增长率",
            "categories": [sheet.name, sheet.first_row, sheet.col("customer_name"),
                           sheet.first_row + n - 1, sheet.col("customer_name")],
            "values": [sheet.name, sheet.first_row, sheet.col("growth_shown"),
                       sheet.first_row + n - 1, sheet.col("growth_shown")],
            "fill": {"color": "#70AD47"},
        })
        chart.set_title({"name": f"增长最快的 {n} 个客户"})
        chart.set_x_axis({"num_format": "0%"})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        chart.set_size({"width": 720, "height": 400})
        sheet.worksheet.insert_chart(sheet.header_row, len(sheet.columns) + 1, chart)


def _c_class_sheet(b: _Book) -> None:
    rows = _shown(b.r.c_class)
    b.sheet("C类客户分析", "C类客户综合分析报告", [
        Column("序号", "rank", "int"), Column("统一社会信用代码", "customer_uscc"),
        Column("客户名称", "customer_name"), Column("服务单位", "serving"),
        Column("潜力客户", "potential_shown"),
        Column("近12个月净销售额(元)", "value", "money", "sum"),
        Column("本期净销售额(元)", "net_sales", "money", "sum"),
        Column("上年同期净销售额(元)", "previous_net_sales", "money", "sum"),
        Column("同比增长率", "growth_shown", "rate"),
        Column("本期回款(元)", "collected", "money", "sum"),
        Column("回款率", "collection_rate", "rate", "ratio:collected:net_sales"),
        Column("期末应收余额(元)", "receivable", "money", "sum"),
    ], rows, note="潜力客户（同比增长≥30%且本期净销售额≥5万元）列前，应集中精力培育，使其早日升为B类")


def _credit_sheet(b: _Book) -> None:
    c = b.r.credit
    if not c.empty:
        c = c.assign(
            early=c["too_early"].map(lambda x: _yes(x) if isinstance(x, bool) else None),
            own=c["grade"], differs=c["grade_differs"].map(lambda x: "不一致" if x is True else None),
        )
    b.sheet("资信评估", "客户资信等级评估汇总表", [
        Column("填报单位", "subsidiary"), Column("统一社会信用代码", "customer_uscc"),
        Column("客户名称", "customer_name"), Column("评分", "score", "number"),
        Column("系统评定等级", "computed_grade"), Column("单位评定等级", "own"),
        Column("等级差异", "differs"),
        Column("建议资信额度(元)", "suggested_limit", "money", "sum"),
        Column("申请资信额度(元)", "requested_limit", "money", "sum"),
        Column("批准资信额度(元)", "approved_limit", "money", "sum"),
        Column("批复用时(天)", "approval_days", "int"), Column("审批状态", "approval_status"),
        Column("申请过早", "early"), Column("复评状态", "review"),
    ], c, quarterly=True, note="本季度的资信评估，以及应评估而未评估（未评估）或超过半年未复评（逾期未复评）的客户")


def _limit_warning_sheet(b: _Book) -> None:
    b.sheet("超限预警", "客户欠款超资信额度预警表", [
        Column("填报单位", "subsidiary"), Column("统一社会信用代码", "customer_uscc"),
        Column("客户名称", "customer_name"), Column("执行资信额度(元)", "limit", "money", "sum"),
        Column("期末应收余额(元)", "closing", "money", "sum"),
        Column("超出金额(元)", "excess", "money", "sum"), Column("负责业务员", "salesperson"),
        Column("类型", "kind"),
    ], b.r.limit_warnings,
        note=f"截至 {b.r.end}：欠款超过执行额度（超限）或无执行额度而有欠款（无额度）的客户，应调查原因并及时回款")


def _limit_shipment_sheet(b: _Book) -> None:
    rows = b.r.limit_shipments
    if details.too_long(b.r, rows):
        b.sheet("超限发货", "超资信额度发货汇总表", [
            Column("填报单位", "subsidiary"), Column("业务员", "salesperson"), Column("类型", "kind"),
            Column("笔数", "count", "int", "sum"),
            Column("发货金额(元)", "amount", "money", "sum"),
            Column("最大超出金额(元)", "largest_excess", "money"),
            Column("明细工作簿", "workbook"),
        ], details.shipments_by_salesperson(b.r), note=details.moved_note(b.r, "超限发货", len(rows)))
        return
    b.sheet("超限发货", "超资信额度发货明细表", details.SHIPMENT_COLUMNS, rows, note=details.SHIPMENT_NOTE)


def _exposure_sheet(b: _Book) -> None:
    e = b.r.exposure
    rows = e.assign(differ=e["grades_differ"].map(_yes)) if not e.empty else e
    b.sheet("集团敞口", "集团客户风险敞口表", [
        Column("统一社会信用代码", "customer_uscc"), Column("客户名称", "customer_name"),
        Column("服务单位数", "subsidiaries", "int"),
        Column("应收余额合计(元)", "closing", "money", "sum"),
        Column("执行额度合计(元)", "limit", "money", "sum"), Column("等级不一致", "differ"),
    ], rows, note="由两家以上单位服务的客户：各单位期末应收余额与执行额度之和（无额度按0计），及各单位评定等级是否一致")


def _opening_sheet(b: _Book) -> None:
    b.sheet("期初余额核对", "期初应收余额核对表", [
        Column("填报单位", "subsidiary"), Column("统一社会信用代码", "customer_uscc"),
        Column("客户名称", "customer_name"), Column("台账结转上期期末余额(元)", "carried", "money", "sum"),
        Column("本期填报期初余额(元)", "stated", "money", "sum"),
        Column("差额(元)", "difference", "money", "sum"),
    ], b.r.opening_differences,
        note="期初余额以台账结转的上期期末余额为准；与填报数相差超过 0.01 元的列于此，请核实")


def _visit_sheet(b: _Book) -> None:
    v = b.r.visits
    b.sheet("拜访分析", "客户拜访情况分析表", [
        Column("填报单位", "subsidiary"), Column("统一社会信用代码", "customer_uscc"),
        Column("客户名称", "customer_name"), Column("客户分类", "customer_class"),
        Column("资信等级", "grade"), Column("要求间隔(天)", "interval", "int"),
        Column("最近拜访日期", "last_visit", "date"), Column("距今天数", "days_since", "int"),
        Column("状态", "status"), Column("本期拜访次数", "visits", "int", "sum"),
        Column("领导拜访", "leader_visit"),
    ], v, quarterly=True,
        note="客户分类为本单位分类；A类客户须有公司领导、B类须有销售主管或公司领导在半年内拜访")


def _complaint_sheet(b: _Book) -> None:
    b.sheet("客户投诉", "客户投诉汇总表", [
        Column("填报单位", "subsidiary"), Column("客户分类", "customer_class"),
        Column("统一社会信用代码", "customer_uscc"), Column("客户名称", "customer_name"),
        Column("拜访日期", "date", "date"), Column("拜访人", "visitor"),
        Column("客户投诉", "complaint"), Column("跟进措施", "follow_up"),
    ], b.r.complaints, quarterly=True, totals=False, note="A类客户的抱怨和投诉应优先处理")


def _changes_sheet(b: _Book) -> None:
    b.sheet("档案变动", "客户档案变动表", [
        Column("变动类型", "change"), Column("填报单位", "subsidiary"),
        Column("统一社会信用代码", "customer_uscc"), Column("客户名称", "customer_name"),
        Column("字段", "field"), Column("原值", "old"), Column("新值", "new"),
    ], b.r.changes, totals=False)


def _detail_sheet(b: _Book) -> None:
    d = b.r.detail
    if details.too_long(b.r, d):
        b.sheet("销售明细", "本期销售汇总（按业务员）", [
            Column("填报单位", "subsidiary"), Column("业务员", "salesperson"),
            Column("笔数", "count", "int", "sum"),
            Column("发货金额(元)", "shipped", "money", "sum"),
            Column("退货金额(元)", "returned", "money", "sum"),
            Column("回款金额(元)", "collected", "money", "sum"),
            Column("明细工作簿", "workbook"),
        ], details.detail_by_salesperson(b.r), note=details.moved_note(b.r, "销售明细", len(d)))
        return
    details.write_detail_sheets(b.book, d, title=b.sheet_title("本期销售明细（追溯）"),
                                unit_line=b.unit_line, compiled_on=b.r.compiled_at.date())


def _audit_sheet(b: _Book) -> None:
    r = b.r
    inputs = r.inputs.copy()
    if not inputs.empty:
        inputs["sheet_rows"] = inputs["sheets"].map(_sheet_rows_text)
    note = (f"运行编号 {r.run_id}；xlcrm {__version__}；配置 SHA-256 {r.config.digest or '（内置默认）'}；"
            f"操作人 {r.operator}；时间 {r.compiled_at:%Y-%m-%d %H:%M:%S}")
    b.sheet(AUDIT_SHEET, "汇总输入文件审计追溯表", [
        Column("文件", "file"), Column("SHA-256", "sha256"),
        Column("大小(字节)", "size", "int"), Column("填报单位", "subsidiary"),
        Column("报送期间", "period"), Column("填报日期", "report_date", "date"),
        Column("工作表及行数", "sheet_rows"), Column("状态", "status"),
        Column("错误数", "errors", "int"), Column("警告数", "warnings", "int"),
    ], inputs, note=note, totals=False)


def _sheet_rows_text(sheets: str) -> str:
    data = json.loads(sheets) if sheets else {}
    return "；".join(f"{k} {v} 行" if isinstance(v, int) else f"{k} {v}" for k, v in data.items())


def _subsidiary_chart(book: Workbook, sales: ReportSheet, r: Consolidation) -> None:
    """Net sales by subsidiary, on the 销售汇总 sheet. The chart's data sit in a
    hidden sheet so that the report sheet holds only its own table."""
    by = r.subsidiary_sales
    if by.empty:
        return
    data = book.add_worksheet(CHART_DATA_SHEET)
    data.hide()
    f = Formats.of(book)
    write_text(data, 0, 0, "填报单位", f.header)
    write_text(data, 0, 1, "净销售额(元)", f.header)
    for i, (name, net) in enumerate(zip(by["subsidiary"], by["net_sales"]), start=1):
        write_text(data, i, 0, str(name), f.text)
        data.write_number(i, 1, int(net) / 100, f.money)
    chart = book.add_chart({"type": "column"})
    chart.add_series({
        "name": "净销售额(元)",
        "categories": [CHART_DATA_SHEET, 1, 0, len(by), 0],
        "values": [CHART_DATA_SHEET, 1, 1, len(by), 1],
        "data_labels": {"value": True, "num_format": "#,##0"},
    })
    chart.set_title({"name": "各单位本期净销售额"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"num_format": "#,##0"})
    chart.set_size({"width": 640, "height": 360})
    sales.worksheet.insert_chart(sales.header_row, len(sales.columns) + 1, chart)
