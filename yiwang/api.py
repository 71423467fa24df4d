"""The JSON API (Django Ninja). Its OpenAPI document is at /api/docs and /api/openapi.json.

Every error is {"error": <code>, "message": <Chinese text>, "field": <name or null>} with a 4xx.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from yiwang.core.errors import DomainError, FieldError, error_body
from yiwang.core.inputs import FIELD_LABELS, refuse
from yiwang.core.workflow.inputs import reason_of

log = logging.getLogger(__name__)

class ChineseJSONRenderer(JSONRenderer):
    """Chinese text as itself, not as \\u escapes: readable in logs and in curl."""

    json_dumps_params = {"ensure_ascii": False}


class YiwangAPI(NinjaAPI):
    """Ninja with the refusals every operation can give declared in the document once: 400
    (InputGuardMiddleware refuses a NUL or a lone surrogate in any path, query or body, and every
    parameter is validated); on POST and DELETE 403 (the CSRF check of a session caller,
    core.auth.ApiSessionCsrfMiddleware); where there is a body 413 (over DATA_UPLOAD_MAX_MEMORY_SIZE)."""

    def get_openapi_schema(self, *args, **kwargs):
        from yiwang.core.workflow.api import ErrorOut

        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
        error = {"description": "拒绝（error, message, field）",
                 "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                operation["responses"].setdefault(400, error)
                if method in ("post", "delete"):
                    operation["responses"].setdefault(403, error)
                if "requestBody" in operation:
                    operation["responses"].setdefault(413, error)
        return schema


api = YiwangAPI(
    renderer=ChineseJSONRenderer(),
    title="Yiwang 一网通办 API",
    version="1",
    description="事项目录、工作日历、赋权路由、办件、电子证照、好差评与 12345 热线的接口。错误均为 "
    '{"error": 代码, "message": 中文说明, "field": 字段或 null, "errors": [{"field", "message"}, …]}'
    "（errors 列出每个字段的错误，message/field 为其中第一个）。",
    docs_url="/docs",
    urls_namespace="api",
)


def _field_of(loc) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload", "header")]
    return ".".join(parts) or None


def _label_of(field: str | None) -> str:
    """The field's Chinese label (core.inputs.FIELD_LABELS) by its last named part."""
    names = [p for p in (field or "").split(".") if not p.isdigit()]
    return FIELD_LABELS.get(names[-1], names[-1]) if names else "请求内容"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    """Every error of the body (pydantic gives all), each at its field, in the words of the one table
    (core.workflow.inputs.REASONS) that the actions' inputs use too."""
    errors = [FieldError(f, reason_of(e, _label_of(f)))
              for e in exc.errors or [{}] for f in [_field_of(e.get("loc", ()))]]
    err = DomainError("", errors=errors, code="invalid")
    return api.create_response(request, err.as_dict(), status=400)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(
        request, error_body("not_authenticated", "请先登录"), status=401
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", "未找到"), status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return api.create_response(request, error_body("forbidden", "无权进行此操作"), status=403)


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def on_data_error(request, exc):
    """A value the schema let through and the database refused (too long, out of range): a 400."""
    return refuse(request, 400, "invalid", "输入的内容超出允许的范围（过长或数值过大），请检查后重试")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return refuse(request, 413, "too_large", "请求内容过大，超过允许的大小")


_HTTP_MESSAGES = {400: "请求格式不正确", 401: "请先登录", 403: "无权进行此操作", 404: "未找到", 405: "不支持该请求方法",
                  409: "操作冲突，请刷新后重试", 413: "请求内容过大", 415: "不支持的内容类型", 429: "请求过于频繁"}


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    message = str(exc)
    if message.startswith("Cannot parse request body"):
        return api.create_response(
            request, error_body("invalid", "请求体不是合法的 JSON"), status=400
        )
    if not any("\u4e00" <= ch <= "\u9fff" for ch in message):  # Ninja's own English texts
        message = _HTTP_MESSAGES.get(exc.status_code, "请求无法处理")
    return api.create_response(
        request, error_body("http_error", message), status=exc.status_code
    )


# (module, prefix): each module's router, mounted when the module has one. The order fixes the
# order in the OpenAPI document.
ROUTERS = [
    ("yiwang.core.api", "/v1/"),
    ("yiwang.catalogue.api", "/v1/"),
    ("yiwang.workcalendar.api", "/v1/calendar/"),
    ("yiwang.parties.api", "/v1/parties/"),
    ("yiwang.cases.api", "/v1/"),
    ("yiwang.licences.api", "/v1/"),
    ("yiwang.documents.api", "/v1/"),
    ("yiwang.evaluations.api", "/v1/"),
    ("yiwang.hotline.api", "/v1/"),
    ("yiwang.kb.api", "/v1/"),
    ("yiwang.supervision.api", "/v1/"),
    ("yiwang.dashboards.api", "/v1/"),
    ("yiwang.ledger.api", "/v1/"),
    ("yiwang.policies.api", "/v1/"),
    ("yiwang.agents.api", "/v1/"),
    ("yiwang.projects.api", "/v1/"),
    ("yiwang.hotline.open311", "/open311/v2/"),
]


def _mount() -> None:
    import importlib
    import importlib.util

    for module, prefix in ROUTERS:
        if importlib.util.find_spec(module) is not None:
            api.add_router(prefix, importlib.import_module(module).router)


_mount()
