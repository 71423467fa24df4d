"""The README's personas walked in Chromium at desktop (1280) and phone (390) widths, with screenshots in
test-artifacts/ and no page wider than the screen. The bundle walk (tests/bundlecases/test_browser*.py),
the 12345 public form and the operator (tests/hotline/test_browser.py) and the rating of a bad review
(tests/evaluations/test_browser_case_rating.py) have their own walks; this file adds the portal (search,
guide, 大字版) and the single item from application to rating."""

import os
import re

import pytest

from tests.conftest import login
from tests.files import pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = [(1280, 900, "1280"), (390, 844, "390")]


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _shot(page, artifacts_dir, name: str) -> None:
    page.screenshot(path=os.path.join(artifacts_dir, f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("width", "height", "tag"), SIZES)
def test_the_public_searches_a_question_reads_the_guide_and_switches_to_large_type(
        browser_page, artifacts_dir, width, height, tag):
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    page.goto(page.base_url + "/?q=" + "怎么办营业执照")
    first = page.locator("#item-results a.name").first
    assert first.inner_text() == "企业设立登记"
    assert page.locator("#item-results mark", has_text="营业执照").count() >= 1
    _fits(page, width)
    _shot(page, artifacts_dir, f"portal-search-{tag}")

    first.click()
    page.wait_for_url(re.compile(r"/items/430321-QYSLDJ/"))
    for section in ("#complaint", "#forms", "#faq"):
        assert page.locator(section).is_visible()
    assert "到办事现场次数" in page.inner_text("#basic")
    _fits(page, width)
    _shot(page, artifacts_dir, f"portal-guide-{tag}")

    size = lambda: page.evaluate("parseFloat(getComputedStyle(document.querySelector('#faq dd')).fontSize)")  # noqa: E731
    before = size()
    page.locator("form[data-elder-toggle] button").click()
    page.wait_for_function("document.documentElement.classList.contains('elder')")
    assert size() >= before * 1.2
    assert page.locator("form[data-elder-toggle] button").inner_text() == "标准版"
    _fits(page, width)
    _shot(page, artifacts_dir, f"portal-guide-elder-{tag}")
    page.reload()  # kept for this browser: the server renders the next page large too
    assert page.evaluate("document.documentElement.className") == "elder" and size() >= before * 1.2
    page.locator("form[data-elder-toggle] button").click()
    page.wait_for_function("!document.documentElement.classList.contains('elder')")
    assert size() == before


def _as(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def _act(page, action: str) -> None:
    form = page.locator(f"form.action-{action}")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("width", "height", "tag"), SIZES)
def test_a_single_item_from_application_to_rating(browser_page, artifacts_dir, width, height, tag):
    """README walkthrough 2: xtkj applies, clerk accepts, approver reviews and approves, clerk delivers,
    xtkj follows the progress and rates."""
    from yiwang.core.outbox import outbox_relay

    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    shot = lambda name: _shot(page, artifacts_dir, f"walk-single-{tag}-{name}")  # noqa: E731

    _as(page, "xtkj")
    page.goto(page.base_url + "/apply/430321-QYSLDJ/")
    for box in page.locator("form.card input[required]:not([type=file])").all():
        box.fill("湘潭演示智能科技有限公司" if box.get_attribute("name") == "企业名称" else "示范填写")
    files = page.locator("form.card input[type=file]")
    for i in range(files.count()):
        label = page.locator(f"label[for='{files.nth(i).get_attribute('id')}']").inner_text()
        if "可容缺" not in label:
            files.nth(i).set_input_files({"name": f"m{i}.pdf", "mimeType": "application/pdf", "buffer": pdf()})
    _fits(page, width)
    shot("1-apply")
    page.click("#submit-apply")
    page.wait_for_url(re.compile(r"/me/cases/430321-QYSLDJ\d{12}/"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert "待受理" in page.content()

    _as(page, "clerk")
    page.goto(page.base_url + "/workbench/")
    assert number in page.content()
    page.goto(page.base_url + f"/workbench/cases/{number}/")
    for box in page.locator("form.action-accept input[name=paper]").all():
        box.check()
    _fits(page, width)
    shot("2-accept")
    _act(page, "accept")
    assert "已受理" in page.inner_text("#case-status")

    _as(page, "approver")
    page.goto(page.base_url + f"/workbench/cases/{number}/")
    while page.locator("form.action-review").count():
        _act(page, "review")
    shot("3-approve")
    _act(page, "approve")
    assert "准予许可" in page.inner_text("#case-status")

    _as(page, "clerk")
    page.goto(page.base_url + f"/workbench/cases/{number}/")
    _act(page, "deliver")
    assert "已送达" in page.inner_text("#case-status")
    outbox_relay(send=lambda message: None, limit=1000)  # as `yiwang worker` does: the rating invitation

    _as(page, "xtkj")
    page.goto(page.base_url + f"/me/cases/{number}/")
    _fits(page, width)
    shot("4-progress")
    page.get_by_role("link", name="去评价").click()
    page.wait_for_url(re.compile(r"/rate/"))
    page.check("input[name=level][value='1']")
    page.click("form.rate-form button[type=submit]")
    page.locator("#rated").wait_for()
    _fits(page, width)
    shot("5-rated")
