"""改革台账 pages: the plans, a month's reports, one unit's report with its actions, the quarterly 通报."""

from __future__ import annotations

from datetime import date
from functools import wraps
from io import BytesIO
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from yiwang.core.errors import DomainError, Forbidden, NotFound
from yiwang.core.workflow import available_actions
from yiwang.organisations.models import Unit

from . import selectors, services
from .models import Progress, ProgressReport
from .workflow import WORKFLOW

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_page(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except NotFound as exc:
            raise Http404(exc.message) from None

    return wrapped


def _month(request) -> date:
    value = request.GET.get("month", "")
    try:
        return services.month_parse(value) if value else timezone.localdate().replace(day=1)
    except DomainError as exc:
        messages.error(request, exc.message)
        return timezone.localdate().replace(day=1)


@ledger_page
def home(request):
    plans = selectors.plans_visible(request.user)
    if not plans:
        raise PermissionDenied("无权查看改革台账：仅审改办（督查人员）、领导和填报单位可以查看")
    return render(request, "ledger/home.html", {"plans": plans})


@ledger_page
def plan_month(request, code: str):
    plan = services.plan_get(code)
    selectors.plan_for(request.user, plan)
    month = _month(request)
    if month >= plan.start_month and month <= timezone.localdate():
        services.month_open(plan=plan, month=month)
    return render(request, "ledger/plan.html", {
        "plan": plan, "month": month, "reports": selectors.month_reports(request.user, plan, month),
        "office": selectors.may_see_all(request.user, plan), "quarter": _quarter_of(month),
    })


def _quarter_of(d: date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def _report(request, code: str, unit: str, month: str) -> ProgressReport:
    plan = services.plan_get(code)
    u = Unit.objects.filter(code=unit).first()
    if u is None:
        raise NotFound(f"单位“{unit}”不存在", field="unit")
    report = services.report_open(plan=plan, unit=u, month=services.month_parse(month))
    report = ProgressReport.objects.select_related("plan", "unit").get(pk=report.pk)
    selectors.report_visible(request.user, report)
    return report


@ledger_page
def report_page(request, code: str, unit: str, month: str):
    try:
        report = _report(request, code, unit, month)
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        raise Http404(exc.message) from None
    if request.method == "POST":
        return _act(request, report)
    entries = {e.task_id: e for e in report.entries.all()}
    rows = [{"task": t, "entry": entries.get(t.pk)} for t in report.plan.tasks.all()]
    available = {a.name: a for a in available_actions(WORKFLOW, subject=report, actor=request.user)}
    return render(request, "ledger/report.html", {
        "report": report, "rows": rows, "available": available, "progress": Progress.choices,
        "events": [(e, WORKFLOW.action_label(e.action)) for e in report.events.select_related("actor").order_by("seq")],
        "confirm_submit": WORKFLOW.actions["submit"].confirm, "confirm_accept": WORKFLOW.actions["accept"].confirm,
    })


def _act(request, report: ProgressReport):
    action = request.POST.get("action", "")
    data: dict = {}
    if action in ("save", "submit"):
        data = {"entries": [{"task": t.code, "progress": request.POST.get(f"progress_{t.code}", "not_started"),
                             "text": request.POST.get(f"text_{t.code}", ""),
                             "figures": request.POST.get(f"figures_{t.code}", "")} for t in report.plan.tasks.all()]}
    elif action in ("return_report", "accept"):
        data = {"reason": request.POST.get("reason", ""), "resubmit_by": request.POST.get("resubmit_by") or None}
    version = int(request.POST.get("version") or 0) or None
    if action in WORKFLOW.actions and WORKFLOW.actions[action].confirm and not request.POST.get("confirm"):
        if action == "submit":  # keep what was typed: saved, not submitted
            try:
                services.report_act(report=report, action="save", actor=request.user, input=data, version=version)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect(request.path)
        messages.error(request, f"请勾选确认：{WORKFLOW.actions[action].confirm}" + ("（已保存填写内容）" if action == "submit" else ""))
        return redirect(request.path)
    try:
        if action == "submit":  # the form's entries are saved first, then submitted, in one transaction
            from django.db import transaction

            with transaction.atomic():
                r = services.report_act(report=report, action="save", actor=request.user, input=data, version=version)
                services.report_act(report=r, action="submit", actor=request.user)
        else:
            services.report_act(report=report, action=action, actor=request.user, input=data, version=version)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(request.path)
    messages.success(request, f"已{WORKFLOW.action_label(action)}")
    return redirect(request.path)


@ledger_page
def bulletin(request, code: str):
    plan = services.plan_get(code)
    if not selectors.may_see_all(request.user, plan):
        raise PermissionDenied("季度通报仅审改办（督查人员）和领导可以查看")
    quarter = request.GET.get("quarter") or _quarter_of(timezone.localdate())
    try:
        b = selectors.bulletin(plan, quarter, today=timezone.localdate())
    except DomainError as exc:
        return render(request, "ledger/bulletin.html", {"plan": plan, "error": exc, "quarter": quarter}, status=400)
    if request.GET.get("format") == "xlsx":
        return _xlsx(bulletin_xlsx(b), f"{plan.code}_{quarter}_通报.xlsx")
    if request.GET.get("format") == "pdf":
        from .pdf import bulletin_pdf

        resp = HttpResponse(bulletin_pdf(b), content_type="application/pdf")
        resp["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(f'{plan.code}_{quarter}_通报.pdf')}"
        return resp
    return render(request, "ledger/bulletin.html", {"plan": plan, "b": b, "quarter": quarter})


def _xlsx(data: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


STATE_LABELS = {"on_time": "按时报送", "late": "逾期报送", "missing": "未报送", "pending": "未到期"}


def cell_text(entry) -> str:
    if entry is None:
        return "未报"
    return f"{entry.get_progress_display()}：{entry.text}" + (f"（{entry.figures}）" if entry.figures else "")


def bulletin_xlsx(b) -> bytes:
    """Sheet 1 in the 附件3 layout (measures down, reporting units across); sheet 2 who reported on time."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "落实情况台账"
    n = len(b.units) + 1
    ws.append([f"{b.plan.name}工作落实情况通报（{b.label}）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"单位：{b.plan.office.name}　　报送要求：每月{b.plan.due_day}日前"])
    ws.append(["改革措施", *[u.name for u in b.units]])
    section = None
    for row in b.matrix:
        t = row["task"]
        if t.section and t.section != section:
            section = t.section
            ws.append([section])
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        ws.append([f"{t.code}.{t.title}", *[cell_text(e) for e in row["cells"]]])
    for r in ws.iter_rows(min_row=3):
        for c in r:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 36
    ws2 = wb.create_sheet("报送情况")
    ws2.append(["填报单位", *[f"{m:%Y-%m}" for m in b.months], "按时", "逾期", "未报"])
    for row in b.timeliness:
        ws2.append([row["unit"].name, *[STATE_LABELS[c["state"]] for c in row["cells"]], row["on_time"], row["late"],
                    row["missing"]])
    ws2.column_dimensions["A"].width = 30
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@ledger_page
def plan_import(request):
    if request.method != "POST":
        return render(request, "ledger/import.html", {})
    f = request.FILES.get("file")
    office = Unit.objects.filter(code=request.POST.get("office", "")).first()
    try:
        if f is None:
            raise DomainError("请选择 Excel 文件", field="file")
        if office is None:
            raise DomainError("请填写牵头办公室的单位代码", field="office")
        from yiwang.organisations.models import Role
        from yiwang.organisations.selectors import staff_roles

        if not any(s.role == Role.SUPERVISOR and s.unit_id == office.pk for s in staff_roles(request.user)):
            raise Forbidden("只有该办公室的督查人员可以导入方案", field="office")
        plan = services.plan_import_xlsx(
            content=f.read(), code=request.POST.get("code", ""), name=request.POST.get("name", ""),
            region=office.region_id, office=office.code,
            start_month=services.month_parse(request.POST.get("start_month", ""), "start_month"),
            reporters=[c.strip() for c in request.POST.get("reporters", "").split(",") if c.strip()] or None)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        return render(request, "ledger/import.html", {"error": exc, "values": request.POST}, status=400)
    messages.success(request, f"已导入“{plan.name}”：{plan.tasks.count()} 项措施，{plan.reporters.count()} 个填报单位")
    return redirect("ledger:plan", code=plan.code)
