"""Every change of a case goes through here: submit, the table's actions, materials, the clock.

`case_act` is the one function that applies an edge of transitions.TABLE: it checks the edge, who
the actor is to the case, the guards; applies the action's effects; recomputes the clock; writes
the row with `UPDATE ... WHERE id = ? AND version = ?` (0 rows → 409); appends the event (its seq is
the new version, so one version, one event); writes the outbox row; schedules or cancels timers;
and sends the hooks of signals.py — all in one transaction.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from yiwang.catalogue.models import ItemImplementation, MaterialSource
from yiwang.catalogue.rules import form_check
from yiwang.catalogue.selectors import implementation_get, implementations_qs, route_for
from yiwang.core.errors import Conflict, DomainError, Forbidden, NotFound
from yiwang.core.models import OutboxMessage
from yiwang.core.numbering import daily_sequence_next
from yiwang.core.outbox import outbox_put
from yiwang.core.timers import timers_set, timers_set_many
from yiwang.organisations.models import Unit
from yiwang.parties.models import CreditRecord, Party
from yiwang.parties.services import party_get_or_create
from yiwang.workcalendar.index import add_working_days, get_index

from . import clock, selectors
from . import signals as hooks
from . import transitions as T
from .materials import sniff
from .models import (
    Case,
    CaseChannel,
    CaseCounter,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    CoReview,
    Decision,
)

CONFLICT_MESSAGE = "办件已被他人处理，请刷新后重试"
RIGHT_TO_APPEAL = "如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。"

TIMER_DEEMED_ACCEPTANCE = "case.deemed_acceptance"
TIMER_DEEMED_APPROVAL = "case.deemed_approval"
TIMER_DEEMED_CONSENT = "case.deemed_consent"
TIMER_SUPPLY_LIMIT = "case.supply_limit"
TIMER_DELIVERY_LIMIT = "case.delivery_limit"
TIMER_POST_CHECK = "case.post_check"
TIMER_DUE_SWEEP = "case.due_sweep"


def max_upload_bytes() -> int:
    return int(getattr(settings, "YIWANG_MAX_UPLOAD_MB", 20)) * 1024 * 1024


# ---------------------------------------------------------------- numbers


def case_number_next(*, impl_code: str, day: date) -> str:
    """impl code + yyyymmdd + 4-digit daily sequence; unique under concurrent submissions.

    The counter row stays locked until commit (see core.numbering), so case_submit takes it last.
    """
    seq = daily_sequence_next(counter=CaseCounter, key_field="impl_code", key=impl_code, day=day)
    if seq > 9999:
        raise DomainError("item：该事项当日办件编号已用尽", field="item")
    return f"{impl_code}{day:%Y%m%d}{seq:04d}"


# ---------------------------------------------------------------- submit


def _implementation_for_submit(impl_code: str) -> ItemImplementation:
    """The implementation with its item's materials and steps (what submission reads), in three queries."""
    impl = (implementations_qs().prefetch_related("item__materials", "item__steps")
            .filter(impl_code=impl_code).first())
    if impl is None:
        raise NotFound(f"item：事项实施编码“{impl_code}”不存在", field="item", code="item_not_found")
    return impl


def _applicant_materials(impl: ItemImplementation) -> tuple[list[str], list[str], list[str]]:
    """(all names the applicant may upload, required ones, tolerable ones)."""
    mats = [m for m in impl.item.materials.all() if m.source == MaterialSource.APPLICANT]
    return ([m.name for m in mats], [m.name for m in mats if m.required], [m.name for m in mats if m.tolerable])


def _steps_of(impl: ItemImplementation) -> list[str]:
    from yiwang.catalogue.services import default_steps

    return [s.name for s in impl.item.steps.all()] or default_steps(impl.item)


