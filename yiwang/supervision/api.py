"""/api/v1/supervision/… (plans, draws with seed and result_hash, inspections, exemptions, tasks) and
/api/v1/credit/{uscc}. Workflow actions: one operation each (core.workflow.api.action_routes)."""

from datetime import date
from typing import Any

from django.db.models import Q
from ninja import Field, Query, Router, Schema

from yiwang.core.auth import require_user
from yiwang.core.errors import Forbidden, NotFound
from yiwang.core.workflow.api import ERRORS, action_routes, refusals
from yiwang.organisations.selectors import has_role
from yiwang.parties.models import Party

from . import rules, selectors, services
from .models import (
    CheckItem,
    Draw,
    Inspection,
    InspectionPlan,
    Inspector,
    LenientOffence,
    SupervisionTask,
    Violation,
)
from .workflow import DRAW, INSPECTION, PLAN, TASK

router = Router(tags=["supervision"])


def _units(user) -> list[int] | None:
    """The units whose records the user may read; None: all (督查)."""
    if has_role(user, "supervisor"):
        return None
    units = selectors.unit_ids_of(user)
    if not units:
        raise Forbidden("仅监管部门工作人员和督查人员可以查看")
    return units


def _scoped(qs, user, field: str = "unit_id"):
    units = _units(user)
    return qs if units is None else qs.filter(**{f"{field}__in": units})


# ---------------------------------------------------------------- plans


def plan_out(p: InspectionPlan) -> dict:
    return {"id": p.pk, "unit": p.unit.code, "year": p.year, "title": p.title, "status": p.status,
            "status_name": p.get_status_display(), "filed_on": p.filed_on, "late": p.late, "ratios": p.ratios,
            "items": [i.code for i in p.items.all()], "version": p.version}


class PlanIn(Schema):
    # Limits from the columns (unit code 32, title 128; the description column is unbounded: 4000).
    unit: str = Field(max_length=32)
    year: int = Field(ge=2000, le=2100)
    title: str = Field(max_length=128)
    items: list[str] = Field(max_length=200)
    ratios: dict[str, str] = {}
    description: str = Field("", max_length=4000)


@router.get("/supervision/plans", summary="年度抽查计划（已备案的对外公开）")
def plan_list(request, year: int | None = Query(None, ge=2000, le=2100)):
    qs = InspectionPlan.objects.select_related("unit").prefetch_related("items")
    units = _units(request.user) if request.user.is_authenticated and (
        has_role(request.user, "supervisor") or selectors.unit_ids_of(request.user)) else []
    if units is not None:  # the public and other staff: filed plans; a unit: its own drafts too
        qs = qs.filter(Q(status="filed") | Q(unit_id__in=units))
    if year:
        qs = qs.filter(year=year)
    return [plan_out(p) for p in qs.order_by("-year", "unit_id")[:200]]


@router.post("/supervision/plans", response={200: Any, **ERRORS}, summary="编制年度抽查计划（草拟）")
def plan_create(request, payload: PlanIn):
    from yiwang.organisations.models import Unit

    user = require_user(request)
    unit = Unit.objects.filter(code=payload.unit).first()
    if unit is None:
        raise NotFound(f"单位“{payload.unit}”不存在", field="unit")
    items = list(CheckItem.objects.filter(code__in=payload.items))
    if len(items) != len(set(payload.items)):
        raise NotFound("抽查事项不存在", field="items")
    plan = services.plan_create(unit=unit, year=payload.year, title=payload.title, items=items, actor=user,
                                ratios=payload.ratios, description=payload.description)
    return plan_out(plan)


def _plan_load(request, key: str):
    p = InspectionPlan.objects.filter(pk=key if str(key).isdigit() else 0).first()
    if p is None:
        raise NotFound("未找到该年度抽查计划")
    return p


action_routes(router, PLAN, path="/supervision/plans/{number}", out=Any, respond=lambda r, p: plan_out(p),
              auth_user=require_user, load=_plan_load)


