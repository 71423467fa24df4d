"""Every change of a case goes through here: submit, the workflow's actions, materials, the clock in bulk.

`case_act` applies one action of the case workflow (workflow.py) on the engine (core.workflow.apply):
the edge, who the actor is to the case, the input, the guards, the action's effect, the clock, the
row written with `UPDATE ... WHERE id = ? AND version = ?` (0 rows → 409), the event (its seq is the
new version), the outbox row, the timers and the declared reactions — all in one transaction.
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
from yiwang.catalogue.rules import form_check, form_errors
from yiwang.catalogue.selectors import implementation_get, implementations_qs, route_for
from yiwang.core.errors import Conflict, DomainError, FieldError, Forbidden, NotFound
from yiwang.core.models import OutboxMessage
from yiwang.core.numbering import daily_sequence_next
from yiwang.core.timers import timers_set, timers_set_many
from yiwang.core.workflow import apply
from yiwang.core.workflow.deadlines import deadline_holder
from yiwang.organisations.models import Unit
from yiwang.parties.models import Party
from yiwang.parties.services import party_get_or_create
from yiwang.workcalendar.index import add_working_days, get_index

from . import clock, remote, selectors
from . import workflow as W
from .materials import Upload, cleans_stored_files, remember_stored, required_missing, upload_problem
from .models import (
    RUNNING,
    Case,
    CaseChannel,
    CaseCounter,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
)
from .models import ActorKind as A

# The workflow's names, as services have always offered them.
CONFLICT_MESSAGE = W.CONFLICT_MESSAGE
RIGHT_TO_APPEAL = W.RIGHT_TO_APPEAL
TIMER_DEEMED_ACCEPTANCE = W.TIMER_DEEMED_ACCEPTANCE
TIMER_DEEMED_APPROVAL = W.TIMER_DEEMED_APPROVAL
TIMER_DEEMED_CONSENT = W.TIMER_DEEMED_CONSENT
TIMER_SUPPLY_LIMIT = W.TIMER_SUPPLY_LIMIT
TIMER_DELIVERY_LIMIT = W.TIMER_DELIVERY_LIMIT
TIMER_POST_CHECK = W.TIMER_POST_CHECK
TIMER_DUE_SWEEP = W.TIMER_DUE_SWEEP
CASE_TIMERS = W.CASE_TIMERS


def max_upload_bytes() -> int:
    return int(getattr(settings, "YIWANG_MAX_UPLOAD_MB", 20)) * 1024 * 1024


# ---------------------------------------------------------------- numbers


def case_number_next(*, impl_code: str, day: date) -> str:
    """impl code + yyyymmdd + 4-digit daily sequence; unique under concurrent submissions.

    The counter row stays locked until commit (see core.numbering), so case_submit takes it last.
    """
    seq = daily_sequence_next(counter=CaseCounter, key_field="impl_code", key=impl_code, day=day)
    if seq > 9999:
        raise DomainError("该事项当日办件编号已用尽", field="item")
    return f"{impl_code}{day:%Y%m%d}{seq:04d}"


# ---------------------------------------------------------------- submit


def _implementation_for_submit(impl_code: str) -> ItemImplementation:
    """The implementation with its item's materials and steps (what submission reads), in three queries."""
    impl = (implementations_qs().prefetch_related("item__materials", "item__steps")
            .filter(impl_code=impl_code).first())
    if impl is None:
        raise NotFound(f"事项实施编码“{impl_code}”不存在", field="item", code="item_not_found")
    return impl


def _applicant_materials(impl: ItemImplementation) -> tuple[list[str], list[str], list[str]]:
    """(all names the applicant may upload, required ones, tolerable ones)."""
    mats = [m for m in impl.item.materials.all() if m.source == MaterialSource.APPLICANT]
    return ([m.name for m in mats], [m.name for m in mats if m.required], [m.name for m in mats if m.tolerable])