@transaction.atomic
def case_submit(
    *,
    actor,
    item: str,
    applicant: Party | dict,
    form: dict | None = None,
    channel: str = CaseChannel.ONLINE,
    agent_authorisation: str = "",
    parent: Case | None = None,
    now: datetime | None = None,
    bundle_case: str = "",
    materials_from: dict[str, str] | None = None,
) -> Case:
    """Receive an application: online by the applicant, at a window by a clerk, or by an agent.

    bundle_case: the number of the bundle case (一件事) this is a member of; its intake was checked
    when the bundle case was received, so the channel's actor check is not repeated here.
    materials_from: {material name: licence identifier} produced by an earlier member of that bundle.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    impl = _implementation_for_submit(item)
    if channel not in CaseChannel.values:
        raise DomainError("channel：申请渠道应为 online、window 或 agent", field="channel")
    if isinstance(applicant, dict):
        data = dict(applicant)
        party = party_get_or_create(
            kind=data.pop("kind", ""), number=data.pop("number", ""), name=data.pop("name", ""),
            field="applicant.number",
            **{k: v for k, v in data.items() if k in ("phone", "address", "legal_representative")},
        )
    else:
        party = applicant
    if impl.item.service_object and party.kind != impl.item.service_object:
        who = "自然人" if impl.item.service_object == "person" else "法人"
        raise DomainError(f"applicant.kind：该事项的服务对象是{who}", field="applicant.kind")
    form = _form_check(impl, form or {})

    route = route_for(impl=impl, park_code=party.park.code if party.park_id else None, on=today)
    units = {u.code: u for u in Unit.objects.filter(
        code__in={route.receiving_unit, route.reviewing_unit, route.deciding_unit, route.in_name_of})}
    receiving = units[route.receiving_unit]

    agent = None
    if bundle_case:
        pass  # received as part of a bundle case (its channel and actor were checked there)
    elif channel == CaseChannel.ONLINE:
        if actor is None or party.user_id != actor.pk:
            raise Forbidden("applicant：网上申请只能由申请人本人（本企业）账号提交；代办请选择代办渠道并提供授权",
                            field="applicant")
    elif channel == CaseChannel.WINDOW:
        probe = Case(receiving_unit=receiving, reviewing_unit=receiving, deciding_unit=receiving,
                     applicant=party)
        if actor is None or T.INTAKE not in selectors.actor_kinds(probe, actor):
            raise Forbidden("channel：只有本区域政务服务大厅窗口或受理单位工作人员可以代申请人窗口收件",
                            field="channel")
    else:
        if not agent_authorisation.strip():
            raise DomainError("agent_authorisation：代办须提供申请人的授权委托书", field="agent_authorisation")
        agent = actor

    shared = _materials_shared(impl, party, form, materials_from or {})
    # The number last: its counter row stays locked until commit, so the less work after it, the more
    # submissions of one item a day can be numbered per second.
    number = case_number_next(impl_code=impl.impl_code, day=today)
    case = Case.objects.create(
        number=number, implementation=impl, parent=parent, applicant=party, agent=agent,
        agent_authorisation=agent_authorisation.strip(), submitted_by=actor, channel=channel,
        status=CaseStatus.SUBMITTED, route_mode=route.mode, receiving_unit=receiving,
        reviewing_unit=units[route.reviewing_unit], deciding_unit=units[route.deciding_unit],
        in_name_of=units[route.in_name_of], region_id=impl.region_id, form=form, submitted_at=now,
        received_on=today, statutory_days=impl.item.statutory_days, promised_days=impl.item.promised_days,
        steps=_steps_of(impl), version=1,
        shared_materials=shared,
    )
    submit_data = {"channel": channel, "route": route.mode}
    if bundle_case:
        submit_data["bundle_case"] = bundle_case
    if case.shared_materials.get("satisfied"):
        submit_data["shared"] = [s["material"] for s in case.shared_materials["satisfied"]]
    event = _append_event(case, action="submit", from_status="", to_status=CaseStatus.SUBMITTED, actor=actor,
                          actor_kind=(T.SYSTEM if bundle_case else T.APPLICANT if channel != CaseChannel.WINDOW
                                      else T.INTAKE), reason="",
                          data=submit_data, now=now, seq=1)
    _notify(case, "submit", f"您的“{impl.name}”申请已收到，办件编号 {number}。")
    _schedule_deemed_acceptance(case)
    case.submit_event = event  # its history so far, for a response built without reading the case back
    return case


def _materials_shared(impl: ItemImplementation, party: Party, form: dict, produced: dict[str, str]) -> dict:
    """无证明: which licence- and data-sourced materials the platform supplies (never asked of the
    applicant; the acceptance check only looks at applicant-sourced ones), and what that saved."""
    from yiwang.licences.datasharing import materials_satisfied

    # What the bundle fed forward is not looked up again (nor its signature verified again).
    result = materials_satisfied(item=impl.item, applicant=party, form=form, supplied=produced.keys()).as_dict()
    if produced:
        by_name = {m.name: m for m in impl.item.materials.all()}
        inside = [{"material": n, "how": "bundle", "reference": ref} for n, ref in produced.items() if n in by_name]
        names = {x["material"] for x in inside}
        result["satisfied"] = inside + [x for x in result["satisfied"] if x["material"] not in names]
        result["unsatisfied"] = [x for x in result["unsatisfied"] if x["material"] not in names]
        done = {x["material"] for x in result["satisfied"]}
        result["copies_saved"] = sum(by_name[n].copies for n in done if n in by_name)
        required = [m.name for m in by_name.values() if m.required]
        result["visits_saved"] = 1 if required and all(n in done for n in required) else 0
    return result


def _form_check(impl: ItemImplementation, form: dict) -> dict:
    return form_check(list(impl.item.form_fields or []), form, whose="该事项申请表")


# ---------------------------------------------------------------- the one function that acts


def _case_for_update(case: Case | str) -> Case:
    number = case.number if isinstance(case, Case) else case
    found = (
        Case.objects.select_related("implementation__item", "applicant", "receiving_unit", "reviewing_unit",
                                    "deciding_unit", "in_name_of")
        .filter(number=number).first()
    )
    if found is None:
        raise NotFound(f"number：办件“{number}”不存在", field="number", code="case_not_found")
    return found


def case_act(
    *,
    case: Case | str,
    actor,
    action: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Apply one action of the transition table. actor None means the system (a timer)."""
    with transaction.atomic():
        return _act(case=case, actor=actor, action=action, reason=(reason or "").strip(), data=dict(data or {}),
                    version=version, now=now or timezone.now())


