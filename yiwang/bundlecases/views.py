"""Pages: apply for a bundle online, the applicant's one case (one form, one checklist, one progress
bar), the bundle window's queue, walk-in intake and case page. Thin: services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yiwang.cases import selectors as case_selectors
from yiwang.cases import views as case_views
from yiwang.catalogue.models import Bundle
from yiwang.catalogue.selectors import bundle_get, bundle_view
from yiwang.core.errors import DomainError, Forbidden
from yiwang.core.inputs import ascii_int
from yiwang.core.redirects import safe_next
from yiwang.parties.models import Party

from . import selectors, services
from . import workflow as W
from .models import BundleCaseStatus

domain_pages = case_views.domain_pages


def _form_fields(bundle: Bundle, values: dict) -> list[tuple[str, str, str, list[str]]]:
    view = bundle_view(bundle)
    names = {m.pk: m.implementation.name for m in view.members}
    return [(f"f_{i}", f.name, values.get(f.name, ""), [names[x] for x in f.members])
            for i, f in enumerate(view.merged_form)]


def _posted_form(request, bundle: Bundle) -> dict:
    return {f.name: request.POST.get(f"f_{i}", "") for i, f in enumerate(bundle_view(bundle).merged_form)}


def _posted_uploads(request, bundle: Bundle) -> list[tuple[str, str, bytes]]:
    """The files posted for the asked materials (input m_<i>: the i-th merged material)."""
    out = []
    for i, m in enumerate(bundle_view(bundle).merged_materials):
        f = request.FILES.get(f"m_{i}")
        if f is not None and m.asked_of_applicant:
            out.append((m.name, f.name, f.read()))
    return out


def _checklist(bundle: Bundle) -> list[dict]:
    view = bundle_view(bundle)
    names = {m.pk: m.implementation.name for m in view.members}
    rows = []
    for i, m in enumerate(view.merged_materials):
        if m.produced_by is not None:
            how = f"由本一件事中的“{names[m.produced_by]}”产生，无需提交"
        elif m.source == "licence":
            how = "从电子证照库调取，无需提交"
        elif m.source == "data":
            how = "通过数据共享获取，无需提交"
        else:
            how = "需提交" + ("（可容缺）" if m.tolerable else "")
        rows.append({"key": f"m_{i}", "name": m.name, "how": how, "asked": m.asked_of_applicant, "required": m.required,
                     "tolerable": m.tolerable, "members": [names[x] for x in m.members]})
    return rows


# ---------------------------------------------------------------- applicant


@login_required
@domain_pages
def apply(request, code: str):
    bundle = bundle_get(code)
    parties = list(request.user.parties.all())
    values: dict = {}
    if request.method == "POST":
        party = next((p for p in parties if str(p.pk) == request.POST.get("party")), parties[0] if parties else None)
        values = _posted_form(request, bundle)
        if party is None:
            messages.error(request, "您的账号尚未关联办事主体（个人或企业），请到一件事专窗办理")
        else:
            try:
                uploads = _posted_uploads(request, bundle)
                bc = services.bundle_case_submit(actor=request.user, bundle=code, applicant=party, form=values,
                                                 channel="online", uploads=uploads)
                messages.success(request, f"一件事申请已提交，办件编号 {bc.number}。" + (
                    "已上传的材料无需再交纸质件，请等待一件事专窗受理。" if uploads else "请携带需提交的材料到一件事专窗受理。"))
                return redirect("bundlecases:my_case", number=bc.number)
            except DomainError as exc:
                if isinstance(exc, Forbidden):
                    raise
                messages.error(request, exc.message)
    view = bundle_view(bundle)
    return render(request, "bundlecases/apply.html", {
        "bundle": bundle, "parties": parties, "fields": _form_fields(bundle, values), "checklist": _checklist(bundle),
        "layers": [[m.implementation.name for m in layer] for layer in view.layers],
    })


@login_required
def my_cases(request):
    """The applicant's cases: each bundle case once (its children grouped under it), then single cases."""
    bundle_cases = list(selectors.bundle_cases_of_user(request.user)[:100])
    views = [selectors.bundle_case_view(bc) for bc in bundle_cases]
    singles = case_selectors.case_list(user=request.user, mine=True).exclude(
        pk__in=selectors.child_case_ids())[:200]
    return render(request, "bundlecases/my_cases.html", {"bundle_views": views, "cases": singles})


