"""Hotline pages: operator console, unit inbox, supervisor views, the public 12345 page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yiwang.core.audit import audit_read
from yiwang.core.errors import DomainError, FieldError
from yiwang.core.inputs import ascii_int
from yiwang.evaluations.rules import LEVEL_NAMES
from yiwang.organisations.models import Region, Role
from yiwang.organisations.selectors import staff_roles

from . import selectors, services
from .models import Category, Kind, RequestChannel
from .workflow import WORKFLOW, status_label


def _forbidden(request, what: str):
    return HttpResponseForbidden(render(request, "hotline/forbidden.html", {"what": what}).content)


def _leaf_categories():
    return Category.objects.filter(active=True, children__isnull=True).order_by("code")


FORM_FIELDS = frozenset({"kind", "channel", "category", "requester_name", "phone", "anonymous", "private", "address",
                         "title", "content", "demand_items", "requester", "files"})


PUBLIC_FIELDS = FORM_FIELDS - {"channel", "demand_items", "requester"}


def _form_errors(request, exc: DomainError, fields=FORM_FIELDS) -> dict:
    """Every refusal at its field when the form has that field (the first one per field), the rest above
    the form."""
    out: dict = {}
    for field, message in exc.errors:
        if field in fields:
            out.setdefault(field, message)
        else:
            messages.error(request, message)
    return out


def _create_from_post(request, *, actor, channel=None, requester=None, demand: bool = False):
    p = request.POST
    category = Category.objects.filter(code=p.get("category", ""), active=True).first()
    if category is None:
        raise DomainError("请选择诉求分类", field="category")
    region = Region.objects.filter(code=p.get("region") or "430321").first()
    if region is None:
        raise DomainError(f"行政区划“{p.get('region')}”不存在", field="region")
    items = [x for x in p.get("demand_items", "").splitlines() if x.strip()]
    if requester is None and actor is not None:  # the console: the enterprise an operator named
        requester = services.requester_for(actor=actor, text=p.get("requester", ""), demand=bool(items))
    values = dict(
        kind=p.get("kind", ""), channel=channel or p.get("channel", "phone"), category=category, region=region,
        title=p.get("title", ""), content=p.get("content", "") or p.get("title", ""), actor=actor,
        requester_name=p.get("requester_name", ""), phone=p.get("phone", ""), anonymous=bool(p.get("anonymous")),
        private=bool(p.get("private")), address=p.get("address", ""), urgent=bool(p.get("urgent")),
        demand_items=items)
    if demand:
        values.pop("channel")
        return services.demand_create(enterprise=requester, channel=channel or "web", **values)
    return services.request_create(requester=requester, **values)


def _files_checked(request) -> list[tuple[str, bytes]]:
    """The posted `files`, every one checked (size, name, content) before the request is created: a
    refused file keeps the whole form unsaved, with the reason at the files' field."""
    from yiwang.cases.materials import Upload, upload_problem

    files, errors = [], []
    for f in request.FILES.getlist("files")[:10]:
        big = f.size > services.attachment_max_bytes()
        content = b"" if big else f.read()
        problem = upload_problem(Upload("附件", f.name or "", content, f.size),
                                 max_bytes=services.attachment_max_bytes())
        if problem:
            errors.append(FieldError("files", f"附件“{(f.name or '')[:60]}”：{problem[1]}"))
        files.append((f.name or "", content))
    if errors:
        raise DomainError("", errors=errors)
    return files


def _attach_uploads(request, req, files: list[tuple[str, bytes]], *, token: str = "") -> None:
    for name, content in files:
        services.attachment_add(request=req, actor=request.user, filename=name, content=content, token=token)




@login_required
def console(request):
    if not services.is_operator(request.user):
        return _forbidden(request, "热线话务台")
    errors: dict = {}
    refused = False
    if request.method == "POST":
        try:
            files = _files_checked(request)  # before anything is created
            req = _create_from_post(request, actor=request.user)
            _attach_uploads(request, req, files)
        except DomainError as exc:
            errors = _form_errors(request, exc)
            refused = True
        else:
            messages.success(request, f"已受理，工单编号 {req.number}")
            return redirect("hotline:detail", number=req.number)
    queue = _with_actions(selectors.queue()[:200], request.user)
    return render(request, "hotline/console.html", {
        "queue": queue, "counters": selectors.counters(), "kinds": Kind.choices,
        "channels": [c for c in RequestChannel.choices if c[0] != "open311"], "categories": _leaf_categories(),
        "closure": selectors.demand_closure(), "errors": errors, "v": request.POST if refused else {},
    }, status=400 if refused else 200)


