"""Pure rules of authorisations: in force, in scope, which one a filing rests on, and the checks of
a grant's validity period and of a rating. Table-driven tests in tests/agents/test_rules.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

GRANTED, REVOKED, EXPIRED = "granted", "revoked", "expired"
MAX_YEARS = 3  # a longer mandate is a standing power of attorney, not a service authorisation


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def in_force(auth, today: date) -> bool:
    return auth.status == GRANTED and auth.valid_from <= today <= auth.valid_until


def covers(auth, item_code: str) -> bool:
    return bool(auth.all_items) or item_code in (auth.items or [])


def refusal_for(auth, *, item_code: str, item_name: str, today: date) -> Refusal | None:
    """Why this one authorisation does not carry a filing of the item today (None: it does)."""
    if auth.status == REVOKED:
        when = f"（{auth.ended_on:%Y-%m-%d}）" if auth.ended_on else ""
        return Refusal("authorisation_revoked", f"授权委托{auth.number}已被申请人撤销{when}，不能再以申请人名义代办")
    if auth.status == EXPIRED or auth.valid_until < today:
        return Refusal("authorisation_expired",
                       f"授权委托{auth.number}已于{auth.valid_until:%Y-%m-%d}到期，请申请人重新授权")
    if auth.valid_from > today:
        return Refusal("authorisation_not_yet_valid",
                       f"授权委托{auth.number}自{auth.valid_from:%Y-%m-%d}起生效，今日尚不能代办")
    if not covers(auth, item_code):
        return Refusal("authorisation_out_of_scope",
                       f"授权委托{auth.number}的授权事项不包括“{item_name}”，请申请人补充授权事项")
    return None


NONE = Refusal("authorisation_missing", "您没有该申请人的有效授权委托：请申请人在“我的授权”中授权，"
                                        "或持签字的纸质授权委托书到窗口登记")
# When none carries the filing, the refusal that helps most: a valid one lacking the item first.
_PRIORITY = ("authorisation_out_of_scope", "authorisation_not_yet_valid", "authorisation_expired",
             "authorisation_revoked")


def choose(auths, *, item_code: str, item_name: str, today: date):
    """(the authorisation a filing rests on, None) or (None, the most helpful refusal)."""
    refusals = []
    for auth in auths:
        refusal = refusal_for(auth, item_code=item_code, item_name=item_name, today=today)
        if refusal is None:
            return auth, None
        refusals.append(refusal)
    if not refusals:
        return None, NONE
    return None, min(refusals, key=lambda r: _PRIORITY.index(r.code))


def validity_refusal(valid_from: date | None, valid_until: date | None, *, today: date,
                     backdate: bool = False) -> tuple[str, str] | None:
    """(field, message) when the period cannot be granted. Online grants start today or later;
    a paper one (backdate) may have started when it was signed, but must still run."""
    if valid_from is None:
        return "valid_from", "请填写生效日期"
    if valid_until is None:
        return "valid_until", "请填写截止日期"
    if not backdate and valid_from < today:
        return "valid_from", "生效日期不能早于今天"
    if valid_until < valid_from:
        return "valid_until", "截止日期不能早于生效日期"
    if valid_until < today:
        return "valid_until", "截止日期不能早于今天（已过期的授权无需登记）"
    if valid_until > _years_after(valid_from, MAX_YEARS) - timedelta(days=1):
        return "valid_until", f"授权期限最长{MAX_YEARS}年"
    return None


def _years_after(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def rating_refusal(score, comment: str) -> tuple[str, str] | None:
    """1–5 (5 best); a low score (1 or 2) says why, as a bad 好差评 rating must."""
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        return "score", "评分应为1到5分"
    if score <= 2 and not (comment or "").strip():
        return "comment", "评分为1或2分时请填写评价内容，说明不满意的原因"
    if len(comment or "") > 500:
        return "comment", "评价内容不能超过500个字"
    return None