# ---------------------------------------------------------------- draws


def draw_out(d: Draw, *, full: bool = False) -> dict:
    names = dict(Party.objects.filter(number__in=[t["candidate"] for t in d.result.get("targets", [])])
                 .values_list("number", "name"))
    data = {"number": d.number, "plan": d.plan_id, "unit": d.plan.unit.code, "item": d.item.code,
            "status": d.status, "status_name": d.get_status_display(), "seed": d.seed,
            "seed_published_at": d.seed_published_at, "candidates_count": len(d.candidates),
            "candidates_hash": d.candidates_hash, "ratios": d.ratios, "per_target": d.per_target,
            "result_hash": d.result_hash or None, "drawn_at": d.drawn_at, "version": d.version,
            "targets": [{"uscc": t["candidate"], "name": names.get(t["candidate"], ""), "risk": t["risk"],
                         "rank": t["rank"]} for t in d.result.get("targets", [])],
            "joint": d.joint, "partners": [{"unit": p.unit.code, "unit_name": p.unit.name, "item": p.item.code,
                                            "item_name": p.item.name} for p in d.partners.all()]}
    if full:
        data["document"] = d.document()
    return data


class PartnerIn(Schema):
    unit: str = Field(max_length=32, title="参与单位")
    item: str = Field(max_length=32, title="抽查事项")


class DrawIn(Schema):
    plan: int = Field(ge=1, le=2**62)
    item: str = Field(max_length=32)
    seed: str | None = Field(None, max_length=128)
    per_target: int = rules.MIN_INSPECTORS
    filters: dict[str, str] = {}
    partners: list[PartnerIn] = Field([], max_length=10, title="联合抽查参与单位")


def _partners(rows: list[PartnerIn]) -> list[tuple]:
    from yiwang.organisations.models import Unit

    out = []
    for row in rows:
        unit = Unit.objects.filter(code=row.unit).first()
        item = CheckItem.objects.filter(code=row.item).first()
        if unit is None or item is None:
            raise NotFound(f"参与单位“{row.unit}”或其抽查事项“{row.item}”不存在", field="partners")
        out.append((unit, item))
    return out


@router.get("/supervision/draws", summary="双随机抽取（公开：种子、名单哈希、结果）")
def draw_list(request):
    return [draw_out(d) for d in Draw.objects.select_related("plan__unit", "item").prefetch_related(
        "partners__unit", "partners__item")[:100]]


@router.get("/supervision/draws/{number}", response={200: Any, **ERRORS},
            summary="一次抽取：种子、冻结名单及其SM3、结果及result_hash，document 可用于复算")
def draw_get(request, number: str):
    d = Draw.objects.select_related("plan__unit", "item").filter(number=number).first()
    if d is None:
        raise NotFound("未找到该抽取")
    return draw_out(d, full=True)


@router.post("/supervision/draws", response={200: Any, **ERRORS}, summary="冻结名单并公布随机种子（抽取前）")
def draw_prepare(request, payload: DrawIn):
    user = require_user(request)
    plan = InspectionPlan.objects.select_related("unit").filter(pk=payload.plan).first()
    item = CheckItem.objects.filter(code=payload.item).first()
    if plan is None or item is None:
        raise NotFound("年度计划或抽查事项不存在", field="plan" if plan is None else "item")
    d = services.draw_prepare(plan=plan, item=item, actor=user, filters=payload.filters, seed=payload.seed,
                              per_target=payload.per_target, partners=_partners(payload.partners))
    return draw_out(d, full=True)


action_routes(router, DRAW, path="/supervision/draws/{number}", out=Any, respond=lambda r, d: draw_out(d),
              auth_user=require_user)


# ---------------------------------------------------------------- inspections


