"""The submission workbook of spec/submission.md, declared once.

Reading, validation, templates and feedback all take sheet names, header
labels, aliases, value kinds and rules from here; no label is typed twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    AMOUNT = "amount"  # 元, 2 places, held as integer fen
    DECIMAL = "decimal"  # up to 6 places, held as integer millionths
    INTEGER = "integer"
    PERCENT = "percent"  # a fraction 0..1
    DATE = "date"
    PERIOD = "period"
    ENUM = "enum"
    MULTI_ENUM = "multi_enum"  # one or more enum labels in one cell
    USCC = "uscc"
    ORG_CODE = "org_code"
    PHONE = "phone"


@dataclass(frozen=True)
class Field:
    key: str  # the column's name in code and in typed tables
    label: str  # the header the template writes
    kind: Kind
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # enum labels, in the order the drop-down shows
    choice_aliases: dict[str, str] = field(default_factory=dict)  # alias -> label
    minimum: int | None = None  # in the stored unit: fen for amounts
    maximum: int | None = None
    unique: bool = False
    note: str = ""  # the template's instruction for this column

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Sheet:
    name: str
    fields: tuple[Field, ...]
    article: str
    key_value: bool = False  # labels in column A, values in column B
    free_text: bool = False  # 市场分析: topic and text, no header checks
    quarter_end_only: bool = False

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


GRADES = ("一级", "二级", "三级")
GRADE_ALIASES = {
    "1": "一级", "1级": "一级", "一": "一级",
    "2": "二级", "2级": "二级", "二": "二级",
    "3": "三级", "3级": "三级", "三": "三级",
}
CLASSES = ("A", "B", "C")
CLASS_ALIASES = {
    "A类": "A", "a": "A", "重要客户": "A",
    "B类": "B", "b": "B", "主要客户": "B",
    "C类": "C", "c": "C", "普通客户": "C",
}
INDUSTRIES = ("化工", "医药", "其他")

# The 34 provincial-level divisions: full name -> short name.
PROVINCES = {
    "北京市": "北京", "天津市": "天津", "上海市": "上海", "重庆市": "重庆",
    "河北省": "河北", "山西省": "山西", "辽宁省": "辽宁", "吉林省": "吉林",
    "黑龙江省": "黑龙江", "江苏省": "江苏", "浙江省": "浙江", "安徽省": "安徽",
    "福建省": "福建", "江西省": "江西", "山东省": "山东", "河南省": "河南",
    "湖北省": "湖北", "湖南省": "湖南", "广东省": "广东", "海南省": "海南",
    "四川省": "四川", "贵州省": "贵州", "云南省": "云南", "陕西省": "陕西",
    "甘肃省": "甘肃", "青海省": "青海", "台湾省": "台湾",
    "内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏", "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港", "澳门特别行政区": "澳门",
}

VISIT_PURPOSES = ("产品销售", "市场维护", "客情建设", "信息收集", "客户指导")
TRANSACTION_TYPES = ("发货", "退货", "回款")
PAYMENT_TERMS = ("现款", "预付款", "月结", "承兑汇票", "赊销")


def _enum(
    key: str, label: str, choices: tuple[str, ...], required: bool = True,
    aliases: tuple[str, ...] = (), choice_aliases: dict[str, str] | None = None,
    note: str = "",
) -> Field:
    return Field(
        key, label, Kind.ENUM, required, aliases, choices,
        choice_aliases or {}, note=note,
    )


REPORTER = Sheet(
    "填报单位",
    (
        Field("subsidiary", "填报单位", Kind.TEXT, True, note="集团配置中的单位名称"),
        _enum("industry", "行业类型", INDUSTRIES),
        Field("period", "报送期间", Kind.PERIOD, True,
              note="化工、其他填季度，如 2026Q1；医药填月份，如 2026-03"),
        Field("reporter", "填报人", Kind.TEXT, True),
        Field("phone", "联系电话", Kind.PHONE),
        Field("report_date", "填报日期", Kind.DATE, True, note="不早于报送期间最后一天"),
        Field("department_head", "部门负责人", Kind.TEXT),
        Field("template_version", "模板版本", Kind.TEXT, note="由模板生成，请勿修改"),
    ),
    "第四条(二)、第八条",
    key_value=True,
)

STAFF = Sheet(
    "公司信息",
    (
        Field("name", "姓名", Kind.TEXT, True),
        Field("staff_no", "工号", Kind.TEXT, aliases=("员工编号",), unique=True),
        _enum("position", "职务",
              ("法定代表人", "总经理", "副总经理", "销售主管", "业务员", "档案管理员", "其他"),
              aliases=("岗位",)),
        Field("phone", "联系电话", Kind.PHONE, aliases=("电话",)),
        Field("region", "负责区域", Kind.TEXT, aliases=("区域",)),
    ),
    "第四条(二)、第六条",
)

CUSTOMERS = Sheet(
    "客户信息表",
    (
        Field("customer_no", "客户编号", Kind.TEXT, True, ("客户代码",), unique=True),
        Field("customer_name", "客户名称", Kind.TEXT, True, ("客户全称", "单位名称")),
        Field("uscc", "统一社会信用代码", Kind.USCC, True, ("信用代码", "社会信用代码"),
              unique=True, note="18位"),
        Field("org_code", "组织机构代码", Kind.ORG_CODE, note="9位，应为信用代码第9-17位"),
        Field("reg_no", "营业执照注册号", Kind.TEXT, aliases=("注册号",), note="15位数字"),
        Field("tax_no", "税务登记证号", Kind.TEXT, aliases=("税号",), note="15、18或20位"),
        Field("legal_rep", "法定代表人", Kind.TEXT, True, ("法人代表",)),
        Field("registered_capital", "注册资本(万元)", Kind.AMOUNT, aliases=("注册资本",),
              minimum=0),
        Field("founded", "成立日期", Kind.DATE, note="不晚于填报日期"),
        _enum("org_type", "机构类型",
              ("国有企业", "民营企业", "外资企业", "合资企业", "事业单位", "个体工商户", "其他"),
              aliases=("企业性质",)),
        Field("industry", "所属行业", Kind.TEXT, aliases=("行业",)),
        _enum("province", "所在省份", tuple(PROVINCES), aliases=("省份",),
              choice_aliases={short: full for full, short in PROVINCES.items()}),
        Field("city", "所在城市", Kind.TEXT, aliases=("城市",)),
        Field("address", "地址", Kind.TEXT, aliases=("详细地址",)),
        Field("contact", "联系人", Kind.TEXT, True),
        Field("phone", "联系电话", Kind.PHONE, True, ("电话",)),
        _enum("relationship", "合作关系", ("直销客户", "经销商", "代理商", "终端客户", "潜在客户"),
              aliases=("客户类型",)),
        _enum("stage", "客户阶段", ("潜在", "初步接触", "已签约", "日常维护")),
        Field("since", "合作起始日期", Kind.DATE, aliases=("合作日期",)),
        Field("salesperson", "负责业务员", Kind.TEXT, True, ("业务员",)),
        Field("archivist", "档案管理人", Kind.TEXT, True, ("档案负责人",)),
        _enum("payment_terms", "付款方式", PAYMENT_TERMS, aliases=("结算方式",)),
        Field("credit_days", "账期(天)", Kind.INTEGER, True, ("账期",), minimum=0, maximum=365),
        Field("opening_balance", "期初应收余额(元)", Kind.AMOUNT, aliases=("期初应收",),
              note="可为负数；空白表示未填"),
        _enum("suggested_class", "建议分类", CLASSES, required=False,
              choice_aliases=CLASS_ALIASES),
        Field("remarks", "备注", Kind.TEXT),
    ),
    "第四条(一)(三)、第六、七条",
)

SALES = Sheet(
    "销售数据表",
    (
        Field("date", "日期", Kind.DATE, True, ("业务日期", "单据日期"), note="在报送期间内"),
        Field("document_no", "单据号", Kind.TEXT, aliases=("单号",), unique=True),
        Field("customer_no", "客户编号", Kind.TEXT, True, ("客户代码",)),
        Field("customer_name", "客户名称", Kind.TEXT),
        _enum("type", "业务类型", TRANSACTION_TYPES, aliases=("类型",),
              choice_aliases={"销售": "发货", "收款": "回款"}),
        # Required for 发货 and 退货 only: checked in validate.
        Field("product", "产品名称", Kind.TEXT, aliases=("产品",), note="发货、退货必填"),
        Field("quantity", "数量", Kind.DECIMAL),
        Field("unit_price", "单价(元)", Kind.DECIMAL, aliases=("单价",)),
        Field("amount", "金额(元)", Kind.AMOUNT, True, ("金额",), minimum=1, note="大于0；退货、回款也填正数"),
        Field("salesperson", "业务员", Kind.TEXT, aliases=("经办人",), note="发货必填"),
    ),
    "第四条(四)",
)

CREDIT = Sheet(
    "资信评估表",
    (
        Field("customer_no", "客户编号", Kind.TEXT, True, ("客户代码",), unique=True),
        Field("annual_sales", "年销售规模(万元)", Kind.AMOUNT, True, ("年销售额(万元)",), minimum=0),
        Field("monthly_sales", "月均销售额(万元)", Kind.AMOUNT, True, ("月销售额(万元)",),
              minimum=0),
        Field("on_time_rate", "按期付款率", Kind.PERCENT, True, ("按期付款率(%)",)),
        Field("overdue_count", "逾期次数", Kind.INTEGER, True, minimum=0),
        _enum("grade", "评定资信等级", GRADES, aliases=("资信等级",),
              choice_aliases=GRADE_ALIASES),
        Field("requested_limit", "申请资信额度(元)", Kind.AMOUNT, True, ("申请额度",), minimum=0),
        Field("applied_on", "申请日期", Kind.DATE, True, note="季末月下旬（21日起）"),
        Field("approved_limit", "批准资信额度(元)", Kind.AMOUNT, aliases=("批准额度",), minimum=0,
              note="空白表示尚未批复"),
        Field("approver", "审批人", Kind.TEXT, note="已批复时必填"),
        Field("approved_on", "批复日期", Kind.DATE, note="已批复时必填，不早于申请日期"),
        Field("remarks", "备注", Kind.TEXT),
    ),
    "第十三至十六条",
    quarter_end_only=True,
)

VISITS = Sheet(
    "拜访记录",
    (
        Field("date", "拜访日期", Kind.DATE, True, ("日期",)),
        Field("customer_no", "客户编号", Kind.TEXT, True, ("客户代码",)),
        Field("visitor", "拜访人", Kind.TEXT, True),
        _enum("visitor_role", "拜访人职务", ("业务员", "销售主管", "公司领导"), aliases=("职务",)),
        _enum("method", "拜访方式", ("上门拜访", "电话", "视频", "展会", "其他"), aliases=("方式",)),
        Field("purpose", "拜访目的", Kind.MULTI_ENUM, True, ("目的",), VISIT_PURPOSES,
              note="可多选，用“、”分隔"),
        Field("content", "拜访内容", Kind.TEXT, aliases=("内容",)),
        Field("complaint", "客户投诉", Kind.TEXT, aliases=("投诉/问题",)),
        Field("follow_up", "跟进措施", Kind.TEXT),
    ),
    "第十、十七、十八条",
    quarter_end_only=True,
)

MARKET = Sheet(
    "市场分析",
    (
        Field("topic", "主题", Kind.TEXT),
        Field("analysis", "分析内容", Kind.TEXT),
    ),
    "第九、十条",
    free_text=True,
    quarter_end_only=True,
)

INSTRUCTIONS_SHEET = "填报说明"
DATA_SHEETS: tuple[Sheet, ...] = (STAFF, CUSTOMERS, SALES, CREDIT, VISITS, MARKET)
SHEETS: dict[str, Sheet] = {s.name: s for s in (REPORTER, *DATA_SHEETS)}
# The data sheets a period requires (missing_sheet); 公司信息 is optional.
ALWAYS_REQUIRED = (CUSTOMERS.name, SALES.name)
QUARTER_END_REQUIRED = (CREDIT.name, VISITS.name, MARKET.name)
# Reports that have a deadline (policy.md, Deadlines), in the order shown.
REPORTS = (CUSTOMERS.name, SALES.name, CREDIT.name, VISITS.name, MARKET.name)

TEMPLATE_VERSION = "1.0"