CO_REVIEW_ACTIONS = ("co_review", "deemed_consent")
CO_REVIEW_GUARDS = {"co_review_consented", "co_review_open", "co_review_silent"}


def _act(*, case, actor, action, reason, data, version, now) -> Case:
    if action not in T.ACTIONS:
        raise NotFound(f"action：未知的操作“{action}”", field="action", code="unknown_action")
    case = _case_for_update(case)
    if version is not None and version != case.version:
        raise Conflict(CONFLICT_MESSAGE, field="version")
    edge = T.TABLE.get((case.status, action))
    if edge is None:
        raise Conflict(f"action：办件当前状态为“{case.get_status_display()}”，不能{T.ACTION_LABELS[action]}",
                       field="action", code="bad_state")
    # Whether the actor co-reviews the case costs a query: asked only of the one action that needs it.
    kinds = selectors.actor_kinds(case, actor, co_review=T.CO_REVIEWER in edge.actors)
    matched = edge.actors & kinds
    if not matched:
        if edge.actors == {T.SYSTEM}:
            raise Forbidden(f"action：“{T.ACTION_LABELS[action]}”只能由系统执行", field="action")
        who = "、".join(T.ACTOR_LABELS[a] for a in sorted(edge.actors))
        raise Forbidden(f"action：无权{T.ACTION_LABELS[action]}，此操作须由{who}办理", field="action")
    impl = case.implementation
    item = impl.item
    # Read only what this edge's guards and effects look at (the case row came with its item).
    required: list[str] = []
    tolerable: list[str] = []
    uploaded: set[str] = set()
    if action == "accept" or "materials_complete" in edge.guards:
        _, required, tolerable = _applicant_materials(impl)
        uploaded = set(CaseMaterial.objects.filter(case=case).values_list("name", flat=True))
    co_reviews: list[CoReview] = []
    if action in CO_REVIEW_ACTIONS or set(edge.guards) & CO_REVIEW_GUARDS:
        co_reviews = list(CoReview.objects.filter(case=case).select_related("unit"))
    g = T.GuardInput(
        case=case, data=data, reason=reason, required_materials=required, tolerable_materials=tolerable,
        uploaded=uploaded,
        item_instant=item.is_instant, commitment_allowed=item.commitment_allowed,
        deemed_approval_allowed=item.deemed_approval_allowed,
        co_reviews=[(c.unit.code, c.consent) for c in co_reviews],
        actor_units=selectors.actor_units(case, actor),
    )
    problem = T.check_guards(edge, g)
    if problem:
        field = problem.split("：", 1)[0]
        raise DomainError(problem, field=field, code="guard")

    old_status, old_version, old_deadline = case.status, case.version, case.deadline
    # One look at the calendar per transition (its index checks its version on each look in a transaction).
    cal = get_index()
    old_provisional = case.deadline_provisional
    today = timezone.localdate(now)
    new_status = old_status if edge.to == T.SAME else edge.to
    changed: set[str] = {"status"}
    event_data: dict[str, Any] = {}
    notice = ""
    after: list = []  # (callable) run after the row is written: the hooks
    timers: dict[str, datetime | None] = {}  # kind -> due_at, or None to cancel; set in one go at the end

    case.status = new_status
    if action in ("accept", "deemed_accept"):
        accepted_on = case.received_on if action == "deemed_accept" else today
        case.accepted_on = accepted_on
        case.current_step = 1
        event_data["accepted_on"] = accepted_on.isoformat()
        changed |= {"accepted_on", "current_step"}
        if action == "accept":
            tolerated = [m for m in (data.get("tolerate") or []) if m in tolerable]
            if tolerated:
                case.missing_materials = tolerated
                case.supply_due = cal.add_working_days(today, item.tolerance_days).date
                changed |= {"missing_materials", "supply_due"}
                event_data.update(tolerated=tolerated, supply_due=case.supply_due.isoformat())
                timers[TIMER_SUPPLY_LIMIT] = clock.midnight_after(case.supply_due)
            if data.get("commitment"):
                case.commitment = True
                changed.add("commitment")
                event_data["commitment"] = True
            if data.get("paper"):
                event_data["paper"] = list(data["paper"])
            notice = f"您的申请已受理，办件编号 {case.number}。"
        else:
            event_data["deemed"] = "art32"
            case.deemed = "deemed_acceptance"
            changed.add("deemed")
            reason = reason or "收件后5个工作日内未作受理决定，依《行政许可法》第三十二条自收件之日起视为受理"
            notice = f"您的申请已依法视为受理（自收件之日 {accepted_on} 起）。"
        co_units = list(impl.co_reviewers.all())
        if co_units and item.deemed_consent_days:
            slot_end = cal.add_working_days(accepted_on, item.deemed_consent_days).date
            CoReview.objects.bulk_create([CoReview(case=case, unit=u, slot_end=slot_end) for u in co_units],
                                         ignore_conflicts=True)
            event_data["co_review_until"] = slot_end.isoformat()
            timers[TIMER_DEEMED_CONSENT] = clock.midnight_after(slot_end)
        timers[TIMER_DEEMED_ACCEPTANCE] = None
    elif action == "refuse":
        notice = f"您的申请不予受理。理由：{reason}"
        timers[TIMER_DEEMED_ACCEPTANCE] = None
    elif action == "request_correction":
        case.correction_count += 1
        changed.add("correction_count")
        notice = f"请一次性补正以下内容后重新提交：{reason}"
        timers[TIMER_DEEMED_ACCEPTANCE] = None
    elif action == "resubmit":
        case.received_on = today
        if isinstance(data.get("form"), dict):
            case.form = _form_check(impl, {**case.form, **data["form"]})
            changed.add("form")
        changed.add("received_on")
        timers[TIMER_DEEMED_ACCEPTANCE] = _deemed_acceptance_due(case)
    elif action == "withdraw":
        notice = "您的申请已撤回。"
        timers.update(dict.fromkeys(CASE_TIMERS))
    elif action == "review":
        event_data["step"] = case.steps[case.current_step] if case.current_step < len(case.steps) else ""
        case.current_step += 1
        changed.add("current_step")
        if data.get("opinion"):
            event_data["opinion"] = str(data["opinion"])[:2000]
    elif action in ("approve", "deny", "deemed_approve", "decide_on_acceptance"):
        case.decision = Decision.DENIED if action == "deny" else Decision.APPROVED
        case.decided_at, case.decided_on = now, today
        case.current_step = len(case.steps)
        case.delivery_due = clock.delivery_due(today, add=cal.add_working_days)
        case.decision_reason = reason
        changed |= {"decision", "decided_at", "decided_on", "current_step", "delivery_due", "decision_reason"}
        if action == "deemed_approve":
            case.deemed = "deemed_approval"
            changed.add("deemed")
            case.decision_reason = reason = reason or "办理期限届满未作决定，依该事项超时默认规则由系统准予"
        if action == "decide_on_acceptance":
            case.decision_reason = reason = reason or (
                "告知承诺：依申请人书面承诺当场准予" if case.commitment else "即办件：受理即办结")
        if case.commitment and case.decision == Decision.APPROVED:
            case.post_check_pending = True
            case.post_check_due = cal.add_working_days(today, item.post_check_days).date
            changed |= {"post_check_pending", "post_check_due"}
            event_data["post_check_due"] = case.post_check_due.isoformat()
            timers[TIMER_POST_CHECK] = clock.midnight_after(case.post_check_due)
        notice = (f"您的申请已准予（{case.decision_reason}）。" if case.decision == Decision.APPROVED
                  else f"您的申请不予许可。理由：{reason}。{RIGHT_TO_APPEAL}")
        event_data["decision"] = case.decision
        timers.update({TIMER_DEEMED_APPROVAL: None, TIMER_DEEMED_CONSENT: None, TIMER_SUPPLY_LIMIT: None,
                       TIMER_DELIVERY_LIMIT: clock.midnight_after(case.delivery_due)})
        after.append(lambda c: hooks.case_decided.send(sender=Case, case=c, decision=c.decision))
    elif action == "pause":
        procedure = str(data.get("procedure") or "特别程序")[:32]
        case.pauses = [*case.pauses, [today.isoformat(), None, procedure]]
        case.paused = True
        changed |= {"pauses", "paused"}
        event_data["procedure"] = procedure
        notice = f"书面告知：您的申请进入{procedure}，期间不计入办理时限。事由：{reason}"
    elif action == "resume":
        pauses = [list(p) for p in case.pauses]
        pauses[-1][1] = today.isoformat()
        case.pauses, case.paused = pauses, False
        changed |= {"pauses", "paused"}
        notice = "您的申请已恢复办理计时。"
    elif action == "extend":
        case.extension_days, case.extended = int(data["days"]), True
        changed |= {"extension_days", "extended"}
        event_data["days"] = case.extension_days
        notice = f"您的申请办理期限延长{case.extension_days}个工作日。理由：{reason}"
    elif action == "supply_material":
        name = data["material"]
        if not CaseMaterial.objects.filter(case=case, name=name).exists():
            raise DomainError(f"material：请先上传“{name}”", field="material")
        case.missing_materials = [m for m in case.missing_materials if m != name]
        changed.add("missing_materials")
        event_data["material"] = name
        if not case.missing_materials:
            case.supply_overdue = False
            changed.add("supply_overdue")
            timers[TIMER_SUPPLY_LIMIT] = None
    elif action == "flag_supply_overdue":
        case.supply_overdue = True
        changed.add("supply_overdue")
        reason = reason or f"容缺材料未在 {case.supply_due} 前补交：" + "、".join(case.missing_materials)
    elif action == "co_review":
        units = g.actor_units
        row = next(c for c in co_reviews if c.consent is None and c.unit.code in units)
        row.consent, row.opinion = bool(data["consent"]), str(data.get("opinion") or reason)[:2000]
        row.answered_at, row.answered_by = now, actor
        row.save(update_fields=["consent", "opinion", "answered_at", "answered_by"])
        event_data.update(unit=row.unit.code, consent=row.consent)
    elif action == "deemed_consent":
        silent = [c for c in co_reviews if c.consent is None and c.slot_end < today]
        if not silent:
            raise DomainError("action：联合审查意见期限未届满", field="action", code="guard")
        CoReview.objects.filter(pk__in=[c.pk for c in silent]).update(consent=True, deemed=True, answered_at=now)
        event_data["units"] = [c.unit.code for c in silent]
        reason = reason or "联合审查单位在意见期限内未出具意见，视为无异议"
    elif action == "deliver":
        case.delivered_at, case.delivery_method = now, data["method"]
        case.delivery_overdue = case.delivery_overdue or (case.delivery_due is not None and today > case.delivery_due)
        changed |= {"delivered_at", "delivery_method", "delivery_overdue"}
        event_data["method"] = case.delivery_method
        notice = "您的办理结果已送达。"
        timers[TIMER_DELIVERY_LIMIT] = None
        after.append(lambda c: hooks.case_delivered.send(sender=Case, case=c))
    elif action == "flag_delivery_overdue":
        case.delivery_overdue = True
        changed.add("delivery_overdue")
        reason = reason or f"决定后10个工作日（{case.delivery_due}）内未送达（《行政许可法》第四十四条）"
    elif action == "flag_post_check_due":
        reason = reason or f"告知承诺事后核查期限（{case.post_check_due}）已到，请核查"
    elif action in ("post_check_pass", "post_check_fail"):
        case.post_check_pending = False
        changed.add("post_check_pending")
        timers[TIMER_POST_CHECK] = None
        if action == "post_check_fail":
            CreditRecord.objects.create(party=case.applicant, kind="false_commitment",
                                        reason=f"办件 {case.number} 告知承诺事后核查不通过：{reason}",
                                        source=f"case:{case.number}")
            notice = f"经事后核查，您的承诺与实际不符，准予决定已撤销。理由：{reason}。{RIGHT_TO_APPEAL}"
            after.append(lambda c: hooks.case_revoked.send(sender=Case, case=c, reason=reason))
        else:
            after.append(lambda c: hooks.case_closed.send(sender=Case, case=c))
    elif action == "calendar_moved":
        reason = reason or "工作日历调整（节假日或调休变化），重新计算办理期限"

    # The clock, recomputed from the case's history on every action.
    _clock_apply(case, today=today, cal=cal)
    changed |= {"deadline", "deadline_provisional", "paused_days", "due_state"}
    if action == "calendar_moved" and case.deadline == old_deadline and case.deadline_provisional == old_provisional:
        raise DomainError("action：期限未变化", field="action", code="guard")
    if old_deadline != case.deadline:
        event_data["deadline_before"] = old_deadline.isoformat() if old_deadline else None
        if case.deadline and notice and action in ("pause", "resume", "extend"):
            notice += f" 当前办结期限：{case.deadline}。"

    values = {f: getattr(case, f) for f in changed}
    updated = Case.objects.filter(pk=case.pk, version=old_version).update(
        **values, version=old_version + 1, updated_at=now)
    if updated != 1:
        raise Conflict(CONFLICT_MESSAGE, field="version")
    case.version = old_version + 1

    actor_unit = next((s.unit for s in selectors.staff_roles(actor) if s.unit_id in (
        case.receiving_unit_id, case.reviewing_unit_id, case.deciding_unit_id)), None) if actor else None
    event = _append_event(case, action=action, from_status=old_status, to_status=new_status, actor=actor,
                          actor_kind=sorted(matched)[0], reason=reason, data=event_data, now=now,
                          seq=case.version, actor_unit=actor_unit)
    if notice or new_status != old_status:
        _notify(case, action, notice or f"您的办件状态：{case.get_status_display()}。", reason=reason)
    plan = _deemed_approval_plan(case)
    plan.update(timers)  # what the action asked for wins over the clock's default
    timers_set(key=case.number, plan=plan)
    for fn in after:
        fn(case)
    hooks.case_transitioned.send(sender=Case, case=case, event=event)
    return case


