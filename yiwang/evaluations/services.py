"""Changes to evaluations and rectifications. The case engine opens a rating slot with
`evaluation_invite(...)` when a case completes; nothing here depends on the case models."""

from __future__ import annotations

import secrets
from datetime import datetime, time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.core.errors import Conflict, DomainError, Forbidden, NotFound
from yiwang.core.outbox import outbox_put
from yiwang.core.timers import timer_cancel, timer_schedule, timers_set
from yiwang.core.workflow import SYSTEM, apply
from yiwang.core.workflow.deadlines import deadline_holder
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
    RectificationEvent,
    RectStatus,
    SubjectKind,
)
from .workflow import MOVABLE, OPEN_EVENT, RATER, RECTIFICATION, TIMER_CONTACT, TIMER_FIX, is_rater

TIMER_DEFAULT = "evaluation.default"


def policy_for(unit: Unit) -> EvaluationPolicy:
    """The unit's region's policy, else its ancestors', else the platform default (unsaved if none)."""
    region = unit.region
    chain = [region.code] + [r.code for r in region.ancestors()]
    found = {p.region_id: p for p in EvaluationPolicy.objects.filter(region_id__in=chain)}
    for code in chain:
        if code in found:
            return found[code]
    return EvaluationPolicy.objects.filter(region__isnull=True).first() or EvaluationPolicy()


