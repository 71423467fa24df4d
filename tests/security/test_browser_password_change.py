"""Outside the demo, the first login with the demo password lands on the change-password page (phone width too)."""

import os

import pytest

from tests.conftest import login

pytestmark = pytest.mark.browser
NEW = "Qz7#mPv9!kLw"


def test_a_demo_password_login_is_sent_to_change_it_and_then_goes_on(browser_page, settings, artifacts_dir):
    settings.YIWANG_DEMO = False
    page = browser_page
    login(page, "clerk")
    assert page.url.endswith("/accounts/password_change/")
    assert "公开的初始密码" in page.content()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=os.path.join(artifacts_dir, "password_change_390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=os.path.join(artifacts_dir, "password_change_desktop.png"), full_page=True)
    page.fill("input[name=old_password]", "Demo@2026")
    page.fill("input[name=new_password1]", NEW)
    page.fill("input[name=new_password2]", NEW)
    page.click("button.btn:has-text('修改密码')")
    page.wait_for_load_state()
    assert "密码已修改" in page.content()
    page.goto(page.base_url + "/workbench/")
    assert page.url.endswith("/workbench/")
