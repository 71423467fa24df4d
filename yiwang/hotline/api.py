from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from yiwang.core.auth import require_user
from yiwang.core.errors import DomainError, NotFound
from yiwang.organisations.models import Region, Unit

from . import selectors, services
from .models import Category

router = Router(tags=["hotline"])


class RequestIn(Schema):
    """Limits are the columns' (hotline.Request)."""

    kind: str = Field(max_length=16)
    channel: str = Field("web", max_length=16)
    category: str = Field(max_length=16)
    region: str = Field("430321", max_length=12)
    title: str = Field(max_length=200)
    content: str = Field(max_length=4000)
    requester_name: str = Field("", max_length=64)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=128)
    anonymous: bool = False
    private: bool = False
    address: str = Field("", max_length=200)
    urgent: bool = False
    demand_items: list[str] = Field([], max_length=50)


class ActionIn(Schema):
    action: str = Field(max_length=32)
    unit: str | None = Field(None, max_length=32)
    reason: str = Field("", max_length=4000)
    reply: str = Field("", max_length=4000)
    level: int | None = None
    article: int | None = None


def _out(r, *, full: bool = False) -> dict:
    data = {"number": r.number, "kind": r.kind, "status": r.status, "status_name": r.get_status_display(),
            "category": r.category.code, "title": r.title, "unit": r.unit.code if r.unit_id else None,
            "received_at": r.received_at, "deadline_at": r.deadline_at, "near_due": r.near_due, "overdue": r.overdue,
            "reply": r.reply if r.status in ("replied", "closed") else "", "closed_at": r.closed_at,
            "tag": selectors.deadline_tag(r)}
    if full:
        data["events"] = [{"action": e.action, "to_status": e.to_status, "at": e.at, "note": e.note}
                          for e in r.events.all()]
    return data


def _unit(code):
    u = Unit.objects.filter(code=code or "").first()
    if u is None:
        raise NotFound(f"unit：单位“{code}”不存在", field="unit")
    return u


@router.post("/requests", summary="提交诉求（公众可匿名提交举报、建议、表扬、咨询）")
def request_create(request, payload: RequestIn):
    category = Category.objects.filter(code=payload.category, active=True).first()
    if category is None:
        raise NotFound(f"category：分类“{payload.category}”不存在", field="category")
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise NotFound(f"region：行政区划“{payload.region}”不存在", field="region")
    actor = request.user if request.user.is_authenticated else None
    channel = payload.channel if actor and services.is_operator(actor) else "web"
    data = payload.dict(exclude={"category", "region", "channel"})
    req = services.request_create(category=category, region=region, channel=channel, actor=actor, **data)
    return {**_out(req), "token": req.token}


@router.get("/requests", summary="工单队列（话务员、督查：全部；单位：本单位）")
def request_list(request, status: str = "", overdue: bool = False):
    user = require_user(request)
    qs = selectors.queue() if services.is_operator(user) else selectors.unit_inbox(user)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue=True)
    return [_out(r) for r in qs[:500]]


@router.get("/requests/{number}", summary="按工单编号查询进度：话务员和承办单位看全部；其他人只看公开信息（举报、求助、"
            "不公开的诉求凭 token）")
def request_detail(request, number: str, token: str = ""):
    user = request.user
    if user.is_authenticated:
        req = services.request_get(number)
        if services.may_see_attachments(user, req):
            return _out(req, full=True)
    req = selectors.public_request(number, token=token)
    if req is None:
        raise NotFound(f"number：工单“{number}”不存在", field="number")
    return selectors.public_view(req, timeline=True)


@router.post("/requests/{number}/actions", summary="工单操作：dispatch sign return dispute arbitrate assign reply visit escalate answer")
def request_action(request, number: str, payload: ActionIn):
    user = require_user(request)
    req = services.request_get(number)
    a = payload.action
    if a == "dispatch":
        req = services.request_dispatch(request=req, actor=user, unit=_unit(payload.unit) if payload.unit else None)
    elif a == "sign":
        req = services.request_sign(request=req, actor=user)
    elif a == "return":
        req = services.request_return(request=req, actor=user, reason=payload.reason)
    elif a == "dispute":
        req = services.request_dispute(request=req, actor=user, note=payload.reason)
    elif a == "arbitrate":
        req = services.request_arbitrate(request=req, actor=user, unit=_unit(payload.unit), note=payload.reason)
    elif a == "assign":
        req = services.request_assign(request=req, actor=user, unit=_unit(payload.unit))
    elif a == "reply":
        req = services.request_reply(request=req, actor=user, reply=payload.reply)
    elif a == "visit":
        req = services.request_visit(request=req, actor=user, level=payload.level, note=payload.reason)
    elif a == "escalate":
        req = services.request_escalate(request=req, actor=user, note=payload.reason)
    elif a == "answer":
        from yiwang.kb.selectors import article_get

        req = services.request_answer(request=req, actor=user, article=article_get(payload.article or 0))
    else:
        raise DomainError(f"action：操作“{a}”不存在", field="action")
    return _out(req)


@router.post("/requests/{number}/attachments", summary="上传附件（PDF/JPG/PNG/OFD，按内容识别；话务员、承办单位或凭查询令牌）")
def attachment_upload(request, number: str, file: File[UploadedFile], token: Form[str] = ""):
    req = services.request_get(number)
    if file.size > services.attachment_max_bytes():
        raise DomainError(f"file：文件超过{services.attachment_max_bytes() // (1024 * 1024)}MB", field="file")
    actor = require_user(request) if request.user.is_authenticated else None  # session: CSRF checked
    att = services.attachment_add(request=req, actor=actor, filename=file.name or "", content=file.read(), token=token)
    return {"id": att.pk, "name": att.name, "kind": att.kind, "size": att.size, "url": f"/hotline/a/{att.pk}/"}


@router.get("/demands/closure", summary="企业诉求办结率（对单销号）")
def demand_closure(request, region: str = ""):
    return selectors.demand_closure(region_code=region or None)