@login_required
def enterprise_suggest(request):
    """The console's enterprise search: options for the 诉求企业 field, by name or code."""
    if not services.is_operator(request.user):
        return _forbidden(request, "企业查询")
    q = request.GET.get("requester", "") or request.GET.get("q", "")
    return render(request, "hotline/_enterprise_options.html", {"hits": selectors.enterprises_matching(q)})


@login_required
def kb_suggest(request):
    if not services.is_operator(request.user):
        return _forbidden(request, "知识库")
    from yiwang.kb.selectors import kb_search

    q = request.GET.get("title", "") or request.GET.get("q", "")
    return render(request, "hotline/_suggestions.html", {"hits": kb_search(q, limit=5) if q.strip() else []})


@login_required
@require_POST
def answer_now(request):
    """The operator picked an article: the consultation is recorded and closed on the spot."""
    if not services.is_operator(request.user):
        return _forbidden(request, "即时办结")
    from yiwang.kb.selectors import article_get

    try:
        article_id = ascii_int(request.POST.get("article"))
        if article_id is None:
            raise DomainError("请选择知识库文章", field="article")
        article = article_get(article_id)
        req = _create_from_post(request, actor=request.user)
        req = services.request_answer(request=req, actor=request.user, article=article)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("hotline:console")
    messages.success(request, f"工单 {req.number} 已按知识库“{article.title}”答复，即时办结")
    return redirect("hotline:detail", number=req.number)


# --- the request page: exactly the actions the engine would accept, as forms -------------------------

STAFF_KINDS = {"operator", "supervisor", "unit", "lead", "co_unit"}
TEXTAREAS = {"reply", "outcome"}


def _widget(name: str, info, ctx: dict) -> dict:
    """How a page asks for one input field of an action (a select where the choice is among known rows)."""
    w = {"name": name, "title": info.title or name, "required": info.is_required(), "kind": "text", "options": []}
    if name in ("unit", "lead_unit", "co_units"):
        w["kind"] = "multi" if name == "co_units" else "select"
        w["options"] = [(u.code, u.name) for u in ctx["units"]]
    elif name == "level":
        w["kind"], w["options"] = "select", [(str(k), v) for k, v in LEVEL_NAMES.items()]
    elif name == "into" and ctx["duplicates"]:
        w["kind"], w["options"] = "select", [(d.number, f"{d.number} {d.title}") for d in ctx["duplicates"]]
    elif name == "joint_deadline":
        w["kind"] = "date"
    elif name == "article":
        w["kind"] = "number"
    elif name in TEXTAREAS:
        w["kind"] = "textarea"
    return w


def _action_forms(req, available, ctx: dict) -> list[dict]:
    """One form per available action; close_item and attach are offered next to the items and files."""
    forms = []
    for a in available:
        if a.name in ("close_item", "attach"):
            continue
        fields = [_widget(n, f, ctx) for n, f in a.action.input.model_fields.items()]
        forms.append({"name": a.name, "label": a.label, "confirm": a.action.confirm, "fields": fields,
                      "basis": a.action.basis,
                      "selected": req.proposed_unit.code if a.name == "dispatch" and req.proposed_unit_id else ""})
    return forms


def _input_from_post(action_name: str, post) -> dict:
    schema = WORKFLOW.actions[action_name].input
    data = {}
    for name, info in schema.model_fields.items():
        if name in post:
            data[name] = post.getlist(name) if "list" in str(info.annotation) else post.get(name)
    return data


def _act_from_post(request, req) -> None:
    a, p = request.POST.get("action", ""), request.POST
    act = WORKFLOW.actions.get(a)
    if act is None or act.system_only:
        raise DomainError("未知的操作", field="action")
    if act.confirm and not p.get("confirm"):
        raise DomainError(f"请勾选确认后再{act.label}", field="confirm")
    if a == "attach":
        _attach_uploads(request, req, _files_checked(request))
        messages.success(request, "附件已上传")
        return
    version = int(p["version"]) if p.get("version", "").isdigit() else None
    services.request_act(request=req, action=a, actor=request.user, input=_input_from_post(a, p), version=version)
    messages.success(request, f"已{act.label}")


def _back(request, number):
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("hotline:detail", number=number)


