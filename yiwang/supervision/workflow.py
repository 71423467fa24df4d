"""The supervision workflows on the engine: the annual plan (备案), the draw, the inspection and the
supervision task from an approval (双推送、双报告)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from pydantic import Field

from yiwang.core.workflow import (
    SAME,
    SYSTEM,
    ActionInput,
    Effect,
    Refusal,
    Workflow,
    action,
    edges_from,
    guard,
)
from yiwang.organisations.models import Role
from yiwang.organisations.selectors import staff_roles
from yiwang.workcalendar.index import add_working_days

from .config import config
from .models import (
    Draw,
    DrawEvent,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    PlanEvent,
    RepairApplication,
    RepairEvent,
    SupervisionTask,
    TaskEvent,
)

ACTOR_LABELS = {"unit": "本单位工作人员", "head": "本单位负责人", "supervisor": "督查人员", SYSTEM: "系统"}


def day_end(d: date) -> datetime:
    """A deadline day is whole: its timer fires at the next midnight, local time."""
    return datetime.combine(d + timedelta(days=1), time(0, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def unit_kinds(actor, unit_id: int) -> set[str]:
    kinds: set[str] = set()
    for s in staff_roles(actor):
        if s.unit_id == unit_id and s.role in (Role.APPROVER, Role.DEPARTMENT_HEAD):
            kinds.add("unit")
        if s.unit_id == unit_id and s.role == Role.DEPARTMENT_HEAD:
            kinds.add("head")
        if s.role == Role.SUPERVISOR:
            kinds.add("supervisor")
    return kinds


def _actor_kinds(ctx) -> set[str]:
    subject = ctx.subject
    unit_id = subject.plan.unit_id if isinstance(subject, Draw) else subject.unit_id
    return unit_kinds(ctx.actor, unit_id)


def _loader(model, field: str, related=()):
    def load(key_or_subject):
        key = getattr(key_or_subject, field) if isinstance(key_or_subject, model) else key_or_subject
        from yiwang.core.errors import NotFound

        obj = model.objects.select_related(*related).filter(**{field: key}).first()
        if obj is None:
            raise NotFound(f"未找到{model._meta.verbose_name}“{key}”")
        return obj

    return load


# ================================================================ the annual plan


def plan_late(*, year: int, day: date) -> bool:
    """衡阳县: every unit files its plan for the year by 31 March; filing after that is late."""
    return day > date(year, 3, 31)


class NoteIn(ActionInput):
    note: str = Field("", title="审批意见", max_length=200)


class ReturnIn(ActionInput):
    note: str = Field(..., title="退回理由", min_length=1, max_length=200)


@guard
def plan_has_items(ctx):
    if not ctx.subject.items.exists():
        return Refusal("no_items", "计划未列入任何随机抽查事项，不能备案", "items")
    return None


def _file(ctx):
    late = plan_late(year=ctx.subject.year, day=ctx.today)
    ctx.set(filed_on=ctx.today, late=late)
    if late:
        return Effect(to="pending", reason=f"{ctx.subject.year}年3月31日后备案，为逾期备案，须经审批",
                      data={"late": True})
    return Effect(to="filed", data={"late": False})


def _approve(ctx):
    ctx.set(decided_note=ctx.input.note)
    return Effect(reason=ctx.input.note or "准予逾期备案")


def _return(ctx):
    ctx.set(decided_note=ctx.input.note)
    return Effect(reason=ctx.input.note)


PLAN = Workflow(
    name="supervision_plan", label="年度抽查计划", subject_model=InspectionPlan, event_model=PlanEvent,
    event_subject="plan",
    states={"draft": "草拟", "pending": "逾期备案待审批", "filed": "已备案"},
    actions={
        "file": action("file", "备案", edges={"draft": "filed"}, actors={"unit"}, guards=(plan_has_items,),
                       effect=_file, basis="衡阳县：涉企检查须于每年3月统一备案",
                       confirm="备案后计划即对外公示，确定备案？"),
        "approve": action("approve", "准予逾期备案", edges={"pending": "filed"}, actors={"supervisor"},
                          input=NoteIn, effect=_approve),
        "send_back": action("send_back", "退回", edges={"pending": "draft"}, actors={"supervisor"}, input=ReturnIn,
                            effect=_return),
    },
    actor_kinds=_actor_kinds, actor_labels=ACTOR_LABELS,
    load=lambda s: _plan_load(s), key=lambda p: p.key,
)


def _plan_load(key_or_subject):
    from yiwang.core.errors import NotFound

    pk = key_or_subject.pk if isinstance(key_or_subject, InspectionPlan) else str(key_or_subject).split(":")[-1]
    obj = InspectionPlan.objects.select_related("unit").filter(pk=pk).first()
    if obj is None:
        raise NotFound("未找到该年度抽查计划")
    return obj




# ================================================================ the draw


@guard
def plan_is_filed(ctx):
    if ctx.subject.plan.status != "filed":
        return Refusal("plan_not_filed", "年度抽查计划尚未备案（或逾期备案未获批准），不能抽取", "plan")
    return None


def _run(ctx):
    from .services import draw_materialise

    return draw_materialise(ctx)


DRAW = Workflow(
    name="supervision_draw", label="双随机抽取", subject_model=Draw, event_model=DrawEvent, event_subject="draw",
    states={"seeded": "种子已公布", "drawn": "已抽取"},
    actions={
        "run": action("run", "按公布的种子抽取", edges={"seeded": "drawn"}, actors={"unit"}, guards=(plan_is_filed,),
                      effect=_run, basis="国办发〔2015〕58号：随机抽取检查对象，随机选派执法检查人员",
                      confirm="抽取结果将立即公示且不可更改，确定抽取？"),
    },
    actor_kinds=_actor_kinds, actor_labels=ACTOR_LABELS,
    load=_loader(Draw, "number", ("plan", "plan__unit", "item")), key=lambda d: d.number,
    terminal=frozenset({"drawn"}),
)


# ================================================================ the inspection

PUBLISH_TIMER = "supervision.publish_due"


class RecordIn(ActionInput):
    result: Literal["passed", "rectify", "case"] = Field(..., title="检查结果")
    findings: str = Field(..., title="检查情况", min_length=1, max_length=2000)
    inspected_on: date = Field(..., title="检查日期")
    rectify_due: date | None = Field(None, title="整改期限")


class RecheckIn(ActionInput):
    rectified: bool = Field(..., title="是否整改到位")
    findings: str = Field(..., title="复查情况", min_length=1, max_length=2000)


@guard(needs_input=True)
def record_dates(ctx):
    i = ctx.input
    if i.inspected_on > ctx.today:
        return Refusal("future", "检查日期不能晚于今天", "inspected_on")
    if i.result == "rectify" and i.rectify_due is None:
        return Refusal("rectify_due", "责令整改须填写整改期限", "rectify_due")
    if i.rectify_due is not None and i.rectify_due <= i.inspected_on:
        return Refusal("rectify_due", "整改期限应晚于检查日期", "rectify_due")
    return None


@guard(needs_input=True)
def joint_visit_date(ctx):
    """联合抽查: one visit, one date for every unit's result (进一次门、查多项事)."""
    if not ctx.subject.visit:
        return None
    from .rules import joint_visit_refusal

    recorded = (Inspection.objects.filter(visit=ctx.subject.visit, inspected_on__isnull=False)
                .exclude(pk=ctx.subject.pk).values_list("inspected_on", flat=True))
    why = joint_visit_refusal(recorded=recorded, inspected_on=ctx.input.inspected_on)
    return Refusal("joint_visit_date", why, "inspected_on") if why else None