def _clock_apply(case: Case, *, today: date, cal=None) -> None:
    cal = cal or get_index()
    pauses = [(date.fromisoformat(p[0]), date.fromisoformat(p[1]) if p[1] else None) for p in case.pauses]
    h = clock.ClockHistory(accepted_on=case.accepted_on, promised_days=case.promised_days,
                           extension_days=case.extension_days, pauses=pauses)
    d = clock.deadline_from_history(h, add=cal.add_working_days, between=cal.working_days_between)
    case.deadline, case.deadline_provisional, case.paused_days = d.date, d.provisional, d.paused_days
    if case.status in T.RUNNING:
        case.due_state = clock.due_state(deadline=case.deadline, today=today, paused=case.paused,
                                         near_days=selectors.near_due_days(), between=cal.working_days_between)
    else:
        case.due_state = ""


def _append_event(case: Case, *, action, from_status, to_status, actor, actor_kind, reason, data, now, seq,
                  actor_unit=None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, seq=seq, action=action, from_status=from_status, to_status=to_status, actor=actor,
        actor_kind=actor_kind, actor_unit=actor_unit, at=now, on=timezone.localdate(now), reason=reason,
        data=data, deadline=case.deadline,
    )


def _notify(case: Case, action: str, text: str, *, reason: str = "") -> None:
    outbox_put(topic=f"case.{action}", payload={
        "number": case.number, "action": action, "status": case.status, "reason": reason,
        "to": {"party": case.applicant.number, "name": case.applicant.name, "phone": case.applicant.phone},
        "text": text, "deadline": case.deadline.isoformat() if case.deadline else None,
    })


