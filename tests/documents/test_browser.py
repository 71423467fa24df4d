"""In a browser: the applicant downloads the 受理通知书 from their case page; the clerk's case page and
the anonymous progress lookup list what they may; at 1280 px and at 390 px (no horizontal scroll)."""

import os

from tests.conftest import login
from tests.documents.conftest import accept, relay, submit
from yiwang.documents.models import CaseDocument
from yiwang.documents.models import DocumentKind as K


def _both_widths(page, shot, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    shot(f"{name}-1280")


def test_the_applicant_downloads_the_acceptance_notice_from_the_case_page(
    browser_page, artifacts_dir, tmp_path
):
    page = browser_page

    def shot(name: str) -> None:
        page.screenshot(path=os.path.join(artifacts_dir, f"documents-{name}.png"), full_page=True)

    case = accept(submit())
    relay()
    notice = CaseDocument.objects.get(case=case, kind=K.ACCEPTANCE)

    login(page, "xtcy")
    page.goto(f"{page.base_url}/me/cases/{case.number}/")
    listed = page.inner_text("[data-testid=documents]")
    assert "受理通知书" in listed and notice.number in listed and "收件回执" in listed
    _both_widths(page, shot, "1-applicant")
    with page.expect_download() as info:
        page.click("[data-testid=documents] a:text('受理通知书')")
    path = tmp_path / "notice.pdf"
    info.value.save_as(path)
    assert path.read_bytes() == bytes(notice.pdf) and path.read_bytes().startswith(b"%PDF-")
    assert info.value.suggested_filename.endswith(".pdf")

    page.goto(f"{page.base_url}/documents/verify/{notice.code}/")
    assert "真实有效" in page.inner_text("[data-testid=verdict]")
    _both_widths(page, shot, "2-verify")

    page.context.clear_cookies()
    login(page, "clerk")
    page.goto(f"{page.base_url}/workbench/cases/{case.number}/")
    assert notice.number in page.inner_text("[data-testid=documents]")
    _both_widths(page, shot, "3-workbench")

    page.context.clear_cookies()
    page.goto(f"{page.base_url}/progress/?number={case.number}&proof=8K2P6K")
    assert page.locator("[data-testid=receipt]").count() == 1
    assert notice.number not in page.content()
    _both_widths(page, shot, "4-progress")
    with page.expect_download() as info:
        page.click("[data-testid=receipt]")
    receipt = CaseDocument.objects.get(case=case, kind=K.RECEIPT)
    info.value.save_as(tmp_path / "receipt.pdf")
    assert (tmp_path / "receipt.pdf").read_bytes() == bytes(receipt.pdf)
