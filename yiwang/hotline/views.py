"""Hotline pages: operator console, unit inbox, supervisor views, the public 12345 page."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yiwang.core.errors import DomainError
from yiwang.core.inputs import ascii_int
from yiwang.organisations.models import Region, Unit
from yiwang.organisations.selectors import staff_roles

from . import selectors, services
from .models import Category, Kind, RequestChannel


def _forbidden(request, what: str):
    return HttpResponseForbidden(render(request, "hotline/forbidden.html", {"what": what}).content)


def _leaf_categories():
    return Category.objects.filter(active=True, children__isnull=True).order_by("code")


def _create_from_post(request, *, actor, channel=None):
    p = request.POST
    category = Category.objects.filter(code=p.get("category", ""), active=True).first()
    if category is None:
        raise DomainError("category：请选择诉求分类", field="category")
    region = Region.objects.filter(code=p.get("region") or "430321").first()
    if region is None:
        raise DomainError(f"region：行政区划“{p.get('region')}”不存在", field="region")
    return services.request_create(
        kind=p.get("kind", ""), channel=channel or p.get("channel", "phone"), category=category, region=region,
        title=p.get("title", ""), content=p.get("content", "") or p.get("title", ""), actor=actor,
        requester_name=p.get("requester_name", ""), phone=p.get("phone", ""), anonymous=bool(p.get("anonymous")),
        private=bool(p.get("private")), address=p.get("address", ""), urgent=bool(p.get("urgent")),
        demand_items=[x for x in p.get("demand_items", "").splitlines() if x.strip()],
    )


def _attach_uploads(request, req, *, token: str = "") -> None:
    """Files posted as `files` (multipart) are attached; a refused file is reported, the rest kept."""
    for f in request.FILES.getlist("files")[:10]:
        if f.size > services.attachment_max_bytes():
            messages.error(request, f"附件“{f.name}”超过大小限制，未上传")
            continue
        try:
            services.attachment_add(request=req, actor=request.user, filename=f.name, content=f.read(), token=token)
        except DomainError as exc:
            messages.error(request, f"附件“{f.name}”未上传：{exc.message}")


@login_required
def console(request):
    if not services.is_operator(request.user):
        return _forbidden(request, "热线话务台")
    if request.method == "POST":
        try:
            req = _create_from_post(request, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            _attach_uploads(request, req)
            messages.success(request, f"已受理，工单编号 {req.number}")
            return redirect("hotline:detail", number=req.number)
    queue = list(selectors.queue()[:200])
    for r in queue:
        r.tag = selectors.deadline_tag(r)
    return render(request, "hotline/console.html", {
        "queue": queue, "counters": selectors.counters(), "kinds": Kind.choices,
        "channels": [c for c in RequestChannel.choices if c[0] != "open311"], "categories": _leaf_categories(),
        "closure": selectors.demand_closure(),
    })


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
            raise DomainError("article：请选择知识库文章", field="article")
        article = article_get(article_id)
        req = _create_from_post(request, actor=request.user)
        req = services.request_answer(request=req, actor=request.user, article=article)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("hotline:console")
    messages.success(request, f"工单 {req.number} 已按知识库“{article.title}”答复，即时办结")
    return redirect("hotline:detail", number=req.number)


@login_required
def detail(request, number):
    req = services.request_get(number)
    user = request.user
    units = {s.unit_id for s in staff_roles(user)}
    is_unit = req.unit_id in units or req.lead_unit_id in units
    if not (services.is_operator(user) or is_unit):
        return _forbidden(request, "该工单")
    if request.method == "POST":
        a, p = request.POST.get("action"), request.POST
        try:
            unit = Unit.objects.filter(code=p.get("unit", "")).first()
            if a == "dispatch":
                services.request_dispatch(request=req, actor=user, unit=unit)
            elif a == "sign":
                services.request_sign(request=req, actor=user)
            elif a == "return":
                services.request_return(request=req, actor=user, reason=p.get("reason", ""))
            elif a == "dispute":
                services.request_dispute(request=req, actor=user, note=p.get("reason", ""))
            elif a == "arbitrate":
                services.request_arbitrate(request=req, actor=user, unit=unit, note=p.get("reason", ""))
            elif a == "assign":
                services.request_assign(request=req, actor=user, unit=unit)
            elif a == "reply":
                services.request_reply(request=req, actor=user, reply=p.get("reply", ""))
            elif a == "visit":
                services.request_visit(request=req, actor=user, level=p.get("level"), note=p.get("reason", ""))
            elif a == "escalate":
                services.request_escalate(request=req, actor=user, note=p.get("reason", ""))
            elif a == "merge":
                services.request_merge(request=req, into=services.request_get(p.get("into", "")), actor=user)
            elif a == "close_item":
                item = req.items.get(pk=int(p.get("item", "0")))
                services.demand_item_close(item=item, actor=user, result=p.get("result", ""))
            elif a == "coordinate":
                services.escalation_coordinate(
                    request=req, actor=user, lead_unit=unit, co_units=list(Unit.objects.filter(
                        code__in=p.getlist("co_units"))), joint_deadline=date.fromisoformat(p.get("joint_deadline")),
                    note=p.get("reason", ""))
            elif a == "attach":
                _attach_uploads(request, req)
            elif a == "conclude":
                services.escalation_conclude(request=req, actor=user, outcome=p.get("outcome", ""))
            else:
                raise DomainError("action：未知操作", field="action")
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "输入格式不正确"))
        except Exception as exc:  # noqa: BLE001 - Unit/Item lookups with bad input
            if exc.__class__.__name__ != "DoesNotExist":
                raise
            messages.error(request, "所选对象不存在")
        return redirect("hotline:detail", number=number)
    req = services.request_get(number)
    return render(request, "hotline/detail.html", {
        "r": req, "tag": selectors.deadline_tag(req), "events": req.events.select_related("actor"),
        "items": req.items.all(), "units": Unit.objects.exclude(kind="hotline").order_by("code"),
        "is_operator": services.is_operator(user), "is_supervisor": services.is_supervisor(user),
        "is_unit": is_unit, "duplicates": selectors.request_duplicates(req)[:5],
        "attachments": req.attachments.all(),
    })


@login_required
def inbox(request):
    if not staff_roles(request.user):
        return _forbidden(request, "单位工单")
    rows = list(selectors.unit_inbox(request.user)[:200])
    for r in rows:
        r.tag = selectors.deadline_tag(r)
    return render(request, "hotline/inbox.html", {"rows": rows})


@login_required
def supervise(request):
    if not services.is_supervisor(request.user):
        return _forbidden(request, "督查页面")
    from yiwang.evaluations.selectors import rectifications_visible

    return render(request, "hotline/supervise.html", {
        "overdue": selectors.requests_overdue()[:200], "escalated": selectors.requests_escalated()[:200],
        "arbitration": selectors.queue(statuses=["arbitration"])[:200],
        "rects": rectifications_visible(request.user)[:200], "counters": selectors.counters(),
        "closure": selectors.demand_closure(),
    })


def public(request):
    """12345 网上诉求: submit without an account, track by number."""
    if request.method == "POST":
        try:
            req = _create_from_post(request, actor=None, channel="web")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            _attach_uploads(request, req, token=req.token)
            messages.success(request, f"提交成功，请记住工单编号 {req.number}（本页链接含查询令牌，可查看附件）")
            return redirect(f"/12345/{req.number}/?token={req.token}")
    number = request.GET.get("number", "").strip()
    if number:
        return redirect("hotline:track", number=number)
    return render(request, "hotline/public.html", {"kinds": Kind.choices, "categories": _leaf_categories()})


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
