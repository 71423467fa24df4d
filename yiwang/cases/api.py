"""Cases over JSON: submit, read, act, list, upload materials. Thin: services and selectors do the work."""

from __future__ import annotations

import json
from datetime import date, datetime
from types import SimpleNamespace
from typing import Annotated, Any, Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from yiwang.bundlecases.api import BundleCaseOut
from yiwang.core import idempotency
from yiwang.core.audit import audit_read
from yiwang.core.auth import require_user
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.workflow.api import action_routes, refusals

from . import selectors, services
from .models import Case
from .workflow import WORKFLOW, event_label

router = Router(tags=["办件"])


class ApplicantIn(Schema):
    """Limits are the columns' (parties.Party); the number has room for spaces the check strips."""

    kind: str = Field(max_length=16)
    number: str = Field(max_length=32)
    name: str = Field(max_length=128)
    phone: str = Field("", max_length=32)
    address: str = Field("", max_length=200)
    legal_representative: str = Field("", max_length=64)


class SubmitIn(Schema):
    item: str | None = Field(None, max_length=64)
    bundle: str | None = Field(None, max_length=32)  # 一件事: added by the bundle module
    applicant: ApplicantIn | None = None
    form: dict[str, Any] = {}
    channel: str = Field("online", max_length=16)
    agent_authorisation: str = Field("", max_length=200)
    # 跨域通办: the region of the window taking it in (another region's item, if the 清单 lists it),
    # and how the applicant wants the result (window, post, electronic).
    receiving_region: str = Field("", max_length=12)
    delivery: str = Field("", max_length=16)


class EventOut(Schema):
    seq: int
    action: str
    label: str
    from_status: str
    to_status: str
    actor: str | None
    actor_kind: str
    at: datetime
    on: date
    reason: str
    data: dict
    deadline: date | None


class CaseSummary(Schema):
    number: str
    item: str
    item_name: str
    applicant: str
    status: str
    status_label: str
    deciding_unit: str
    deadline: date | None
    due_state: str
    submitted_at: datetime


class CaseOut(CaseSummary):
    kind: Literal["case"] = "case"
    channel: str
    route_mode: str
    receiving_unit: str
    reviewing_unit: str
    in_name_of: str
    remote_intake_unit: str | None
    forwarded_at: datetime | None
    delivery_choice: str
    form: dict
    version: int
    accepted_on: date | None
    deadline_provisional: bool
    statutory_days: int
    promised_days: int
    extension_days: int
    paused: bool
    paused_days: int
    days_used: int | None
    days_left: int | None
    missing_materials: list[str]
    supply_due: date | None
    commitment: bool
    post_check_due: date | None
    decision: str
    decided_at: datetime | None
    delivery_due: date | None
    delivered_at: datetime | None
    steps: list[str]
    current_step: int
    materials: list[dict]
    co_reviews: list[dict]
    documents: list[dict] = []
    actions: list[str]
    history: list[EventOut]


# What a case number answers: a single case or a bundle case (一件事), told apart by `kind`.
AnyCaseOut = Annotated[CaseOut | BundleCaseOut, Field(discriminator="kind")]


# GET /cases counts at most this many (count_capped says when there are more).
COUNT_CAP = 1_000


class CaseList(Schema):
    count: int
    count_capped: bool = False
    has_next: bool = False
    page: int
    page_size: int
    results: list[CaseSummary]


def _summary(c: Case) -> dict:
    return {
        "number": c.number, "item": c.implementation.impl_code, "item_name": c.implementation.name,
        "applicant": c.applicant.name, "status": c.status, "status_label": c.get_status_display(),
        "deciding_unit": c.deciding_unit.code, "deadline": c.deadline, "due_state": c.due_state,
        "submitted_at": c.submitted_at,
    }


