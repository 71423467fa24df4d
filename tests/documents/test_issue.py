"""The documents a hall prints: each made by its action exactly once, after commit (also across a
relay crash), numbered without gaps per unit, kind and year, saying what it must, and sealed."""

from datetime import date

import pytest
from django.db import connection

from tests.conftest import assert_history_append_only, relay_killed_at_mark
from tests.documents.conftest import (
    GZKZBA,
    accept,
    decide,
    needs_poppler,
    pdf_text,
    relay,
    submit,
    u,
)
from yiwang.cases import services
from yiwang.core.models import OutboxMessage
from yiwang.core.workflow import REACTION_TOPIC
from yiwang.documents import selectors
from yiwang.documents.models import CaseDocument, DocumentCounter
from yiwang.documents.models import DocumentKind as K

pytestmark = pytest.mark.django_db

REMEDY = (
    "如不服本决定，可以自收到本决定书之日起六十日内向湘潭县人民政府申请行政复议，"
    "或者自收到本决定书之日起六个月内向湘潭县人民法院提起行政诉讼。"
)


def kinds(case) -> list[str]:
    return list(CaseDocument.objects.filter(case=case).order_by("id").values_list("kind", flat=True))


def test_each_step_issues_its_document_after_commit_and_once():
    case = submit()
    assert kinds(case) == [], "issued after commit, by the relay"
    relay()
    assert kinds(case) == [K.RECEIPT]
    case = accept(case)
    relay()
    case = decide(case)
    relay()
    case = services.case_act(case=case, actor=u("clerk"), action="deliver", data={"method": "window"})
    relay()
    relay()
    assert kinds(case) == [K.RECEIPT, K.ACCEPTANCE, K.APPROVAL, K.DELIVERY]
    for doc in CaseDocument.objects.filter(case=case).select_related("event"):
        assert doc.event.case_id == case.pk
        assert {K.RECEIPT: "submit", K.ACCEPTANCE: "accept", K.APPROVAL: "approve", K.DELIVERY: "deliver"}[
            doc.kind
        ] == doc.event.action


def test_correction_refusal_and_denial_issue_their_documents():
    corrected = submit()
    services.case_act(
        case=corrected,
        actor=u("clerk"),
        action="request_correction",
        reason="请补正股东会决议",
        data={"materials": ["公司章程"]},
    )
    refused = submit()
    services.case_act(case=refused, actor=u("clerk"), action="refuse", reason="不属于本机关职权范围")
    denied = accept(submit())
    decide(denied, "deny", reason="名称与已登记企业相同")
    relay()
    assert kinds(corrected)[-1] == K.CORRECTION
    assert kinds(refused)[-1] == K.REFUSAL
    assert kinds(denied)[-1] == K.DENIAL


def test_an_instant_item_gets_its_acceptance_and_its_decision_at_once():
    case = accept(submit(GZKZBA))
    relay()
    assert kinds(case) == [K.RECEIPT, K.ACCEPTANCE, K.APPROVAL]


def test_the_document_survives_a_relay_crash_and_is_issued_once_with_its_number_not_burnt(monkeypatch):
    """The acceptance commits with its outbox row; the relay dies before marking it sent (the document
    and the serial it took roll back with it); a restarted relay issues it once, with serial 1."""
    case = submit()
    relay()
    case = accept(case)
    row = OutboxMessage.objects.get(
        topic=REACTION_TOPIC,
        payload__key=case.number,
        payload__action="accept",
        payload__reaction="documents.issue_for_case",
    )
    relay_killed_at_mark(monkeypatch, row, relay)
    assert not CaseDocument.objects.filter(case=case, kind=K.ACCEPTANCE).exists()
    assert not DocumentCounter.objects.filter(kind=K.ACCEPTANCE).exists(), "the serial rolled back too"
    relay()
    relay()
    doc = CaseDocument.objects.get(case=case, kind=K.ACCEPTANCE)
    assert doc.serial == 1 and doc.number == "湘潭县市监受字〔2026〕第0001号"
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1


def test_a_second_delivery_of_the_reaction_issues_nothing_new():
    from yiwang.documents.services import document_issue

    case = accept(submit())
    relay()
    event = case.events.get(action="accept")
    again = document_issue(case_number=case.number, event_id=event.pk, action="accept")
    assert CaseDocument.objects.filter(case=case, kind=K.ACCEPTANCE).count() == 1
    assert again.serial == 1


