"""The 12345 request workflow, declared once on the one engine (core.workflow).

States are the request statuses (models.Status, their Chinese labels); every change of a request —
intake, dispatch, sign-for, return, arbitration, reply, the visit back (回访), escalation to the
办不成事 window, item-by-item closing of enterprise demands, the timers' flags and a calendar
recompute — is one action below, carried out by `apply` and written as one RequestEvent.

Legal basis: 国办发〔2020〕53号 (受理、派单、办理、答复、督办、办结、回访、评价 closed loop),
国办函〔2025〕66号 (派单异议、退单、改派; 指定主办; 重复诉求并单), GB/T 39046 (satisfaction codes),
and the local 12345 rules of /work/shared/research/cn_standards.md §4.3 (签收 within 1 working day,
working days per kind: rules.DEFAULT_DAYS; after 3 returns the hotline designates the unit).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import Field, field_validator

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
    apply,
    edges_from,
    guard,
    react,
)
from yiwang.core.workflow.checks import register_workflow
from yiwang.core.workflow.reactions import reaction
from yiwang.evaluations.rules import LEVEL_NAMES, TZ, end_of_day, is_bad
from yiwang.organisations.models import Role, Staff, Unit
from yiwang.organisations.selectors import staff_roles
from yiwang.workcalendar.index import add_working_days

from . import rules
from .models import OPEN_STATUSES, DemandItem, Kind, Request, RequestChannel, RequestEvent, Status

TIMER_NEAR = "hotline.near_due"
TIMER_OVERDUE = "hotline.overdue"
TIMER_SIGN = "hotline.sign_due"

OPEN = [s.value for s in OPEN_STATUSES]
TERMINAL = frozenset({Status.CLOSED.value, Status.MERGED.value})
FLAGGED = [s for s in OPEN if s != Status.REPLIED]  # a replied request waits for the visit, not the unit

# --- who acts ---------------------------------------------------------------------------------------

OPERATOR, SUPERVISOR, UNIT, LEAD, CO_UNIT, REQUESTER = "operator", "supervisor", "unit", "lead", "co_unit", "requester"
ACTOR_LABELS = {OPERATOR: "热线话务员", SUPERVISOR: "督查人员", UNIT: "承办单位", LEAD: "牵头单位",
                CO_UNIT: "协办单位", REQUESTER: "诉求人", SYSTEM: "系统"}


@dataclass(frozen=True)
class Requester:
    """The requester acting without an account: known by the request's token (the tracking link)."""

    token: str = ""
    is_authenticated = False


def kinds_of(actor, req: Request) -> set[str]:
    """The one resolution of who `actor` is to `req` (pages, the API and may_see_attachments use it)."""
    if actor is None:
        return {SYSTEM}
    if isinstance(actor, Requester):
        ok = bool(actor.token and req.token and secrets.compare_digest(actor.token, req.token))
        return {REQUESTER} if ok else set()
    kinds: set[str] = set()
    units = set()
    for s in staff_roles(actor):
        if s.role in (Role.HOTLINE_OPERATOR, Role.SUPERVISOR):
            kinds.add(OPERATOR)
        if s.role == Role.SUPERVISOR:
            kinds.add(SUPERVISOR)
        units.add(s.unit_id)
    if req.unit_id in units:
        kinds.add(UNIT)
    if req.lead_unit_id in units:
        kinds.add(LEAD)
    if req.lead_unit_id and units - {req.unit_id, req.lead_unit_id} and (
            units & set(req.co_units.values_list("id", flat=True))):
        kinds.add(CO_UNIT)
    return kinds


def _actor_kinds(ctx: Context) -> set[str]:
    return kinds_of(ctx.actor, ctx.subject)


# --- inputs (one per action; titles are what refusals name) ------------------------------------------

def _text(title: str, *, required: bool = True, max_length: int = 500):
    return Field(... if required else "", title=title, min_length=1 if required else 0, max_length=max_length)


