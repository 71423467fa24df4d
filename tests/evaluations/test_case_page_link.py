import pytest

from yiwang.evaluations.models import Evaluation
from yiwang.evaluations.services import evaluation_invite
from yiwang.organisations.models import Unit

pytestmark = pytest.mark.django_db


def test_the_applicants_case_page_links_to_its_rating(client):
    from django.contrib.auth import get_user_model

    from yiwang.cases.services import case_submit
    from yiwang.parties.models import Party

    user = get_user_model().objects.get(username="xtcy")
    party = Party.objects.get(user=user)
    case = case_submit(item="430321-GZKZBA", applicant=party, form={"企业名称": party.name, "印章种类": "公章",
                       "法定代表人": "张示范", "联系电话": "13800000000"}, channel="online", actor=user)
    evaluation_invite(subject_kind="case", subject_ref=case.number, unit=Unit.objects.get(code="XTX-GA"),
                      rater_party=party)
    client.force_login(user)
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    token = Evaluation.objects.get(subject_ref=case.number).token
    assert f"/rate/{token}/" in page and "去评价" in page
