"""Check characters of Chinese organisation identifiers.

GB 32100-2015 (统一社会信用代码, 18 characters) and GB 11714-1997
(组织机构代码, 9 characters, also characters 9-17 of a USCC).
"""

from __future__ import annotations

# GB 32100: the 31 characters a USCC may use (no I, O, S, V, Z), in value order.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11714: body characters are digits or upper-case letters (A=10 ... Z=35).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(body: str) -> str | None:
    """The 18th character for the first 17 of a USCC; None if one is not allowed."""
    if len(body) != 17 or any(c not in _USCC_VALUE for c in body):
        return None
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body, _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _org_value(c: str) -> int | None:
    if c.isdigit() and c.isascii():
        return int(c)
    if "A" <= c <= "Z":
        return ord(c) - ord("A") + 10
    return None


def org_check_char(body: str) -> str | None:
    """The 9th character for the first 8 of an organisation code; None if invalid."""
    if len(body) != 8:
        return None
    values = [_org_value(c) for c in body]
    digits = [v for v in values if v is not None]
    if len(digits) != len(values):
        return None
    total = sum(v * w for v, w in zip(digits, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def is_valid_org_code(code: str) -> bool:
    return len(code) == 9 and org_check_char(code[:8]) == code[8]


def is_valid_uscc(code: str) -> bool:
    """A USCC whose own check character and embedded organisation code both hold."""
    return (
        len(code) == 18
        and uscc_check_char(code[:17]) == code[17]
        and is_valid_org_code(code[8:17])
    )


def make_uscc(prefix: str, org_body: str) -> str:
    """A valid USCC from 8 leading characters and the first 8 of an org code (for samples and tests)."""
    org = org_body + (org_check_char(org_body) or "")
    body = prefix + org
    return body + (uscc_check_char(body) or "")
