"""Case documents over JSON: a case's list and a document's PDF for who may read the case; the
public verification of a document by its number or verification code."""

from django.http import HttpResponse
from ninja import Router

from yiwang.cases import selectors as case_selectors
from yiwang.core.auth import require_user
from yiwang.core.errors import NotFound
from yiwang.core.workflow.api import refusals

from . import selectors
from .views import read_response

router = Router(tags=["办件文书"])


def _out(case, d) -> dict:
    return {
        "id": d.pk,
        "kind": d.kind,
        "label": d.get_kind_display(),
        "number": d.number,
        "issued_on": d.issued_on,
        "unit": d.unit_name,
        "pdf_sm3": d.pdf_sm3,
        "url": f"/api/v1/cases/{case.number}/documents/{d.pk}/pdf",
        "verify_url": f"/documents/verify/{d.code}/",
    }


@router.get(
    "/cases/{number}/documents",
    openapi_extra=refusals(401, 403, 404),
    response=list[dict],
    summary="办件文书列表（受理通知书、一次性告知书、决定书、送达回证、回执）",
)
def document_list(request, number: str):
    case = case_selectors.case_get(number, user=require_user(request))
    return [_out(case, d) for d in selectors.case_documents(case)]


@router.get(
    "/cases/{number}/documents/{document_id}/pdf",
    openapi_extra=refusals(401, 403, 404),
    summary="下载办件文书 PDF（申请人、代办人及经办单位）",
)
def document_pdf(request, number: str, document_id: int) -> HttpResponse:
    case = case_selectors.case_get(number, user=require_user(request))
    doc = selectors.document_of_case(case, document_id)
    if doc is None:
        raise NotFound("文书不存在", field="document_id", code="document_not_found")
    return read_response(request, case, doc)


@router.get("/documents/verify", openapi_extra=refusals(404), auth=None, summary="核验办件文书（公开）")
def document_verify(request, number: str = "", code: str = ""):
    result = selectors.document_verify(code=code, number=number)
    if result.document is None:
        raise NotFound(result.reason, field="number", code="document_not_found")
    d = result.document
    return {
        "genuine": result.genuine,
        "reason": result.reason,
        "number": d.number,
        "kind": d.kind,
        "label": d.get_kind_display(),
        "unit": d.unit_name,
        "issued_on": d.issued_on,
        "item": d.content.get("item"),
        "party": result.party_masked,
        "seal": d.seal.name,
        "pdf_sm3": d.pdf_sm3,
    }
