"""The agent reads and acts on a case only while the authorisation it filed under is in force:
revoked or expired, the case is the party's alone (API and page)."""

import pytest
from django.test import Client

from yiwang.agents import services
from yiwang.cases.services import case_submit

from .conftest import XTKJ, user

pytestmark = pytest.mark.django_db
FORM = {"企业名称": "湘潭示范科技有限公司", "印章种类": "公章", "法定代表人": "王示范", "联系电话": "13800000000"}


def _client(u):
    c = Client()
    c.force_login(u)
    return c


@pytest.fixture
def filed(grant):
    from yiwang.parties.models import Party

    auth = grant(agent="agent", items=["GZKZBA"])
    case = case_submit(actor=user("agent"), item="430321-GZKZBA", applicant=Party.objects.get(number=XTKJ),
                       form=FORM, channel="agent")
    return auth, case


def _reads(u, number):
    c = _client(u)
    return (c.get(f"/api/v1/cases/{number}").status_code, c.get(f"/me/cases/{number}/").status_code,
            number in c.get("/api/v1/cases?page_size=200").content.decode())


def test_the_agent_reads_and_lists_a_case_filed_under_its_authorisation_in_force(filed):
    auth, case = filed
    assert _reads(user("agent"), case.number) == (200, 200, True)
    page = _client(user("agent")).get("/workbench/agents/").content.decode()
    assert case.number in page and "湘潭示范科技有限公司" in page


@pytest.mark.parametrize("end", ["revoke", "expire"])
def test_after_revocation_or_expiry_the_agent_no_longer_reads_the_case_and_the_party_still_does(filed, end):
    auth, case = filed
    who = user("xtkj") if end == "revoke" else None
    services.authorisation_act(number=auth.number, actor=who, action=end)
    status_api, status_page, listed = _reads(user("agent"), case.number)
    assert status_api == 403 and status_page in (403, 404) and not listed
    assert _reads(user("xtkj"), case.number) == (200, 200, True)
    assert case.number not in _client(user("agent")).get("/workbench/agents/").content.decode()


def test_after_revocation_the_agent_cannot_act_on_the_case(filed):
    auth, case = filed
    c = _client(user("agent"))
    services.authorisation_act(number=auth.number, actor=user("xtkj"), action="revoke")
    r = c.post(f"/api/v1/cases/{case.number}/withdraw", {"reason": "不办了"}, content_type="application/json")
    assert r.status_code in (403, 404)


def test_a_stranger_never_reads_the_case(filed, stranger):
    _, case = filed
    assert _reads(stranger, case.number)[0] == 403


def test_the_enterprise_sees_the_fees_its_agent_paid_and_a_stranger_does_not(filed, stranger, today):
    from .conftest import PDF

    auth, case = filed
    services.fee_record(actor=user("agent"), case=case.number, amount="120.50", purpose="刻章费", paid_on=today,
                        receipt_no="KZ-0001", filename="票据.pdf", content=PDF)
    mine = _client(user("xtkj")).get("/api/v1/agents/payments").json()
    assert [(p["case"], p["amount"], p["has_receipt"]) for p in mine] == [(case.number, "120.50", True)]
    assert "刻章费" in _client(user("xtkj")).get(f"/agents/a/{auth.number}/").content.decode()
    assert _client(stranger).get("/api/v1/agents/payments").json() == []