class CreateIn(ActionInput):
    kind: str = Field(title="诉求类型", max_length=16)
    channel: str = Field(title="来源渠道", max_length=16)
    title: str = _text("诉求标题", max_length=200)
    content: str = _text("诉求内容", max_length=4000)
    anonymous: bool = Field(False, title="匿名")
    contact: bool = Field(False, title="联系方式")  # a phone, an e-mail or a known requester was given
    demand_items: list[str] = Field(default_factory=list, title="企业诉求事项")

    @field_validator("demand_items")
    @classmethod
    def _items(cls, v: list[str]) -> list[str]:
        return [x.strip() for x in v if x and x.strip()]


class UnitIn(ActionInput):
    unit: str = Field("", title="承办单位", max_length=32)


class ChosenUnitIn(ActionInput):
    unit: str = _text("承办单位", max_length=32)


class ArbitrateIn(ChosenUnitIn):
    reason: str = _text("裁定意见", required=False)


class ReturnIn(ActionInput):
    reason: str = _text("退单理由")


class DisputeIn(ActionInput):
    reason: str = _text("争议说明", required=False)


class EscalateIn(ActionInput):
    reason: str = _text("转办原因")


class SuperviseIn(ActionInput):
    reason: str = _text("督办意见")


class AnswerIn(ActionInput):
    article: int = Field(title="知识库条目", ge=1)


class MergeIn(ActionInput):
    into: str = _text("并入工单", max_length=32)


class MergedInIn(ActionInput):
    source: str = _text("重复诉求", max_length=32)


class ReplyIn(ActionInput):
    reply: str = _text("答复内容", max_length=4000)


class VisitIn(ActionInput):
    level: int = Field(title="回访满意度", ge=1, le=5)
    reason: str = _text("回访记录", required=False)


class CloseItemIn(ActionInput):
    item: int = Field(title="诉求事项", ge=1)
    result: str = _text("办理结果", max_length=2000)


class CoordinateIn(ActionInput):
    lead_unit: str = _text("牵头单位", max_length=32)
    co_units: list[str] = Field(default_factory=list, title="协办单位")
    joint_deadline: date = Field(title="协调办结时限")
    reason: str = _text("协调意见", required=False)


class ConcludeIn(ActionInput):
    outcome: str = _text("办理结果", max_length=4000)


class AttachIn(ActionInput):
    name: str = Field("", title="文件名", max_length=400)
    content: bytes = Field(title="文件")


class CalendarIn(ActionInput):
    since: date = Field(title="日历调整起始日")


# --- guards -----------------------------------------------------------------------------------------

def _unit(ctx: Context, code: str) -> Unit | None:
    return ctx.cached(f"unit:{code}", lambda: Unit.objects.filter(code=code).first()) if code else None


@guard
def not_yet_registered(ctx):
    if ctx.subject.version:
        return Refusal("registered", "工单已登记", None, 409)


@guard(needs_input=True)
def intake_is_complete(ctx):
    i, req = ctx.input, ctx.subject
    if i.kind not in Kind.values:
        return Refusal("invalid", f"诉求类型“{i.kind}”不存在", "kind")
    if i.channel not in RequestChannel.values:
        return Refusal("invalid", f"来源渠道“{i.channel}”不存在", "channel")
    if i.anonymous and not rules.may_be_anonymous(i.kind):
        return Refusal("invalid", f"{Kind(i.kind).label}类诉求需要留下联系方式，不能匿名", "anonymous")
    if not i.anonymous and not i.contact:
        return Refusal("invalid", "请留下联系电话（或选择匿名）", "phone")
    if i.demand_items and not req.is_demand:
        return Refusal("invalid", "企业诉求事项须以企业名义提出，请选择诉求企业（企业名称或统一社会信用代码）",
                       "requester")


@guard
def returns_below_limit(ctx):
    if ctx.subject.returns >= rules.MAX_RETURNS:
        return Refusal("must_assign", f"已退单{ctx.subject.returns}次，请由热线指定承办单位", "unit", 409)


@guard
def returns_at_limit(ctx):
    if ctx.subject.returns < rules.MAX_RETURNS:
        return Refusal("assign_too_early", f"退单未满{rules.MAX_RETURNS}次，请重新派单或提请督查裁定", "unit", 409)


def _outside_region(ctx, unit: Unit, field: str) -> Refusal | None:
    """A request goes to a unit of its own region (or a region below it), never across the province."""
    from yiwang.organisations.selectors import region_subtree_codes

    req = ctx.subject
    codes = ctx.cached(f"region_tree:{req.region_id}", lambda: set(region_subtree_codes(req.region_id)))
    if unit.region_id not in codes:
        region = req.region.name if req.region_id else ""
        return Refusal("invalid", f"{unit.name}不是{region}的单位，请选择工单所在地区的承办单位", field)
    return None


