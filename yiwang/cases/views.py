"""Pages: the applicant portal (apply, my cases), the window workbench and the approver/head workbench.

Thin: every change goes through services; refusals are shown as messages; a 403 has a Chinese
message. Forms post plain HTML (htmx, where loaded, only swaps the result in)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yiwang.catalogue.models import ItemImplementation, MaterialSource
from yiwang.catalogue.selectors import implementation_get
from yiwang.core.audit import audit_read
from yiwang.core.errors import Conflict, DomainError, Forbidden, NotFound
from yiwang.core.fielderrors import FormErrors
from yiwang.core.inputs import ascii_int
from yiwang.core.redirects import safe_next
from yiwang.organisations.models import Role
from yiwang.organisations.selectors import staff_roles

from . import remote, selectors, services
from .clock import MAX_EXTENSION_DAYS
from .materials import Upload
from .models import CaseStatus, DeliveryMethod
from .workflow import EVENT_LABELS, TERMINAL, WORKFLOW

STAFF_ROLES = (Role.WINDOW_CLERK, Role.APPROVER, Role.DEPARTMENT_HEAD)


def domain_pages(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Forbidden as exc:
            raise PermissionDenied(exc.message)
        except NotFound as exc:
            raise Http404(exc.message)

    return wrapped


def _staff_or_403(user) -> list:
    roles = [s for s in staff_roles(user) if s.role in STAFF_ROLES]
    if not roles:
        raise PermissionDenied("无权访问工作台：仅窗口受理人员、审批人员和部门负责人可以使用")
    return roles


def _applicant_materials(impl: ItemImplementation) -> list:
    return [m for m in impl.item.materials.all() if m.source == MaterialSource.APPLICANT]


def _uploads(request, impl: ItemImplementation) -> list[Upload]:
    """The application's files by their catalogue material; one too large is not read (its size says)."""
    out = []
    for m in _applicant_materials(impl):
        f = request.FILES.get(f"material_{m.pk}")
        if f:
            big = f.size > services.max_upload_bytes()
            out.append(Upload(m.name, f.name or "", b"" if big else f.read(), f.size))
    return out


def _application_inputs(impl: ItemImplementation) -> dict[str, str]:
    """{service field: this form's input}: the form's fields, the materials and the applicant block."""
    names = {f"form.{name}": f"f_{i}" for i, name in enumerate(impl.item.form_fields)}
    names.update({services.material_field(m.name): f"material_{m.pk}" for m in _applicant_materials(impl)})
    names.update({f"applicant.{k}": k for k in ("kind", "number", "name", "phone")})
    names.update({"number": "number", "name": "name", "kind": "kind", "applicant.kind": "kind"})
    return names


def _application_fields(impl: ItemImplementation, values: dict, errors: FormErrors) -> dict:
    """The form's fields and materials as the template draws them, each with its errors."""
    return {
        "fields": [(f"f_{i}", name, values.get(name, ""), errors.of(f"f_{i}"))
                   for i, name in enumerate(impl.item.form_fields)],
        "material_rows": [(m, f"material_{m.pk}", errors.of(f"material_{m.pk}")) for m in _applicant_materials(impl)],
        "errors": errors,
    }


# ---------------------------------------------------------------- applicant portal


@login_required
@domain_pages
def apply(request, impl_code: str):
    """One transaction: the case exists only when the form and every file passed (case_submit)."""
    impl = implementation_get(impl_code)
    parties = list(request.user.parties.all())
    values, errors, status = {}, FormErrors(), 200
    if request.method == "POST":
        party = next((p for p in parties if str(p.pk) == request.POST.get("party")), parties[0] if parties else None)
        values = {name: request.POST.get(f"f_{i}", "") for i, name in enumerate(impl.item.form_fields)}
        try:
            if party is None:
                raise DomainError("您的账号尚未关联办事主体（个人或企业），请到窗口办理或联系管理员")
            case = services.case_submit(actor=request.user, item=impl_code, applicant=party, form=values,
                                        channel="online", materials=_uploads(request, impl))
            messages.success(request, f"申请已提交，办件编号 {case.number}")
            return redirect("cases:my_case", number=case.number)
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            errors, status = FormErrors(exc, _application_inputs(impl)), 400
    ctx = {"impl": impl, "parties": parties, "values": values, "party_pk": request.POST.get("party", ""),
           **_application_fields(impl, values, errors)}
    return render(request, "cases/apply.html", ctx, status=status)


@login_required
def my_cases(request):
    cases = selectors.case_list(user=request.user, mine=True)[:200]
    return render(request, "cases/my_cases.html", {"cases": cases})


