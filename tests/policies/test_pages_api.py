"""The API (policies, rule check, match, explain, calculator, redemption actions) and the pages
(专区, guide, calculator, my redemptions, workbench, rule editor with a live count)."""

import json

import pytest
from django.test import Client

from yiwang.core.models import OutboxMessage
from yiwang.policies.demo import XTCY, XTKJ
from yiwang.policies.models import Grant, Policy, PolicyMatch

pytestmark = pytest.mark.django_db


def signed_in(username):
    c = Client()
    assert c.login(username=username, password="Demo@2026")
    return c


def post_json(c, url, data):
    return c.post(url, json.dumps(data), content_type="application/json")


def test_the_policy_list_and_detail_give_the_rule_as_data_and_as_a_sentence(api_client):
    r = api_client.get("/api/v1/policies?q=稳岗")
    assert r.status_code == 200 and [p["code"] for p in r.json()["policies"]] == ["XTX-2026-WG01"]
    d = api_client.get("/api/v1/policies/XTX-2026-WG01").json()
    assert d["rule"]["items"][1] == {"field": "insured", "op": "gte", "value": 5}
    assert d["sentence"].startswith("同时满足：企业规模为中型或小型或微型；且社保参保人数不少于5人")
    assert d["amount_sentence"] == "按社保参保人数每人500元，最高不超过200,000元"
    assert api_client.get("/api/v1/policies/NOPE").status_code == 404


NEW_POLICY = {"code": "XTX-2026-T01", "name": "测试政策", "issuing_unit": "XTX-KGJ",
              "rule": {"mode": "all", "items": [{"field": "employees", "op": "gte", "value": 50}]},
              "amount": {"kind": "fixed", "value": 5000}}


def test_a_policy_with_a_rule_that_cannot_compile_is_refused_at_the_rule_and_nothing_is_saved():
    c = signed_in("xtx-kgj")
    bad = {**NEW_POLICY, "rule": {"mode": "all", "items": [{"field": "employees", "op": "has", "value": 5}]}}
    r = post_json(c, "/api/v1/policies", bad)
    assert r.status_code == 400
    assert {k: v for k, v in r.json().items() if k != "errors"} == {"error": "rule_refused", "field": "rule",
                        "message": "第1个条件：“从业人数”不支持“持有”，可用：不少于、大于、不超过、小于、等于、不等于、介于"}
    assert not Policy.objects.filter(code="XTX-2026-T01").exists()
    r = post_json(c, "/api/v1/policies", {**NEW_POLICY, "amount": {"kind": "share", "field": "tax_paid", "rate": 3}})
    assert r.status_code == 400 and r.json()["field"] == "amount"


def test_an_admin_writes_publishes_and_matches_a_policy_and_each_enterprise_is_pushed_once():
    c = signed_in("xtx-kgj")
    r = post_json(c, "/api/v1/policies", {**NEW_POLICY, "publish": True})
    assert r.status_code == 200 and r.json()["status"] == "published"
    policy = Policy.objects.get(code="XTX-2026-T01")
    from yiwang.workcalendar.index import add_working_days
    assert policy.guide_due_on == add_working_days(policy.published_on, 7).date
    page = c.get("/workbench/policies/XTX-2026-T01/").content.decode()
    assert "待公布" in page and "超期未公布" not in page  # no guide items yet, within its 7 working days
    assert "超期未公布" in c.get("/workbench/policies/").content.decode()  # the demo's 专精特新 guide is late
    pushed = PolicyMatch.objects.filter(policy=policy).count()
    assert pushed > 0 and OutboxMessage.objects.filter(topic="policies.push", payload__policy=policy.code).count() == pushed
    assert c.post("/api/v1/policies/XTX-2026-T01/publish").status_code == 200
    assert OutboxMessage.objects.filter(topic="policies.push", payload__policy=policy.code).count() == pushed
    r = c.post("/api/v1/policies/XTX-2026-T01/match")
    assert r.status_code == 200 and r.json()["created"] == pushed
    assert {g["amount"] for g in r.json()["grants"]} == {"5000.00"}
    assert signed_in("xtx-rs").post("/api/v1/policies/XTX-2026-T01/match").status_code == 403


def test_the_rule_check_gives_the_live_count_or_the_reason():
    c = signed_in("catadmin")
    r = post_json(c, "/api/v1/policies/rule-check", {"rule": NEW_POLICY["rule"]})
    assert r.status_code == 200 and r.json()["count"] > 0 and r.json()["sentence"] == "从业人数不少于50人。"
    r = post_json(c, "/api/v1/policies/rule-check", {"rule": {"mode": "all", "items": []}})
    assert r.status_code == 400 and r.json()["field"] == "rule"
    assert post_json(signed_in("xtkj"), "/api/v1/policies/rule-check", {"rule": NEW_POLICY["rule"]}).status_code == 403