@guard
def not_published(ctx):
    if ctx.subject.published_at is not None:
        return Refusal("published", "检查结果已公示", "action")
    return None


@guard
def not_flagged(ctx):
    if ctx.subject.publish_overdue or ctx.subject.published_at is not None:
        return Refusal("flagged", "已公示或已标记逾期", "action")
    return None


def publish_deadline(inspected_on: date):
    """《企业信息公示暂行条例》第六条：自产生之日起20个工作日内公示."""
    return add_working_days(inspected_on, config()["publish_days"])


def _record(ctx):
    from .services import credit_from_inspection

    i = ctx.input
    due = publish_deadline(i.inspected_on)
    to = {"passed": "concluded", "rectify": "rectifying", "case": "concluded"}[i.result]
    ctx.set(result=i.result, findings=i.findings, inspected_on=i.inspected_on, rectify_due=i.rectify_due,
            deadline=due.date, deadline_provisional=due.provisional)
    credit_from_inspection(ctx.subject, result=i.result, on=i.inspected_on)
    return Effect(to=to, timers={PUBLISH_TIMER: day_end(due.date)},
                  data={"result": i.result, "rectify_due": i.rectify_due and i.rectify_due.isoformat(),
                        "publish_due": due.date.isoformat()})


def _recheck(ctx):
    from .services import credit_from_inspection

    result = "rectified" if ctx.input.rectified else "case"
    ctx.set(result=result, findings=f"{ctx.subject.findings}\n复查：{ctx.input.findings}")
    if result == "case":
        credit_from_inspection(ctx.subject, result="case", on=ctx.today)
    return Effect(data={"result": result})