def _steps_of(impl: ItemImplementation) -> list[str]:
    from yiwang.catalogue.services import default_steps

    return [s.name for s in impl.item.steps.all()] or default_steps(impl.item)


def _party_for(applicant: Party | dict) -> Party:
    """The applicant as a party: given, or found/registered from the form's applicant block."""
    if not isinstance(applicant, dict):
        return applicant
    data = dict(applicant)
    return party_get_or_create(
        kind=data.pop("kind", ""), number=data.pop("number", ""), name=data.pop("name", ""),
        field="applicant.number",
        **{k: v for k, v in data.items() if k in ("phone", "address", "legal_representative")},
    )


def _check_service_object(impl: ItemImplementation, party: Party) -> None:
    if impl.item.service_object and party.kind != impl.item.service_object:
        who = "自然人" if impl.item.service_object == "person" else "法人"
        raise DomainError(f"该事项的服务对象是{who}", field="applicant.kind")


class Intake(NamedTuple):
    """Who received the application and how: the agent (if any), the submit event's actor kind and
    the authorisation the agent's filing rests on."""

    agent: Any
    actor_kind: str
    authorisation: Any = None


def _intake_check(*, channel: str, actor, party: Party, receiving: Unit, bundle_case: str,
                  agent_authorisation: str, impl: ItemImplementation | None = None,
                  today: date | None = None) -> Intake:
    """The channel's actor check: online by the party's own account, window by an intake clerk of the
    receiving unit, agent under an authorisation in force for (party, agent, item, today) — its number
    in agent_authorisation picks one. A bundle member's intake was checked on the bundle."""
    if bundle_case:
        return Intake(None, A.SYSTEM)
    if channel == CaseChannel.ONLINE:
        if actor is None or party.user_id != actor.pk:
            raise Forbidden("网上申请只能由申请人本人（本企业）账号提交；代办请选择代办渠道并提供授权",
                            field="applicant")
        return Intake(None, A.APPLICANT)
    if channel == CaseChannel.WINDOW:
        probe = Case(receiving_unit=receiving, reviewing_unit=receiving, deciding_unit=receiving,
                     applicant=party)
        if actor is None or A.INTAKE not in selectors.actor_kinds(probe, actor):
            raise Forbidden("只有本区域政务服务大厅窗口或受理单位工作人员可以代申请人窗口收件",
                            field="channel")
        return Intake(None, A.INTAKE)
    from yiwang.agents.services import authorisation_check

    auth = authorisation_check(party=party, agent=actor, item_code=impl.item.basic_code, item_name=impl.name,
                               today=today or timezone.localdate(), number=agent_authorisation)
    return Intake(actor, A.APPLICANT, auth)


def _route_and_units(impl: ItemImplementation, party: Party, *, actor, channel: str, today: date,
                     receiving_region: str, bundle_case: str):
    """The route from the window taking the application in (跨域通办 and towns: remote.py), and its units."""
    at = remote.intake_point(actor=actor, channel=channel, receiving_region=receiving_region,
                             item_region=impl.region_id, bundle_case=bundle_case)
    route = route_for(impl=impl, park_code=party.park.code if party.park_id else None, on=today, at=at)
    units = {u.code: u for u in Unit.objects.filter(
        code__in={route.receiving_unit, route.reviewing_unit, route.deciding_unit, route.in_name_of,
                  route.remote_intake_unit or route.receiving_unit})}
    return route, units


def _remote_intake(route, units: dict[str, Unit], *, actor, party: Party) -> Intake | None:
    kind = remote.remote_intake_kind(route=route, units=units, actor=actor, party=party)
    return Intake(None, kind) if kind else None


