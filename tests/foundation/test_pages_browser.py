"""The portal in a real browser (Debian's Chromium through Playwright): search, open, read on a phone."""

import os

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def test_search_qykb_on_home_opens_the_enterprise_startup_bundle(browser_page, artifacts_dir):
    page = browser_page
    page.goto(page.base_url + "/")
    page.fill("#site-search-q", "qykb")
    page.press("#site-search-q", "Enter")
    page.wait_for_selector("#bundle-results a:has-text('企业开办')")
    page.click("#bundle-results a:has-text('企业开办')")
    page.wait_for_url("**/bundles/QYKB/")
    assert page.locator("h1").inner_text() == "企业开办"
    assert page.locator("text=由本一件事中的企业设立登记产生，无需提交").count() >= 1
    assert page.locator("a:has-text('在线申请')").first.get_attribute("href") == "/apply/bundle/QYKB/"
    page.screenshot(path=os.path.join(artifacts_dir, "portal-qykb-bundle.png"), full_page=True)


def test_live_search_updates_results_while_typing(browser_page):
    page = browser_page
    page.goto(page.base_url + "/")
    page.locator("#site-search-q").press_sequentially("营业执照", delay=20)
    page.wait_for_selector("#item-results")  # htmx swapped the results in, no page load
    assert page.locator("#item-results a.name").first.inner_text() == "企业设立登记"
    assert "q=" in page.url  # pushed to the address bar, so Back and sharing work


PHONE_PAGES = ["/", "/?q=qykb", "/items/430321-QYSLDJ/", "/bundles/QYKB/", "/items/NOPE/", "/accounts/login/"]


def test_pages_fit_a_phone_without_sideways_scrolling(browser_page, artifacts_dir):
    page = browser_page
    page.set_viewport_size(PHONE)
    for path in PHONE_PAGES:
        page.goto(page.base_url + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= PHONE["width"], f"{path} is {scroll_width}px wide on a {PHONE['width']}px phone"
        assert page.locator("#site-search-q").is_visible(), path
        assert page.locator(".site-nav a:has-text('首页')").is_visible(), path
        if path == "/items/430321-QYSLDJ/":
            page.screenshot(path=os.path.join(artifacts_dir, "portal-guide-phone.png"), full_page=True)


def test_english_switch_in_the_browser(browser_page):
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/items/430321-QYSLDJ/")
    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("h2:has-text('Legal basis')")
    assert page.url.endswith("/items/430321-QYSLDJ/")
    assert page.locator(".site-nav a:has-text('Personal services')").is_visible()
    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("h2:has-text('设定依据')")