@guard(needs_input=True)
def unit_exists(ctx):
    code = ctx.input.unit
    if code and _unit(ctx, code) is None:
        return Refusal("invalid", f"单位“{code}”不存在", "unit")
    if not code and ctx.subject.proposed_unit_id is None:
        return Refusal("invalid", "没有匹配的派单规则，请选择承办单位", "unit")
    return _outside_region(ctx, _unit(ctx, code) or ctx.subject.proposed_unit, "unit")


@guard
def not_designated(ctx):
    if ctx.subject.designated:
        return Refusal("designated", "本工单为指定承办，不能退回", "reason", 409)


@guard
def is_consultation(ctx):
    if ctx.subject.kind != Kind.CONSULT:
        return Refusal("invalid", "只有咨询类诉求可以用知识库即时办结", "article")


def _article(ctx):
    from yiwang.kb.models import Article

    return ctx.cached("article", lambda: Article.objects.filter(pk=ctx.input.article).first())


@guard(needs_input=True)
def article_exists(ctx):
    if _article(ctx) is None:
        return Refusal("invalid", "知识库文章不存在", "article")


def _target(ctx) -> Request | None:
    return ctx.cached("into", lambda: Request.objects.select_for_update().filter(number=ctx.input.into).first())


@guard(needs_input=True)
def merge_target_is_open(ctx):
    target = _target(ctx)
    if target is None:
        return Refusal("invalid", f"工单“{ctx.input.into}”不存在", "into")
    if target.pk == ctx.subject.pk:
        return Refusal("invalid", "不能与自身并单", "into")
    if target.status not in OPEN or target.merged_into_id:
        return Refusal("conflict", "目标工单已办结或已并单", "into", 409)


@guard
def demand_items_closed(ctx):
    n = ctx.cached("open_items", lambda: ctx.subject.items.filter(closed_at__isnull=True).count())
    if n:
        return Refusal("items_open", f"还有{n}项企业诉求未销号", "reply", 409)


@guard
def has_open_items(ctx):
    if not ctx.cached("open_items", lambda: ctx.subject.items.filter(closed_at__isnull=True).count()):
        return Refusal("conflict", "没有待销号的企业诉求事项", "item", 409)


@guard
def closer_fits_the_state(ctx):
    """While handling, the unit closes items; once escalated, the lead unit or a supervisor."""
    allowed = {LEAD, SUPERVISOR} if ctx.subject.status == Status.ESCALATED else {UNIT}
    if not ctx.kinds & allowed:
        who = "牵头单位或督查人员" if ctx.subject.status == Status.ESCALATED else "承办单位"
        return Refusal("forbidden", f"只有{who}可以销号", "unit", 403)


def _item(ctx) -> DemandItem | None:
    return ctx.cached("item", lambda: DemandItem.objects.select_for_update().filter(
        request=ctx.subject, pk=ctx.input.item).first())


@guard(needs_input=True)
def item_is_open(ctx):
    item = _item(ctx)
    if item is None:
        return Refusal("invalid", "该诉求事项不存在", "item")
    if item.closed_at:
        return Refusal("conflict", "该事项已销号", "item", 409)


@guard(needs_input=True)
def coordination_is_valid(ctx):
    i = ctx.input
    if _unit(ctx, i.lead_unit) is None:
        return Refusal("invalid", f"单位“{i.lead_unit}”不存在", "lead_unit")
    missing = [c for c in i.co_units if _unit(ctx, c) is None]
    if missing:
        return Refusal("invalid", f"单位“{missing[0]}”不存在", "co_units")
    for code, field in [(i.lead_unit, "lead_unit"), *((c, "co_units") for c in i.co_units)]:
        outside = _outside_region(ctx, _unit(ctx, code), field)
        if outside:
            return outside
    if i.joint_deadline < ctx.today:
        return Refusal("invalid", "协调办结时限不能早于今天", "joint_deadline")


