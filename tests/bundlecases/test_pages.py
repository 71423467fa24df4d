"""The portal and bundle window pages."""

import pytest

from yiwang.bundlecases.models import BundleCase

from .conftest import XTKJ, asked, drive, merged_form

pytestmark = pytest.mark.django_db


def _client(username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    return c


def _fields(code):
    from yiwang.catalogue.selectors import bundle_get, bundle_view

    return {f"f_{i}": f"示例{f.name}" for i, f in enumerate(bundle_view(bundle_get(code)).merged_form)}


def test_apply_online_then_accept_at_the_bundle_window_then_one_progress_for_the_applicant():
    xtkj = _client("xtkj")
    page = xtkj.get("/apply/bundle/QYKB/").content.decode()
    assert page.count('name="f_') == len(merged_form("QYKB"))
    assert "由本一件事中的“企业设立登记”产生，无需提交" in page
    r = xtkj.post("/apply/bundle/QYKB/", _fields("QYKB"))
    assert r.status_code == 302
    bc = BundleCase.objects.filter(applicant__number=XTKJ).latest("id")
    assert r["Location"] == f"/me/cases/{bc.number}/"

    clerk = _client("bundleclerk")
    assert bc.number in clerk.get("/workbench/bundles/").content.decode()
    page = clerk.get(f"/workbench/bundles/{bc.number}/").content.decode()
    assert 'name="paper"' in page
    r = clerk.post(f"/bundle-cases/{bc.number}/act/", {"action": "accept", "version": bc.version,
                                                         "paper": asked("QYKB"), "next": "/workbench/bundles/"})
    assert r.status_code == 302
    bc.refresh_from_db()
    assert bc.status == "running"
    drive(bc.member_cases.get().case.number)

    page = xtkj.get(f"/me/cases/{bc.number}/").content.decode()
    assert "已办结 6 / 6" in page and "查验" in page
    mine = xtkj.get("/me/cases/").content.decode()
    assert bc.number in mine
    for link in bc.member_cases.all():  # the children are grouped under the bundle case, not listed
        assert link.case.number not in mine


def test_single_case_pages_still_work_under_me_cases():
    from yiwang.cases import services

    from .conftest import party, user

    case = services.case_submit(actor=user("xtkj"), item="430321-GZKZBA", applicant=party(XTKJ),
                                form={"企业名称": "甲", "印章种类": "公章", "法定代表人": "乙", "联系电话": "1"},
                                channel="online")
    xtkj = _client("xtkj")
    assert xtkj.get(f"/me/cases/{case.number}/").status_code == 200
    assert case.number in xtkj.get("/me/cases/").content.decode()


def test_the_bundle_window_is_only_for_its_clerks():
    assert _client("clerk").get("/workbench/bundles/").status_code == 403
    assert _client("xtkj").get("/workbench/bundles/intake/").status_code == 403
    xtkj = _client("xtkj")
    xtkj.post("/apply/bundle/QYKB/", _fields("QYKB"))
    bc = BundleCase.objects.filter(applicant__number=XTKJ).latest("id")
    assert _client("xtcy").get(f"/me/cases/{bc.number}/").status_code == 403
    r = _client("xtkj").post(f"/bundle-cases/{bc.number}/act/", {"action": "accept", "paper": asked("QYKB")})
    assert r.status_code == 403


def test_walk_in_intake_at_the_bundle_window_for_a_person():
    clerk = _client("bundleclerk")
    assert "出生一件事" in clerk.get("/workbench/bundles/intake/").content.decode()
    r = clerk.post("/workbench/bundles/intake/", {"bundle": "CSYJS", "kind": "person", "number": "430321198506120013",
                                                  "name": "张示范", **_fields("CSYJS")})
    assert r.status_code == 302, r.content.decode()[:2000]
    bc = BundleCase.objects.filter(bundle__code="CSYJS").latest("id")
    assert bc.channel == "window" and bc.submitted_by.username == "bundleclerk"
