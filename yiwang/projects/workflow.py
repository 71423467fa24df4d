"""The project workflow on the engine: 洽谈 → 签约 → 供地 → 开工 → 竣工 → 办证 (四即), the pre-service
tasks, the named agent, the cases filed under the project, and the schedule recomputed by every
action (`derive`) and by the system when a case moves or the calendar changes (`reschedule`)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from pydantic import Field

from yiwang.core.errors import NotFound
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
from yiwang.organisations.selectors import is_staff_member, staff_roles

from .models import Project, ProjectEvent, ProjectStatus
from .rules import PRE_SERVICES

S = ProjectStatus
PARK_ROLES = (Role.APPROVER, Role.DEPARTMENT_HEAD, Role.LEADER)  # the park's own officers, not its windows
OPEN = (S.NEGOTIATING, S.SIGNED, S.LAND_SUPPLIED, S.STARTED, S.COMPLETED)
ACTOR_LABELS = {"park": "园区工作人员", "agent": "项目帮代办专员", "enterprise": "建设单位", SYSTEM: "系统"}
BASIS = "国办发〔2019〕11号；岳阳“四即”改革"


def kinds_of(p: Project, user) -> set[str]:
    """What the user is to the project: its park's staff, its named agent, the enterprise."""
    kinds = set()
    if not getattr(user, "is_authenticated", False):
        return kinds
    if any(s.unit_id == p.park_id and s.role in PARK_ROLES for s in staff_roles(user)):
        kinds.add("park")
    if p.agent_id is not None and p.agent_id == user.pk:
        kinds.add("agent")
    if p.enterprise.user_id is not None and p.enterprise.user_id == user.pk:
        kinds.add("enterprise")
    return kinds


def _actor_kinds(ctx) -> set[str]:
    return kinds_of(ctx.subject, ctx.actor)


def project_load(key_or_subject) -> Project:
    code = key_or_subject.code if isinstance(key_or_subject, Project) else str(key_or_subject)
    p = Project.objects.select_related("enterprise", "park", "agent").filter(code=code).first()
    if p is None:
        raise NotFound(f"未找到项目“{code}”", field="code")
    return p


# ---------------------------------------------------------------- inputs


class TaskIn(ActionInput):
    task: str = Field(..., title="服务事项", description="site 用地选址 · admission 准入评审 · land_approval 用地报批准备")
    done_on: date = Field(..., title="完成日期")


class SignIn(ActionInput):
    on: date = Field(..., title="签约日期")
    land_notice_days: int = Field(5, title="土地出让公告承诺时限（工作日）", ge=1, le=60)


class DayIn(ActionInput):
    on: date = Field(..., title="日期")


class ReasonIn(ActionInput):
    reason: str = Field(..., title="终止原因", min_length=1, max_length=300)


class AgentIn(ActionInput):
    agent: str = Field(..., title="帮代办专员账号", min_length=1, max_length=150)


class LinkIn(ActionInput):
    member: str = Field(..., title="项目成员", min_length=1, max_length=32)
    case: str = Field(..., title="办件编号", min_length=1, max_length=96)


class RescheduleIn(ActionInput):
    reason: str = Field("", title="原因", max_length=200)


# ---------------------------------------------------------------- guards


@guard(needs_input=True)
def day_not_future(ctx):
    on = getattr(ctx.input, "on", None) or getattr(ctx.input, "done_on", None)
    if on is not None and on > ctx.today:
        key = "on" if hasattr(ctx.input, "on") else "done_on"
        return Refusal("future", "日期不能晚于今天", key)
    return None


@guard(needs_input=True)
def day_after_previous(ctx):
    """A milestone cannot precede the one before it (签约 → 公告 → 交地 → 开工 → 竣工)."""
    p = ctx.subject
    before = {"sign": p.begun_on, "publish_land_notice": p.signed_on, "supply_land": p.land_notice_on,
              "start": p.land_supplied_on, "complete": p.started_on}.get(ctx.action.name)
    if before is not None and ctx.input.on < before:
        return Refusal("before_previous", f"日期不能早于上一节点（{before:%Y-%m-%d}）", "on")
    return None


