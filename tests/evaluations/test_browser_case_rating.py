"""Browser: a case run to delivery is rated 不满意 by its applicant on a phone (QR page), the unit
contacts, verifies and fixes from its rectification page, and the applicant rates again."""

import os

import pytest

from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
QYSLDJ = "430321-QYSLDJ"
XTCY = {"kind": "enterprise", "number": "91430321MA4T8K2P6K", "name": "湘潭示范餐饮有限公司"}


def deliver_a_case() -> str:
    from django.contrib.auth import get_user_model

    from yiwang.cases import services as cases
    from yiwang.catalogue.models import ItemImplementation

    users = {u.username: u for u in get_user_model().objects.filter(username__in=["clerk", "xtx-scjg"])}
    impl = ItemImplementation.objects.select_related("item").get(impl_code=QYSLDJ)
    case = cases.case_submit(actor=users["clerk"], item=QYSLDJ, applicant=XTCY, channel="window",
                             form={f: f"示例{f}" for f in impl.item.form_fields})
    case = cases.case_accept(case=case, actor=users["clerk"],
                             paper=[m.name for m in impl.item.materials.filter(source="applicant")])
    while len(case.steps) > 2 and case.current_step < len(case.steps) - 1:
        case = cases.case_act(case=case, actor=users["xtx-scjg"], action="review")
    case = cases.case_act(case=case, actor=users["xtx-scjg"], action="approve")
    case = cases.case_act(case=case, actor=users["clerk"], action="deliver", data={"method": "window"})
    from yiwang.core.outbox import outbox_relay

    outbox_relay(send=lambda message: None, limit=1000)  # as `yiwang worker` does: the invitation
    return case.number


def as_user(page, username):
    page.context.clear_cookies()
    login(page, username)


def test_applicant_rates_a_delivered_case_badly_the_unit_rectifies_and_the_applicant_rerates(
        browser_page, artifacts_dir):
    from yiwang.evaluations.models import Evaluation, Rectification

    number = deliver_a_case()
    ev = Evaluation.objects.get(subject_kind="case", subject_ref=number)  # opened by the relay after the delivery
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})

    # The applicant finds the rating on their page (link and QR) and rates on the phone.
    as_user(page, "xtcy")
    page.goto(page.base_url + "/me/evaluations/")
    slot = page.locator("li.eval-slot", has_text=number)
    qr = slot.locator(f"img[src='/rate/{ev.token}/qr.svg']")
    qr.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    page.screenshot(path=os.path.join(artifacts_dir, "case_rating_my_evaluations.png"), full_page=True)
    slot.get_by_role("link", name="评价").click()
    page.wait_for_url(f"**/rate/{ev.token}/")
    assert number in page.content()
    page.check("input[name=level][value='4']")  # 不满意
    page.select_option("#problem_type", "visits")  # a bad review says what went wrong
    page.fill("textarea[name=text]", "窗口让我跑了两次")
    page.click("form.rate-form button[type=submit]")
    page.locator("#rated").wait_for()
    page.screenshot(path=os.path.join(artifacts_dir, "case_rating_bad_review_phone.png"), full_page=True)
    rect = Rectification.objects.get(evaluation=ev)
    assert rect.status == "open"

    # The rated unit contacts the applicant, verifies and fixes, button by button.
    page.set_viewport_size({"width": 1280, "height": 900})
    as_user(page, "xtx-scjg")
    page.goto(page.base_url + "/evaluations/rectifications/")
    page.get_by_role("link", name=number).click()
    for action, note, status in [("contact", "已电话联系申请人，致歉并了解情况", "已回访待核实"),
                                 ("verify", "核实：窗口未一次性告知所需材料", "已核实待整改"),
                                 ("fix", "已对窗口人员培训，材料清单上墙", "已整改待复评")]:
        page.fill("textarea[name=note]", note)
        page.click(f"#btn-{action}")
        page.locator("#rect-status", has_text=status).wait_for()
    page.screenshot(path=os.path.join(artifacts_dir, "case_rating_rectification_unit.png"), full_page=True)

    # The applicant rates again (the next round) and the rectification closes.
    page.set_viewport_size({"width": 390, "height": 844})
    as_user(page, "xtcy")
    page.goto(page.base_url + "/me/evaluations/")
    page.locator("li.eval-slot", has_text="整改后复评").get_by_role("link", name="评价").click()
    page.check("input[name=level][value='2']")  # 满意
    page.click("form.rate-form button[type=submit]")
    page.locator("#rated").wait_for()
    page.screenshot(path=os.path.join(artifacts_dir, "case_rating_rerated_phone.png"), full_page=True)
    rect.refresh_from_db()
    assert rect.status == "closed" and rect.rerating.level == 2 and rect.rerating.round == 2
