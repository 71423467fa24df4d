"""Public output of the hotline (Open311, the tracking page, the anonymous API) shows only what a public
12345 board shows (issue 12, leak 1)."""

import xml.etree.ElementTree as ET

import pytest

from yiwang.hotline import rules, services

pytestmark = pytest.mark.django_db
BASES = ["/open311/v2", "/api/open311/v2"]
SECRETS = ["430321199001011234", "13800000009", "金霞路18号", "王举报人", "3栋201"]
WHISTLE = (f"举报某厂夜间偷排废水。举报人{SECRETS[3]}，身份证{SECRETS[0]}，电话{SECRETS[1]}，"
           f"家住易俗河镇{SECRETS[2]}{SECRETS[4]}")


def public_outputs(client, number, token=""):
    """Every public output for one request, as text."""
    texts = []
    for base in BASES:
        for fmt in ("json", "xml"):
            texts.append(client.get(f"{base}/requests.{fmt}").content.decode())
            texts.append(client.get(f"{base}/requests.{fmt}", {"service_request_id": number}).content.decode())
            texts.append(client.get(f"{base}/requests/{number}.{fmt}").content.decode())
    texts.append(client.get(f"/12345/{number}/").content.decode())
    texts.append(client.get(f"/api/v1/requests/{number}").content.decode())
    return texts


def assert_no_secret(texts, secrets):
    for text in texts:
        for s in secrets:
            assert s not in text


def test_anonymous_report_never_appears_in_public_json_xml_or_tracking_page(client):
    r = client.post("/api/v1/requests", {"kind": "report", "category": "0302", "title": f"举报偷排 {SECRETS[1]}",
                                         "content": WHISTLE, "anonymous": True,
                                         "address": f"易俗河镇{SECRETS[2]}{SECRETS[4]}"},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    number = r.json()["number"]
    texts = public_outputs(client, number)
    assert_no_secret(texts, SECRETS + ["偷排"])
    assert number not in client.get("/open311/v2/requests.json").content.decode()
    assert client.get(f"/open311/v2/requests/{number}.json").status_code == 404
    assert client.get(f"/12345/{number}/").status_code == 404
    assert client.get(f"/api/v1/requests/{number}").status_code == 404


def test_report_filed_by_phone_with_requester_data_is_not_public(client, make_request):
    req = make_request(kind="report", content=WHISTLE, requester_name=SECRETS[3], phone=SECRETS[1],
                       address=f"易俗河镇{SECRETS[2]}")
    assert_no_secret(public_outputs(client, req.number), SECRETS)
    assert req.number not in client.get("/open311/v2/requests.xml").content.decode()


def test_public_complaint_shows_category_masked_place_status_never_requester(client, make_request):
    req = make_request(kind="complaint", content=f"商家拒绝退货，我的电话{SECRETS[1]}", requester_name=SECRETS[3],
                       phone=SECRETS[1], address=f"易俗河镇{SECRETS[2]}{SECRETS[4]}", lat="27.779712",
                       long="112.912134")
    texts = public_outputs(client, req.number)
    assert_no_secret(texts, SECRETS + ["商家拒绝退货", "27.7797", "112.9121"])
    one = client.get(f"/open311/v2/requests/{req.number}.json").json()[0]
    assert one["service_code"] == "0302" and one["status"] == "open" and one["description"] == ""
    assert one["address"] == "易俗河镇金霞路" and (one["lat"], one["long"]) == ("27.78", "112.91")
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{req.number}.xml").content)
    assert xml.findtext("request/address") == "易俗河镇金霞路"
    page = client.get(f"/12345/{req.number}/").content.decode()
    assert "待派单" in page and "易俗河镇金霞路" in page


def test_request_marked_private_is_not_public_but_its_token_opens_it(client, make_request):
    req = make_request(kind="suggestion", private=True)
    assert client.get(f"/open311/v2/requests/{req.number}.json").status_code == 404
    assert req.number not in client.get("/open311/v2/requests.json").content.decode()
    assert client.get(f"/12345/{req.number}/").status_code == 404
    own = client.get(f"/12345/{req.number}/", {"token": req.token})
    assert own.status_code == 200 and "待派单" in own.content.decode()
    assert SECRETS[1] not in own.content.decode()


def test_merged_request_note_carries_no_text_of_the_other_request(client, make_request, operator):
    kept = make_request(kind="complaint", title="商场拒绝退货")
    dup = make_request(kind="complaint", title="商场拒绝退货", content=WHISTLE, phone=SECRETS[1])
    services.request_merge(request=dup, into=kept, actor=operator)
    assert "偷排" not in kept.events.get(action="merged_in").reason
    for number in (kept.number, dup.number):
        assert_no_secret(public_outputs(client, number), SECRETS + ["偷排"])
    assert client.get(f"/api/v1/requests/{dup.number}").json()["status"] == "merged"


def test_public_reply_masks_phone_numbers_but_the_unit_sees_it_whole(client, make_request, operator, scjg_user):
    req = services.request_dispatch(request=make_request(), actor=operator)
    services.request_sign(request=req, actor=scjg_user)
    services.request_reply(request=req, actor=scjg_user, reply=f"已责令商家退货，请致电{SECRETS[1]}")
    page = client.get(f"/12345/{req.number}/").content.decode()
    assert "已责令商家退货" in page and SECRETS[1] not in page
    assert SECRETS[1] not in client.get(f"/api/v1/requests/{req.number}").content.decode()
    client.force_login(scjg_user)  # the handling unit still sees the full request
    assert SECRETS[1] in client.get(f"/api/v1/requests/{req.number}").json()["reply"]


@pytest.mark.parametrize("address, masked", [
    ("易俗河镇金霞路18号3栋", "易俗河镇金霞路"), ("天易示范区金霞小区3栋201", "天易示范区金霞小区"),
    ("金霞路十八号", "金霞路"), ("某某大厦", "湘潭县"), ("", "湘潭县"),
])
def test_address_is_masked_to_road_level(address, masked):
    assert rules.mask_address(address, "湘潭县") == masked