@guard(needs_input=True)
def task_open(ctx):
    if ctx.input.task not in PRE_SERVICES:
        return Refusal("task", "服务事项应为用地选址、准入评审或用地报批准备", "task")
    m = ctx.subject.members.filter(key=ctx.input.task).first()
    if m is None or m.done_on is not None:
        return Refusal("task_done", f"“{PRE_SERVICES[ctx.input.task]}”已完成", "task", status=409)
    return None


@guard
def pre_services_done(ctx):
    left = list(ctx.subject.members.filter(kind="task", done_on__isnull=True).values_list("label", flat=True))
    if left:
        return Refusal("pre_service", "洽谈即服务：签约前须完成" + "、".join(left), "action")
    return None


@guard
def notice_not_published(ctx):
    if ctx.subject.land_notice_on is not None:
        return Refusal("published", "土地出让公告已发布", "action", status=409)
    return None


@guard
def notice_published(ctx):
    if ctx.subject.land_notice_on is None:
        return Refusal("no_notice", "签约即供地：须先发布土地出让公告", "action")
    return None


def _approved(project, key: str) -> bool:
    m = project.members.select_related("case").filter(key=key).first()
    return m is not None and m.case is not None and m.case.status in ("approved", "delivered", "closed")


@guard
def permit_ready(ctx):
    if not _approved(ctx.subject, "SGXK-1"):
        return Refusal("no_permit", "拿地即开工：须先取得施工许可（土方开挖与基坑支护阶段）", "action")
    return None


@guard
def certificate_issued(ctx):
    if not _approved(ctx.subject, "BDCSCDJ"):
        return Refusal("no_certificate", "验收即办证：不动产首次登记尚未办结", "action")
    return None


@guard(needs_input=True)
def agent_is_staff(ctx):
    user = get_user_model().objects.filter(username=ctx.input.agent, is_active=True).first()
    if user is None:
        return Refusal("agent", f"帮代办专员账号“{ctx.input.agent}”不存在", "agent")
    if not is_staff_member(user):
        return Refusal("agent", "帮代办专员须为工作人员账号", "agent")
    if user.pk == ctx.subject.agent_id:
        return Refusal("same_agent", "该专员已是本项目的帮代办专员", "agent", status=409)
    ctx.cached("agent", lambda: user)
    return None


@guard(needs_input=True)
def case_fits_member(ctx):
    from .services import link_target

    refusal, target = link_target(ctx.subject, member=ctx.input.member, number=ctx.input.case)
    if refusal is None:
        ctx.cached("link", lambda: target)
    return refusal


# ---------------------------------------------------------------- effects


def _task(ctx):
    ctx.subject.members.filter(key=ctx.input.task).update(done_on=ctx.input.done_on)
    return Effect(reason=f"洽谈即服务：{PRE_SERVICES[ctx.input.task]}完成", data={"task": ctx.input.task,
                                                                           "on": ctx.input.done_on.isoformat()})


def _sign(ctx):
    ctx.set(signed_on=ctx.input.on, land_notice_days=ctx.input.land_notice_days)
    ctx.subject.members.filter(key="land_notice").update(days=ctx.input.land_notice_days)
    return Effect(data={"on": ctx.input.on.isoformat(), "land_notice_days": ctx.input.land_notice_days})


def _day(column: str):
    def effect(ctx):
        ctx.set(**{column: ctx.input.on})
        return Effect(data={"on": ctx.input.on.isoformat()})

    effect.__name__ = f"_set_{column}"
    return effect


def _certify(ctx):
    ctx.set(certified_on=ctx.today)
    return Effect(notice="您的项目已办结不动产首次登记（验收即办证）。")


def _assign(ctx):
    agent = ctx.cached("agent", lambda: None)
    before = ctx.subject.agent.username if ctx.subject.agent_id else ""
    ctx.set(agent=agent)
    return Effect(reason=f"一个项目、一名专员：{agent.first_name or agent.username}",
                  data={"agent": agent.username, "before": before})


