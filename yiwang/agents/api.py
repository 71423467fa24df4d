"""/api/v1/agents: teams with their members and workload, assignments (who acts for whom now),
authorisations (list, detail, grant online, record paper, revoke, renounce), 代办代缴 records and
the grantor's rating. Thin: services and selectors do the work."""

from datetime import date, datetime
from decimal import Decimal

from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from yiwang.core.auth import require_user
from yiwang.core.errors import Forbidden
from yiwang.core.workflow.api import ERRORS, action_routes

from . import selectors, services
from .models import Authorisation
from .workflow import ACTION_LABELS, WORKFLOW

router = Router(tags=["帮办代办"])
READ_ERRORS = {k: v for k, v in ERRORS.items() if k in (401, 403, 404)}


class GrantIn(Schema):
    party: str = Field(max_length=18, title="委托人")
    agent: str = Field(max_length=150, title="代办人")
    items: list[str] = Field([], max_length=200, title="授权事项")
    all_items: bool = Field(False, title="全部事项")
    valid_from: date = Field(title="生效日期")
    valid_until: date = Field(title="截止日期")


class EventOut(Schema):
    seq: int
    action: str
    label: str
    to_status: str
    actor_kind: str
    at: datetime
    reason: str


class AuthorisationOut(Schema):
    number: str
    party: str
    party_name: str
    agent: str
    agent_name: str
    team: str | None
    all_items: bool
    items: list[str]
    valid_from: date
    valid_until: date
    status: str
    status_name: str
    source: str
    source_name: str
    in_force: bool
    ended_on: date | None
    end_reason: str
    version: int
    actions: list[str] = []
    events: list[EventOut] = []


class AuthorisationList(Schema):
    results: list[AuthorisationOut]


class MemberOut(Schema):
    username: str
    name: str
    parties: int
    cases: int
    open_cases: int


class TeamOut(Schema):
    unit: str
    unit_name: str
    region: str
    name: str
    phone: str
    members: list[MemberOut]


class AssignmentOut(Schema):
    agent: str
    agent_name: str
    party: str
    party_name: str
    authorisations: list[str]
    valid_until: date


class PaymentOut(Schema):
    id: int
    case: str
    item: str
    authorisation: str
    amount: Decimal
    purpose: str
    paid_on: date
    receipt_no: str
    has_receipt: bool


class RatingIn(Schema):
    score: int = Field(title="评分")
    comment: str = Field("", max_length=500, title="评价内容")


class RatingOut(Schema):
    authorisation: str
    score: int
    comment: str


def authorisation_out(a: Authorisation, user=None, *, full: bool = False) -> dict:
    from django.utils import timezone

    from .rules import in_force

    data = {
        "number": a.number, "party": a.party.number, "party_name": a.party.name, "agent": a.agent.get_username(),
        "agent_name": a.agent.first_name or a.agent.get_username(), "team": a.team.name if a.team_id else None,
        "all_items": a.all_items, "items": a.items, "valid_from": a.valid_from, "valid_until": a.valid_until,
        "status": a.status, "status_name": a.get_status_display(), "source": a.source,
        "source_name": a.get_source_display(), "in_force": in_force(a, timezone.localdate()),
        "ended_on": a.ended_on, "end_reason": a.end_reason, "version": a.version,
    }
    if full:
        from yiwang.core.workflow import available_actions

        data["actions"] = [x.name for x in available_actions(WORKFLOW, subject=a, actor=user)]
        data["events"] = [{"seq": e.seq, "action": e.action, "label": ACTION_LABELS.get(e.action, e.action),
                           "to_status": e.to_status, "actor_kind": e.actor_kind, "at": e.at, "reason": e.reason}
                          for e in a.events.order_by("seq")]
    return data


@router.get("/agents/teams", response={200: list[TeamOut], **READ_ERRORS}, summary="帮代办团队及专员工作量")
def team_list(request):
    require_user(request)
    return [{"unit": t["team"].unit.code, "unit_name": t["team"].unit.name, "region": t["team"].unit.region_id,
             "name": t["team"].name, "phone": t["team"].phone,
             "members": [{"username": m["user"].username, "name": m["user"].first_name or m["user"].username,
                          "parties": m["parties"], "cases": m["cases"], "open_cases": m["open_cases"]}
                         for m in t["members"]]} for t in selectors.teams()]


@router.get("/agents/assignments", response={200: list[AssignmentOut], **READ_ERRORS},
            summary="代办关系：哪位代办人正在有效授权下为哪个主体代办")