def test_explain_and_calculator_are_for_the_enterprise_itself_or_staff():
    kj = signed_in("xtkj")
    r = kj.get(f"/api/v1/policies/XTX-2026-GQ01/explain?enterprise={XTKJ}")
    assert r.status_code == 200 and r.json()["qualifies"] is True
    first = r.json()["conditions"][0]
    assert first["passed"] and first["source"] == "科技部门认定名单" and "2026-03-15" in first["value"]
    calc = kj.get(f"/api/v1/policies/calculator?enterprise={XTKJ}").json()
    assert {p["policy"] for p in calc["qualifies"]} >= {"XTX-2026-GQ01", "XTX-2026-WG01", "TYJK-2026-ZJ01"}
    assert kj.get(f"/api/v1/policies/calculator?enterprise={XTCY}").status_code == 403
    assert Client().get(f"/api/v1/policies/calculator?enterprise={XTKJ}").status_code == 401
    assert signed_in("clerk").get(f"/api/v1/policies/calculator?enterprise={XTCY}").status_code == 200


def test_redemption_actions_through_the_api_with_versions_and_refusals():
    kj = signed_in("xtkj")
    number = Grant.objects.get(policy__code="XTX-2026-WG01", enterprise__number=XTKJ).number
    d = kj.get(f"/api/v1/redemptions/{number}").json()
    assert {a["name"] for a in d["actions"]} == {"confirm", "decline"}
    r = post_json(kj, f"/api/v1/redemptions/{number}/confirm", {"bank": "工商银行", "account": "6222", "committed": True})
    assert r.status_code == 400 and (r.json()["field"], r.json()["error"]) == ("account", "invalid")
    assert "收款账号" in r.json()["message"], "the refusal names the field by its Chinese title"
    body = {"bank": "工商银行湘潭县支行", "account": "190401234567890", "committed": True, "version": d["version"]}
    r = post_json(kj, f"/api/v1/redemptions/{number}/confirm", body)
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert post_json(kj, f"/api/v1/redemptions/{number}/confirm", body).status_code == 409
    assert signed_in("xtcy").get(f"/api/v1/redemptions/{number}").status_code == 404


def test_the_portal_pages_walk_from_the_list_to_the_calculator_and_a_confirmation():
    kj = signed_in("xtkj")
    assert "高新技术企业首次认定奖励" in kj.get("/policies/").content.decode()
    page = kj.get("/policies/p/XTX-2026-GQ01/").content.decode()
    assert "申兑指南" in page and "持有有效的“高新技术企业”资质且于近1年内首次认定" in page and "符合条件" in page
    calc = kj.get("/policies/calculator/").content.decode()
    assert "可享受的政策" in calc and "100000.00" in calc and "差一个条件即可享受" in calc
    grant = Grant.objects.get(policy__code="XTX-2026-WG01", enterprise__number=XTKJ)
    assert grant.number in kj.get("/policies/mine/").content.decode()
    r = kj.post(f"/policies/grants/{grant.number}/act/", {"action": "confirm", "bank": "工商银行湘潭县支行",
                                                         "account": "190401234567890", "version": grant.version})
    grant.refresh_from_db()
    assert r.status_code == 302 and grant.status == "notified", "no commitment ticked: refused"
    kj.post(f"/policies/grants/{grant.number}/act/", {"action": "confirm", "bank": "工商银行湘潭县支行",
                                                     "account": "190401234567890", "committed": "on"})
    grant.refresh_from_db()
    assert grant.status == "confirmed"


def test_the_workbench_lists_policies_and_the_editor_saves_a_rule_or_refuses_it_at_the_field():
    c = signed_in("xtx-kgj")
    assert "政策与兑现名单" in c.get("/workbench/policies/").content.decode()
    assert signed_in("xtkj").get("/workbench/policies/").status_code == 403
    form = {"code": "XTX-2026-T02", "name": "编辑器测试", "issuing_unit": "XTX-KGJ", "mode": "proactive",
            "c0_group": "1", "c0_field": "size", "c0_op": "in", "c0_value": "小型、微型",
            "c1_group": "2", "c1_field": "qualification", "c1_op": "has", "c1_value": "高新技术企业",
            "c2_group": "2", "c2_field": "qualification", "c2_op": "has", "c2_value": "科技型中小企业",
            "g2_mode": "any", "amount_kind": "share", "amount_field": "tax_paid", "amount_percent": "10",
            "amount_cap": "200000"}
    preview = c.post("/workbench/policies/preview/", form).content.decode()
    assert "企业规模为小型或微型；且（满足其一：持有有效的“高新技术企业”资质；或持有有效的“科技型中小企业”资质）" in preview
    assert 'id="live-count"' in preview
    r = c.post("/workbench/policies/new/", form)
    assert r.status_code == 302
    p = Policy.objects.get(code="XTX-2026-T02")
    assert p.rule["items"][0] == {"field": "size", "op": "in", "value": ["small", "micro"]}
    assert p.amount == {"kind": "share", "field": "tax_paid", "rate": "0.1", "cap": "200000"}
    edit = c.get("/workbench/policies/XTX-2026-T02/edit/").content.decode()
    assert 'value="小型、微型"' in edit and 'value="10"' in edit
    bad = {**form, "code": "XTX-2026-T03", "c0_value": "特大型"}
    r = c.post("/workbench/policies/new/", bad)
    assert r.status_code == 400 and "取值应为大型、中型、小型、微型之一" in r.content.decode()
    assert not Policy.objects.filter(code="XTX-2026-T03").exists()
