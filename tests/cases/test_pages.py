"""The pages over Django's test client, and one browser run through Chromium."""

import os
import re

import pytest

from .conftest import QYSLDJ, form_for


def test_workbench_is_403_with_a_chinese_message_for_applicants(client, db):
    client.login(username="zhang", password="Demo@2026")
    r = client.get("/workbench/")
    assert r.status_code == 403 and "无权访问工作台" in r.content.decode()


def test_walk_in_intake_then_queue_then_accept_with_a_stale_version(client, db):
    client.login(username="clerk", password="Demo@2026")
    assert client.get(f"/workbench/intake/?item={QYSLDJ}").status_code == 200
    fields = {f"f_{i}": v for i, v in enumerate(form_for(QYSLDJ).values())}
    r = client.post("/workbench/intake/", {"item": QYSLDJ, "kind": "enterprise", "number": "91430321MA4T8K2P6K",
                                           "name": "湘潭示范餐饮有限公司", **fields})
    assert r.status_code == 302
    number = r["Location"].rstrip("/").rsplit("/", 1)[-1]
    page = client.get("/workbench/").content.decode()
    assert number in page and "待受理" in page
    page = client.get(f"/workbench/cases/{number}/").content.decode()
    assert "受理" in page and "不予受理" in page and "一次性告知补正" in page
    r = client.post(f"/cases/{number}/act/", {"action": "refuse", "reason": "x", "version": "7"}, follow=True)
    assert "办件已被他人处理" in r.content.decode()
    r = client.post(f"/cases/{number}/act/", {"action": "request_correction", "reason": "章程未签字",
                                               "version": "1"}, follow=True)
    assert "待补正" in r.content.decode()


