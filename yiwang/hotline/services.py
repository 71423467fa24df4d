"""Changes to hotline requests: thin wrappers over the one engine (`workflow.WORKFLOW`, `apply`).

The names and keyword-only signatures are the module's public interface (pages, the API, Open311,
the tests); every change is one action of the declared workflow, written as one event.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from yiwang.core.errors import DomainError, FieldError, Forbidden, NotFound
from yiwang.core.workflow import apply, available_actions
from yiwang.core.workflow.deadlines import deadline_holder
from yiwang.core.workflow.inputs import validate
from yiwang.organisations.models import Region, Role, Unit
from yiwang.organisations.selectors import staff_roles

from . import rules
from .models import OPEN_STATUSES, Category, DemandItem, DispatchRule, Request
from .workflow import (
    TIMER_NEAR,
    TIMER_OVERDUE,
    TIMER_SIGN,
    WORKFLOW,
    CreateIn,
    Requester,
    attachment_max_bytes,
    kinds_of,
    recomputed,
)

__all__ = ["TIMER_NEAR", "TIMER_OVERDUE", "TIMER_SIGN", "attachment_max_bytes", "kinds_of"]


# --- who may act ------------------------------------------------------------------------------------

def is_operator(user) -> bool:
    return any(s.role in (Role.HOTLINE_OPERATOR, Role.SUPERVISOR) for s in staff_roles(user))


def is_supervisor(user) -> bool:
    return any(s.role == Role.SUPERVISOR for s in staff_roles(user))


def actions_for(req: Request, user, *, now: datetime | None = None) -> list:
    """What `user` may do to `req` now (exactly what apply would accept, inputs aside)."""
    return available_actions(WORKFLOW, subject=req, actor=user, now=now)


def request_act(*, request, action: str, actor, input: dict | None = None, version: int | None = None) -> Request:
    """Any action by its name, as a page or the API posts it (version: the one the page showed)."""
    return apply(WORKFLOW, subject=request, action=action, actor=actor, input=input or {}, version=version)


def _act(req, action: str, actor, input: dict | None = None, *, now: datetime | None = None) -> Request:
    return apply(WORKFLOW, subject=req, action=action, actor=actor, input=input or {}, now=now)


def _check_lengths(**values: str) -> None:
    """The columns' limits, for every channel (API, forms, Open311): a 400, not a 500 on PostgreSQL
    or a silently stored overlong value on SQLite."""
    errors = []
    for name, value in values.items():
        field = Request._meta.get_field(name)
        if value and len(value) > field.max_length:
            errors.append(FieldError(name, f"{field.verbose_name}不能超过{field.max_length}个字符"))
    if errors:
        raise DomainError("", errors=errors)


def propose_unit(*, category: Category, region: Region) -> Unit | None:
    views = [rules.RuleView(r.pk, r.category_id, r.region_id, r.unit_id)
             for r in DispatchRule.objects.filter(active=True).order_by("order", "id")]
    hit = rules.dispatch_match(views, category_chain=category.chain_ids(),
                               region_chain=[region.code] + [r.code for r in region.ancestors()])
    return Unit.objects.get(pk=hit.unit_id) if hit else None


# --- intake ------------------------------------------------------------------------------------------

def _phone_checked(phone: str) -> str:
    """A phone the hotline can call back: 11-digit mobile or area code + number (rules.phone_normalise)."""
    normalised = rules.phone_normalise(phone)
    if normalised is None:
        raise DomainError(f"联系电话格式不正确，{rules.PHONE_HINT}", field="phone")
    return normalised


@transaction.atomic
def request_create(
    *, kind: str, channel: str, category: Category, region: Region, title: str, content: str, actor=None,
    requester=None, requester_name: str = "", phone: str = "", email: str = "", anonymous: bool = False,
    private: bool = False, address: str = "", lat=None, long=None, urgent: bool = False, demand_items: list[str] | None = None,
    now: datetime | None = None,
) -> Request:
    """受理登记: the row is written, then the `create` action checks the intake and starts the clock
    (a refusal rolls the row back with it). Without an operator the requester registers it."""
    intake = validate(CreateIn, {"kind": kind, "channel": channel, "title": title or "", "content": content or "",
                                 "anonymous": anonymous, "contact": bool(phone or requester or email),
                                 "demand_items": demand_items or []})
    _check_lengths(title=title, requester_name=requester_name, phone=phone, email=email, address=address)
    if phone and not anonymous:
        phone = _phone_checked(phone)
    now = now or timezone.now()
    operator = actor if actor is not None and is_operator(actor) else None
    req = Request.objects.create(
        number=f"tmp-{secrets.token_hex(8)}", token=secrets.token_urlsafe(12), kind=kind, channel=channel,
        anonymous=anonymous, private=private, requester=None if anonymous else requester,
        requester_name="" if anonymous else requester_name or (requester.name if requester else ""),
        phone="" if anonymous else phone, email="" if anonymous else email,
        is_demand=bool(requester is not None and requester.kind == "enterprise"),
        category=category, region=region, address=address, lat=lat, long=long, title=intake.title,
        content=intake.content, urgent=urgent, received_at=now, operator=operator,
        proposed_unit=propose_unit(category=category, region=region),
    )
    return _act(req, "create", operator or Requester(req.token), intake.model_dump(), now=now)


def demand_create(*, enterprise, category: Category, region: Region, title: str, content: str,
                  demand_items: list[str], actor=None, channel: str = "web", **extra) -> Request:
    """企业诉求: filed by the enterprise itself (portal, API) or by an operator for it; each item is
    closed on its own later (对单销号), so at least one is needed."""
    if enterprise is None or enterprise.kind != "enterprise":
        raise DomainError("请选择提出诉求的企业（企业名称或统一社会信用代码）", field="requester")
    if not [x for x in demand_items or [] if x and x.strip()]:
        raise DomainError("请填写诉求事项，每行一项（逐项办理、逐项销号）", field="demand_items")
    return request_create(category=category, region=region, title=title, content=content, actor=actor,
                          requester=enterprise, channel=channel, demand_items=demand_items, **extra)


def requester_for(*, actor, text: str = "", demand: bool = False):
    """Who files it. An operator names any enterprise (name or code: selectors.enterprise_pick); a
    signed-in applicant files for one of their own enterprises (the only one, or the one named); the
    public files as nobody in particular. A demand needs an enterprise."""
    from . import selectors

    text = (text or "").strip()
    if actor is None or not getattr(actor, "is_authenticated", False):
        if text or demand:
            raise DomainError("企业诉求请先登录企业账号，或拨打12345由话务员代为登记", field="requester")
        return None
    if is_operator(actor):
        return selectors.enterprise_pick(text) if text or demand else None
    own = selectors.own_enterprises(actor)
    if text:
        mine = [p for p in own if text.upper() == p.number or text == p.name]
        if not mine:
            raise Forbidden(f"“{text}”不是本账号关联的企业，只能以本账号关联的企业提出诉求", field="requester")
        return mine[0]
    if not demand:
        return None
    if not own:
        raise DomainError("本账号未关联企业，不能提出企业诉求；个人诉求请不要填写诉求事项", field="requester")
    if len(own) > 1:
        raise DomainError("本账号关联了多家企业，请选择以哪家企业提出诉求", field="requester")
    return own[0]


def request_get(number: str) -> Request:
    req = Request.objects.select_related("category", "region", "unit", "requester").filter(number=number).first()
    if req is None:
        raise NotFound(f"工单“{number}”不存在", field="number")
    return req


# --- dispatch, sign, return, arbitration ---------------------------------------------------------

def request_dispatch(*, request: Request, actor, unit: Unit | None = None, now: datetime | None = None) -> Request:
    """The dispatcher confirms the proposed unit (or picks another); the unit must sign within one
    working day or return it with a reason."""
    return _act(request, "dispatch", actor, {"unit": unit.code if unit else ""}, now=now)


def request_sign(*, request: Request, actor) -> Request:
    return _act(request, "sign", actor)


def request_return(*, request: Request, actor, reason: str) -> Request:
    return _act(request, "return", actor, {"reason": reason or ""})


def request_dispute(*, request: Request, actor, note: str) -> Request:
    """The dispatcher disputes a return: a supervisor decides who handles it."""
    return _act(request, "dispute", actor, {"reason": note or ""})


def request_arbitrate(*, request: Request, actor, unit: Unit, note: str = "") -> Request:
    return _act(request, "arbitrate", actor, {"unit": unit.code if unit else "", "reason": note or ""})


def request_assign(*, request: Request, actor, unit: Unit) -> Request:
    """After MAX_RETURNS returns the hotline designates the unit; it cannot be returned again."""
    return _act(request, "assign", actor, {"unit": unit.code if unit else ""})


# --- answer, merge ---------------------------------------------------------------------------------

def request_answer(*, request: Request, actor, article) -> Request:
    """即时办结: a consultation answered on the line from a knowledge-base article."""
    return _act(request, "answer", actor, {"article": article.pk})


def request_merge(*, request: Request, into: Request, actor) -> Request:
    """A repeated request about the same matter is merged into the one already open."""
    return _act(request, "merge", actor, {"into": into.number})


# --- handling ------------------------------------------------------------------------------------

def demand_item_close(*, item: DemandItem, actor, result: str) -> DemandItem:
    """对单销号: one demand item closed with its result."""
    _act(item.request_id, "close_item", actor, {"item": item.pk, "result": result or ""})
    return DemandItem.objects.get(pk=item.pk)


def request_reply(*, request: Request, actor, reply: str) -> Request:
    return _act(request, "reply", actor, {"reply": reply or ""})


def request_visit(*, request: Request, actor, level: int, note: str = "") -> Request:
    """回访: the requester's satisfaction (GB/T 39046 code) is recorded as a hotline evaluation.
    Satisfied → closed; dissatisfied → reopened once to the same unit, then escalated."""
    return _act(request, "visit", actor, {"level": level, "reason": note or ""})


def request_supervise(*, request: Request, actor, note: str) -> Request:
    """督办 by a supervisor: the unit and its heads are told."""
    return _act(request, "supervise", actor, {"reason": note or ""})


# --- escalation (办不成事) -------------------------------------------------------------------------

def request_escalate(*, request: Request, actor, note: str) -> Request:
    return _act(request, "escalate", actor, {"reason": note or ""})


def escalation_coordinate(*, request: Request, actor, lead_unit: Unit, co_units: list[Unit],
                          joint_deadline: date, note: str = "") -> Request:
    return _act(request, "coordinate", actor, {
        "lead_unit": lead_unit.code if lead_unit else "", "co_units": [u.code for u in co_units],
        "joint_deadline": joint_deadline, "reason": note or ""})


def escalation_conclude(*, request: Request, actor, outcome: str) -> Request:
    return _act(request, "conclude", actor, {"outcome": outcome or ""})


# --- timers and the calendar ------------------------------------------------------------------------

def _system(request_id: int, action: str, now: datetime | None = None, input: dict | None = None) -> bool:
    try:
        with transaction.atomic():
            _act(request_id, action, None, input, now=now)
    except DomainError:
        return False
    return True


def request_flag(*, request_id: int, what: str, now: datetime | None = None) -> bool:
    """Mark near due or overdue; an overdue request gets a 督办 notice to its unit and the unit's head."""
    return _system(request_id, "near_due" if what == "near" else "overdue", now)


