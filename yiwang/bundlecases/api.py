"""Bundle cases over JSON, reached through the case API (yiwang/cases/api.py dispatches here):
POST /api/v1/cases with {"bundle": code, ...}; GET /api/v1/cases/{number} for a bundle case number;
POST /api/v1/cases/{number}/{accept|resume|withdraw}. Not a router of its own: the same URLs serve
single cases and bundle cases, so an applicant deals with one kind of case number.

Handlers return JsonResponse (Django's encoder handles dates), which Ninja passes through as is."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

from yiwang.core.errors import DomainError

from . import selectors, services


def is_bundle_case(number: str) -> bool:
    return selectors.is_bundle_case_number(number)


def submit(user, payload, applicant: Any) -> JsonResponse:
    """POST /api/v1/cases with "bundle"; cases.api has resolved the applicant (a Party or its fields)."""
    if payload.channel not in services.CHANNELS:
        raise DomainError("一件事申请渠道应为 online 或 window", field="channel")
    bc = services.bundle_case_submit(actor=user, bundle=payload.bundle, applicant=applicant, form=payload.form,
                                     channel=payload.channel)
    return JsonResponse(selectors.bundle_case_out(selectors.bundle_case_get(bc.number, user=user), user=user),
                        status=201, json_dumps_params={"ensure_ascii": False})


def detail(user, number: str) -> JsonResponse:
    bc = selectors.bundle_case_get(number, user=user)
    return JsonResponse(selectors.bundle_case_out(bc, user=user), json_dumps_params={"ensure_ascii": False})


def act(user, number: str, action: str, payload) -> JsonResponse:
    selectors.bundle_case_get(number, user=user)
    data = {"paper": list(getattr(payload, "paper", None) or []),
            "tolerate": list(getattr(payload, "tolerate", None) or []),
            "form": getattr(payload, "form", None), "material": getattr(payload, "material", None) or "",
            "on_paper": bool(getattr(payload, "on_paper", False))}
    services.bundle_case_act(bundle_case=number, actor=user, action=action, data=data,
                             reason=getattr(payload, "reason", "") or "", version=getattr(payload, "version", None))
    return detail(user, number)
