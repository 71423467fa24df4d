"""办件进度查询 without an account: the case number and the applicant's phone or the last six
characters of the ID, the same refusal for an unknown number and a wrong proof, throttled."""

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from tests.cases.conftest import XTCY, at, form_for

pytestmark = pytest.mark.django_db
QYSLDJ = "430321-QYSLDJ"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def accepted(db):
    from django.contrib.auth.models import User

    from yiwang.cases import services
    from yiwang.parties.models import Party

    Party.objects.filter(number=XTCY["number"]).update(phone="0731-5788 1234")
    clerk = User.objects.get(username="clerk")
    case = services.case_submit(actor=clerk, item=QYSLDJ, applicant=XTCY, form=form_for(QYSLDJ),
                                channel="window", now=at(date(2026, 9, 28)))
    return services.case_accept(case=case, actor=clerk, paper=["公司登记（备案）申请书", "公司章程",
                                                               "住所（经营场所）使用证明"], now=at(date(2026, 9, 28)))


@pytest.mark.parametrize("proof", ["8K2P6K", "8k2p6k", "073157881234", "0731-5788-1234"])
def test_the_applicant_sees_status_deadline_and_steps_with_a_matching_proof(accepted, proof):
    r = Client().get("/progress/", {"number": accepted.number, "proof": proof})
    html = r.content.decode()
    assert r.status_code == 200
    assert "企业设立登记" in html and accepted.get_status_display() in html
    assert "提交申请" in html and "受理" in html and accepted.deadline.isoformat() in html
    assert XTCY["number"] not in html and "示例" not in html  # no ID number, no form content


@pytest.mark.parametrize(("number", "proof"), [("", "8K2P6K"), ("x", "")])
def test_a_missing_field_is_named_at_the_field(number, proof):
    r = Client().get("/progress/", {"number": number, "proof": proof})
    assert r.status_code == 400
    html = r.content.decode()
    assert ("请填写办件编号" in html) == (not number) and ("请填写申请人手机号码或证件号码后6位" in html) == (not proof)


def test_an_unknown_number_and_a_wrong_proof_get_the_same_answer(accepted):
    wrong = Client().get("/progress/", {"number": accepted.number, "proof": "000000"})
    unknown = Client().get("/progress/", {"number": "430321-QYSLDJ202609289999", "proof": "8K2P6K"})
    assert wrong.status_code == unknown.status_code == 404
    assert "不匹配" in wrong.content.decode() and "不匹配" in unknown.content.decode()
    assert "企业设立登记" not in wrong.content.decode().split("<form")[1]


def test_repeated_wrong_answers_from_one_address_are_throttled(accepted):
    c = Client()
    for _ in range(10):
        assert c.get("/progress/", {"number": accepted.number, "proof": "111111"}).status_code == 404
    r = c.get("/progress/", {"number": accepted.number, "proof": "8K2P6K"})
    assert r.status_code == 429 and "查询次数过多" in r.content.decode()


def test_a_case_number_typed_in_the_search_box_opens_its_progress_lookup(accepted):
    r = Client().get("/", {"q": accepted.number})
    assert r.status_code == 302 and r["Location"] == f"/progress/?number={accepted.number}"
    form = Client().get(r["Location"])
    assert form.status_code == 200 and f'value="{accepted.number}"' in form.content.decode()
