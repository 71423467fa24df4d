"""ID numbers and credit codes take ASCII digits and capitals only (issue 12, item 9)."""

import pytest
from django.contrib.auth import get_user_model

from yiwang.parties.identifiers import check_id_number, check_uscc
from yiwang.parties.models import Party

pytestmark = pytest.mark.django_db
XTKJ = "91430321MA4L16JQ95"
ZHANG = "430321198506120013"
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("table", [ARABIC, FULL])
def test_non_ascii_digits_are_refused_in_both_identifiers_without_an_error(table):
    assert check_uscc(XTKJ[:2] + XTKJ[2:8].translate(table) + XTKJ[8:]).error == "format"
    assert check_id_number(ZHANG[:6].translate(table) + ZHANG[6:]).error == "format"
    assert check_uscc(XTKJ).valid and check_id_number(ZHANG).valid


@pytest.mark.parametrize("table", [ARABIC, FULL])
def test_the_api_answers_400_and_registers_no_second_party(api_client, table):
    number = XTKJ[:2] + XTKJ[2:8].translate(table) + XTKJ[8:]
    r = api_client.post("/api/v1/parties/check", {"kind": "enterprise", "number": number},
                        content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "number" and "半角" in r.json()["message"]
    api_client.force_login(get_user_model().objects.get(username="clerk"))
    before = Party.objects.count()
    r = api_client.post("/api/v1/cases", {"item": "430321-GZKZBA", "channel": "window", "applicant": {
        "kind": "enterprise", "number": number, "name": "湘潭示范科技有限公司"}}, content_type="application/json")
    assert r.status_code == 400 and r.json()["error"].startswith("invalid")
    assert Party.objects.count() == before
