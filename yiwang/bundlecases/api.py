"""Bundle cases over JSON, reached through the case API (yiwang/cases/api.py dispatches here):
POST /api/v1/cases with {"bundle": code, ...}; GET /api/v1/cases/{number} for a bundle case number;
POST /api/v1/cases/{number}/{accept|resume|withdraw}. Not a router of its own: the same URLs serve
single cases and bundle cases, so an applicant deals with one kind of case number.

Handlers return the bundle case as a dict; the case API's operations declare it as `BundleCaseOut`, the
`kind: "bundle"` arm of the tagged union whose other arm is the single case (`kind: "case"`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema

from yiwang.core.errors import DomainError

from . import selectors, services


class BundleProgressOut(Schema):
    done: int
    delivered: int
    total: int
    percent: int
    current: list[str]
    next: list[str]
    failed: list[str]
    paused: list[str]


class BundleMemberOut(Schema):
    item: str
    item_name: str
    case: str | None
    case_status: str | None
    state: str
    state_label: str
    unit: str
    unit_name: str
    attempts: int
    waits_for: list[str]
    licence: str
    fed: dict
    deadline: date | None


class BundleEventOut(Schema):
    seq: int
    action: str
    label: str
    from_status: str
    to_status: str
    actor: str | None
    actor_kind: str
    at: datetime
    reason: str
    data: dict


class BundleCaseOut(Schema):
    """A bundle case (一件事) as GET /api/v1/cases/{number} gives it."""

    kind: Literal["bundle"]
    number: str
    bundle: str
    bundle_name: str
    applicant: str
    applicant_number: str
    channel: str
    status: str
    status_label: str
    form: dict
    materials: dict
    submitted_at: datetime
    accepted_on: date | None
    promised_days: int
    deadline: date | None
    deadline_provisional: bool
    days_left: int | None
    completed_at: datetime | None
    stop_reason: str
    version: int
    progress: BundleProgressOut
    members: list[BundleMemberOut]
    checklist: list[dict]
    actions: list[str]
    history: list[BundleEventOut]


def is_bundle_case(number: str) -> bool:
    return selectors.is_bundle_case_number(number)


def submit(user, payload, applicant: Any) -> tuple[int, dict]:
    """POST /api/v1/cases with "bundle"; cases.api has resolved the applicant (a Party or its fields)."""
    if payload.channel not in services.CHANNELS:
        raise DomainError("一件事申请渠道应为 online 或 window", field="channel")
    bc = services.bundle_case_submit(actor=user, bundle=payload.bundle, applicant=applicant, form=payload.form,
                                     channel=payload.channel)
    return 201, selectors.bundle_case_out(selectors.bundle_case_get(bc.number, user=user), user=user)


def detail(user, number: str) -> dict:
    bc = selectors.bundle_case_get(number, user=user)
    return selectors.bundle_case_out(bc, user=user)


def act(user, number: str, action: str, payload) -> dict:
    selectors.bundle_case_get(number, user=user)
    data = {"paper": list(getattr(payload, "paper", None) or []),
            "tolerate": list(getattr(payload, "tolerate", None) or []),
            "form": getattr(payload, "form", None), "material": getattr(payload, "material", None) or "",
            "on_paper": bool(getattr(payload, "on_paper", False))}
    services.bundle_case_act(bundle_case=number, actor=user, action=action, data=data,
                             reason=getattr(payload, "reason", "") or "", version=getattr(payload, "version", None))
    return detail(user, number)
