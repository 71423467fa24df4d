"""GET /api/v1/licences?holder=, /licences/{identifier}, /licences/{identifier}/verify (public),
/licences/{identifier}/pdf."""

from django.http import HttpResponse
from ninja import Router

from yiwang.core.audit import audit_read
from yiwang.core.auth import require_user
from yiwang.core.errors import DomainError, Forbidden, NotFound
from yiwang.core.workflow.api import refusals
from yiwang.organisations.selectors import staff_roles

from .pdf import licence_pdf
from .selectors import (
    LICENCE_READER_ROLES,
    licence_data,
    licence_get,
    licence_verify,
    licences_of_holder_for,
    licences_of_user,
    user_can_see,
)
from .urlsupport import public_base_url

router = Router(tags=["电子证照"])
# Refusals are 403, not 404: a licence's identifier is printed on it and /verify/ confirms to anyone
# that it exists, so a 404 would hide nothing; 403 is also what cases answer for another's case.
DENIED = "无权查看该证照：仅持证主体本人、颁发单位、正在办理该主体办件的单位和监管部门可以查看"


def _visible(request, identifier: str):
    user = require_user(request)
    licence = licence_get(identifier)
    if licence is None:
        raise NotFound("未找到该证照", field="identifier")
    if not user_can_see(user, licence):
        raise Forbidden(DENIED)
    return licence


@router.get("/licences", openapi_extra=refusals(401, 403), summary="按持证主体查询证照（持证主体本人；颁发单位、办理其办件的单位、监管部门；"
            "列表中的身份证号码打码）")
def licences_list(request, holder: str | None = None):
    user = require_user(request)
    base = public_base_url(request)
    if holder:
        qs = licences_of_holder_for(user, holder.strip().upper())
        if qs is None:
            raise Forbidden("无权查询该主体的证照（仅本人、颁发单位、正在办理其办件的单位和监管部门）",
                            field="holder")
    elif any(s.role in LICENCE_READER_ROLES for s in staff_roles(user)):
        raise DomainError("请提供持证主体的证件号码或统一社会信用代码", field="holder", code="required")
    else:
        qs = licences_of_user(user)
    rows = qs.order_by("-issue_date", "-id")[:500]
    return {"items": [licence_data(lic, masked=True, base_url=base) for lic in rows]}


@router.get("/licences/{identifier}", openapi_extra=refusals(401, 403, 404), summary="证照详情（工作人员或持证主体本人）")
def licence_detail(request, identifier: str):
    licence = _visible(request, identifier)
    audit_read(request, object_type="licence", object_id=identifier, subject_user_id=licence.holder.user_id)
    return licence_data(licence, base_url=public_base_url(request))


@router.get("/licences/{identifier}/verify", openapi_extra=refusals(404), summary="核验证照（公开）", auth=None)
def licence_verify_api(request, identifier: str):
    return licence_verify(identifier, base_url=public_base_url(request))


@router.get("/licences/{identifier}/pdf", openapi_extra=refusals(401, 403, 404), summary="证照 PDF（工作人员或持证主体本人）")
def licence_pdf_api(request, identifier: str):
    licence = _visible(request, identifier)
    base = public_base_url(request)
    response = HttpResponse(licence_pdf(licence, verify_url=f"{base}/verify/{licence.identifier}"),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.identifier}.pdf"'
    return response
