import io
import json
import zipfile

import pytest

from tests import files

from .conftest import PDF, QYSLDJ, XTCY, form_for


def token(client, username):
    r = client.post("/api/v1/auth/token", {"username": username, "password": "Demo@2026"},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


def post(client, url, body, auth):
    return client.post(url, json.dumps(body), content_type="application/json", **auth)


@pytest.fixture
def clerk(api_client, db):
    return token(api_client, "clerk")


def submit(client, auth, item=QYSLDJ, applicant=XTCY, channel="window"):
    return post(client, "/api/v1/cases", {"item": item, "applicant": applicant, "form": form_for(item),
                                          "channel": channel}, auth)


def test_submit_accept_review_approve_deliver_over_the_api(api_client, clerk):
    r = submit(api_client, clerk)
    assert r.status_code == 201, r.content
    case = r.json()
    number = case["number"]
    assert number.startswith(QYSLDJ) and len(number) == len(QYSLDJ) + 12
    assert case["status"] == "submitted" and case["deciding_unit"] == "XTX-SCJG"
    paper = ["公司登记（备案）申请书", "公司章程", "住所（经营场所）使用证明"]
    r = post(api_client, f"/api/v1/cases/{number}/accept", {"paper": paper, "version": case["version"]}, clerk)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "accepted" and r.json()["deadline"] and r.json()["days_left"] is not None
    approver = token(api_client, "approver")
    assert post(api_client, f"/api/v1/cases/{number}/review", {"opinion": "材料齐全"}, approver).status_code == 200
    r = post(api_client, f"/api/v1/cases/{number}/approve", {}, approver)
    assert r.json()["status"] == "approved"
    r = post(api_client, f"/api/v1/cases/{number}/deliver", {"method": "window"}, clerk)
    body = r.json()
    assert body["status"] == "delivered"
    assert [h["action"] for h in body["history"]] == ["submit", "accept", "review", "approve", "deliver"]


def test_submit_needs_item_or_bundle(api_client, clerk):
    r = post(api_client, "/api/v1/cases", {"applicant": XTCY, "form": {}}, clerk)
    assert r.status_code == 400 and r.json()["field"] == "item"


def test_bad_input_is_a_400_naming_the_field(api_client, clerk):
    r = post(api_client, "/api/v1/cases", {"item": QYSLDJ, "applicant": {**XTCY, "number": "123"},
                                          "form": form_for(QYSLDJ), "channel": "window"}, clerk)
    assert r.status_code == 400 and r.json()["field"] == "applicant.number"
    r = post(api_client, "/api/v1/cases", {"item": QYSLDJ, "applicant": XTCY, "form": {}, "channel": "window"}, clerk)
    assert r.status_code == 400 and r.json()["field"].startswith("form.")
    r = post(api_client, "/api/v1/cases", {"item": "nope", "applicant": XTCY, "form": {}, "channel": "window"}, clerk)
    assert r.status_code == 404


def test_stale_version_is_a_409(api_client, clerk):
    number = submit(api_client, clerk).json()["number"]
    r = post(api_client, f"/api/v1/cases/{number}/refuse", {"reason": "x", "version": 99}, clerk)
    assert r.status_code == 409 and "刷新" in r.json()["message"]


def test_other_units_get_403_and_see_nothing(api_client, clerk):
    number = submit(api_client, clerk).json()["number"]
    ga = token(api_client, "xtx-ga")
    r = api_client.get(f"/api/v1/cases/{number}", **ga)
    assert r.status_code == 403 and "无权" in r.json()["message"]
    assert post(api_client, f"/api/v1/cases/{number}/refuse", {"reason": "x"}, ga).status_code == 403
    listed = api_client.get("/api/v1/cases", **ga).json()
    assert number not in [c["number"] for c in listed["results"]]
    other = token(api_client, "zhang")
    assert api_client.get(f"/api/v1/cases/{number}", **other).status_code == 403
    assert api_client.get(f"/api/v1/cases/{number}", **token(api_client, "xtcy")).status_code == 200


def test_applicant_submits_online_only_for_themselves(api_client, db):
    xtcy = token(api_client, "xtcy")
    assert submit(api_client, xtcy, channel="online").status_code == 201
    zhang = token(api_client, "zhang")
    r = submit(api_client, zhang, channel="online")
    assert r.status_code == 403


def _ofd() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD/>")
    return buf.getvalue()


@pytest.mark.parametrize("content, ok", [
    (PDF, True), (files.JPG, True), (files.PNG, True), (files.ofd(), True), (_ofd(), False),
    (b"PK\x03\x04not a zip", False), (b"MZ\x90\x00exe", False), (b"<html>", False),
])
def test_materials_are_checked_by_content(api_client, clerk, content, ok, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    number = submit(api_client, clerk).json()["number"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("scan.pdf", content)  # the name lies; the content decides
    r = api_client.post(f"/api/v1/cases/{number}/materials", {"name": "公司章程", "file": f}, **clerk)
    assert r.status_code == (201 if ok else 400), r.content


def test_materials_over_the_size_limit_are_refused(api_client, clerk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.YIWANG_MAX_UPLOAD_MB = 0
    number = submit(api_client, clerk).json()["number"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = api_client.post(f"/api/v1/cases/{number}/materials",
                        {"name": "公司章程", "file": SimpleUploadedFile("a.pdf", PDF)}, **clerk)
    assert r.status_code == 400 and r.json()["error"] == "too_large"


def test_materials_are_served_only_to_those_who_may_see_the_case(api_client, clerk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    number = submit(api_client, clerk).json()["number"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    api_client.post(f"/api/v1/cases/{number}/materials",
                    {"name": "公司章程", "file": SimpleUploadedFile("a.pdf", PDF)}, **clerk)
    url = api_client.get(f"/api/v1/cases/{number}", **clerk).json()["materials"][0]["url"]
    assert api_client.get(url, **clerk).status_code == 200
    assert api_client.get(url, **token(api_client, "xtx-ga")).status_code == 403
    assert api_client.get(url, **token(api_client, "approver")).status_code == 200


def test_list_and_detail_use_a_fixed_number_of_queries(api_client, clerk, django_assert_max_num_queries):
    numbers = [submit(api_client, clerk).json()["number"] for _ in range(6)]
    with django_assert_max_num_queries(8):
        r = api_client.get("/api/v1/cases?status=submitted&page_size=50", **clerk)
    assert r.json()["count"] >= 6
    with django_assert_max_num_queries(14):
        api_client.get(f"/api/v1/cases/{numbers[0]}", **clerk)


def test_list_filters_by_due_state_and_sorts_by_deadline(api_client, clerk):
    from yiwang.cases.models import Case

    numbers = [submit(api_client, clerk).json()["number"] for _ in range(3)]
    from datetime import date

    Case.objects.filter(number=numbers[0]).update(status="accepted", due_state="overdue", deadline=date(2026, 1, 5))
    Case.objects.filter(number=numbers[1]).update(status="accepted", due_state="near", deadline=date(2026, 1, 6))
    r = api_client.get("/api/v1/cases?due=overdue", **clerk).json()
    assert numbers[0] in [c["number"] for c in r["results"]] and numbers[1] not in [c["number"] for c in r["results"]]
    r = api_client.get("/api/v1/cases?status=accepted", **clerk).json()
    deadlines = [c["deadline"] for c in r["results"]]
    assert deadlines == sorted(deadlines)
    assert api_client.get("/api/v1/cases?due=soon", **clerk).status_code == 400
