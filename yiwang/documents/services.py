"""Issuing a case's documents: numbered, rendered, sealed, recorded — once per causing event.

Run by the case workflow's after-commit reaction (documents.issue_for_case), from the outbox: in the
transaction that marks the outbox row sent, so the serial taken from the counter, the document row
and the mark commit together. A crash before that commit rolls the serial back with the rest (the
retry takes the same one: no number is burnt, the series stays contiguous); a second delivery finds
the document of that event and does nothing.
"""

from __future__ import annotations

import secrets

from django.utils import timezone

from yiwang.cases.models import Case, CaseEvent
from yiwang.core.numbering import counter_next
from yiwang.licences import crypto
from yiwang.licences.services import _sign, seal_for_unit
from yiwang.licences.urlsupport import public_base_url
from yiwang.organisations.models import Unit

from . import rules
from .content import document_content, issuing_unit
from .models import CaseDocument, DocumentCounter
from .models import DocumentKind as K
from .pdf import document_pdf


def serial_next(*, unit: Unit, kind: str, year: int) -> int:
    """The next serial of (unit, kind, year); only documents of the same series wait for each other."""
    return counter_next(counter=DocumentCounter, key={"unit": unit.pk, "kind": kind, "year": year})


def signed_message(*, number: str, kind: str, case_number: str, unit_code: str, pdf_sm3: str) -> bytes:
    """What the seal signs: the PDF's SM3 with the number, kind, case and unit it was issued as."""
    return crypto.canonical_json(
        {"number": number, "kind": kind, "case": case_number, "unit": unit_code, "pdf_sm3": pdf_sm3}
    )


def verify_path(code: str) -> str:
    return f"/documents/verify/{code}/"


def _qr(kind: str, case: Case, code: str) -> tuple[str, str]:
    base = public_base_url()
    if kind == K.RECEIPT:
        return f"{base}/progress/?number={case.number}", "扫码查询办理进度（需申请人手机号码或证件号码后6位）"
    return f"{base}{verify_path(code)}", "扫码核验文书真伪"


def _case_for_document(number: str) -> Case:
    return (
        Case.objects.select_related(
            "implementation",
            "applicant",
            "receiving_unit__region__parent",
            "in_name_of__region__parent",
            "remote_intake_unit__region__parent",
        )
        .prefetch_related("materials")
        .get(number=number)
    )


def document_issue(*, case_number: str, event_id: int, action: str) -> CaseDocument | None:
    """The document the event's action issues (None when it issues none); the one already issued
    for that event when there is one."""
    kind = rules.ISSUED_BY.get(action)
    if kind is None:
        return None
    done = CaseDocument.objects.filter(event_id=event_id, kind=kind).first()
    if done is not None:
        return done
    case = _case_for_document(case_number)
    event = CaseEvent.objects.select_related("actor", "actor_unit__region__parent").get(
        pk=event_id, case=case
    )
    unit = issuing_unit(case, kind, event)
    content = document_content(case, event, kind, unit)
    seal = seal_for_unit(unit)
    year = event.on.year
    # The serial last: its counter row stays locked until commit.
    serial = serial_next(unit=unit, kind=kind, year=year)
    number = rules.document_number(unit_name=unit.name, kind=kind, year=year, serial=serial)
    code = secrets.token_hex(8).upper()
    qr_data, qr_caption = _qr(kind, case, code)
    pdf = document_pdf(
        content,
        number=number,
        code=code,
        seal_name=seal.name,
        qr_data=qr_data,
        qr_caption=qr_caption,
        verify_url=f"{public_base_url()}{verify_path(code)}",
    )
    pdf_sm3 = crypto.sm3_hex(pdf)
    signature = _sign(
        seal,
        signed_message(
            number=number, kind=kind, case_number=case.number, unit_code=unit.code, pdf_sm3=pdf_sm3
        ),
    )
    return CaseDocument.objects.create(
        case=case,
        event=event,
        kind=kind,
        number=number,
        code=code,
        unit=unit,
        unit_name=unit.name,
        year=year,
        serial=serial,
        issued_at=timezone.now(),
        issued_on=event.on,
        content=content,
        pdf=pdf,
        pdf_sm3=pdf_sm3,
        seal=seal,
        signature=signature,
    )