@guard
def lead_unit_set(ctx):
    if ctx.subject.lead_unit_id is None:
        return Refusal("conflict", "请先确定牵头单位", "lead_unit", 409)


@guard
def has_unit(ctx):
    if ctx.subject.unit_id is None:
        return Refusal("conflict", "工单尚无承办单位", "unit", 409)


@guard
def not_near_due_yet(ctx):
    if ctx.subject.near_due:
        return Refusal("conflict", "已提示临期", None, 409)


@guard
def not_overdue_yet(ctx):
    if ctx.subject.overdue:
        return Refusal("conflict", "已标记超期", None, 409)


@guard
def not_sign_overdue_yet(ctx):
    if ctx.subject.sign_overdue:
        return Refusal("conflict", "已标记签收超时", None, 409)


@guard
def room_for_attachments(ctx):
    if ctx.subject.attachments.count() >= 10:
        return Refusal("invalid", "每个工单最多10个附件", "file")


def attachment_max_bytes() -> int:
    from django.conf import settings

    return int(getattr(settings, "YIWANG_HOTLINE_MAX_ATTACHMENT_MB", 10)) * 1024 * 1024


@guard(needs_input=True)
def file_is_acceptable(ctx):
    from yiwang.cases.materials import sniff

    content = ctx.input.content
    if not content:
        return Refusal("invalid", "文件为空", "file")
    if len(content) > attachment_max_bytes():
        return Refusal("invalid", f"文件超过{attachment_max_bytes() // (1024 * 1024)}MB", "file")
    if ctx.cached("file_kind", lambda: sniff(content)) is None:
        return Refusal("invalid", "只接受 PDF、JPG、PNG 或 OFD 文件（按文件内容判断）", "file")


# --- effects ----------------------------------------------------------------------------------------

def deadline_values(req: Request, start: datetime) -> dict:
    """The working-day (or urgent: hours) deadline counted from `start`, as the columns to set."""
    d = rules.request_deadline(req.kind, start, urgent=req.urgent, add_working_days=add_working_days)
    return {"deadline_from": start, "deadline_at": d.deadline_at, "near_due_at": d.near_due_at,
            "deadline_provisional": d.provisional}


def _restart_clock(ctx: Context, start: datetime) -> dict:
    values = deadline_values(ctx.subject, start)
    ctx.set(**values, near_due=False, overdue=False)
    return {TIMER_NEAR: values["near_due_at"], TIMER_OVERDUE: values["deadline_at"]}


def _create(ctx):
    req, i = ctx.subject, ctx.input
    ctx.set(number=f"{ctx.now.astimezone(TZ):%Y%m%d}{req.pk:06d}")
    timers = _restart_clock(ctx, ctx.now)
    DemandItem.objects.bulk_create([DemandItem(request=req, order=n, content=text)
                                    for n, text in enumerate(i.demand_items, start=1)])
    return Effect(timers=timers, data={"kind": req.kind, "channel": req.channel,
                                       "proposed_unit": req.proposed_unit.code if req.proposed_unit_id else None})


def _dispatch(ctx):
    unit = _unit(ctx, ctx.input.unit) or ctx.subject.proposed_unit
    due = rules.sign_due(ctx.now, add_working_days)
    ctx.set(unit=unit, dispatched_at=ctx.now, sign_due_at=due, sign_overdue=False)
    return Effect(timers={TIMER_SIGN: due}, data={"unit_code": unit.code})


def _return(ctx):
    req = ctx.subject
    data = {"returned_by": req.unit.code, "returns": req.returns + 1}
    ctx.set(returns=req.returns + 1, unit=None)
    return Effect(data=data)


def _designate(ctx):
    unit = _unit(ctx, ctx.input.unit)
    ctx.set(unit=unit, designated=True)
    return Effect(data={"unit_code": unit.code})


def _answer(ctx):
    article = _article(ctx)
    ctx.set(article=article, reply=article.answer or article.summary or article.title,
            replied_at=ctx.now, replied_by=ctx.actor)
    return Effect(data={"article": article.key})


def _merge(ctx):
    target = _target(ctx)
    ctx.set(merged_into=target)
    return Effect(data={"into": target.number})


def _merged_in(ctx):
    return Effect(reason=f"重复诉求 {ctx.input.source} 并入本工单", data={"source": ctx.input.source})