def _publish(ctx):
    ctx.set(published_at=ctx.now)
    return Effect(timers={PUBLISH_TIMER: None})


def _flag_publish(ctx):
    ctx.set(publish_overdue=True)
    return Effect(reason=f"检查后20个工作日（{ctx.subject.deadline}）内未公示检查结果")


def _inspection_moved(ctx):
    due = publish_deadline(ctx.subject.inspected_on)
    ctx.set(deadline=due.date, deadline_provisional=due.provisional)
    return Effect(timers={PUBLISH_TIMER: day_end(due.date)}, reason="工作日历调整，重新计算公示期限",
                  data={"publish_due": due.date.isoformat()})


_RESULT_STATES = ("rectifying", "concluded")

INSPECTION = Workflow(
    name="supervision_inspection", label="涉企检查", subject_model=Inspection, event_model=InspectionEvent,
    event_subject="inspection",
    states={"assigned": "待检查", "rectifying": "整改中", "concluded": "已办结"},
    actions={
        "record": action("record", "录入检查结果", edges={"assigned": "concluded"}, actors={"unit"}, input=RecordIn,
                         guards=(record_dates, joint_visit_date), effect=_record, basis="国办发〔2015〕58号"),
        "recheck": action("recheck", "整改复查", edges={"rectifying": "concluded"}, actors={"unit"}, input=RecheckIn,
                          effect=_recheck),
        "publish": action("publish", "公示检查结果", edges=edges_from(_RESULT_STATES, SAME), actors={"unit"},
                          guards=(not_published,), effect=_publish,
                          basis="《企业信息公示暂行条例》第六条（20个工作日内公示）",
                          confirm="公示后检查结果将记于企业名下对外公开，确定公示？"),
        "flag_publish_overdue": action("flag_publish_overdue", "标记公示逾期", edges=edges_from(_RESULT_STATES, SAME),
                                       actors={SYSTEM}, guards=(not_flagged,), effect=_flag_publish),
        "calendar_moved": action("calendar_moved", "重算公示期限", edges=edges_from(_RESULT_STATES, SAME),
                                 actors={SYSTEM}, guards=(not_published,), effect=_inspection_moved),
    },
    actor_kinds=_actor_kinds, actor_labels=ACTOR_LABELS,
    load=_loader(Inspection, "number", ("party", "unit", "item")), key=lambda i: i.number,
)


# ================================================================ the supervision task (双推送)

TASK_TIMER = "supervision.task_due"


class ReportIn(ActionInput):
    result: Literal["onsite", "document", "credit", "none"] = Field(..., title="监管措施")
    note: str = Field("", title="处置情况", max_length=2000)


@guard(needs_input=True)
def note_when_nothing(ctx):
    if ctx.input.result == "none" and not ctx.input.note:
        return Refusal("note", "选择“无需处置”时须填写处置情况（理由）", "note")
    return None


@guard
def not_overdue(ctx):
    return Refusal("flagged", "已标记超期", "action") if ctx.subject.overdue else None


def _claim(ctx):
    due = add_working_days(ctx.today, config()["result_days"])
    ctx.set(deadline=due.date, deadline_provisional=due.provisional, overdue=False)
    return Effect(timers={TASK_TIMER: day_end(due.date)}, data={"result_due": due.date.isoformat()})


