"""The case workflow (办件), declared once on the engine (yiwang/core/workflow).

States and actions with their Chinese labels, the edges of each action with its legal basis, who
may take it (actor kinds, resolved by `_actor_kinds`), its input schema, its guards and its effect.
`derive` is the legal clock, recomputed after every action; `timer_plan` the deemed-approval timer
the clock implies; `notify` the outbox row telling the applicant. Reactions of other modules
(licences, bundle cases, evaluations) are declared here in the order they run.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field, StrictBool, StrictInt

from yiwang.core.errors import DomainError, NotFound
from yiwang.core.outbox import outbox_put
from yiwang.core.workflow import (
    REACTION_TOPIC,
    SAME,
    SYSTEM,
    ActionInput,
    Context,
    Effect,
    Refusal,
    Workflow,
    action,
    edges_from,
    guard,
    react,
)
from yiwang.core.workflow.checks import register_workflow
from yiwang.organisations.selectors import staff_roles
from yiwang.workcalendar.index import get_index

from . import clock, selectors
from .models import (
    RUNNING,
    ActorKind,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    CoReview,
    Decision,
    DeliveryMethod,
)

S = CaseStatus
APPLICANT, INTAKE, REVIEWER, DECIDER, HEAD, CO_REVIEWER, REMOTE_INTAKE = (
    ActorKind.APPLICANT, ActorKind.INTAKE, ActorKind.REVIEWER, ActorKind.DECIDER, ActorKind.HEAD,
    ActorKind.CO_REVIEWER, ActorKind.REMOTE_INTAKE)

ACTIVE = (S.ACCEPTED, S.IN_REVIEW)  # running and not paused: review and decision happen here
UNDECIDED = (S.SUBMITTED, S.CORRECTION_REQUESTED, *RUNNING)
DECIDED = (S.APPROVED, S.DENIED)
CHECKABLE = (S.APPROVED, S.DELIVERED)  # a commitment approval is post-checked here
TERMINAL = frozenset({S.REFUSED, S.WITHDRAWN, S.REVOKED, S.CLOSED})

CONFLICT_MESSAGE = "办件已被他人处理，请刷新后重试"
RIGHT_TO_APPEAL = "如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。"
CALENDAR_MOVED_REASON = "工作日历调整（节假日或调休变化），重新计算办理期限"

TIMER_DEEMED_ACCEPTANCE = "case.deemed_acceptance"
TIMER_DEEMED_APPROVAL = "case.deemed_approval"
TIMER_DEEMED_CONSENT = "case.deemed_consent"
TIMER_SUPPLY_LIMIT = "case.supply_limit"
TIMER_DELIVERY_LIMIT = "case.delivery_limit"
TIMER_POST_CHECK = "case.post_check"
TIMER_DUE_SWEEP = "case.due_sweep"
CASE_TIMERS = (TIMER_DEEMED_ACCEPTANCE, TIMER_DEEMED_APPROVAL, TIMER_DEEMED_CONSENT, TIMER_SUPPLY_LIMIT,
               TIMER_DELIVERY_LIMIT, TIMER_POST_CHECK)

LAW = "《中华人民共和国行政许可法》"
CROSS_REGION_BASIS = "《国务院办公厅关于加快推进政务服务“跨省通办”的指导意见》（国办发〔2020〕35号）"

# ---------------------------------------------------------------- inputs


class CaseInput(ActionInput):
    """Every action may carry a reason (it becomes the event's reason)."""

    reason: str = Field("", title="理由", max_length=2000)


class ReasonIn(CaseInput):
    reason: str = Field(title="理由", min_length=1, max_length=2000)


class AcceptIn(CaseInput):
    tolerate: list[str] = Field([], title="容缺材料")
    paper: list[str] = Field([], title="已核验的纸质材料")
    commitment: bool = Field(False, title="告知承诺")


class ResubmitIn(CaseInput):
    form: dict[str, Any] | None = Field(None, title="申请表")


class CorrectionIn(ReasonIn):
    materials: list[str] = Field([], title="需补正的材料")


class ReviewIn(CaseInput):
    opinion: str = Field("", title="审核意见", max_length=2000)


class PauseIn(ReasonIn):
    procedure: str = Field("特别程序", title="特别程序", max_length=200)


class ExtendIn(ReasonIn):
    days: StrictInt = Field(title="延长天数", ge=1, le=clock.MAX_EXTENSION_DAYS)


class SupplyIn(CaseInput):
    material: str = Field(title="补交的材料", min_length=1, max_length=128)
    on_paper: StrictBool = Field(False, title="纸质材料已核验")


class CoReviewIn(CaseInput):
    consent: StrictBool = Field(title="是否同意")
    opinion: str = Field("", title="意见", max_length=2000)


class DeliverIn(CaseInput):
    method: DeliveryMethod = Field(title="送达方式")


class CalendarIn(CaseInput):
    since: str = Field("", title="调整起始日")


# ---------------------------------------------------------------- what guards and effects read


def _cal(ctx: Context):
    """One look at the calendar per transition (its index checks its version on each look)."""
    return ctx.cached("cal", get_index)


def _item(ctx: Context):
    return ctx.subject.implementation.item


def _co_reviews(ctx: Context) -> list[CoReview]:
    """The case's co-reviews, read once per transition (prefetched on the case page)."""
    case = ctx.subject

    def read():
        if "co_reviews" in getattr(case, "_prefetched_objects_cache", {}):
            return list(case.co_reviews.all())
        return list(CoReview.objects.filter(case=case).select_related("unit"))

    return ctx.cached("co_reviews", read)


def _applicant_materials(ctx: Context) -> tuple[list[str], list[str]]:
    """(required, tolerable) names among the materials the applicant supplies."""
    from yiwang.catalogue.models import MaterialSource

    def read():
        mats = [m for m in _item(ctx).materials.all() if m.source == MaterialSource.APPLICANT]
        return [m.name for m in mats if m.required], [m.name for m in mats if m.tolerable]

    return ctx.cached("applicant_materials", read)


def _uploaded(ctx: Context) -> set[str]:
    return ctx.cached("uploaded", lambda: set(
        CaseMaterial.objects.filter(case=ctx.subject).values_list("name", flat=True)))


def _actor_units(ctx: Context) -> set[str]:
    return ctx.cached("actor_units", lambda: selectors.actor_units(ctx.subject, ctx.actor))


def _actor_kinds(ctx: Context) -> set[str]:
    """What the actor is to the case; whether they co-review it is asked only of actions a
    co-reviewer takes (it reads the co-reviews)."""
    kinds = ctx.cached("kinds", lambda: selectors.actor_kinds(ctx.subject, ctx.actor, co_review=False))
    if CO_REVIEWER in ctx.action.actors and ctx.actor is not None:
        units = {s.unit_id for s in staff_roles(ctx.actor) if s.role in selectors.HANDLING_ROLES}
        if units and any(c.unit_id in units for c in _co_reviews(ctx)):
            return kinds | {CO_REVIEWER}
    return kinds


# ---------------------------------------------------------------- guards


def _no(code: str, message: str, field: str | None = "action") -> Refusal:
    return Refusal(code, message, field)


@guard
def correction_once(ctx):
    if ctx.subject.correction_count >= 1:
        return _no("correction_once", "补正只能一次性告知，已告知过补正")
    return None


@guard(needs_input=True)
def materials_complete(ctx):
    required, tolerable = _applicant_materials(ctx)
    tolerated, paper = set(ctx.input.tolerate), set(ctx.input.paper)
    bad = sorted(tolerated - set(tolerable))
    if bad:
        return _no("not_tolerable", "以下材料不可容缺：" + "、".join(bad), "tolerate")
    uploaded = _uploaded(ctx)
    missing = [m for m in required if m not in uploaded and m not in paper and m not in tolerated]
    if missing:
        return _no("materials_missing", "缺少材料：" + "、".join(missing) + "（可一次性告知补正，或对可容缺材料容缺受理）",
                   "materials")
    return None


@guard(needs_input=True)
def commitment_allowed(ctx):
    if not ctx.input.commitment:
        return None
    if not _item(ctx).commitment_allowed:
        return _no("commitment_not_allowed", "该事项不适用告知承诺制", "commitment")
    # Credit before commitment (信用承诺与事前信用核查): a failed post-check bars the path for years.
    from yiwang.supervision.selectors import commitment_barred

    barred = commitment_barred(ctx.subject.applicant, today=ctx.today)
    if barred:
        return _no("commitment_barred", barred, "commitment")
    return None


@guard
def instant_or_commitment(ctx):
    if _item(ctx).is_instant or ctx.subject.commitment:
        return None
    return _no("not_instant", "仅即办件或告知承诺件可当场办结")


@guard
def review_step_left(ctx):
    # steps: e.g. [受理, 审核, 决定]; acceptance does the first, the decision the last.
    case = ctx.subject
    if case.current_step >= max(len(case.steps) - 1, 1):
        return _no("review_done", "审核环节已完成，请作出决定")
    return None


@guard
def review_steps_done(ctx):
    case = ctx.subject
    if case.current_step < len(case.steps) - 1:
        return _no("steps_left", "尚有环节未完成：" + "、".join(case.steps[case.current_step:-1]))
    return None


@guard
def materials_supplied(ctx):
    if ctx.subject.missing_materials:
        return _no("materials_owed", "容缺材料尚未补齐，不能作出决定：" + "、".join(ctx.subject.missing_materials),
                   "materials")
    return None


@guard
def co_review_consented(ctx):
    rows = _co_reviews(ctx)
    waiting = [c.unit.code for c in rows if c.consent is None]
    if waiting:
        return _no("co_review_waiting", "联合审查单位尚未出具意见：" + "、".join(waiting), "co_review")
    objecting = [c.unit.code for c in rows if c.consent is False]
    if objecting:
        return _no("co_review_objects", "联合审查单位有异议，不能准予：" + "、".join(objecting), "co_review")
    return None


@guard
def deemed_approval_allowed(ctx):
    return None if _item(ctx).deemed_approval_allowed else _no("no_deemed_approval", "该事项不适用超时默认")


@guard
def not_extended(ctx):
    return _no("extended_once", "办理期限只能延长一次，已延长过") if ctx.subject.extended else None


@guard
def materials_owed(ctx):
    return None if ctx.subject.missing_materials else _no("nothing_owed", "该办件没有待补交的容缺材料")


@guard(needs_input=True)
def material_missing(ctx):
    name = ctx.input.material
    if name not in (ctx.subject.missing_materials or []):
        return _no("not_owed", f"“{name}”不是待补交的容缺材料", "material")
    return None


@guard(needs_input=True)
def material_received(ctx):
    """Uploaded (case_material_upload stored it first), or its paper verified by the window."""
    if ctx.input.on_paper:
        if INTAKE not in _actor_kinds(ctx):
            return _no("paper_by_window", "纸质材料须由受理窗口核验，申请人请上传电子材料", "on_paper")
        return None
    if not CaseMaterial.objects.filter(case=ctx.subject, name=ctx.input.material).exists():
        return _no("not_uploaded", f"请上传“{ctx.input.material}”，或勾选“纸质材料已核验”", "file")
    return None


@guard
def supply_late(ctx):
    case = ctx.subject
    return None if case.missing_materials and not case.supply_overdue else _no("nothing_late", "无逾期的容缺材料")


@guard
def co_review_open(ctx):
    units = _actor_units(ctx)
    if not any(c.consent is None and c.unit.code in units for c in _co_reviews(ctx)):
        return _no("no_open_co_review", "本单位没有待出具的联合审查意见")
    return None


@guard
def co_review_silent(ctx):
    silent = [c for c in _co_reviews(ctx) if c.consent is None]
    if not silent:
        return _no("co_reviews_in", "联合审查意见已齐")
    if not any(c.slot_end < ctx.today for c in silent):
        return _no("co_review_slot_open", "联合审查意见期限未届满")
    return None


@guard
def post_check_open(ctx):
    case = ctx.subject
    if case.commitment and case.post_check_pending:
        return None
    return _no("no_post_check", "该办件没有待进行的事后核查")


# 跨域通办 (收受分离): the remote window takes in and forwards; the receiving unit accepts only then.


@guard
def remote_to_forward(ctx):
    case = ctx.subject
    if not case.remote_intake_unit_id:
        return _no("not_remote", "本办件不是异地收件，无需转交")
    if case.forwarded_at:
        return _no("forwarded", "已转交受理地")
    return None


@guard
def scanned_for_forwarding(ctx):
    """Materials travel electronically: what cannot be tolerated must have been uploaded (scanned)."""
    required, tolerable = _applicant_materials(ctx)
    missing = [m for m in required if m not in tolerable and m not in _uploaded(ctx)]
    if missing:
        return _no("materials_missing", "请先上传（扫描）以下材料再转交受理地：" + "、".join(missing), "materials")
    return None


@guard
def forwarded_if_remote(ctx):
    case = ctx.subject
    if case.remote_intake_unit_id and not case.forwarded_at:
        return _no("not_forwarded", f"异地收件窗口（{case.remote_intake_unit.name}）尚未转交，受理地暂不能处理")
    return None


@guard
def delivered_where_chosen(ctx):
    """A cross-region result the applicant collects at the window where they applied: that window hands it over."""
    case = ctx.subject
    if case.remote_intake_unit_id and case.delivery_choice == DeliveryMethod.WINDOW and \
            REMOTE_INTAKE not in _actor_kinds(ctx):
        return _no("collect_at_remote", f"申请人选择在收件地窗口（{case.remote_intake_unit.name}）领取，由收件窗口送达")
    return None


@guard(needs_input=True)
def delivery_as_chosen(ctx):
    chosen = ctx.subject.delivery_choice
    if chosen and ctx.input.method.value != chosen:
        return _no("delivery_choice", f"申请人选择的送达方式为“{DeliveryMethod(chosen).label}”", "method")
    return None


# ---------------------------------------------------------------- effects (one per action)


def _start_clock(ctx: Context, accepted_on: date, data: dict, timers: dict) -> None:
    """Acceptance (by the window or deemed): the clock starts; co-review slots open."""
    ctx.set(accepted_on=accepted_on, current_step=1)
    data["accepted_on"] = accepted_on.isoformat()
    impl = ctx.subject.implementation
    co_units = list(impl.co_reviewers.all())
    if co_units and impl.item.deemed_consent_days:
        slot_end = _cal(ctx).add_working_days(accepted_on, impl.item.deemed_consent_days).date
        CoReview.objects.bulk_create([CoReview(case=ctx.subject, unit=u, slot_end=slot_end) for u in co_units],
                                     ignore_conflicts=True)
        data["co_review_until"] = slot_end.isoformat()
        timers[TIMER_DEEMED_CONSENT] = clock.midnight_after(slot_end)
    timers[TIMER_DEEMED_ACCEPTANCE] = None


def accept_effect(ctx: Context) -> Effect:
    case, inp, data, timers = ctx.subject, ctx.input, {}, {}
    _start_clock(ctx, ctx.today, data, timers)
    _, tolerable = _applicant_materials(ctx)
    tolerated = [m for m in inp.tolerate if m in tolerable]
    if tolerated:
        supply_due = _cal(ctx).add_working_days(ctx.today, _item(ctx).tolerance_days).date
        ctx.set(missing_materials=tolerated, supply_due=supply_due)
        data.update(tolerated=tolerated, supply_due=supply_due.isoformat())
        timers[TIMER_SUPPLY_LIMIT] = clock.midnight_after(supply_due)
    if inp.commitment:
        ctx.set(commitment=True)
        data["commitment"] = True
    if inp.paper:
        data["paper"] = list(inp.paper)
    return Effect(timers=timers, data=data, notice=f"您的申请已受理，办件编号 {case.number}。")


def deemed_accept_effect(ctx: Context) -> Effect:
    data, timers = {"deemed": "art32"}, {}
    accepted_on = ctx.subject.received_on
    _start_clock(ctx, accepted_on, data, timers)
    ctx.set(deemed="deemed_acceptance")
    reason = ctx.input.reason or "收件后5个工作日内未作受理决定，依《行政许可法》第三十二条自收件之日起视为受理"
    return Effect(timers=timers, data=data, reason=reason,
                  notice=f"您的申请已依法视为受理（自收件之日 {accepted_on} 起）。")


def refuse_effect(ctx: Context) -> Effect:
    return Effect(timers={TIMER_DEEMED_ACCEPTANCE: None}, notice=f"您的申请不予受理。理由：{ctx.input.reason}")


def _correction_materials(ctx: Context) -> list[str]:
    """What the 一次性告知书 lists: the materials the clerk named, else every required applicant
    material neither uploaded nor supplied by data sharing."""
    if ctx.input.materials:
        return list(dict.fromkeys(ctx.input.materials))
    required, _ = _applicant_materials(ctx)
    shared = {s["material"] for s in (ctx.subject.shared_materials or {}).get("satisfied", [])}
    return [m for m in required if m not in _uploaded(ctx) and m not in shared]


def request_correction_effect(ctx: Context) -> Effect:
    ctx.set(correction_count=ctx.subject.correction_count + 1)
    return Effect(timers={TIMER_DEEMED_ACCEPTANCE: None}, data={"materials": _correction_materials(ctx)},
                  notice=f"请一次性补正以下内容后重新提交：{ctx.input.reason}")


def resubmit_effect(ctx: Context) -> Effect:
    from yiwang.catalogue.rules import form_check

    case = ctx.subject
    ctx.set(received_on=ctx.today)
    if isinstance(ctx.input.form, dict):
        ctx.set(form=form_check(list(_item(ctx).form_fields or []), {**case.form, **ctx.input.form},
                                whose="该事项申请表"))
    return Effect(timers={TIMER_DEEMED_ACCEPTANCE: deemed_acceptance_due(case)})


def forward_effect(ctx: Context) -> Effect:
    """The receiving unit has the application (materials are already stored): its five days to accept
    (art. 32) run from today, and its clock from its own acceptance."""
    case = ctx.subject
    ctx.set(forwarded_at=ctx.now, received_on=ctx.today)
    due = clock.midnight_after(clock.deemed_acceptance_day(ctx.today))
    return Effect(timers={TIMER_DEEMED_ACCEPTANCE: due},
                  data={"from": case.remote_intake_unit.code, "to": case.receiving_unit.code},
                  notice=f"您的申请已由{case.remote_intake_unit.name}转交{case.receiving_unit.name}受理。")


def withdraw_effect(ctx: Context) -> Effect:
    return Effect(timers=dict.fromkeys(CASE_TIMERS), notice="您的申请已撤回。")


def review_effect(ctx: Context) -> Effect:
    case = ctx.subject
    data = {"step": case.steps[case.current_step] if case.current_step < len(case.steps) else ""}
    ctx.set(current_step=case.current_step + 1)
    if ctx.input.opinion:
        data["opinion"] = ctx.input.opinion
    return Effect(data=data)


def _decide(ctx: Context, decision: str, reason: str) -> Effect:
    """approve, deny, deemed_approve, decide_on_acceptance: the decision, the delivery limit (art. 44),
    and for a commitment approval the post-check."""
    case, cal, today = ctx.subject, _cal(ctx), ctx.today
    delivery_due = clock.delivery_due(today, add=cal.add_working_days)
    ctx.set(decision=decision, decided_at=ctx.now, decided_on=today, current_step=len(case.steps),
            delivery_due=delivery_due, decision_reason=reason)
    data: dict[str, Any] = {}
    timers: dict[str, datetime | None] = {
        TIMER_DEEMED_APPROVAL: None, TIMER_DEEMED_CONSENT: None, TIMER_SUPPLY_LIMIT: None,
        TIMER_DELIVERY_LIMIT: clock.midnight_after(delivery_due)}
    if case.commitment and decision == Decision.APPROVED:
        post_check_due = cal.add_working_days(today, _item(ctx).post_check_days).date
        ctx.set(post_check_pending=True, post_check_due=post_check_due)
        data["post_check_due"] = post_check_due.isoformat()
        timers[TIMER_POST_CHECK] = clock.midnight_after(post_check_due)
    data["decision"] = decision
    notice = (f"您的申请已准予（{reason}）。" if decision == Decision.APPROVED
              else f"您的申请不予许可。理由：{reason}。{RIGHT_TO_APPEAL}")
    return Effect(timers=timers, data=data, notice=notice, reason=reason)


def approve_effect(ctx: Context) -> Effect:
    return _decide(ctx, Decision.APPROVED, ctx.input.reason)


def deny_effect(ctx: Context) -> Effect:
    return _decide(ctx, Decision.DENIED, ctx.input.reason)


def deemed_approve_effect(ctx: Context) -> Effect:
    ctx.set(deemed="deemed_approval")
    return _decide(ctx, Decision.APPROVED, ctx.input.reason or "办理期限届满未作决定，依该事项超时默认规则由系统准予")


def decide_on_acceptance_effect(ctx: Context) -> Effect:
    default = "告知承诺：依申请人书面承诺当场准予" if ctx.subject.commitment else "即办件：受理即办结"
    return _decide(ctx, Decision.APPROVED, ctx.input.reason or default)


def pause_effect(ctx: Context) -> Effect:
    procedure = (ctx.input.procedure or "特别程序")[:32]
    ctx.set(pauses=[*ctx.subject.pauses, [ctx.today.isoformat(), None, procedure]], paused=True)
    return Effect(data={"procedure": procedure},
                  notice=f"书面告知：您的申请进入{procedure}，期间不计入办理时限。事由：{ctx.input.reason}")


def resume_effect(ctx: Context) -> Effect:
    pauses = [list(p) for p in ctx.subject.pauses]
    pauses[-1][1] = ctx.today.isoformat()
    ctx.set(pauses=pauses, paused=False)
    return Effect(notice="您的申请已恢复办理计时。")


def extend_effect(ctx: Context) -> Effect:
    days = ctx.input.days
    ctx.set(extension_days=days, extended=True)
    return Effect(data={"days": days}, notice=f"您的申请办理期限延长{days}个工作日。理由：{ctx.input.reason}")


def supply_material_effect(ctx: Context) -> Effect:
    name = ctx.input.material
    left = [m for m in ctx.subject.missing_materials if m != name]
    ctx.set(missing_materials=left)
    timers = {}
    if not left:
        ctx.set(supply_overdue=False)
        timers[TIMER_SUPPLY_LIMIT] = None
    return Effect(timers=timers, data={"material": name, "how": "paper" if ctx.input.on_paper else "upload"},
                  notice=f"容缺材料“{name}”已补交。")


def flag_supply_overdue_effect(ctx: Context) -> Effect:
    case = ctx.subject
    ctx.set(supply_overdue=True)
    return Effect(reason=ctx.input.reason or f"容缺材料未在 {case.supply_due} 前补交：" + "、".join(case.missing_materials))


def co_review_effect(ctx: Context) -> Effect:
    units = _actor_units(ctx)
    row = next(c for c in _co_reviews(ctx) if c.consent is None and c.unit.code in units)
    row.consent, row.opinion = ctx.input.consent, (ctx.input.opinion or ctx.input.reason)[:2000]
    row.answered_at, row.answered_by = ctx.now, ctx.actor
    row.save(update_fields=["consent", "opinion", "answered_at", "answered_by"])
    return Effect(data={"unit": row.unit.code, "consent": row.consent})


def deemed_consent_effect(ctx: Context) -> Effect:
    silent = [c for c in _co_reviews(ctx) if c.consent is None and c.slot_end < ctx.today]
    CoReview.objects.filter(pk__in=[c.pk for c in silent]).update(consent=True, deemed=True, answered_at=ctx.now)
    return Effect(data={"units": [c.unit.code for c in silent]},
                  reason=ctx.input.reason or "联合审查单位在意见期限内未出具意见，视为无异议")


def deliver_effect(ctx: Context) -> Effect:
    case = ctx.subject
    late = case.delivery_overdue or (case.delivery_due is not None and ctx.today > case.delivery_due)
    ctx.set(delivered_at=ctx.now, delivery_method=ctx.input.method.value, delivery_overdue=late)
    return Effect(timers={TIMER_DELIVERY_LIMIT: None}, data={"method": ctx.input.method.value},
                  notice="您的办理结果已送达。")


def flag_delivery_overdue_effect(ctx: Context) -> Effect:
    ctx.set(delivery_overdue=True)
    return Effect(reason=ctx.input.reason or
                  f"决定后10个工作日（{ctx.subject.delivery_due}）内未送达（《行政许可法》第四十四条）")


def flag_post_check_due_effect(ctx: Context) -> Effect:
    return Effect(reason=ctx.input.reason or f"告知承诺事后核查期限（{ctx.subject.post_check_due}）已到，请核查")


def post_check_pass_effect(ctx: Context) -> Effect:
    ctx.set(post_check_pending=False)
    return Effect(timers={TIMER_POST_CHECK: None})


def post_check_fail_effect(ctx: Context) -> Effect:
    from yiwang.parties.models import CreditRecord

    case, reason = ctx.subject, ctx.input.reason
    ctx.set(post_check_pending=False)
    CreditRecord.objects.create(party=case.applicant, kind="false_commitment",
                                reason=f"办件 {case.number} 告知承诺事后核查不通过：{reason}",
                                source=f"case:{case.number}")
    return Effect(timers={TIMER_POST_CHECK: None},
                  notice=f"经事后核查，您的承诺与实际不符，准予决定已撤销。理由：{reason}。{RIGHT_TO_APPEAL}")


def calendar_moved_effect(ctx: Context) -> Effect:
    return Effect(reason=ctx.input.reason or CALENDAR_MOVED_REASON,
                  data={"since": ctx.input.since} if ctx.input.since else {})


# ---------------------------------------------------------------- the clock, timers, notices


def clock_apply(case: Case, *, today: date, cal=None) -> None:
    """The deadline and due state from the case's clock columns (a pure function of its history)."""
    cal = cal or get_index()
    pauses = [(date.fromisoformat(p[0]), date.fromisoformat(p[1]) if p[1] else None) for p in case.pauses]
    h = clock.ClockHistory(accepted_on=case.accepted_on, promised_days=case.promised_days,
                           extension_days=case.extension_days, pauses=pauses)
    d = clock.deadline_from_history(h, add=cal.add_working_days, between=cal.working_days_between)
    case.deadline, case.deadline_provisional, case.paused_days = d.date, d.provisional, d.paused_days
    if case.status in RUNNING:
        case.due_state = clock.due_state(deadline=case.deadline, today=today, paused=case.paused,
                                         near_days=selectors.near_due_days(), between=cal.working_days_between)
    else:
        case.due_state = ""


def _derive(ctx: Context, effect: Effect) -> None:
    """The clock, recomputed on every action; a move of the deadline is recorded on the event."""
    case = ctx.subject
    before, provisional_before = case.deadline, case.deadline_provisional
    clock_apply(case, today=ctx.today, cal=_cal(ctx))
    ctx.changed |= {"deadline", "deadline_provisional", "paused_days", "due_state"}
    if ctx.action.name == "calendar_moved" and (case.deadline, case.deadline_provisional) == (
            before, provisional_before):
        raise DomainError("期限未变化", field="action", code="unchanged")
    if before != case.deadline:
        effect.data["deadline_before"] = before.isoformat() if before else None
        if case.deadline and effect.notice and ctx.action.name in ("pause", "resume", "extend"):
            effect.notice += f" 当前办结期限：{case.deadline}。"


def deemed_acceptance_due(case: Case) -> datetime:
    return clock.midnight_after(clock.deemed_acceptance_day(case.received_on))


def deemed_approval_plan(case: Case) -> dict[str, datetime | None]:
    """The deemed-approval timer the clock implies ({} when the item has no deemed approval)."""
    if not case.implementation.item.deemed_approval_allowed:
        return {}
    if case.status in ACTIVE and case.deadline:
        return {TIMER_DEEMED_APPROVAL: clock.midnight_after(case.deadline)}
    return {TIMER_DEEMED_APPROVAL: None}


def notice_put(case: Case, action: str, text: str, *, reason: str = "") -> None:
    """The outbox row telling the applicant (SMS, the portal's messages)."""
    outbox_put(topic=f"case.{action}", payload={
        "number": case.number, "action": action, "status": case.status, "reason": reason,
        "to": {"party": case.applicant.number, "name": case.applicant.name, "phone": case.applicant.phone},
        "text": text, "deadline": case.deadline.isoformat() if case.deadline else None,
    })


def _notify(ctx: Context, effect: Effect, event) -> None:
    if effect.notice or ctx.to_status != ctx.from_status:
        text = effect.notice or f"您的办件状态：{ctx.subject.get_status_display()}。"
        notice_put(ctx.subject, ctx.action.name, text, reason=event.reason)


def _event_extra(ctx: Context) -> dict:
    """The unit the staff member acted for (the case's receiving, reviewing or deciding unit)."""
    case = ctx.subject
    units = (case.receiving_unit_id, case.reviewing_unit_id, case.deciding_unit_id, case.remote_intake_unit_id)
    unit = next((s.unit for s in staff_roles(ctx.actor) if s.unit_id in units), None) if ctx.actor else None
    return {"actor_unit": unit}


def case_for_update(case: Case | str) -> Case:
    """The case afresh, with what guards, effects and notices read joined in."""
    number = case.number if isinstance(case, Case) else case
    found = (Case.objects.select_related("implementation__item", "applicant", "receiving_unit", "reviewing_unit",
                                         "deciding_unit", "in_name_of", "remote_intake_unit")
             .filter(number=number).first())
    if found is None:
        raise NotFound(f"办件“{number}”不存在", field="number", code="case_not_found")
    return found


# ---------------------------------------------------------------- the declaration

DECISION_ACTIONS = ("approve", "deny", "deemed_approve", "decide_on_acceptance")
APPROVALS = ("approve", "deemed_approve", "decide_on_acceptance")
# The actions that issue a document (documents.rules.ISSUED_BY); "submit" is the submission, which
# case_submit writes itself and hands to submit_reactions.
DOCUMENT_ACTIONS = ("submit", "accept", "deemed_accept", "request_correction", "refuse", "approve", "deemed_approve",
                    "decide_on_acceptance", "deny", "deliver")

ACTIONS = [
    action("forward", "转交受理地", edges={S.SUBMITTED: SAME}, actors={REMOTE_INTAKE}, input=CaseInput,
           guards=(remote_to_forward, scanned_for_forwarding), effect=forward_effect,
           basis=f"{CROSS_REGION_BASIS}（异地代收、收受分离）"),
    action("accept", "受理", edges={S.SUBMITTED: S.ACCEPTED}, actors={INTAKE}, input=AcceptIn,
           guards=(forwarded_if_remote, materials_complete, commitment_allowed), effect=accept_effect,
           basis=f"{LAW}第三十二条"),
    action("deemed_accept", "视为受理", edges={S.SUBMITTED: S.ACCEPTED}, actors={SYSTEM},
           guards=(forwarded_if_remote,), effect=deemed_accept_effect,
           basis=f"{LAW}第三十二条（五日内不告知视为受理）", input=CaseInput),
    action("refuse", "不予受理", edges={S.SUBMITTED: S.REFUSED}, actors={INTAKE}, input=ReasonIn,
           guards=(forwarded_if_remote,), effect=refuse_effect, basis=f"{LAW}第三十二条",
           confirm="确定不予受理？申请人须重新申请。"),
    action("request_correction", "一次性告知补正", edges={S.SUBMITTED: S.CORRECTION_REQUESTED}, actors={INTAKE},
           input=CorrectionIn, guards=(forwarded_if_remote, correction_once), effect=request_correction_effect,
           basis=f"{LAW}第三十二条（一次告知需要补正的全部内容）"),
    action("resubmit", "补正后重新提交", edges={S.CORRECTION_REQUESTED: S.SUBMITTED},
           actors={APPLICANT, INTAKE, REMOTE_INTAKE}, input=ResubmitIn, effect=resubmit_effect),
    action("withdraw", "撤回申请", edges=edges_from(UNDECIDED, S.WITHDRAWN), actors={APPLICANT, SYSTEM},
           input=CaseInput, effect=withdraw_effect, confirm="确定撤回申请？撤回后如需办理须重新申请。"),
    action("decide_on_acceptance", "当场办结", edges={S.ACCEPTED: S.APPROVED}, actors={INTAKE, DECIDER, SYSTEM},
           input=CaseInput, guards=(instant_or_commitment,), effect=decide_on_acceptance_effect,
           basis=f"{LAW}第三十四条（当场作出书面决定）"),
    action("review", "审核", edges=edges_from(ACTIVE, S.IN_REVIEW), actors={REVIEWER}, input=ReviewIn,
           guards=(review_step_left,), effect=review_effect, basis=f"{LAW}第三十四条"),
    action("approve", "准予许可", edges=edges_from(ACTIVE, S.APPROVED), actors={DECIDER}, input=CaseInput,
           guards=(review_steps_done, materials_supplied, co_review_consented), effect=approve_effect,
           basis=f"{LAW}第三十八条、第四十二条（在法定期限内作出决定）"),
    action("deny", "不予许可", edges=edges_from(ACTIVE, S.DENIED), actors={DECIDER}, input=ReasonIn,
           effect=deny_effect, basis=f"{LAW}第三十八条（说明理由，告知复议和诉讼权利）、第四十二条",
           confirm="确定不予许可？决定将书面告知申请人。"),
    action("deemed_approve", "超时默认准予", edges=edges_from(ACTIVE, S.APPROVED), actors={SYSTEM}, input=CaseInput,
           guards=(deemed_approval_allowed, materials_supplied), effect=deemed_approve_effect,
           basis=f"{LAW}第四十二条（办理期限）"),
    action("pause", "特别程序暂停计时", edges=edges_from(ACTIVE, S.PAUSED), actors={REVIEWER, DECIDER}, input=PauseIn,
           effect=pause_effect, basis=f"{LAW}第四十五条（听证、检验、检测、专家评审等所需时间不计入期限）"),
    action("resume", "恢复计时", edges={S.PAUSED: S.IN_REVIEW}, actors={REVIEWER, DECIDER}, input=CaseInput,
           effect=resume_effect, basis=f"{LAW}第四十五条"),
    action("extend", "延长期限", edges=edges_from(RUNNING, SAME), actors={HEAD}, input=ExtendIn,
           guards=(not_extended,), effect=extend_effect, basis=f"{LAW}第四十二条（经本行政机关负责人批准，可以延长十日）"),
    action("supply_material", "补交容缺材料", edges=edges_from(RUNNING, SAME),
           actors={APPLICANT, INTAKE, REMOTE_INTAKE},
           input=SupplyIn, guards=(materials_owed, material_missing, material_received), effect=supply_material_effect),
    action("flag_supply_overdue", "容缺材料逾期未补", edges=edges_from(RUNNING, SAME), actors={SYSTEM},
           input=CaseInput, guards=(supply_late,), effect=flag_supply_overdue_effect),
    action("co_review", "联合审查意见", edges=edges_from(RUNNING, SAME), actors={CO_REVIEWER}, input=CoReviewIn,
           guards=(co_review_open,), effect=co_review_effect),
    action("deemed_consent", "联合审查默认同意", edges=edges_from(RUNNING, SAME), actors={SYSTEM}, input=CaseInput,
           guards=(co_review_silent,), effect=deemed_consent_effect),
    action("calendar_moved", "工作日历调整期限", edges=edges_from(RUNNING, SAME), actors={SYSTEM}, input=CalendarIn,
           effect=calendar_moved_effect, basis=f"{LAW}第八十二条（期限以工作日计算）"),
    action("deliver", "送达结果", edges=edges_from(DECIDED, S.DELIVERED), actors={INTAKE, DECIDER, REMOTE_INTAKE},
           input=DeliverIn, guards=(delivered_where_chosen, delivery_as_chosen), effect=deliver_effect,
           basis=f"{LAW}第四十四条（作出决定之日起十日内送达）"),
    action("flag_delivery_overdue", "送达逾期", edges=edges_from(DECIDED, SAME), actors={SYSTEM}, input=CaseInput,
           effect=flag_delivery_overdue_effect, basis=f"{LAW}第四十四条"),
    action("flag_post_check_due", "事后核查到期", edges=edges_from(CHECKABLE, SAME), actors={SYSTEM}, input=CaseInput,
           guards=(post_check_open,), effect=flag_post_check_due_effect),
    action("post_check_pass", "事后核查通过", edges=edges_from(CHECKABLE, S.CLOSED), actors={DECIDER},
           input=CaseInput, guards=(post_check_open,), effect=post_check_pass_effect),
    action("post_check_fail", "事后核查不通过（撤销）", edges=edges_from(CHECKABLE, S.REVOKED), actors={DECIDER},
           input=ReasonIn, guards=(post_check_open,), effect=post_check_fail_effect,
           basis=f"{LAW}第六十九条（以欺骗等不正当手段取得的，应当予以撤销）",
           confirm="确定撤销准予决定？将记入申请人信用记录。"),
]

WORKFLOW = Workflow(
    name="case",
    label="办件",
    subject_model=Case,
    event_model=CaseEvent,
    event_subject="case",
    states=dict(CaseStatus.choices),
    actions={a.name: a for a in ACTIONS},
    actor_kinds=_actor_kinds,
    actor_labels=dict(ActorKind.choices),
    load=case_for_update,
    key=lambda case: case.number,
    derive=_derive,
    timer_plan=lambda ctx: deemed_approval_plan(ctx.subject),
    notify=_notify,
    event_extra=_event_extra,
    # Declared order: in the transaction the enterprise a registration creates, then the bundle case;
    # after commit, from the outbox, the licence (issued and SM2-signed by the worker: a bundle's
    # members waiting for it start when it is issued, see licences/reactions.py), the rating invitation.
    reactions=(
        # An approved registration first creates its enterprise (the licence's holder).
        react("parties.register_for_case", actions=APPROVALS),
        react("licences.issue_for_case", actions=APPROVALS, after_commit=True),
        react("licences.revoke_for_case", actions={"post_check_fail"}),
        react("bundlecases.member_decided", actions=DECISION_ACTIONS,
              entering={S.REFUSED, S.WITHDRAWN, S.REVOKED}),
        # A bundle member's delivery may complete its bundle (一件事 done when every result is delivered).
        react("bundlecases.member_delivered", actions={"deliver"}),
        react("evaluations.invite_case", actions={"deliver", "decide_on_acceptance"}, after_commit=True),
        # 双推送: every approval and revocation becomes the supervising unit's task (after commit).
        react("supervision.task_from_approval", entering={S.APPROVED, S.REVOKED}, after_commit=True),
        # A project's schedule follows the decisions of the cases filed under it (after commit).
        # 一企一档's 办结办件数, and a policy's application approved enters its redemption (after commit).
        react("policies.case_approved", actions=APPROVALS, after_commit=True),
        react("projects.case_moved", entering={S.APPROVED, S.DENIED, S.REFUSED, S.WITHDRAWN, S.REVOKED},
              after_commit=True),
        # The documents a hall prints (回执, 受理通知书, 一次性告知书, 决定书, 送达回证), after commit.
        react("documents.issue_for_case", actions=DOCUMENT_ACTIONS, after_commit=True),
    ),
    conflict_message=CONFLICT_MESSAGE,
    terminal=TERMINAL,
)
register_workflow(WORKFLOW)

def submit_reactions(case: Case, event: CaseEvent) -> None:
    """The after-commit reactions declared for the submission (not an action of the engine: case_submit
    writes its event), queued in the submission's transaction as the engine queues an action's."""
    for r in WORKFLOW.reactions:
        if r.after_commit and r.fires(action="submit", from_status="", to_status=S.SUBMITTED):
            outbox_put(topic=REACTION_TOPIC, payload={
                "reaction": r.name, "workflow": WORKFLOW.name, "key": case.number, "action": "submit",
                "seq": event.seq, "event": event.pk})


# Labels of what appears in a timeline but is not an action of the engine.
EVENT_LABELS = {"submit": "提交申请", **{a.name: a.label for a in ACTIONS}}


def event_label(action_name: str) -> str:
    return EVENT_LABELS.get(action_name, action_name)

