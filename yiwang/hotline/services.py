"""Changes to hotline requests. Every change goes through `_move`: the transition table decides,
an event and an outbox message are written in the same transaction."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from yiwang.core.errors import Conflict, DomainError, Forbidden, NotFound
from yiwang.core.outbox import outbox_put
from yiwang.core.timers import timer_cancel, timer_reschedule
from yiwang.evaluations import services as evaluations
from yiwang.evaluations.rules import LEVEL_NAMES, TZ, end_of_day, is_bad
from yiwang.organisations.models import Region, Role, Staff, Unit
from yiwang.organisations.selectors import staff_roles
from yiwang.workcalendar.index import add_working_days

from . import rules
from .models import (
    OPEN_STATUSES,
    Category,
    DemandItem,
    DispatchRule,
    Kind,
    Request,
    RequestChannel,
    RequestEvent,
)

TIMER_NEAR = "hotline.near_due"
TIMER_OVERDUE = "hotline.overdue"
TIMER_SIGN = "hotline.sign_due"


# --- who may act ------------------------------------------------------------------------------------

def is_operator(user) -> bool:
    return any(s.role in (Role.HOTLINE_OPERATOR, Role.SUPERVISOR) for s in staff_roles(user))


def is_supervisor(user) -> bool:
    return any(s.role == Role.SUPERVISOR for s in staff_roles(user))


def require_operator(user) -> None:
    if not is_operator(user):
        raise Forbidden("actor：只有热线话务员或督查人员可以进行此操作", field="actor")


def require_supervisor(user) -> None:
    if not is_supervisor(user):
        raise Forbidden("actor：只有督查人员可以进行此操作", field="actor")


def require_unit_staff(user, unit_id: int | None) -> None:
    if unit_id is None or not any(s.unit_id == unit_id for s in staff_roles(user)):
        raise Forbidden("unit：只有承办单位的工作人员可以进行此操作", field="unit")


# --- internals --------------------------------------------------------------------------------------

def _locked(request: Request) -> Request:
    return Request.objects.select_for_update().get(pk=request.pk)


def _move(req: Request, action: str, actor, *, note: str = "", **data) -> Request:
    try:
        nxt = rules.next_status(req.status, action)
    except LookupError as exc:
        raise Conflict(f"status：{exc}（工单当前状态：{req.get_status_display()}）", field="status",
                       code="bad_transition") from None
    before = req.status
    req.status = nxt
    if nxt in ("closed", "merged"):
        req.closed_at = timezone.now()
        timer_cancel(kind=TIMER_NEAR, key=str(req.pk))
        timer_cancel(kind=TIMER_OVERDUE, key=str(req.pk))
    if before == "dispatched" and nxt != "dispatched":
        timer_cancel(kind=TIMER_SIGN, key=str(req.pk))
    req.save()
    _event(req, action, actor, note=note, from_status=before, to_status=nxt, **data)
    return req


def _event(req: Request, action: str, actor, *, note: str = "", from_status: str = "", to_status: str = "",
           **data) -> None:
    RequestEvent.objects.create(request=req, action=action, actor=actor if actor and actor.is_authenticated else None,
                                unit=req.unit, note=note, from_status=from_status, to_status=to_status, data=data)
    outbox_put(topic=f"hotline.{action}", payload={"request": req.number, "status": req.status,
                                                  "unit": req.unit.code if req.unit_id else None, **data})


def _set_deadline(req: Request, start: datetime) -> None:
    d = rules.request_deadline(req.kind, start, urgent=req.urgent, add_working_days=add_working_days)
    req.deadline_at, req.near_due_at, req.deadline_provisional = d.deadline_at, d.near_due_at, d.provisional
    req.near_due = req.overdue = False
    timer_reschedule(kind=TIMER_NEAR, key=str(req.pk), due_at=d.near_due_at)
    timer_reschedule(kind=TIMER_OVERDUE, key=str(req.pk), due_at=d.deadline_at)


def _check_lengths(**values: str) -> None:
    """The columns' limits, for every channel (API, forms, Open311): a 400, not a 500 on PostgreSQL
    or a silently stored overlong value on SQLite."""
    for name, value in values.items():
        field = Request._meta.get_field(name)
        if value and len(value) > field.max_length:
            raise DomainError(f"{name}：{field.verbose_name}不能超过{field.max_length}个字符", field=name)


def propose_unit(*, category: Category, region: Region) -> Unit | None:
    views = [rules.RuleView(r.pk, r.category_id, r.region_id, r.unit_id)
             for r in DispatchRule.objects.filter(active=True).order_by("order", "id")]
    hit = rules.dispatch_match(views, category_chain=category.chain_ids(),
                               region_chain=[region.code] + [r.code for r in region.ancestors()])
    return Unit.objects.get(pk=hit.unit_id) if hit else None


# --- intake ------------------------------------------------------------------------------------------

@transaction.atomic
def request_create(
    *, kind: str, channel: str, category: Category, region: Region, title: str, content: str, actor=None,
    requester=None, requester_name: str = "", phone: str = "", email: str = "", anonymous: bool = False,
    private: bool = False, address: str = "", lat=None, long=None, urgent: bool = False, demand_items: list[str] | None = None,
    now: datetime | None = None,
) -> Request:
    if kind not in Kind.values:
        raise DomainError(f"kind：诉求类型“{kind}”不存在", field="kind")
    if channel not in RequestChannel.values:
        raise DomainError(f"channel：来源渠道“{channel}”不存在", field="channel")
    if not (title or "").strip():
        raise DomainError("title：请填写诉求标题", field="title")
    if not (content or "").strip():
        raise DomainError("content：请填写诉求内容", field="content")
    if len(content) > 4000:
        raise DomainError("content：诉求内容不能超过4000字", field="content")
    _check_lengths(title=title, requester_name=requester_name, phone=phone, email=email, address=address)
    if anonymous and not rules.may_be_anonymous(kind):
        raise DomainError(f"anonymous：{Kind(kind).label}类诉求需要留下联系方式，不能匿名", field="anonymous")
    if not anonymous and not (phone or requester or email):
        raise DomainError("phone：请留下联系电话（或选择匿名）", field="phone")
    demand_items = [x.strip() for x in (demand_items or []) if x and x.strip()]
    is_demand = bool(requester is not None and requester.kind == "enterprise")
    if demand_items and not is_demand:
        raise DomainError("requester：企业诉求的诉求人应为企业", field="requester")
    now = now or timezone.now()
    req = Request.objects.create(
        number=f"tmp-{secrets.token_hex(8)}", token=secrets.token_urlsafe(12), kind=kind, channel=channel,
        anonymous=anonymous, private=private, requester=None if anonymous else requester,
        requester_name="" if anonymous else requester_name or (requester.name if requester else ""),
        phone="" if anonymous else phone, email="" if anonymous else email, is_demand=is_demand,
        category=category, region=region, address=address, lat=lat, long=long, title=title.strip(),
        content=content.strip(), urgent=urgent, received_at=now,
        operator=actor if actor is not None and actor.is_authenticated else None,
        proposed_unit=propose_unit(category=category, region=region),
    )
    req.number = f"{now.astimezone(TZ):%Y%m%d}{req.pk:06d}"
    _set_deadline(req, now)
    req.save()
    for i, content_item in enumerate(demand_items, start=1):
        DemandItem.objects.create(request=req, order=i, content=content_item)
    _event(req, "create", actor, to_status=req.status, kind=kind, channel=channel,
           proposed_unit=req.proposed_unit.code if req.proposed_unit_id else None)
    return req


def request_get(number: str) -> Request:
    req = Request.objects.select_related("category", "region", "unit", "requester").filter(number=number).first()
    if req is None:
        raise NotFound(f"number：工单“{number}”不存在", field="number")
    return req


# --- dispatch, sign, return, arbitration ---------------------------------------------------------

@transaction.atomic
def request_dispatch(*, request: Request, actor, unit: Unit | None = None, now: datetime | None = None) -> Request:
    """The dispatcher confirms the proposed unit (or picks another); the unit must sign within one
    working day or return it with a reason."""
    require_operator(actor)
    req = _locked(request)
    unit = unit or req.proposed_unit
    if unit is None:
        raise DomainError("unit：没有匹配的派单规则，请选择承办单位", field="unit")
    if req.returns >= rules.MAX_RETURNS:
        raise Conflict(f"unit：已退单{req.returns}次，请由热线指定承办单位", field="unit", code="must_assign")
    req.unit = unit
    req.sign_due_at = rules.sign_due(now or timezone.now(), add_working_days)
    req.sign_overdue = False
    req = _move(req, "dispatch", actor, unit_code=unit.code)
    timer_reschedule(kind=TIMER_SIGN, key=str(req.pk), due_at=req.sign_due_at)
    return req


@transaction.atomic
def request_sign(*, request: Request, actor) -> Request:
    req = _locked(request)
    require_unit_staff(actor, req.unit_id)
    return _move(req, "sign", actor)


@transaction.atomic
def request_return(*, request: Request, actor, reason: str) -> Request:
    req = _locked(request)
    require_unit_staff(actor, req.unit_id)
    if not (reason or "").strip():
        raise DomainError("reason：退单请说明理由", field="reason")
    if req.designated:
        raise Conflict("reason：本工单为指定承办，不能退回", field="reason", code="designated")
    req.returns += 1
    returned_by = req.unit.code
    req = _move(req, "return", actor, note=reason.strip(), returned_by=returned_by, returns=req.returns)
    req.unit = None
    req.save(update_fields=["unit"])
    return req


@transaction.atomic
def request_dispute(*, request: Request, actor, note: str) -> Request:
    """The dispatcher disputes a return: a supervisor decides who handles it."""
    require_operator(actor)
    req = _locked(request)
    return _move(req, "dispute", actor, note=(note or "").strip())


@transaction.atomic
def request_arbitrate(*, request: Request, actor, unit: Unit, note: str = "") -> Request:
    require_supervisor(actor)
    req = _locked(request)
    req.unit, req.designated = unit, True
    return _move(req, "arbitrate", actor, note=note, unit_code=unit.code)


@transaction.atomic
def request_assign(*, request: Request, actor, unit: Unit) -> Request:
    """After MAX_RETURNS returns the hotline designates the unit; it cannot be returned again."""
    require_operator(actor)
    req = _locked(request)
    if req.returns < rules.MAX_RETURNS:
        raise Conflict(f"unit：退单未满{rules.MAX_RETURNS}次，请重新派单或提请督查裁定", field="unit",
                       code="assign_too_early")
    req.unit, req.designated = unit, True
    return _move(req, "assign", actor, unit_code=unit.code)


# --- answer, merge ---------------------------------------------------------------------------------

@transaction.atomic
def request_answer(*, request: Request, actor, article) -> Request:
    """即时办结: a consultation answered on the line from a knowledge-base article."""
    require_operator(actor)
    req = _locked(request)
    if req.kind != Kind.CONSULT:
        raise DomainError("article：只有咨询类诉求可以用知识库即时办结", field="article")
    req.article = article
    req.reply = article.answer or article.summary or article.title
    req.replied_at, req.replied_by = timezone.now(), actor
    return _move(req, "answer", actor, article=article.key)


@transaction.atomic
def request_merge(*, request: Request, into: Request, actor) -> Request:
    """A repeated request about the same matter is merged into the one already open."""
    require_operator(actor)
    if request.pk == into.pk:
        raise DomainError("into：不能与自身并单", field="into")
    target = _locked(into)
    if target.status not in OPEN_STATUSES or target.merged_into_id:
        raise Conflict("into：目标工单已办结或已并单", field="into")
    req = _locked(request)
    req.merged_into = target
    req = _move(req, "merge", actor, into=target.number)
    _event(target, "merged_in", actor, note=f"重复诉求 {req.number} 并入本工单", source=req.number)
    return req


# --- handling ------------------------------------------------------------------------------------

@transaction.atomic
def demand_item_close(*, item: DemandItem, actor, result: str) -> DemandItem:
    """对单销号: one demand item closed with its result."""
    item = DemandItem.objects.select_for_update().select_related("request").get(pk=item.pk)
    req = item.request
    if req.status == "escalated":
        if not (is_supervisor(actor) or any(s.unit_id == req.lead_unit_id for s in staff_roles(actor))):
            raise Forbidden("unit：只有牵头单位或督查人员可以销号", field="unit")
    else:
        require_unit_staff(actor, req.unit_id)
        if req.status != "handling":
            raise Conflict("status：工单签收后才能逐项销号", field="status")
    if item.closed_at:
        raise Conflict("item：该事项已销号", field="item")
    if not (result or "").strip():
        raise DomainError("result：请填写办理结果", field="result")
    item.closed_at, item.closed_by, item.result = timezone.now(), actor, result.strip()
    item.save()
    _event(req, "item_closed", actor, note=item.result, item=item.order)
    return item


@transaction.atomic
def request_reply(*, request: Request, actor, reply: str) -> Request:
    req = _locked(request)
    require_unit_staff(actor, req.unit_id)
    if not (reply or "").strip():
        raise DomainError("reply：请填写答复内容", field="reply")
    open_items = req.items.filter(closed_at__isnull=True).count()
    if open_items:
        raise Conflict(f"reply：还有{open_items}项企业诉求未销号", field="reply", code="items_open")
    req.reply, req.replied_at, req.replied_by = reply.strip(), timezone.now(), actor
    return _move(req, "reply", actor, note=req.reply)


@transaction.atomic
def request_visit(*, request: Request, actor, level: int, note: str = "") -> Request:
    """回访: the requester's satisfaction (GB/T 39046 code) is recorded as a hotline evaluation.
    Satisfied → closed; dissatisfied → reopened once to the same unit, then escalated."""
    require_operator(actor)
    req = _locked(request)
    if req.status != "replied":
        raise Conflict(f"status：工单当前状态（{req.get_status_display()}）不能回访", field="status")
    try:
        bad = is_bad(int(level))
    except (TypeError, ValueError):
        raise DomainError("level：满意度应为 1（非常满意）至 5（非常不满意）", field="level") from None
    ev = evaluations.evaluation_invite(
        subject_kind="hotline", subject_ref=req.number, unit=req.unit or req.lead_unit, staff=req.replied_by,
        rater_party=req.requester, rater_name=req.requester_name, rater_phone=req.phone,
    )
    evaluations.evaluation_rate(evaluation=ev, level=int(level), channel="hotline", text=note)
    req.satisfaction = int(level)
    data = {"level": int(level), "level_name": LEVEL_NAMES[int(level)]}
    if not bad:
        return _move(req, "visit_satisfied", actor, note=note, **data)
    if req.reopens < 1:
        req.reopens += 1
        _set_deadline(req, timezone.now())
        return _move(req, "reopen", actor, note=note, **data)
    return _move(req, "escalate", actor, note=note or "回访不满意，重办后仍不满意", **data)


# --- escalation (办不成事) -------------------------------------------------------------------------

@transaction.atomic
def request_escalate(*, request: Request, actor, note: str) -> Request:
    require_operator(actor)
    req = _locked(request)
    if not (note or "").strip():
        raise DomainError("note：请说明转办不成事窗口的原因", field="note")
    return _move(req, "escalate", actor, note=note.strip())


@transaction.atomic
def escalation_coordinate(*, request: Request, actor, lead_unit: Unit, co_units: list[Unit],
                          joint_deadline: date, note: str = "") -> Request:
    require_supervisor(actor)
    req = _locked(request)
    if joint_deadline < timezone.localdate():
        raise DomainError("joint_deadline：协调办结时限不能早于今天", field="joint_deadline")
    req.lead_unit, req.unit = lead_unit, lead_unit
    req.joint_deadline_at = end_of_day(joint_deadline)
    req.deadline_at, req.overdue, req.near_due = req.joint_deadline_at, False, False
    timer_reschedule(kind=TIMER_OVERDUE, key=str(req.pk), due_at=req.joint_deadline_at)
    timer_cancel(kind=TIMER_NEAR, key=str(req.pk))
    req = _move(req, "coordinate", actor, note=note, lead_unit=lead_unit.code,
                co_units=[u.code for u in co_units], joint_deadline=joint_deadline.isoformat())
    req.co_units.set(co_units)
    return req


@transaction.atomic
def escalation_conclude(*, request: Request, actor, outcome: str) -> Request:
    require_supervisor(actor)
    req = _locked(request)
    if req.lead_unit_id is None and req.status == "escalated":
        raise Conflict("lead_unit：请先确定牵头单位", field="lead_unit")
    if not (outcome or "").strip():
        raise DomainError("outcome：请填写办理结果", field="outcome")
    req.outcome = outcome.strip()
    return _move(req, "conclude", actor, note=req.outcome)


# --- timers ------------------------------------------------------------------------------------------

def request_flag(*, request_id: int, what: str) -> bool:
    """Mark near due or overdue; an overdue request gets a 督办 notice to its unit and the unit's head."""
    req = Request.objects.select_for_update().filter(pk=request_id).first()
    if req is None or req.status not in OPEN_STATUSES or req.status == "replied":
        return False
    if what == "near":
        if req.near_due:
            return False
        req.near_due = True
        req.save(update_fields=["near_due"])
        _event(req, "near_due", None)
        return True
    if req.overdue:
        return False
    req.overdue = True
    req.save(update_fields=["overdue"])
    heads = list(Staff.objects.filter(unit_id=req.unit_id, role=Role.DEPARTMENT_HEAD)
                 .values_list("user__username", flat=True)) if req.unit_id else []
    _event(req, "overdue", None, note="督办：工单已超过办理时限")
    outbox_put(topic="hotline.supervise", payload={
        "request": req.number, "unit": req.unit.code if req.unit_id else None, "heads": heads,
        "deadline": req.deadline_at.isoformat() if req.deadline_at else None,
        "message": f"【督办】工单{req.number}“{req.title}”已超期，请立即办理并答复。"})
    return True


