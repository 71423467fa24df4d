"""Reading case documents: a case's list, one for download (only for who may read the case), the
public verification by verification code or number, and the receipt link of the progress lookup."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from yiwang.licences import crypto

from . import rules
from .models import CaseDocument
from .models import DocumentKind as K

RECEIPT_SALT = "yiwang.documents.receipt"
RECEIPT_LINK_SECONDS = 3600


def case_documents(case) -> list[CaseDocument]:
    """The case's documents in the order issued, without their PDFs."""
    if "documents" in getattr(case, "_prefetched_objects_cache", {}):
        return list(case.documents.all())
    return list(CaseDocument.objects.filter(case=case).defer("pdf").order_by("issued_at", "id"))


def document_of_case(case, pk: int) -> CaseDocument | None:
    """A document of a case the caller has already been allowed to read (cases.selectors.case_get)."""
    return CaseDocument.objects.filter(case=case, pk=pk).first()


def document_download_name(doc: CaseDocument) -> str:
    return f"{doc.get_kind_display()}-{doc.case.number}-{doc.year}-{doc.serial:04d}.pdf"


@dataclass
class Verification:
    genuine: bool
    reason: str
    document: CaseDocument | None = None
    party_masked: str = ""
    file_matches: bool | None = None  # a file the verifier sent: its SM3 is the issued PDF's


def _lookup(*, code: str = "", number: str = "") -> CaseDocument | None:
    qs = CaseDocument.objects.select_related("seal", "case")
    if code:
        return qs.filter(code=code.strip().upper()[:20]).first()
    if number:
        return qs.filter(number=number.strip()[:96]).first()
    return None


def document_verify(*, code: str = "", number: str = "", file_bytes: bytes | None = None) -> Verification:
    """Whether the document is genuine: the stored PDF's SM3 is the recorded one and the seal's SM2
    signature over it (with its number, kind, case and unit) verifies with the seal's public key."""
    from .services import signed_message

    doc = _lookup(code=code, number=number)
    if doc is None:
        return Verification(False, "未找到该文书编号或核验码，请核对后重试")
    pdf = bytes(doc.pdf)
    message = signed_message(
        number=doc.number,
        kind=doc.kind,
        case_number=doc.case.number,
        unit_code=doc.unit.code,
        pdf_sm3=doc.pdf_sm3,
    )
    ok = crypto.sm3_hex(pdf) == doc.pdf_sm3 and crypto.verify(doc.seal.public_key, message, doc.signature)
    matches = None if file_bytes is None else crypto.sm3_hex(file_bytes) == doc.pdf_sm3
    reason = (
        f"文书与{doc.seal.name}的电子签名一致，系本平台出具。"
        if ok
        else "文书记录与电子签名不一致，可能已被篡改，请联系出具单位"
    )
    return Verification(ok, reason, doc, rules.mask_name(doc.content.get("party_name", "")), matches)


def receipt_token(doc: CaseDocument) -> str:
    return signing.dumps({"d": doc.pk}, salt=RECEIPT_SALT, compress=True)


def receipt_for_progress(case_number: str) -> CaseDocument | None:
    """The receipt (回执) the progress lookup offers once number and proof matched."""
    return (
        CaseDocument.objects.filter(case__number=case_number, kind=K.RECEIPT)
        .defer("pdf")
        .order_by("issued_at")
        .first()
    )


def receipt_from_token(token: str) -> CaseDocument | None:
    try:
        data = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_LINK_SECONDS)
    except signing.BadSignature:
        return None
    return CaseDocument.objects.filter(pk=data.get("d"), kind=K.RECEIPT).select_related("case").first()