def request_flag_sign_overdue(*, request_id: int, now: datetime | None = None) -> bool:
    """The unit did not sign within 1 working day of dispatch: flagged, the dispatcher and the
    supervisors told; the request stays with the unit."""
    return _system(request_id, "sign_overdue", now)


@deadline_holder("hotline_requests")
def requests_recompute_deadlines(*, since: date, now: datetime | None = None) -> int:
    """After a calendar change: every open request whose working-day deadline or sign-for limit
    lies on or after `since` and now moves gets a `calendar_moved` event (which clears the
    provisional flag once the year is official). One read of the clock columns; only the moved are written."""
    from datetime import time

    from django.db.models import Q

    from yiwang.evaluations.rules import TZ

    start = datetime.combine(since, time.min, tzinfo=TZ)
    fields = ["pk", "kind", "urgent", "status", "deadline_from", "deadline_at", "deadline_provisional",
              "joint_deadline_at", "dispatched_at", "sign_due_at"]
    qs = (Request.objects.filter(status__in=OPEN_STATUSES)
          .filter(Q(deadline_at__gte=start) | Q(deadline_provisional=True) | Q(sign_due_at__gte=start))
          .only(*fields).order_by("pk"))
    moved = 0
    for req in qs.iterator(chunk_size=500):
        if recomputed(req) and _system(req.pk, "calendar_moved", now, {"since": since}):
            moved += 1
    return moved


