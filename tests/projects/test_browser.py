"""The park leader opens the project list and the demo project's chart (统筹图) — desktop and phone."""

import os

import pytest

from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "height", "tag"), [(1280, 900, "desktop"), (390, 844, "phone")])
def test_the_leader_sees_the_list_and_the_chart_with_its_critical_path_and_warning(
        browser_page, artifacts_dir, width, height, tag):
    from yiwang.projects.demo import load_projects_demo

    load_projects_demo()
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    login(page, "tyjk")
    page.goto(page.base_url + "/projects/")
    assert "天易经开区智能装备产业园项目" in page.content()
    page.screenshot(path=os.path.join(artifacts_dir, f"projects_list_{tag}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.click("text=天易经开区智能装备产业园项目")
    page.locator("#gantt").wait_for()
    late = page.locator(".gantt-row.is-warned[data-member=SGTSCBA]")
    assert late.count() == 1 and "延误" in late.inner_text()
    assert page.locator(".gantt-row.is-critical").count() >= 3
    assert page.locator(".gantt-today").count() > 0
    bar = page.locator(".gantt-row[data-member=SGTSCBA] .bar-actual").bounding_box()
    assert bar["width"] > 0 and bar["x"] + bar["width"] <= width
    page.screenshot(path=os.path.join(artifacts_dir, f"projects_chart_{tag}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