def _event(ev: Evaluation, action: str, *, before: str, now: datetime, actor=None, actor_kind: str = SYSTEM,
           reason: str = "", **data) -> None:
    """One event of the slot's own history (the caller holds the slot's row lock, or just made it)."""
    last = ev.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    EvaluationEvent.objects.create(
        evaluation=ev, seq=last + 1, action=action, from_status=before, to_status=ev.status,
        actor=actor if getattr(actor, "pk", None) else None, actor_kind=actor_kind, at=now,
        on=timezone.localdate(now), reason=reason, data=data)
    outbox_put(topic=f"evaluation.{action}", payload={"evaluation": ev.pk, "subject_kind": ev.subject_kind,
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
        raise DomainError(f"评价对象“{subject_kind}”不存在", field="subject_kind")
    if not subject_ref:
        raise DomainError("缺少办件编号", field="subject_ref")
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
    _event(ev, "invited", before="", now=now, token=ev.token)
    return ev


def evaluation_reinvite(ev: Evaluation, *, now: datetime) -> Evaluation:
    """The next round for the same subject and rater (the re-rating after a fix)."""
    return evaluation_invite(
        subject_kind=ev.subject_kind, subject_ref=ev.subject_ref, unit=ev.unit, staff=ev.staff, window=ev.window,
        implementation=ev.implementation, park=ev.park, rater_party=ev.rater_party, rater_name=ev.rater_name,
        rater_phone=ev.rater_phone, now=now,
    )


def evaluation_by_token(token: str) -> Evaluation:
    ev = Evaluation.objects.select_related("unit", "window", "implementation", "staff").filter(token=token).first()
    if ev is None:
        raise NotFound("评价码不存在", field="token")
    return ev


@transaction.atomic
def evaluation_rate(
    *, evaluation: Evaluation, level: int, channel: str, text: str = "", problem_type: str = "", rater_user=None,
    now: datetime | None = None,
) -> Evaluation:
    """The rater's rating. One per slot; staff cannot rate their own work; a bad review says its
    problem type and what happened, and opens a rectification (a hotline reply's bad review reopens
    the request instead, see the hotline; the operator's 回访记录 there is the description)."""
    try:
        level = int(level)
        bad = rules.is_bad(level)
    except (TypeError, ValueError):
        raise DomainError("满意度应为 1（非常满意）至 5（非常不满意）", field="level") from None
    if channel not in EvalChannel.values or channel == EvalChannel.SYSTEM:
        raise DomainError(f"评价渠道“{channel}”不存在", field="channel")
    text = text or ""
    if len(text) > 2000:
        raise DomainError("文字评价不能超过2000字", field="text")
    missing = None if channel == EvalChannel.HOTLINE else rules.bad_review_problem(level, problem_type, text)
    if missing:
        raise DomainError(missing[1], field=missing[0], code="bad_review_incomplete")
    ev = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if rater_user is not None and rater_user.is_authenticated and ev.staff_id == rater_user.pk:
        raise Forbidden("工作人员不能评价自己经办的服务", field="level", code="own_work")
    if ev.status != EvalStatus.INVITED:
        raise Conflict("本次服务已评价，每次服务只能评价一次", field="level", code="already_rated")
    now = now or timezone.now()
    ev.level, ev.bad, ev.channel, ev.text, ev.rated_at = level, bad, channel, text.strip(), now
    ev.problem_type = problem_type if bad and problem_type in rules.PROBLEM_TYPES else ""
    ev.status = EvalStatus.RATED
    if rater_user is not None and rater_user.is_authenticated:
        ev.rater_user = rater_user
    ev.save()
    timer_cancel(kind=TIMER_DEFAULT, key=str(ev.pk))
    _event(ev, "rated", before=EvalStatus.INVITED, now=now, actor=rater_user, actor_kind=RATER, level=level,
           channel=channel, **({"problem_type": ev.problem_type} if ev.problem_type else {}))
    _after_rating(ev, now, rater_user=rater_user)
    return ev


def _after_rating(ev: Evaluation, now: datetime, rater_user=None) -> None:
    # A re-rating closes the rectification that asked for it: by the rater when signed in as such,
    # else the system acts on the rating (a QR code rated without an account, the default).
    rect = Rectification.objects.filter(rerating=ev).first()
    if rect is not None and rect.status == RectStatus.FIXED:
        actor = rater_user if is_rater(rater_user, ev) else None
        apply(RECTIFICATION, subject=rect, action="rerate", actor=actor, now=now)
        return
    if ev.subject_kind == SubjectKind.BUNDLE:
        for member in _bundle_attribute(ev, now):  # each member's unit rectifies its own part
            _after_rating(member, now, rater_user=rater_user)
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
    _event(ev, "defaulted", before=EvalStatus.INVITED, now=now, level=ev.level)
    _after_rating(ev, now)
    return ev


def evaluation_void(ev: Evaluation, *, actor, reason: str, now: datetime) -> None:
    """The review no longer counts (a supervisor upheld the unit's appeal): part of the void action."""
    ev = Evaluation.objects.select_for_update().get(pk=ev.pk)
    before, ev.status = ev.status, EvalStatus.VOIDED
    ev.save(update_fields=["status"])
    _event(ev, "voided", before=before, now=now, actor=actor, actor_kind="supervisor", reason=reason)


# --- rectification (the workflow: workflow.py) ---------------------------------------------------

def rect_limits(rect: Rectification, *, start: datetime | None = None) -> dict:
    """The contact and fix limits counted from the bad review on the calendar as it is now. The
    contact limit is kept once the rater was called back; provisional = a running limit falls in a
    year without an official calendar."""
    start = start or rect.evaluation.rated_at
    policy = None if rect.contact_days is not None and rect.fix_days is not None else policy_for(rect.unit)
    fix = rules.working_deadline(start, rect.fix_days or policy.fix_working_days, add_working_days)
    if rect.status != RectStatus.OPEN:
        return {"contact_due_at": rect.contact_due_at, "fix_due_at": fix.at, "deadline_provisional": fix.provisional}
    days = rect.contact_days if rect.contact_days is not None else policy.contact_working_days
    contact = rules.working_deadline(start, days, add_working_days)
    return {"contact_due_at": contact.at, "fix_due_at": fix.at,
            "deadline_provisional": contact.provisional or fix.provisional}


def rectification_open(*, evaluation: Evaluation, now: datetime) -> Rectification:
    """A bad review opens a rectification: its first event ("open", seq 1) and its two timers."""
    policy = policy_for(evaluation.unit)
    rect = Rectification(evaluation=evaluation, unit=evaluation.unit, contact_days=policy.contact_working_days,
                         fix_days=policy.fix_working_days, version=1)
    for name, value in rect_limits(rect, start=now).items():
        setattr(rect, name, value)
    rect.save()
    level = rules.LEVEL_NAMES.get(evaluation.level, "")
    RectificationEvent.objects.create(
        rectification=rect, seq=1, action=OPEN_EVENT, to_status=RectStatus.OPEN, actor_kind=SYSTEM, at=now,
        on=timezone.localdate(now), reason=f"差评（{level}）：立案整改", deadline=rect.deadline,
        data={"evaluation": evaluation.pk, "contact_due": rect.contact_due_at.isoformat(),
              "fix_due": rect.fix_due_at.isoformat(), "provisional": rect.deadline_provisional})
    timers_set(key=str(rect.pk), plan={TIMER_CONTACT: rect.contact_due_at, TIMER_FIX: rect.fix_due_at}, fresh=True)
    outbox_put(topic="evaluation.rectification_opened", payload={
        "evaluation": evaluation.pk, "subject_kind": evaluation.subject_kind, "subject_ref": evaluation.subject_ref,
        "round": evaluation.round, "rectification": rect.pk, "fix_due": rect.fix_due_at.isoformat(),
        "provisional": rect.deadline_provisional})
    return rect


def _act(rectification, action: str, actor, now: datetime | None, **input) -> Rectification:
    return apply(RECTIFICATION, subject=rectification, action=action, actor=actor, input=input, now=now)


def rectification_contact(*, rectification: Rectification, actor, note: str, now: datetime | None = None):
    return _act(rectification, "contact", actor, now, note=note)


def rectification_verify(*, rectification: Rectification, actor, note: str, now: datetime | None = None):
    return _act(rectification, "verify", actor, now, note=note)


def rectification_fix(*, rectification: Rectification, actor, note: str, now: datetime | None = None):
    """The fix is recorded and the rater is invited to rate again (the next round)."""
    return _act(rectification, "fix", actor, now, note=note)


def rectification_appeal(*, rectification: Rectification, actor, reason: str, now: datetime | None = None):
    """The unit appeals a malicious or mistaken review to a supervisor."""
    return _act(rectification, "appeal", actor, now, reason=reason)


def rectification_decide_appeal(*, rectification: Rectification, actor, void: bool, note: str,
                                now: datetime | None = None):
    """A supervisor upholds the review (the rectification resumes) or voids it (it no longer counts)."""
    return _act(rectification, "void" if void else "uphold", actor, now, note=note)


@deadline_holder("rectifications")
def rectifications_recompute_deadlines(*, since, now: datetime) -> int:
    """After a calendar change: recount the contact and fix limits of running rectifications whose
    limit reaches `since` (or is still provisional). Each move is a calendar_moved event (the
    engine moves the timers with it); a rectification whose limits did not move is refused by the
    action's guard and left alone. Rectifications are few (a unit's bad reviews), so one apply each."""
    start = datetime.combine(since, time.min, tzinfo=rules.TZ)
    pks = list(Rectification.objects.filter(status__in=MOVABLE)
               .filter(Q(fix_due_at__gte=start) | Q(contact_due_at__gte=start) | Q(deadline_provisional=True))
               .order_by("pk").values_list("pk", flat=True))
    moved = 0
    for pk in pks:
        try:
            apply(RECTIFICATION, subject=pk, action="calendar_moved", actor=None, now=now, input={"since": since})
        except DomainError:  # unchanged, or moved on meanwhile
            continue
        moved += 1
    return moved


# --- subjects: a completed case, a window service ------------------------------------------------------

DECISION_ACTIONS = ("approve", "deny", "decide_on_acceptance", "deemed_approve")


def _case_slot(case) -> dict:
    """Who a case's rating is about: unit = the deciding unit; staff = who decided (none for a deemed
    approval); window = the intake window (of the clerk who received or accepted it); item; park =
    the applicant's park; rater = the applicant."""
    from yiwang.organisations.models import Staff

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
    return {"unit": case.deciding_unit, "staff": staff, "window": window, "implementation": case.implementation,
            "park": applicant.park, "rater_party": applicant, "rater_name": applicant.name}


def evaluation_invite_case(*, case_number: str, now: datetime | None = None) -> Evaluation | None:
    """Open the first rating slot of a completed case (一事一评), or nothing if it already has one —
    or if it is a member of a bundle case: the bundle case is rated once (evaluation_invite_bundle)."""
    from yiwang.bundlecases.models import BundleMemberCase
    from yiwang.cases.models import Case

    with transaction.atomic():
        case = (Case.objects.select_related("deciding_unit", "implementation", "applicant")
                .filter(number=case_number).first())
        if case is None:
            raise NotFound(f"办件“{case_number}”不存在", field="case")
        if Evaluation.objects.filter(subject_kind=SubjectKind.CASE, subject_ref=case.number).exists():
            return None
        if BundleMemberCase.objects.filter(case=case).exists():
            return None
        return evaluation_invite(subject_kind=SubjectKind.CASE, subject_ref=case.number, now=now,
                                 **_case_slot(case))


def evaluation_invite_grant(*, grant_number: str, now: datetime | None = None) -> Evaluation | None:
    """好差评 on a paid redemption (政策兑现): one slot, the enterprise rates the issuing unit (and the
    policy's item, if it was applied for); nothing if it already has one."""
    from yiwang.policies.models import Grant

    g = (Grant.objects.select_related("policy__issuing_unit", "policy__implementation", "enterprise")
         .filter(number=grant_number).first())
    if g is None:
        raise NotFound(f"兑现记录“{grant_number}”不存在", field="grant")
    if Evaluation.objects.filter(subject_kind=SubjectKind.GRANT, subject_ref=g.number).exists():
        return None
    return evaluation_invite(subject_kind=SubjectKind.GRANT, subject_ref=g.number, unit=g.policy.issuing_unit,
                             implementation=g.policy.implementation, park=g.enterprise.park,
                             rater_party=g.enterprise, rater_name=g.enterprise.name,
                             rater_phone=g.enterprise.phone, now=now)


def evaluation_invite_bundle(*, bundle_case_number: str, now: datetime | None = None) -> Evaluation | None:
    """一事一评 for a bundle case whose every result was delivered: one slot, one invitation to its
    applicant, about the bundle window that accepted it (its unit and window)."""
    from yiwang.bundlecases.models import BundleCase
    from yiwang.organisations.models import Staff

    bc = BundleCase.objects.select_related("applicant", "accepted_by").filter(number=bundle_case_number).first()
    if bc is None:
        raise NotFound(f"一件事办件“{bundle_case_number}”不存在", field="case")
    if Evaluation.objects.filter(subject_kind=SubjectKind.BUNDLE, subject_ref=bc.number).exists():
        return None
    row = (Staff.objects.filter(user_id=bc.accepted_by_id, window__isnull=False).select_related("window", "unit")
           .first() if bc.accepted_by_id else None)
    unit = row.unit if row else bc.member_cases.select_related("case__deciding_unit").first().case.deciding_unit
    return evaluation_invite(subject_kind=SubjectKind.BUNDLE, subject_ref=bc.number, unit=unit,
                             window=row.window if row else None, staff=bc.accepted_by, park=bc.applicant.park,
                             rater_party=bc.applicant, rater_name=bc.applicant.name, now=now)


def _bundle_attribute(ev: Evaluation, now: datetime) -> list[Evaluation]:
    """The bundle's one rating, attributed to each member's unit: one slot per member case (its latest
    attempt), rated as the bundle was, so each unit's satisfaction counts it once and the bundle slot
    itself counts nothing (dashboards)."""
    from yiwang.bundlecases.models import BundleMemberCase

    latest = {}
    for link in (BundleMemberCase.objects.filter(bundle_case__number=ev.subject_ref).order_by("attempt", "id")
                 .select_related("case__deciding_unit", "case__implementation", "case__applicant__park")):
        latest[link.member_id] = link.case
    out = []
    for case in latest.values():
        if Evaluation.objects.filter(subject_kind=SubjectKind.CASE, subject_ref=case.number).exists():
            continue
        member = Evaluation.objects.create(
            subject_kind=SubjectKind.CASE, subject_ref=case.number, round=1, token=secrets.token_urlsafe(12),
            status=ev.status, level=ev.level, bad=ev.bad, channel=ev.channel, text=ev.text, rater_user=ev.rater_user,
            problem_type=ev.problem_type, invited_at=ev.invited_at, default_due_at=ev.default_due_at, rated_at=ev.rated_at, **_case_slot(case))
        _event(member, "invited", before="", now=ev.invited_at, bundle=ev.subject_ref)
        _event(member, "rated" if ev.status == EvalStatus.RATED else "defaulted", before=EvalStatus.INVITED,
               now=now, actor=ev.rater_user, actor_kind=RATER if ev.status == EvalStatus.RATED else SYSTEM,
               level=ev.level, channel=ev.channel, bundle=ev.subject_ref,
               **({"problem_type": ev.problem_type} if ev.problem_type else {}))
        out.append(member)
    return out


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
        raise Forbidden("只有本窗口（本单位）的工作人员可以发起窗口评价", field="window")
    staff = actor if any(s.window_id == window.pk for s in roles) else window_clerk(window)
    now = now or timezone.now()
    ref = f"{window.code}-{now.astimezone(rules.TZ):%Y%m%d%H%M%S}-{secrets.token_hex(2)}"
    return evaluation_invite(subject_kind=SubjectKind.WINDOW, subject_ref=ref, unit=window.unit, staff=staff,
                             window=window, now=now)