def case_out(c: Case, user) -> dict:
    from yiwang.documents.selectors import case_documents

    v = selectors.clock_view(c)
    return {
        **_summary(c), "kind": "case", "channel": c.channel, "route_mode": c.route_mode, "receiving_unit": c.receiving_unit.code,
        "reviewing_unit": c.reviewing_unit.code, "in_name_of": c.in_name_of.code, "form": c.form,
        "remote_intake_unit": c.remote_intake_unit.code if c.remote_intake_unit_id else None,
        "forwarded_at": c.forwarded_at, "delivery_choice": c.delivery_choice,
        "version": c.version, "accepted_on": c.accepted_on, "deadline_provisional": c.deadline_provisional,
        "statutory_days": c.statutory_days, "promised_days": c.promised_days, "extension_days": c.extension_days,
        "paused": c.paused, "paused_days": c.paused_days, "days_used": v.days_used, "days_left": v.days_left,
        "missing_materials": c.missing_materials, "supply_due": c.supply_due, "commitment": c.commitment,
        "post_check_due": c.post_check_due, "decision": c.decision, "decided_at": c.decided_at,
        "delivery_due": c.delivery_due, "delivered_at": c.delivered_at, "steps": c.steps,
        "current_step": c.current_step,
        "materials": [{"id": m.pk, "name": m.name, "filename": m.filename, "kind": m.kind, "size": m.size,
                       "url": f"/cases/{c.number}/materials/{m.pk}/"} for m in c.materials.all()],
        "co_reviews": [{"unit": r.unit.code, "unit_name": r.unit.name, "slot_end": r.slot_end, "consent": r.consent,
                        "deemed": r.deemed, "opinion": r.opinion} for r in c.co_reviews.all()],
        "documents": [{"id": d.pk, "kind": d.kind, "label": d.get_kind_display(), "number": d.number,
                       "issued_on": d.issued_on, "unit": d.unit_name, "event": d.event_id,
                       "url": f"/api/v1/cases/{c.number}/documents/{d.pk}/pdf",
                       "verify_url": f"/documents/verify/{d.code}/"}
                      for d in case_documents(c)],
        "actions": selectors.allowed_actions(c, user),
        "history": [{
            "seq": e.seq, "action": e.action, "label": event_label(e.action),
            "from_status": e.from_status, "to_status": e.to_status,
            "actor": (e.actor.first_name or e.actor.username) if e.actor_id else None, "actor_kind": e.actor_kind,
            "at": e.at, "on": e.on, "reason": e.reason, "data": e.data, "deadline": e.deadline,
        } for e in c.events.all()],
    }


@router.post("/cases", openapi_extra={**refusals(401, 403, 404, 409, 422), "parameters": [idempotency.OPENAPI_PARAMETER]},
             response={201: AnyCaseOut}, summary="提交申请（网上、窗口代收、跨域通办异地收件或代办）")
def submit(request, payload: SubmitIn, response: HttpResponse):
    user = require_user(request)
    status, body = idempotency.replay_or_run(request, user=user, scope="cases.submit", body=payload.dict(),
                                             run=lambda: _submit(user, payload))
    if getattr(request, "idempotent_replayed", False):
        response["Idempotent-Replayed"] = "true"
    return status, body


def _submit(user, payload: SubmitIn):
    if not payload.item and not payload.bundle:
        raise DomainError("请指定事项实施编码（item）或一件事编码（bundle）", field="item")
    if payload.bundle and payload.item:
        raise DomainError("请只指定事项（item）或一件事（bundle）之一", field="bundle")
    if payload.applicant is None:
        party = next(iter(user.parties.all()), None)
        if party is None:
            raise DomainError("请填写申请人", field="applicant")
        applicant: Any = party
    else:
        applicant = payload.applicant.dict()
    if payload.bundle and payload.receiving_region:
        raise DomainError("一件事暂不办理跨域通办，请分别申请其中的事项", field="receiving_region")
    if payload.bundle:  # 一件事: handled by the bundle cases module
        from yiwang.bundlecases import api as bundle_api

        return bundle_api.submit(user, payload, applicant)
    case = services.case_submit(actor=user, item=payload.item, applicant=applicant, form=payload.form,
                                channel=payload.channel, agent_authorisation=payload.agent_authorisation,
                                **_remote_intake_args(payload))
    # The submitter may see it (applicant, agent or intake), and a new case's history is its one event,
    # with no materials or co-reviews yet: the response is built from what is in hand.
    case._prefetched_objects_cache = {"events": [case.submit_event], "co_reviews": [], "materials": [],
                                      "documents": []}
    return 201, case_out(case, user)


def _remote_intake_args(payload: SubmitIn) -> dict:
    return {"receiving_region": payload.receiving_region.strip(), "delivery": payload.delivery.strip()}


