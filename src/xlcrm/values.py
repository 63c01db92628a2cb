"""One normaliser per value kind of submission.md, over whole columns.

Every parser takes a column of cell text as the reader gives it (NA for a
blank cell) and returns a `Parsed`: the normalised values (NA where blank
or bad) and, per cell, the rule it breaks (its number in RULES, 0 where
fine). Money is held as integer fen, decimals as integer millionths,
percentages as millionths of one: exact, and summed and compared without
binary floating point.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .codes import USCC_ALPHABET
from .findings import ERROR_RULES, WARNING_RULES
from .schema import Field, Kind

NA = pd.NA
# Spaces trimmed and removed: ASCII whitespace, U+3000 (ideographic) and U+00A0.
# Written as the characters themselves, not \\s or \\u: with those pandas leaves
# pyarrow's RE2 for Python's re, cell by cell.
WS = "[ \t\n\r\f\v\u3000\u00a0]"
_SPACES = WS + "+"
_EXCEL_EPOCH = np.datetime64("1899-12-30")
_SERIAL_MIN, _SERIAL_MAX = 10_000, 2_958_466  # 1927-05-18 .. 9999-12-31


# The rule a cell breaks, as a number into RULES (0: none). A uint8 array costs a
# fraction of an array of strings to build, mask and scan, and the checks do that
# for every cell while only the few bad cells ever hold a rule.
RULES: tuple[str | None, ...] = (None, *ERROR_RULES, *WARNING_RULES)
RULE = {rule: np.uint8(i) for i, rule in enumerate(RULES) if rule is not None}
_RULE_NAMES = np.array(RULES, dtype=object)


@dataclass
class Parsed:
    values: pd.Series
    error: np.ndarray  # per cell, the number in RULES of the rule broken; 0 if fine or blank
    detail: pd.Series | None = None  # a reason per bad cell, for the message

    @property
    def rules(self) -> pd.Series:
        """The rule code broken per cell, None where fine or blank."""
        return pd.Series(_RULE_NAMES[self.error], index=self.values.index, dtype=object)


def arrow_of(text: pd.Series) -> pa.Array:
    """The Arrow array of a text column: pyarrow.compute costs a fraction of pandas' str
    methods per call, which matters on the many short columns of a workbook."""
    column = text.array
    if not isinstance(column, pd.arrays.ArrowStringArray):  # astype costs ~50 µs even when a no-op
        column = text.astype("string[pyarrow]").array
    arrow = pa.array(column)
    # An empty column comes as a ChunkedArray.
    return arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow


def _series(arrow: pa.Array, like: pd.Series) -> pd.Series:
    """Back to a pandas string column; an empty string is NA (a blank cell)."""
    empty = pc.equal(arrow, "")
    if pc.any(empty).as_py():
        arrow = pc.if_else(empty, pa.scalar(None, pa.string()), arrow)
    return pd.Series(pd.arrays.ArrowStringArray(arrow), index=like.index, name=like.name)


def clean_text(raw: pd.Series) -> pd.Series:
    """Surrounding spaces trimmed (U+3000 and U+00A0 too); blank cells and all-space cells NA."""
    return _series(pc.utf8_trim_whitespace(arrow_of(raw)), raw)


def match_key(text: pd.Series) -> pd.Series:
    """The NFKC form that values are compared by; NA for a blank or all-space cell."""
    # pyarrow normalises and trims in C++; pandas' str.normalize goes cell by cell.
    arrow = arrow_of(text)
    if len(text) < 64:
        return _series(pc.utf8_trim_whitespace(pc.utf8_normalize(arrow, form="NFKC")), text)
    if pc.all(pc.string_is_ascii(arrow)).as_py() is not False:
        # NFKC leaves ASCII as it is (codes, numbers, document numbers): only the trim.
        return _series(pc.utf8_trim_whitespace(arrow), text)
    # NFKC once per distinct text (names and places repeat down a column).
    encoded = arrow.dictionary_encode()
    distinct = pc.utf8_trim_whitespace(pc.utf8_normalize(encoded.dictionary, form="NFKC"))
    return _series(pc.take(distinct, encoded.indices), text)


def _compact(text: pd.Series) -> pd.Series:
    """NFKC with every space removed: the form numbers and codes are read in."""
    return match_key(text).str.replace(_SPACES, "", regex=True)


def _no_error(index: pd.Index) -> np.ndarray:
    return np.zeros(len(index), dtype=np.uint8)


def _errors_where(mask: pd.Series | np.ndarray, rule: str) -> np.ndarray:
    if isinstance(mask, pd.Series):
        mask = mask.fillna(False).to_numpy(dtype=bool)
    return mask.astype(np.uint8) * RULE[rule]


# `.5` and `5.` are numbers too; `+` and the minus sign U+2212 are accepted as signs.
# The minus sign is the character itself: Arrow's RE2 has no \u escape.
_NUMBER = "^(?P<sign>[-+\u2212])?(?P<int>[0-9]*)(?:[.](?P<frac>[0-9]*))?$"


def _scaled(text: pd.Series, places: int) -> tuple[pd.Series, pd.Series]:
    """Decimal text to an integer of 10**-places units, rounded half up.

    Returns the values and a mask of cells that are not numbers (or are too
    large for 64-bit integers, which no amount in a submission is). The digits
    are converted by numpy's string-to-integer cast: exact, no floating point.
    """
    present = text.notna().to_numpy(dtype=bool)
    if not present.any():  # also an empty column: numpy's string functions need values
        return pd.Series(NA, index=text.index, dtype="Int64"), pd.Series(present, text.index)
    # pandas has no Arrow str.extract (it goes cell by cell): Arrow's own, directly.
    parts = pc.extract_regex(arrow_of(text), _NUMBER)
    matched = pc.is_valid(parts).to_numpy(zero_copy_only=False).astype(bool) & present
    sign, whole, frac = (
        np.asarray(pc.fill_null(pc.struct_field(parts, [i]), "").to_numpy(zero_copy_only=False), dtype=str)
        for i in range(3)
    )
    whole_len, frac_len = np.strings.str_len(whole), np.strings.str_len(frac)
    ok = matched & (whole_len + frac_len > 0) & (whole_len <= 18 - places)
    whole = np.where(ok & (whole_len > 0), whole, "0")
    # The first places+1 fraction digits, zero-padded: the kept ones and the rounding one
    # (a cast to a shorter string type truncates).
    head = np.strings.ljust(np.where(ok, frac, ""), places + 1, "0")
    head_digits = head.astype(f"<U{places + 1}").astype(np.int64)
    magnitude = whole.astype(np.int64) * 10**places + head_digits // 10 + (head_digits % 10 >= 5)
    signed = np.where(np.isin(sign, ["-", "\u2212"]), -magnitude, magnitude)
    values = pd.array(signed, dtype="Int64")
    values[~ok] = pd.NA
    return pd.Series(values, index=text.index), pd.Series(present & ~ok, index=text.index)


def _plain_numbers(raw: pd.Series, places: int) -> tuple[np.ndarray, np.ndarray]:
    """The fast path for what most cells hold: the reader's plain decimal text (`1234.5`).

    With at most `places` decimals and 15 significant digits, value × 10**places is
    within 1e-6 of an integer in binary floating point, so rounding it gives the exact
    integer. Returns (mask of plain cells, their integers)."""
    digits = 15 - places
    # In Arrow: its string-to-double cast (correctly rounded) costs a fraction of
    # pd.to_numeric on text.
    text = arrow_of(raw)
    plain = pc.fill_null(pc.match_substring_regex(
        text, rf"^-?[0-9]{{1,{digits}}}(?:\.[0-9]{{1,{places}}})?$"), False)
    mask = plain.to_numpy(zero_copy_only=False)
    numbers = pc.cast(pc.if_else(plain, text, "0"), pa.float64()).to_numpy(zero_copy_only=False)
    scaled = np.round(numbers * 10**places).astype(np.int64)
    return mask, scaled


def parse_amount(raw: pd.Series, *, currency: bool = True, places: int = 2) -> Parsed:
    mask, scaled = _plain_numbers(raw, places)
    if mask.all():
        return Parsed(pd.Series(pd.array(scaled, dtype="Int64"), index=raw.index),
                      _no_error(raw.index))
    # Every other form (thousands separators, 元, full-width digits, more decimals)
    # goes through the exact text route.
    rest = raw[~mask & raw.notna().to_numpy(dtype=bool)]
    text = _compact(rest)
    if currency:
        text = text.str.removesuffix("元")
    text = text.str.replace(",", "", regex=False)
    slow, bad = _scaled(text, places)
    values = pd.Series(pd.array(scaled, dtype="Int64"), index=raw.index).where(mask)
    values.loc[slow.index] = slow
    return Parsed(values, _errors_where(bad.reindex(raw.index, fill_value=False), "bad_number"))


def parse_decimal(raw: pd.Series) -> Parsed:
    return parse_amount(raw, currency=False, places=6)


def parse_integer(raw: pd.Series) -> Parsed:
    """A number with no fraction: read as a decimal, then a fraction is bad_number."""
    decimal = parse_decimal(raw)
    micro = decimal.values
    fraction = (micro.notna() & (micro % 1_000_000 != 0)).fillna(False)
    values = (micro // 1_000_000).where(~fraction)
    bad = (decimal.error != 0) | fraction.to_numpy(dtype=bool)
    return Parsed(values.astype("Int64"), _errors_where(bad, "bad_number"))


def parse_percent(raw: pd.Series) -> Parsed:
    """A fraction 0..1 in millionths: 0.95, 95 and `95%` are all 950000."""
    text = _compact(raw)
    with_sign = text.str.endswith("%").fillna(False)
    micro, bad = _scaled(text.str.removesuffix("%"), 6)
    # A number in 0..1 is a fraction, in (1, 100] a percent; `95%` always a percent.
    as_percent = with_sign | (micro > 1_000_000)
    values = micro.where(~as_percent, micro // 100)
    out = ~bad & micro.notna() & ((values < 0) | (values > 1_000_000))
    outside = out.fillna(False).to_numpy(dtype=bool)
    error = np.where(outside, RULE["out_of_range"], _errors_where(bad, "bad_number"))
    return Parsed(values.where(~out.fillna(False)).astype("Int64"), error)


# The text forms, rewritten to ISO `y-m-d` (a time of day dropped) by Arrow's RE2.
_DATE_SEPARATED = (
    "^([0-9]{4})" + WS + "*[-/.年]" + WS + "*([0-9]{1,2})" + WS + "*[-/.月]" + WS + "*([0-9]{1,2})"
    + WS + "*日?(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?)?$"
)
_DATE_COMPACT = "^([0-9]{4})([0-9]{2})([0-9]{2})$"


def parse_date(raw: pd.Series) -> Parsed:
    """Date cells, Excel serial numbers and the text forms of submission.md.

    A date cell reaches here as `2026-03-05 00:00:00`; its time is dropped.
    """
    # The fast path: a date cell, as the reader writes it.
    cell = raw.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?: 00:00:00)?").fillna(False)
    fast = pd.to_datetime(raw.where(cell).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    fast = fast.astype("datetime64[s]")
    rest = raw[~cell & raw.notna()]
    if rest.empty:
        return Parsed(fast, _errors_where(raw.notna() & fast.isna(), "bad_date"))
    slow = _parse_date_text(rest)
    dates = fast.copy()
    dates.loc[slow.index] = slow
    return Parsed(dates, _errors_where(raw.notna() & dates.isna(), "bad_date"))


def _parse_date_text(raw: pd.Series) -> pd.Series:
    """The text forms, Excel serial numbers and dates with a time of day."""
    text = match_key(raw)
    iso = text.str.replace(_DATE_SEPARATED, r"\1-\2-\3", regex=True)
    iso = iso.str.replace(_DATE_COMPACT, r"\1-\2-\3", regex=True)
    shaped = iso.str.fullmatch("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}").fillna(False)
    dates = pd.to_datetime(iso.where(shaped), format="%Y-%m-%d", errors="coerce")
    # An Excel serial number: a plain number that is not an 8-digit yyyymmdd. Numbers
    # below 10000 (before 1927-05-18) are years, counts or typos rather than dates.
    serial = pd.to_numeric(text.where(~shaped), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)
    serial = np.where((serial >= _SERIAL_MIN) & (serial < _SERIAL_MAX), serial, np.nan)
    from_serial = _EXCEL_EPOCH + np.floor(serial).astype("timedelta64[D]")
    dates = dates.where(shaped, pd.Series(from_serial, index=text.index))
    return dates.astype("datetime64[s]")


def enum_lookup(f: Field) -> dict[str, str]:
    """Every accepted spelling's match key -> the listed label."""
    lookup = {key_of(alias): label for alias, label in f.choice_aliases.items()}
    lookup.update({key_of(label): label for label in f.choices})
    return lookup


