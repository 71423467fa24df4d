"""Pages: the portal's 惠企政策专区 (list, guide, calculator, my redemptions, a grant's page) and the
issuing unit's workbench (policies, the rule editor with a live count, the list, actions)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yiwang.core.errors import DomainError
from yiwang.core.workflow import available_actions

from . import rules, selectors, services
from .models import Grant, GrantStatus, Policy, PolicyStatus
from .workflow import GRANT_WORKFLOW

# ------------------------------------------------------------------ portal

# A grant's first event is written by the service that creates it, not by a workflow action.
FIRST_EVENTS = {"match": "数据比对，列入拟兑现名单", "case_approved": "申报办件准予兑现，进入拨付"}


def policy_list(request):
    q = request.GET.get("q", "").strip()
    policies = list(selectors.published_policies(q).select_related("issuing_unit"))
    names = selectors.CachedNames()
    rows = [{"p": p, "sentence": selectors.policy_sentence(p, names_fn=names),
             "amount": rules.amount_sentence(p.amount or {})} for p in policies]
    return render(request, "policies/list.html", {
        "rows": rows, "q": q, "is_staff": selectors.is_policy_staff(request.user),
        "enterprises": list(selectors.enterprises_of(request.user)), "bundles": selectors.policy_bundles()})


def _policy_or_404(request, code: str) -> Policy:
    p = Policy.objects.select_related("issuing_unit").filter(code=code).first()
    if p is None or (p.status == PolicyStatus.DRAFT and not (
            request.user.is_authenticated and selectors.can_edit_policy(request.user, p))):
        raise Http404("政策不存在")
    return p


def policy_detail(request, code: str):
    p = _policy_or_404(request, code)
    explanations = []
    for party in selectors.enterprises_of(request.user):
        profile = selectors.profile_of(party.number)
        if profile:
            explanations.append(selectors.explain(p, profile))
    return render(request, "policies/detail.html", {
        "p": p, "sentence": selectors.policy_sentence(p), "amount": rules.amount_sentence(p.amount or {}),
        "explanations": explanations})


def _enterprise_for(request):
    """The enterprise the calculator is for: the signed-in enterprise's own, or (staff, clerks) any."""
    own = list(selectors.enterprises_of(request.user))
    wanted = request.GET.get("enterprise", "").strip().upper()
    if wanted and not any(p.number == wanted for p in own):
        from .api import _may_see_profile

        if not _may_see_profile(request.user, wanted):
            return own, None, "无权查看该企业的档案"
        return own, selectors.profile_of(wanted), ("" if selectors.profile_of(wanted) else "该企业没有一企一档")
    if own:
        return own, selectors.profile_of(own[0].number), ""
    return own, None, ""


@login_required
def calculator(request):
    own, profile, error = _enterprise_for(request)
    result = selectors.calculator(profile) if profile else None
    return render(request, "policies/calculator.html", {
        "own": own, "profile": profile, "result": result, "error": error,
        "can_pick": selectors.is_policy_staff(request.user) or not own})


@login_required
def mine(request):
    grants = Grant.objects.filter(enterprise__user=request.user).select_related("policy", "enterprise") \
        .order_by("-listed_on", "number")
    return render(request, "policies/mine.html", {"grants": grants})


def _grant_or_404(request, number: str) -> Grant:
    g = selectors.grants_for_user(request.user).filter(number=number).first()
    if g is None and request.user.is_authenticated:
        g = Grant.objects.select_related("policy", "enterprise").filter(number=number, status="in_notice").first()
    if g is None:
        raise Http404("兑现记录不存在")
    return g


