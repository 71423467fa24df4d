"""/api/v1/projects: list, register, detail with the schedule and critical path, milestones and
warnings, filing a member's case; the workflow's actions, one operation each (action_routes)."""

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Router, Schema
from pydantic import Field

from yiwang.core.auth import require_user
from yiwang.core.errors import NotFound
from yiwang.core.workflow import available_actions
from yiwang.core.workflow.api import ERRORS, action_routes
from yiwang.organisations.models import Unit
from yiwang.parties.models import Party

from . import rules, selectors, services
from .models import Project
from .workflow import WORKFLOW, event_label

router = Router(tags=["projects"])


def _visible(request, code: str) -> Project:
    user = require_user(request)
    p = selectors.projects_visible(user).filter(code=code).first()
    if p is None:
        raise NotFound(f"未找到项目“{code}”", field="code")
    return p


def project_out(p: Project) -> dict:
    return {"code": p.code, "name": p.name, "enterprise": {"uscc": p.enterprise.number, "name": p.enterprise.name},
            "park": {"code": p.park.code, "name": p.park.name}, "status": p.status,
            "status_name": p.get_status_display(), "investment_kind": p.investment_kind,
            "approval_kind": p.approval_kind, "investment": str(p.investment), "land_parcel": p.land_parcel,
            "key_level": p.key_level, "key_level_name": p.get_key_level_display(),
            "agent": ({"username": p.agent.username, "name": p.agent.first_name} if p.agent_id else None),
            "projected_finish": p.projected_finish, "approval_days": p.approval_days,
            "warnings": p.warnings, "version": p.version}


def _row(m, r: rules.Row) -> dict:
    linked = m.bundle_case or m.case
    return {"key": m.key, "stage": m.stage, "kind": m.kind, "label": m.label, "milestone": m.milestone,
            "phase": m.phase, "days": m.days, "after": m.after,
            "case": ({"number": linked.number, "status": linked.status, "status_name": linked.get_status_display()}
                     if linked else None),
            "planned_start": r.planned_start, "planned_finish": r.planned_finish,
            "projected_start": r.projected_start, "projected_finish": r.projected_finish,
            "float": r.float_days, "planned_float": r.planned_float, "delay": r.delay, "critical": r.critical,
            "done": r.done}


def detail_out(request, p: Project) -> dict:
    members = selectors.members_of(p)
    sch = selectors.schedule_for(p, members=members)
    out = project_out(p)
    out["dates"] = {k: getattr(p, k) for k in ("begun_on", "target_sign_on", "signed_on", "land_notice_on",
                                                "land_supplied_on", "started_on", "construction_days",
                                                "completed_on", "target_certificate_on", "certified_on")}
    out["schedule"] = {
        "finish": sch.finish, "total_days": sch.total_days, "approval_days": sch.approval_days,
        "stage_days": sch.stage_days, "targets": {"stages": rules.STAGE_TARGETS, "county": rules.COUNTY_TARGET,
                                                  "national": rules.NATIONAL_TARGET},
        "critical_path": sch.critical, "provisional": sch.provisional,
        "members": [_row(m, sch.rows[m.key]) for m in members]}
    out["milestones"] = [{"key": m.key, "label": m.label, "milestone": m.milestone,
                          "milestone_name": rules.MILESTONES.get(m.milestone, ""), "done": sch.rows[m.key].done,
                          "planned": sch.rows[m.key].planned_finish, "projected": sch.rows[m.key].projected_finish}
                         for m in members if m.milestone]
    out["warnings"] = [w.__dict__ for w in sch.warnings]
    out["actions"] = [{"name": a.name, "label": a.label, "needs_input": a.needs_input}
                      for a in available_actions(WORKFLOW, subject=p, actor=request.user)]
    out["history"] = [{"seq": e.seq, "action": e.action, "action_name": event_label(e.action),
                       "to_status": e.to_status, "at": e.at, "reason": e.reason}
                      for e in p.events.order_by("seq")]
    return out


@router.get("/projects", response={200: list[dict], 401: ERRORS[401]}, summary="我可查看的工程建设项目（园区领导：本园区全部）")
def project_list(request, park: str = "", status: str = ""):
    qs = selectors.projects_visible(require_user(request))
    if park:
        qs = qs.filter(park__code=park)
    if status:
        qs = qs.filter(status=status)
    return [project_out(p) for p in qs.order_by("park_id", "code")[:500]]


class ProjectIn(Schema):
    code: str = Field(..., title="项目代码")
    name: str = Field(..., title="项目名称")
    enterprise: str = Field(..., title="建设单位统一社会信用代码")
    park: str = Field(..., title="所在园区")
    investment_kind: str = Field(..., title="投资类型")
    approval_kind: str = Field("general", title="审批类型")
    investment: Decimal = Field(..., title="总投资（万元）")
    begun_on: date = Field(..., title="洽谈开始日期")
    land_parcel: str = Field("", title="地块")
    key_level: str = Field("", title="重点项目")
    target_sign_on: date | None = Field(None, title="计划签约日期")
    construction_days: int = Field(160, title="施工工期（工作日）")
    target_certificate_on: date | None = Field(None, title="目标办证日期")


@router.post("/projects", response={200: dict, **ERRORS}, summary="登记工程建设项目（洽谈）")
def project_create(request, payload: ProjectIn):
    user = require_user(request)
    park = Unit.objects.filter(code=payload.park).first()
    if park is None:
        raise NotFound(f"园区“{payload.park}”不存在", field="park")
    party = Party.objects.filter(number=payload.enterprise, kind="enterprise").first()
    if party is None:
        raise NotFound(f"建设单位“{payload.enterprise}”未登记", field="enterprise")
    data = payload.dict(exclude={"park", "enterprise"})
    p = services.project_create(actor=user, enterprise=party, park=park, **data)
    return detail_out(request, p)


@router.get("/projects/{code}", response={200: dict, 401: ERRORS[401], 404: ERRORS[404]},
            summary="项目详情：进度（关键路径、总时差、预计办证日期）、四即节点、预警、可办理的操作")
def project_detail(request, code: str):
    return detail_out(request, _visible(request, code))


class FileIn(Schema):
    form: dict[str, Any] = Field(default_factory=dict, title="申请表")


@router.post("/projects/{code}/members/{member}/file", response={200: dict, **ERRORS},
             summary="在项目下申报成员事项（专员代办或企业网上申请）并关联办件")
def project_file(request, code: str, member: str, payload: FileIn):
    user = require_user(request)
    p = _visible(request, code)
    target = services.project_case_file(project=p, member=member, actor=user, form=payload.form)
    return {"number": target.number, "project": detail_out(request, services.project_load(p))}


action_routes(router, WORKFLOW, path="/projects/{number}", out=dict,
              respond=lambda r, p: detail_out(r, p), auth_user=require_user, load=_visible)