def key_of(s: str) -> str:
    """One text's match key (as match_key gives a column's)."""
    return unicodedata.normalize("NFKC", s).strip()


def parse_enum(raw: pd.Series, f: Field) -> Parsed:
    key = match_key(raw)
    values = key.map(enum_lookup(f), na_action="ignore").astype("string")
    return Parsed(values, _errors_where(key.notna() & values.isna(), "bad_enum"))


MULTI_SEPARATORS = r"[、,，;；/]"


def parse_multi_enum(raw: pd.Series, f: Field) -> Parsed:
    """`产品销售、客情建设`: each part a listed label; normalised to the labels chosen,
    in the listed order, joined by `、`."""
    key = match_key(raw)
    parts = key.str.split(MULTI_SEPARATORS, regex=True).explode().str.strip()
    parts = parts[parts.notna() & (parts != "")]
    mapped = parts.map(enum_lookup(f)).astype("string")
    bad = mapped.isna().groupby(level=0).any().reindex(key.index, fill_value=False)
    joined = np.full(len(key), "", dtype=object)
    for label in f.choices:  # a loop over the few labels, each over the whole column
        chosen = mapped.eq(label).groupby(level=0).any().reindex(key.index, fill_value=False)
        joined = joined + np.where(chosen.to_numpy(dtype=bool), label + "、", "")
    values = pd.Series(joined, index=key.index, dtype="string").str.removesuffix("、")
    bad = bad.astype(bool) | (key.notna() & (values == "")).fillna(False)
    return Parsed(values.where(~bad & (values != "")), _errors_where(bad, "bad_enum"))


