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

from yiwang.core.errors import DomainError
from yiwang.core.inputs import field_label, refuse

log = logging.getLogger(__name__)

class ChineseJSONRenderer(JSONRenderer):
    """Chinese text as itself, not as \\u escapes: readable in logs and in curl."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="Yiwang 一网通办 API",
    version="1",
    description="事项目录、工作日历、赋权路由、办件、电子证照、好差评与 12345 热线的接口。错误均为 "
    '{"error": 代码, "message": 中文说明, "field": 字段或 null}。',
    docs_url="/docs",
    urls_namespace="api",
)

_PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "float_parsing": "必须是数字",
    "bool_parsing": "必须是布尔值",
    "string_type": "必须是字符串",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "string_pattern_mismatch": "格式不正确",
    "json_invalid": "请求体不是合法的 JSON",
    "model_attributes_type": "请求体格式不正确",
    "dict_type": "必须是对象",
    "list_type": "必须是数组",
}


def _field_of(loc) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload", "header")]
    return ".".join(parts) or None


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    field = _field_of(first.get("loc", ()))
    reason = _PYDANTIC_MESSAGES.get(first.get("type", ""), first.get("msg", "格式不正确"))
    limit = (first.get("ctx") or {}).get("max_length")
    if first.get("type") == "string_too_long" and limit:
        reason = f"不能超过{limit}个字符"
    message = f"{field_label(field)}：{reason}" if field else reason
    return api.create_response(request, {"error": "invalid", "message": message, "field": field}, status=400)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(
        request, {"error": "not_authenticated", "message": "请先登录", "field": None}, status=401
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"error": "not_found", "message": "未找到", "field": None}, status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return api.create_response(request, {"error": "forbidden", "message": "无权进行此操作", "field": None}, status=403)


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
            request, {"error": "invalid", "message": "请求体不是合法的 JSON", "field": None}, status=400
        )
    if not any("\u4e00" <= ch <= "\u9fff" for ch in message):  # Ninja's own English texts
        message = _HTTP_MESSAGES.get(exc.status_code, "请求无法处理")
    return api.create_response(
        request, {"error": "http_error", "message": message, "field": None}, status=exc.status_code
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
    ("yiwang.evaluations.api", "/v1/"),
    ("yiwang.hotline.api", "/v1/"),
    ("yiwang.kb.api", "/v1/"),
    ("yiwang.supervision.api", "/v1/"),
    ("yiwang.dashboards.api", "/v1/"),
    ("yiwang.ledger.api", "/v1/"),
    ("yiwang.policies.api", "/v1/"),
    ("yiwang.agents.api", "/v1/"),
    ("yiwang.hotline.open311", "/open311/v2/"),
]


def _mount() -> None:
    import importlib
    import importlib.util

    for module, prefix in ROUTERS:
        if importlib.util.find_spec(module) is not None:
            api.add_router(prefix, importlib.import_module(module).router)


_mount()
