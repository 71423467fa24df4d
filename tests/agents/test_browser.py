"""The enterprise grants its park's agent in 我的授权 and revokes it (desktop and phone); the agent's
workbench lists the party while the authorisation is in force and not after."""

import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username, next_url):
    page.goto(f"{page.base_url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Demo@2026")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"**{next_url}")


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_an_enterprise_grants_and_revokes_an_authorisation_on_desktop_and_phone(browser_page, artifacts_dir):
    from yiwang.agents.models import Authorisation

    page = browser_page
    _login(page, "xtkj", "/me/authorisations/")
    page.select_option("#agent", "agent")
    page.click("#grant-form button[type=submit]")  # no item chosen: refused at the items
    assert "请选择授权事项" in page.locator("#err-items").inner_text()
    page.check("input[name=items][value=GZKZBA]")
    page.check("input[name=items][value=DWCBDJ]")
    page.screenshot(path=os.path.join(artifacts_dir, "agents_grant_desktop.png"), full_page=True)
    page.click("#grant-form button[type=submit]")
    page.wait_for_load_state()
    assert "已授权" in page.content()
    auth = Authorisation.objects.filter(party__number="91430321MA4L16JQ95", items=["DWCBDJ", "GZKZBA"]).get()
    page.set_viewport_size({"width": 390, "height": 844})
    assert _no_horizontal_scroll(page)
    page.screenshot(path=os.path.join(artifacts_dir, "agents_mine_phone.png"), full_page=True)
    page.click(f"a:has-text('{auth.number}')")
    page.wait_for_url(f"**/agents/a/{auth.number}/")
    assert _no_horizontal_scroll(page)
    page.on("dialog", lambda d: d.accept())  # the confirm question before revoking
    page.click("form:has(input[value=revoke]) button[type=submit]")
    page.wait_for_load_state()
    assert "已撤销" in page.locator("#auth-status").inner_text()
    page.screenshot(path=os.path.join(artifacts_dir, "agents_revoked_phone.png"), full_page=True)
    auth.refresh_from_db()
    assert auth.status == "revoked"


def test_the_agent_sees_its_party_on_the_workbench_on_a_phone(browser_page, artifacts_dir):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "agent", "/workbench/agents/")
    assert "湘潭示范科技有限公司" in page.content() and "代为申请" in page.content()
    assert _no_horizontal_scroll(page)
    page.screenshot(path=os.path.join(artifacts_dir, "agents_workbench_phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=os.path.join(artifacts_dir, "agents_workbench_desktop.png"), full_page=True)
