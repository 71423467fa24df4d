"""The pages: 我的授权 (grant with errors at their fields, typed values kept), an authorisation's
page (revoke), the clerk's paper form, the agent's workbench (fee) and its filing page."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.agents.models import Authorisation, FeePayment
from yiwang.cases.models import Case

from .conftest import PDF, XTKJ, user

pytestmark = pytest.mark.django_db


def _client(name):
    c = Client()
    c.force_login(user(name))
    return c


def test_the_party_grants_on_its_page_and_an_error_stays_at_its_field_with_what_was_typed(today):
    c = _client("xtkj")
    page = c.get("/me/authorisations/").content.decode()
    assert "我的授权" in page and "天易经济开发区" in page  # the demo agent's team is offered
    r = c.post("/me/authorisations/", {"party": XTKJ, "agent": "agent", "valid_from": today.isoformat(),
                                       "valid_until": (today + timedelta(days=30)).isoformat(),
                                       "agent_other": ""})
    body = r.content.decode()
    assert r.status_code == 200 and 'id="err-items"' in body and "请选择授权事项" in body
    assert f'value="{(today + timedelta(days=30)).isoformat()}"' in body  # kept
    before = Authorisation.objects.count()
    r = c.post("/me/authorisations/", {"party": XTKJ, "agent": "agent", "items": ["GZKZBA"],
                                       "valid_from": today.isoformat(),
                                       "valid_until": (today + timedelta(days=30)).isoformat()})
    assert r.status_code == 302 and Authorisation.objects.count() == before + 1


def test_the_party_revokes_on_the_authorisation_page(grant):
    auth = grant()
    c = _client("xtkj")
    page = c.get(f"/agents/a/{auth.number}/").content.decode()
    assert "撤销授权" in page and "有效" in page
    c.post(f"/agents/a/{auth.number}/act/", {"action": "revoke", "version": auth.version, "reason": ""})
    auth.refresh_from_db()
    assert auth.status == "revoked"
    page = c.get(f"/agents/a/{auth.number}/").content.decode()
    assert "已撤销" in page and "撤销授权</button>" not in page


def test_only_those_it_concerns_open_an_authorisation_page(grant, stranger):
    auth = grant()
    c = Client()
    c.force_login(stranger)
    assert c.get(f"/agents/a/{auth.number}/").status_code == 404
    assert _client("xtcy").get(f"/agents/a/{auth.number}/").status_code == 404


def test_the_clerk_records_a_paper_authorisation_and_a_renamed_file_is_refused_at_the_scan(today):
    c = _client("clerk")
    data = {"party": XTKJ, "agent": "agent", "items": ["GZKZBA"], "valid_from": (today - timedelta(days=2)).isoformat(),
            "valid_until": (today + timedelta(days=60)).isoformat()}
    r = c.post("/workbench/agents/paper/", {**data, "scan": SimpleUploadedFile("授权书.pdf", b"MZ\x90\x00exe")})
    assert r.status_code == 200 and 'id="err-scan"' in r.content.decode()
    r = c.post("/workbench/agents/paper/", {**data, "scan": SimpleUploadedFile("授权书.pdf", PDF)})
    assert r.status_code == 302
    assert _client("xtkj").get("/workbench/agents/paper/").status_code == 403


def test_the_agent_files_for_its_party_and_records_a_fee_from_its_workbench(grant, today):
    grant(items=["GZKZBA"])
    c = _client("agent")
    page = c.get(f"/workbench/agents/apply/?party={XTKJ}").content.decode()
    assert "公章刻制备案" in page and "单位参保登记" not in page  # only items in scope
    form = {"party": XTKJ, "item": "430321-GZKZBA", "f_0": "湘潭示范科技有限公司", "f_1": "公章", "f_2": "王示范",
            "f_3": "13800000000"}
    r = c.post("/workbench/agents/apply/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.filter(agent=user("agent")).latest("id")
    assert case.authorisation is not None and case.applicant.number == XTKJ
    bad = c.post("/workbench/agents/", {"case": case.number, "amount": "-5", "purpose": "刻章费",
                                        "paid_on": today.isoformat(), "receipt_no": "1"})
    assert 'id="err-amount"' in bad.content.decode() and not FeePayment.objects.filter(case=case).exists()
    c.post("/workbench/agents/", {"case": case.number, "amount": "80", "purpose": "刻章费",
                                  "paid_on": today.isoformat(), "receipt_no": "KZ-9"})
    assert FeePayment.objects.filter(case=case, amount=80).exists()


def test_staff_land_on_the_agents_workbench_and_applicants_see_my_authorisations_in_the_nav():
    assert 'href="/workbench/agents/"' in _client("agent").get("/").content.decode()
    assert 'href="/me/authorisations/"' in _client("xtkj").get("/").content.decode()
