"""The regulator walks the workbench: an inspection from the demo draw is recorded and published, and
the public checks the draw by re-running it — at desktop and phone sizes."""

import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username):
    page.goto(page.base_url + "/accounts/login/?next=/supervision/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Demo@2026")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/supervision/")


@pytest.mark.parametrize(("width", "height", "tag"), [(1280, 900, "desktop"), (390, 844, "phone")])
def test_regulator_records_and_publishes_a_drawn_inspection_and_the_public_reruns_the_draw(
        browser_page, artifacts_dir, width, height, tag):
    from yiwang.supervision.models import Draw, Inspection

    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    _login(page, "xtx-scjg")
    assert "待检查" in page.content()
    page.screenshot(path=os.path.join(artifacts_dir, f"supervision_workbench_{tag}.png"), full_page=True)
    draw = Draw.objects.get(seed="xtx-scjg-2026-demo-seed")
    number = Inspection.objects.filter(draw=draw).order_by("number").first().number
    page.click(f"text={number}")
    page.wait_for_url(f"**/supervision/inspections/{number}/")
    form = page.locator("form.action-form", has=page.locator("input[name=action][value=record]"))
    form.locator("select[name=result]").select_option("passed")
    form.locator("textarea[name=findings]").fill("年报信息与实际一致")
    form.locator("input[name=inspected_on]").fill("2026-04-20")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已录入检查结果" in page.content()
    form = page.locator("form.action-form", has=page.locator("input[name=action][value=publish]"))
    form.locator("input[name=confirmed]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已公示" in page.content()
    page.screenshot(path=os.path.join(artifacts_dir, f"supervision_inspection_{tag}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(f"{page.base_url}/gongshi/draws/{draw.number}/")
    page.click("text=按公布的种子和名单复算")
    page.locator("#verify-result").wait_for()
    assert "复算一致" in page.locator("#verify-result").inner_text()
    page.screenshot(path=os.path.join(artifacts_dir, f"supervision_public_draw_{tag}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
