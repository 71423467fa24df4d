import pytest

pytestmark = pytest.mark.browser


def test_portal_home_renders_in_chromium(browser_page):
    browser_page.goto(browser_page.base_url + "/?q=qykb")
    assert "企业开办" in browser_page.content()