@login_required
def grant_detail(request, number: str):
    g = _grant_or_404(request, number)
    actions = available_actions(GRANT_WORKFLOW, subject=g, actor=request.user)
    staff = selectors.can_edit_policy(request.user, g.policy) or g.enterprise.user_id == request.user.pk
    explanation = None
    if staff:
        profile = selectors.profile_of(g.enterprise.number)
        explanation = selectors.explain(g.policy, profile) if profile else None
    return render(request, "policies/grant.html", {
        "g": g, "forms": [_action_form(a, g) for a in actions], "wf": GRANT_WORKFLOW,
        "events": [{"at": e.at, "label": FIRST_EVENTS.get(e.action) or GRANT_WORKFLOW.action_label(e.action),
                    "to": GRANT_WORKFLOW.state_label(e.to_status), "reason": e.reason, "deadline": e.deadline} for e in g.events.order_by("seq")],
        "explanation": explanation, "private": staff,
        "is_staff": selectors.is_policy_staff(request.user)})


def _action_form(available, g: Grant) -> dict:
    """An action as its button or its form: each input field with its Chinese title and kind."""
    from datetime import date

    from django.utils import timezone

    defaults = {"amount": g.amount, "paid_on": timezone.localdate().isoformat()}
    fields = []
    for key, info in available.action.input.model_fields.items():
        kind = {bool: "checkbox", date: "date"}.get(info.annotation, "text")
        fields.append({"key": key, "title": info.title or key, "kind": kind, "value": defaults.get(key, "")})
    return {"name": available.name, "label": available.label, "confirm": available.action.confirm,
            "basis": available.action.basis, "fields": fields}


@login_required
@require_POST
def grant_act(request, number: str):
    g = _grant_or_404(request, number)
    data = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "action", "version")}
    if "committed" in request.POST:
        data["committed"] = request.POST.get("committed") == "on"
    elif request.POST.get("action") == "confirm":
        data["committed"] = False
    try:
        version = int(request.POST.get("version") or 0) or None
        services.grant_act(number=g.number, action=request.POST.get("action", ""), actor=request.user,
                           input=data, version=version)
        messages.success(request, f"已{GRANT_WORKFLOW.action_label(request.POST.get('action', ''))}")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("policies:grant", number=g.number)


# ------------------------------------------------------------------ workbench


def _staff_only(request):
    if not selectors.is_policy_staff(request.user):
        return HttpResponseForbidden(render(request, "policies/forbidden.html").content)
    return None


def _counters(policies) -> dict:
    grants = Grant.objects.filter(policy__in=policies)
    return grants.aggregate(
        listed=Count("pk", filter=Q(status=GrantStatus.LISTED)),
        notified=Count("pk", filter=Q(status=GrantStatus.NOTIFIED)),
        notice=Count("pk", filter=Q(status__in=[GrantStatus.CONFIRMED, GrantStatus.IN_NOTICE, GrantStatus.DISPUTED])),
        payable=Count("pk", filter=Q(status=GrantStatus.PAYABLE)),
        overdue=Count("pk", filter=Q(overdue=True)))


@login_required
def workbench(request):
    if (denied := _staff_only(request)) is not None:
        return denied
    policies = selectors.policies_for_staff(request.user).select_related("issuing_unit") \
        .annotate(n_grants=Count("grants")).order_by("status", "-published_on", "code")
    policies = list(policies)
    for p in policies:
        p.guide = selectors.guide_of(p) if p.status == PolicyStatus.PUBLISHED else None
    return render(request, "policies/workbench.html", {
        "policies": policies, "counters": _counters(policies), "stats": selectors.dashboard(policies),
        "can_create": selectors.can_edit_policy(request.user, None)})


@login_required
def workbench_policy(request, code: str):
    if (denied := _staff_only(request)) is not None:
        return denied
    p = selectors.policies_for_staff(request.user).select_related("issuing_unit").filter(code=code).first()
    if p is None:
        raise Http404("政策不存在")
    status = request.GET.get("status", "")
    grants = Grant.objects.filter(policy=p).select_related("enterprise").order_by("number")
    if status:
        grants = grants.filter(status=status)
    return render(request, "policies/workbench_policy.html", {
        "p": p, "sentence": selectors.policy_sentence(p), "amount": rules.amount_sentence(p.amount or {}),
        "grants": grants[:500], "status": status, "statuses": GrantStatus.choices,
        "count": selectors.match_count(p.rule or {"items": []}), "counters": _counters([p]),
        "can_edit": selectors.can_edit_policy(request.user, p),
        "guide": selectors.guide_of(p) if p.status == PolicyStatus.PUBLISHED else None})


