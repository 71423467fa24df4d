"""The online bundle application with uploads and the bundle progress page with links to each child
case, in a browser at desktop and phone (390 px) widths."""

import os
import re

from tests.conftest import login
from tests.files import PDF

from .conftest import merged_form

NO_SIDE_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_bundle_apply_with_uploads_and_the_progress_page_links_each_child(browser_page, artifacts_dir, tmp_path):
    page = browser_page
    shot = lambda name: page.screenshot(path=os.path.join(artifacts_dir, f"bundle-progress-{name}.png"),  # noqa: E731
                                        full_page=True)
    pdf = tmp_path / "material.pdf"
    pdf.write_bytes(PDF)

    login(page, "xtkj")
    page.goto(page.base_url + "/apply/bundle/QYKB/")
    for i, value in enumerate(merged_form("QYKB").values()):
        page.fill(f"input[name=f_{i}]", value)
    uploads = page.locator("#bundle-apply input[type=file]")
    assert uploads.count() == 3
    for k in range(uploads.count()):
        uploads.nth(k).set_input_files(str(pdf))
    shot("1-apply-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(NO_SIDE_SCROLL)
    shot("2-apply-phone")
    page.click("#submit-bundle")
    page.wait_for_url(re.compile(r"/me/cases/QYKB\d{12}/"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.set_viewport_size({"width": 1280, "height": 900})

    # The bundle window sees the three materials uploaded (ticked) and accepts.
    page.context.clear_cookies()
    login(page, "bundleclerk")
    page.goto(page.base_url + f"/workbench/bundles/{number}/")
    form = page.locator("form.action-accept")
    assert form.locator("input[name=paper]:checked").count() == 3
    assert "已在线上传" in page.inner_text("#bundle-checklist")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    link = page.locator("#members a.child-case").first
    assert link.get_attribute("href").startswith("/workbench/cases/430321-QYSLDJ")

    # The applicant's progress page: each started child is a link to its own page.
    page.context.clear_cookies()
    login(page, "xtkj")
    page.goto(page.base_url + f"/me/cases/{number}/")
    shot("3-progress-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(NO_SIDE_SCROLL)
    shot("4-progress-phone")
    link = page.locator("#members a.child-case").first
    child = link.inner_text().strip()
    assert child.startswith("430321-QYSLDJ")
    link.click()
    page.wait_for_url(re.compile(rf"/me/cases/{child}/"))
    assert "企业设立登记" in page.inner_text("h1")
    assert page.locator("text=公司章程").count() >= 1  # its copy of the uploaded material
    shot("5-child-phone")
