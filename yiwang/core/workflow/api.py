"""One API operation per workflow action, each with its own input schema and its 4xx declared.

`action_routes(router, workflow, path="/cases/{number}", respond=...)` adds
POST {path}/{action} for every action a person can take; the body is the action's input schema plus
an optional `version` (optimistic locking). `respond(request, subject)` builds the 200 body.
`perform(request, key, action, user, data, version)`, when given, carries the action out instead of a
bare `apply` (a service wrapper that chains actions, or a key that names another kind of subject).
(No `from __future__ import annotations` here: Ninja reads the annotations of the handlers made below.)
"""

import json
from collections.abc import Callable
from typing import Any

from ninja import Router, Schema
from pydantic import Field, create_model

from yiwang.core.errors import DomainError

from .engine import apply
from .spec import Action, Workflow


class FieldErrorOut(Schema):
    field: str | None = None
    message: str


class ErrorOut(Schema):
    """message and field are the first of errors (every field's error, when there are several)."""

    error: str
    message: str
    field: str | None = None
    errors: list[FieldErrorOut] = []


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
_REFUSALS = {401: "未登录", 403: "无权进行此操作", 404: "未找到", 409: "冲突（已被他人处理或重复）",
             422: "幂等键已用于另一个不同的请求"}


def refusals(*codes: int) -> dict:
    """`openapi_extra` declaring the 4xx an operation gives (ErrorOut), also for an operation that has
    no `response=` dict; 400 is declared for every operation by yiwang.api."""
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    return {"responses": {code: {"description": _REFUSALS[code], "content": body} for code in codes}}


def action_routes(router: Router, workflow: Workflow, *, path: str, out: Any,
                  respond: Callable[[Any, Any], Any], auth_user: Callable[[Any], Any],
                  load: Callable[[Any, str], Any] | None = None, exclude: frozenset[str] = frozenset(),
                  perform: Callable[..., Any] | None = None) -> None:
    """auth_user(request) -> the acting user (raises when not signed in);
    load(request, key) -> the subject the user may see (raises NotFound otherwise);
    exclude: actions that have their own operation (an upload, the creation of the subject)."""
    for act in workflow.actions.values():
        if not act.system_only and act.name not in exclude:
            _route(router, workflow, act, path=path, out=out, respond=respond, auth_user=auth_user, load=load,
                   perform=perform)


def _route(router, workflow, act: Action, *, path, out, respond, auth_user, load, perform=None) -> None:
    body = create_model(f"{workflow.name.title()}{act.name.title().replace('_', '')}In", __base__=act.input,
                        version=(int | None, Field(None, title="版本号")))
    # The body is documented from the action's schema but validated by apply, so that a refusal names
    # the field by its Chinese title (Ninja's own validation only knows the key).
    schema = body.model_json_schema()
    schema.pop("title", None)
    extra = {"requestBody": {"required": False, "content": {"application/json": {"schema": schema}}}}

    def handler(request, number: str):
        user = auth_user(request)
        data = _json_body(request)
        version = data.pop("version", None)
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise DomainError("版本号应为整数", field="version")
        if perform is not None:
            return respond(request, perform(request, number, act.name, user, data, version))
        subject = load(request, number) if load else number
        result = apply(workflow, subject=subject, action=act.name, actor=user, input=data, version=version)
        return respond(request, result)

    handler.__name__ = f"{workflow.name}_{act.name}"
    summary = act.label + (f"（{act.basis}）" if act.basis else "")
    router.post(f"{path}/{act.name}", response={200: out, **ERRORS}, summary=summary,
                operation_id=f"{workflow.name}_{act.name}", openapi_extra=extra)(handler)


def _json_body(request) -> dict:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise DomainError("请求体不是合法的 JSON", field=None, code="invalid") from None
    if not isinstance(data, dict):
        raise DomainError("请求体应为 JSON 对象", field=None, code="invalid")
    return data