def request_flag_sign_overdue(*, request_id: int) -> bool:
    """The unit did not sign within 1 working day of dispatch: the request is flagged and the
    dispatcher and the supervisors are told (outbox). It stays with the unit — a late sign-for is still
    a sign-for; the dispatcher may dispute it to a supervisor, who can assign another unit."""
    req = Request.objects.select_for_update().filter(pk=request_id).first()
    if req is None or req.status != "dispatched" or req.sign_overdue:
        return False
    req.sign_overdue = True
    req.save(update_fields=["sign_overdue"])
    dispatch = req.events.filter(action="dispatch").select_related("actor").order_by("-at", "-id").first()
    dispatcher = dispatch.actor.username if dispatch and dispatch.actor_id else None
    supervisors = sorted(set(Staff.objects.filter(role=Role.SUPERVISOR).values_list("user__username", flat=True)))
    _event(req, "sign_overdue", None, note="承办单位超过1个工作日未签收")
    outbox_put(topic="hotline.sign_overdue_notice", payload={
        "request": req.number, "unit": req.unit.code if req.unit_id else None, "dispatcher": dispatcher,
        "supervisors": supervisors, "sign_due_at": req.sign_due_at.isoformat() if req.sign_due_at else None,
        "message": f"【签收超时】工单{req.number}派至{req.unit.name if req.unit_id else ''}后超过1个工作日未签收。"})
    return True