def test_numbers_run_without_gaps_per_unit_kind_and_year():
    cases = [accept(submit()) for _ in range(3)]
    relay()
    serials = list(
        CaseDocument.objects.filter(kind=K.ACCEPTANCE).order_by("serial").values_list("serial", flat=True)
    )
    assert serials == [1, 2, 3]
    numbers = [CaseDocument.objects.get(case=c, kind=K.ACCEPTANCE).number for c in cases]
    assert numbers == [f"湘潭县市监受字〔2026〕第000{i}号" for i in (1, 2, 3)]
    # receipts are their own series; 公章刻制备案 is the police's, its own series too
    assert CaseDocument.objects.filter(kind=K.RECEIPT).count() == 3
    other = accept(submit(GZKZBA))
    relay()
    police = CaseDocument.objects.get(case=other, kind=K.ACCEPTANCE)
    assert police.serial == 1 and police.number == "湘潭县公受字〔2026〕第0001号"
    new_year = date(2027, 1, 5)
    nxt = accept(submit(day=new_year), day=new_year)
    relay()
    assert CaseDocument.objects.get(case=nxt, kind=K.ACCEPTANCE).number == "湘潭县市监受字〔2027〕第0001号"


def test_the_seal_verifies_and_a_changed_pdf_does_not():
    case = accept(submit())
    relay()
    doc = CaseDocument.objects.get(case=case, kind=K.ACCEPTANCE)
    ok = selectors.document_verify(code=doc.code)
    assert ok.genuine and ok.document == doc
    assert selectors.document_verify(number=doc.number, file_bytes=bytes(doc.pdf)).file_matches is True
    assert selectors.document_verify(number=doc.number, file_bytes=b"%PDF-1.4 other").file_matches is False
    table = connection.ops.quote_name(CaseDocument._meta.db_table)
    with connection.cursor() as cursor:  # behind the model's back, as a tampered database would be
        cursor.execute(f"UPDATE {table} SET pdf_sm3 = %s WHERE id = %s", ["0" * 64, doc.pk])
    assert not selectors.document_verify(code=doc.code).genuine
    assert not selectors.document_verify(code="NOSUCHCODE").document


def test_documents_are_append_only():
    case = submit()
    relay()
    assert_history_append_only(CaseDocument.objects.get(case=case))


@needs_poppler
def test_the_pdfs_say_the_case_the_party_the_item_the_missing_materials_and_the_remedy(tmp_path):
    corrected = submit()
    services.case_act(
        case=corrected,
        actor=u("clerk"),
        action="request_correction",
        reason="材料不全",
        data={"materials": ["公司章程", "住所（经营场所）使用证明"]},
    )
    tolerated = accept(submit(), tolerate=["住所（经营场所）使用证明"])
    denied = accept(submit())
    decide(denied, "deny", reason="名称与已登记企业相同")
    relay()

    def text(case, kind):
        return pdf_text(bytes(CaseDocument.objects.get(case=case, kind=kind).pdf), tmp_path)

    notice = text(corrected, K.CORRECTION)
    for part in (
        corrected.number,
        "湘潭示范餐饮有限公司",
        "企业设立登记",
        "一次性告知书",
        "公司章程",
        "住所（经营场所）使用证明",
        "湘潭县市监补告字〔2026〕第0001号",
    ):
        assert part in notice, part
    accepted = text(tolerated, K.ACCEPTANCE)
    assert "容缺补交材料" in accepted and "住所（经营场所）使用证明" in accepted and "予以受理" in accepted
    denial = text(denied, K.DENIAL)
    assert denied.number in denial and "名称与已登记企业相同" in denial and REMEDY in denial
    approved = accept(submit())
    decide(approved)
    relay()
    assert REMEDY in text(approved, K.APPROVAL)
    receipt = text(approved, K.RECEIPT)
    assert "收件回执" in receipt and "扫码查询办理进度" in receipt


def test_correction_lists_the_required_materials_not_yet_given_when_the_clerk_names_none():
    from yiwang.catalogue.models import ItemImplementation

    case = submit()
    services.case_act(case=case, actor=u("clerk"), action="request_correction", reason="请补齐材料")
    relay()
    doc = CaseDocument.objects.get(case=case, kind=K.CORRECTION)
    impl = ItemImplementation.objects.get(impl_code=case.implementation.impl_code)
    required = [m.name for m in impl.item.materials.filter(source="applicant", required=True)]
    shared = {s["material"] for s in case.shared_materials.get("satisfied", [])}
    assert doc.content["materials"] == [m for m in required if m not in shared]
    assert doc.content["materials"], "the demo item asks the applicant for some material"
