"""The monthly ledger report (月度台账) as a workflow on the engine.

未报送 → (报送) → 已报送待审核 → (审核通过) → 已审核, or → (退回修改) → 已退回待修改 → (报送) → …
The reporting unit saves its progress per measure and submits by the plan's due day (the 25th of
the month, a date deadline). Timers: a reminder `remind_days` before the due day, and the overdue
mark the day after it, both only while the report is not submitted.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from django.conf import settings
from pydantic import Field

from yiwang.core.outbox import outbox_put
from yiwang.core.workflow import SYSTEM, ActionInput, Effect, Refusal, Workflow, action, guard
from yiwang.organisations.models import Role
from yiwang.organisations.selectors import region_subtree_codes, staff_roles

from .models import Progress, ProgressEntry, ProgressReport, ProgressReportEvent, ReportStatus

S = ReportStatus
REPORTER = "reporter"
OFFICE = "office"
TIMER_REMIND = "ledger.remind"
TIMER_OVERDUE = "ledger.overdue"
OPEN = (S.DRAFT, S.RETURNED)
HANDLING = (Role.DEPARTMENT_HEAD, Role.APPROVER, Role.SUPERVISOR, Role.LEADER)


def _tz_at(d: date, hour: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(d, time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def due_date(month: date, due_day: int) -> date:
    """The month's due day (the 25th), or its last day in a shorter month."""
    nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return min(month.replace(day=1) + timedelta(days=due_day - 1), nxt - timedelta(days=1))


def remind_at(deadline: date, days: int) -> datetime:
    return _tz_at(deadline - timedelta(days=days), 9)


def overdue_at(deadline: date) -> datetime:
    return _tz_at(deadline + timedelta(days=1))


# ---------------------------------------------------------------- who the actor is

def is_office(user, plan) -> bool:
    """The reform office: supervisors of the plan's office unit, or whose region subtree holds the plan."""
    for s in staff_roles(user):
        if s.role != Role.SUPERVISOR:
            continue
        if s.unit_id == plan.office_id or plan.region_id in region_subtree_codes(s.unit.region_id):
            return True
    return False


def _actor_kinds(ctx) -> set[str]:
    r = ctx.subject
    kinds = set()
    if any(s.unit_id == r.unit_id and s.role in HANDLING for s in staff_roles(ctx.actor)):
        kinds.add(REPORTER)
    if is_office(ctx.actor, r.plan):
        kinds.add(OFFICE)
    return kinds


# ---------------------------------------------------------------- inputs

class EntryIn(ActionInput):
    task: str = Field(title="措施编号", max_length=16)
    progress: Literal["not_started", "in_progress", "done"] = Field("not_started", title="推进状态")
    text: str = Field("", title="落实进展", max_length=2000)
    figures: str = Field("", title="量化成效", max_length=500)


class SaveIn(ActionInput):
    entries: list[EntryIn] = Field(title="各项措施进展", max_length=200)


class ReturnIn(ActionInput):
    reason: str = Field(title="退回意见", min_length=1, max_length=2000)
    resubmit_by: date | None = Field(None, title="重新报送期限")


class AcceptIn(ActionInput):
    reason: str = Field("", title="审核意见", max_length=2000)


# ---------------------------------------------------------------- guards and effects

@guard(needs_input=True)
def tasks_known(ctx) -> Refusal | None:
    known = set(ctx.subject.plan.tasks.values_list("code", flat=True))
    unknown = [e.task for e in ctx.input.entries if e.task not in known]
    if unknown:
        return Refusal("unknown_task", f"措施编号“{unknown[0]}”不在本方案中", "entries")
    return None


@guard
def every_measure_filled(ctx) -> Refusal | None:
    r = ctx.subject
    codes = list(r.plan.tasks.values_list("code", flat=True))
    filled = set(ProgressEntry.objects.filter(report=r).exclude(text="").values_list("task__code", flat=True))
    missing = [c for c in codes if c not in filled]
    if missing:
        return Refusal("incomplete", f"请先填写第{'、'.join(missing[:5])}{'等' if len(missing) > 5 else ''}项措施的落实进展",
                       "entries")
    return None


@guard(needs_input=True)
def resubmit_date_valid(ctx) -> Refusal | None:
    d = ctx.input.resubmit_by
    if d is not None and d < ctx.today:
        return Refusal("invalid", "重新报送期限不能早于今天", "resubmit_by")
    return None


@guard
def not_reminded(ctx) -> Refusal | None:
    return Refusal("reminded", "已提醒过", "action") if ctx.subject.reminded else None


