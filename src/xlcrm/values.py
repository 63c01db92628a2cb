"""One normaliser per value kind of submission.md, over whole columns.

Every parser takes a column of cell text as the reader gives it (NA for a
blank cell) and returns a `Parsed`: the normalised values (NA where blank
or bad) and, per cell, the rule it breaks (NA where fine). Money is held as
integer fen, decimals as integer millionths, percentages as millionths of
one: exact, and summed and compared without binary floating point.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .codes import USCC_ALPHABET
from .schema import Field, Kind

NA = pd.NA
# Spaces trimmed and removed: ASCII whitespace, U+3000 (ideographic) and U+00A0.
_SPACES = r"[\s\u3000\u00a0]+"
_EXCEL_EPOCH = np.datetime64("1899-12-30")
_SERIAL_MIN, _SERIAL_MAX = 10_000, 2_958_466  # 1927-05-18 .. 9999-12-31


@dataclass
class Parsed:
    values: pd.Series
    error: pd.Series  # rule code per cell, NA where the value is fine or blank
    detail: pd.Series | None = None  # a reason per bad cell, for the message


def clean_text(raw: pd.Series) -> pd.Series:
    """Surrounding spaces trimmed; blank cells and all-space cells NA."""
    s = raw.astype("string").str.strip()
    return s.mask(s == "")


def match_key(text: pd.Series) -> pd.Series:
    """The NFKC form that values are compared by; NA for a blank or all-space cell."""
    s = text.astype("string").str.normalize("NFKC").str.strip()
    return s.mask(s == "")


def _compact(text: pd.Series) -> pd.Series:
    """NFKC with every space removed: the form numbers and codes are read in."""
    return match_key(text).str.replace(_SPACES, "", regex=True)


def _no_error(index: pd.Index) -> pd.Series:
    return pd.Series(NA, index=index, dtype="string")


def _errors_where(mask: pd.Series, rule: str) -> pd.Series:
    rules = np.full(len(mask), None, dtype=object)
    rules[mask.fillna(False).to_numpy(dtype=bool)] = rule
    return pd.Series(rules, index=mask.index, dtype="string")


# `.5` and `5.` are numbers too; `+` and the minus sign U+2212 are accepted as signs.
_NUMBER = r"^(?P<sign>[-+\u2212])?(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?$"


def _scaled(text: pd.Series, places: int) -> tuple[pd.Series, pd.Series]:
    """Decimal text to an integer of 10**-places units, rounded half up.

    Returns the values and a mask of cells that are not numbers (or are too
    large for 64-bit integers, which no amount in a submission is). The digits
    are converted by numpy's string-to-integer cast: exact, no floating point.
    """
    present = text.notna().to_numpy(dtype=bool)
    if not present.any():  # also an empty column: numpy's string functions need values
        return pd.Series(NA, index=text.index, dtype="Int64"), pd.Series(present, text.index)
    parts = text.str.extract(_NUMBER)
    matched = parts["int"].notna().to_numpy(dtype=bool)
    sign, whole, frac = (_strings(parts[c]) for c in ("sign", "int", "frac"))
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


def _strings(column: pd.Series) -> np.ndarray:
    """A column of strings as a numpy unicode array, "" where missing."""
    return np.asarray(column.fillna("").to_numpy(dtype=object), dtype=str)


def parse_amount(raw: pd.Series, *, currency: bool = True, places: int = 2) -> Parsed:
    text = _compact(raw)
    if currency:
        text = text.str.removesuffix("元")
    text = text.str.replace(",", "", regex=False)
    values, bad = _scaled(text, places)
    return Parsed(values, _errors_where(bad, "bad_number"))


def parse_decimal(raw: pd.Series) -> Parsed:
    return parse_amount(raw, currency=False, places=6)


def parse_integer(raw: pd.Series) -> Parsed:
    micro, bad = _scaled(_compact(raw).str.replace(",", "", regex=False), 6)
    fraction = micro.notna() & (micro % 1_000_000 != 0)
    values = (micro // 1_000_000).where(~fraction)
    return Parsed(values.astype("Int64"), _errors_where(bad | fraction, "bad_number"))


def parse_percent(raw: pd.Series) -> Parsed:
    """A fraction 0..1 in millionths: 0.95, 95 and `95%` are all 950000."""
    text = _compact(raw)
    with_sign = text.str.endswith("%").fillna(False)
    micro, bad = _scaled(text.str.removesuffix("%"), 6)
    # A number in 0..1 is a fraction, in (1, 100] a percent; `95%` always a percent.
    as_percent = with_sign | (micro > 1_000_000)
    values = micro.where(~as_percent, micro // 100)
    out = ~bad & micro.notna() & ((values < 0) | (values > 1_000_000))
    error = _errors_where(bad, "bad_number").mask(out.fillna(False), "out_of_range")
    return Parsed(values.where(~out.fillna(False)).astype("Int64"), error)


_DATE_TEXT = (
    r"^(?P<y>[0-9]{4})(?:\s*[-/.年]\s*(?P<m>[0-9]{1,2})\s*[-/.月]\s*(?P<d>[0-9]{1,2})\s*日?"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?|(?P<m8>[0-9]{2})(?P<d8>[0-9]{2}))$"
)


def parse_date(raw: pd.Series) -> Parsed:
    """Date cells, Excel serial numbers and the text forms of submission.md.

    A date cell reaches here as `2026-03-05 00:00:00`; its time is dropped.
    """
    text = match_key(raw)
    present = text.notna().to_numpy(dtype=bool)
    parts = text.str.extract(_DATE_TEXT)
    year = _strings(parts["y"])
    month = np.char.add(_strings(parts["m"]), _strings(parts["m8"]))
    day = np.char.add(_strings(parts["d"]), _strings(parts["d8"]))
    shaped = year != ""
    as_int = {
        k: np.where(shaped, v, "0").astype(np.int64)
        for k, v in (("year", year), ("month", month), ("day", day))
    }
    dates = pd.to_datetime(pd.DataFrame(as_int, index=text.index), errors="coerce")
    # An Excel serial number: a plain number that is not an 8-digit yyyymmdd. Numbers
    # below 10000 (before 1927-05-18) are years, counts or typos rather than dates.
    serial = pd.to_numeric(text.where(~shaped), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)
    serial = np.where((serial >= _SERIAL_MIN) & (serial < _SERIAL_MAX), serial, np.nan)
    from_serial = _EXCEL_EPOCH + np.floor(serial).astype("timedelta64[D]")
    dates = dates.where(shaped, pd.Series(from_serial, index=text.index))
    dates = dates.dt.normalize().astype("datetime64[s]")
    return Parsed(dates, _errors_where(pd.Series(present, index=text.index) & dates.isna(),
                                       "bad_date"))


def enum_lookup(f: Field) -> dict[str, str]:
    """Every accepted spelling's match key -> the listed label."""
    lookup = {_key(alias): label for alias, label in f.choice_aliases.items()}
    lookup.update({_key(label): label for label in f.choices})
    return lookup


def _key(s: str) -> str:
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


_EXTENSION = r"(?:(?:转|分机|ext\.?)?\d{1,6})?"
# A mobile, a landline with an optional extension, or a 400/800 number, after an
# optional 86 prefix; after `+86` (or `0086`) a landline's area code may drop its 0.
_PHONE = (
    r"(?:(?:\+|00)?86)?(?:1[3-9]\d{9}|0\d{2,3}\d{7,8}" + _EXTENSION + r"|[48]00\d{7})"
    r"|(?:\+|00)86[1-9]\d{1,2}\d{7,8}" + _EXTENSION
)


def parse_phone(raw: pd.Series) -> Parsed:
    """Phones are kept as written; a malformed one is only a warning."""
    text = clean_text(raw)
    compact = _compact(text).str.replace(r"[-()]", "", regex=True)
    ok = compact.str.fullmatch(_PHONE, case=False).fillna(False)
    return Parsed(text, _errors_where(text.notna() & ~ok, "bad_phone"))


def parse_text(raw: pd.Series) -> Parsed:
    text = clean_text(raw)
    return Parsed(text, _no_error(text.index))


def parse(raw: pd.Series, f: Field) -> Parsed:
    """The normaliser for a field's kind."""
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