def inspection_out(i: Inspection, *, private: bool = False) -> dict:
    data = {"number": i.number, "unit": i.unit.code, "enterprise": i.party.name, "uscc": i.party.number,
            "item": i.item.code, "year": i.year, "basis_kind": i.basis_kind, "status": i.status,
            "status_name": i.get_status_display(), "result": i.result or None,
            "result_name": i.get_result_display() if i.result else None, "inspected_on": i.inspected_on,
            "publish_due": i.deadline, "published_at": i.published_at, "publish_overdue": i.publish_overdue,
            "draw": i.draw.number if i.draw_id else None, "visit": i.visit or None, "version": i.version}
    if private:
        data.update(basis=i.basis, findings=i.findings, rectify_due=i.rectify_due,
                    inspectors=[x.name for x in i.inspectors.all()])
    return data


class InspectionIn(Schema):
    unit: str = Field(max_length=32)
    uscc: str = Field(max_length=18)
    item: str = Field(max_length=32)
    inspectors: list[str] = Field(max_length=20)
    basis_kind: str = Field(max_length=16)
    basis: str = Field("", max_length=200)
    on: date | None = None


# A credit code is ASCII digits and capitals only (٤ or ４ would find nothing and say nothing).
@router.get("/supervision/inspections", summary="检查（本单位；督查：全部；未登录：已公示结果）")
def inspection_list(request, uscc: str = Query("", max_length=18, pattern="^[0-9A-Z]*$"),
                    status: str = Query("", max_length=16)):
    qs = Inspection.objects.select_related("unit", "party", "item", "draw")
    private = request.user.is_authenticated and (has_role(request.user, "supervisor")
                                                  or bool(selectors.unit_ids_of(request.user)))
    qs = _scoped(qs, request.user) if private else qs.filter(published_at__isnull=False)
    if uscc:
        qs = qs.filter(party__number=uscc)
    if status:
        qs = qs.filter(status=status)
    return [inspection_out(i, private=private) for i in qs[:200]]


@router.post("/supervision/inspections", response={200: Any, **ERRORS}, summary="登记检查（受年度一次上限约束）")
def inspection_create(request, payload: InspectionIn):
    from yiwang.organisations.models import Unit

    user = require_user(request)
    unit = Unit.objects.filter(code=payload.unit).first()
    party = Party.objects.filter(number=payload.uscc, kind="enterprise").first()
    item = CheckItem.objects.filter(code=payload.item).first()
    for value, field, label in ((unit, "unit", "单位"), (party, "uscc", "企业"), (item, "item", "抽查事项")):
        if value is None:
            raise NotFound(f"{label}不存在", field=field)
    inspectors = list(Inspector.objects.filter(certificate__in=payload.inspectors))
    insp = services.inspection_open(unit=unit, party=party, item=item, inspectors=inspectors, actor=user,
                                    basis_kind=payload.basis_kind, basis=payload.basis, on=payload.on)
    return inspection_out(insp, private=True)


def _inspection_load(request, number: str):
    i = _scoped(Inspection.objects.all(), request.user).filter(number=number).first()
    if i is None:
        raise NotFound("未找到该检查")
    return i


action_routes(router, INSPECTION, path="/supervision/inspections/{number}", out=Any,
              respond=lambda r, i: inspection_out(i, private=True), auth_user=require_user, load=_inspection_load)


# ---------------------------------------------------------------- exemptions (首违免罚)


class ViolationIn(Schema):
    unit: str = Field(max_length=32)
    uscc: str = Field(max_length=18)
    offence: str | None = Field(None, max_length=32)
    description: str = Field(max_length=300)
    occurred_on: date
    minor_harm: bool
    corrected: bool
    guidance: str = Field("", max_length=16)
    guidance_text: str = Field("", max_length=4000)


def violation_out(v: Violation) -> dict:
    return {"number": v.number, "unit": v.unit.code, "uscc": v.party.number, "offence": v.offence.code if v.offence_id
            else None, "description": v.description, "occurred_on": v.occurred_on, "exempted": v.exempted,
            "reason": v.reason, "guidance": v.guidance or None, "guidance_text": v.guidance_text}


