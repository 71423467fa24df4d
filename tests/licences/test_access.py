"""Least privilege on licences (issue 12, leak 2): staff read a holder's licences only where their
role needs it; lists mask ID numbers. Refusals are 403 (see licences/api.py for why)."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db
ZHANG = "430321198506120013"


def _login(client, name):
    client.force_login(get_user_model().objects.get(username=name))
    return client


@pytest.fixture
def zhang_licence(issue, zhang, scjg):
    return issue(holder=zhang, licence_type_name="出生医学证明", issuer=scjg)


@pytest.mark.parametrize("username", ["operator", "leader", "catadmin", "supervisor", "hyx-scjg", "xtx-ga"])
def test_staff_without_a_need_are_refused_listing_and_reading_a_holders_licence(api_client, zhang_licence,
                                                                                username):
    client = _login(api_client, username)
    listed = client.get(f"/api/v1/licences?holder={ZHANG}")
    assert listed.status_code == 403 and listed.json()["field"] == "holder"
    assert ZHANG not in listed.content.decode()
    for url in (f"/api/v1/licences/{zhang_licence.identifier}", f"/api/v1/licences/{zhang_licence.identifier}/pdf"):
        r = client.get(url)
        assert r.status_code == 403 and ZHANG not in r.content.decode()


@pytest.mark.parametrize("username", ["approver", "head"])
def test_the_issuing_units_staff_read_it_and_the_list_masks_the_id_number(api_client, zhang_licence, username):
    client = _login(api_client, username)
    items = client.get(f"/api/v1/licences?holder={ZHANG}").json()["items"]
    assert [i["identifier"] for i in items] == [zhang_licence.identifier]
    assert items[0]["holder"]["number"] == "4303**********0013"
    assert client.get(f"/api/v1/licences/{zhang_licence.identifier}").json()["holder"]["number"] == ZHANG
    assert client.get(f"/api/v1/licences/{zhang_licence.identifier}/pdf").status_code == 200


def test_a_unit_handling_a_case_of_the_holder_may_read_while_it_is_open(api_client, issue, xtkj):
    from yiwang.cases import services as cases
    from yiwang.catalogue.models import ItemImplementation

    licence = issue()  # 营业执照 of 湘潭示范科技 by XTX-SCJG
    client = _login(api_client, "clerk")  # the window: receives, did not issue
    assert client.get(f"/api/v1/licences/{licence.identifier}").status_code == 403
    clerk = get_user_model().objects.get(username="clerk")
    fields = ItemImplementation.objects.get(impl_code="430321-GZKZBA").item.form_fields
    case = cases.case_submit(actor=clerk, item="430321-GZKZBA", applicant=xtkj, channel="window",
                             form={name: f"示例{name}" for name in fields})
    assert client.get(f"/api/v1/licences?holder={xtkj.number}").json()["items"][0]["identifier"] == licence.identifier
    assert client.get(f"/api/v1/licences/{licence.identifier}").status_code == 200
    cases.case_act(case=case, actor=clerk, action="withdraw", reason="申请人撤回")
    assert client.get(f"/api/v1/licences/{licence.identifier}").status_code == 403


def test_the_holder_reads_their_own_and_the_public_verify_page_still_masks(api_client, client, zhang_licence):
    own = _login(api_client, "zhang")
    assert own.get(f"/api/v1/licences/{zhang_licence.identifier}").json()["holder"]["number"] == ZHANG
    assert own.get("/api/v1/licences").json()["items"][0]["holder"]["number"] == "4303**********0013"
    page = client.get(f"/verify/{zhang_licence.identifier}").content.decode()
    assert "430321********0013" in page and ZHANG not in page
