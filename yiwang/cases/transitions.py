"""The case workflow as data: (status, action) → (new status, who may act, guards).

`services.case_act` is the one function that applies an edge. Guards are plain functions over the
case and the action's input, returning a Chinese refusal (naming the field) or None. Tests walk
every edge of TABLE, allowed and refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import CaseStatus as S

SAME = "="  # the action records something without changing the status

# Who the actor is, relative to the case (selectors.actor_kinds works it out).
APPLICANT = "applicant"  # the applicant's own account, or their authorised agent
INTAKE = "intake"  # a window clerk of the region's hall, or staff of the receiving unit
REVIEWER = "reviewer"  # approver or head of the reviewing unit
DECIDER = "decider"  # approver or head of the deciding unit
HEAD = "head"  # department head of the deciding unit
CO_REVIEWER = "co_reviewer"  # approver or head of a co-reviewing unit
SYSTEM = "system"  # a timer or the calendar

ACTOR_LABELS = {
    APPLICANT: "申请人", INTAKE: "窗口受理人员", REVIEWER: "审查单位审批人员", DECIDER: "决定单位审批人员",
    HEAD: "决定单位负责人", CO_REVIEWER: "联合审查单位", SYSTEM: "系统",
}

ACTION_LABELS = {
    "submit": "提交申请", "accept": "受理", "deemed_accept": "视为受理", "refuse": "不予受理",
    "request_correction": "一次性告知补正", "resubmit": "补正后重新提交", "withdraw": "撤回申请",
    "decide_on_acceptance": "当场办结", "review": "审核", "approve": "准予许可", "deny": "不予许可",
    "deemed_approve": "超时默认准予", "pause": "特别程序暂停计时", "resume": "恢复计时", "extend": "延长期限",
    "supply_material": "补交容缺材料", "co_review": "联合审查意见", "deemed_consent": "联合审查默认同意",
    "deliver": "送达结果", "post_check_pass": "事后核查通过", "post_check_fail": "事后核查不通过（撤销）",
    "flag_supply_overdue": "容缺材料逾期未补", "flag_delivery_overdue": "送达逾期", "flag_post_check_due": "事后核查到期",
    "calendar_moved": "工作日历调整期限",
}


@dataclass(frozen=True)
class Edge:
    to: str
    actors: frozenset[str]
    guards: tuple[str, ...] = ()


def _e(to: str, actors: set[str], *guards: str) -> Edge:
    return Edge(to, frozenset(actors), tuple(guards))


RUNNING = (S.ACCEPTED, S.IN_REVIEW, S.PAUSED)
ACTIVE = (S.ACCEPTED, S.IN_REVIEW)
UNDECIDED = (S.SUBMITTED, S.CORRECTION_REQUESTED, *RUNNING)

TABLE: dict[tuple[str, str], Edge] = {
    (S.SUBMITTED, "accept"): _e(S.ACCEPTED, {INTAKE}, "materials_complete", "commitment_allowed"),
    (S.SUBMITTED, "deemed_accept"): _e(S.ACCEPTED, {SYSTEM}),
    (S.SUBMITTED, "refuse"): _e(S.REFUSED, {INTAKE}, "reason_given"),
    (S.SUBMITTED, "request_correction"): _e(S.CORRECTION_REQUESTED, {INTAKE}, "reason_given", "correction_once"),
    (S.CORRECTION_REQUESTED, "resubmit"): _e(S.SUBMITTED, {APPLICANT, INTAKE}),
    (S.ACCEPTED, "decide_on_acceptance"): _e(S.APPROVED, {INTAKE, DECIDER, SYSTEM}, "instant_or_commitment"),
    **{(s, "withdraw"): _e(S.WITHDRAWN, {APPLICANT, INTAKE}) for s in UNDECIDED},
    **{(s, "review"): _e(S.IN_REVIEW, {REVIEWER}, "review_step_left") for s in ACTIVE},
    **{(s, "approve"): _e(S.APPROVED, {DECIDER}, "review_steps_done", "materials_supplied", "co_review_consented")
       for s in ACTIVE},
    **{(s, "deny"): _e(S.DENIED, {DECIDER}, "reason_given") for s in ACTIVE},
    **{(s, "deemed_approve"): _e(S.APPROVED, {SYSTEM}, "deemed_approval_allowed", "materials_supplied")
       for s in ACTIVE},
    **{(s, "pause"): _e(S.PAUSED, {REVIEWER, DECIDER}, "reason_given") for s in ACTIVE},
    (S.PAUSED, "resume"): _e(S.IN_REVIEW, {REVIEWER, DECIDER}),
    **{(s, "extend"): _e(SAME, {HEAD}, "reason_given", "not_extended", "extension_days_valid") for s in RUNNING},
    **{(s, "supply_material"): _e(SAME, {APPLICANT, INTAKE}, "material_missing") for s in RUNNING},
    **{(s, "flag_supply_overdue"): _e(SAME, {SYSTEM}, "supply_late") for s in RUNNING},
    **{(s, "co_review"): _e(SAME, {CO_REVIEWER}, "co_review_open") for s in RUNNING},
    **{(s, "deemed_consent"): _e(SAME, {SYSTEM}, "co_review_silent") for s in RUNNING},
    **{(s, "calendar_moved"): _e(SAME, {SYSTEM}) for s in RUNNING},
    (S.APPROVED, "deliver"): _e(S.DELIVERED, {INTAKE, DECIDER}, "delivery_method_valid"),
    (S.DENIED, "deliver"): _e(S.DELIVERED, {INTAKE, DECIDER}, "delivery_method_valid"),
    (S.APPROVED, "flag_delivery_overdue"): _e(SAME, {SYSTEM}),
    (S.DENIED, "flag_delivery_overdue"): _e(SAME, {SYSTEM}),
    **{(s, "flag_post_check_due"): _e(SAME, {SYSTEM}, "post_check_open") for s in (S.APPROVED, S.DELIVERED)},
    **{(s, "post_check_pass"): _e(S.CLOSED, {DECIDER}, "post_check_open") for s in (S.APPROVED, S.DELIVERED)},
    **{(s, "post_check_fail"): _e(S.REVOKED, {DECIDER}, "post_check_open", "reason_given")
       for s in (S.APPROVED, S.DELIVERED)},
}

ACTIONS = sorted({a for _, a in TABLE})
# Statuses with no way out at all.
TERMINAL = frozenset({S.REFUSED, S.WITHDRAWN, S.REVOKED, S.CLOSED})
assert not any(s in TERMINAL for s, _ in TABLE), "a terminal status must have no edges"


def actions_from(status: str) -> list[str]:
    return [a for (s, a) in TABLE if s == status]


# ---------------------------------------------------------------- guards

@dataclass
class GuardInput:
    """What guards look at: the case (a Case or any object with the same fields) and the input."""

    case: Any
    data: dict = field(default_factory=dict)
    reason: str = ""
    required_materials: list[str] = field(default_factory=list)  # applicant-supplied, required
    tolerable_materials: list[str] = field(default_factory=list)
    uploaded: set[str] = field(default_factory=set)
    item_instant: bool = False
    commitment_allowed: bool = False
    deemed_approval_allowed: bool = False
    co_reviews: list[tuple[str, bool | None]] = field(default_factory=list)  # (unit code, consent)
    actor_units: set[str] = field(default_factory=set)


def _reason_given(g: GuardInput) -> str | None:
    return None if g.reason.strip() else "reason：请填写理由"


def _correction_once(g: GuardInput) -> str | None:
    return "action：补正只能一次性告知，已告知过补正" if g.case.correction_count >= 1 else None


def _materials_complete(g: GuardInput) -> str | None:
    tolerated = set(g.data.get("tolerate") or [])
    paper = set(g.data.get("paper") or [])
    bad = sorted(tolerated - set(g.tolerable_materials))
    if bad:
        return "tolerate：以下材料不可容缺：" + "、".join(bad)
    missing = [m for m in g.required_materials if m not in g.uploaded and m not in paper and m not in tolerated]
    if missing:
        return "materials：缺少材料：" + "、".join(missing) + "（可一次性告知补正，或对可容缺材料容缺受理）"
    return None


def _commitment_allowed(g: GuardInput) -> str | None:
    if g.data.get("commitment") and not g.commitment_allowed:
        return "commitment：该事项不适用告知承诺制"
    return None


def _instant_or_commitment(g: GuardInput) -> str | None:
    return None if (g.item_instant or g.case.commitment) else "action：仅即办件或告知承诺件可当场办结"


def _review_step_left(g: GuardInput) -> str | None:
    # steps: e.g. [受理, 审核, 决定]; acceptance does the first, the decision the last.
    if g.case.current_step >= max(len(g.case.steps) - 1, 1):
        return "action：审核环节已完成，请作出决定"
    return None


def _review_steps_done(g: GuardInput) -> str | None:
    if g.case.current_step < len(g.case.steps) - 1:
        left = g.case.steps[g.case.current_step:-1]
        return "action：尚有环节未完成：" + "、".join(left)
    return None


def _materials_supplied(g: GuardInput) -> str | None:
    if g.case.missing_materials:
        return "materials：容缺材料尚未补齐，不能作出决定：" + "、".join(g.case.missing_materials)
    return None


def _co_review_consented(g: GuardInput) -> str | None:
    waiting = [u for u, c in g.co_reviews if c is None]
    if waiting:
        return "co_review：联合审查单位尚未出具意见：" + "、".join(waiting)
    objecting = [u for u, c in g.co_reviews if c is False]
    if objecting:
        return "co_review：联合审查单位有异议，不能准予：" + "、".join(objecting)
    return None


def _deemed_approval_allowed(g: GuardInput) -> str | None:
    return None if g.deemed_approval_allowed else "action：该事项不适用超时默认"


def _not_extended(g: GuardInput) -> str | None:
    return "action：办理期限只能延长一次，已延长过" if g.case.extended else None


def _extension_days_valid(g: GuardInput) -> str | None:
    from .clock import MAX_EXTENSION_DAYS

    days = g.data.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_EXTENSION_DAYS:
        return f"days：延长天数应为1至{MAX_EXTENSION_DAYS}个工作日"
    return None


def _material_missing(g: GuardInput) -> str | None:
    name = g.data.get("material", "")
    if name not in (g.case.missing_materials or []):
        return f"material：“{name}”不是待补交的容缺材料"
    return None


def _supply_late(g: GuardInput) -> str | None:
    return None if g.case.missing_materials and not g.case.supply_overdue else "action：无逾期的容缺材料"


def _co_review_open(g: GuardInput) -> str | None:
    open_units = {u for u, c in g.co_reviews if c is None}
    if not open_units & g.actor_units:
        return "action：本单位没有待出具的联合审查意见"
    if not isinstance(g.data.get("consent"), bool):
        return "consent：请选择同意或不同意"
    return None


def _co_review_silent(g: GuardInput) -> str | None:
    return None if any(c is None for _, c in g.co_reviews) else "action：联合审查意见已齐"


def _delivery_method_valid(g: GuardInput) -> str | None:
    from .models import DeliveryMethod

    return None if g.data.get("method") in DeliveryMethod.values else "method：送达方式应为 window、post 或 electronic"


def _post_check_open(g: GuardInput) -> str | None:
    return None if g.case.commitment and g.case.post_check_pending else "action：该办件没有待进行的事后核查"


GUARDS: dict[str, Callable[[GuardInput], str | None]] = {
    "reason_given": _reason_given,
    "correction_once": _correction_once,
    "materials_complete": _materials_complete,
    "commitment_allowed": _commitment_allowed,
    "instant_or_commitment": _instant_or_commitment,
    "review_step_left": _review_step_left,
    "review_steps_done": _review_steps_done,
    "materials_supplied": _materials_supplied,
    "co_review_consented": _co_review_consented,
    "deemed_approval_allowed": _deemed_approval_allowed,
    "not_extended": _not_extended,
    "extension_days_valid": _extension_days_valid,
    "material_missing": _material_missing,
    "supply_late": _supply_late,
    "co_review_open": _co_review_open,
    "co_review_silent": _co_review_silent,
    "delivery_method_valid": _delivery_method_valid,
    "post_check_open": _post_check_open,
}
assert all(g in GUARDS for e in TABLE.values() for g in e.guards)


def check_guards(edge: Edge, g: GuardInput) -> str | None:
    for name in edge.guards:
        problem = GUARDS[name](g)
        if problem:
            return problem
    return None
