"""企业开办 from the portal to the business licence's verification page, in a browser."""

import os
import re

from tests.conftest import login

from .conftest import merged_form, relay


def test_qykb_from_the_portal_to_the_verified_business_licence(browser_page, artifacts_dir):
    page = browser_page
    shot = lambda name: page.screenshot(path=os.path.join(artifacts_dir, f"bundle-qykb-{name}.png"),  # noqa: E731
                                        full_page=True)

    # The applicant applies online for the whole bundle with the merged form.
    login(page, "xtkj")
    page.goto(page.base_url + "/bundles/QYKB/")
    page.locator("a.btn", has_text="在线申请").first.click()
    page.wait_for_url(re.compile(r"/apply/bundle/QYKB/"))
    values = list(merged_form("QYKB").values())
    assert page.locator("input[name^=f_]").count() == len(values)
    for i, value in enumerate(values):
        page.fill(f"input[name=f_{i}]", value.replace("示例", "湘潭开办"))
    shot("1-apply")
    page.click("#submit-bundle")
    page.wait_for_url(re.compile(r"/me/cases/QYKB\d{12}/"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert "待受理" in page.inner_text("#bundle-status")
    assert "已办结 0 / 6" in page.inner_text("#progress-count")

    # The bundle window accepts the whole application (一窗受理).
    page.context.clear_cookies()
    login(page, "bundleclerk")
    page.goto(page.base_url + "/workbench/bundles/")
    assert number in page.inner_text("#bundle-queue")
    page.click(f"text={number}")
    form = page.locator("form.action-accept")
    for box in form.locator("input[name=paper]").all():
        box.check()
    shot("2-accept")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "办理中" in page.inner_text("#bundle-status")
    child = page.locator("#members tr.member-running td[data-label=子办件]").first.inner_text().strip()
    assert child.startswith("430321-QYSLDJ")

    # The market regulator reviews and approves the business registration in its workbench.
    page.context.clear_cookies()
    login(page, "xtx-scjg")
    page.goto(page.base_url + f"/workbench/cases/{child}/")
    page.locator("form.action-review button[type=submit]").click()
    page.locator("form.action-approve button[type=submit]").click()
    assert "准予许可" in page.inner_text("#case-status")
    relay()  # the worker: the licence issued and signed after the approval, the members it feeds started

    # Every member decided: the bundle window hands over all six results at once (一次领取).
    page.context.clear_cookies()
    login(page, "bundleclerk")
    page.goto(page.base_url + f"/workbench/bundles/{number}/")
    assert "已办结 6 / 6" in page.inner_text("#progress-count")
    assert "已送达 0 / 6" in page.inner_text("#delivered-count") and "办理中" in page.inner_text("#bundle-status")
    form = page.locator("form.action-collect")
    form.locator("input[name=confirm]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已送达 6 / 6" in page.inner_text("#delivered-count")

    # The applicant sees one case, done; the licence list; the business licence verifies.
    page.context.clear_cookies()
    login(page, "xtkj")
    page.goto(page.base_url + "/me/cases/")
    assert number in page.inner_text("#my-bundle-cases")
    assert child not in page.content()
    page.goto(page.base_url + f"/me/cases/{number}/")
    assert "已办结 6 / 6" in page.inner_text("#progress-count")
    assert "已办结" in page.inner_text("#bundle-status")
    shot("3-progress")
    page.goto(page.base_url + "/me/licences/")
    assert "营业执照" in page.content()
    shot("4-licences")
    page.locator("li", has_text="营业执照").locator("a", has_text="核验").first.click()
    page.wait_for_url(re.compile(r"/verify/1\.2\.156\.3005\.2\."))
    assert "有效" in page.inner_text("[data-testid=verdict]")
    shot("5-verify")