@router.get("/supervision/offences", summary="首违免罚清单（公开）")
def offence_list(request):
    return [{"code": o.code, "unit": o.unit.code, "description": o.description, "basis": o.basis,
             "conditions": o.conditions, "period_months": o.period_months}
            for o in LenientOffence.objects.filter(active=True).select_related("unit")]


@router.get("/supervision/exemptions", openapi_extra=refusals(401, 403), summary="违法行为记录及免罚认定（本单位）")
def exemption_list(request):
    user = require_user(request)
    qs = _scoped(Violation.objects.select_related("unit", "party", "offence"), user)
    return [violation_out(v) for v in qs[:200]]


@router.post("/supervision/exemptions", response={200: Any, **ERRORS}, summary="记录违法行为：首违免罚认定")
def exemption_create(request, payload: ViolationIn):
    from yiwang.organisations.models import Unit

    user = require_user(request)
    unit = Unit.objects.filter(code=payload.unit).first()
    party = Party.objects.filter(number=payload.uscc, kind="enterprise").first()
    if unit is None or party is None:
        raise NotFound("单位或企业不存在", field="unit" if unit is None else "uscc")
    offence = None
    if payload.offence:
        offence = LenientOffence.objects.filter(code=payload.offence).first()
        if offence is None:
            raise NotFound("首违免罚清单事项不存在", field="offence")
    v = services.violation_record(unit=unit, party=party, offence=offence, actor=user,
                                  **payload.dict(exclude={"unit", "uscc", "offence"}))
    return violation_out(v)


# ---------------------------------------------------------------- tasks (双推送)


def task_out(t: SupervisionTask) -> dict:
    return {"number": t.number, "kind": t.kind, "case_number": t.case_number, "item": t.item_name,
            "unit": t.unit.code, "approving_unit": t.approving_unit.code, "status": t.status,
            "status_name": t.get_status_display(), "deadline": t.deadline, "overdue": t.overdue,
            "result": t.result or None, "result_note": t.result_note, "pushed_at": t.pushed_at, "version": t.version}


@router.get("/supervision/tasks", openapi_extra=refusals(401, 403), summary="监管任务（本单位）")
def task_list(request, status: str = ""):
    user = require_user(request)
    qs = _scoped(SupervisionTask.objects.select_related("unit", "approving_unit"), user)
    return [task_out(t) for t in (qs.filter(status=status) if status else qs)[:200]]


def _task_load(request, number: str):
    t = _scoped(SupervisionTask.objects.all(), request.user).filter(number=number).first()
    if t is None:
        raise NotFound("未找到该监管任务")
    return t


action_routes(router, TASK, path="/supervision/tasks/{number}", out=Any, respond=lambda r, t: task_out(t),
              auth_user=require_user, load=_task_load)


# ---------------------------------------------------------------- credit


@router.get("/credit/{uscc}", response={200: Any, **ERRORS}, summary="企业信用：等级与公示中的信用记录")
def credit_get(request, uscc: str):
    party = Party.objects.filter(number=uscc.upper(), kind="enterprise").first()
    if party is None:
        raise NotFound("未找到该企业", field="uscc")
    g = selectors.grade_of(party)
    records = selectors.live_records([party.pk]).order_by("-created_at")
    return {"uscc": party.number, "name": party.name, "grade": g.grade, "grade_name": rules.GRADE_LABELS[g.grade],
            "score": g.score, "risk": rules.risk_of(g.grade), "commitment_barred": selectors.commitment_barred(party),
            "records": [{"kind": r.kind, "kind_name": rules.CREDIT_KINDS.get(r.kind, r.kind), "on": r.created_at.date(),
                         "source": r.source, "reason": r.reason} for r in records]}


@router.get("/supervision/summary", openapi_extra=refusals(401, 403), summary="看板：监管任务与公示超期、首违免罚与不予免罚件数")
def summary(request):
    require_user(request)
    return selectors.overdue_counts()
