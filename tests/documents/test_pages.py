"""Who sees and downloads a case's documents: the applicant and the case's units on their pages and
over the API; anyone with the progress lookup's proof gets the receipt only; the public verification
page names the document and hides the applicant's full name; everyone else gets 403/404."""

import pytest
from django.test import Client

from tests.documents.conftest import accept, relay, submit, u
from yiwang.documents.models import CaseDocument
from yiwang.documents.models import DocumentKind as K

pytestmark = pytest.mark.django_db
PROOF = "8K2P6K"  # the last six characters of 湘潭示范餐饮有限公司's credit code


@pytest.fixture
def case():
    c = accept(submit())
    relay()
    return c


def client_of(username: str | None) -> Client:
    c = Client()
    if username:
        c.force_login(u(username))
    return c


def test_the_applicant_page_lists_the_documents_and_downloads_the_acceptance_notice(case):
    doc = CaseDocument.objects.get(case=case, kind=K.ACCEPTANCE)
    page = client_of("xtcy").get(f"/me/cases/{case.number}/").content.decode()
    assert "办件文书" in page and "受理通知书" in page and doc.number in page and "收件回执" in page
    r = client_of("xtcy").get(f"/cases/{case.number}/documents/{doc.pk}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content == bytes(doc.pdf)
    assert "attachment" in r["Content-Disposition"]


def test_the_staff_case_page_lists_the_documents(case):
    doc = CaseDocument.objects.get(case=case, kind=K.ACCEPTANCE)
    page = client_of("clerk").get(f"/workbench/cases/{case.number}/").content.decode()
    assert doc.number in page and f"/cases/{case.number}/documents/{doc.pk}.pdf" in page
    assert client_of("xtx-scjg").get(f"/cases/{case.number}/documents/{doc.pk}.pdf").status_code == 200


@pytest.mark.parametrize("who, status", [("xtkj", 403), ("xtx-ga", 403), (None, 403)])
def test_others_may_not_download_a_document(case, who, status):
    doc = CaseDocument.objects.get(case=case, kind=K.ACCEPTANCE)
    assert client_of(who).get(f"/cases/{case.number}/documents/{doc.pk}.pdf").status_code == status


def test_a_document_of_another_case_is_not_found_through_this_one(case):
    other = submit()
    relay()
    foreign = CaseDocument.objects.get(case=other)
    assert client_of("xtcy").get(f"/cases/{case.number}/documents/{foreign.pk}.pdf").status_code == 404


def test_the_api_lists_the_documents_in_the_case_detail_and_downloads_for_the_authorised(case):
    doc = CaseDocument.objects.get(case=case, kind=K.ACCEPTANCE)
    detail = client_of("xtcy").get(f"/api/v1/cases/{case.number}").json()
    listed = {d["kind"]: d for d in detail["documents"]}
    assert set(listed) == {K.RECEIPT, K.ACCEPTANCE}
    assert listed[K.ACCEPTANCE]["number"] == doc.number
    url = listed[K.ACCEPTANCE]["url"]
    r = client_of("xtcy").get(url)
    assert r.status_code == 200 and r.content == bytes(doc.pdf)
    assert client_of("xtkj").get(url).status_code == 403
    assert client_of(None).get(url).status_code == 401
    assert client_of("xtcy").get(f"/api/v1/cases/{case.number}/documents/999999/pdf").status_code == 404
    assert [d["kind"] for d in client_of("clerk").get(f"/api/v1/cases/{case.number}/documents").json()] == [
        K.RECEIPT,
        K.ACCEPTANCE,
    ]


def test_the_progress_lookup_offers_the_receipt_only(case):
    anon = client_of(None)
    page = anon.get("/progress/", {"number": case.number, "proof": PROOF}).content.decode()
    receipt = CaseDocument.objects.get(case=case, kind=K.RECEIPT)
    acceptance = CaseDocument.objects.get(case=case, kind=K.ACCEPTANCE)
    assert "下载收件回执" in page and acceptance.number not in page
    link = page.split('href="/progress/receipt/')[1].split('"')[0]
    r = anon.get(f"/progress/receipt/{link}")
    assert r.status_code == 200 and r.content == bytes(receipt.pdf)
    assert anon.get("/progress/receipt/forged.pdf").status_code == 404
    wrong = anon.get("/progress/", {"number": case.number, "proof": "000000"}).content.decode()
    assert "/progress/receipt/" not in wrong


def test_the_verify_page_shows_a_genuine_document_without_the_full_party_name(case):
    doc = CaseDocument.objects.get(case=case, kind=K.ACCEPTANCE)
    anon = client_of(None)
    for r in (
        anon.get(f"/documents/verify/{doc.code}/"),
        anon.get("/documents/verify/", {"number": doc.number}),
    ):
        page = r.content.decode()
        assert r.status_code == 200 and "真实有效" in page and doc.number in page and "受理通知书" in page
        assert "湘潭示范餐饮有限公司" not in page and "湘潭" in page
    r = anon.get("/documents/verify/", {"number": "湘潭县市监受字〔2026〕第9999号"})
    assert r.status_code == 404 and "未找到" in r.content.decode()
    api = anon.get("/api/v1/documents/verify", {"number": doc.number}).json()
    assert api["genuine"] is True and api["number"] == doc.number and api["party"] != "湘潭示范餐饮有限公司"


def test_the_verify_page_compares_a_file_with_the_issued_pdf(case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = CaseDocument.objects.get(case=case, kind=K.ACCEPTANCE)
    anon = Client(enforce_csrf_checks=False)
    same = anon.post(f"/documents/verify/{doc.code}/", {"file": SimpleUploadedFile("a.pdf", bytes(doc.pdf))})
    assert "与出具的文书一致" in same.content.decode()
    other = anon.post(f"/documents/verify/{doc.code}/", {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")})
    assert "与出具的文书不一致" in other.content.decode()


def test_the_clerk_ticks_the_materials_the_correction_notice_lists():
    case = submit()
    relay()
    c = client_of("clerk")
    page = c.get(f"/workbench/cases/{case.number}/").content.decode()
    assert 'name="materials" value="公司章程"' in page
    r = c.post(
        f"/cases/{case.number}/act/",
        {
            "action": "request_correction",
            "version": case.version,
            "reason": "请补正",
            "materials": ["公司章程"],
        },
    )
    assert r.status_code == 302
    relay()
    doc = CaseDocument.objects.get(case=case, kind=K.CORRECTION)
    assert doc.content["materials"] == ["公司章程"] and doc.content["body"][-1] == "补正说明：请补正"