@login_required
@require_POST
def workbench_policy_do(request, code: str):
    p = Policy.objects.filter(code=code).first()
    if p is None:
        raise Http404("政策不存在")
    what = request.POST.get("do", "")
    try:
        if what == "publish":
            services.policy_publish(actor=request.user, policy=p)
            messages.success(request, "政策已发布，并已向符合条件的企业推送")
        elif what == "match":
            r = services.policy_match(actor=request.user, policy=p)
            messages.success(request, f"匹配完成：新列入{r['created']}户，名单共{r['total']}户")
        elif what == "guide":
            services.policy_guide_publish(actor=request.user, policy=p)
            messages.success(request, "兑现工作手册与申兑指南已公布")
        elif what == "review":
            n = services.grants_review(actor=request.user, policy=p, numbers=request.POST.getlist("grant"))
            messages.success(request, f"已核定{n}户，并通知企业确认")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("policies:workbench_policy", code=p.code)


# ------------------------------------------------------------------ 快申快享 / 申报兑现 and the 政策兑现专窗


def _application_uploads(request, policy: Policy):
    from yiwang.cases.materials import Upload
    from yiwang.cases.services import max_upload_bytes

    out = []
    for m in policy.implementation.item.materials.all() if policy.implementation_id else []:
        f = request.FILES.get(f"material_{m.pk}")
        if f:
            big = f.size > max_upload_bytes()
            out.append(Upload(m.name, f.name or "", b"" if big else f.read(), f.size))
    return out


def _application_page(request, policy: Policy, enterprise, *, channel: str, template: str, extra: dict):
    """GET: the form as the profile fills it in (read only) and the two asked fields; POST: the case."""
    from yiwang.core.fielderrors import FormErrors

    profile = selectors.profile_of(enterprise.number) if enterprise else None
    values, errors, status = {"bank": "", "account": ""}, FormErrors(), 200
    if request.method == "POST" and enterprise is not None:
        values = {"bank": request.POST.get("bank", ""), "account": request.POST.get("account", "")}
        try:
            case = services.policy_apply(actor=request.user, policy=policy, enterprise=enterprise,
                                         bank=values["bank"], account=values["account"], channel=channel,
                                         materials=_application_uploads(request, policy))
            messages.success(request, f"申报已提交，办件编号 {case.number}（{policy.decide_days}个工作日内作出决定）")
            return redirect(extra.pop("next", None) or "cases:my_case", number=case.number)
        except DomainError as exc:
            names = {f"materials.{m.name}": f"material_{m.pk}" for m in policy.implementation.item.materials.all()} \
                if policy.implementation_id else {}
            errors, status = FormErrors(exc, {"bank": "bank", "account": "account", **names}), 400
    prefilled = services.application_form(profile=profile) if profile else {}
    sources = profile.sources if profile else {}
    rows = [(label, prefilled.get(label, ""), (sources.get(key) or {}).get("source", "一企一档" if key else ""))
            for label, key in services.PROFILE_FORM]
    materials = [(m, f"material_{m.pk}", errors.of(f"material_{m.pk}"))
                 for m in policy.implementation.item.materials.all()] if policy.implementation_id else []
    return render(request, template, {"p": policy, "enterprise": enterprise, "profile": profile, "rows": rows,
                                      "values": values, "errors": errors, "materials": materials, **extra},
                  status=status)


@login_required
def apply(request, code: str):
    """快申快享 / 申报兑现 online: the signed-in enterprise applies; 一企一档's data is not asked again."""
    p = _policy_or_404(request, code)
    if not p.implementation_id or p.status != PolicyStatus.PUBLISHED:
        raise Http404("该政策无需申报（免申即享）")
    own = list(selectors.enterprises_of(request.user))
    wanted = request.POST.get("enterprise") or request.GET.get("enterprise", "")
    enterprise = next((e for e in own if e.number == wanted), own[0] if own else None)
    return _application_page(request, p, enterprise, channel="online", template="policies/apply.html",
                             extra={"own": own})