def _reply(ctx):
    ctx.set(reply=ctx.input.reply, replied_at=ctx.now, replied_by=ctx.actor)
    return Effect(reason=ctx.input.reply)


def _visit(ctx):
    """回访: the satisfaction is a hotline evaluation (GB/T 39046). Satisfied → closed; dissatisfied →
    reopened once to the same unit with a new deadline; dissatisfied again → the 办不成事 window."""
    from yiwang.evaluations import services as evaluations

    req, level = ctx.subject, ctx.input.level
    ev = evaluations.evaluation_invite(
        subject_kind="hotline", subject_ref=req.number, unit=req.unit or req.lead_unit, staff=req.replied_by,
        rater_party=req.requester, rater_name=req.requester_name, rater_phone=req.phone, now=ctx.now)
    evaluations.evaluation_rate(evaluation=ev, level=level, channel="hotline", text=ctx.input.reason, now=ctx.now)
    ctx.set(satisfaction=level)
    data = {"level": level, "level_name": LEVEL_NAMES[level]}
    if not is_bad(level):
        return Effect(to=Status.CLOSED, data={**data, "outcome": "closed"})
    if req.reopens < 1:
        ctx.set(reopens=req.reopens + 1)
        return Effect(to=Status.HANDLING, timers=_restart_clock(ctx, ctx.now), data={**data, "outcome": "reopened"})
    return Effect(to=Status.ESCALATED, reason=ctx.input.reason or "回访不满意，重办后仍不满意",
                  data={**data, "outcome": "escalated"})


def _close_item(ctx):
    item = _item(ctx)
    item.closed_at, item.closed_by, item.result = ctx.now, _user(ctx.actor), ctx.input.result
    item.save(update_fields=["closed_at", "closed_by", "result"])
    return Effect(reason=item.result, data={"item": item.order})


def _coordinate(ctx):
    i = ctx.input
    lead, co = _unit(ctx, i.lead_unit), [_unit(ctx, c) for c in i.co_units]
    due = end_of_day(i.joint_deadline)
    ctx.set(lead_unit=lead, unit=lead, joint_deadline_at=due, deadline_at=due, deadline_provisional=False,
            overdue=False, near_due=False)
    ctx.subject.co_units.set(co)
    return Effect(timers={TIMER_OVERDUE: due, TIMER_NEAR: None},
                  data={"lead_unit": lead.code, "co_units": [u.code for u in co],
                        "joint_deadline": i.joint_deadline.isoformat()})


def _conclude(ctx):
    ctx.set(outcome=ctx.input.outcome)
    return Effect(reason=ctx.input.outcome)


def _supervision_notice(req: Request, message: str) -> tuple[str, dict]:
    """督办: the unit and its department heads are told (outbox)."""
    heads = list(Staff.objects.filter(unit_id=req.unit_id, role=Role.DEPARTMENT_HEAD)
                 .values_list("user__username", flat=True)) if req.unit_id else []
    return "hotline.supervise", {
        "request": req.number, "unit": req.unit.code if req.unit_id else None, "heads": heads,
        "deadline": req.deadline_at.isoformat() if req.deadline_at else None, "message": message}


def _supervise(ctx):
    req = ctx.subject
    text = f"【督办】工单{req.number}“{req.title}”：{ctx.input.reason}"
    return Effect(outbox=[_supervision_notice(req, text)])


def _near_due(ctx):
    ctx.set(near_due=True)
    return Effect(reason="距办理时限不足1个工作日")


def _overdue(ctx):
    req = ctx.subject
    ctx.set(overdue=True)
    text = f"【督办】工单{req.number}“{req.title}”已超期，请立即办理并答复。"
    return Effect(reason="督办：工单已超过办理时限", outbox=[_supervision_notice(req, text)])


