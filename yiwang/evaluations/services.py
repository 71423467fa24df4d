"""Changes to evaluations and rectifications. The case engine opens a rating slot with
`evaluation_invite(...)` when a case completes; nothing here depends on the case models."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from yiwang.core.errors import Conflict, DomainError, Forbidden, NotFound
from yiwang.core.outbox import outbox_put
from yiwang.core.timers import timer_cancel, timer_schedule
from yiwang.organisations.models import Unit
from yiwang.workcalendar.index import add_working_days

from . import rules
from .models import (
    EvalChannel,
    EvalStatus,
    Evaluation,
    EvaluationEvent,
    EvaluationPolicy,
    Rectification,
    RectStatus,
    SubjectKind,
)

TIMER_DEFAULT = "evaluation.default"
TIMER_CONTACT = "rectification.contact_due"
TIMER_FIX = "rectification.fix_due"


def policy_for(unit: Unit) -> EvaluationPolicy:
    """The unit's region's policy, else its ancestors', else the platform default (unsaved if none)."""
    region = unit.region
    chain = [region.code] + [r.code for r in region.ancestors()]
    found = {p.region_id: p for p in EvaluationPolicy.objects.filter(region_id__in=chain)}
    for code in chain:
        if code in found:
            return found[code]
    return EvaluationPolicy.objects.filter(region__isnull=True).first() or EvaluationPolicy()


def _event(ev: Evaluation, kind: str, actor=None, note: str = "", **data) -> None:
    EvaluationEvent.objects.create(evaluation=ev, kind=kind, actor=actor, note=note, data=data)
    outbox_put(topic=f"evaluation.{kind}", payload={"evaluation": ev.pk, "subject_kind": ev.subject_kind,
                                                    "subject_ref": ev.subject_ref, "round": ev.round, **data})


@transaction.atomic
def evaluation_invite(
    *, subject_kind: str, subject_ref: str, unit: Unit, staff=None, window=None, implementation=None, park=None,
    rater_party=None, rater_name: str = "", rater_phone: str = "", now: datetime | None = None,
) -> Evaluation:
    """Open the next rating slot for a subject (a completed case, a window service, a hotline reply).

    Idempotent while a slot is open: inviting again returns the open slot. A no-rating default is
    scheduled after the policy's natural days.
    """
    if subject_kind not in SubjectKind.values:
        raise DomainError(f"subject_kind：评价对象“{subject_kind}”不存在", field="subject_kind")
    if not subject_ref:
        raise DomainError("subject_ref：缺少办件编号", field="subject_ref")
    existing = (Evaluation.objects.select_for_update()
                .filter(subject_kind=subject_kind, subject_ref=subject_ref).order_by("-round").first())
    if existing is not None and existing.status == EvalStatus.INVITED:
        return existing
    now = now or timezone.now()
    policy = policy_for(unit)
    ev = Evaluation.objects.create(
        subject_kind=subject_kind, subject_ref=subject_ref, round=(existing.round + 1) if existing else 1,
        token=secrets.token_urlsafe(12), unit=unit, staff=staff, window=window, implementation=implementation,
        park=park, rater_party=rater_party, rater_name=rater_name, rater_phone=rater_phone, invited_at=now,
        default_due_at=rules.default_due(now, policy.default_after_days),
    )
    timer_schedule(kind=TIMER_DEFAULT, key=str(ev.pk), due_at=ev.default_due_at)
    _event(ev, "invited", token=ev.token)
    return ev


def evaluation_by_token(token: str) -> Evaluation:
    ev = Evaluation.objects.select_related("unit", "window", "implementation", "staff").filter(token=token).first()
    if ev is None:
        raise NotFound("token：评价码不存在", field="token")
    return ev