@login_required
def detail(request, number):
    req = services.request_get(number)
    user = request.user
    if not services.kinds_of(user, req) & STAFF_KINDS:
        return _forbidden(request, "该工单")
    if request.method == "POST":
        try:
            _act_from_post(request, req)
        except DomainError as exc:
            messages.error(request, exc.message)
        return _back(request, number)
    req = services.request_get(number)
    if req.requester_name or req.phone or req.requester_id:  # the page shows who called
        audit_read(request, object_type="request", object_id=req.number)
    available = services.actions_for(req, user)
    names = {a.name for a in available}
    ctx = {"units": selectors.dispatch_units(req.region_id),
           "duplicates": list(selectors.request_duplicates(req)[:5]) if "merge" in names else []}
    return render(request, "hotline/detail.html", {
        "r": req, "tag": selectors.deadline_tag(req), "events": req.events.select_related("actor", "unit"),
        "items": req.items.all(), "forms": _action_forms(req, available, ctx), "can_close_item": "close_item" in names,
        "can_attach": "attach" in names, "attachments": req.attachments.all(),
        "status_label": status_label(req.status),
    })


def _with_actions(rows, user) -> list:
    """Each queue row carries the actions its viewer may take (the same list as the request page)."""
    rows = list(rows)
    for r in rows:
        r.tag = selectors.deadline_tag(r)
        r.actions = [a for a in services.actions_for(r, user) if a.name != "attach"]
    return rows


@login_required
def inbox(request):
    if not staff_roles(request.user):
        return _forbidden(request, "单位工单")
    rows = _with_actions(selectors.unit_inbox(request.user)[:200], request.user)
    return render(request, "hotline/inbox.html", {"rows": rows})


@login_required
def supervise(request):
    if not services.is_supervisor(request.user):
        return _forbidden(request, "督查页面")
    from yiwang.cases.selectors import cases_overdue_in
    from yiwang.evaluations.selectors import rectifications_visible
    from yiwang.organisations.selectors import region_subtree_codes

    regions = sorted({c for s in staff_roles(request.user) for c in region_subtree_codes(s.unit.region_id)})
    return render(request, "hotline/supervise.html", {
        "dissatisfied": selectors.dissatisfied_callbacks()[:200],
        "cases_overdue": cases_overdue_in(regions)[:200],
        "overdue": _with_actions(selectors.requests_overdue()[:200], request.user),
        "escalated": _with_actions(selectors.requests_escalated()[:200], request.user),
        "arbitration": _with_actions(selectors.queue(statuses=["arbitration"])[:200], request.user),
        "rects": rectifications_visible(request.user)[:200], "counters": selectors.counters(),
        "closure": selectors.demand_closure(),
    })


def public(request):
    """12345 网上诉求: submit without an account, track by number."""
    errors: dict = {}
    refused = False
    if request.method == "POST":
        try:
            files = _files_checked(request)  # before anything is created
            req = _create_from_post(request, actor=None, channel="web")
            _attach_uploads(request, req, files, token=req.token)
        except DomainError as exc:
            errors = _form_errors(request, exc, PUBLIC_FIELDS)
            refused = True
        else:
            return _submitted(request, req)
    number = request.GET.get("number", "").strip()
    if number:
        return redirect("hotline:track", number=number)
    return render(request, "hotline/public.html", {
        "kinds": Kind.choices, "categories": _leaf_categories(), "errors": errors,
        "v": request.POST if refused else {}}, status=400 if refused else 200)


def _submitted(request, req):
    messages.success(request, f"提交成功，请记住工单编号 {req.number}（本页链接含查询令牌，可查看附件）")
    return redirect(f"/12345/{req.number}/?token={req.token}")


@login_required
def demand(request):
    """企业诉求 under 我要反映: an enterprise's account files a demand of one or more items."""
    enterprises = selectors.own_enterprises(request.user)
    if not enterprises:
        return _forbidden(request, "企业诉求（请使用关联了企业的账号登录；个人诉求请到“群众诉求”提交）")
    errors: dict = {}
    refused = False
    if request.method == "POST":
        try:
            enterprise = services.requester_for(actor=request.user, text=request.POST.get("requester", ""),
                                                demand=True)
            files = _files_checked(request)  # before anything is created
            req = _create_from_post(request, actor=None, channel="web", requester=enterprise, demand=True)
            _attach_uploads(request, req, files, token=req.token)
        except DomainError as exc:
            errors = _form_errors(request, exc)
            refused = True
        else:
            return _submitted(request, req)
    return render(request, "hotline/demand.html", {
        "kinds": [k for k in Kind.choices if k[0] != "praise"], "categories": _leaf_categories(),
        "enterprises": enterprises, "errors": errors,
        "v": request.POST if refused else {"category": "0501", "kind": "help", "phone": enterprises[0].phone}},
        status=400 if refused else 200)


