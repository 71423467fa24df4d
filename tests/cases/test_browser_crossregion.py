"""跨域通办 in a browser: 湘潭县's window takes in 衡阳县's 食品经营许可 and forwards it; 衡阳县 finds it
in its queue, ready to accept. At desktop width and at 390 px (no horizontal scroll)."""

import os
import re

from tests.conftest import login
from tests.files import PDF  # noqa: E402, F401 - well-formed: the upload check reads its structure


def test_a_window_of_xiangtan_takes_in_a_hengyang_item_and_hengyang_accepts_it(browser_page, artifacts_dir):
    page = browser_page
    shot = lambda name: page.screenshot(path=os.path.join(artifacts_dir, f"crossregion-{name}.png"),  # noqa: E731
                                        full_page=True)
    login(page, "clerk")
    page.goto(page.base_url + "/workbench/intake/")
    page.select_option("#item-select", "430421-SPJYXK")
    page.click("text=选择")
    page.wait_for_load_state()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("0-intake-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert "转交衡阳县市场监督管理局（衡阳县）受理" in page.inner_text("#remote-note")
    page.fill("input[name=number]", "91430321MA4T8K2P6K")
    page.fill("input[name=name]", "湘潭示范餐饮有限公司")
    for box in page.locator("input[name^=f_]").all():
        box.fill("示例")
    for file_input in page.locator("input[type=file]").all():
        file_input.set_input_files({"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.select_option("select[name=delivery]", "post")
    shot("1-intake")
    page.click("button:has-text('收件')")
    page.wait_for_url(re.compile(r"/workbench/cases/430421-SPJYXK\d{12}/"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    card = page.inner_text("#remote-intake")
    assert "待收件窗口转交" in card and "邮寄送达" in card and "本窗口环节：收件、转交、送达" in card
    assert page.locator("form.action-accept").count() == 0
    page.locator("form.action-forward button[type=submit]").click()
    page.wait_for_load_state()
    assert "已于" in page.inner_text("#remote-intake")
    shot("2-forwarded")

    page.context.clear_cookies()
    login(page, "hyx-scjg")
    page.goto(page.base_url + "/workbench/")
    assert number in page.inner_text("#queue")
    page.click(f"text={number}")
    page.wait_for_load_state()
    assert "本单位环节：受理、审查、决定" in page.inner_text("#remote-intake")
    assert page.locator("form.action-accept").count() == 1
    shot("3-hengyang-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("4-hengyang-390")
    page.goto(page.base_url + "/workbench/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("5-queue-390")