def clean_code(raw: pd.Series) -> pd.Series:
    """Identifier clean-up: NFKC, spaces and hyphens removed, upper case."""
    return _compact(raw).str.replace("-", "", regex=False).str.upper()


_USCC_VALUES = np.full(128, -1, dtype=np.int64)
for _i, _c in enumerate(USCC_ALPHABET):
    _USCC_VALUES[ord(_c)] = _i
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
_ORG_VALUES = np.full(128, -1, dtype=np.int64)
for _i, _c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
    _ORG_VALUES[ord(_c)] = _i
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])


def _char_matrix(codes: pd.Series, width: int) -> np.ndarray:
    """ASCII codes of equal-length ASCII strings as an (n, width) array."""
    joined = "".join(codes.tolist()).encode("ascii")
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(codes), width)


def _org_check_ok(chars: np.ndarray) -> np.ndarray:
    """GB 11714 check digit for rows of 9 ASCII codes."""
    values = _ORG_VALUES[chars[:, :8]]
    total = (values * _ORG_WEIGHTS).sum(axis=1)
    check = 11 - total % 11
    expected = np.where(check == 10, ord("X"), np.where(check == 11, ord("0"), ord("0") + check))
    return (values >= 0).all(axis=1) & (chars[:, 8] == expected)


def _ascii_of_length(codes: pd.Series, width: int) -> pd.Series:
    return codes.notna() & (codes.str.len() == width) & codes.str.fullmatch(r"[0-9A-Z]+").fillna(
        False
    )