@router.get("/cases", openapi_extra=refusals(401), response=CaseList, summary="办件列表（按期限排序）")
def case_list(request, status: str = "", unit: str = "", due: str = "", q: str = "",
              page: int = Query(1, ge=1, le=1_000_000), page_size: int = Query(50, ge=1, le=200)):
    user = require_user(request)
    if due and due not in ("near", "overdue", "ok"):
        raise DomainError("到期状态应为 near、overdue 或 ok", field="due")
    page, page_size = max(page, 1), min(max(page_size, 1), 200)
    qs = selectors.case_list(user=user, status=status, unit=unit, due=due, q=q)
    start = (page - 1) * page_size
    rows = list(qs[start: start + page_size + 1])  # one more than the page: is there a next page?
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    if not has_next and (rows or page == 1):
        count = start + len(rows)  # the last page: the count is known without counting
    else:
        # Counting a million-row queue exactly would cost more than the page: count up to a cap.
        count = qs.order_by()[:COUNT_CAP + 1].count()
    return {"count": min(count, COUNT_CAP), "count_capped": count > COUNT_CAP, "has_next": has_next, "page": page,
            "page_size": page_size, "results": [_summary(c) for c in rows]}


@router.get("/cases/{number}", openapi_extra=refusals(401, 403, 404), response=AnyCaseOut, summary="办件详情（期限、剩余天数、办理记录；一件事办件 kind=bundle）")
def case_detail(request, number: str):
    user = require_user(request)
    try:
        case = selectors.case_get(number, user=user)
    except NotFound:
        # Not a single case: a bundle case number (members and progress)? Asked only then, so that
        # the common read costs no extra query.
        from yiwang.bundlecases import api as bundle_api

        if bundle_api.is_bundle_case(number):
            return bundle_api.detail(user, number)
        raise
    audit_read(request, object_type="case", object_id=case.number, subject_user_id=case.applicant.user_id)
    return case_out(case, user)


@router.post("/cases/{number}/materials", openapi_extra=refusals(401, 403, 404, 409), response={201: dict}, summary="上传材料（PDF、JPG、PNG、OFD）")
def upload(request, number: str, file: File[UploadedFile], name: Form[Annotated[str, Field(max_length=128)]], version: Form[int | None] = None):
    user = require_user(request)
    selectors.case_get(number, user=user)
    if file.size and file.size > services.max_upload_bytes():
        raise DomainError(f"文件超过 {services.max_upload_bytes() // 1024 // 1024}MB", field="file",
                          code="too_large")
    m = services.case_material_upload(case=number, actor=user, name=name, filename=file.name or "",
                                      content=file.read(), version=version)
    return 201, {"id": m.pk, "name": m.name, "kind": m.kind, "size": m.size, "sha256": m.sha256}


def _perform(request, number: str, action: str, user, data: dict, version: int | None):
    """One action on a case, or on a bundle case (the same URLs serve both kinds of case number)."""
    from yiwang.bundlecases import api as bundle_api

    if bundle_api.is_bundle_case(number):  # accept, resume, withdraw a bundle case: its own input
        raw = json.loads(request.body) if request.body else {}
        return bundle_api.act(user, number, action, SimpleNamespace(**{
            k: raw.get(k) for k in ("paper", "tolerate", "form", "reason", "version", "material", "on_paper")}))
    selectors.case_get(number, user=user)  # 404 or 403 before anything is tried
    if action == "accept":  # an instant or commitment case is decided on acceptance (two events)
        services.case_accept(case=number, actor=user, tolerate=data.get("tolerate"), paper=data.get("paper"),
                             commitment=bool(data.get("commitment")), version=version, now=timezone.now())
    else:
        reason = data.pop("reason", "") or ""
        services.case_act(case=number, actor=user, action=action, reason=reason, data=data, version=version)
    return selectors.case_get(number, user=user)


def _respond(request, result):
    if isinstance(result, dict):  # a bundle case, already in its shape
        return result
    return case_out(result, require_user(request))


# POST /cases/{number}/{action}: one operation per action of the case workflow, each with its input.
action_routes(router, WORKFLOW, path="/cases/{number}", out=AnyCaseOut, respond=_respond, auth_user=require_user,
              perform=_perform)
