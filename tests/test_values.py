"""The value forms of spec/submission.md ("Value forms accepted everywhere"), one table each.

Each case is the cell text as the reader gives it (a number cell arrives as
its shortest digits, a date cell as `2026-03-05 00:00:00`) and the normalised
value, or the rule the cell breaks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlcrm import values as V
from xlcrm.codes import USCC_ALPHABET, is_valid_uscc, make_uscc, org_check_char
from xlcrm.periods import Period, parse_period
from xlcrm.schema import CLASS_ALIASES, CREDIT, CUSTOMERS, PROVINCES, SALES, STAFF, VISITS, Field


def one(parser: Any, text: str | None, *args: Any) -> tuple[Any, Any]:
    """(normalised value, rule) of one cell; None for NA."""
    parsed = parser(pd.Series([text], dtype="string"), *args)
    value, error = parsed.values.iloc[0], parsed.rules.iloc[0]
    return (None if pd.isna(value) else value), (None if pd.isna(error) else error)


# ------------------------------------------------------------ text

@pytest.mark.parametrize(("text", "expected"), [
    ("客户甲", "客户甲"),
    ("  客户甲 ", "客户甲"),
    ("\u3000客户甲\u3000", "客户甲"),
    ("\u00a0客户甲\u00a0", "客户甲"),
    ("300007", "300007"),  # a whole-number cell reads as its digits
    ("ＡＢＣ公司", "ＡＢＣ公司"),  # the original kept for display
    ("   ", None),
    ("\u3000", None),
    (None, None),
])
def test_text(text: str | None, expected: str | None) -> None:
    assert one(V.parse_text, text) == (expected, None)


@pytest.mark.parametrize(("text", "key"), [
    ("ＡＢＣ公司", "ABC公司"),
    (" 客户（甲）\u3000", "客户(甲)"),
    ("\u3000", None),
])
def test_match_key_is_nfkc_and_trimmed(text: str, key: str | None) -> None:
    got = V.match_key(pd.Series([text], dtype="string")).iloc[0]
    assert (None if pd.isna(got) else got) == key


# ------------------------------------------------------------ amount, decimal, integer

@pytest.mark.parametrize(("text", "fen"), [
    ("1234.5", 123450),  # a number cell
    ("1,234.50", 123450),
    ("１，２３４元", 123400),
    ("-1,234.50", -123450),
    ("1 234.50", 123450),
    ("\u30001,234.50\u3000", 123450),
    ("1234.50元", 123450),
    ("1,234,567.89", 123456789),
    ("0", 0),
    ("0.1", 10),
    (".5", 50),
    ("12.", 1200),
    ("1234.505", 123451),  # rounded half up to the fen
    ("1234.504", 123450),
    ("-0.005", -1),
    ("100000000000000", 10000000000000000),
    ("0.30000000000000004", 30),
])
def test_amount(text: str, fen: int) -> None:
    assert one(V.parse_amount, text) == (fen, None)


@pytest.mark.parametrize("text", [
    "abc", "1.2.3", "元", "-", "--5", "5-", "1,234.50元元", "一千", "1e3", "12元5", "$12",
    "100000000000000000",
])
def test_bad_amount(text: str) -> None:
    assert one(V.parse_amount, text) == (None, "bad_number")


@pytest.mark.parametrize(("text", "micro"), [
    ("10", 10_000_000),
    ("1.2345678", 1_234_568),
    ("0.000001", 1),
    ("1,000", 1_000_000_000),
    ("-2.5", -2_500_000),
    ("１２．５", 12_500_000),
])
def test_decimal(text: str, micro: int) -> None:
    assert one(V.parse_decimal, text) == (micro, None)


@pytest.mark.parametrize("text", ["12元", "十", "1/2"])
def test_bad_decimal(text: str) -> None:
    assert one(V.parse_decimal, text) == (None, "bad_number")


@pytest.mark.parametrize(("text", "expected"), [
    ("30", (30, None)),
    ("30.0", (30, None)),
    ("1,000", (1000, None)),
    ("３０", (30, None)),
    ("-3", (-3, None)),
    (" 7 ", (7, None)),
    ("30.5", (None, "bad_number")),
    ("0.1", (None, "bad_number")),
    ("30天", (None, "bad_number")),
    ("三十", (None, "bad_number")),
    (None, (None, None)),
])
def test_integer(text: str | None, expected: tuple[Any, Any]) -> None:
    assert one(V.parse_integer, text) == expected


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_amount_with_thousands_separators_round_trips(fen: int) -> None:
    text = V.fen_to_yuan(fen)  # e.g. -1,234.50
    assert one(V.parse_amount, text) == (fen, None)
    assert one(V.parse_amount, text.replace(",", "，") + "元") == (fen, None)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_amount_of_plain_decimal_text(value: Any) -> None:
    assert one(V.parse_amount, str(value)) == (int(value * 100), None)


# ------------------------------------------------------------ percent

@pytest.mark.parametrize(("text", "expected"), [
    ("0.95", (950_000, None)),  # Excel's % format stores a fraction
    ("95", (950_000, None)),
    ("95%", (950_000, None)),
    ("９５％", (950_000, None)),
    ("95 %", (950_000, None)),
    ("0", (0, None)),
    ("0%", (0, None)),
    ("1", (1_000_000, None)),  # 0..1 is a fraction: 1 is 100%
    ("1.5", (15_000, None)),  # (1, 100] is a percent
    ("100", (1_000_000, None)),
    ("100%", (1_000_000, None)),
    ("0.5%", (5_000, None)),
    ("100.5", (None, "out_of_range")),
    ("101", (None, "out_of_range")),
    ("150%", (None, "out_of_range")),
    ("-0.1", (None, "out_of_range")),
    ("-5%", (None, "out_of_range")),
    ("高", (None, "bad_number")),
    ("95%%", (None, "bad_number")),
    (None, (None, None)),
])
def test_percent(text: str | None, expected: tuple[Any, Any]) -> None:
    assert one(V.parse_percent, text) == expected


# ------------------------------------------------------------ date

MARCH_5 = pd.Timestamp("2026-03-05")


@pytest.mark.parametrize("text", [
    "2026-03-05 00:00:00",  # a date cell (.xlsx, .xls)
    "2026-03-05 14:30:00",  # a time of day is dropped
    "2026-03-05T00:00:00",  # a date cell in .ods
    "2026-03-05",
    "2026/3/5",
    "2026/03/05",
    "2026.3.5",
    "2026年3月5日",
    "2026 年 3 月 5 日",
    "20260305",
    "46086",  # Excel serial number
    "46086.75",
    "２０２６－０３－０５",
    " 2026-3-5 ",
])
def test_date_forms(text: str) -> None:
    assert one(V.parse_date, text) == (MARCH_5, None)


@pytest.mark.parametrize("text", [
    "2026-02-30", "2026-13-01", "2026/0/5", "20261345", "2026年3月", "2026-03", "abc",
    "昨天", "3/5/2026", "05.03.2026", "2026", "0", "-46086", "2026-03-05 25:00:00x",
])
def test_bad_dates(text: str) -> None:
    assert one(V.parse_date, text) == (None, "bad_date")


def test_serial_numbers_read_as_excel_counts_them() -> None:
    parsed = V.parse_date(pd.Series(["25569", "45658", "10000"], dtype="string"))
    assert parsed.values.tolist() == [
        pd.Timestamp("1970-01-01"), pd.Timestamp("2025-01-01"), pd.Timestamp("1927-05-18")]


@given(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2199, 12, 31)))
def test_every_date_text_form_reads_the_same_date(day: dt.date) -> None:
    forms = [
        f"{day:%Y-%m-%d} 00:00:00", f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}", f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y%m%d}", str((day - dt.date(1899, 12, 30)).days),
    ]
    parsed = V.parse_date(pd.Series(forms, dtype="string"))
    assert parsed.rules.isna().all()
    assert {V.to_date(v) for v in parsed.values} == {day}


# ------------------------------------------------------------ period

@pytest.mark.parametrize(("text", "period"), [
    ("2026Q1", Period.quarter(2026, 1)),
    ("2026-Q1", Period.quarter(2026, 1)),
    ("2026q4", Period.quarter(2026, 4)),
    ("2026 Q2", Period.quarter(2026, 2)),
    ("2026年第1季度", Period.quarter(2026, 1)),
    ("2026年第一季度", Period.quarter(2026, 1)),
    ("2026年一季度", Period.quarter(2026, 1)),
    ("2026年三季度", Period.quarter(2026, 3)),
    ("2026年第4季", Period.quarter(2026, 4)),
    ("２０２６Ｑ１", Period.quarter(2026, 1)),
    ("2026-03", Period.month(2026, 3)),
    ("2026-3", Period.month(2026, 3)),
    ("2026年3月", Period.month(2026, 3)),
    ("2026年03月", Period.month(2026, 3)),
    ("2026/03", Period.month(2026, 3)),
    ("202603", Period.month(2026, 3)),  # also a number cell
    ("2026-03-31 00:00:00", Period.month(2026, 3)),  # a date cell: its month
    ("2026-03-01T00:00:00", Period.month(2026, 3)),  # a date cell in .ods
    ("2026-12-05", Period.month(2026, 12)),
])
def test_periods(text: str, period: Period) -> None:
    assert parse_period(text) == period


@pytest.mark.parametrize("text", [
    "2026Q5", "2026Q0", "2026-13", "202613", "2026", "Q1", "20261", "2026年", "2026年第五季度",
    "三月", "", "2026-02-30x",
])
def test_bad_periods(text: str) -> None:
    assert parse_period(text) is None


@pytest.mark.parametrize(("period", "start", "end", "text"), [
    (Period.quarter(2026, 1), dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2026Q1"),
    (Period.month(2024, 2), dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024-02"),
    (Period.month(2026, 12), dt.date(2026, 12, 1), dt.date(2026, 12, 31), "2026-12"),
])
def test_period_bounds(period: Period, start: dt.date, end: dt.date, text: str) -> None:
    assert (period.start, period.end, str(period)) == (start, end, text)


# ------------------------------------------------------------ enums

def enum_cases(f: Field, cases: list[tuple[str, str | None]]) -> list[Any]:
    return [pytest.param(f, text, label, id=f"{f.label}-{text}") for text, label in cases]


ENUM_CASES = [
    *enum_cases(CREDIT.field("grade"), [
        ("一级", "一级"), ("1", "一级"), ("1级", "一级"), ("一", "一级"), ("１", "一级"),
        ("二级", "二级"), ("2", "二级"), ("2级", "二级"), ("二", "二级"),
        ("三级", "三级"), ("3", "三级"), ("3级", "三级"), ("三", "三级"),
        ("四级", None), ("4", None), ("1.5", None), ("A", None),
    ]),
    *enum_cases(CUSTOMERS.field("suggested_class"), [
        ("A", "A"), ("A类", "A"), ("a", "A"), ("重要客户", "A"), ("Ａ", "A"),
        ("B", "B"), ("B类", "B"), ("b", "B"), ("主要客户", "B"),
        ("C", "C"), ("C类", "C"), ("c", "C"), ("普通客户", "C"), (" C类\u3000", "C"),
        ("D", None), ("一般客户", None),
    ]),
    *enum_cases(CUSTOMERS.field("province"), [
        ("广东", "广东省"), ("广东省", "广东省"), ("内蒙古", "内蒙古自治区"),
        ("内蒙古自治区", "内蒙古自治区"), ("香港", "香港特别行政区"),
        ("香港特别行政区", "香港特别行政区"), ("北京", "北京市"), ("北京市", "北京市"),
        ("新疆", "新疆维吾尔自治区"), ("广西", "广西壮族自治区"), ("台湾", "台湾省"),
        ("\u3000上海\u3000", "上海市"), ("广东的", None), ("火星", None), ("广", None),
    ]),
    *enum_cases(CUSTOMERS.field("org_type"), [
        ("民营企业", "民营企业"), (" 国有企业 ", "国有企业"), ("私营企业", None),
    ]),
    *enum_cases(SALES.field("type"), [
        ("发货", "发货"), ("销售", "发货"), ("退货", "退货"), ("回款", "回款"),
        ("收款", "回款"), ("赠送", None),
    ]),
    *enum_cases(STAFF.field("position"), [("业务员", "业务员"), ("厨师", None)]),
    *enum_cases(VISITS.field("method"), [("电话", "电话"), ("微信", None)]),
]


@pytest.mark.parametrize(("f", "text", "label"), ENUM_CASES)
def test_enum(f: Field, text: str, label: str | None) -> None:
    assert one(V.parse_enum, text, f) == (label, None if label else "bad_enum")


@pytest.mark.parametrize(("full", "short"), list(PROVINCES.items()))
def test_all_34_provinces_by_short_and_full_name(full: str, short: str) -> None:
    f = CUSTOMERS.field("province")
    assert one(V.parse_enum, short, f) == (full, None)
    assert one(V.parse_enum, full, f) == (full, None)


def test_there_are_34_provinces_and_the_class_aliases_of_the_spec() -> None:
    assert len(PROVINCES) == 34
    assert CLASS_ALIASES == {
        "A类": "A", "a": "A", "重要客户": "A", "B类": "B", "b": "B", "主要客户": "B",
        "C类": "C", "c": "C", "普通客户": "C"}


@pytest.mark.parametrize(("text", "expected"), [
    ("产品销售", ("产品销售", None)),
    ("产品销售、客情建设", ("产品销售、客情建设", None)),
    ("产品销售,客情建设", ("产品销售、客情建设", None)),
    ("产品销售，客情建设；信息收集", ("产品销售、客情建设、信息收集", None)),
    ("产品销售; 客户指导 / 市场维护", ("产品销售、市场维护、客户指导", None)),  # listed order
    ("客情建设、产品销售", ("产品销售、客情建设", None)),
    ("产品销售、产品销售", ("产品销售", None)),
    ("产品销售、", ("产品销售", None)),
    ("产品销售、吃饭", (None, "bad_enum")),
    ("产品销售 客情建设", (None, "bad_enum")),
    ("、", (None, "bad_enum")),
    (None, (None, None)),
])
def test_visit_purposes(text: str | None, expected: tuple[Any, Any]) -> None:
    assert one(V.parse_multi_enum, text, VISITS.field("purpose")) == expected


# ------------------------------------------------------------ USCC and org code

VALID = make_uscc("91110000", "10000001")


@pytest.mark.parametrize(("text", "code"), [
    (VALID, VALID),
    (VALID.lower(), VALID),
    (f" {VALID[:6]} {VALID[6:12]} {VALID[12:]} ", VALID),
    (f"{VALID[:8]}-{VALID[8:16]}-{VALID[16:]}", VALID),
    ("".join(chr(ord(c) + 0xFEE0) for c in VALID), VALID),  # full-width
    ("91350100M000100Y43", "91350100M000100Y43"),  # a real code with letters
    (make_uscc("Y1110000", "10000001"), make_uscc("Y1110000", "10000001")),
    (make_uscc("A1110000", "10000001"), make_uscc("A1110000", "10000001")),
    (make_uscc("N2110000", "10000001"), make_uscc("N2110000", "10000001")),
    (make_uscc("12100000", "MA2AB56C"), make_uscc("12100000", "MA2AB56C")),
])
def test_uscc(text: str, code: str) -> None:
    assert one(V.parse_uscc, text) == (code, None)


@pytest.mark.parametrize(("text", "reason"), [
    ("91110000600037341X", "校验位错误"),
    (VALID[:17], "应为18位数字或大写字母"),
    (VALID + "0", "应为18位数字或大写字母"),
    (VALID[:-1] + "#", "应为18位数字或大写字母"),
    ("I" + VALID[1:], "含有不允许的字符（I、O、S、V、Z）"),
    ("9111000010000001XO", "含有不允许的字符（I、O、S、V、Z）"),
])
def test_bad_uscc(text: str, reason: str) -> None:
    parsed = V.parse_uscc(pd.Series([text], dtype="string"))
    assert parsed.rules.tolist() == ["bad_uscc"]
    assert parsed.detail is not None and parsed.detail.tolist() == [reason]


def test_a_uscc_with_a_bad_embedded_org_code_fails() -> None:
    org = "10000001" + ("0" if org_check_char("10000001") != "0" else "1")
    body = "91110000" + org
    from xlcrm.codes import uscc_check_char

    code = body + (uscc_check_char(body) or "")
    parsed = V.parse_uscc(pd.Series([code], dtype="string"))
    assert parsed.rules.tolist() == ["bad_uscc"]
    assert parsed.detail is not None
    assert parsed.detail.tolist() == ["第9-17位组织机构代码校验位错误"]


_ORG_BODY = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)


@given(st.sampled_from("9Y15ANG"), st.sampled_from("123459"), st.from_regex(r"[0-9]{6}",
       fullmatch=True), _ORG_BODY)
def test_a_generated_uscc_always_passes(
    authority: str, kind: str, area: str, org_body: str,
) -> None:
    code = make_uscc(authority + kind + area, org_body)
    assert is_valid_uscc(code)
    assert one(V.parse_uscc, code) == (code, None)


@given(_ORG_BODY, st.sampled_from(USCC_ALPHABET))
def test_changing_the_check_character_always_fails(org_body: str, other: str) -> None:
    code = make_uscc("91110000", org_body)
    if other == code[-1]:
        return
    assert one(V.parse_uscc, code[:-1] + other) == (None, "bad_uscc")


LETTERS_ORG = "MA2AB56C" + (org_check_char("MA2AB56C") or "")
X_ORG = next(b + "X" for n in range(10_000_000, 10_000_100)
             if org_check_char(b := str(n)) == "X")


@pytest.mark.parametrize(("text", "code"), [
    ("123456788", "123456788"),
    ("12345678-8", "123456788"),
    (" 1234 5678-8 ", "123456788"),
    ("１２３４５６７８－８", "123456788"),
    (f"{LETTERS_ORG[:8].lower()}-{LETTERS_ORG[8].lower()}", LETTERS_ORG),
    (X_ORG[:8] + "-x", X_ORG),
])
def test_org_code(text: str, code: str) -> None:
    assert one(V.parse_org_code, text) == (code, None)


@pytest.mark.parametrize("text", ["12345678-9", "12345678", "1234567890", "1234567#8", "abc"])
def test_bad_org_code(text: str) -> None:
    assert one(V.parse_org_code, text) == (None, "bad_org_code")


# ------------------------------------------------------------ phone

@pytest.mark.parametrize("text", [
    "13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000",
    "8613800138000", "86-13800138000", "0086 13800138000", "19912345678",
    "020-12345678", "0755-1234567", "(020)12345678", "（０２０）１２３４５６７８",
    "010 8888 6666", "020-12345678-801", "020-12345678转801", "020-12345678 ext801",
    "020-12345678EXT801", "+86-20-12345678", "+86 10 8888 6666", "+86 020 12345678",
    "400-800-1234", "4008001234", "800-123-4567",
])
def test_phone_forms(text: str) -> None:
    assert one(V.parse_phone, text) == (text.strip(), None)


@pytest.mark.parametrize("text", [
    "12345", "1380013800", "138001380001", "12800138000", "12345678", "020-123456",
    "020-12345678-12345678", "500-800-1234", "电话", "86-20-12345678x",
])
def test_bad_phones_are_kept_with_a_warning(text: str) -> None:
    assert one(V.parse_phone, text) == (text, "bad_phone")


# ------------------------------------------------------------ dispatch

@pytest.mark.parametrize(("key", "text", "expected"), [
    ("credit_days", "30", 30),
    ("opening_balance", "-1,234.50", -123450),
    ("founded", "2010/5/1", pd.Timestamp("2010-05-01")),
    ("province", "广东", "广东省"),
    ("uscc", VALID.lower(), VALID),
    ("org_code", VALID[8:16] + "-" + VALID[16], VALID[8:17]),
    ("phone", "13800138000", "13800138000"),
    ("customer_name", " 客户甲 ", "客户甲"),
])
def test_parse_dispatches_on_the_field_kind(key: str, text: str, expected: Any) -> None:
    assert one(V.parse, text, CUSTOMERS.field(key)) == (expected, None)


def test_a_column_keeps_its_index_and_blank_cells() -> None:
    raw = pd.Series(["1,234.50", None, "abc", " "], index=[5, 7, 9, 12], dtype="string")
    parsed = V.parse_amount(raw)
    assert parsed.values.index.tolist() == [5, 7, 9, 12]
    assert parsed.values.tolist() == [123450, pd.NA, pd.NA, pd.NA]
    assert parsed.rules.tolist() == [None, None, "bad_number", None]


def test_parsers_accept_an_empty_column() -> None:
    empty = pd.Series([], dtype="string")
    for f in (*CUSTOMERS.fields, *SALES.fields, *CREDIT.fields, *VISITS.fields):
        parsed = V.parse(empty, f)
        assert parsed.values.empty and parsed.rules.empty


def test_fen_to_yuan() -> None:
    assert [V.fen_to_yuan(x) for x in (0, 5, 123450, -123450, 100000000)] == [
        "0.00", "0.05", "1,234.50", "-1,234.50", "1,000,000.00"]


# ------------------------------------------------------------ 金额 against 数量×单价

def _exactly_off(q: int, p: int, a: int) -> bool:
    d = abs(q * p - a * 10**10)
    return d > 10**12 and d * 1000 > abs(a) * 10**10 * 5


@given(st.integers(0, 10**13), st.integers(-(10**12), 10**12).filter(bool)
       .flatmap(lambda p: st.tuples(st.just(p), st.integers(0, 10**13))))
def test_amount_off_is_exact_near_every_boundary(q: int, pq: tuple[int, int]) -> None:
    price, _ = pq
    amounts = [q * price // 10**10 + d for d in range(-120, 121, 7)]
    amounts += [q * price * 1005 // 10**13 + d for d in range(-2, 3)]
    amounts += [q * price * 995 // 10**13 + d for d in range(-2, 3)]
    quantity = np.full(len(amounts), q, dtype=np.int64)
    prices = np.full(len(amounts), price, dtype=np.int64)
    got = V.amount_off(quantity, prices, np.array(amounts, dtype=np.int64)).tolist()
    assert got == [_exactly_off(q, price, a) for a in amounts]


@pytest.mark.parametrize(("q", "p", "a", "off"), [
    (10_000_000, 100_000_000, 100_000, False),  # 10 × 100.00 = 1,000.00
    (10_000_000, 100_000_000, 100_500, False),  # off by 5.00, under 0.5% of 1,005.00
    (10_000_000, 100_000_000, 100_600, True),  # off by 6.00, over 0.5% of 1,006.00
    (200_000_000, 1_000_000, 20_100, False),  # off by 1.00: not more than 1 元
    (200_000_000, 1_000_000, 20_101, True),
    (1_000_000, 10_000_000, 1_100, False),  # 10.00 against 11.00: 1 元 is not more than 1 元
    (1_000_000, 10_000_000, 1_101, True),
    (999_999_999_999, 999_999_999_999, 99_999_999_999_800, False),  # beyond 64 bits
])
def test_amount_off_cases(q: int, p: int, a: int, off: bool) -> None:
    arrays = (np.array([x], dtype=np.int64) for x in (q, p, a))
    assert V.amount_off(*arrays).tolist() == [off]
    assert _exactly_off(q, p, a) == off
