"""The only code that changes supervision's state. Workflow actions go through the engine (`apply`);
creating a record writes its first event here."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.errors import Conflict, DomainError, Forbidden, NotFound
from yiwang.core.workflow import apply
from yiwang.core.workflow.deadlines import deadline_holder
from yiwang.core.workflow.reactions import reaction
from yiwang.core.workflow.spec import Effect
from yiwang.parties.models import CreditRecord, Party
from yiwang.workcalendar.index import add_working_days

from . import rules, selectors
from .config import config
from .models import (
    CheckItem,
    CreditRepair,
    Draw,
    DrawEvent,
    DrawPartner,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    Inspector,
    LenientOffence,
    PlanEvent,
    RepairApplication,
    RepairEvent,
    SupervisionTask,
    TaskEvent,
    Violation,
)
from .models import (
    Conflict as ConflictDeclaration,
)
from .workflow import DRAW, INSPECTION, PLAN, REPAIR, REPAIR_TIMER, TASK, TASK_TIMER, day_end, unit_kinds


def _token() -> str:
    return secrets.token_hex(3).upper()


def _first_event(model, subject_field: str, subject, *, action: str, to: str, actor, now: datetime,
                 reason: str = "", data: dict | None = None, deadline: date | None = None):
    return model.objects.create(**{subject_field: subject}, seq=1, action=action, from_status="", to_status=to,
                                actor=actor, actor_kind="unit" if actor else "system", at=now,
                                on=timezone.localdate(now), reason=reason, data=data or {}, deadline=deadline)


def require_unit(actor, unit) -> None:
    if "unit" not in unit_kinds(actor, unit.pk):
        raise Forbidden(f"仅{unit.name}的工作人员可以办理", field="unit")


# ================================================================ plans


def plan_create(*, unit, year: int, title: str, items: list[CheckItem], actor, ratios: dict | None = None,
                description: str = "", now: datetime | None = None) -> InspectionPlan:
    require_unit(actor, unit)
    now = now or timezone.now()
    if not title.strip():
        raise DomainError("请填写计划名称", field="title")
    if any(i.unit_id != unit.pk for i in items):
        raise DomainError("只能列入本单位的随机抽查事项", field="items")
    ratios = _ratios(ratios)
    if InspectionPlan.objects.filter(unit=unit, year=year).exists():
        raise Conflict(f"{unit.name}已有{year}年度抽查计划", field="year")
    with transaction.atomic():
        plan = InspectionPlan.objects.create(unit=unit, year=year, title=title.strip(), description=description,
                                             ratios=ratios)
        plan.items.set(items)
        _first_event(PlanEvent, "plan", plan, action="create", to="draft", actor=actor, now=now)
    return plan


def _ratios(ratios: dict | None) -> dict:
    out = dict(rules.DEFAULT_RATIOS)
    for risk, value in (ratios or {}).items():
        if risk not in rules.RISK_CLASSES:
            raise DomainError(f"未知的风险等级“{risk}”", field="ratios")
        try:
            rules.quota(100, str(value))
        except (rules.DrawError, ArithmeticError, ValueError):
            raise DomainError(f"{rules.RISK_CLASSES[risk]}抽查比例应为0到100之间的数字", field="ratios") from None
        out[risk] = str(value)
    return out


def plan_act(*, plan: InspectionPlan, action: str, actor, input: dict | None = None, version: int | None = None,
             now: datetime | None = None) -> InspectionPlan:
    return apply(PLAN, subject=plan, action=action, actor=actor, input=input, version=version, now=now)


# ================================================================ draws


def draw_prepare(*, plan: InspectionPlan, item: CheckItem, actor, filters: dict | None = None,
                 seed: str | None = None, per_target: int = rules.MIN_INSPECTORS,
                 partners: list[tuple] | None = None, now: datetime | None = None) -> Draw:
    """Freeze the candidates (the 名录库 under the filters, less those the cap excludes), the roster
    and the conflicts, and publish the seed with the list's SM3 — before anything is drawn.
    `partners`: (unit, check item) of the units joining the visit (联合抽查), each with its plan of the
    year filed and the item in it; the cap and the conflicts of every unit of the visit apply."""
    require_unit(actor, plan.unit)
    now = now or timezone.now()
    if plan.status != "filed":
        raise DomainError("年度抽查计划尚未备案（或逾期备案未获批准），不能抽取", field="plan")
    if not plan.items.filter(pk=item.pk).exists():
        raise DomainError("该抽查事项不在年度计划内", field="item")
    if per_target < rules.MIN_INSPECTORS:
        raise DomainError(f"每户检查人员数不能少于{rules.MIN_INSPECTORS}人", field="per_target")
    seed = (seed or secrets.token_hex(16)).strip()
    if not 8 <= len(seed) <= 128:
        raise DomainError("随机种子应为8到128个字符", field="seed")
    partners = _partners_check(plan, partners or [])
    units = [(plan.unit, item), *partners]
    frozen = selectors.freeze_candidates(unit=plan.unit, item=item, year=plan.year, filters=filters or {},
                                        today=timezone.localdate(now), also=partners)
    teams = [[u.code, selectors.roster(u)] for u, _ in units]
    for (u, _), (_, names) in zip(units, teams, strict=True):
        if len(names) < per_target:
            raise DomainError(f"{u.name}执法检查人员名录库仅{len(names)}人，不足每户{per_target}人",
                              field="partners" if u != plan.unit else "per_target")
    since = now - timedelta(days=config()["recent_inspection_days"])
    conflicts = set().union(*(selectors.conflict_pairs(unit=u, candidates=[c for c, _ in frozen.candidates],
                                                       since=since) for u, _ in units))
    with transaction.atomic():
        draw = Draw.objects.create(
            number=f"CC{plan.year}{plan.unit.code.replace('-', '')}{_token()}", plan=plan, item=item,
            filters=filters or {}, ratios=plan.ratios or dict(rules.DEFAULT_RATIOS), per_target=per_target,
            seed=seed, seed_published_at=now, candidates=frozen.candidates,
            candidates_hash=rules.candidates_hash(frozen.candidates), inspectors=teams[0][1],
            conflicts=sorted(rules.conflict_token(seed, i, c) for i, c in conflicts), excluded=frozen.excluded,
            teams=teams if partners else [], created_by=actor,
        )
        DrawPartner.objects.bulk_create([DrawPartner(draw=draw, unit=u, item=i) for u, i in partners])
        data = {"seed": seed, "candidates_hash": draw.candidates_hash, "candidates": len(frozen.candidates)}
        if partners:
            data["partners"] = [u.code for u, _ in partners]
        _first_event(DrawEvent, "draw", draw, action="publish_seed", to="seeded", actor=actor, now=now, data=data)
    return draw


def _partners_check(plan: InspectionPlan, partners: list[tuple]) -> list[tuple]:
    """Each unit joining the visit: another unit, once, with an item of its own in its filed plan."""
    seen = {plan.unit_id}
    for unit, item in partners:
        if unit.pk in seen:
            raise DomainError(f"{unit.name}已是本次联合抽查的单位（牵头单位或重复的参与单位）", field="partners")
        seen.add(unit.pk)
        if item.unit_id != unit.pk or not item.active:
            raise DomainError(f"{unit.name}只能以本单位有效的随机抽查事项参与联合抽查", field="partners")
        own = InspectionPlan.objects.filter(unit=unit, year=plan.year, status="filed", items=item).exists()
        if not own:
            raise DomainError(f"{unit.name}{plan.year}年度抽查计划未备案或未列入“{item.name}”，不能参与联合抽查",
                              field="partners")
    return list(partners)


def draw_run(*, draw: Draw, actor, version: int | None = None, now: datetime | None = None) -> Draw:
    return apply(DRAW, subject=draw, action="run", actor=actor, version=version, now=now)


def draw_materialise(ctx) -> Effect:
    """The run action's effect: compute the result from the published document only, refuse when a
    drawn target was inspected since the list was frozen (the cap, of every unit of a joint visit),
    create the inspections — one per target, or one per unit per target for a joint visit."""
    draw = ctx.subject
    try:
        out = rules.draw_from_json(draw.document())
    except rules.DrawError as exc:
        raise DomainError(str(exc), field="per_target") from None
    targets = out["result"]["targets"]
    parties = dict(Party.objects.filter(number__in=[t["candidate"] for t in targets]).values_list("number", "id"))
    units = [(draw.plan.unit, draw.item), *[(p.unit, p.item) for p in draw.partners.select_related("unit", "item")]]
    for unit, item in units:
        if not rules.counts_to_cap(check_kind=item.kind, basis_kind="random"):
            continue
        earlier = selectors.cap_holders(unit_id=unit.pk, year=draw.plan.year, party_ids=parties.values())
        if earlier:
            party_id, number = next(iter(earlier.items()))
            name = Party.objects.get(pk=party_id).name
            raise Conflict(f"{name}本年度已由{unit.name}检查（检查编号 {number}），一年内不得重复检查；请重新生成名单",
                           field="candidates", code="cap")
    _inspections_create(draw, targets, parties, units=units, now=ctx.now)
    ctx.set(result=out["result"], result_hash=out["result_hash"], drawn_at=ctx.now)
    return Effect(data={"result_hash": out["result_hash"], "targets": len(targets), "short": out["result"]["short"]})


def _inspections_create(draw: Draw, targets: list[dict], parties: dict, *, units: list, now: datetime) -> None:
    joint = len(units) > 1
    certs = {c for t in targets for c in t["inspectors"]}
    by_cert = dict(Inspector.objects.filter(certificate__in=certs).values_list("certificate", "id"))
    planned = []  # (number, target, unit, item, certificates)
    for n, t in enumerate(targets, 1):
        visit = f"JC{draw.number[2:]}{n:04d}"
        for k, (unit, item) in enumerate(units):
            number = visit if k == 0 else f"{visit}-{k + 1}"
            names = t["teams"][unit.code] if joint else t["inspectors"]
            planned.append((number, visit if joint else "", t, unit, item, names))
    rows = [Inspection(number=number, unit_id=unit.pk, party_id=parties[t["candidate"]], item_id=item.pk, draw=draw,
                       visit=visit, year=draw.plan.year, basis_kind="random",
                       basis=f"{'联合' if joint else ''}双随机抽查 {draw.number}", risk=t["risk"],
                       counts_to_cap=rules.counts_to_cap(check_kind=item.kind, basis_kind="random"))
            for number, visit, t, unit, item, _ in planned]
    try:
        with transaction.atomic():
            Inspection.objects.bulk_create(rows)
    except IntegrityError:  # a manual inspection won the race since the check: the cap holds
        raise Conflict("抽取期间有企业已被本单位检查，一年内不得重复检查；请重新生成名单", field="candidates",
                       code="cap") from None
    saved = {i.number: i.pk for i in Inspection.objects.filter(draw=draw)}
    through = Inspection.inspectors.through
    links, events = [], []
    for number, visit, _, _, _, names in planned:
        links += [through(inspection_id=saved[number], inspector_id=by_cert[c]) for c in names]
        reason = f"联合双随机抽取 {draw.number}（联合检查 {visit}）" if visit else f"双随机抽取 {draw.number}"
        events.append(InspectionEvent(inspection_id=saved[number], seq=1, action="assign", from_status="",
                                      to_status="assigned", actor=None, actor_kind="system", at=now,
                                      on=timezone.localdate(now), reason=reason, data={"draw": draw.number}))
    through.objects.bulk_create(links)
    InspectionEvent.objects.bulk_create(events)


# ================================================================ inspections


def inspection_open(*, unit, party: Party, item: CheckItem, inspectors: list[Inspector], basis_kind: str,
                    actor, basis: str = "", on: date | None = None, now: datetime | None = None) -> Inspection:
    """A manual inspection (a complaint, a key item, another check) — under the same cap as a draw."""
    require_unit(actor, unit)
    now = now or timezone.now()
    on = on or timezone.localdate(now)
    if basis_kind not in rules.BASIS_KINDS or basis_kind == "random":
        raise DomainError("请选择检查类型", field="basis_kind")
    if basis_kind in ("key", "complaint") and not basis.strip():
        raise DomainError("重点检查、投诉举报核查须载明检查依据", field="basis")
    if item.unit_id != unit.pk:
        raise DomainError("只能按本单位的抽查事项检查", field="item")
    if len({i.pk for i in inspectors}) < rules.MIN_INSPECTORS or any(i.unit_id != unit.pk for i in inspectors):
        raise DomainError(f"须由本单位至少{rules.MIN_INSPECTORS}名执法检查人员检查", field="inspectors")
    year = rules.cap_year(on)
    counts = rules.counts_to_cap(check_kind=item.kind, basis_kind=basis_kind)
    if counts:
        earlier = selectors.cap_holder(unit_id=unit.pk, party_id=party.pk, year=year)
        if earlier:
            raise Conflict(f"{party.name}{year}年度已由{unit.name}检查（检查编号 {earlier}），"
                           "同一部门对同一企业执法检查每年不超过1次", field="party", code="cap")
    try:
        with transaction.atomic():
            insp = Inspection.objects.create(
                number=f"JC{on:%Y%m%d}{_token()}", unit=unit, party=party, item=item, year=year,
                basis_kind=basis_kind, basis=basis.strip(), counts_to_cap=counts)
            insp.inspectors.set(inspectors)
            _first_event(InspectionEvent, "inspection", insp, action="assign", to="assigned", actor=actor, now=now,
                         reason=basis.strip() or rules.BASIS_KINDS[basis_kind])
    except IntegrityError:
        raise Conflict(f"{party.name}{year}年度已由{unit.name}检查，同一部门对同一企业执法检查每年不超过1次",
                       field="party", code="cap") from None
    return insp


def inspection_act(*, inspection: Inspection, action: str, actor, input: dict | None = None,
                   version: int | None = None, now: datetime | None = None) -> Inspection:
    return apply(INSPECTION, subject=inspection, action=action, actor=actor, input=input, version=version, now=now)


def credit_from_inspection(inspection: Inspection, *, result: str, on: date) -> None:
    kind = {"rectify": "inspection_rectify", "case": "inspection_case"}.get(result)
    if kind:
        CreditRecord.objects.create(party=inspection.party, kind=kind, source=f"inspection:{inspection.number}",
                                    reason=f"{inspection.unit.name}检查（{inspection.number}，{on}）："
                                           f"{rules.CREDIT_KINDS[kind]}")


@deadline_holder("supervision.inspection_publish")
def inspections_recompute(*, since: date, now: datetime) -> int:
    """A calendar change moves the publication deadline of every unpublished result after `since`."""
    moved = 0
    for insp in Inspection.objects.filter(published_at__isnull=True, inspected_on__isnull=False,
                                          deadline__gte=since).exclude(status="assigned"):
        due = add_working_days(insp.inspected_on, config()["publish_days"])
        if (due.date, due.provisional) != (insp.deadline, insp.deadline_provisional):
            apply(INSPECTION, subject=insp, action="calendar_moved", actor=None, now=now)
            moved += 1
    return moved


# ================================================================ 首违免罚


def violation_record(*, unit, party: Party, description: str, occurred_on: date, minor_harm: bool,
                     corrected: bool, actor, offence: LenientOffence | None = None, guidance: str = "",
                     guidance_text: str = "", inspection: Inspection | None = None) -> Violation:
    require_unit(actor, unit)
    if not description.strip():
        raise DomainError("请填写违法事实", field="description")
    if offence is not None and offence.unit_id != unit.pk:
        raise DomainError("只能适用本单位的首违免罚清单", field="offence")
    if occurred_on > timezone.localdate():
        raise DomainError("发现日期不能晚于今天", field="occurred_on")
    with transaction.atomic():
        Party.objects.select_for_update().filter(pk=party.pk).first()  # one party's violations one at a time
        prior = [] if offence is None else list(
            Violation.objects.filter(party=party, offence=offence).values_list("occurred_on", "number"))
        decision = rules.exemption_decide(on_list=offence is not None and offence.active, minor_harm=minor_harm,
                                          corrected=corrected, occurred_on=occurred_on, prior=prior,
                                          period_months=offence.period_months if offence else 12)
        if decision.exempt and guidance not in ("persuade", "remind", "advise"):
            raise DomainError("免罚须选择教育指导方式（劝告、提醒、建议）", field="guidance")
        v = Violation.objects.create(
            number=f"WF{occurred_on:%Y%m%d}{_token()}", unit=unit, party=party, offence=offence,
            inspection=inspection, description=description.strip(), occurred_on=occurred_on, minor_harm=minor_harm,
            corrected=corrected, exempted=decision.exempt, reason=decision.reason,
            guidance=guidance if decision.exempt else "", guidance_text=guidance_text if decision.exempt else "",
            recorded_by=actor)
        kind = "exemption" if decision.exempt else "penalty"
        CreditRecord.objects.create(party=party, kind=kind, source=f"violation:{v.number}",
                                    reason=f"{unit.name}：{v.description}（{decision.reason}）")
    return v


# ================================================================ credit repair


def credit_repair(*, record: CreditRecord, actor, note: str, now: datetime | None = None) -> CreditRepair:
    """Approve a repair: the record's public display ends and it stops counting; the record stays."""
    from yiwang.organisations.selectors import has_role

    if not has_role(actor, "supervisor"):
        raise Forbidden("仅督查人员可以审批信用修复", field="record")
    if not note.strip():
        raise DomainError("请填写修复依据", field="note")
    try:
        with transaction.atomic():
            return CreditRepair.objects.create(record=record, approved_at=now or timezone.now(), approved_by=actor,
                                               note=note.strip())
    except IntegrityError:
        raise Conflict("该信用记录已修复", field="record") from None


