"""Supervision pages: the workbench, plans and draws, inspections and tasks (staff); the public
pages (plans, draws with the re-run check, results, the no-penalty list); an enterprise's own page."""

from __future__ import annotations

import json
import typing
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.core.errors import DomainError
from yiwang.core.workflow import apply, available_actions
from yiwang.organisations.selectors import has_role
from yiwang.parties.models import Party

from . import rules, selectors, services
from .config import credit_rules
from .models import (
    CheckItem,
    Draw,
    Guidance,
    Inspection,
    InspectionPlan,
    Inspector,
    LenientOffence,
    RepairApplication,
    SupervisionTask,
    Violation,
)
from .workflow import DRAW, INSPECTION, PLAN, REPAIR, TASK

WORKFLOWS = {"plan": PLAN, "draw": DRAW, "inspection": INSPECTION, "task": TASK, "repair": REPAIR}


def _staff(request) -> bool:
    return has_role(request.user, "supervisor") or bool(selectors.unit_ids_of(request.user))


def _forbidden(request):
    return HttpResponseForbidden(render(request, "supervision/forbidden.html").content)


def _scope(qs, request, field: str = "unit_id"):
    if has_role(request.user, "supervisor"):
        return qs
    return qs.filter(**{f"{field}__in": selectors.unit_ids_of(request.user)})


def _fields(schema) -> list[dict]:
    """An action's input schema as form fields (label, kind, choices) for the generic action form."""
    out = []
    for name, f in schema.model_fields.items():
        ann = f.annotation
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        base = args[0] if args and typing.get_origin(ann) is not typing.Literal else ann
        kind, choices = "text", []
        if typing.get_origin(ann) is typing.Literal:
            kind, choices = "select", [(v, CHOICE_LABELS.get(v, v)) for v in typing.get_args(ann)]
        elif base is date:
            kind = "date"
        elif base is bool:
            kind = "bool"
        elif name in ("findings", "note"):
            kind = "textarea"
        out.append({"name": name, "label": f.title or name, "kind": kind, "choices": choices,
                    "required": f.is_required()})
    return out


CHOICE_LABELS = {"passed": "未发现问题（合格）", "rectify": "发现问题，责令整改", "case": "发现违法，立案查处",
                 "onsite": "实地核查", "document": "书面核查", "credit": "信用分级跟踪", "none": "无需处置（须说明理由）"}


def _actions(wf, subject, user) -> list[dict]:
    return [{"name": a.name, "label": a.label, "confirm": a.action.confirm, "basis": a.action.basis,
             "fields": _fields(a.action.input)} for a in available_actions(wf, subject=subject, actor=user)]


FIRST_EVENTS = {"apply": "申请信用修复", "create": "草拟", "assign": "派发检查", "publish_seed": "冻结名单并公布种子", "push": "审批结果推送"}


def _history(subject, wf) -> list:
    events = list(subject.events.select_related("actor").order_by("seq"))
    for e in events:
        e.action_label = FIRST_EVENTS.get(e.action) or wf.action_label(e.action)
        e.to_status_label = wf.state_label(e.to_status)
    return events


@login_required
@require_POST
def act(request, wf: str, key: str):
    """One action of a supervision workflow from a page; the engine says yes or why not."""
    workflow = WORKFLOWS.get(wf)
    if workflow is None:
        raise Http404
    name = request.POST.get("action", "")
    act_ = workflow.actions.get(name)
    data = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "action", "version", "confirmed",
                                                               "next")}
    for f in _fields(act_.input) if act_ else []:
        if f["kind"] == "bool":  # an unticked box is not posted at all
            data[f["name"]] = data.get(f["name"]) == "on"
        elif data.get(f["name"]) == "" and not f["required"]:
            data.pop(f["name"])
    version = request.POST.get("version", "")
    try:
        if act_ is not None and act_.confirm and not request.POST.get("confirmed"):
            raise DomainError(f"请勾选确认：{act_.confirm}", field="confirmed")
        apply(workflow, subject=workflow.load(key), action=name, actor=request.user, input=data,
              version=int(version) if version.isdigit() else None)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{workflow.action_label(name)}")
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/supervision/") else reverse("supervision:home"))


# ---------------------------------------------------------------- the workbench


@login_required
def home(request):
    if not _staff(request):
        return _forbidden(request)
    wb = selectors.workbench(request.user)
    sup = has_role(request.user, "supervisor")
    pending_plans = list(InspectionPlan.objects.filter(status="pending").select_related("unit")) if sup else []
    repairs = list(RepairApplication.objects.filter(status="submitted").select_related("party", "record")) if sup else []
    return render(request, "supervision/home.html", {"wb": wb, "pending_plans": pending_plans, "repairs": repairs,
                                                     "counts": selectors.overdue_counts(), "menu": "home"})