def _report(ctx):
    t = ctx.subject
    ctx.set(result=ctx.input.result, result_note=ctx.input.note, pushed_at=ctx.now)
    payload = {"task": t.number, "case_number": t.case_number, "to_unit": t.approving_unit.code,
               "from_unit": t.unit.code, "result": ctx.input.result, "note": ctx.input.note}
    return Effect(timers={TASK_TIMER: None}, outbox=[("supervision.result_pushed", payload)],
                  notice="", data={"result": ctx.input.result, "pushed_to": t.approving_unit.code})


def _flag_task(ctx):
    what = "认领" if ctx.subject.status == "pending" else "反馈监管结果"
    ctx.set(overdue=True)
    return Effect(reason=f"未在期限（{ctx.subject.deadline}）内{what}")


TASK = Workflow(
    name="supervision_task", label="监管任务", subject_model=SupervisionTask, event_model=TaskEvent,
    event_subject="task",
    states={"pending": "待认领", "claimed": "已认领", "reported": "已反馈"},
    actions={
        "claim": action("claim", "认领", edges={"pending": "claimed"}, actors={"unit"}, effect=_claim),
        "report": action("report", "反馈监管结果", edges={"claimed": "reported"}, actors={"unit"}, input=ReportIn,
                         guards=(note_when_nothing,), effect=_report, basis="审批和监管信息双推送、双报告（岳阳）",
                         confirm="反馈后结果将推送至审批单位，确定反馈？"),
        "flag_overdue": action("flag_overdue", "标记超期", edges=edges_from(("pending", "claimed"), SAME),
                               actors={SYSTEM}, guards=(not_overdue,), effect=_flag_task),
    },
    actor_kinds=_actor_kinds, actor_labels=ACTOR_LABELS,
    load=_loader(SupervisionTask, "number", ("unit", "approving_unit", "party")), key=lambda t: t.number,
    terminal=frozenset({"reported"}),
)

# ================================================================ 信用修复


REPAIR_TIMER = "supervision.repair_due"


class DecideIn(ActionInput):
    note: str = Field(..., title="审核意见", min_length=1, max_length=300)


def _repair_approve(ctx):
    from .services import credit_repair

    ctx.set(decided_note=ctx.input.note)
    credit_repair(record=ctx.subject.record, actor=ctx.actor, note=ctx.input.note, now=ctx.now)
    return Effect(timers={REPAIR_TIMER: None}, notice="您的信用修复申请已通过，该记录停止公示。")


def _repair_reject(ctx):
    ctx.set(decided_note=ctx.input.note)
    return Effect(timers={REPAIR_TIMER: None}, notice=f"您的信用修复申请未通过：{ctx.input.note}")


def _repair_flag(ctx):
    ctx.set(overdue=True)
    return Effect(reason=f"未在期限（{ctx.subject.deadline}）内作出修复决定")


REPAIR = Workflow(
    name="supervision_repair", label="信用修复申请", subject_model=RepairApplication, event_model=RepairEvent,
    event_subject="application",
    states={"submitted": "待审核", "approved": "已修复", "rejected": "不予修复"},
    actions={
        "approve": action("approve", "准予修复", edges={"submitted": "approved"}, actors={"supervisor"}, input=DecideIn,
                          effect=_repair_approve, basis="《失信行为纠正后的信用信息修复管理办法（试行）》",
                          confirm="修复后该记录停止公示、不再计入信用等级，确定准予修复？"),
        "reject": action("reject", "不予修复", edges={"submitted": "rejected"}, actors={"supervisor"}, input=DecideIn,
                         effect=_repair_reject),
        "flag_overdue": action("flag_overdue", "标记超期", edges={"submitted": SAME}, actors={SYSTEM},
                               guards=(not_overdue,), effect=_repair_flag),
    },
    actor_kinds=lambda ctx: {"supervisor"} & unit_kinds(ctx.actor, -1),
    actor_labels=ACTOR_LABELS,
    load=_loader(RepairApplication, "number", ("record", "party")), key=lambda a: a.number,
    terminal=frozenset({"approved", "rejected"}),
)

WORKFLOWS = (PLAN, DRAW, INSPECTION, TASK, REPAIR)