# ================================================================ supervision tasks (双推送)


def supervision_task_open(*, case_number: str, unit, kind: str, party: Party, approving_unit, item_name: str,
                          change_seq: int = 0, now: datetime | None = None) -> SupervisionTask:
    """Open (once per case and kind, and per licence change) the supervising unit's task to follow it up."""
    now = now or timezone.now()
    existing = SupervisionTask.objects.filter(case_number=case_number, kind=kind, change_seq=change_seq).first()
    if existing:
        return existing
    due = add_working_days(timezone.localdate(now), config()["claim_days"])
    with transaction.atomic():
        task = SupervisionTask.objects.create(
            number=f"RW{timezone.localdate(now):%Y%m%d}{_token()}", kind=kind, case_number=case_number,
            change_seq=change_seq,
            item_name=item_name, party=party, approving_unit=approving_unit, unit=unit, deadline=due.date,
            deadline_provisional=due.provisional, created_at=now)
        _first_event(TaskEvent, "task", task, action="push", to="pending", actor=None, now=now,
                     reason=f"{approving_unit.name}推送审批结果（{case_number}）", deadline=due.date)
        from yiwang.core.timers import timers_set

        timers_set(key=task.number, plan={TASK_TIMER: day_end(due.date)}, fresh=True)
    return task