@transaction.atomic
def evaluation_rate(
    *, evaluation: Evaluation, level: int, channel: str, text: str = "", rater_user=None, now: datetime | None = None,
) -> Evaluation:
    """The rater's rating. One per slot; staff cannot rate their own work; a bad review opens a
    rectification (a hotline reply's bad review reopens the request instead, see the hotline)."""
    try:
        level = int(level)
        bad = rules.is_bad(level)
    except (TypeError, ValueError):
        raise DomainError("level：满意度应为 1（非常满意）至 5（非常不满意）", field="level") from None
    if channel not in EvalChannel.values or channel == EvalChannel.SYSTEM:
        raise DomainError(f"channel：评价渠道“{channel}”不存在", field="channel")
    if len(text) > 2000:
        raise DomainError("text：文字评价不能超过2000字", field="text")
    ev = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if rater_user is not None and rater_user.is_authenticated and ev.staff_id == rater_user.pk:
        raise Forbidden("level：工作人员不能评价自己经办的服务", field="level", code="own_work")
    if ev.status != EvalStatus.INVITED:
        raise Conflict("level：本次服务已评价，每次服务只能评价一次", field="level", code="already_rated")
    now = now or timezone.now()
    ev.level, ev.bad, ev.channel, ev.text, ev.rated_at = level, bad, channel, text.strip(), now
    ev.status = EvalStatus.RATED
    if rater_user is not None and rater_user.is_authenticated:
        ev.rater_user = rater_user
    ev.save()
    timer_cancel(kind=TIMER_DEFAULT, key=str(ev.pk))
    _event(ev, "rated", actor=rater_user if rater_user and rater_user.is_authenticated else None,
           level=level, channel=channel)
    _after_rating(ev, now)
    return ev


def _after_rating(ev: Evaluation, now: datetime) -> None:
    # A re-rating closes the rectification that asked for it.
    rect = Rectification.objects.select_for_update().filter(rerating=ev).first()
    if rect is not None and rect.status == RectStatus.FIXED:
        _rect_move(rect, "rerate", None, now=now, level=ev.level)
        return
    if ev.bad and ev.subject_kind != SubjectKind.HOTLINE:
        rectification_open(evaluation=ev, now=now)


@transaction.atomic
def evaluation_default(*, evaluation: Evaluation, now: datetime | None = None) -> Evaluation | None:
    """No rating in time: the policy's default level, marked defaulted. Does nothing if rated meanwhile."""
    ev = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if ev.status != EvalStatus.INVITED:
        return None
    now = now or timezone.now()
    policy = policy_for(ev.unit)
    ev.level = policy.default_level
    ev.bad = rules.is_bad(ev.level)
    ev.channel = EvalChannel.SYSTEM
    ev.status = EvalStatus.DEFAULTED
    ev.rated_at = now
    ev.save()
    _event(ev, "defaulted", level=ev.level)
    _after_rating(ev, now)
    return ev


# --- rectification -------------------------------------------------------------------------------

def rectification_open(*, evaluation: Evaluation, now: datetime) -> Rectification:
    policy = policy_for(evaluation.unit)
    contact = rules.working_deadline(now, policy.contact_working_days, add_working_days)
    fix = rules.working_deadline(now, policy.fix_working_days, add_working_days)
    rect = Rectification.objects.create(evaluation=evaluation, unit=evaluation.unit, contact_due_at=contact.at,
                                        fix_due_at=fix.at)
    timer_schedule(kind=TIMER_CONTACT, key=str(rect.pk), due_at=contact.at)
    timer_schedule(kind=TIMER_FIX, key=str(rect.pk), due_at=fix.at)
    _event(evaluation, "rectification_opened", rectification=rect.pk, fix_due=fix.at.isoformat(),
           provisional=fix.provisional)
    return rect


def _rect_move(rect: Rectification, action: str, actor, *, now: datetime, note: str = "", **data) -> Rectification:
    try:
        nxt = rules.rect_next(rect.status, action, before_appeal=rect.status_before_appeal)
    except LookupError as exc:
        raise Conflict(f"status：{exc}（当前：{rect.get_status_display()}）", field="status",
                       code="bad_transition") from None
    before = rect.status
    if action == "appeal":
        rect.status_before_appeal = before
    rect.status = nxt
    if nxt in (RectStatus.CLOSED, RectStatus.VOIDED):
        rect.closed_at = now
        timer_cancel(kind=TIMER_CONTACT, key=str(rect.pk))
        timer_cancel(kind=TIMER_FIX, key=str(rect.pk))
    rect.save()
    _event(rect.evaluation, f"rectification_{action}", actor=actor, note=note, rectification=rect.pk,
           from_status=before, to_status=nxt, **data)
    return rect