# --- attachments -------------------------------------------------------------------------------------

ATTACHMENT_KINDS = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "ofd": "application/ofd"}


def attachment_max_bytes() -> int:
    from django.conf import settings

    return int(getattr(settings, "YIWANG_HOTLINE_MAX_ATTACHMENT_MB", 10)) * 1024 * 1024


def may_see_attachments(user, req: Request, *, token: str = "") -> bool:
    """The hotline (operators, supervisors), the units handling it, and whoever holds the request's
    token (the requester); nobody else, not even with the request number."""
    if token and secrets.compare_digest(token, req.token):
        return True
    if user is None or not user.is_authenticated:
        return False
    if is_operator(user):
        return True
    units = {s.unit_id for s in staff_roles(user)}
    return bool(units & ({req.unit_id, req.lead_unit_id} | set(req.co_units.values_list("id", flat=True))))


@transaction.atomic
def attachment_add(*, request: Request, actor=None, filename: str, content: bytes, token: str = ""):
    """Attach a photo or scan (PDF, JPG, PNG or OFD by content; at most YIWANG_HOTLINE_MAX_ATTACHMENT_MB)."""
    import hashlib

    from django.core.files.base import ContentFile

    from yiwang.cases.materials import sniff

    from .models import Attachment

    req = _locked(request)
    if not may_see_attachments(actor, req, token=token):
        raise Forbidden("file：无权为该工单上传附件", field="file")
    if req.status in ("closed", "merged"):
        raise Conflict("file：工单已办结，不能再上传附件", field="file")
    if not content:
        raise DomainError("file：文件为空", field="file")
    if len(content) > attachment_max_bytes():
        raise DomainError(f"file：文件超过{attachment_max_bytes() // (1024 * 1024)}MB", field="file")
    kind = sniff(content)
    if kind is None:
        raise DomainError("file：只接受 PDF、JPG、PNG 或 OFD 文件（按文件内容判断）", field="file")
    if req.attachments.count() >= 10:
        raise DomainError("file：每个工单最多10个附件", field="file")
    name = (filename or f"附件.{kind}").replace("/", "_").replace("\\", "_")[-200:]
    att = Attachment(request=req, name=name, kind=kind, size=len(content),
                     sha256=hashlib.sha256(content).hexdigest(),
                     uploaded_by=actor if actor is not None and actor.is_authenticated else None)
    att.file.save(f"{req.number}-{secrets.token_hex(6)}.{kind}", ContentFile(content), save=False)
    att.save()
    _event(req, "attach", actor, note=name, attachment=att.pk, kind=kind, size=len(content))
    return att