def _sign_overdue(ctx):
    """The request stays with the unit (a late sign-for is still one); the dispatcher and the
    supervisors are told, and the dispatcher may dispute it to a supervisor."""
    req = ctx.subject
    ctx.set(sign_overdue=True)
    dispatch = (req.events.filter(action="dispatch").select_related("actor").order_by("-seq").first())
    supervisors = sorted(set(Staff.objects.filter(role=Role.SUPERVISOR).values_list("user__username", flat=True)))
    return Effect(reason=f"承办单位超过{rules.SIGN_WORKING_DAYS}个工作日未签收", outbox=[(
        "hotline.sign_overdue_notice", {
            "request": req.number, "unit": req.unit.code if req.unit_id else None,
            "dispatcher": dispatch.actor.username if dispatch and dispatch.actor_id else None,
            "supervisors": supervisors, "sign_due_at": req.sign_due_at.isoformat() if req.sign_due_at else None,
            "message": f"【签收超时】工单{req.number}派至{req.unit.name if req.unit_id else ''}后超过1个工作日未签收。"})])


def recomputed(req) -> dict:
    """The clock columns a calendar change moves: the working-day deadline (not an urgent one, nor a
    joint deadline a supervisor set) and, while waiting for the sign-for, its limit."""
    moved = {}
    if req.deadline_from and not req.urgent and req.joint_deadline_at is None:
        values = deadline_values(req, req.deadline_from)
        if (values["deadline_at"], values["deadline_provisional"]) != (req.deadline_at, req.deadline_provisional):
            moved.update(values)
    if req.status == Status.DISPATCHED and req.dispatched_at:
        due = rules.sign_due(req.dispatched_at, add_working_days)
        if due != req.sign_due_at:
            moved["sign_due_at"] = due
    return moved


def _calendar_moved(ctx):
    req = ctx.subject
    before = {"deadline_before": req.deadline_at.isoformat() if req.deadline_at else None,
              "sign_due_before": req.sign_due_at.isoformat() if req.sign_due_at else None}
    moved = recomputed(req)
    ctx.set(**moved)
    timers = {}
    if "deadline_at" in moved:
        timers = {TIMER_OVERDUE: moved["deadline_at"], TIMER_NEAR: None if req.near_due else moved["near_due_at"]}
    if "sign_due_at" in moved and not req.sign_overdue:
        timers[TIMER_SIGN] = moved["sign_due_at"]
    reason = f"因工作日历调整（{ctx.input.since.isoformat()}起），重新计算时限"
    if "deadline_provisional" in moved and not moved["deadline_provisional"]:
        reason += "；所涉年度的节假日安排已公布，期限不再是暂定"
    return Effect(timers=timers, reason=reason, data={**before, "since": ctx.input.since.isoformat()})


def _attach(ctx):
    import hashlib

    from django.core.files.base import ContentFile

    from .models import Attachment

    req, content, kind = ctx.subject, ctx.input.content, ctx.cached("file_kind", lambda: None)
    name = (ctx.input.name or f"附件.{kind}").replace("/", "_").replace("\\", "_")[-200:]
    att = Attachment(request=req, name=name, kind=kind, size=len(content),
                     sha256=hashlib.sha256(content).hexdigest(), uploaded_by=_user(ctx.actor))
    att.file.save(f"{req.number}-{secrets.token_hex(6)}.{kind}", ContentFile(content), save=False)
    att.save()
    ctx.cached("attachment", lambda: att)
    return Effect(reason=name, data={"attachment": att.pk, "kind": kind, "size": len(content)})


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


# --- the declaration --------------------------------------------------------------------------------

BASIS_53 = "国办发〔2020〕53号"
BASIS_66 = "国办函〔2025〕66号"
_S = Status