@reaction("supervision.task_from_approval")
def task_from_approval(*, payload: dict) -> None:
    """After commit of a case's approval (or commitment approval, revocation): payload["key"] is the
    case number. Declare in the case workflow:
        react("supervision.task_from_approval", entering={"approved", "revoked"}, after_commit=True)"""
    from yiwang.cases.models import Case

    case = Case.objects.select_related("implementation__item__supervising_unit", "deciding_unit", "applicant").filter(
        number=payload["key"]).first()
    if case is None:
        raise NotFound(f"未找到办件{payload['key']}")
    item = case.implementation.item
    unit = item.supervising_unit or case.deciding_unit
    kind = "revocation" if case.status == "revoked" else ("commitment" if case.commitment else "approval")
    supervision_task_open(case_number=case.number, unit=unit, kind=kind, party=case.applicant,
                          approving_unit=case.deciding_unit, item_name=item.name)


@reaction("supervision.task_from_licence_change")
def task_from_licence_change(*, payload: dict) -> None:
    """After commit of a licence's 暂扣/恢复/撤销/注销 by its issuer (双推送: 证照变更): payload["key"] is the
    licence identifier, payload["seq"] the change's event. A change the system made (the case engine's
    revocation after a failed post-check) is pushed by the case's own revocation task, not twice."""
    from yiwang.cases.models import Case
    from yiwang.licences.models import Licence, LicenceEvent
    from yiwang.licences.workflow import EVENT_LABELS

    licence = Licence.objects.select_related("licence_type", "issuer", "holder").filter(
        identifier=payload["key"]).first()
    if licence is None:
        raise NotFound(f"未找到证照{payload['key']}")
    event = LicenceEvent.objects.filter(licence=licence, seq=payload["seq"]).first()
    if event is None or event.actor_id is None:
        return
    case = (Case.objects.select_related("implementation__item__supervising_unit").filter(
        number=licence.case_number).first() if licence.case_number else None)
    unit = (case.implementation.item.supervising_unit if case else None) or licence.issuer
    label = EVENT_LABELS.get(event.action, event.action)
    supervision_task_open(case_number=(licence.case_number or licence.identifier)[:96], unit=unit,
                          kind="licence_change", party=licence.holder, approving_unit=licence.issuer,
                          item_name=f"{licence.licence_type.name}（{label}）"[:200], change_seq=event.seq)