def _case_context(request, number: str) -> dict:
    from yiwang.documents.selectors import case_documents

    case = selectors.case_get(number, user=request.user)
    actions = selectors.available(case, request.user)
    return {
        "case": case, "clock": selectors.clock_view(case), "actions": actions,
        "action_names": {a.name for a in actions},
        "labels": EVENT_LABELS, "events": list(case.events.all()),
        "materials": _applicant_materials(case.implementation),
        "tolerable": [m.name for m in _applicant_materials(case.implementation) if m.tolerable],
        "uploaded": {m.name for m in case.materials.all()},
        "kinds": selectors.actor_kinds(case, request.user),
        "documents": case_documents(case),
    }


@login_required
@domain_pages
def my_case(request, number: str):
    from yiwang.evaluations.selectors import case_evaluation

    ctx = _case_context(request, number)
    ctx["evaluation"] = case_evaluation(number)
    ctx["result_licence"] = _result_licence(ctx["case"])
    ctx["withdraw_confirm"] = WORKFLOW.actions["withdraw"].confirm
    return render(request, "cases/my_case.html", ctx)


def _result_licence(case) -> dict | None:
    """The approved case's licence for the applicant's page: its identifier, or pending — the worker
    issues and signs it after the approval's commit (证照生成中 meanwhile)."""
    type_name = (case.implementation.item.result_licence or "").strip()
    if not type_name or case.status not in (CaseStatus.APPROVED, CaseStatus.DELIVERED, CaseStatus.CLOSED):
        return None
    from yiwang.licences.models import Licence

    identifier = (Licence.objects.filter(case_number=case.number).order_by("-version")
                  .values_list("identifier", flat=True).first())
    return {"type": type_name, "identifier": identifier or ""}


# ---------------------------------------------------------------- workbench


@login_required
@domain_pages
def workbench(request):
    if {s.role for s in staff_roles(request.user)} == {Role.SUPERVISOR}:
        return redirect("hotline:supervise")  # the supervisor's view: overdue 办件, dissatisfied callbacks
    roles = _staff_or_403(request.user)
    status = request.GET.get("status", "")
    due = request.GET.get("due", "")
    base = selectors.visible_cases(request.user)
    qs = selectors.case_list(user=request.user, status=status, due=due, q=request.GET.get("q", ""))
    if not status and not due:
        qs = qs.exclude(status__in=[*TERMINAL, CaseStatus.DELIVERED])
    return render(request, "cases/workbench.html", {
        "cases": qs[:200], "counters": selectors.queue_counters(base), "status": status, "due": due,
        "roles": roles, "is_clerk": any(s.role == Role.WINDOW_CLERK for s in roles),
        "statuses": CaseStatus.choices,
    })


@login_required
@domain_pages
def intake(request):
    """Walk-in application at the one window, for any item of any department."""
    roles = _staff_or_403(request.user)
    if not any(s.role == Role.WINDOW_CLERK for s in roles):
        raise PermissionDenied("无权代收件：仅综合窗口受理人员可以代申请人收件")
    impls, remote_impls = remote.intake_choices(roles, on=timezone.localdate())
    code = request.GET.get("item") or request.POST.get("item") or ""
    impl = implementation_get(code) if code else None
    values, errors, status = {}, FormErrors(), 200
    if request.method == "POST" and impl is not None:
        values = {name: request.POST.get(f"f_{i}", "") for i, name in enumerate(impl.item.form_fields)}
        applicant = {k: request.POST.get(k, "").strip() for k in ("kind", "number", "name", "phone")}
        try:
            case = services.case_submit(actor=request.user, item=impl.impl_code, applicant=applicant, form=values,
                                        channel="window", materials=_uploads(request, impl),
                                        **_remote_args(request, impl, roles))
            messages.success(request, f"已收件，办件编号 {case.number}")
            return redirect("cases:workbench_case", number=case.number)
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            errors, status = FormErrors(exc, _application_inputs(impl)), 400
    return render(request, "cases/intake.html", {
        "impls": impls, "impl": impl, "post": request.POST, "remote_impls": remote_impls,
        "remote": impl is not None and impl.region_id not in {s.unit.region_id for s in roles},
        **(_application_fields(impl, values, errors) if impl else {"fields": [], "material_rows": [], "errors": errors}),
    }, status=status)


def _remote_args(request, impl, roles) -> dict:
    """跨域通办: another region's item is taken in for the clerk's own region, with the delivery chosen."""
    if impl.region_id in {s.unit.region_id for s in roles if s.role == Role.WINDOW_CLERK}:
        return {}
    region = next((s.unit.region_id for s in roles if s.role == Role.WINDOW_CLERK), "")
    return {"receiving_region": region, "delivery": request.POST.get("delivery", "")}