@cleans_stored_files
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
    receiving_region: str = "",
    delivery: str = "",
    materials: list[Upload] | None = None,
) -> Case:
    """Receive an application: online by the applicant, at a window by a clerk, or by an agent.

    bundle_case: the number of the bundle case (一件事) this is a member of; its intake was checked
    when the bundle case was received, so the channel's actor check is not repeated here.
    materials_from: {material name: licence identifier} produced by an earlier member of that bundle.
    receiving_region: the taking-in window's region (跨域通办, remote.py); delivery: the applicant's choice.
    materials: the application's files; the case exists only if they and the form pass (application_check).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    impl = _implementation_for_submit(item)
    if channel not in CaseChannel.values:
        raise DomainError("申请渠道应为 online、window 或 agent", field="channel")
    party = _party_for(applicant)
    _check_service_object(impl, party)
    form, problems = _form_read(impl, form or {})

    route, units = _route_and_units(impl, party, actor=actor, channel=channel, today=today,
                                    receiving_region=receiving_region, bundle_case=bundle_case)
    receiving = units[route.receiving_unit]
    intake = _remote_intake(route, units, actor=actor, party=party) or _intake_check(
        channel=channel, actor=actor, party=party, receiving=receiving, bundle_case=bundle_case,
        agent_authorisation=agent_authorisation, impl=impl, today=today)
    remote_columns = remote.remote_fields(route=route, units=units, delivery=delivery)

    shared = _materials_shared(impl, party, form, materials_from or {})
    application_check(impl, materials, shared=shared, channel=channel, problems=problems)
    # The number last: its counter row stays locked until commit, so the less work after it, the more
    # submissions of one item a day can be numbered per second.
    number = case_number_next(impl_code=impl.impl_code, day=today)
    case = Case.objects.create(
        number=number, implementation=impl, parent=parent, applicant=party, agent=intake.agent,
        agent_authorisation=agent_authorisation.strip(), authorisation=intake.authorisation,
        submitted_by=actor, channel=channel,
        status=CaseStatus.SUBMITTED, route_mode=route.mode, receiving_unit=receiving,
        reviewing_unit=units[route.reviewing_unit], deciding_unit=units[route.deciding_unit],
        in_name_of=units[route.in_name_of], region_id=impl.region_id, form=form, submitted_at=now,
        received_on=today, statutory_days=impl.item.statutory_days, promised_days=impl.item.promised_days,
        steps=_steps_of(impl), version=1,
        shared_materials=shared, **remote_columns,
    )
    _submitted(case, route=route, units=units, bundle_case=bundle_case, materials=materials, actor=actor,
               actor_kind=intake.actor_kind, now=now)
    return case


def _submitted(case: Case, *, route, units, bundle_case: str, materials, actor, actor_kind: str,
               now: datetime) -> None:
    """What follows the new case row: its files, its first event, the notice, the acceptance timer."""
    submit_data = {"channel": case.channel, "route": route.mode, **remote.submit_data(route, units)}
    if bundle_case:
        submit_data["bundle_case"] = bundle_case
    if case.shared_materials.get("satisfied"):
        submit_data["shared"] = [s["material"] for s in case.shared_materials["satisfied"]]
    submit_data.update(case_materials_store(case, materials or [], actor=actor))
    event = _append_event(case, action="submit", from_status="", to_status=CaseStatus.SUBMITTED, actor=actor,
                          actor_kind=actor_kind, reason="", data=submit_data, now=now, seq=1)
    W.notice_put(case, "submit", f"您的“{case.implementation.name}”申请已收到，办件编号 {case.number}。")
    W.submit_reactions(case, event)  # the receipt (回执), after commit
    _schedule_deemed_acceptance(case)
    case.submit_event = event  # its history so far, for a response built without reading the case back


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


def _form_read(impl: ItemImplementation, form: dict) -> tuple[dict, list[FieldError]]:
    """The form as far as it is good, and its problems (raised with the files' by application_check)."""
    fields = list(impl.item.form_fields or [])
    problems = form_errors(fields, form, whose="该事项申请表")
    if not isinstance(form, dict):
        return {}, problems
    return {k: str(form.get(k) or "").strip() for k in fields}, problems


def material_field(name: str) -> str:
    """The error field of an application's material: "materials.<its name>"."""
    return f"materials.{name}"


def application_check(impl: ItemImplementation, uploads: list[Upload] | None, *, shared: dict, channel: str,
                      problems: list[FieldError] = ()) -> None:
    """Before anything is written: the form's problems, every file's (by name, size and content), and,
    for an application made with its files online or by an agent, the required materials it lacks —
    unless tolerable (容缺) or supplied by data sharing or a bundle. All of them at once, at their fields.
    At a window the clerk checks paper originals when accepting, so nothing is required there yet.
    Also for a bundle's own application (the bundle cases module) over each member's materials."""
    errors = list(problems)
    if uploads is not None:
        names, required, tolerable = _applicant_materials(impl)
        for u in uploads:
            problem = ("bad_name", "不是该事项需要申请人提交的材料") if u.name not in names else \
                upload_problem(u, max_bytes=max_upload_bytes())
            if problem:
                errors.append(FieldError(material_field(u.name), f"{u.name}：{problem[1]}"))
        if channel != CaseChannel.WINDOW:
            supplied = {u.name for u in uploads} | {s["material"] for s in shared.get("satisfied", [])}
            errors += [FieldError(material_field(m), f"请上传{m}（必需材料）")
                       for m in required_missing(required=required, tolerable=tolerable, supplied=supplied)]
    if errors:
        raise DomainError("", errors=errors, code="invalid")


def case_materials_store(case: Case, uploads: list[Upload], *, actor) -> dict:
    """Store the checked files of an application as the case's materials (removed again by
    cleans_stored_files if the transaction fails); what the submit event records of them."""
    for u in uploads:
        _material_store(case, u, actor=actor)
    return {"materials": [u.name for u in uploads]} if uploads else {}


def _material_store(case: Case, u: Upload, *, actor) -> CaseMaterial:
    from .materials import magic_kind

    kind = magic_kind(u.content)
    material = CaseMaterial(case=case, name=u.name, filename=u.filename, kind=kind, size=len(u.content),
                            sha256=hashlib.sha256(u.content).hexdigest(), uploaded_by=actor)
    material.file.save(f"{case.number}-{material.sha256[:16]}.{kind}", ContentFile(u.content), save=False)
    remember_stored(material.file.storage, material.file.name)
    material.save()
    return material


# ---------------------------------------------------------------- acting


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
    """Apply one action of the case workflow. actor None means the system (a timer)."""
    payload = {**(data or {}), "reason": (reason or "").strip()}
    return apply(W.WORKFLOW, subject=case, action=action, actor=actor, input=payload, version=version, now=now)


def _append_event(case: Case, *, action, from_status, to_status, actor, actor_kind, reason, data, now, seq,
                  actor_unit=None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, seq=seq, action=action, from_status=from_status, to_status=to_status, actor=actor,
        actor_kind=actor_kind, actor_unit=actor_unit, at=now, on=timezone.localdate(now), reason=reason,
        data=data, deadline=case.deadline,
    )


# ---------------------------------------------------------------- timers


def _schedule_deemed_acceptance(case: Case) -> None:
    """At submission: the case number is new in this transaction, so nothing of it is pending.
    A case another region's window took in gets its five days when that window forwards it."""
    if case.remote_intake_unit_id:
        return
    timers_set(key=case.number, plan={TIMER_DEEMED_ACCEPTANCE: W.deemed_acceptance_due(case)}, fresh=True)


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


@cleans_stored_files
@transaction.atomic
def case_material_upload(*, case: Case | str, actor, name: str, filename: str, content: bytes,
                         version: int | None = None, now: datetime | None = None) -> CaseMaterial:
    """Store one material, checked by content (pdf, jpg, png, ofd), size and name; a tolerated one also
    counts as supplied (an event). A refusal after the file was stored (a 409 on the version) removes it."""
    case = W.case_for_update(case)
    kinds = selectors.actor_kinds(case, actor)
    if not kinds & {A.APPLICANT, A.INTAKE, A.REMOTE_INTAKE}:
        raise Forbidden("只有申请人、受理窗口或异地收件窗口可以上传材料", field="file")
    names, _, _ = _applicant_materials(implementation_get(case.implementation.impl_code))
    if name not in names:
        raise DomainError(f"“{name}”不是该事项需要申请人提交的材料", field="name")
    open_statuses = (CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED)
    if case.status not in open_statuses and name not in case.missing_materials:
        raise Conflict("办件已受理，只能补交容缺材料", field="file", code="bad_state")
    problem = upload_problem(Upload(name, filename, content), max_bytes=max_upload_bytes())
    if problem:
        raise DomainError(problem[1], field="file", code=problem[0])
    material = _material_store(case, Upload(name, filename, content), actor=actor)
    if name in case.missing_materials:
        case_act(case=case, actor=actor, action="supply_material", data={"material": name}, version=version,
                 now=now)
    return material


def case_material_supply(*, case: Case | str, actor, name: str, filename: str = "", content: bytes | None = None,
                         on_paper: bool = False, version: int | None = None, now: datetime | None = None) -> Case:
    """A tolerated material supplied: a file (checked as any upload; storing it supplies it), or the
    paper original verified by the window (on_paper)."""
    with transaction.atomic():
        if content is not None and not on_paper:
            case_material_upload(case=case, actor=actor, name=name, filename=filename, content=content,
                                 version=version, now=now)
            return W.case_for_update(case)
        return case_act(case=case, actor=actor, action="supply_material", version=version, now=now,
                        data={"material": name, "on_paper": on_paper})


# ---------------------------------------------------------------- the clock in bulk


def cases_due_sweep(*, today: date | None = None) -> int:
    """Keep due_state current for every running case in four UPDATEs (indexed columns)."""
    today = today or timezone.localdate()
    near_limit = add_working_days(today, selectors.near_due_days()).date
    running = Case.objects.filter(status__in=RUNNING)
    n = running.filter(paused=True).exclude(due_state="ok").update(due_state="ok")
    n += running.filter(paused=False, deadline__lt=today).exclude(due_state="overdue").update(due_state="overdue")
    n += running.filter(paused=False, deadline__gte=today, deadline__lte=near_limit).exclude(
        due_state="near").update(due_state="near")
    n += running.filter(paused=False, deadline__gt=near_limit).exclude(due_state="ok").update(due_state="ok")
    return n


CALENDAR_MOVED_REASON = W.CALENDAR_MOVED_REASON
RECOMPUTE_BATCH = 2000


@deadline_holder("cases")
def cases_recompute_deadlines(*, since: date, now: datetime | None = None, batch: int = RECOMPUTE_BATCH) -> int:
    """After a calendar change: move the deadlines of running cases whose window reaches `since`.

    In bulk, for a million cases: only running cases with a deadline on or after `since` can move; their
    clock columns are streamed (no model instances), the new deadline is computed with the pure clock,
    and each batch of moved cases is written in one transaction — one UPDATE ... FROM (VALUES ...) that
    bumps the version only where it is still the one read (PostgreSQL; row by row elsewhere), the
    calendar_moved events (seq = the new version, each saying why and what the deadline was) and the
    outbox rows (the applicant is told the new deadline) by bulk INSERT, and the deemed-approval timers
    moved with the deadline. A case someone changed meanwhile goes through case_act instead.
    No reaction is declared on calendar_moved (it keeps the status); what these change is all in the
    event and outbox rows. Registered as the cases' deadline holder: a calendar change runs it (and
    then the due-state sweep, as the calendar also moves what counts as near or overdue).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    near = selectors.near_due_days()
    cal = get_index()  # the calendar as changed (committed before this runs), for the whole run
    qs = (Case.objects.filter(status__in=RUNNING, deadline__gte=since).order_by("id")
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
    cases_due_sweep(today=today)
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
                      to_status=r.status, actor=None, actor_kind=A.SYSTEM, at=now, on=today,
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