def test_other_departments_cannot_open_the_case_page(client, db):
    client.login(username="clerk", password="Demo@2026")
    fields = {f"f_{i}": v for i, v in enumerate(form_for(QYSLDJ).values())}
    r = client.post("/workbench/intake/", {"item": QYSLDJ, "kind": "enterprise", "number": "91430321MA4T8K2P6K",
                                           "name": "湘潭示范餐饮有限公司", **fields})
    number = r["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.logout()
    client.login(username="xtx-ga", password="Demo@2026")
    assert client.get(f"/workbench/cases/{number}/").status_code == 403
    assert number not in client.get("/workbench/").content.decode()


def login(page, username):
    """Log in through the form (Enter in the password field: the header has a search button too)."""
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Demo@2026")
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def attach_required(page, folder) -> None:
    """Choose a well-formed PDF for every required material the form marks with *."""
    from tests.files import PDF

    path = os.path.join(folder, "材料.pdf")
    with open(path, "wb") as fh:
        fh.write(PDF)
    for row in page.locator("form p:has(input[type=file])").all():
        if row.locator("span.error").count():
            row.locator("input[type=file]").set_input_files(path)


@pytest.mark.browser
def test_the_apply_form_shows_two_errors_at_their_fields_and_keeps_what_was_typed(browser_page, artifacts_dir):
    from tests.files import exe

    page = browser_page
    login(page, "xtkj")
    bad = os.path.join(artifacts_dir, "章程.pdf")
    with open(bad, "wb") as fh:
        fh.write(exe())  # a renamed program
    for width, height, shot in ((1280, 900, "apply-errors-desktop.png"), (390, 844, "apply-errors-phone.png")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(page.base_url + f"/apply/{QYSLDJ}/")
        values = list(form_for(QYSLDJ).values())
        for i, value in enumerate(values[1:], start=1):  # 企业名称 left empty
            page.fill(f"input[name=f_{i}]", value)
        page.locator("form p:has(input[type=file])").nth(1).locator("input[type=file]").set_input_files(bad)
        page.click("#submit-apply")
        page.wait_for_selector("#f_0-error-1")
        assert "请填写企业名称" in page.inner_text("#f_0-error-1")
        errors = page.locator(".field-error").all_inner_texts()
        assert len(errors) >= 2 and any("仅支持 PDF" in e for e in errors), errors
        assert not any(re.match(r"[A-Za-z_][\w.]*：", e) for e in errors)  # no "key：" for people
        assert page.input_value("input[name=f_1]") == values[1]  # typed values kept
        assert page.get_attribute("#f_0", "aria-invalid") == "true"
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no horizontal scroll
        page.screenshot(path=os.path.join(artifacts_dir, shot), full_page=True)


@pytest.mark.browser
def test_apply_online_accept_approve_deliver_in_the_browser(browser_page, artifacts_dir):
    page = browser_page
    login(page, "xtkj")
    page.goto(page.base_url + f"/apply/{QYSLDJ}/")
    assert page.locator("input[name=f_0]").count() == 1, page.content()[:3000]
    for i, value in enumerate(form_for(QYSLDJ).values()):
        page.fill(f"input[name=f_{i}]", value)
    attach_required(page, artifacts_dir)
    page.click("#submit-apply")
    page.wait_for_url(re.compile(r"/me/cases/"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert "待受理" in page.inner_text("#case-status")

    page.context.clear_cookies()
    login(page, "clerk")
    page.goto(page.base_url + "/workbench/")
    assert number in page.inner_text("#queue")
    page.goto(page.base_url + f"/workbench/cases/{number}/")
    form = page.locator("form.action-accept")
    for box in form.locator("input[name=paper]").all():
        box.check()
    form.locator("button[type=submit]").click()
    assert "已受理" in page.inner_text("#case-status")

    page.context.clear_cookies()
    login(page, "approver")
    page.goto(page.base_url + f"/workbench/cases/{number}/")
    page.locator("form.action-review button[type=submit]").click()
    page.locator("form.action-approve button[type=submit]").click()
    assert "准予许可" in page.inner_text("#case-status")

    page.context.clear_cookies()
    login(page, "clerk")
    page.goto(page.base_url + f"/workbench/cases/{number}/")
    page.locator("form.action-deliver button[type=submit]").click()
    assert "已送达" in page.inner_text("#case-status")

    page.context.clear_cookies()
    login(page, "xtkj")
    page.goto(page.base_url + f"/me/cases/{number}/")
    timeline = page.inner_text("#timeline")
    for label in ("提交申请", "受理", "审核", "准予许可", "送达结果"):
        assert label in timeline
    page.screenshot(path=os.path.join(artifacts_dir, "case-timeline.png"), full_page=True)


def test_the_case_pages_offer_exactly_the_available_actions_with_their_input_and_confirmation(client, users):
    from yiwang.cases import selectors
    from yiwang.cases.models import CaseStatus

    from .test_transitions import drive

    case = drive(users, CaseStatus.ACCEPTED, "x")
    client.force_login(users["approver"])
    page = client.get(f"/workbench/cases/{case.number}/").content.decode()
    offered = set(re.findall(r'class="card action-([a-z_]+)"', page))
    assert offered == set(selectors.allowed_actions(case, users["approver"]))
    assert "review" in offered and "approve" not in offered  # 准予许可 only after the review
    assert 'name="reason" required' in page and "依据：" in page  # deny asks its reason; the law is named
    assert re.search(r'class="card action-deny".*?name="confirm" required', page, re.S)  # irreversible
    client.force_login(users["clerk"])
    page = client.get(f"/workbench/cases/{case.number}/").content.decode()
    assert "action-withdraw" not in page  # 撤回申请 is the applicant's
    client.force_login(users["xtcy"])
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    assert "action-withdraw" in page and 'name="confirm" required' in page and "onsubmit" not in page


def test_a_refused_action_form_shows_each_error_at_its_field_and_keeps_the_typed_reason(client, users):
    from yiwang.cases.models import CaseStatus

    from .test_transitions import drive

    case = drive(users, CaseStatus.ACCEPTED, "x")
    client.force_login(users["head"])
    r = client.post(f"/cases/{case.number}/act/", {"action": "extend", "days": "99", "reason": "需要专家评审<论证>",
                                                    "version": str(case.version),
                                                    "next": f"/workbench/cases/{case.number}/"})
    assert r.status_code == 400
    page = r.content.decode()
    form = page.split('class="card action-extend"', 1)[1].split("</form>", 1)[0]
    assert 'id="days-error-1"' in form and "延长天数不能大于" in form and 'value="99"' in form
    assert "需要专家评审&lt;论证&gt;</textarea>" in form  # what was typed is kept, escaped
    assert "days：" not in page and "action：" not in page
    r = client.post(f"/cases/{case.number}/act/", {"action": "extend", "days": "", "reason": "",
                                                    "version": str(case.version),
                                                    "next": f"/workbench/cases/{case.number}/"})
    form = r.content.decode().split('class="card action-extend"', 1)[1].split("</form>", 1)[0]
    assert r.status_code == 400 and 'id="days-error-1"' in form and 'id="reason-error-1"' in form  # both at once
