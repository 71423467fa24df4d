"""/api/v1/agents: grant, list, revoke, paper with its scan, rating; refusals at the field; the
OpenAPI document declares every operation's 4xx."""

from datetime import timedelta

import pytest
from django.test import Client

from .conftest import PDF, XTKJ, user

pytestmark = pytest.mark.django_db


def _client(name):
    c = Client()
    c.force_login(user(name))
    return c


def _grant_body(today, **kw):
    return {"party": XTKJ, "agent": "agent", "items": ["GZKZBA"], "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=90)).isoformat(), **kw}


def test_the_party_grants_lists_and_revokes_through_the_api(today):
    c = _client("xtkj")
    r = c.post("/api/v1/agents/authorisations", _grant_body(today), content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "granted" and body["in_force"] and body["actions"] == ["revoke"]
    assert body["team"] == "天易经开区帮代办服务队"
    listed = _client("agent").get("/api/v1/agents/authorisations").json()["results"]
    assert body["number"] in [a["number"] for a in listed]
    r = c.post(f"/api/v1/agents/authorisations/{body['number']}/revoke", {"reason": "项目结束"},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "revoked" and r.json()["end_reason"] == "项目结束"
    r = c.post(f"/api/v1/agents/authorisations/{body['number']}/revoke", {}, content_type="application/json")
    assert r.status_code == 409


@pytest.mark.parametrize("who, change, status, field", [
    ("xtcy", {}, 403, "party"),  # not the grantor's account
    ("xtkj", {"agent": "nobody"}, 400, "agent"),
    ("xtkj", {"agent": "xtkj"}, 400, "agent"),  # itself
    ("xtkj", {"items": []}, 400, "items"),
    ("xtkj", {"items": ["NOPE"]}, 400, "items"),
    ("xtkj", {"valid_until": "2020-01-01"}, 400, "valid_until"),
])
def test_a_refused_grant_names_its_field_in_chinese_and_saves_nothing(today, who, change, status, field):
    from yiwang.agents.models import Authorisation

    before = Authorisation.objects.count()
    r = _client(who).post("/api/v1/agents/authorisations", _grant_body(today, **change),
                          content_type="application/json")
    assert r.status_code == status and r.json()["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"])
    assert Authorisation.objects.count() == before


def test_a_clerk_records_a_paper_authorisation_only_with_a_real_scan(today):
    c = _client("clerk")
    data = {"party": XTKJ, "agent": "agent", "items": "GZKZBA,DWCBDJ", "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=30)).isoformat()}
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = c.post("/api/v1/agents/authorisations/paper", {**data, "scan": SimpleUploadedFile("a.pdf", b"MZ\x90\x00")})
    assert bad.status_code == 400 and bad.json()["field"] == "scan"
    ok = c.post("/api/v1/agents/authorisations/paper", {**data, "scan": SimpleUploadedFile("a.pdf", PDF)})
    assert ok.status_code == 201 and ok.json()["source"] == "paper" and ok.json()["items"] == ["DWCBDJ", "GZKZBA"]
    assert _client("xtkj").post("/api/v1/agents/authorisations/paper",
                                {**data, "scan": SimpleUploadedFile("a.pdf", PDF)}).status_code == 403


def test_the_party_rates_its_agent_once(grant):
    auth = grant()
    c = _client("xtkj")
    url = f"/api/v1/agents/authorisations/{auth.number}/rating"
    low = c.post(url, {"score": 2}, content_type="application/json")
    assert low.status_code == 400 and low.json()["field"] == "comment"
    assert c.post(url, {"score": 5, "comment": "跑得快"}, content_type="application/json").status_code == 201
    assert c.post(url, {"score": 4}, content_type="application/json").status_code == 409
    assert _client("agent").post(url, {"score": 5}, content_type="application/json").status_code == 403


def test_teams_and_assignments_show_the_demo_agent_and_its_enterprise():
    teams = _client("leader").get("/api/v1/agents/teams").json()
    park = next(t for t in teams if t["unit"] == "TYJK")
    members = {m["username"]: m for m in park["members"]}
    assert set(members) == {"agent", "zhuanyuan"}  # the park's 帮代办 team and the project's named agent
    assert members["agent"]["parties"] >= 1
    rows = _client("xtkj").get("/api/v1/agents/assignments").json()
    assert [(r["agent"], r["party"]) for r in rows] == [("agent", XTKJ)]
    assert Client().get("/api/v1/agents/teams").status_code == 401


def test_every_agents_operation_declares_its_4xx():
    from yiwang.api import api

    paths = api.get_openapi_schema()["paths"]
    ops = [(p, m, op) for p, item in paths.items() if p.startswith("/api/v1/agents") for m, op in item.items()]
    assert len(ops) >= 10
    for p, m, op in ops:
        codes = {str(c) for c in op["responses"]}
        assert {"401", "403", "404"} <= codes, (p, m, codes)
        if m == "post":
            assert {"400", "409"} <= codes, (p, m, codes)
