"""改革台账 API: plans, a month's reports, and a unit's monthly report (saved and, if asked, submitted)."""

from ninja import Router, Schema
from pydantic import Field

from yiwang.core.auth import require_user
from yiwang.core.errors import DomainError
from yiwang.core.workflow.api import action_routes, refusals
from yiwang.organisations.models import Unit

from . import selectors, services
from .models import ProgressReport
from .workflow import WORKFLOW, EntryIn

router = Router(tags=["ledger"])


def report_out(r: ProgressReport) -> dict:
    return {"key": r.key, "plan": r.plan.code, "unit": r.unit.code, "unit_name": r.unit.name,
            "month": f"{r.month:%Y-%m}", "status": r.status, "status_label": r.get_status_display(),
            "deadline": r.deadline, "overdue": r.overdue, "late": r.late, "submitted_at": r.submitted_at,
            "review_comment": r.review_comment, "version": r.version,
            "entries": [{"task": e.task.code, "progress": e.progress, "progress_label": e.get_progress_display(),
                         "text": e.text, "figures": e.figures} for e in r.entries.select_related("task")]}


@router.get("/ledger/plans", openapi_extra=refusals(401), summary="改革方案（本人可见的）")
def plans(request):
    user = require_user(request)
    return [{"code": p.code, "name": p.name, "region": p.region_id, "office": p.office.name, "due_day": p.due_day,
             "start_month": f"{p.start_month:%Y-%m}",
             "tasks": [{"code": t.code, "section": t.section, "title": t.title, "responsible": t.responsible}
                       for t in p.tasks.all()],
             "reporters": [{"code": r.unit.code, "name": r.unit.name} for r in p.reporters.select_related("unit")]}
            for p in selectors.plans_visible(user)]


@router.get("/ledger/plans/{code}/reports", openapi_extra=refusals(401, 403, 404), summary="某月各单位台账（审改办看全部，填报单位看本单位）")
def reports(request, code: str, month: str):
    user = require_user(request)
    plan = services.plan_get(code)
    selectors.plan_for(user, plan)
    return [report_out(r) for r in selectors.month_reports(user, plan, services.month_parse(month))]


class ReportIn(Schema):
    unit: str = Field(title="填报单位", max_length=32)
    month: str = Field(title="月份", max_length=10)
    entries: list[EntryIn] = Field(title="各项措施进展")
    submit: bool = Field(False, title="同时报送")
    version: int | None = None


@router.post("/ledger/plans/{code}/reports", openapi_extra=refusals(401, 403, 404, 409), summary="填报单位的月度台账：保存进展（submit=true 同时报送）")
def report_post(request, code: str, payload: ReportIn):
    user = require_user(request)
    plan = services.plan_get(code)
    unit = Unit.objects.filter(code=payload.unit).first()
    if unit is None:
        raise DomainError(f"单位“{payload.unit}”不存在", field="unit")
    report = services.report_open(plan=plan, unit=unit, month=services.month_parse(payload.month))
    selectors.report_visible(user, report)
    from django.db import transaction

    with transaction.atomic():
        report = services.report_act(report=report, action="save", actor=user, version=payload.version,
                                     input={"entries": [e.model_dump() for e in payload.entries]})
        if payload.submit:
            report = services.report_act(report=report, action="submit", actor=user)
    return report_out(ProgressReport.objects.select_related("plan", "unit").get(pk=report.pk))


def _load(request, key: str) -> ProgressReport:
    from .workflow import _load as load

    try:
        report = load(key)
    except (ProgressReport.DoesNotExist, ValueError):
        from yiwang.core.errors import NotFound

        raise NotFound(f"台账“{key}”不存在", field="key") from None
    selectors.report_visible(require_user(request), report)
    return report


action_routes(router, WORKFLOW, path="/ledger/reports/{number}", out=dict,
              respond=lambda request, r: report_out(ProgressReport.objects.select_related("plan", "unit").get(pk=r.pk)),
              auth_user=require_user, load=_load)