@login_required
def plans(request):
    if not _staff(request):
        return _forbidden(request)
    units = selectors.unit_ids_of(request.user)
    if request.method == "POST":
        return _plan_create(request, units)
    qs = _scope(InspectionPlan.objects.select_related("unit"), request)
    items = CheckItem.objects.filter(unit_id__in=units, active=True)
    return render(request, "supervision/plans.html", {"plans": qs, "items": items, "menu": "plans",
                                                      "year": date.today().year, "ratios": rules.DEFAULT_RATIOS,
                                                      "risk_labels": rules.RISK_CLASSES})


def _plan_create(request, units):
    from yiwang.organisations.models import Unit

    p = request.POST
    unit = Unit.objects.filter(pk__in=units).first()
    try:
        if unit is None:
            raise DomainError("您不属于任何监管单位", field="unit")
        year = int(p.get("year", "0")) if p.get("year", "").isdigit() else 0
        if not 2000 <= year <= 2100:
            raise DomainError("请填写正确的年度", field="year")
        items = list(CheckItem.objects.filter(pk__in=p.getlist("items"), unit=unit))
        ratios = {r: p.get(f"ratio_{r}", "") for r in rules.RISK_CLASSES if p.get(f"ratio_{r}", "")}
        plan = services.plan_create(unit=unit, year=year, title=p.get("title", ""), items=items, actor=request.user,
                                    ratios=ratios, description=p.get("description", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:plans")
    messages.success(request, "计划已草拟，请核对后备案")
    return redirect("supervision:plan", pk=plan.pk)


@login_required
def plan(request, pk: int):
    if not _staff(request):
        return _forbidden(request)
    p = _scope(InspectionPlan.objects.select_related("unit"), request).filter(pk=pk).first()
    if p is None:
        raise Http404
    return render(request, "supervision/plan.html", {
        "plan": p, "actions": _actions(PLAN, p, request.user), "history": _history(p, PLAN), "key": p.key, "wf": "plan",
        "draws": p.draws.select_related("item"), "items": p.items.all(), "menu": "plans",
        "can_draw": p.status == "filed" and "unit" in services.unit_kinds(request.user, p.unit_id),
        "risk_labels": rules.RISK_CLASSES, "parks": Party.objects.none(),
        "joint_items": selectors.joinable_items(plan=p),
    })


@login_required
@require_POST
def draw_new(request, pk: int):
    p = _scope(InspectionPlan.objects.select_related("unit"), request).filter(pk=pk).first()
    if p is None:
        raise Http404
    post = request.POST
    filters = {k: post.get(k, "").strip() for k in ("industry", "region", "park", "risk", "grade") if post.get(k)}
    try:
        item = p.items.filter(pk=post.get("item") or 0).first()
        if item is None:
            raise DomainError("请选择抽查事项", field="item")
        per = post.get("per_target", "2")
        joined = [i for i in selectors.joinable_items(plan=p) if str(i.pk) in post.getlist("partner_item")]
        d = services.draw_prepare(plan=p, item=item, actor=request.user, filters=filters,
                                  seed=post.get("seed", "").strip() or None,
                                  per_target=int(per) if per.isdigit() else 0,
                                  partners=[(i.unit, i) for i in joined])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:plan", pk=pk)
    messages.success(request, f"名单已冻结，随机种子已公布：{d.seed}")
    return redirect("supervision:draw", number=d.number)


@login_required
def draw(request, number: str):
    if not _staff(request):
        return _forbidden(request)
    d = Draw.objects.select_related("plan__unit", "item").filter(number=number).first()
    units = {d.plan.unit_id, *d.partners.values_list("unit_id", flat=True)} if d else set()
    if d is None or not (has_role(request.user, "supervisor") or units & set(selectors.unit_ids_of(request.user))):
        raise Http404  # the leading unit and, for a joint draw, every unit joining it
    return render(request, "supervision/draw.html", {
        **_draw_context(d), "actions": _actions(DRAW, d, request.user), "key": d.number, "wf": "draw",
        "history": _history(d, DRAW), "menu": "plans", "staff": True,
        "inspections": d.inspections.select_related("party", "unit").prefetch_related("inspectors").order_by("number"),
    })


def _draw_context(d: Draw) -> dict:
    targets = d.result.get("targets", [])
    names = dict(Party.objects.filter(number__in=[t["candidate"] for t in targets]).values_list("number", "name"))
    rows = [{"uscc": t["candidate"], "name": names.get(t["candidate"], ""), "risk": rules.RISK_CLASSES[t["risk"]],
             "rank": t["rank"], "inspectors": len(t["inspectors"])} for t in targets]
    partners = list(d.partners.select_related("unit", "item"))
    teams = [{"unit": d.plan.unit if n == 0 else partners[n - 1].unit, "count": len(names)}
             for n, (_, names) in enumerate(d.teams)]
    by_risk: dict[str, int] = {}
    for _, risk in d.candidates:
        by_risk[risk] = by_risk.get(risk, 0) + 1
    classes = [{"label": label, "count": by_risk.get(r, 0), "ratio": d.ratios.get(r, "0"),
                "k": rules.quota(by_risk.get(r, 0), d.ratios.get(r, "0"))} for r, label in rules.RISK_CLASSES.items()]
    return {"draw": d, "rows": rows, "classes": classes, "short": d.result.get("short", []), "partners": partners,
            "teams": teams}


# ---------------------------------------------------------------- inspections, tasks, directory


@login_required
def inspection(request, number: str):
    if not _staff(request):
        return _forbidden(request)
    i = _scope(Inspection.objects.select_related("party", "unit", "item", "draw"), request).filter(
        number=number).first()
    if i is None:
        raise Http404
    return render(request, "supervision/inspection.html", {
        "i": i, "actions": _actions(INSPECTION, i, request.user), "key": i.number, "wf": "inspection",
        "history": _history(i, INSPECTION), "menu": "home", "offences": LenientOffence.objects.filter(unit=i.unit, active=True),
        "guidance": Guidance.choices, "violations": Violation.objects.filter(inspection=i),
        "is_unit": "unit" in services.unit_kinds(request.user, i.unit_id),
        "visit": (Inspection.objects.filter(visit=i.visit).exclude(pk=i.pk).select_related("unit", "item")
                  .order_by("number") if i.visit else []),
    })


@login_required
@require_POST
def violation_new(request, number: str):
    i = _scope(Inspection.objects.select_related("party", "unit"), request).filter(number=number).first()
    if i is None:
        raise Http404
    p = request.POST
    try:
        on = date.fromisoformat(p.get("occurred_on", ""))
    except ValueError:
        messages.error(request, "发现日期应为日期（YYYY-MM-DD）")
        return redirect("supervision:inspection", number=number)
    try:
        v = services.violation_record(
            unit=i.unit, party=i.party, offence=LenientOffence.objects.filter(pk=p.get("offence") or 0).first(),
            description=p.get("description", ""), occurred_on=on, minor_harm=p.get("minor_harm") == "on",
            corrected=p.get("corrected") == "on", guidance=p.get("guidance", ""),
            guidance_text=p.get("guidance_text", ""), actor=request.user, inspection=i)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        (messages.success if v.exempted else messages.warning)(request, f"{v.number}：{v.reason}")
    return redirect("supervision:inspection", number=number)


@login_required
def inspection_new(request):
    if not _staff(request):
        return _forbidden(request)
    units = selectors.unit_ids_of(request.user)
    ctx = {"items": CheckItem.objects.filter(unit_id__in=units, active=True),
           "inspectors": Inspector.objects.filter(unit_id__in=units, active=True),
           "basis_kinds": [(k, v) for k, v in rules.BASIS_KINDS.items() if k != "random"], "menu": "new",
           "post": request.POST}
    if request.method == "POST":
        p = request.POST
        item = CheckItem.objects.filter(pk=p.get("item") or 0, unit_id__in=units).first()
        party = Party.objects.filter(number=p.get("uscc", "").strip().upper(), kind="enterprise").first()
        try:
            if item is None:
                raise DomainError("请选择抽查事项", field="item")
            if party is None:
                raise DomainError("未找到该统一社会信用代码的企业", field="uscc")
            insp = services.inspection_open(unit=item.unit, party=party, item=item, actor=request.user,
                                            inspectors=list(Inspector.objects.filter(pk__in=p.getlist("inspectors"))),
                                            basis_kind=p.get("basis_kind", ""), basis=p.get("basis", ""))
        except DomainError as exc:
            ctx["error"] = exc
            return render(request, "supervision/inspection_new.html", ctx, status=exc.status)
        messages.success(request, f"已登记检查 {insp.number}")
        return redirect("supervision:inspection", number=insp.number)
    return render(request, "supervision/inspection_new.html", ctx)


@login_required
def task(request, number: str):
    if not _staff(request):
        return _forbidden(request)
    t = _scope(SupervisionTask.objects.select_related("party", "unit", "approving_unit"), request).filter(
        number=number).first()
    if t is None:
        raise Http404
    return render(request, "supervision/task.html", {"t": t, "actions": _actions(TASK, t, request.user),
                                                     "key": t.number, "wf": "task", "history": _history(t, TASK),
                                                     "menu": "home"})


@login_required
def directory(request):
    if not _staff(request):
        return _forbidden(request)
    keys = ("industry", "region", "park", "risk", "grade")
    filters = {k: request.GET.get(k, "").strip() for k in keys if request.GET.get(k, "").strip()}
    from yiwang.organisations.models import Unit

    return render(request, "supervision/directory.html", {
        "rows": selectors.directory_rows(filters), "filters": filters, "menu": "directory",
        "industries": Party.objects.filter(kind="enterprise").exclude(industry="").values_list(
            "industry", flat=True).distinct().order_by("industry"),
        "parks": Unit.objects.filter(kind="park"), "risks": rules.RISK_CLASSES, "grades": rules.GRADE_LABELS,
    })


# ---------------------------------------------------------------- public pages


def public(request):
    return render(request, "supervision/public.html", {
        "plans": InspectionPlan.objects.filter(status="filed").select_related("unit").prefetch_related("items"),
        "draws": Draw.objects.select_related("plan__unit", "item").prefetch_related("partners__unit",
                                                                                    "partners__item")[:50],
        "results": selectors.published_inspections()[:100],
        "offences": LenientOffence.objects.filter(active=True).select_related("unit"),
    })


def responsibilities(request):
    return render(request, "supervision/responsibilities.html", selectors.responsibility_list())


def public_draw(request, number: str):
    d = Draw.objects.select_related("plan__unit", "item").filter(number=number).first()
    if d is None:
        raise Http404
    check = None
    if request.GET.get("verify") and d.status == "drawn":
        out = rules.draw_from_json(d.document())
        check = {"result_hash": out["result_hash"], "candidates_hash": out["candidates_hash"],
                 "ok": out["result_hash"] == d.result_hash and out["candidates_hash"] == d.candidates_hash}
    return render(request, "supervision/public_draw.html", {**_draw_context(d), "check": check})


def public_draw_document(request, number: str):
    d = Draw.objects.filter(number=number).first()
    if d is None:
        raise Http404
    resp = JsonResponse(d.document(), json_dumps_params={"ensure_ascii": False})
    resp["Content-Disposition"] = f'attachment; filename="{d.number}.json"'
    return resp


def _records_with_repair(party) -> list:
    from django.utils import timezone

    out = list(party.credit_records.select_related("repair").all())
    open_apps = set(RepairApplication.objects.filter(party=party, status="submitted").values_list("record_id",
                                                                                                 flat=True))
    for r in out:
        r.kind_label = rules.CREDIT_KINDS.get(r.kind, r.kind)
        r.applied = r.pk in open_apps
        r.repairable = not r.applied and rules.repair_refusal(
            kind=r.kind, recorded_on=timezone.localdate(r.created_at), today=timezone.localdate(),
            repaired=hasattr(r, "repair")) is None
    return out


@login_required
def mine(request):
    """An enterprise's own page: its inspections, credit records, grade and the commitment path."""
    parties = list(Party.objects.filter(user=request.user, kind="enterprise"))
    cards = []
    for party in parties:
        g = selectors.grade_of(party)
        cards.append({"party": party, "grade": g, "grade_label": rules.GRADE_LABELS[g.grade],
                      "risk": rules.RISK_CLASSES[rules.risk_of(g.grade, credit_rules())],
                      "barred": selectors.commitment_barred(party),
                      "inspections": Inspection.objects.filter(party=party).select_related("unit", "item"),
                      "records": _records_with_repair(party),
                      "kinds": rules.CREDIT_KINDS})
    return render(request, "supervision/mine.html", {"cards": cards, "json": json})


@login_required
def repair(request, number: str):
    if not has_role(request.user, "supervisor"):
        return _forbidden(request)
    a = RepairApplication.objects.select_related("party", "record").filter(number=number).first()
    if a is None:
        raise Http404
    return render(request, "supervision/repair.html", {"a": a, "actions": _actions(REPAIR, a, request.user),
                                                       "key": a.number, "wf": "repair", "menu": "home",
                                                       "history": _history(a, REPAIR),
                                                       "kind": rules.CREDIT_KINDS.get(a.record.kind, a.record.kind)})


@login_required
@require_POST
def repair_apply(request, record: int):
    from yiwang.parties.models import CreditRecord

    rec = CreditRecord.objects.select_related("party").filter(pk=record, party__user=request.user).first()
    if rec is None:
        raise Http404
    try:
        app = services.repair_apply(record=rec, actor=request.user, reason=request.POST.get("reason", ""),
                                    commitment=request.POST.get("commitment") == "on")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已提交信用修复申请 {app.number}，将在 {app.deadline} 前作出决定")
    return redirect("supervision:mine")