def _window_clerk(user) -> bool:
    from yiwang.organisations.models import Role
    from yiwang.organisations.selectors import staff_roles

    return user.is_authenticated and (selectors.is_policy_staff(user)
                                      or any(s.role == Role.WINDOW_CLERK for s in staff_roles(user)))


@login_required
def window(request):
    """政策兑现专窗 at the hall: for an enterprise (by USCC), the calculator, its redemptions and its
    applications, and an application made for it at the window."""
    if not _window_clerk(request.user):
        return HttpResponseForbidden(render(request, "policies/forbidden.html").content)
    from yiwang.cases.models import Case

    uscc = (request.GET.get("enterprise") or "").strip().upper()
    profile = selectors.profile_of(uscc) if uscc else None
    ctx = {"uscc": uscc, "profile": profile, "error": "该企业没有一企一档" if uscc and not profile else ""}
    if profile:
        ctx["result"] = selectors.calculator(profile)
        ctx["grants"] = Grant.objects.filter(enterprise=profile.party).select_related("policy").order_by("-listed_on")
        ctx["cases"] = (Case.objects.filter(applicant=profile.party, implementation__policy__isnull=False)
                        .select_related("implementation__policy").order_by("-submitted_at")[:50])
    return render(request, "policies/window.html", ctx)


@login_required
def window_apply(request, code: str):
    if not _window_clerk(request.user):
        return HttpResponseForbidden(render(request, "policies/forbidden.html").content)
    p = _policy_or_404(request, code)
    if not p.implementation_id or p.status != PolicyStatus.PUBLISHED:
        raise Http404("该政策无需申报（免申即享）")
    uscc = (request.POST.get("enterprise") or request.GET.get("enterprise") or "").strip().upper()
    profile = selectors.profile_of(uscc)
    if profile is None:
        raise Http404("该企业没有一企一档")
    return _application_page(request, p, profile.party, channel="window", template="policies/window_apply.html",
                             extra={"next": "cases:workbench_case"})


@login_required
def bundle_apply(request, code: str):
    """政策兑现一件事 online: one application for every policy of the bundle, filled in from 一企一档;
    the materials are checked when the bundle window accepts it."""
    from yiwang.catalogue.models import Bundle
    from yiwang.core.fielderrors import FormErrors

    bundle = Bundle.objects.filter(code=code, members__implementation__policy__isnull=False).distinct().first()
    if bundle is None:
        raise Http404("政策兑现一件事不存在")
    policies = list(Policy.objects.filter(implementation__bundle_members__bundle=bundle).order_by("code"))
    own = list(selectors.enterprises_of(request.user))
    enterprise = own[0] if own else None
    profile = selectors.profile_of(enterprise.number) if enterprise else None
    values, errors, status = {"bank": "", "account": ""}, FormErrors(), 200
    if request.method == "POST" and enterprise is not None:
        values = {"bank": request.POST.get("bank", ""), "account": request.POST.get("account", "")}
        try:
            bc = services.policy_bundle_apply(actor=request.user, bundle_code=code, enterprise=enterprise,
                                              bank=values["bank"], account=values["account"])
            messages.success(request, f"政策兑现一件事已提交，办件编号 {bc.number}，请携带申报材料到一件事专窗受理")
            return redirect("policies:mine")
        except DomainError as exc:
            errors, status = FormErrors(exc, {"bank": "bank", "account": "account"}), 400
    prefilled = services.application_form(profile=profile) if profile else {}
    sources = profile.sources if profile else {}
    rows = [(label, prefilled.get(label, ""), (sources.get(key) or {}).get("source", "一企一档" if key else ""))
            for label, key in services.PROFILE_FORM]
    return render(request, "policies/bundle_apply.html", {
        "bundle": bundle, "policies": policies, "enterprise": enterprise, "rows": rows, "values": values,
        "errors": errors, "materials": []}, status=status)