def track(request, number):
    """The public tracking page: the public view only (selectors.public_view); with the request's token
    (its requester) also a non-public request and its attachments."""
    token = request.GET.get("token", "")
    req = selectors.public_request(number, token=token)
    own = bool(req and token and services.may_see_attachments(None, req, token=token))
    return render(request, "hotline/track.html", {
        "v": selectors.public_view(req, timeline=True) if req else None, "number": number,
        "token": token if own else "", "attachments": req.attachments.all() if own else []},
        status=200 if req else 404)


def attachment(request, pk: int):
    """An attachment, only to the hotline, the handling units, or with the request's token."""
    from .models import Attachment

    att = Attachment.objects.select_related("request").filter(pk=pk).first()
    if att is None:
        raise Http404("附件不存在")
    if not services.may_see_attachments(request.user, att.request, token=request.GET.get("token", "")):
        return _forbidden(request, "该附件")
    resp = FileResponse(att.file.open("rb"), content_type=services.ATTACHMENT_KINDS.get(att.kind,
                                                                                        "application/octet-stream"))
    resp["Content-Disposition"] = "inline"
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp


BULLETIN_ROLES = {Role.LEADER, Role.SUPERVISOR, Role.HOTLINE_OPERATOR}


def _bulletin_codes(user) -> tuple[list, list[str]] | None:
    """The viewer's bulletin roles and the region codes they read (their units' region subtrees)."""
    from yiwang.organisations.selectors import region_subtree_codes

    roles = [s for s in staff_roles(user) if s.role in BULLETIN_ROLES]
    if not roles:
        return None
    return roles, sorted({c for s in roles for c in region_subtree_codes(s.unit.region_id)})


@login_required
def bulletin(request):
    """12345 简报: a day's, week's or month's figures of the viewer's region, as a page, Excel or PDF,
    and the editions the worker issued."""
    from datetime import date

    from django.http import HttpResponse
    from django.utils import timezone

    from . import rules
    from .bulletin import bulletin as figures
    from .bulletin import bulletin_pdf, bulletin_xlsx, summary_rows
    from .editions import editions_visible

    got = _bulletin_codes(request.user)
    if got is None:
        return _forbidden(request, "12345简报（领导、督查人员和热线话务员可以查看）")
    roles, codes = got
    editions = editions_visible(codes)
    kind = request.GET.get("period", "week")
    try:
        day = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else timezone.localdate()
        period = rules.bulletin_period(kind, day)
    except ValueError:
        return render(request, "hotline/bulletin.html", {"error": "请选择日报、周报或月报，日期格式如 2026-03-02",
                                                         "periods": rules.BULLETIN_PERIODS, "editions": editions},
                      status=400)
    regions = {s.unit.region for s in roles}
    b = figures(period, region_codes=codes, scope="、".join(sorted(r.name for r in regions)))
    fmt = request.GET.get("format", "")
    name = f"12345_{kind}_{period.start:%Y%m%d}"
    if fmt in ("xlsx", "pdf"):
        data, ctype = ((bulletin_xlsx(b), XLSX) if fmt == "xlsx" else (bulletin_pdf(b), "application/pdf"))
        resp = HttpResponse(data, content_type=ctype)
        resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return resp
    return render(request, "hotline/bulletin.html", {
        "b": b, "summary": summary_rows(b), "periods": rules.BULLETIN_PERIODS, "kind": kind, "editions": editions,
        "day": day.isoformat(), "prev": period.previous().start.isoformat(), "next": period.end.isoformat()})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def bulletin_edition(request, pk: int, fmt: str):
    """An issued edition's PDF or Excel file, as generated (only for a region the viewer reads)."""
    from django.http import Http404, HttpResponse

    from .models import BulletinEdition

    got = _bulletin_codes(request.user)
    if got is None:
        return _forbidden(request, "12345简报（领导、督查人员和热线话务员可以查看）")
    edition = BulletinEdition.objects.filter(pk=pk, region_id__in=got[1]).first()
    if edition is None or fmt not in ("pdf", "xlsx"):
        raise Http404("没有这一期简报")
    data = bytes(edition.pdf if fmt == "pdf" else edition.xlsx)
    resp = HttpResponse(data, content_type="application/pdf" if fmt == "pdf" else XLSX)
    name = f"12345_{edition.kind}_{edition.start:%Y%m%d}_{edition.region_id}.{fmt}"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    resp["Cache-Control"] = "private, no-store"
    return resp
