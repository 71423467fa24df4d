"""Bad input is a clear 4xx, never a 500 (issue 12, item 8).

`InputGuardMiddleware` refuses, before any view runs, a string that no column can store: a NUL
character (PostgreSQL refuses it, and the view would fail with a 500) or a lone UTF-16 surrogate (it
cannot be encoded, so SQLite stores it and the response fails). It looks at the path, the query, form
fields and JSON bodies, and names the field. A body over the size limit is a 413, and a database
`DataError` (a value too long or a number out of range that a schema let through) or an integer too
large for the database is a 400. Under /api/ the answer is {"error", "message", "field"} JSON;
elsewhere a short Chinese page.
"""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import DataError
from django.http import HttpResponse, JsonResponse

from yiwang.core.errors import error_body

# The field names of the API and the forms, by their Chinese labels.
FIELD_LABELS = {
    "title": "标题", "content": "内容", "phone": "联系电话", "email": "电子邮箱", "address": "地址",
    "requester_name": "诉求人", "name": "名称", "number": "证件号码", "kind": "类型", "channel": "渠道",
    "category": "分类", "region": "行政区划", "username": "用户名", "password": "密码", "q": "检索词",
    "page": "页码", "page_size": "每页条数", "item": "事项", "bundle": "一件事", "reason": "理由",
    "opinion": "意见", "reply": "答复内容", "legal_representative": "法定代表人", "form": "申请表",
    "applicant": "申请人", "start_date": "开始时间", "end_date": "结束时间", "service_code": "服务代码",
    "description": "描述", "agent_authorisation": "授权委托书", "text": "评价内容", "holder": "持证主体",
    "demand_items": "诉求事项", "level": "满意度", "path": "网址路径",
}


def ascii_int(value: str | None) -> int | None:
    """A form value as an integer when it is plain ASCII digits (not ² or ³, which str.isdigit() takes
    and int() refuses), else None."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def field_label(field: str | None) -> str:
    """"标题（title）" for a known field, the name itself otherwise; the last part of a dotted path."""
    if not field:
        return "请求"
    leaf = field.rsplit(".", 1)[-1]
    label = FIELD_LABELS.get(leaf)
    return f"{label}（{field}）" if label else f"字段 {field}"


def bad_char(text: str) -> str | None:
    if "\x00" in text:
        return "含有空字符（NUL），请删除后重试"
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return "含有无效的字符（不成对的 Unicode 代理项），请检查输入法或复制来源"
    return None


def find_bad(value, path: str = "") -> tuple[str, str] | None:
    """(field path, reason) of the first key or string in a JSON value that no column can store."""
    if isinstance(value, str):
        reason = bad_char(value)
        return (path, reason) if reason else None
    if isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}.{k}" if path else str(k)
            found = find_bad(str(k), sub) or find_bad(v, sub)
            if found:
                return found
    if isinstance(value, list):
        for i, v in enumerate(value):
            found = find_bad(v, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


def _in_querydict(qd) -> tuple[str, str] | None:
    for key, values in qd.lists():
        found = find_bad(key, key) or next((f for f in (find_bad(v, key) for v in values) if f), None)
        if found:
            return found
    return None


def refuse(request, status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code, message, field), status=status,
                            json_dumps_params={"ensure_ascii": False})
    return HttpResponse(f"<!doctype html><meta charset='utf-8'><title>请求有误</title><p>{message}</p>",
                        status=status, content_type="text/html; charset=utf-8")


def _body_problem(request) -> tuple[str, str] | None:
    content_type = request.content_type or ""
    if content_type == "application/json" and request.body:
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError):
            return None  # the API says "not valid JSON" itself
        return find_bad(data)
    if request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _in_querydict(request.POST)
    return None


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            found = find_bad(request.path, "path") or _in_querydict(request.GET) or _body_problem(request)
        except RequestDataTooBig:
            return refuse(request, 413, "too_large", "请求内容过大，超过允许的大小")
        except (TooManyFieldsSent, SuspiciousOperation):
            return refuse(request, 400, "invalid", "请求格式不正确（字段过多或格式异常）")
        if found:
            field, reason = found
            return refuse(request, 400, "invalid", f"{field_label(field)}{reason}", field)
        return self.get_response(request)

    def process_exception(self, request, exc):
        """What a schema let through and the database refused: a 400, not a 500."""
        if isinstance(exc, DataError | OverflowError):
            return refuse(request, 400, "invalid", "输入的内容超出允许的范围（过长或数值过大），请检查后重试")
        if isinstance(exc, RequestDataTooBig):
            return refuse(request, 413, "too_large", "请求内容过大，超过允许的大小")
        return None