def parse_uscc(raw: pd.Series) -> Parsed:
    codes = clean_code(raw)
    present = codes.notna()
    shaped = _ascii_of_length(codes, 18)
    detail = pd.Series(NA, index=codes.index, dtype="string")
    detail = detail.mask(present & ~shaped, "应为18位数字或大写字母")
    ok = shaped.copy()
    if shaped.any():
        chars = _char_matrix(codes[shaped], 18)
        values = _USCC_VALUES[chars]
        allowed = (values >= 0).all(axis=1)
        total = (np.where(values[:, :17] < 0, 0, values[:, :17]) * _USCC_WEIGHTS).sum(axis=1)
        check_ok = allowed & (values[:, 17] == (31 - total % 31) % 31)
        org_ok = _org_check_ok(chars[:, 8:17])
        reason = np.where(
            ~allowed, "含有不允许的字符（I、O、S、V、Z）",
            np.where(~check_ok, "校验位错误", np.where(~org_ok, "第9-17位组织机构代码校验位错误", "")),
        )
        detail.loc[shaped] = reason
        ok.loc[shaped] = check_ok & org_ok
    bad = present & ~ok
    return Parsed(codes.where(ok), _errors_where(bad, "bad_uscc"), detail.where(bad))


def parse_org_code(raw: pd.Series) -> Parsed:
    codes = clean_code(raw)
    shaped = _ascii_of_length(codes, 9)
    ok = shaped.copy()
    if shaped.any():
        ok.loc[shaped] = _org_check_ok(_char_matrix(codes[shaped], 9))
    bad = codes.notna() & ~ok
    return Parsed(codes.where(ok), _errors_where(bad, "bad_org_code"))