def _link(ctx):
    member, target = ctx.cached("link", lambda: None)
    field = "bundle_case" if member.kind == "bundle" else "case"
    type(member).objects.filter(pk=member.pk).update(**{field: target})
    return Effect(reason=f"{member.label}：{target.number}", data={"member": member.key, "case": target.number})


def _reschedule(ctx):
    return Effect(reason=ctx.input.reason or "重新计算进度")


def _derive(ctx, effect) -> None:
    from .services import schedule_columns

    ctx.set(**schedule_columns(ctx.subject, today=ctx.today))


_DAY = (DayIn, (day_not_future, day_after_previous))

ACTIONS = [
    action("pre_service_done", "完成洽谈服务事项", edges={S.NEGOTIATING: SAME}, actors={"park", "agent"}, input=TaskIn,
           guards=(task_open, day_not_future), effect=_task, basis="洽谈即服务：签约前提前介入、预先服务"),
    action("sign", "签约", edges={S.NEGOTIATING: S.SIGNED}, actors={"park"}, input=SignIn,
           guards=(pre_services_done, day_not_future, day_after_previous), effect=_sign, basis=BASIS),
    action("publish_land_notice", "发布土地出让公告", edges={S.SIGNED: SAME}, actors={"park"}, input=DayIn,
           guards=(notice_not_published, *_DAY[1]), effect=_day("land_notice_on"),
           basis="签约即供地：正式签约后在承诺时间内发布土地出让公告"),
    action("supply_land", "交地（供地）", edges={S.SIGNED: S.LAND_SUPPLIED}, actors={"park"}, input=DayIn,
           guards=(notice_published, *_DAY[1]), effect=_day("land_supplied_on"), basis=BASIS),
    action("start", "开工", edges={S.LAND_SUPPLIED: S.STARTED}, actors={"park", "agent"}, input=DayIn,
           guards=(permit_ready, *_DAY[1]), effect=_day("started_on"), basis="拿地即开工；分阶段施工许可"),
    action("complete", "竣工", edges={S.STARTED: S.COMPLETED}, actors={"park", "agent"}, input=DayIn,
           guards=_DAY[1], effect=_day("completed_on"), basis="竣工即验收：联合验收限时8个工作日"),
    action("certify", "办证", edges={S.COMPLETED: S.CERTIFIED}, actors={"park", "agent"},
           guards=(certificate_issued,), effect=_certify, basis="验收即办证：不动产首次登记"),
    action("terminate", "终止项目", edges=edges_from(OPEN, S.TERMINATED), actors={"park"}, input=ReasonIn,
           confirm="终止后项目不再推进，确定终止？"),
    action("assign_agent", "指定帮代办专员", edges=edges_from(OPEN, SAME), actors={"park"}, input=AgentIn,
           guards=(agent_is_staff,), effect=_assign, basis="一个项目、一名专员（株洲高新区）"),
    action("link_case", "关联办件", edges=edges_from(OPEN, SAME), actors={"park", "agent", "enterprise"},
           input=LinkIn, guards=(case_fits_member,), effect=_link),
    action("reschedule", "重新计算进度", edges=edges_from(OPEN, SAME), actors={SYSTEM}, input=RescheduleIn,
           effect=_reschedule),
]

WORKFLOW = Workflow(
    name="project", label="项目", subject_model=Project, event_model=ProjectEvent, event_subject="project",
    states=dict(ProjectStatus.choices), actions={a.name: a for a in ACTIONS}, actor_kinds=_actor_kinds,
    actor_labels=ACTOR_LABELS, load=project_load, key=lambda p: p.code, derive=_derive,
    conflict_message="项目已被他人更新，请刷新后重试", terminal=frozenset({S.CERTIFIED, S.TERMINATED}),
)

FIRST_EVENTS = {"create": "登记项目"}


def event_label(name: str) -> str:
    return FIRST_EVENTS.get(name) or WORKFLOW.action_label(name)