def _rect_locked(rect: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().select_related("evaluation", "unit").get(pk=rect.pk)


def _require_unit_handler(rect: Rectification, actor) -> None:
    from yiwang.organisations.models import Role
    from yiwang.organisations.selectors import staff_roles

    ok = any((s.unit_id == rect.unit_id and s.role in (Role.DEPARTMENT_HEAD, Role.APPROVER, Role.WINDOW_CLERK))
             or s.role == Role.SUPERVISOR for s in staff_roles(actor))
    if not ok:
        raise Forbidden("unit：只有被评价单位或督查人员可以处理此差评", field="unit")


def _require_supervisor(actor) -> None:
    from yiwang.organisations.models import Role
    from yiwang.organisations.selectors import has_role

    if not has_role(actor, Role.SUPERVISOR):
        raise Forbidden("actor：只有督查人员可以裁定申诉", field="actor")


def _note_required(note: str, field: str, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise DomainError(f"{field}：请填写{what}", field=field)
    return note


@transaction.atomic
def rectification_contact(*, rectification: Rectification, actor, note: str, now: datetime | None = None):
    rect = _rect_locked(rectification)
    _require_unit_handler(rect, actor)
    now = now or timezone.now()
    rect.contact_note = _note_required(note, "note", "回访记录")
    rect.contacted_at = now
    rect = _rect_move(rect, "contact", actor, now=now, note=rect.contact_note)
    timer_cancel(kind=TIMER_CONTACT, key=str(rect.pk))
    return rect


@transaction.atomic
def rectification_verify(*, rectification: Rectification, actor, note: str, now: datetime | None = None):
    rect = _rect_locked(rectification)
    _require_unit_handler(rect, actor)
    now = now or timezone.now()
    rect.verify_note = _note_required(note, "note", "核实情况")
    rect.verified_at = now
    return _rect_move(rect, "verify", actor, now=now, note=rect.verify_note)


@transaction.atomic
def rectification_fix(*, rectification: Rectification, actor, note: str, now: datetime | None = None):
    """The fix is recorded and the rater is invited to rate again (the next round)."""
    rect = _rect_locked(rectification)
    _require_unit_handler(rect, actor)
    now = now or timezone.now()
    rect.fix_note = _note_required(note, "note", "整改情况")
    rect.fixed_at = now
    rect.on_time = now <= rect.fix_due_at
    rect = _rect_move(rect, "fix", actor, now=now, note=rect.fix_note)
    timer_cancel(kind=TIMER_FIX, key=str(rect.pk))
    ev = rect.evaluation
    rect.rerating = evaluation_invite(
        subject_kind=ev.subject_kind, subject_ref=ev.subject_ref, unit=ev.unit, staff=ev.staff, window=ev.window,
        implementation=ev.implementation, park=ev.park, rater_party=ev.rater_party, rater_name=ev.rater_name,
        rater_phone=ev.rater_phone, now=now,
    )
    rect.save(update_fields=["rerating"])
    return rect


@transaction.atomic
def rectification_appeal(*, rectification: Rectification, actor, reason: str, now: datetime | None = None):
    """The unit appeals a malicious or mistaken review to a supervisor."""
    rect = _rect_locked(rectification)
    _require_unit_handler(rect, actor)
    rect.appeal_reason = _note_required(reason, "reason", "申诉理由")
    return _rect_move(rect, "appeal", actor, now=now or timezone.now(), note=rect.appeal_reason)


@transaction.atomic
def rectification_decide_appeal(*, rectification: Rectification, actor, void: bool, note: str,
                                now: datetime | None = None):
    """A supervisor upholds the review (the rectification resumes) or voids it (it no longer counts)."""
    _require_supervisor(actor)
    rect = _rect_locked(rectification)
    rect.appeal_decision_note = _note_required(note, "note", "处理意见")
    now = now or timezone.now()
    rect = _rect_move(rect, "void" if void else "uphold", actor, now=now, note=rect.appeal_decision_note)
    if void:
        ev = rect.evaluation
        ev.status = EvalStatus.VOIDED
        ev.save(update_fields=["status"])
    return rect


def rectification_flag_overdue(*, rectification_id: int, what: str) -> bool:
    rect = Rectification.objects.select_for_update().select_related("evaluation").filter(pk=rectification_id).first()
    if rect is None or rect.status in (RectStatus.CLOSED, RectStatus.VOIDED, RectStatus.APPEALED):
        return False
    if what == "contact":
        if rect.status != RectStatus.OPEN or rect.contact_overdue:
            return False
        rect.contact_overdue = True
        rect.save(update_fields=["contact_overdue"])
    else:
        if rect.status == RectStatus.FIXED or rect.overdue:
            return False
        rect.overdue = True
        rect.save(update_fields=["overdue"])
    _event(rect.evaluation, f"rectification_{what}_overdue", rectification=rect.pk, unit=rect.unit_id)
    return True


# --- subjects: a completed case, a window service ------------------------------------------------------

DECISION_ACTIONS = ("approve", "deny", "decide_on_acceptance", "deemed_approve")


def evaluation_invite_case(*, case_number: str, now: datetime | None = None) -> Evaluation | None:
    """Open the first rating slot of a completed case (一事一评), or nothing if it already has one.

    unit = the deciding unit; staff = who decided (none for a deemed approval); window = the intake
    window (the window of the clerk who received or accepted it); item; park = the applicant's park;
    rater = the applicant."""
    from yiwang.cases.models import Case
    from yiwang.organisations.models import Staff

    with transaction.atomic():
        case = (Case.objects.select_related("deciding_unit", "implementation", "applicant")
                .filter(number=case_number).first())
        if case is None:
            raise NotFound(f"case：办件“{case_number}”不存在", field="case")
        if Evaluation.objects.filter(subject_kind=SubjectKind.CASE, subject_ref=case.number).exists():
            return None
        events = list(case.events.filter(action__in=(*DECISION_ACTIONS, "accept", "submit")).order_by("seq"))
        decided = [e for e in events if e.action in DECISION_ACTIONS]
        staff = decided[-1].actor if decided and decided[-1].actor_id else None
        window = None
        for e in events:
            if e.action in ("accept", "submit") and e.actor_id and (e.action == "accept" or case.channel == "window"):
                row = Staff.objects.filter(user_id=e.actor_id, window__isnull=False).select_related("window").first()
                if row is not None:
                    window = row.window
        applicant = case.applicant
        return evaluation_invite(
            subject_kind=SubjectKind.CASE, subject_ref=case.number, unit=case.deciding_unit, staff=staff,
            window=window, implementation=case.implementation, park=applicant.park, rater_party=applicant,
            rater_name=applicant.name, now=now,
        )


def window_clerk(window) -> object | None:
    """The staff member serving at a window: its window clerk (the first, if several share it)."""
    from yiwang.organisations.models import Role, Staff

    row = (Staff.objects.filter(window=window).select_related("user")
           .order_by(_role_first(Role.WINDOW_CLERK), "id").first())
    return row.user if row else None


def _role_first(role: str):
    from django.db.models import Case as When_
    from django.db.models import IntegerField, Value, When

    return When_(When(role=role, then=Value(0)), default=Value(1), output_field=IntegerField())


def evaluation_invite_window(*, window, actor, now: datetime | None = None) -> Evaluation:
    """一次一评 at the window pad: a new slot for the service just given at this window. The staff
    rated is the signed-in clerk if they serve at this window, else the window's clerk."""
    from yiwang.organisations.models import Staff

    roles = list(Staff.objects.filter(user=actor)) if actor is not None and actor.is_authenticated else []
    if not any(s.window_id == window.pk or s.unit_id == window.unit_id for s in roles):
        raise Forbidden("window：只有本窗口（本单位）的工作人员可以发起窗口评价", field="window")
    staff = actor if any(s.window_id == window.pk for s in roles) else window_clerk(window)
    now = now or timezone.now()
    ref = f"{window.code}-{now.astimezone(rules.TZ):%Y%m%d%H%M%S}-{secrets.token_hex(2)}"
    return evaluation_invite(subject_kind=SubjectKind.WINDOW, subject_ref=ref, unit=window.unit, staff=staff,
                             window=window, now=now)