_EXTENSION = r"(?:(?:转|分机|ext\.?)?[0-9]{1,6})?"
# A mobile, a landline with an optional extension, or a 400/800 number, after an
# optional 86 prefix; after `+86` (or `0086`) a landline's area code may drop its 0.
_PHONE = (
    r"(?:(?:\+|00)?86)?(?:1[3-9][0-9]{9}|0[0-9]{2,3}[0-9]{7,8}" + _EXTENSION + r"|[48]00[0-9]{7})"
    r"|(?:\+|00)86[1-9][0-9]{1,2}[0-9]{7,8}" + _EXTENSION
)


def parse_phone(raw: pd.Series) -> Parsed:
    """Phones are kept as written; a malformed one is only a warning."""
    text = clean_text(raw)
    # Lower case rather than case=False: pandas runs a case-blind match cell by cell.
    compact = _compact(text).str.replace(r"[-()]", "", regex=True).str.lower()
    ok = compact.str.fullmatch(_PHONE).fillna(False)
    return Parsed(text, _errors_where(text.notna() & ~ok, "bad_phone"))


def parse_text(raw: pd.Series) -> Parsed:
    text = clean_text(raw)
    return Parsed(text, _no_error(text.index))


# Text is only trimmed: cheaper than finding its distinct values.
_CELL_BY_CELL = (Kind.TEXT, Kind.PERIOD)


def parse(raw: pd.Series, f: Field) -> Parsed:
    """The normaliser for a field's kind, run once per distinct text of the column.

    A sheet repeats its values (dates, products, customers, amounts): each cell is
    parsed on its own text alone, so parsing the distinct texts and taking the
    results back to the cells gives the same values for a fraction of the work."""
    if len(raw) < 64 or f.kind in _CELL_BY_CELL:
        return _parse_kind(raw, f)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    if len(uniques) * 2 > len(raw):
        return _parse_kind(raw, f)
    distinct = _parse_kind(pd.Series(uniques, dtype=raw.dtype), f)
    return Parsed(_back(distinct.values, codes, raw.index), _back_rules(distinct.error, codes),
                  None if distinct.detail is None else _back(distinct.detail, codes, raw.index))


