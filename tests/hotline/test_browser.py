import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_takes_a_call_and_answers_from_kb(browser_page, artifacts_dir):
    page = browser_page
    # Not tests.conftest.login: its "button[type=submit]" hits the header's search button first.
    page.goto(page.base_url + "/accounts/login/?next=/hotline/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", "Demo@2026")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/hotline/")
    page.select_option("#kind", "consult")
    page.select_option("#category", "010101")
    page.fill("#requester_name", "刘女士")
    page.fill("#phone", "13800000010")
    page.locator("#title").press_sequentially("怎么办营业执照", delay=30)
    suggestion = page.locator("#suggestions li").first
    suggestion.wait_for(timeout=10000)
    assert "企业设立登记" in suggestion.inner_text()
    page.screenshot(path=os.path.join(artifacts_dir, "hotline_console_kb.png"), full_page=True)
    suggestion.locator("button.answer-btn").click()
    page.wait_for_url("**/hotline/r/**")
    body = page.content()
    assert "即时办结" in body and "已办结" in body and "企业设立登记" in body


def test_citizen_rates_a_window_service_by_qr_on_a_phone(browser_page, artifacts_dir):
    from yiwang.evaluations import services
    from yiwang.evaluations.models import Evaluation, Rectification
    from yiwang.organisations.models import Window

    window = Window.objects.get(code="XTX-W01")
    ev = services.evaluation_invite(subject_kind="window", subject_ref="W-QR-1", unit=window.unit, window=window)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/rate/{ev.token}/")
    assert "综合受理窗口1" in page.content()
    page.check("input[name=level][value='4']")
    page.select_option("#problem_type", "waiting")
    page.fill("textarea[name=text]", "排队时间太长")
    page.click("form.rate-form button[type=submit]")
    page.locator("#rated").wait_for()
    page.screenshot(path=os.path.join(artifacts_dir, "rate_qr_phone.png"), full_page=True)
    ev = Evaluation.objects.get(pk=ev.pk)
    assert ev.level == 4 and ev.bad and ev.channel == "qr"
    assert Rectification.objects.filter(evaluation=ev).exists()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_public_12345_form_fits_a_phone_and_shows_a_bad_phone_at_its_field(browser_page, artifacts_dir):
    """390 px wide: no sideways scrolling, inputs full width and at least 44 px tall; a wrong phone
    number is refused at the phone field with the typed values kept."""
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/12345/")
    assert _no_sideways_scroll(page)
    for sel in ("#kind", "#category", "#requester_name", "#phone", "#address", "#title", "#content"):
        box = page.locator(sel).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300, (sel, box)
    assert page.locator("#phone").get_attribute("type") == "tel"
    page.select_option("#kind", "complaint")
    page.fill("#requester_name", "周女士")
    page.fill("#phone", "1380000")
    page.fill("#title", "小区路灯不亮")
    page.fill("#content", "金霞路口的路灯坏了一个月")
    page.click("#public-form button[type=submit]")
    page.locator("#err-phone").wait_for()
    assert "11位手机号码" in page.locator("#err-phone").inner_text()
    assert page.input_value("#title") == "小区路灯不亮" and page.input_value("#phone") == "1380000"
    assert _no_sideways_scroll(page)
    page.screenshot(path=os.path.join(artifacts_dir, "hotline_public_phone_error_390.png"), full_page=True)
    page.fill("#phone", "0731-57881234")
    page.click("#public-form button[type=submit]")
    page.wait_for_url("**/12345/*/?token=*")
    assert "待派单" in page.content() and _no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{page.base_url}/12345/")
    page.screenshot(path=os.path.join(artifacts_dir, "hotline_public_desktop.png"), full_page=True)


def _login(page, username, next_url):
    page.goto(f"{page.base_url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Demo@2026")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"**{next_url}")


def test_an_enterprise_files_a_demand_on_a_phone_and_the_leader_reads_the_bulletin(browser_page, artifacts_dir):
    from yiwang.hotline.models import Request

    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "xtkj", "/12345/demand/")
    assert _no_sideways_scroll(page)
    page.fill("#title", "厂房水电增容")
    page.fill("#content", "新生产线投产需要增容")
    page.fill("#phone", "13800000031")
    page.fill("#demand_items", "申请10kV专线增容\n协调自来水管网接入")
    page.screenshot(path=os.path.join(artifacts_dir, "hotline_demand_390.png"), full_page=True)
    page.click("#demand-form button[type=submit]")
    page.wait_for_url("**/12345/*/?token=*")
    req = Request.objects.get(title="厂房水电增容")
    assert req.is_demand and req.items.count() == 2
    page.context.clear_cookies()
    _login(page, "leader", "/hotline/bulletin/")
    assert "12345热线周报" in page.content() and _no_sideways_scroll(page)
    page.screenshot(path=os.path.join(artifacts_dir, "hotline_bulletin_390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=os.path.join(artifacts_dir, "hotline_bulletin_desktop.png"), full_page=True)
