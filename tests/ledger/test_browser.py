"""A park fills and submits its monthly ledger; the reform office reads the quarterly 通报 (Chromium)."""

import os
from datetime import date

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username, next_url):
    page.goto(f"{page.base_url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Demo@2026")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"**{next_url}")


def test_a_park_submits_its_month_and_the_office_reads_the_bulletin(browser_page, artifacts_dir):
    from yiwang.ledger.models import ProgressReport

    page = browser_page
    month = date.today().replace(day=1)
    url = f"/ledger/YY-WHYQ-2022/YY-GXYQ/{month:%Y-%m}/"
    login(page, "yy-gxyq", url)
    for i in range(1, 21):
        page.select_option(f"select[name=progress_{i}]", "in_progress" if i % 2 else "done")
        page.fill(f"#text_{i}", f"第{i}项已按计划推进")
    page.screenshot(path=os.path.join(artifacts_dir, "ledger_report_park_desktop.png"), full_page=True)
    page.click("button[value=submit]")  # without the confirmation box: saved, told to confirm, not submitted
    assert "请勾选确认" in page.content()
    report = ProgressReport.objects.get(unit__code="YY-GXYQ", month=month)
    assert report.status == "draft" and report.entries.filter(progress="done").count() == 10
    page.check("input[name=confirm]")
    page.click("button[value=submit]")
    page.locator("text=已报送待审核").first.wait_for()
    assert ProgressReport.objects.get(unit__code="YY-GXYQ", month=month).status == "submitted"
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.screenshot(path=os.path.join(artifacts_dir, "ledger_report_park_phone.png"), full_page=True)
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    q = f"{month.year}Q{(month.month - 1) // 3 + 1}"
    login(page, "yysgb", f"/ledger/YY-WHYQ-2022/bulletin/?quarter={q}")
    body = page.content()
    assert "报送情况" in body and "岳阳高新技术产业园区" in body and "需督促单位" in body
    page.screenshot(path=os.path.join(artifacts_dir, "ledger_bulletin_office_desktop.png"), full_page=True)
