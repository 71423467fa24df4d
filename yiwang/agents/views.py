"""Pages: the grantor's 我的授权 (grant, revoke, fees paid for it, rate the agent), an
authorisation's page, the window clerk's paper-authorisation form, and the agent's workbench (its
parties, its cases, filing for a party, recording a fee). Thin: services and selectors do the work."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yiwang.catalogue.models import ServiceItem
from yiwang.core.errors import DomainError
from yiwang.core.workflow import available_actions

from . import rules, selectors, services
from .models import AuthStatus
from .workflow import ACTION_LABELS, WORKFLOW, kinds_of


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _grant_values(post) -> dict:
    return {"party": post.get("party", ""), "agent": (post.get("agent_other") or post.get("agent", "")).strip(),
            "items": post.getlist("items"), "all_items": post.get("all_items") == "on",
            "valid_from": _date(post.get("valid_from", "")), "valid_until": _date(post.get("valid_until", ""))}


def _defaults() -> dict:
    """A new authorisation's period as the form proposes it: from today, for one year."""
    today = timezone.localdate()
    return {"default_from": today.isoformat(), "default_until": (today + timedelta(days=364)).isoformat()}


def _items():
    return list(ServiceItem.objects.order_by("basic_code").values_list("basic_code", "name"))


@login_required
def mine(request):
    """我的授权: the authorisations the user's parties granted, and the form to grant one."""
    parties = selectors.parties_of(request.user)
    errors, post = {}, request.POST
    if request.method == "POST":
        try:
            auth = services.authorisation_grant(actor=request.user, **_grant_values(post))
            messages.success(request, f"已授权，授权编号 {auth.number}")
            return redirect("agents:mine")
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
    auths = selectors.visible_authorisations(request.user).filter(party__user=request.user)
    return render(request, "agents/mine.html", {
        "parties": parties, "auths": auths, "errors": errors, "post": post, "items": _items(),
        "chosen": set(post.getlist("items")), "agents": selectors.agents_for(parties[0] if parties else None),
        **_defaults()})


@login_required
def detail(request, number: str):
    from django.http import Http404

    from yiwang.core.errors import NotFound

    try:
        auth = selectors.authorisation_get(number, user=request.user)
    except NotFound:
        raise Http404("授权委托不存在") from None
    kinds = kinds_of(auth, request.user)
    return render(request, "agents/detail.html", {
        "a": auth, "in_force": rules.in_force(auth, timezone.localdate()),
        "actions": available_actions(WORKFLOW, subject=auth, actor=request.user),
        "events": [{"e": e, "label": ACTION_LABELS.get(e.action, e.action),
                    "to": WORKFLOW.state_label(e.to_status)} for e in auth.events.order_by("seq")],
        "payments": auth.payments.select_related("case", "case__implementation"),
        "cases": auth.cases.select_related("implementation").order_by("-submitted_at"),
        "rating": getattr(auth, "rating", None) if hasattr(auth, "rating") else None,
        "can_rate": "party" in kinds, "items": dict(_items()), "errors": {}})


@login_required
@require_POST
def act(request, number: str):
    action = request.POST.get("action", "")
    try:
        version = int(request.POST.get("version") or 0) or None
        services.authorisation_act(number=number, actor=request.user, action=action,
                                   input={"reason": request.POST.get("reason", "")}, version=version)
        messages.success(request, f"已{ACTION_LABELS.get(action, action)}")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("agents:detail", number=number)


@login_required
@require_POST
def rate(request, number: str):
    try:
        score = int(request.POST.get("score") or 0)
        services.agent_rate(actor=request.user, authorisation=number, score=score,
                            comment=request.POST.get("comment", ""))
        messages.success(request, "感谢您的评价")
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", "评分应为1到5分"))
    return redirect("agents:detail", number=number)


@login_required
def paper(request):
    """The window clerk records a signed paper authorisation with its scan."""
    if not selectors.is_clerk(request.user):
        raise PermissionDenied("只有综合窗口工作人员可以登记纸质授权委托书")
    errors, post = {}, request.POST
    if request.method == "POST":
        scan = request.FILES.get("scan")
        try:
            auth = services.authorisation_record_paper(
                actor=request.user, **_grant_values(post), filename=scan.name if scan else "",
                content=scan.read() if scan else b"")
            messages.success(request, f"纸质授权书已登记，授权编号 {auth.number}")
            return redirect("agents:detail", number=auth.number)
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
    return render(request, "agents/paper.html", {
        "errors": errors, "post": post, "items": _items(), "chosen": set(post.getlist("items")),
        "agents": selectors.agents_for(None), **_defaults(),
        "recent": selectors.visible_authorisations(request.user).filter(source="paper")[:20]})


@login_required
def workbench(request):
    """The agent's workbench: the parties it acts for now and the cases it filed for them; the team's
    workload for everyone who may see it."""
    user = request.user
    errors, post = {}, request.POST
    if request.method == "POST":
        receipt = request.FILES.get("receipt")
        try:
            p = services.fee_record(actor=user, case=post.get("case", ""), amount=post.get("amount", ""),
                                    purpose=post.get("purpose", ""), paid_on=_date(post.get("paid_on", "")),
                                    receipt_no=post.get("receipt_no", ""), content=receipt.read() if receipt else b"",
                                    filename=receipt.name if receipt else "")
            messages.success(request, f"已登记代缴：办件 {p.case.number}，{p.amount} 元")
            return redirect("agents:workbench")
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
    cases = list(selectors.agent_cases(user)[:200])
    return render(request, "agents/workbench.html", {
        "parties": selectors.authorised_parties(user), "cases": cases, "errors": errors, "post": post,
        "ended": selectors.visible_authorisations(user).filter(agent=user).exclude(status=AuthStatus.GRANTED)[:20],
        "teams": selectors.teams(), "is_clerk": selectors.is_clerk(user), "today": timezone.localdate()})
