"""Ledger services: plans and their measures (also from Excel), the month's reports, and the
report's actions — all state changes of a report go through the engine (workflow.py)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.db import transaction
from django.utils import timezone

from yiwang.core.errors import DomainError, NotFound
from yiwang.core.timers import timers_set
from yiwang.core.workflow import apply
from yiwang.organisations.models import Region, Unit

from .models import PlanReporter, ProgressReport, ReformPlan, ReformTask, ReportStatus
from .workflow import WORKFLOW, due_date, timers_for


def month_parse(value: str, field: str = "month") -> date:
    try:
        y, m = value.split("-")
        return date(int(y), int(m), 1)
    except (ValueError, AttributeError):
        raise DomainError("月份应为 YYYY-MM 格式，如 2026-03", field=field) from None


def plan_get(code: str) -> ReformPlan:
    plan = ReformPlan.objects.select_related("region", "office").filter(code=code).first()
    if plan is None:
        raise NotFound(f"改革方案“{code}”不存在", field="code")
    return plan


@transaction.atomic
def plan_save(*, code: str, name: str, region: str, office: str, tasks: list[dict], reporters: list[str],
              start_month: date, basis: str = "", due_day: int = 25) -> ReformPlan:
    """Create or update a plan with its measures and reporting units (measures not listed stay)."""
    if not code.strip() or not name.strip():
        raise DomainError("请填写方案编号和名称", field="code")
    if not 1 <= due_day <= 28:
        raise DomainError("每月报送截止日应在1至28日之间", field="due_day")
    units = {u.code: u for u in Unit.objects.filter(code__in=[*reporters, office])}
    missing = [c for c in [*reporters, office] if c not in units]
    if missing:
        raise DomainError(f"单位“{missing[0]}”不存在", field="reporters")
    plan, _ = ReformPlan.objects.update_or_create(code=code.strip(), defaults={
        "name": name.strip(), "region": Region.objects.get(code=region), "office": units[office], "basis": basis,
        "due_day": due_day, "start_month": start_month.replace(day=1)})
    for i, t in enumerate(tasks, start=1):
        if not str(t.get("code", "")).strip() or not str(t.get("title", "")).strip():
            raise DomainError(f"第{i}项措施缺少编号或名称", field="tasks")
        ReformTask.objects.update_or_create(plan=plan, code=str(t["code"]).strip(), defaults={
            "title": t["title"].strip(), "section": t.get("section", ""), "detail": t.get("detail", ""),
            "responsible": t.get("responsible", ""), "order": i})
    for i, c in enumerate(reporters, start=1):
        PlanReporter.objects.update_or_create(plan=plan, unit=units[c], defaults={"order": i})
    return plan


def report_open(*, plan: ReformPlan, unit: Unit, month: date) -> ProgressReport:
    """The unit's report for the month, created as a draft with its due date and timers if new."""
    month = month.replace(day=1)
    if not plan.reporters.filter(unit=unit).exists():
        raise DomainError(f"{unit.name}不是本方案的填报单位", field="unit")
    if month < plan.start_month:
        raise DomainError(f"本方案自{plan.start_month:%Y-%m}起报送", field="month")
    with transaction.atomic():
        report, created = ProgressReport.objects.get_or_create(
            plan=plan, unit=unit, month=month, defaults={"deadline": due_date(month, plan.due_day)})
        if created:
            report.plan = plan
            timers_set(key=report.key, plan=timers_for(report), fresh=True)
    return report


def month_open(*, plan: ReformPlan, month: date) -> int:
    """Open the month's report for every reporting unit (idempotent)."""
    n = 0
    for r in plan.reporters.select_related("unit"):
        report_open(plan=plan, unit=r.unit, month=month)
        n += 1
    return n


def months_open_current(*, today: date | None = None) -> int:
    """The worker's daily step: this month's reports exist for every active plan."""
    today = today or timezone.localdate()
    return sum(month_open(plan=p, month=today) for p in ReformPlan.objects.filter(active=True,
                                                                                 start_month__lte=today))


def report_act(*, report: ProgressReport | str, action: str, actor, input: dict | None = None,
               version: int | None = None, now=None) -> ProgressReport:
    return apply(WORKFLOW, subject=report, action=action, actor=actor, input=input or {}, version=version, now=now)


# ---------------------------------------------------------------- Excel import

PLAN_HEAD = ["措施编号", "任务类别", "改革措施", "具体内容", "责任单位"]


def plan_import_xlsx(*, content: bytes, code: str, name: str, region: str, office: str, start_month: date,
                     reporters: list[str] | None = None) -> ReformPlan:
    """A plan from an Excel sheet: a header row 措施编号 | 任务类别 | 改革措施 | 具体内容 | 责任单位, then one
    row per measure; an optional second sheet 填报单位 lists unit codes in column A."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload is the same answer to the user
        raise DomainError("无法读取 Excel 文件（请上传 .xlsx）", field="file") from None
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    head = next((i for i, r in enumerate(rows) if r and str(r[0] or "").strip() == "措施编号"), None)
    if head is None:
        raise DomainError("未找到表头“措施编号”（表头应为：" + " | ".join(PLAN_HEAD) + "）", field="file")
    tasks = []
    for r in rows[head + 1:]:
        cells = [str(c).strip() if c is not None else "" for c in (list(r) + [None] * 5)[:5]]
        if cells[0]:
            tasks.append(dict(zip(("code", "section", "title", "detail", "responsible"), cells, strict=True)))
    if not tasks:
        raise DomainError("表中没有措施", field="file")
    if reporters is None and len(wb.worksheets) > 1:
        reporters = [str(r[0]).strip() for r in wb.worksheets[1].iter_rows(values_only=True) if r and r[0]]
    return plan_save(code=code, name=name, region=region, office=office, tasks=tasks, reporters=reporters or [],
                     start_month=start_month)


def report_statuses() -> dict[str, str]:
    return dict(ReportStatus.choices)
