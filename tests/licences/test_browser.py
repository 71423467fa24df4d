import os

import pytest

pytestmark = pytest.mark.browser


def test_verification_page_shows_valid_then_revoked_with_reason(browser_page, artifacts_dir):
    from yiwang.licences.services import licence_issue, licence_revoke
    from yiwang.organisations.models import Unit
    from yiwang.parties.models import Party

    licence = licence_issue(
        licence_type_name="营业执照", holder=Party.objects.get(number="91430321MA4L16JQ95"),
        issuer=Unit.objects.get(code="XTX-SCJG"),
        content={"名称": "湘潭示范科技有限公司", "注册资本": "100万元"},
    )
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{page.base_url}/verify/{licence.identifier}")
    verdict = page.get_by_test_id("verdict")
    assert verdict.inner_text().startswith("有效")
    assert verdict.evaluate("e => getComputedStyle(e).color") == "rgb(19, 122, 46)"
    assert "湘潭示范科技有限公司" in page.content()
    page.screenshot(path=os.path.join(artifacts_dir, "licence-verify-valid.png"), full_page=True)

    licence_revoke(licence=licence, reason="告知承诺核查不实")
    page.reload()
    assert page.get_by_test_id("verdict").inner_text().startswith("无效")
    assert page.get_by_test_id("reason").inner_text() == "证照已撤销：告知承诺核查不实"
    assert page.get_by_test_id("verdict").evaluate("e => getComputedStyle(e).color") == "rgb(179, 20, 27)"
    page.screenshot(path=os.path.join(artifacts_dir, "licence-verify-revoked.png"), full_page=True)


def test_applicant_downloads_a_licence_pdf_from_my_licences(browser_page, artifacts_dir):
    from yiwang.licences.services import licence_issue
    from yiwang.organisations.models import Unit
    from yiwang.parties.models import Party

    licence = licence_issue(
        licence_type_name="营业执照", holder=Party.objects.get(number="91430321MA4L16JQ95"),
        issuer=Unit.objects.get(code="XTX-SCJG"), content={"名称": "湘潭示范科技有限公司"},
    )
    page = browser_page
    # Not tests.conftest.login: its "button[type=submit]" now hits the header's search button first.
    page.goto(page.base_url + "/accounts/login/?next=/me/licences/")
    page.fill("input[name=username]", "xtkj")
    page.fill("input[name=password]", "Demo@2026")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/me/licences/")
    page.goto(f"{page.base_url}/me/licences/")
    assert licence.identifier in page.content()
    page.screenshot(path=os.path.join(artifacts_dir, "licence-my-licences.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_text("下载 PDF").click()
    path = info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(4) == b"%PDF"
