"""GET /api/v1/licences?holder=, /licences/{identifier}, /licences/{identifier}/verify (public),
/licences/{identifier}/pdf."""

from django.http import HttpResponse
from ninja import Router

from yiwang.core.auth import require_user
from yiwang.core.errors import DomainError, Forbidden, NotFound

from .pdf import licence_pdf
from .selectors import (
    licence_data,
    licence_get,
    licence_verify,
    licences_of_holder,
    licences_of_user,
    user_can_see,
    user_holds,
    user_is_staff,
)
from .urlsupport import public_base_url

router = Router(tags=["电子证照"])


def _visible(request, identifier: str):
    user = require_user(request)
    licence = licence_get(identifier)
    if licence is None:
        raise NotFound("identifier：未找到该证照", field="identifier")
    if not user_can_see(user, licence):
        raise Forbidden("无权查看该证照（仅持证主体本人和工作人员可查看）")
    return licence


@router.get("/licences", summary="按持证主体查询证照（工作人员或持证主体本人）")
def licences_list(request, holder: str | None = None):
    user = require_user(request)
    base = public_base_url(request)
    if holder:
        holder = holder.strip().upper()
        if not (user_is_staff(user) or user_holds(user, holder)):
            raise Forbidden("holder：只能查询本人（本企业）的证照", field="holder")
        qs = licences_of_holder(holder)
    elif user_is_staff(user):
        raise DomainError("holder：请提供持证主体的证件号码或统一社会信用代码", field="holder", code="required")
    else:
        qs = licences_of_user(user)
    return {"items": [licence_data(lic, base_url=base) for lic in qs.order_by("-issue_date", "-id")[:500]]}


@router.get("/licences/{identifier}", summary="证照详情（工作人员或持证主体本人）")
def licence_detail(request, identifier: str):
    licence = _visible(request, identifier)
    return licence_data(licence, base_url=public_base_url(request))


@router.get("/licences/{identifier}/verify", summary="核验证照（公开）", auth=None)
def licence_verify_api(request, identifier: str):
    return licence_verify(identifier, base_url=public_base_url(request))


@router.get("/licences/{identifier}/pdf", summary="证照 PDF（工作人员或持证主体本人）")
def licence_pdf_api(request, identifier: str):
    licence = _visible(request, identifier)
    base = public_base_url(request)
    response = HttpResponse(licence_pdf(licence, verify_url=f"{base}/verify/{licence.identifier}"),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.identifier}.pdf"'
    return response
