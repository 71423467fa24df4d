from datetime import date, datetime, time

from ninja import Field, Router, Schema

from yiwang.core.auth import require_user
from yiwang.core.errors import DomainError, Forbidden, NotFound
from yiwang.core.workflow import available_actions
from yiwang.core.workflow.api import ERRORS, action_routes

from . import selectors, services
from .rules import PROBLEM_TYPES, TZ
from .workflow import EVENT_LABELS, RECTIFICATION

router = Router(tags=["evaluations"])


class RateIn(Schema):
    level: int
    channel: str = "web"
    text: str = Field("", description="文字评价；不满意、非常不满意时必填（不少于5个字）")
    problem_type: str = Field("", max_length=16, description="差评问题类型（不满意、非常不满意时必填）："
                              + "、".join(f"{k} {v}" for k, v in PROBLEM_TYPES.items()))


@router.get("/evaluations/by-token/{token}", summary="评价码对应的评价（公开，不含评价人）")
def by_token(request, token: str):
    ev = services.evaluation_by_token(token)
    return {"subject_kind": ev.subject_kind, "subject_ref": ev.subject_ref, "round": ev.round, "status": ev.status,
            "unit": ev.unit.name, "window": ev.window.name if ev.window_id else None,
            "item": ev.implementation.name if ev.implementation_id else None}


@router.post("/evaluations/by-token/{token}", response={200: dict, **ERRORS}, summary="评价（1 非常满意 … 5 非常不满意，GB/T 39046 表A.8）")
def rate(request, token: str, payload: RateIn):
    ev = services.evaluation_rate(evaluation=services.evaluation_by_token(token), level=payload.level,
                                  channel=payload.channel, text=payload.text, problem_type=payload.problem_type,
                                  rater_user=request.user)
    return {"status": ev.status, "level": ev.level, "bad": ev.bad, "problem_type": ev.problem_type}


@router.get("/evaluations", summary="好差评列表（本单位；督查人员可看全部）")
def evaluations_list(request, bad: bool | None = None, limit: int = 100):
    user = require_user(request)
    qs = selectors.evaluations_visible(user)
    if bad is not None:
        qs = qs.filter(bad=bad)
    return [selectors.evaluation_public(ev, user) for ev in qs[: max(1, min(limit, 500))]]


@router.get("/evaluations/mine", summary="本人（申请人）的评价：待评价的附评价链接")
def evaluations_mine(request):
    user = require_user(request)
    return [{"subject_kind": ev.subject_kind, "subject_ref": ev.subject_ref, "round": ev.round, "status": ev.status,
             "level": ev.level, "unit": ev.unit.name, "item": ev.implementation.name if ev.implementation_id else None,
             "rate_url": f"/rate/{ev.token}/" if ev.status == "invited" else None,
             "qr_url": f"/rate/{ev.token}/qr.svg" if ev.status == "invited" else None}
            for ev in selectors.evaluations_of_rater(user)[:100]]


@router.get("/evaluations/stats", summary="满意率、差评率、整改率、按时整改率与排名")
def evaluations_stats(request, by: str = "unit", start: date | None = None, end: date | None = None):
    user = require_user(request)
    if by not in selectors.GROUPS:
        raise DomainError(f"统计维度应为 {'、'.join(selectors.GROUPS)}", field="by")
    if not selectors.is_supervisor(user):
        from yiwang.organisations.selectors import staff_roles

        if not staff_roles(user):
            raise Forbidden("无权查看统计", field="by")
        units = [s.unit_id for s in staff_roles(user)]
    else:
        units = None

    def dt(d):
        return datetime.combine(d, time.min, tzinfo=TZ) if d else None

    return selectors.evaluation_stats(by=by, start=dt(start), end=dt(end), unit_ids=units)


# --- rectifications: read one, and one operation per workflow action ----------------------------

class RectActionOut(Schema):
    name: str
    label: str
    needs_input: bool
    confirm: str = ""


class RectEventOut(Schema):
    seq: int
    action: str
    label: str
    from_status: str
    to_status: str
    actor_kind: str
    at: datetime
    reason: str
    deadline: date | None = None


class RectOut(Schema):
    id: int
    status: str
    status_label: str
    version: int
    contact_due_at: datetime
    fix_due_at: datetime
    deadline_provisional: bool
    contact_overdue: bool
    overdue: bool
    actions: list[RectActionOut]
    events: list[RectEventOut]


def _rect_load(request, number: str):
    user = require_user(request)
    rect = selectors.rectifications_visible(user).filter(pk=int(number)).first() if number.isdigit() else None
    if rect is None:
        raise NotFound("未找到该差评整改，或无权查看", field="number")
    return rect


def _rect_out(request, rect) -> dict:
    actions = [{"name": a.name, "label": a.label, "needs_input": a.needs_input, "confirm": a.action.confirm}
               for a in available_actions(RECTIFICATION, subject=rect, actor=request.user)]
    events = [{"seq": e.seq, "action": e.action, "label": EVENT_LABELS.get(e.action, e.action),
               "from_status": e.from_status, "to_status": e.to_status, "actor_kind": e.actor_kind, "at": e.at,
               "reason": e.reason, "deadline": e.deadline} for e in rect.events.all()]
    return {"id": rect.pk, "status": rect.status, "status_label": RECTIFICATION.state_label(rect.status),
            "version": rect.version, "contact_due_at": rect.contact_due_at, "fix_due_at": rect.fix_due_at,
            "deadline_provisional": rect.deadline_provisional, "contact_overdue": rect.contact_overdue,
            "overdue": rect.overdue, "actions": actions, "events": events}


@router.get("/rectifications/{number}", response={200: RectOut, **ERRORS}, summary="差评整改（含可办理的操作与记录）")
def rectification_detail(request, number: str):
    return _rect_out(request, _rect_load(request, number))


action_routes(router, RECTIFICATION, path="/rectifications/{number}", out=RectOut, respond=_rect_out,
              auth_user=require_user, load=_rect_load)