def _back(distinct: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Results per distinct text taken back to the cells (code -1, a blank cell: NA)."""
    return pd.Series(distinct.array.take(codes, allow_fill=True), index=index)


def _back_rules(distinct: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Rules per distinct text taken back to the cells: code -1 (a blank cell) takes
    the 0 appended at the end."""
    return np.append(distinct, np.uint8(0))[codes]


def _parse_kind(raw: pd.Series, f: Field) -> Parsed:
    match f.kind:
        case Kind.AMOUNT:
            return parse_amount(raw)
        case Kind.DECIMAL:
            return parse_decimal(raw)
        case Kind.INTEGER:
            return parse_integer(raw)
        case Kind.PERCENT:
            return parse_percent(raw)
        case Kind.DATE:
            return parse_date(raw)
        case Kind.ENUM:
            return parse_enum(raw, f)
        case Kind.MULTI_ENUM:
            return parse_multi_enum(raw, f)
        case Kind.USCC:
            return parse_uscc(raw)
        case Kind.ORG_CODE:
            return parse_org_code(raw)
        case Kind.PHONE:
            return parse_phone(raw)
        case Kind.TEXT | Kind.PERIOD:
            return parse_text(raw)
    raise AssertionError(f.kind)


_BLANK_DTYPES = {
    Kind.AMOUNT: "Int64", Kind.DECIMAL: "Int64", Kind.INTEGER: "Int64", Kind.PERCENT: "Int64",
    Kind.DATE: "datetime64[s]",
}


def blank_column(f: Field, index: pd.Index) -> Parsed:
    """The typed column of a field the sheet does not have: every value blank."""
    dtype = _BLANK_DTYPES.get(f.kind, "string")
    return Parsed(pd.Series(pd.NaT if f.kind == Kind.DATE else NA, index=index, dtype=dtype),
                  _no_error(index))


# Kinds whose parser reads each cell alone, so that columns of one kind can be
# parsed stacked, in one pass: the cost of a pass is mostly per call, not per cell.
# Text is not among them: its one Arrow call per column costs less than stacking
# the columns and cutting the result apart again.
_STACKABLE = (Kind.AMOUNT, Kind.DECIMAL, Kind.INTEGER, Kind.PERCENT,
              Kind.DATE, Kind.PHONE, Kind.USCC, Kind.ORG_CODE)


def parse_columns(columns: list[tuple[Hashable, Field, pd.Series]]) -> dict[Hashable, Parsed]:
    """Every named column parsed by its field's kind; the columns of one kind (of any
    sheets) stacked into one pass."""
    out: dict[Hashable, Parsed] = {}
    groups: dict[Kind, list[tuple[Hashable, Field, pd.Series]]] = {}
    enums = [c for c in columns if c[1].kind == Kind.ENUM]
    for name, f, column in columns:
        if f.kind in _STACKABLE:
            groups.setdefault(f.kind, []).append((name, f, column))
        elif f.kind != Kind.ENUM or len(enums) == 1:
            out[name] = parse(column, f)
    if len(enums) > 1:
        out.update(_parse_enums(enums))
    for group in groups.values():
        if len(group) == 1:
            name, f, column = group[0]
            out[name] = parse(column, f)
            continue
        parts = [column for _name, _f, column in group]
        whole = parse(pd.concat(parts, ignore_index=True), group[0][1])
        for (name, _f, part), (start, end) in zip(group, _bounds(parts), strict=True):
            out[name] = Parsed(_cut(whole.values, start, end, part), whole.error[start:end],
                               None if whole.detail is None else _cut(whole.detail, start, end, part))
    return out


def _bounds(parts: list[pd.Series]) -> list[tuple[int, int]]:
    ends = np.cumsum([len(p) for p in parts]).tolist()
    return list(zip([0, *ends[:-1]], ends, strict=True))


def _cut(s: pd.Series, start: int, end: int, like: pd.Series) -> pd.Series:
    return pd.Series(s.array[start:end], index=like.index, copy=False)


def _parse_enums(columns: list[tuple[Hashable, Field, pd.Series]]) -> dict[Hashable, Parsed]:
    """Several enum columns in one pass over their distinct texts: each text's key is
    prefixed with its column's number, and one lookup holds every column's spellings
    under that prefix."""
    coded = [pd.factorize(column, use_na_sentinel=True) for _name, _f, column in columns]
    distinct = [pd.Series(uniques, dtype="string") for _codes, uniques in coded]
    prefix = np.repeat([f"{i}\x1f" for i in range(len(columns))], [len(d) for d in distinct])
    key = match_key(pd.concat(distinct, ignore_index=True))
    tagged = pd.Series(prefix, dtype="string") + key
    lookup = {f"{i}\x1f{k}": label for i, (_name, f, _column) in enumerate(columns)
              for k, label in enum_lookup(f).items()}
    values = tagged.map(lookup, na_action="ignore").astype("string")
    error = _errors_where(key.notna() & values.isna(), "bad_enum")
    out: dict[Hashable, Parsed] = {}
    for (name, _f, column), (codes, _u), (start, end) in zip(columns, coded, _bounds(distinct),
                                                             strict=True):
        out[name] = Parsed(_back(values.iloc[start:end], codes, column.index),
                           _back_rules(error[start:end], codes))
    return out


def amount_off(quantity: np.ndarray, price: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Where 金额 differs from 数量×单价 by more than 1 元 and more than 0.5% of 金额.

    Quantities and prices are integer millionths, amounts integer fen, so the test is
    exact in units of 10^-12 元: |q·p − a·10^10| > 10^12 and 1000·|q·p − a·10^10| >
    5·|a|·10^10. The products overflow 64 bits, so the rows are first decided in
    float64 where the answer holds with a wide margin (rounding moves these values
    by under 10^-15 of their size; the margin is 10^-9), and only the rows near a
    boundary are computed in Python integers.
    """
    qp = quantity.astype(np.float64) * price.astype(np.float64)
    scaled = amount.astype(np.float64) * 1e10
    diff = np.abs(qp - scaled)
    margin = 1e-9 * (np.abs(qp) + np.abs(scaled)) + 1.0
    limit = np.abs(scaled) * 5 / 1000
    surely_off = (diff - margin > 1e12) & (diff - margin > limit + margin)
    surely_fine = (diff + margin <= 1e12) | (diff + margin <= limit - margin)
    off = surely_off.copy()
    for i in np.flatnonzero(~surely_off & ~surely_fine).tolist():
        d = abs(int(quantity[i]) * int(price[i]) - int(amount[i]) * 10**10)
        off[i] = d > 10**12 and d * 1000 > abs(int(amount[i])) * 10**10 * 5
    return off


def fen_to_yuan(fen: int) -> str:
    """`123450` -> `1,234.50`, for messages."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def to_date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None