@login_required
@domain_pages
def my_case(request, number: str):
    """A bundle case number shows the one bundle page; any other number is a single case."""
    if not selectors.is_bundle_case_number(number):
        return case_views.my_case(request, number)
    from yiwang.evaluations.selectors import case_evaluation

    bc = selectors.bundle_case_get(number, user=request.user)
    return render(request, "bundlecases/my_case.html", {"v": selectors.bundle_case_view(bc, user=request.user),
                                                        "labels": W.EVENT_LABELS,
                                                        "evaluation": case_evaluation(number, kind="bundle"),
                                                        "withdraw_confirm": W.WORKFLOW.actions["withdraw"].confirm})


# ---------------------------------------------------------------- the bundle window


def _clerk_or_403(request) -> None:
    if not selectors._bundle_windows(request.user):
        raise PermissionDenied("无权访问一件事专窗：仅一件事一次办专窗受理人员可以使用")


@login_required
@domain_pages
def workbench(request):
    _clerk_or_403(request)
    status = request.GET.get("status", "")
    qs = selectors.bundle_queue(request.user, status=status)
    base = selectors.bundle_queue(request.user)
    counters = {s: base.filter(status=s).count() for s in BundleCaseStatus.values}
    if not status:
        qs = qs.exclude(status__in=[BundleCaseStatus.COMPLETED, BundleCaseStatus.WITHDRAWN])
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(applicant__name__icontains=q))
    return render(request, "bundlecases/workbench.html", {"cases": qs[:200], "counters": counters, "status": status,
                                                          "statuses": BundleCaseStatus.choices})


@login_required
@domain_pages
def intake(request):
    """Walk-in application for a whole bundle at the bundle window (一窗受理)."""
    _clerk_or_403(request)
    regions = {s.unit.region_id for s in selectors._bundle_windows(request.user)}
    bundles = list(Bundle.objects.filter(active=True, region_id__in=regions).order_by("code"))
    code = request.GET.get("bundle") or request.POST.get("bundle") or ""
    bundle = bundle_get(code) if code else None
    values: dict = {}
    applicant = {"kind": request.POST.get("kind", "enterprise"), "number": request.POST.get("number", ""),
                 "name": request.POST.get("name", ""), "phone": request.POST.get("phone", "")}
    if request.method == "POST" and bundle is not None:
        values = _posted_form(request, bundle)
        try:
            existing = Party.objects.filter(number=applicant["number"].strip().upper()).first()
            bc = services.bundle_case_submit(actor=request.user, bundle=bundle.code,
                                             applicant=existing or applicant, form=values, channel="window")
            messages.success(request, f"已收件，办件编号 {bc.number}，请核验材料后受理")
            return redirect("bundlecases:workbench_case", number=bc.number)
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            messages.error(request, exc.message)
    return render(request, "bundlecases/intake.html", {
        "bundles": bundles, "bundle": bundle, "applicant": applicant,
        "fields": _form_fields(bundle, values) if bundle else [], "checklist": _checklist(bundle) if bundle else [],
    })


@login_required
@domain_pages
def workbench_case(request, number: str):
    bc = selectors.bundle_case_get(number, user=request.user)
    v = selectors.bundle_case_view(bc, user=request.user)
    return render(request, "bundlecases/workbench_case.html", {
        "v": v, "labels": W.EVENT_LABELS, "fields": _form_fields(bc.bundle, bc.form),
        "withdraw_confirm": W.WORKFLOW.actions["withdraw"].confirm,
        "collect_confirm": W.WORKFLOW.actions["collect"].confirm, "staff_page": True,
        "is_clerk": selectors.is_bundle_clerk(request.user, bc.bundle),
    })


@login_required
@require_POST
@domain_pages
def act(request, number: str):
    bc = selectors.bundle_case_get(number, user=request.user)
    action = request.POST.get("action", "")
    version = request.POST.get("version")
    data: dict = {"paper": request.POST.getlist("paper"), "tolerate": request.POST.getlist("tolerate"),
                  "material": request.POST.get("material", ""), "on_paper": request.POST.get("on_paper") == "on"}
    f = request.FILES.get("file")
    if f is not None:
        data["file"] = (f.name, f.read())
    if action == "resume":
        data["form"] = _posted_form(request, bc.bundle)
    try:
        services.bundle_case_act(bundle_case=number, actor=request.user, action=action, data=data,
                                 reason=request.POST.get("reason", ""),
                                 version=ascii_int(version))
        messages.success(request, f"已{W.WORKFLOW.action_label(action)}")
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, exc.message)
    nxt = safe_next(request, request.POST.get("next"), "")
    return redirect(nxt) if nxt else redirect("bundlecases:my_case", number=number)
