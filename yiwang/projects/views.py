"""Project pages: the park leader's list of projects with state and warnings, and a project's chart
(统筹图: stages, members, planned vs projected, today's line, critical path) with its actions."""

from __future__ import annotations

import typing
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yiwang.core.errors import DomainError
from yiwang.core.workflow import available_actions

from . import rules, selectors, services
from .workflow import WORKFLOW, event_label, kinds_of

TASK_CHOICES = list(rules.PRE_SERVICES.items())


def _fields(schema) -> list[dict]:
    """An action's input schema as form fields for the generic action form."""
    out = []
    for name, f in schema.model_fields.items():
        ann = f.annotation
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        base = args[0] if args else ann
        kind, choices = "text", []
        if name == "task":
            kind, choices = "select", TASK_CHOICES
        elif base is date:
            kind = "date"
        elif base is int:
            kind = "number"
        out.append({"name": name, "label": f.title or name, "kind": kind, "choices": choices,
                    "required": f.is_required(), "default": "" if f.is_required() or f.default is None else f.default})
    return out


def _project(request, code: str):
    p = selectors.projects_visible(request.user).filter(code=code).first()
    if p is None:
        raise Http404("未找到项目")
    return p


@login_required
def project_list(request):
    qs = selectors.projects_visible(request.user).order_by("park_id", "code")
    projects = list(qs)
    warned = sum(1 for p in projects if p.warning_count)
    cov = selectors.agent_coverage(None if selectors.sees_all(request.user) else selectors.park_ids_of(request.user))
    return render(request, "projects/list.html", {
        "projects": projects, "warned": warned, "leader": selectors.is_park_leader(request.user),
        "cov_with": cov["live.project.key_with_agent"], "cov_key": cov["live.project.key"]})


@login_required
def project_chart(request, code: str):
    p = _project(request, code)
    today = timezone.localdate()
    data = selectors.chart(p, today=today)
    actions = [{"name": a.name, "label": a.label, "confirm": a.action.confirm, "basis": a.action.basis,
                "fields": _fields(a.action.input)}
               for a in available_actions(WORKFLOW, subject=p, actor=request.user) if a.name != "link_case"]
    history = list(p.events.select_related("actor").order_by("seq"))
    for e in history:
        e.action_label = event_label(e.action)
        e.to_status_label = WORKFLOW.state_label(e.to_status)
    # The named agent files as 代办, the enterprise online; the park's officers do not apply themselves.
    fileable = p.status in selectors.OPEN and bool({"agent", "enterprise"} & kinds_of(p, request.user))
    return render(request, "projects/chart.html", {
        "p": p, "today": today, "actions": actions, "history": history, "can_file": fileable,
        "county": rules.COUNTY_TARGET, "national": rules.NATIONAL_TARGET, **data})


@login_required
@require_POST
def project_act(request, code: str):
    p = _project(request, code)
    name = request.POST.get("action", "")
    act_ = WORKFLOW.actions.get(name)
    data = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "action", "version", "confirmed")}
    for f in _fields(act_.input) if act_ else []:
        if data.get(f["name"]) == "" and not f["required"]:
            data.pop(f["name"])
    version = request.POST.get("version", "")
    try:
        if act_ is not None and act_.confirm and not request.POST.get("confirmed"):
            raise DomainError(f"请勾选确认：{act_.confirm}", field="confirmed")
        services.project_act(project=p, action=name, actor=request.user, input=data,
                             version=int(version) if version.isdigit() else None)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{WORKFLOW.action_label(name)}")
    return redirect(reverse("projects:chart", args=[p.code]))


@login_required
@require_POST
def project_file(request, code: str, member: str):
    p = _project(request, code)
    try:
        target = services.project_case_file(project=p, member=member, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已申报，办件编号 {target.number}")
    return redirect(reverse("projects:chart", args=[p.code]))