def _save(ctx) -> Effect:
    r = ctx.subject
    tasks = dict(r.plan.tasks.values_list("code", "id"))
    for e in ctx.input.entries:
        ProgressEntry.objects.update_or_create(report=r, task_id=tasks[e.task], defaults={
            "progress": e.progress, "text": e.text, "figures": e.figures})
    done = sum(1 for e in ctx.input.entries if e.progress == Progress.DONE)
    return Effect(data={"entries": len(ctx.input.entries), "done": done})


def _submit(ctx) -> Effect:
    r = ctx.subject
    late = ctx.today > r.deadline
    ctx.set(submitted_at=ctx.now, late=late)
    return Effect(data={"late": late}, notice=f"{r.unit.name} {r.month:%Y年%m月}台账已报送")


def _return(ctx) -> Effect:
    r = ctx.subject
    new = ctx.input.resubmit_by or max(r.deadline, ctx.today + timedelta(days=3))
    ctx.set(review_comment=ctx.input.reason, deadline=new, overdue=False, reminded=True)
    return Effect(data={"resubmit_by": new.isoformat()},
                  notice=f"{r.month:%Y年%m月}台账被退回：{ctx.input.reason}。请于{new}前重新报送")


def _accept(ctx) -> Effect:
    ctx.set(review_comment=ctx.input.reason)
    return Effect(notice=f"{ctx.subject.month:%Y年%m月}台账已审核通过")


def _remind(ctx) -> Effect:
    r = ctx.subject
    ctx.set(reminded=True)
    return Effect(reason=f"提醒：{r.month:%Y年%m月}改革台账请于{r.deadline}前报送",
                  notice=f"请于{r.deadline}前报送{r.month:%Y年%m月}改革台账")


def _mark_overdue(ctx) -> Effect:
    r = ctx.subject
    ctx.set(overdue=True)
    return Effect(reason=f"逾期：{r.month:%Y年%m月}改革台账未在{r.deadline}前报送")


def timers_for(r: ProgressReport) -> dict:
    """The reminder and the overdue mark while the report is not submitted; none after."""
    if r.status not in OPEN:
        return {TIMER_REMIND: None, TIMER_OVERDUE: None}
    return {TIMER_REMIND: None if r.reminded else remind_at(r.deadline, r.plan.remind_days),
            TIMER_OVERDUE: None if r.overdue else overdue_at(r.deadline)}


def _timer_plan(ctx) -> dict:
    return timers_for(ctx.subject)


def _notify(ctx, effect: Effect, event) -> None:
    if effect.notice:
        r = ctx.subject
        outbox_put(topic=f"ledger.{event.action}", payload={"report": r.key, "unit": r.unit.code,
                                                           "to": {"name": r.unit.name}, "text": effect.notice})


def _load(subject) -> ProgressReport:
    qs = ProgressReport.objects.select_related("plan", "unit")
    if isinstance(subject, ProgressReport):
        return qs.get(pk=subject.pk)
    plan, unit, month = str(subject).split(":")
    return qs.get(plan__code=plan, unit__code=unit, month=date.fromisoformat(f"{month}-01"))


WORKFLOW = Workflow(
    name="ledger_report",
    label="月度台账",
    subject_model=ProgressReport,
    event_model=ProgressReportEvent,
    event_subject="report",
    states=dict(S.choices),
    actions={a.name: a for a in (
        action("save", "保存进展", edges={S.DRAFT: "=", S.RETURNED: "="}, actors={REPORTER}, input=SaveIn,
               guards=(tasks_known,), effect=_save),
        action("submit", "报送", edges={S.DRAFT: S.SUBMITTED, S.RETURNED: S.SUBMITTED}, actors={REPORTER},
               guards=(every_measure_filled,), effect=_submit, confirm="确定报送本月台账？报送后不能修改，除非被退回。",
               basis="每月25日前将工作台账报送至市审改办"),
        action("return_report", "退回修改", edges={S.SUBMITTED: S.RETURNED}, actors={OFFICE}, input=ReturnIn,
               guards=(resubmit_date_valid,), effect=_return),
        action("accept", "审核通过", edges={S.SUBMITTED: S.ACCEPTED}, actors={OFFICE}, input=AcceptIn,
               effect=_accept, confirm="确定审核通过？"),
        action("remind", "到期提醒", edges={S.DRAFT: "=", S.RETURNED: "="}, actors={SYSTEM},
               guards=(not_reminded,), effect=_remind),
        action("mark_overdue", "逾期未报", edges={S.DRAFT: "=", S.RETURNED: "="}, actors={SYSTEM},
               effect=_mark_overdue),
    )},
    actor_kinds=_actor_kinds,
    actor_labels={REPORTER: "填报单位", OFFICE: "审改办（督查人员）", SYSTEM: "系统"},
    load=_load,
    key=lambda r: r.key,
    timer_plan=_timer_plan,
    notify=_notify,
    terminal=frozenset({S.ACCEPTED}),
)