ACTIONS = [
    action("create", "受理登记", label_en="Register", edges={_S.NEW: SAME}, actors={OPERATOR, REQUESTER},
           input=CreateIn, guards=(not_yet_registered, intake_is_complete), effect=_create,
           basis=f"{BASIS_53}：7×24小时受理；时限按诉求类型（咨询2、求助建议10、投诉举报15个工作日）"),
    action("answer", "即时办结", label_en="Answer and close", edges={_S.NEW: _S.CLOSED}, actors={OPERATOR},
           input=AnswerIn, guards=(is_consultation, article_exists), effect=_answer,
           basis=f"{BASIS_53}：诉求分类办理，知识库可答复的即时办结", confirm="用所选知识库答复并办结本工单？"),
    action("dispatch", "派单", label_en="Dispatch", edges=edges_from([_S.NEW, _S.RETURNED], _S.DISPATCHED),
           actors={OPERATOR}, input=UnitIn, guards=(returns_below_limit, unit_exists), effect=_dispatch,
           basis=f"{BASIS_66}：按派单目录派单；承办单位1个工作日内签收"),
    action("sign", "签收", label_en="Sign for", edges={_S.DISPATCHED: _S.HANDLING}, actors={UNIT},
           basis="12345 工作规则：承办单位1个工作日内签收"),
    action("return", "退单", label_en="Return", edges={_S.DISPATCHED: _S.RETURNED}, actors={UNIT},
           input=ReturnIn, guards=(not_designated,), effect=_return,
           basis=f"{BASIS_66}：派单异议审核、退单、改派", confirm="退单后工单回到热线重新派单，确定退回？"),
    action("dispute", "提请督查裁定", label_en="Dispute the return", edges={_S.RETURNED: _S.ARBITRATION},
           actors={OPERATOR}, input=DisputeIn, basis=f"{BASIS_66}：派单异议审核"),
    action("arbitrate", "裁定承办", label_en="Arbitrate", edges={_S.ARBITRATION: _S.HANDLING}, actors={SUPERVISOR},
           input=ArbitrateIn, guards=(unit_exists,), effect=_designate,
           basis=f"{BASIS_66}：职责不清的，由热线管理机构指定主办单位"),
    action("assign", "指定承办", label_en="Designate the unit", edges={_S.RETURNED: _S.HANDLING}, actors={OPERATOR},
           input=ChosenUnitIn, guards=(returns_at_limit, unit_exists), effect=_designate,
           basis="12345 工作规则：退单满3次的，由热线指定承办单位，不得再退"),
    action("merge", "并单", label_en="Merge", edges=edges_from([_S.NEW, _S.DISPATCHED], _S.MERGED),
           actors={OPERATOR}, input=MergeIn, guards=(merge_target_is_open,), effect=_merge,
           basis=f"{BASIS_66}：重复诉求原则上并单处理", confirm="并单后本工单以“已并单”办结，确定并入？"),
    action("merged_in", "并入重复诉求", label_en="Duplicate merged in", edges=edges_from(OPEN, SAME),
           actors={SYSTEM}, input=MergedInIn, effect=_merged_in),
    action("escalate", "转办不成事窗口", label_en="Escalate",
           edges=edges_from([_S.NEW, _S.RETURNED, _S.HANDLING, _S.REPLIED], _S.ESCALATED), actors={OPERATOR},
           input=EscalateIn, basis="办不成事反映窗口：多部门推诿、久拖不决的诉求转协调办理"),
    action("close_item", "逐项销号", label_en="Close an item", edges=edges_from([_S.HANDLING, _S.ESCALATED], SAME),
           actors={UNIT, LEAD, SUPERVISOR}, input=CloseItemIn,
           guards=(closer_fits_the_state, has_open_items, item_is_open), effect=_close_item,
           basis="企业诉求对单销号：逐项办理、逐项销号"),
    action("reply", "答复", label_en="Reply", edges={_S.HANDLING: _S.REPLIED}, actors={UNIT}, input=ReplyIn,
           guards=(demand_items_closed,), effect=_reply, basis=f"{BASIS_53}：限时办理、答复"),
    action("visit", "回访", label_en="Follow-up call", edges={_S.REPLIED: _S.CLOSED}, actors={OPERATOR},
           input=VisitIn, effect=_visit,
           basis=f"{BASIS_53}：回访、评价；GB/T 39046 满意度（不满意的重办一次，仍不满意转办不成事窗口）"),
    action("coordinate", "协调交办", label_en="Coordinate", edges={_S.ESCALATED: SAME}, actors={SUPERVISOR},
           input=CoordinateIn, guards=(coordination_is_valid,), effect=_coordinate,
           basis=f"办不成事反映窗口：确定牵头单位、协办单位和协调办结时限（{BASIS_66}：主办、协办）"),
    action("conclude", "协调办结", label_en="Conclude", edges={_S.ESCALATED: _S.CLOSED}, actors={SUPERVISOR},
           input=ConcludeIn, guards=(lead_unit_set,), effect=_conclude, basis="办不成事反映窗口：协调办结",
           confirm="办结后不能再协调，确定办结？"),
    action("supervise", "督办", label_en="Supervise",
           edges=edges_from([_S.DISPATCHED, _S.HANDLING, _S.ESCALATED], SAME), actors={SUPERVISOR},
           input=SuperviseIn, guards=(has_unit,), effect=_supervise, basis=f"{BASIS_53}：督办"),
    action("attach", "上传附件", label_en="Attach a file", edges=edges_from(OPEN, SAME),
           actors={OPERATOR, UNIT, LEAD, CO_UNIT, REQUESTER}, input=AttachIn,
           guards=(room_for_attachments, file_is_acceptable), effect=_attach),
    action("near_due", "临期预警", label_en="Near due", edges=edges_from(FLAGGED, SAME), actors={SYSTEM},
           guards=(not_near_due_yet,), effect=_near_due, basis="12345 工作规则：临期黄灯预警"),
    action("overdue", "超期督办", label_en="Overdue", edges=edges_from(FLAGGED, SAME), actors={SYSTEM},
           guards=(not_overdue_yet,), effect=_overdue, basis=f"{BASIS_53}：督办；超期红灯"),
    action("sign_overdue", "签收超时", label_en="Sign-for overdue", edges={_S.DISPATCHED: SAME}, actors={SYSTEM},
           guards=(not_sign_overdue_yet,), effect=_sign_overdue, basis="12345 工作规则：承办单位1个工作日内签收"),
    action("calendar_moved", "工作日历调整重算时限", label_en="Deadline recomputed", edges=edges_from(OPEN, SAME),
           actors={SYSTEM}, input=CalendarIn, effect=_calendar_moved),
]


