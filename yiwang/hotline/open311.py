"""Open311 GeoReport v2 on the hotline's categories (services) and requests.

Mounted twice: under /api/open311/v2/ (this ninja router, so it is in the OpenAPI document) and at
/open311/v2/ (hotline/urls.py), where GeoReport clients expect it. The format is the suffix
(.json or .xml); errors are an array of {code, description} (JSON) or <errors><error>… (XML) with
the HTTP status the spec gives (400, 403, 404). POST needs `api_key`: a platform API token
(POST /api/v1/auth/token) of a user who may take hotline requests.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from ninja import Router

from yiwang.core.auth import _hash
from yiwang.core.errors import DomainError
from yiwang.core.models import ApiToken
from yiwang.organisations.models import Region

from . import selectors, services
from .models import Category, Kind, Request, Status

router = Router(tags=["open311"])

CLOSED = {Status.CLOSED, Status.MERGED}
FORMATS = {"json", "xml"}
KIND_VALUES = [(k.value, k.label) for k in Kind]


class Open311Error(Exception):
    def __init__(self, status: int, code: str | int, description: str):
        self.status, self.code, self.description = status, str(code), description


# --- rendering -------------------------------------------------------------------------------------

def _xml_value(parent: ET.Element, key: str, value) -> None:
    if isinstance(value, list):
        container = ET.SubElement(parent, key)
        child = key[:-1] if key.endswith("s") else "item"
        for v in value:
            _xml_elem(container, child, v)
        return
    _xml_elem(parent, key, value)


def _xml_elem(parent: ET.Element, tag: str, value) -> None:
    el = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for k, v in value.items():
            _xml_value(el, k, v)
    elif value is None:
        pass
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    else:
        el.text = str(value)


def render(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        for row in rows:
            _xml_elem(top, item, row)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(rows, ensure_ascii=False, default=str), status=status,
                        content_type="application/json; charset=utf-8")


def render_one(fmt: str, root: str, row: dict) -> HttpResponse:
    """A single document (service definition): JSON is the object itself, XML its root element."""
    if fmt == "xml":
        top = ET.Element(root)
        for k, v in row.items():
            _xml_value(top, k, v)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(row, ensure_ascii=False), content_type="application/json; charset=utf-8")


def error(fmt: str, exc: Open311Error) -> HttpResponse:
    return render(fmt if fmt in FORMATS else "xml", "errors", "error",
                  [{"code": exc.code, "description": exc.description}], status=exc.status)


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds") if dt else None


def _service(c: Category) -> dict:
    return {"service_code": c.code, "service_name": c.name, "description": c.description or c.name,
            "metadata": True, "type": "realtime", "keywords": ",".join(c.keywords.split()),
            "group": c.parent.name if c.parent_id else ""}


def _request_row(r: Request) -> dict:
    """A GeoReport request from the public view (selectors.public_view): no requester, no content."""
    v = selectors.public_view(r)
    notes = {Status.CLOSED: v["reply"], Status.MERGED: "重复诉求，已并入其他工单"}.get(r.status, v["status_name"])
    return {
        "service_request_id": v["number"], "status": "closed" if v["closed"] else "open", "status_notes": notes,
        "service_name": v["category_name"], "service_code": v["category"], "description": "",
        "agency_responsible": v["unit_name"], "service_notice": "",
        "requested_datetime": _iso(v["received_at"]), "updated_datetime": _iso(v["updated_at"]),
        "expected_datetime": _iso(v["deadline_at"]), "address": v["location"], "address_id": "", "zipcode": "",
        "lat": v["lat"], "long": v["long"], "media_url": "",
    }


# --- handlers (plain functions, shared by both mounts) ---------------------------------------------

def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, 404, f"不支持的格式“{fmt}”，请使用 .json 或 .xml")
    return fmt


def _leaf_categories():
    return Category.objects.filter(active=True, children__isnull=True).select_related("parent").order_by("code")


def _category(code: str) -> Category:
    c = _leaf_categories().filter(code=code).first()
    if c is None:
        raise Open311Error(404, 404, f"service_code “{code}” 不存在")
    return c


def do_discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    return render_one(fmt, "discovery", {
        "changeset": "2026-01-01T00:00:00+08:00", "contact": "12345政务服务便民热线",
        "key_service": "接口令牌：POST /api/v1/auth/token",
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                       "changeset": "2026-01-01T00:00:00+08:00", "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    })


def do_services(request, fmt):
    return render(fmt, "services", "service", [_service(c) for c in _leaf_categories()])


def do_definition(request, code, fmt):
    c = _category(code)
    return render_one(fmt, "service_definition", {
        "service_code": c.code,
        "attributes": [
            {"variable": True, "code": "kind", "datatype": "singlevaluelist", "required": False,
             "datatype_description": "诉求类型，默认投诉", "order": 1, "description": "诉求类型",
             "values": [{"key": k, "name": n} for k, n in KIND_VALUES]},
            {"variable": True, "code": "title", "datatype": "string", "required": False,
             "datatype_description": "", "order": 2, "description": "诉求标题"},
        ],
    })


def _api_user(key: str):
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first() if key else None
    if token is None or not token.user.is_active:
        raise Open311Error(403, 403, "api_key 缺失或无效")
    if not services.is_operator(token.user):
        raise Open311Error(403, 403, "api_key 所属账号无权提交热线工单")
    return token.user


def do_post(request, fmt):
    data = request.POST
    user = _api_user(data.get("api_key", ""))
    code = data.get("service_code", "")
    if not code:
        raise Open311Error(400, 400, "缺少 service_code")
    category = _category(code)
    lat, long_, address = data.get("lat", ""), data.get("long", ""), data.get("address_string", "")
    if not ((lat and long_) or address or data.get("address_id")):
        raise Open311Error(400, 400, "缺少位置：lat 和 long、address_string 或 address_id 至少一项")
    try:
        lat_d = Decimal(lat) if lat else None
        long_d = Decimal(long_) if long_ else None
    except InvalidOperation:
        raise Open311Error(400, 400, "lat/long 不是数字") from None
    description = data.get("description", "")
    kind = data.get("attribute[kind]", "") or "complaint"
    name = " ".join(x for x in [data.get("last_name", ""), data.get("first_name", "")] if x)
    try:
        req = services.request_create(
            kind=kind, channel="open311", category=category, region=Region.objects.get(code=_site_region()),
            title=data.get("attribute[title]", "") or description[:30] or category.name, content=description,
            actor=user, requester_name=name, phone=data.get("phone", ""), email=data.get("email", ""),
            address=address, lat=lat_d, long=long_d,
        )
    except DomainError as exc:
        raise Open311Error(400, exc.field or 400, exc.message) from None
    return render(fmt, "service_requests", "request", [
        {"service_request_id": req.number, "service_notice": f"已受理，预计 {_iso(req.deadline_at)} 前办结",
         "account_id": ""}])


def _site_region() -> str:
    from django.conf import settings

    return settings.YIWANG_SITE_REGION


def _date(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        dt = parse_datetime(value)
    except ValueError:  # well-formed but impossible: 2026-02-30
        dt = None
    if dt is None:
        raise Open311Error(400, 400, f"{name} 应为 W3C 格式时间，例如 2026-01-01T00:00:00+08:00")
    return dt if dt.tzinfo else timezone.make_aware(dt)


def do_list(request, fmt):
    q = request.GET
    qs = selectors.public_requests()
    ids = [x for x in q.get("service_request_id", "").split(",") if x]
    if ids:
        qs = qs.filter(number__in=ids)
    else:
        codes = [x for x in q.get("service_code", "").split(",") if x]
        if codes:
            qs = qs.filter(category__code__in=codes)
        end = _date(q.get("end_date", ""), "end_date") or timezone.now()
        start = _date(q.get("start_date", ""), "start_date") or end - timedelta(days=90)
        if end - start > timedelta(days=90):
            raise Open311Error(400, 400, "start_date 与 end_date 之间不能超过 90 天")
        qs = qs.filter(received_at__gte=start, received_at__lte=end)
        status = q.get("status", "")
        if status:
            wanted = {s.strip() for s in status.split(",")}
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, 400, "status 只能是 open 或 closed")
            if wanted == {"open"}:
                qs = qs.exclude(status__in=CLOSED)
            elif wanted == {"closed"}:
                qs = qs.filter(status__in=CLOSED)
    return render(fmt, "service_requests", "request", [_request_row(r) for r in qs[:1000]])


def do_one(request, number, fmt):
    r = selectors.public_request(number)
    if r is None:
        raise Open311Error(404, 404, f"service_request_id “{number}” 不存在")
    return render(fmt, "service_requests", "request", [_request_row(r)])


def do_token(request, token, fmt):
    r = Request.objects.filter(token=token).first()
    if r is None:
        raise Open311Error(404, 404, "token 不存在")
    return render(fmt, "service_requests", "request", [{"service_request_id": r.number, "token": token}])


def handle(fn, request, *args, fmt: str):
    try:
        return fn(request, *args, _fmt(fmt))
    except Open311Error as exc:
        return error(fmt, exc)


# --- Django views for /open311/v2/ ----------------------------------------------------------------

def view_discovery(request: HttpRequest, fmt: str):
    return handle(do_discovery, request, fmt=fmt)


def view_services(request: HttpRequest, fmt: str):
    return handle(do_services, request, fmt=fmt)


def view_definition(request: HttpRequest, code: str, fmt: str):
    return handle(do_definition, request, code, fmt=fmt)


@csrf_exempt
def view_requests(request: HttpRequest, fmt: str):
    if request.method == "POST":
        return handle(do_post, request, fmt=fmt)
    return handle(do_list, request, fmt=fmt)


def view_request(request: HttpRequest, number: str, fmt: str):
    return handle(do_one, request, number, fmt=fmt)


def view_token(request: HttpRequest, token: str, fmt: str):
    return handle(do_token, request, token, fmt=fmt)


# --- the same under /api/open311/v2/ (documented in OpenAPI) ---------------------------------------
# Refusals come in GeoReport's own format ([{code, description}], JSON or XML by the fmt), not ErrorOut.
_GEOREPORT_ERRORS = {"responses": {code: {"description": f"GeoReport v2 error list ({text})"} for code, text in
                                   ((400, "bad input"), (403, "api_key"), (404, "unknown format or id"))}}

@router.get("/discovery.{fmt}", openapi_extra=_GEOREPORT_ERRORS, summary="GeoReport v2 service discovery", include_in_schema=True)
def api_discovery(request, fmt: str):
    return view_discovery(request, fmt)


@router.get("/services.{fmt}", openapi_extra=_GEOREPORT_ERRORS, summary="GeoReport v2 service list")
def api_services(request, fmt: str):
    return view_services(request, fmt)


@router.get("/services/{code}.{fmt}", openapi_extra=_GEOREPORT_ERRORS, summary="GeoReport v2 service definition")
def api_definition(request, code: str, fmt: str):
    return view_definition(request, code, fmt)


@router.api_operation(["GET", "POST"], "/requests.{fmt}", openapi_extra=_GEOREPORT_ERRORS, summary="GeoReport v2 requests: list (GET) or create (POST, api_key)")
def api_requests(request, fmt: str):
    return view_requests(request, fmt)


@router.get("/requests/{number}.{fmt}", openapi_extra=_GEOREPORT_ERRORS, summary="GeoReport v2 one request")
def api_request(request, number: str, fmt: str):
    return view_request(request, number, fmt)


@router.get("/tokens/{token}.{fmt}", openapi_extra=_GEOREPORT_ERRORS, summary="GeoReport v2 request id from token")
def api_token(request, token: str, fmt: str):
    return view_token(request, token, fmt)
