"""One API operation per workflow action, each with its own input schema and its 4xx declared.

`action_routes(router, workflow, path="/cases/{number}", respond=...)` adds
POST {path}/{action} for every action a person can take; the body is the action's input schema plus
an optional `version` (optimistic locking). `respond(request, subject)` builds the 200 body.
`perform(request, key, action, user, data, version)`, when given, carries the action out instead of a
bare `apply` (a service wrapper that chains actions, or a key that names another kind of subject).
(No `from __future__ import annotations` here: Ninja reads the annotations of the handlers made below.)
"""

from collections.abc import Callable
from typing import Any

from ninja import Router, Schema
from pydantic import ValidationError, create_model, model_validator

from .engine import apply
from .inputs import refusal_from
from .spec import Action, Workflow


class ErrorOut(Schema):
    error: str
    message: str
    field: str | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def action_routes(router: Router, workflow: Workflow, *, path: str, out: Any,
                  respond: Callable[[Any, Any], Any], auth_user: Callable[[Any], Any],
                  load: Callable[[Any, str], Any] | None = None,
                  perform: Callable[..., Any] | None = None) -> None:
    """auth_user(request) -> the acting user (raises when not signed in);
    load(request, key) -> the subject the user may see (raises NotFound otherwise)."""
    for act in workflow.actions.values():
        if not act.system_only:
            _route(router, workflow, act, path=path, out=out, respond=respond, auth_user=auth_user, load=load,
                   perform=perform)


def _chinese_refusal(cls, data, handler):
    # A body Ninja finds invalid is refused as apply would refuse it: a Chinese message naming the
    # field by its label (not the global "字段 key：…"), raised as the DomainError the API maps to 400.
    try:
        return handler(data)
    except ValidationError as exc:
        raise refusal_from(cls, exc).error() from None


def _route(router, workflow, act: Action, *, path, out, respond, auth_user, load, perform=None) -> None:
    body = create_model(f"{workflow.name.title()}{act.name.title().replace('_', '')}In", __base__=act.input,
                        version=(int | None, None),
                        __validators__={"chinese_refusal": model_validator(mode="wrap")(_chinese_refusal)})

    def handler(request, number: str, payload: body = None):  # noqa: B008 - Ninja reads the default
        user = auth_user(request)
        data = payload.model_dump() if payload is not None else {}
        version = data.pop("version", None)
        if perform is not None:
            return respond(request, perform(request, number, act.name, user, data, version))
        subject = load(request, number) if load else number
        result = apply(workflow, subject=subject, action=act.name, actor=user, input=data, version=version)
        return respond(request, result)

    handler.__name__ = f"{workflow.name}_{act.name}"
    summary = act.label + (f"（{act.basis}）" if act.basis else "")
    router.post(f"{path}/{act.name}", response={200: out, **ERRORS}, summary=summary,
                operation_id=f"{workflow.name}_{act.name}")(handler)
