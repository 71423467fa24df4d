"""Pages of case documents: download for who may read the case, the receipt from the progress lookup,
and the public verification page."""

from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from yiwang.cases import selectors as case_selectors
from yiwang.cases.views import domain_pages
from yiwang.core.audit import audit_read

from . import selectors


def _pdf_response(doc) -> HttpResponse:
    response = HttpResponse(bytes(doc.pdf), content_type="application/pdf")
    name = selectors.document_download_name(doc)
    response["Content-Disposition"] = (
        f"attachment; filename=\"document-{doc.pk}.pdf\"; filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def read_response(request, case, doc) -> HttpResponse:
    """A staff or applicant read of a case's document: audited as a read of the case, then the PDF."""
    audit_read(request, object_type="case", object_id=case.number, subject_user_id=case.applicant.user_id,
               detail={"document": doc.number})
    return _pdf_response(doc)


@domain_pages
def document_file(request, number: str, pk: int):
    """A document of the case, for the applicant, their agent and the case's units only."""
    if not request.user.is_authenticated:
        raise PermissionDenied("请先登录后下载文书")
    case = case_selectors.case_get(number, user=request.user)
    doc = selectors.document_of_case(case, pk)
    if doc is None:
        raise Http404("文书不存在")
    return read_response(request, case, doc)


def receipt_file(request, token: str):
    """The receipt offered by the progress lookup: a signed link, valid one hour, to that receipt only."""
    doc = selectors.receipt_from_token(token)
    if doc is None:
        raise Http404("链接无效或已过期，请重新查询办件进度")
    return _pdf_response(doc)


@require_http_methods(["GET", "POST"])
def verify(request, code: str = ""):
    """Whether a document is genuine, by its verification code (the QR code) or its number; a PDF sent
    with the form is compared with the one issued."""
    number = (request.GET.get("number") or request.POST.get("number") or "").strip()
    upload = request.FILES.get("file") if request.method == "POST" else None
    result, status = None, 200
    if code or number:
        result = selectors.document_verify(
            code=code, number=number, file_bytes=upload.read(20 * 1024 * 1024) if upload else None
        )
        status = 200 if result.document else 404
    return render(
        request, "documents/verify.html", {"result": result, "number": number, "code": code}, status=status
    )