# ---------------------------------------------------------------- timers


CASE_TIMERS = (TIMER_DEEMED_ACCEPTANCE, TIMER_DEEMED_APPROVAL, TIMER_DEEMED_CONSENT, TIMER_SUPPLY_LIMIT,
               TIMER_DELIVERY_LIMIT, TIMER_POST_CHECK)


def _deemed_acceptance_due(case: Case) -> datetime:
    return clock.midnight_after(clock.deemed_acceptance_day(case.received_on))


def _schedule_deemed_acceptance(case: Case) -> None:
    """At submission: the case number is new in this transaction, so nothing of it is pending."""
    timers_set(key=case.number, plan={TIMER_DEEMED_ACCEPTANCE: _deemed_acceptance_due(case)}, fresh=True)


def _deemed_approval_plan(case: Case) -> dict[str, datetime | None]:
    """The deemed-approval timer the clock implies ({} when the item has no deemed approval)."""
    if not case.implementation.item.deemed_approval_allowed:
        return {}
    if case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW) and case.deadline:
        return {TIMER_DEEMED_APPROVAL: clock.midnight_after(case.deadline)}
    return {TIMER_DEEMED_APPROVAL: None}


# ---------------------------------------------------------------- convenience wrappers


def case_accept(*, case: Case | str, actor, tolerate: list[str] | None = None, paper: list[str] | None = None,
                commitment: bool = False, version: int | None = None, now: datetime | None = None) -> Case:
    """Accept; an instant item or a commitment approval is decided at once (two events)."""
    with transaction.atomic():
        c = case_act(case=case, actor=actor, action="accept", version=version, now=now,
                     data={"tolerate": tolerate or [], "paper": paper or [], "commitment": commitment})
        if c.implementation.item.is_instant or c.commitment:
            c = case_act(case=c, actor=actor, action="decide_on_acceptance", now=now)
        return c


