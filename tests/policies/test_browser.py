"""The enterprise walks 惠企政策专区 → calculator → its redemption and confirms it (desktop and
phone); the issuing unit edits a rule and sees the live count change (htmx)."""

import os

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username, next_url):
    page.goto(f"{page.base_url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Demo@2026")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"**{next_url}")


def test_an_enterprise_finds_its_policies_and_confirms_its_redemption_on_desktop_and_phone(browser_page, artifacts_dir):
    from yiwang.policies.demo import XTKJ
    from yiwang.policies.models import Grant

    page = browser_page
    _login(page, "xtkj", "/policies/")
    assert "高新技术企业首次认定奖励" in page.content()
    page.screenshot(path=os.path.join(artifacts_dir, "policies_list_desktop.png"), full_page=True)
    page.click("text=政策计算器")
    page.wait_for_url("**/policies/calculator/")
    body = page.content()
    assert "可享受的政策" in body and "100000.00" in body and "差一个条件即可享受" in body
    page.screenshot(path=os.path.join(artifacts_dir, "policies_calculator_desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=os.path.join(artifacts_dir, "policies_calculator_phone.png"), full_page=True)
    grant = Grant.objects.get(policy__code="XTX-2026-WG01", enterprise__number=XTKJ)
    page.goto(f"{page.base_url}/policies/mine/")
    page.click(f"text={grant.number}")
    page.wait_for_url(f"**/policies/grants/{grant.number}/")
    page.fill("#confirm-bank", "中国工商银行湘潭县支行")
    page.fill("#confirm-account", "1904012345678901234")
    page.check("input[name=committed]")
    page.screenshot(path=os.path.join(artifacts_dir, "policies_confirm_phone.png"), full_page=True)
    page.click("form:has(input[value=confirm]) button[type=submit]")
    page.wait_for_load_state()
    assert "企业已确认" in page.content()
    grant.refresh_from_db()
    assert grant.status == "confirmed" and grant.committed


def test_the_issuing_unit_sees_the_live_count_change_as_it_edits_a_rule(browser_page, artifacts_dir):
    page = browser_page
    _login(page, "xtx-kgj", "/workbench/policies/XTX-2026-KX01/edit/")
    before = int(page.locator("#live-count").inner_text())
    page.fill("input[name=c1_value]", "40")
    page.locator("input[name=c1_value]").dispatch_event("change")
    # Playwright's expect polls from Python: a string predicate would be eval'd, which the CSP forbids.
    expect(page.locator("#live-count")).not_to_have_text(str(before), timeout=10000)
    after = int(page.locator("#live-count").inner_text())
    assert after < before
    page.screenshot(path=os.path.join(artifacts_dir, "policies_rule_editor_desktop.png"), full_page=True)
    page.select_option("select[name=c0_op]", "between")
    page.locator("select[name=c0_op]").dispatch_event("change")
    page.locator("#rule-error").wait_for(timeout=10000)
    assert "不支持" in page.locator("#rule-error").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=os.path.join(artifacts_dir, "policies_rule_editor_phone.png"), full_page=True)