def task_act(*, task: SupervisionTask, action: str, actor, input: dict | None = None, version: int | None = None,
             now: datetime | None = None) -> SupervisionTask:
    return apply(TASK, subject=task, action=action, actor=actor, input=input, version=version, now=now)


def conflict_declare(*, inspector: Inspector, party: Party, reason: str) -> ConflictDeclaration:
    if not reason.strip():
        raise DomainError("请填写回避事由", field="reason")
    obj, _ = ConflictDeclaration.objects.get_or_create(inspector=inspector, party=party,
                                                       defaults={"reason": reason.strip()})
    return obj


# ================================================================ 信用修复申请


def repair_apply(*, record: CreditRecord, actor, reason: str, commitment: bool = True,
                 now: datetime | None = None) -> RepairApplication:
    """An enterprise applies to repair one of its credit records; decided within N working days."""
    now = now or timezone.now()
    if record.party.user_id != getattr(actor, "pk", None):
        raise Forbidden("只能为本企业的信用记录申请修复", field="record")
    if not reason.strip():
        raise DomainError("请填写纠正失信行为情况", field="reason")
    if not commitment:
        raise DomainError("申请信用修复须作出信用承诺", field="commitment")
    refusal = rules.repair_refusal(kind=record.kind, recorded_on=timezone.localdate(record.created_at),
                                   today=timezone.localdate(now), repaired=CreditRepair.objects.filter(
                                       record=record).exists())
    if refusal:
        raise DomainError(refusal, field="record")
    due = add_working_days(timezone.localdate(now), config()["repair_days"])
    try:
        with transaction.atomic():
            app = RepairApplication.objects.create(
                number=f"XF{timezone.localdate(now):%Y%m%d}{_token()}", record=record, party=record.party,
                reason=reason.strip(), commitment=True, deadline=due.date, deadline_provisional=due.provisional,
                created_at=now)
            _first_event(RepairEvent, "application", app, action="apply", to="submitted", actor=actor, now=now,
                         reason=reason.strip(), deadline=due.date)
            from yiwang.core.timers import timers_set

            timers_set(key=app.number, plan={REPAIR_TIMER: day_end(due.date)}, fresh=True)
    except IntegrityError:
        raise Conflict("该信用记录已有待审核的修复申请", field="record") from None
    return app


def repair_act(*, application: RepairApplication, action: str, actor, input: dict | None = None,
               version: int | None = None, now: datetime | None = None) -> RepairApplication:
    return apply(REPAIR, subject=application, action=action, actor=actor, input=input, version=version, now=now)