@login_required
@domain_pages
def workbench_case(request, number: str):
    _staff_or_403(request.user)
    ctx = _case_context(request, number)
    audit_read(request, object_type="case", object_id=number, subject_user_id=ctx["case"].applicant.user_id)
    ctx["methods"] = DeliveryMethod.choices
    ctx["max_extension"] = MAX_EXTENSION_DAYS
    return render(request, "cases/workbench_case.html", ctx)


def _form_input(p) -> dict:
    """An action form's fields as the action's input (the schema validates them)."""
    data = {
        "tolerate": p.getlist("tolerate"), "paper": p.getlist("paper"), "commitment": p.get("commitment") == "on",
        "procedure": p.get("procedure", ""), "method": p.get("method", ""), "material": p.get("material", ""),
        "opinion": p.get("opinion", ""), "materials": p.getlist("materials"),
    }
    if p.get("days", "").strip():
        days = ascii_int(p["days"])  # anything else goes to the service as it is and is refused there
        data["days"] = days if days is not None else p["days"]
    if p.get("consent") in ("yes", "no"):
        data["consent"] = p["consent"] == "yes"
    return data


# An action form's inputs (workbench_case.html): a refusal at one of them is shown under it.
ACTION_INPUTS = {"materials", "reason", "days", "method", "procedure", "opinion", "consent", "material", "paper", "tolerate",
                 "commitment", "confirm"}


@require_POST
@login_required
@domain_pages
def act(request, number: str):
    p = request.POST
    action = p.get("action", "")
    back = safe_next(request, p.get("next"), f"/workbench/cases/{number}/")
    version = ascii_int(p.get("version"))
    data = _form_input(p)
    try:
        if action == "accept":
            services.case_accept(case=number, actor=request.user, tolerate=data["tolerate"], paper=data["paper"],
                                 commitment=data["commitment"], version=version)
        elif action == "supply_material":
            f = request.FILES.get("file")
            services.case_material_supply(case=number, actor=request.user, name=data["material"],
                                          filename=f.name if f else "", content=f.read() if f else None,
                                          on_paper=p.get("on_paper") == "on", version=version)
        else:
            services.case_act(case=number, actor=request.user, action=action, reason=p.get("reason", ""),
                              data={k: v for k, v in data.items() if v not in ("", []) and k != "commitment"},
                              version=version)
        messages.success(request, f"已{WORKFLOW.action_label(action)}")
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        if back.split("?")[0] == f"/workbench/cases/{number}/" and not isinstance(exc, Conflict):
            return _action_refused(request, number, action, exc)
        messages.error(request, exc.message)
    return redirect(back)


def _action_refused(request, number: str, action: str, exc: DomainError):
    """The workbench page again, the refused action's form with each error at its input and what was
    typed (a 409 goes back to the fresh page instead: what was typed may no longer apply)."""
    _staff_or_403(request.user)
    ctx = _case_context(request, number)
    ctx.update(methods=DeliveryMethod.choices, max_extension=MAX_EXTENSION_DAYS, failed=action,
               action_errors=FormErrors(exc, inputs=ACTION_INPUTS), typed=request.POST)
    return render(request, "cases/workbench_case.html", ctx, status=400)


@require_POST
@login_required
@domain_pages
def upload(request, number: str):
    back = safe_next(request, request.POST.get("next"), f"/me/cases/{number}/")
    f = request.FILES.get("file")
    try:
        if f is None:
            raise DomainError("请选择文件", field="file")
        services.case_material_upload(case=number, actor=request.user, name=request.POST.get("name", ""),
                                      filename=f.name, content=f.read())
        messages.success(request, "材料已上传")
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, exc.message)
    return redirect(back)


@domain_pages
def material_file(request, number: str, pk: int):
    """A material, only for those who may see the case (never a public media URL)."""
    if not request.user.is_authenticated:
        raise PermissionDenied("请先登录后查看材料")
    case = selectors.case_get(number, user=request.user)
    m = next((m for m in case.materials.all() if m.pk == pk), None)
    if m is None:
        raise Http404("材料不存在")
    audit_read(request, object_type="material", object_id=f"{number}/{m.pk}", subject_user_id=case.applicant.user_id,
               detail={"name": m.name})
    from .materials import KINDS

    return FileResponse(m.file.open("rb"), content_type=KINDS.get(m.kind, "application/octet-stream"),
                        filename=m.filename or f"{m.name}.{m.kind}")