# ---------------------------------------------------------------- materials


@transaction.atomic
def case_material_upload(*, case: Case | str, actor, name: str, filename: str, content: bytes,
                         version: int | None = None, now: datetime | None = None) -> CaseMaterial:
    """Store one material, checked by content (pdf, jpg, png, ofd) and size; a tolerated one also
    counts as supplied (an event)."""
    case = _case_for_update(case)
    kinds = selectors.actor_kinds(case, actor)
    if not kinds & {T.APPLICANT, T.INTAKE}:
        raise Forbidden("file：只有申请人或受理窗口可以上传材料", field="file")
    names, _, _ = _applicant_materials(implementation_get(case.implementation.impl_code))
    if name not in names:
        raise DomainError(f"name：“{name}”不是该事项需要申请人提交的材料", field="name")
    open_statuses = (CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED)
    if case.status not in open_statuses and name not in case.missing_materials:
        raise Conflict("file：办件已受理，只能补交容缺材料", field="file", code="bad_state")
    if len(content) == 0:
        raise DomainError("file：文件为空", field="file")
    if len(content) > max_upload_bytes():
        raise DomainError(f"file：文件超过 {max_upload_bytes() // 1024 // 1024}MB", field="file", code="too_large")
    kind = sniff(content)
    if kind is None:
        raise DomainError("file：仅支持 PDF、JPG、PNG、OFD 文件（按文件内容检查）", field="file", code="bad_type")
    material = CaseMaterial(case=case, name=name, filename=filename[:200], kind=kind, size=len(content),
                            sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor)
    material.file.save(f"{case.number}-{material.sha256[:16]}.{kind}", ContentFile(content), save=False)
    material.save()
    if name in case.missing_materials:
        case_act(case=case, actor=actor, action="supply_material", data={"material": name}, version=version,
                 now=now)
    return material


