from datetime import datetime

from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from yiwang.core.auth import require_user
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.workflow.api import ERRORS, action_routes
from yiwang.organisations.models import Region

from . import selectors, services
from .models import Category
from .workflow import WORKFLOW

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
    demand_items: list[str] = Field([], max_length=50, description="企业诉求事项，每项逐一办理、逐项销号")
    requester: str = Field("", max_length=128, description="诉求企业：统一社会信用代码或企业名称（话务员代企业登记；"
                           "企业账号关联多家企业时指定）")


class ActionIn(Schema):
    """The older single operation: the action's name and whichever of its inputs it needs."""

    action: str = Field(max_length=32)
    unit: str | None = Field(None, max_length=32)
    reason: str = Field("", max_length=4000)
    reply: str = Field("", max_length=4000)
    level: int | None = None
    article: int | None = None
    version: int | None = None


class ActionOut(Schema):
    name: str
    label: str
    needs_input: bool
    confirm: str = ""


class RequestOut(Schema):
    number: str
    kind: str
    status: str
    status_name: str
    category: str
    title: str
    unit: str | None = None
    received_at: datetime
    deadline_at: datetime | None = None
    deadline_provisional: bool = False
    near_due: bool
    overdue: bool
    reply: str = ""
    closed_at: datetime | None = None
    tag: str = ""
    version: int
    actions: list[ActionOut] = []


def _out(r, *, full: bool = False) -> dict:
    data = {"number": r.number, "kind": r.kind, "status": r.status, "status_name": r.get_status_display(),
            "category": r.category.code, "title": r.title, "unit": r.unit.code if r.unit_id else None,
            "received_at": r.received_at, "deadline_at": r.deadline_at, "near_due": r.near_due, "overdue": r.overdue,
            "reply": r.reply if r.status in ("replied", "closed") else "", "closed_at": r.closed_at,
            "tag": selectors.deadline_tag(r)}
    if full:
        data["events"] = [{"action": e.action, "to_status": e.to_status, "at": e.at, "note": e.reason}
                          for e in r.events.all()]
    return data


def _actions(r, user) -> list[dict]:
    """Exactly what the engine would accept from this user now (inputs aside)."""
    return [{"name": a.name, "label": a.label, "needs_input": a.needs_input, "confirm": a.action.confirm}
            for a in services.actions_for(r, user)]


def _staff_out(request, r) -> dict:
    return {**_out(r), "deadline_provisional": r.deadline_provisional, "version": r.version,
            "actions": _actions(r, request.user)}


@router.post("/requests", response={200: dict, **ERRORS}, summary="提交诉求（公众可匿名提交举报、建议、表扬、咨询；"
             "企业账号或话务员可提交企业诉求 demand_items）")
def request_create(request, payload: RequestIn):
    category = Category.objects.filter(code=payload.category, active=True).first()
    if category is None:
        raise NotFound(f"分类“{payload.category}”不存在", field="category")
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise NotFound(f"行政区划“{payload.region}”不存在", field="region")
    actor = request.user if request.user.is_authenticated else None
    channel = payload.channel if actor and services.is_operator(actor) else "web"
    requester = services.requester_for(actor=actor, text=payload.requester, demand=bool(payload.demand_items))
    data = payload.dict(exclude={"category", "region", "channel", "requester"})
    req = services.request_create(category=category, region=region, channel=channel, actor=actor,
                                  requester=requester, **data)
    return {**_out(req), "token": req.token}


@router.get("/requests", summary="工单队列（话务员、督查：全部；单位：本单位）")
def request_list(request, status: str = "", overdue: bool = False):
    user = require_user(request)
    qs = selectors.queue() if services.is_operator(user) else selectors.unit_inbox(user)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue=True)
    return [_staff_out(request, r) for r in qs[:500]]


@router.get("/requests/{number}", summary="按工单编号查询进度：话务员和承办单位看全部；其他人只看公开信息（举报、求助、"
            "不公开的诉求凭 token）")
def request_detail(request, number: str, token: str = ""):
    user = request.user
    if user.is_authenticated:
        req = services.request_get(number)
        if services.may_see_attachments(user, req):
            return {**_staff_out(request, req), **_out(req, full=True)}
    req = selectors.public_request(number, token=token)
    if req is None:
        raise NotFound(f"工单“{number}”不存在", field="number")
    return selectors.public_view(req, timeline=True)


@router.post("/requests/{number}/actions", response={200: RequestOut},
             summary="工单操作（旧接口，请改用每个操作各自的接口 /requests/{number}/{action}）")
def request_action(request, number: str, payload: ActionIn):
    user = require_user(request)
    data = payload.dict(exclude={"action", "version"}, exclude_none=True)
    req = services.request_act(request=services.request_get(number), action=payload.action, actor=user,
                               input=data, version=payload.version)
    return _staff_out(request, req)


# One operation per action (POST /requests/{number}/dispatch, /sign, /return …), each with its own input.
action_routes(router, WORKFLOW, path="/requests/{number}", out=RequestOut, respond=_staff_out,
              auth_user=require_user, load=lambda request, number: services.request_get(number),
              exclude=frozenset({"create", "attach"}))


@router.post("/requests/{number}/attachments", summary="上传附件（PDF/JPG/PNG/OFD，按内容识别；话务员、承办单位或凭查询令牌）")
def attachment_upload(request, number: str, file: File[UploadedFile], token: Form[str] = ""):
    req = services.request_get(number)
    if file.size > services.attachment_max_bytes():
        raise DomainError(f"文件超过{services.attachment_max_bytes() // (1024 * 1024)}MB", field="file")
    actor = require_user(request) if request.user.is_authenticated else None  # session: CSRF checked
    att = services.attachment_add(request=req, actor=actor, filename=file.name or "", content=file.read(), token=token)
    return {"id": att.pk, "name": att.name, "kind": att.kind, "size": att.size, "url": f"/hotline/a/{att.pk}/"}


@router.get("/demands/closure", summary="企业诉求办结率（对单销号）")
def demand_closure(request, region: str = ""):
    return selectors.demand_closure(region_code=region or None)
