"""The bundle-case workflow (一件事办件), declared on the engine (yiwang/core/workflow).

A person accepts, resumes or withdraws a bundle case; the system starts it, records its members
(started, done, failed, not started) and completes it, and moves its deadline when the calendar
changes. services.py decides when the system acts (bundle_case_advance) and calls `apply` through
its `_act`; the member cases themselves are ordinary cases of the case workflow.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from yiwang.core.errors import NotFound
from yiwang.core.outbox import outbox_put
from yiwang.core.workflow import (
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

from . import rules as R
from . import selectors
from .models import BundleCase, BundleCaseEvent, BundleCaseStatus

S = BundleCaseStatus
CONFLICT_MESSAGE = "一件事办件已被他人处理，请刷新后重试"
OPEN = (S.RUNNING, S.STOPPED)  # members move here
ACTOR_LABELS = {R.APPLICANT: "申请人", R.CLERK: "一件事专窗受理人员", SYSTEM: "系统"}
LAW44 = "《中华人民共和国行政许可法》第四十四条（送达）"
BASIS = "《国务院关于进一步优化政务服务提升行政效能推动“高效办成一件事”的指导意见》（国发〔2024〕3号）"


# ---------------------------------------------------------------- inputs


class BundleInput(ActionInput):
    reason: str = Field("", title="理由", max_length=2000)


class AcceptIn(BundleInput):
    paper: list[str] = Field([], title="已收取的纸质材料")
    tolerate: list[str] = Field([], title="容缺材料")


class ResumeIn(BundleInput):
    form: dict[str, Any] | None = Field(None, title="合并申请表")


class SystemIn(BundleInput):
    """What the system records: the event's data and, for a member's failure, the notice and reason."""

    data: dict[str, Any] = Field({}, title="记录")
    notice: str = Field("", title="通知")


class MemberFailedIn(SystemIn):
    stop_reason: str = Field("", title="暂停原因")


class SupplyIn(BundleInput):
    material: str = Field(title="补交的材料", min_length=1)
    on_paper: bool = Field(False, title="纸质材料已核验")


class CalendarIn(SystemIn):
    deadline: str = Field(title="新期限")
    provisional: bool = Field(False, title="期限为暂定")


# ---------------------------------------------------------------- guards


@guard(needs_input=True)
def materials_received(ctx: Context):
    """Every required merged material received (on paper, uploaded online) or tolerated; only tolerable ones tolerated."""
    from .services import asked_materials

    paper, tolerate = set(ctx.input.paper), set(ctx.input.tolerate)
    uploaded = set(ctx.subject.uploads.values_list("name", flat=True))
    asked = asked_materials(ctx.subject.bundle)
    names = {m.name for m in asked}
    unknown = sorted((paper | tolerate) - names)
    if unknown:
        return Refusal("not_asked", f"“{unknown[0]}”不是该一件事需要申请人提交的材料", "paper")
    for m in asked:
        if m.name in tolerate and not m.tolerable:
            return Refusal("not_tolerable", f"“{m.name}”不可容缺", "tolerate")
        if m.required and m.name not in paper and m.name not in tolerate and m.name not in uploaded:
            return Refusal("materials_missing", f"缺少“{m.name}”，请收齐材料或一次性告知", "paper")
    return None


@guard
def materials_owed(ctx: Context):
    if (ctx.subject.materials or {}).get("tolerate"):
        return None
    return Refusal("nothing_owed", "该一件事没有待补交的容缺材料", "material")


@guard(needs_input=True)
def material_supplied(ctx: Context):
    """A tolerated material: uploaded (the service stored it first), or its paper verified by the window."""
    name = ctx.input.material
    if name not in (ctx.subject.materials or {}).get("tolerate", []):
        return Refusal("not_owed", f"“{name}”不是待补交的容缺材料", "material")
    if ctx.input.on_paper:
        if R.CLERK not in selectors.bundle_actor_kinds(ctx.subject, ctx.actor):
            return Refusal("paper_by_window", "纸质材料须由一件事专窗核验，申请人请上传电子材料", "on_paper")
        return None
    if not ctx.subject.uploads.filter(name=name).exists():
        return Refusal("not_uploaded", f"请上传“{name}”，或由一件事专窗核验纸质材料", "file")
    return None


@guard
def results_waiting(ctx: Context):
    if selectors.results_to_collect(ctx.subject):
        return None
    return Refusal("nothing_to_collect", "没有待领取的办理结果", "action")


# ---------------------------------------------------------------- effects


def accept_effect(ctx: Context) -> Effect:
    from yiwang.workcalendar.index import add_working_days

    bc, inp = ctx.subject, ctx.input
    due = add_working_days(ctx.today, bc.promised_days)
    materials = {"paper": sorted(set(inp.paper)), "tolerate": sorted(set(inp.tolerate) - set(inp.paper))}
    ctx.set(accepted_on=ctx.today, accepted_by=ctx.actor, deadline=due.date, deadline_provisional=due.provisional,
            materials=materials)
    return Effect(data={"accepted_on": ctx.today.isoformat(), "deadline": due.date.isoformat(), **materials},
                  notice=f"您的一件事“{bc.bundle.name}”已受理，办件编号 {bc.number}，承诺 {due.date} 前办结。")


def resume_effect(ctx: Context) -> Effect:
    from .services import _form_check

    bc = ctx.subject
    form = _form_check(bc.bundle, {**bc.form, **ctx.input.form}) if ctx.input.form else bc.form
    changed = sorted(k for k in form if form[k] != bc.form.get(k))
    ctx.set(form=form, stop_reason="")
    return Effect(data={"changed": changed}, notice=f"您的一件事“{bc.bundle.name}”已恢复办理。")


def supply_effect(ctx: Context) -> Effect:
    bc, name, paper = ctx.subject, ctx.input.material, ctx.input.on_paper
    m = dict(bc.materials or {})
    m["tolerate"] = [n for n in m.get("tolerate", []) if n != name]
    m["supplied"] = sorted({*m.get("supplied", []), name})
    if paper:
        m["paper"] = sorted({*m.get("paper", []), name})
    ctx.set(materials=m)
    return Effect(data={"material": name, "how": "paper" if paper else "upload"},
                  notice=f"您的一件事“{bc.bundle.name}”容缺材料“{name}”已补交。")


def collect_effect(ctx: Context) -> Effect:
    cases = selectors.results_to_collect(ctx.subject)
    return Effect(data={"cases": cases},
                  notice=f"您的一件事“{ctx.subject.bundle.name}”的 {len(cases)} 项办理结果已在一件事专窗一次领取。")


def withdraw_effect(ctx: Context) -> Effect:
    return Effect(notice="您的一件事申请已撤回。")


def record_effect(ctx: Context) -> Effect:
    """A system record: its data (and notice) as the service computed them."""
    return Effect(data=dict(ctx.input.data), notice=ctx.input.notice)


def member_failed_effect(ctx: Context) -> Effect:
    ctx.set(stop_reason=ctx.input.stop_reason)
    return record_effect(ctx)


def complete_effect(ctx: Context) -> Effect:
    ctx.set(completed_at=ctx.now)
    return record_effect(ctx)


def calendar_moved_effect(ctx: Context) -> Effect:
    from datetime import date

    ctx.set(deadline=date.fromisoformat(ctx.input.deadline), deadline_provisional=ctx.input.provisional)
    return record_effect(ctx)


# ---------------------------------------------------------------- the declaration


def notice_put(bc: BundleCase, action: str, text: str, *, reason: str = "") -> None:
    """The outbox row telling the applicant."""
    outbox_put(topic=f"bundle_case.{action}", payload={
        "number": bc.number, "bundle": bc.bundle.code, "action": action, "status": bc.status, "reason": reason,
        "to": {"party": bc.applicant.number, "name": bc.applicant.name, "phone": bc.applicant.phone},
        "text": text, "deadline": bc.deadline.isoformat() if bc.deadline else None,
    })


def _notify(ctx: Context, effect: Effect, event) -> None:
    if effect.notice or ctx.to_status != ctx.from_status:
        bc = ctx.subject
        text = effect.notice or f"您的一件事“{bc.bundle.name}”状态：{bc.get_status_display()}。"
        notice_put(bc, ctx.action.name, text, reason=event.reason)


def bundle_case_for_update(key) -> BundleCase:
    """The bundle case, locked: the members it starts are decided under this row lock."""
    number = key.number if isinstance(key, BundleCase) else key
    bc = (BundleCase.objects.select_for_update(of=("self",))
          .select_related("bundle", "applicant", "accepted_by", "submitted_by").filter(number=number).first())
    if bc is None:
        raise NotFound(f"一件事办件“{number}”不存在", field="number", code="case_not_found")
    return bc


_SYS = {"actors": {SYSTEM}, "input": SystemIn, "effect": record_effect}
ACTIONS = [
    action("accept", "一窗受理", edges={S.SUBMITTED: S.ACCEPTED}, actors={R.CLERK}, input=AcceptIn,
           guards=(materials_received,), effect=accept_effect, basis=BASIS),
    action("start", "开始并联/串联办理", edges={S.ACCEPTED: S.RUNNING}, **_SYS),
    action("member_started", "事项开始办理", edges=edges_from(OPEN, SAME), **_SYS),
    action("member_start_failed", "事项未能自动开始", edges=edges_from(OPEN, SAME), **_SYS),
    action("member_done", "事项办结", edges=edges_from(OPEN, SAME), **_SYS),
    action("member_delivered", "事项结果送达", edges=edges_from(OPEN, SAME), **_SYS),
    action("supply_material", "补交容缺材料", edges=edges_from(OPEN, SAME), actors={R.APPLICANT, R.CLERK},
           input=SupplyIn, guards=(materials_owed, material_supplied), effect=supply_effect),
    action("collect", "一次领取", edges=edges_from(OPEN, SAME), actors={R.CLERK}, input=BundleInput,
           guards=(results_waiting,), effect=collect_effect,
           basis=f"{LAW44}；{BASIS}", confirm="确定申请人已在一件事专窗一次领取全部已办结事项的结果？"),
    action("member_failed", "事项未通过", edges={S.RUNNING: S.STOPPED, S.STOPPED: SAME}, actors={SYSTEM},
           input=MemberFailedIn, effect=member_failed_effect),
    action("complete", "一件事办结", edges={S.RUNNING: S.COMPLETED}, actors={SYSTEM}, input=SystemIn,
           effect=complete_effect),
    action("resume", "补正后恢复办理", edges={S.STOPPED: S.RUNNING}, actors={R.CLERK}, input=ResumeIn,
           effect=resume_effect),
    action("withdraw", "撤回申请", edges=edges_from((S.SUBMITTED, *OPEN), S.WITHDRAWN), actors={R.APPLICANT, R.CLERK},
           input=BundleInput, effect=withdraw_effect, confirm="确定撤回一件事申请？未办结的事项一并撤回，已办结的不受影响。"),
    action("calendar_moved", "工作日历调整期限", edges=edges_from((S.ACCEPTED, *OPEN), SAME), actors={SYSTEM},
           input=CalendarIn, effect=calendar_moved_effect, basis="《中华人民共和国行政许可法》第八十二条（期限以工作日计算）"),
]

WORKFLOW = Workflow(
    name="bundle_case",
    label="一件事办件",
    subject_model=BundleCase,
    event_model=BundleCaseEvent,
    event_subject="bundle_case",
    states=dict(BundleCaseStatus.choices),
    actions={a.name: a for a in ACTIONS},
    actor_kinds=lambda ctx: selectors.bundle_actor_kinds(ctx.subject, ctx.actor),
    actor_labels=ACTOR_LABELS,
    load=bundle_case_for_update,
    key=lambda bc: bc.number,
    notify=_notify,
    conflict_message=CONFLICT_MESSAGE,
    terminal=frozenset({S.COMPLETED, S.WITHDRAWN}),
    # 一事一评: one rating invitation for the whole bundle case once every result is delivered.
    reactions=(react("evaluations.invite_bundle", actions={"complete"}, after_commit=True),),
)
register_workflow(WORKFLOW)

EVENT_LABELS = {"submit": "提交一件事申请", **{a.name: a.label for a in ACTIONS}}
