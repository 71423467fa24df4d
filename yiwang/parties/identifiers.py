"""Check digits of GB 11643 (resident ID numbers) and GB 32100 (unified social credit codes).

python-stdnum computes the check characters; the format checks are ours, because stdnum's
validate() also rejects valid codes for reasons outside the check digit (letters in the first
eight USCC characters, area codes missing from its table).
"""

import re
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric, uscc

# ASCII only: \d would also match ٤ (Arabic-Indic) and ４ (full-width), which stdnum then chokes on
# or which would register a second party beside the real one.
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_USCC_RE = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}")


@dataclass(frozen=True)
class CheckResult:
    valid: bool
    error: str | None = None  # "format" | "check_digit" | "birth_date"
    message: str | None = None
    normalised: str = ""


def check_id_number(value: str, *, field: str = "id_number") -> CheckResult:
    number = (value or "").strip().upper()
    if not _ID_RE.fullmatch(number):
        return CheckResult(False, "format", "居民身份证号码格式不正确（应为17位半角数字加1位半角数字或X）", number)
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return CheckResult(False, "format", "居民身份证号码格式不正确（出生日期无效）", number)
    if ric.calc_check_digit(number) != number[-1]:
        return CheckResult(False, "check_digit", "居民身份证号码校验位错误", number)
    return CheckResult(True, normalised=number)


def check_uscc(value: str, *, field: str = "uscc") -> CheckResult:
    code = (value or "").strip().upper()
    if len(code) != 18 or not _USCC_RE.fullmatch(code):
        return CheckResult(False, "format", "统一社会信用代码格式不正确（应为18位半角数字或大写字母，不含I、O、S、V、Z）", code)
    if uscc.calc_check_digit(code) != code[-1]:
        return CheckResult(False, "check_digit", "统一社会信用代码校验位错误", code)
    return CheckResult(True, normalised=code)


# GB 11714 organisation code: 8 body characters and a check character (weights 3 7 9 10 5 8 4 2).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_check_char(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body (digits, capitals)."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def uscc_build(*, region_code: str, body: str, department: str = "9", category: str = "1") -> str:
    """A unified social credit code as a registering unit assigns it (GB 32100): the registering
    department (9 = market regulation), the category (1 = enterprise), the region's six digits, the
    organisation code (body + its GB 11714 check character) and the check character."""
    if len(region_code) != 6 or len(body) != 8:
        raise ValueError("region_code must have 6 and body 8 characters")
    first17 = f"{department}{category}{region_code}{body}{organisation_check_char(body)}"
    return first17 + uscc.calc_check_digit(first17)