# --- attachments -------------------------------------------------------------------------------------

ATTACHMENT_KINDS = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "ofd": "application/ofd"}


def _viewer(user, req: Request, token: str):
    """The actor a page or the API acts as: the signed-in staff member, else the token's holder."""
    if user is not None and getattr(user, "is_authenticated", False) and kinds_of(user, req):
        return user
    return Requester(token or "")


def may_see_attachments(user, req: Request, *, token: str = "") -> bool:
    """The hotline (operators, supervisors), the units handling it, and whoever holds the request's
    token (the requester); nobody else, not even with the request number."""
    return bool(kinds_of(_viewer(user, req, token), req) - {"system"})


def attachment_add(*, request: Request, actor=None, filename: str, content: bytes, token: str = ""):
    """Attach a photo or scan (PDF, JPG, PNG or OFD by content; at most YIWANG_HOTLINE_MAX_ATTACHMENT_MB)."""
    req = request if isinstance(request, Request) else Request.objects.get(pk=request)
    if not may_see_attachments(actor, req, token=token):
        raise Forbidden("无权为该工单上传附件", field="file")
    with transaction.atomic():
        done = _act(req, "attach", _viewer(actor, req, token), {"name": filename or "", "content": content})
        return done.attachments.get(pk=done.last_event.data["attachment"])