def assignment_list(request):
    user = require_user(request)
    rows: dict[tuple, dict] = {}
    for a in selectors.visible_authorisations(user).filter(selectors.in_force_q()).order_by("valid_until"):
        row = rows.setdefault((a.agent_id, a.party_id), {
            "agent": a.agent.get_username(), "agent_name": a.agent.first_name or a.agent.get_username(),
            "party": a.party.number, "party_name": a.party.name, "authorisations": [], "valid_until": a.valid_until})
        row["authorisations"].append(a.number)
        row["valid_until"] = max(row["valid_until"], a.valid_until)
    return list(rows.values())


@router.get("/agents/authorisations", response={200: AuthorisationList, **READ_ERRORS},
            summary="授权委托列表（委托人本人、代办人、本区域窗口可见）")
def authorisation_list(request, status: str = ""):
    user = require_user(request)
    qs = selectors.visible_authorisations(user)
    if status:
        qs = qs.filter(status__in=status.split(","))
    return {"results": [authorisation_out(a) for a in qs[:500]]}


@router.post("/agents/authorisations", response={201: AuthorisationOut, **ERRORS},
             summary="委托人本人网上授权（事项、有效期）")
def authorisation_grant(request, payload: GrantIn):
    user = require_user(request)
    a = services.authorisation_grant(actor=user, **payload.dict())
    return 201, authorisation_out(selectors.authorisation_get(a.number, user=user), user, full=True)


@router.post("/agents/authorisations/paper", response={201: AuthorisationOut, **ERRORS},
             summary="窗口登记纸质授权委托书（须上传签字授权书扫描件）")
def authorisation_paper(request, party: Form[str], agent: Form[str], valid_from: Form[date], valid_until: Form[date],
                        scan: File[UploadedFile], items: Form[str] = "", all_items: Form[bool] = False):
    user = require_user(request)
    a = services.authorisation_record_paper(
        actor=user, party=party, agent=agent, items=[c for c in items.replace("，", ",").split(",") if c.strip()],
        all_items=all_items, valid_from=valid_from, valid_until=valid_until, filename=scan.name or "",
        content=scan.read())
    return 201, authorisation_out(selectors.authorisation_get(a.number, user=user), user, full=True)


@router.get("/agents/authorisations/{number}", response={200: AuthorisationOut, **READ_ERRORS},
            summary="授权委托详情（含可办理操作与记录）")
def authorisation_detail(request, number: str):
    user = require_user(request)
    return authorisation_out(selectors.authorisation_get(number, user=user), user, full=True)


def _load(request, number: str) -> Authorisation:
    return selectors.authorisation_get(number, user=require_user(request))


action_routes(router, WORKFLOW, path="/agents/authorisations/{number}", out=AuthorisationOut,
              respond=lambda request, a: authorisation_out(_load(request, a.number), request.user, full=True),
              auth_user=require_user, load=lambda request, number: _load(request, number).number)


@router.post("/agents/authorisations/{number}/rating", response={201: RatingOut, **ERRORS},
             summary="委托人评价代办服务（1–5分，5分最好；1、2分须说明原因）")
def authorisation_rate(request, number: str, payload: RatingIn):
    user = require_user(request)
    r = services.agent_rate(actor=user, authorisation=_load(request, number).number, score=payload.score,
                            comment=payload.comment)
    return 201, {"authorisation": number, "score": r.score, "comment": r.comment}


@router.get("/agents/payments", response={200: list[PaymentOut], **READ_ERRORS},
            summary="代办代缴记录（委托企业、代办人可见）")
def payment_list(request):
    user = require_user(request)
    return [_payment_out(p) for p in selectors.payments_visible(user)[:500]]


@router.post("/agents/payments", response={201: PaymentOut, **ERRORS},
             summary="代办人登记代缴费用（办件、金额、缴费项目、票据）")
def payment_record(request, case: Form[str], amount: Form[str], purpose: Form[str], paid_on: Form[date],
                   receipt_no: Form[str], receipt: File[UploadedFile] = None):
    user = require_user(request)
    if not selectors.is_agent(user):
        raise Forbidden("只有代办人可以登记代缴费用", field="case")
    p = services.fee_record(actor=user, case=case, amount=amount, purpose=purpose, paid_on=paid_on,
                            receipt_no=receipt_no, filename=receipt.name if receipt else "",
                            content=receipt.read() if receipt else b"")
    return 201, _payment_out(p)


def _payment_out(p) -> dict:
    return {"id": p.pk, "case": p.case.number, "item": p.case.implementation.name,
            "authorisation": p.authorisation.number, "amount": p.amount, "purpose": p.purpose,
            "paid_on": p.paid_on, "receipt_no": p.receipt_no, "has_receipt": bool(p.receipt)}

