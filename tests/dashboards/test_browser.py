"""The leader's dashboard in Chromium, at desktop and phone sizes, with the demo's history."""

import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username, next_url):
    page.goto(f"{page.base_url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Demo@2026")
    page.locator("input[name=password]").press("Enter")


def test_leader_lands_on_the_dashboard_reads_the_figures_and_the_charts_draw(browser_page, artifacts_dir):
    from yiwang.dashboards.demo import load_dashboard_demo

    load_dashboard_demo()
    page = browser_page
    errors = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    login(page, "leader", "/")
    page.wait_for_url("**/")
    page.click("nav.site-nav >> text=工作台")  # the leader's 工作台 is the dashboard, not a 403
    page.wait_for_url("**/dashboard/")
    page.select_option("#dash-period", "year")
    page.wait_for_url("**period=year**")
    row = page.locator("#fig-GOV-AS")
    assert "按时办结率" in row.inner_text() and "%" in row.inner_text()
    for chart in ("#chart-series", "#chart-units", "#chart-parks", "#chart-map"):  # the map: a treemap
        page.locator(f"{chart}[data-loaded='1']").wait_for(timeout=15000)
        assert page.locator(f"{chart} canvas").count() >= 1
    page.screenshot(path=os.path.join(artifacts_dir, "dashboard_leader_desktop.png"), full_page=True)
    # drill into the on-time figure's denominator: the cases behind it, no applicant names
    row.locator("td:nth-child(4) a").click()
    page.wait_for_url("**/dashboard/drill/**")
    body = page.content()
    assert "分母明细" in body and "湘潭示范" not in body
    page.screenshot(path=os.path.join(artifacts_dir, "dashboard_drill_desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/dashboard/?period=year")
    page.locator("#chart-series[data-loaded='1']").wait_for(timeout=15000)
    page.screenshot(path=os.path.join(artifacts_dir, "dashboard_leader_phone.png"), full_page=True)
    assert not errors, errors


def test_supervisor_sets_weights_and_a_clerk_reads_their_own_score_on_a_phone(browser_page, artifacts_dir):
    from yiwang.dashboards.demo import load_dashboard_demo

    load_dashboard_demo()
    page = browser_page
    login(page, "supervisor", "/dashboard/efficiency/?period=year")
    page.wait_for_url("**/dashboard/efficiency/**")
    assert page.locator("table.table tbody tr").count() >= 1
    page.fill("#w_volume", "两成")
    page.click("text=公布新权重")
    assert page.locator("#w_volume_err").inner_text() == "“办件量（相对最多者）”的权重应为0到100的整数"
    assert page.input_value("#w_volume") == "两成"
    page.fill("#w_volume", "20")
    page.click("text=公布新权重")
    page.wait_for_url("**/dashboard/efficiency/?**")
    assert "办件量（相对最多者） 20。" in page.content()  # the note now states the published weighting
    page.screenshot(path=os.path.join(artifacts_dir, "efficiency_supervisor_desktop.png"), full_page=True)
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "clerk", "/me/efficiency/?period=year")
    page.wait_for_url("**/me/efficiency/**")
    assert "我的岗位效能评价" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=os.path.join(artifacts_dir, "efficiency_clerk_phone.png"), full_page=True)