def _load(key) -> Request:
    pk = key.pk if isinstance(key, Request) else int(key)
    req = (Request.objects.select_for_update(of=("self",))
           .select_related("unit", "lead_unit", "proposed_unit", "category", "region").filter(pk=pk).first())
    if req is None:
        raise NotFound("工单不存在", field="number")
    req.unit_before = req.unit_id  # the event names the unit a return or a merge took it from
    return req


def _derive(ctx: Context, effect: Effect) -> None:
    if ctx.to_status in TERMINAL and ctx.from_status not in TERMINAL:
        ctx.set(closed_at=ctx.now)


def _timer_plan(ctx: Context) -> dict:
    if ctx.to_status in TERMINAL:
        return {TIMER_NEAR: None, TIMER_OVERDUE: None, TIMER_SIGN: None}
    if ctx.from_status == Status.DISPATCHED and ctx.to_status != Status.DISPATCHED:
        return {TIMER_SIGN: None}
    return {}


def _notify(ctx: Context, effect: Effect, event) -> None:
    req = ctx.subject
    outbox_put(topic=f"hotline.{ctx.action.name}", payload={
        "request": req.number, "status": req.status, "unit": req.unit.code if req.unit_id else None,
        **effect.data})


def _event_extra(ctx: Context) -> dict:
    return {"unit_id": ctx.subject.unit_id or getattr(ctx.subject, "unit_before", None)}


def _prepare_event(ctx: Context, event: RequestEvent) -> None:
    at = ctx.subject.deadline_at
    event.deadline = at.astimezone(TZ).date() if at else None


WORKFLOW = Workflow(
    name="hotline", label="工单", subject_model=Request, event_model=RequestEvent, event_subject="request",
    states=dict(Status.choices), actions={a.name: a for a in ACTIONS}, actor_kinds=_actor_kinds,
    actor_labels=ACTOR_LABELS, load=_load, key=lambda r: str(r.pk), derive=_derive, timer_plan=_timer_plan,
    notify=_notify, event_extra=_event_extra, prepare_event=_prepare_event,
    reactions=(react("hotline.merged_in", actions={"merge"}),), terminal=TERMINAL,
    conflict_message="工单已被他人处理，请刷新后重试",
)
register_workflow(WORKFLOW)


@reaction("hotline.merged_in")
def merged_in(*, ctx: Context, event) -> None:
    """The request kept records the duplicate merged into it (its own event, in the same transaction)."""
    apply(WORKFLOW, subject=ctx.subject.merged_into_id, action="merged_in", actor=None,
          input={"source": ctx.subject.number}, now=ctx.now)


def action_label(name: str) -> str:
    return WORKFLOW.action_label(name)


def status_label(status: str) -> str:
    return WORKFLOW.state_label(status)