# ---------------------------------------------------------------- the clock in bulk


def cases_due_sweep(*, today: date | None = None) -> int:
    """Keep due_state current for every running case in four UPDATEs (indexed columns)."""
    today = today or timezone.localdate()
    near_limit = add_working_days(today, selectors.near_due_days()).date
    running = Case.objects.filter(status__in=T.RUNNING)
    n = running.filter(paused=True).exclude(due_state="ok").update(due_state="ok")
    n += running.filter(paused=False, deadline__lt=today).exclude(due_state="overdue").update(due_state="overdue")
    n += running.filter(paused=False, deadline__gte=today, deadline__lte=near_limit).exclude(
        due_state="near").update(due_state="near")
    n += running.filter(paused=False, deadline__gt=near_limit).exclude(due_state="ok").update(due_state="ok")
    return n


CALENDAR_MOVED_REASON = "工作日历调整（节假日或调休变化），重新计算办理期限"
RECOMPUTE_BATCH = 2000


def cases_recompute_deadlines(*, since: date, now: datetime | None = None, batch: int = RECOMPUTE_BATCH) -> int:
    """After a calendar change: move the deadlines of running cases whose window reaches `since`.

    In bulk, for a million cases: only running cases with a deadline on or after `since` can move; their
    clock columns are streamed (no model instances), the new deadline is computed with the pure clock,
    and each batch of moved cases is written in one transaction — one UPDATE ... FROM (VALUES ...) that
    bumps the version only where it is still the one read (PostgreSQL; row by row elsewhere), the
    calendar_moved events (seq = the new version, each saying why and what the deadline was) and the
    outbox rows (the applicant is told the new deadline) by bulk INSERT, and the deemed-approval timers
    moved with the deadline. A case someone changed meanwhile goes through case_act instead.
    The per-case hook case_transitioned is not sent for these events (no receiver acts on an action
    that keeps the status); what they change is all in the event and outbox rows.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    near = selectors.near_due_days()
    cal = get_index()  # the calendar as changed (committed before this runs), for the whole run
    qs = (Case.objects.filter(status__in=T.RUNNING, deadline__gte=since).order_by("id")
          .values_list("id", "number", "version", "status", "paused", "accepted_on", "promised_days",
                       "extension_days", "pauses", "deadline", "deadline_provisional",
                       "implementation__item__deemed_approval_allowed", "applicant__number", "applicant__name",
                       "applicant__phone"))
    moved, pending = 0, []
    for row in qs.iterator(chunk_size=batch):
        (pk, number, version, status, paused, accepted_on, promised, extension, pauses, deadline, provisional,
         deemed_ok, party_number, party_name, party_phone) = row
        h = clock.ClockHistory(accepted_on=accepted_on, promised_days=promised, extension_days=extension,
                               pauses=[(date.fromisoformat(p[0]), date.fromisoformat(p[1]) if p[1] else None)
                                       for p in pauses])
        d = clock.deadline_from_history(h, add=cal.add_working_days, between=cal.working_days_between)
        if d.date == deadline and d.provisional == provisional:
            continue
        due = clock.due_state(deadline=d.date, today=today, paused=paused, near_days=near,
                              between=cal.working_days_between)
        pending.append(_Moved(pk, number, version, status, deadline, d.date, d.provisional, d.paused_days, due,
                              bool(deemed_ok) and status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW),
                              {"party": party_number, "name": party_name, "phone": party_phone}))
        if len(pending) >= batch:
            moved += _recompute_write(pending, since=since, now=now)
            pending = []
    if pending:
        moved += _recompute_write(pending, since=since, now=now)
    return moved


class _Moved(NamedTuple):
    id: int
    number: str
    version: int
    status: str
    before: date | None
    deadline: date | None
    provisional: bool
    paused_days: int
    due_state: str
    deemed_approval: bool
    to: dict


def _recompute_write(rows: list[_Moved], *, since: date, now: datetime) -> int:
    today = timezone.localdate(now)
    with transaction.atomic():
        written = _deadlines_update(rows, now=now)
        done = [r for r in rows if r.id in written]
        CaseEvent.objects.bulk_create([
            CaseEvent(case_id=r.id, seq=r.version + 1, action="calendar_moved", from_status=r.status,
                      to_status=r.status, actor=None, actor_kind=T.SYSTEM, at=now, on=today,
                      reason=CALENDAR_MOVED_REASON, deadline=r.deadline,
                      data={"since": since.isoformat(), "deadline_before": r.before.isoformat() if r.before else None})
            for r in done
        ], batch_size=1000)
        OutboxMessage.objects.bulk_create([
            OutboxMessage(topic="case.calendar_moved", payload={
                "number": r.number, "action": "calendar_moved", "status": r.status, "reason": CALENDAR_MOVED_REASON,
                "to": r.to, "deadline": r.deadline.isoformat() if r.deadline else None,
                "text": f"因工作日历调整，您的办件办结期限由{r.before}调整为{r.deadline}。",
            }) for r in done
        ], batch_size=1000)
        timers_set_many(kind=TIMER_DEEMED_APPROVAL, due={
            r.number: clock.midnight_after(r.deadline) for r in done if r.deemed_approval and r.deadline})
    moved = len(done)
    for r in rows:  # changed by someone else since it was read: the one-case path, retried once
        if r.id in written:
            continue
        for _ in range(2):
            try:
                case_act(case=r.number, actor=None, action="calendar_moved", now=now, data={"since": since.isoformat()})
                moved += 1
                break
            except Conflict:
                continue
            except DomainError:
                break
    return moved


def _deadlines_update(rows: list[_Moved], *, now: datetime) -> set[int]:
    """Write the new clock columns where the version is still the one read; returns the ids written."""
    if connection.vendor == "postgresql":
        table = Case._meta.db_table
        values = ", ".join(["(%s::bigint, %s::integer, %s::date, %s::boolean, %s::integer, %s::varchar)"] * len(rows))
        params: list[Any] = []
        for r in rows:
            params += [r.id, r.version, r.deadline, r.provisional, r.paused_days, r.due_state]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS c SET deadline = v.deadline, deadline_provisional = v.provisional, "
                f"paused_days = v.paused_days, due_state = v.due_state, version = c.version + 1, updated_at = %s "
                f"FROM (VALUES {values}) AS v(id, version, deadline, provisional, paused_days, due_state) "
                f"WHERE c.id = v.id AND c.version = v.version RETURNING c.id",
                [now, *params],
            )
            return {pk for (pk,) in cursor.fetchall()}
    written = set()
    for r in rows:
        if Case.objects.filter(pk=r.id, version=r.version).update(
                deadline=r.deadline, deadline_provisional=r.provisional, paused_days=r.paused_days,
                due_state=r.due_state, version=r.version + 1, updated_at=now):
            written.add(r.id)
    return written
