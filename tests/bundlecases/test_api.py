"""POST /api/v1/cases with a bundle; GET and actions on a bundle case number."""

import json

import pytest

from .conftest import XTKJ, asked, collect, drive, merged_form

pytestmark = pytest.mark.django_db


def _client(username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    return c


def _post(c, url, body):
    return c.post(url, data=json.dumps(body), content_type="application/json")


def test_a_bundle_application_over_the_api_is_one_case_with_members_and_progress():
    xtkj = _client("xtkj")
    r = _post(xtkj, "/api/v1/cases", {"bundle": "QYKB", "form": merged_form("QYKB"), "channel": "online"})
    assert r.status_code == 201, r.content
    body = r.json()
    number = body["number"]
    assert body["kind"] == "bundle" and body["status"] == "submitted"
    assert [m["item"] for m in body["members"]][0] == "430321-QYSLDJ"
    assert body["progress"] == {"done": 0, "delivered": 0, "total": 6, "percent": 0, "current": [], "next": [
        m["item"] for m in body["members"]], "failed": [], "paused": []}
    assert "accept" not in body["actions"] and "withdraw" in body["actions"]

    clerk = _client("bundleclerk")
    r = _post(clerk, f"/api/v1/cases/{number}/accept", {"paper": asked("QYKB")})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "running" and body["deadline"] and body["days_left"] is not None
    first = body["members"][0]
    assert first["case"] and first["unit"] == "XTX-SCJG" and first["state"] == "running"
    assert body["progress"]["current"] == ["430321-QYSLDJ"]

    drive(first["case"])
    body = xtkj.get(f"/api/v1/cases/{number}").json()
    assert body["status"] == "running"  # all six decided, none delivered yet
    assert body["progress"]["done"] == body["progress"]["total"] == 6 and body["progress"]["delivered"] == 0
    assert "collect" not in body["actions"]
    assert "collect" in clerk.get(f"/api/v1/cases/{number}").json()["actions"]
    collect(number)  # 一次领取 at the bundle window (its page; not a case action of the API)
    body = xtkj.get(f"/api/v1/cases/{number}").json()
    assert body["status"] == "completed" and body["progress"]["delivered"] == 6
    assert all(m["case"] for m in body["members"])
    licence = body["members"][0]["licence"]
    assert licence.startswith("1.2.156.3005.2.")
    r = xtkj.get(f"/api/v1/licences/{licence}/verify")
    assert r.status_code == 200 and r.json()["valid"] is True
    r = xtkj.get(f"/api/v1/licences?holder={XTKJ}")
    assert r.status_code == 200


def test_bundle_case_api_errors_are_chinese_and_4xx():
    xtkj = _client("xtkj")
    r = _post(xtkj, "/api/v1/cases", {"bundle": "NOPE", "form": {}})
    assert r.status_code == 404 and r.json()["field"] == "bundle"
    r = _post(xtkj, "/api/v1/cases", {"bundle": "QYKB", "form": {}})
    assert r.status_code == 400 and r.json()["field"].startswith("form.")
    r = _post(xtkj, "/api/v1/cases", {"bundle": "QYKB", "item": "430321-QYSLDJ", "form": {}})
    assert r.status_code == 400 and r.json()["field"] == "bundle"
    number = _post(xtkj, "/api/v1/cases", {"bundle": "QYKB", "form": merged_form("QYKB")}).json()["number"]
    r = _post(xtkj, f"/api/v1/cases/{number}/accept", {"paper": asked("QYKB")})
    assert r.status_code == 403 and "无权" in r.json()["message"]
    r = _post(_client("clerk"), f"/api/v1/cases/{number}/accept", {"paper": asked("QYKB")})
    assert r.status_code == 403
    r = _post(_client("bundleclerk"), f"/api/v1/cases/{number}/accept", {"paper": []})
    assert r.status_code == 400 and r.json()["field"] == "paper"
    r = _post(_client("bundleclerk"), f"/api/v1/cases/{number}/resume", {})
    assert r.status_code == 409
    r = _post(_client("bundleclerk"), f"/api/v1/cases/{number}/approve", {})
    assert r.status_code == 404 and r.json()["field"] == "action"
    r = _client("xtcy").get(f"/api/v1/cases/{number}")
    assert r.status_code == 403
    r = _post(_client("bundleclerk"), f"/api/v1/cases/{number}/accept", {"paper": asked("QYKB"), "version": 7})
    assert r.status_code == 409
    r = _post(xtkj, f"/api/v1/cases/{number}/withdraw", {"reason": "暂不办理"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"


def test_the_deciding_units_staff_see_the_bundle_case_of_their_child():
    xtkj = _client("xtkj")
    number = _post(xtkj, "/api/v1/cases", {"bundle": "QYKB", "form": merged_form("QYKB")}).json()["number"]
    _post(_client("bundleclerk"), f"/api/v1/cases/{number}/accept", {"paper": asked("QYKB")})
    assert _client("xtx-scjg").get(f"/api/v1/cases/{number}").status_code == 200
    assert _client("xtx-gjj").get(f"/api/v1/cases/{number}").status_code == 403
