"""Pages and API: who sees what, actions from the pages, the public draw page re-runs the draw."""

from datetime import date

import pytest
from django.test import Client

from yiwang.supervision.models import Draw, Inspection, InspectionPlan

pytestmark = pytest.mark.django_db


def client_for(username: str | None) -> Client:
    c = Client()
    if username:
        from django.contrib.auth import get_user_model

        c.force_login(get_user_model().objects.get(username=username))
    return c


def demo_draw() -> Draw:
    return Draw.objects.get(plan__unit__code="XTX-SCJG", plan__year=date.today().year, partners__isnull=True)


def joint_draw() -> Draw:
    return Draw.objects.get(seed="xtx-scjg-xtx-wj-2026-joint-seed")


@pytest.mark.parametrize(("user", "status"), [("xtx-scjg", 200), ("supervisor", 200), ("clerk", 403), ("xtcy", 403)])
def test_the_workbench_is_for_regulators_and_supervisors(user, status):
    assert client_for(user).get("/supervision/").status_code == status


def test_the_menu_link_supervision_home_exists_for_the_supervisor():
    from django.urls import reverse

    assert reverse("supervision:home") == "/supervision/"
    body = client_for("supervisor").get("/").content.decode()
    assert 'href="/supervision/"' in body


def test_the_workbench_lists_the_demo_draws_inspections_to_do():
    body = client_for("xtx-scjg").get("/supervision/").content.decode()
    for i in Inspection.objects.filter(draw=demo_draw()):
        assert i.number in body


def test_the_public_draw_page_shows_seed_hash_result_and_reruns_to_the_same():
    d = demo_draw()
    anon = client_for(None)
    body = anon.get(f"/gongshi/draws/{d.number}/").content.decode()
    assert d.seed in body and d.candidates_hash in body and d.result_hash in body
    body = anon.get(f"/gongshi/draws/{d.number}/?verify=1").content.decode()
    assert "复算一致" in body
    doc = anon.get(f"/gongshi/draws/{d.number}/document.json").json()
    assert doc["seed"] == d.seed and doc["candidates"] == d.candidates


def test_the_public_page_shows_no_personal_data():
    from yiwang.supervision.models import Inspector

    body = client_for(None).get("/gongshi/").content.decode()
    assert "双随机、一公开" in body
    for x in Inspector.objects.all():
        assert x.name not in body
    d = demo_draw()
    assert not any(x.name in client_for(None).get(f"/gongshi/draws/{d.number}/").content.decode()
                   for x in Inspector.objects.all())


def test_record_and_publish_from_the_page():
    i = Inspection.objects.filter(draw=demo_draw(), status="assigned").first()
    c = client_for("xtx-scjg")
    r = c.post(f"/supervision/act/inspection/{i.number}/", {"action": "record", "result": "passed", "findings": "无问题",
                                                           "inspected_on": date.today().isoformat(), "rectify_due": "",
                                                           "next": f"/supervision/inspections/{i.number}/"})
    assert r.status_code == 302
    i.refresh_from_db()
    assert i.status == "concluded"
    c.post(f"/supervision/act/inspection/{i.number}/", {"action": "publish"})  # without the confirmation box
    i.refresh_from_db()
    assert i.published_at is None
    c.post(f"/supervision/act/inspection/{i.number}/", {"action": "publish", "confirmed": "on"})
    i.refresh_from_db()
    assert i.published_at is not None
    assert i.party.name in client_for(None).get("/gongshi/").content.decode()


def test_a_bad_result_from_the_page_says_which_field():
    i = Inspection.objects.filter(draw=demo_draw(), status="assigned").first()
    r = client_for("xtx-scjg").post(f"/supervision/act/inspection/{i.number}/", {
        "action": "record", "result": "rectify", "findings": "问题", "inspected_on": date.today().isoformat(),
        "next": f"/supervision/inspections/{i.number}/"}, follow=True)
    assert "责令整改须填写整改期限" in r.content.decode()


def test_manual_inspection_refused_by_the_cap_names_the_earlier():
    i = Inspection.objects.filter(draw=demo_draw()).first()
    from yiwang.supervision.models import Inspector

    ids = list(Inspector.objects.filter(unit__code="XTX-SCJG").values_list("pk", flat=True)[:2])
    r = client_for("xtx-scjg").post("/supervision/inspections/new/", {
        "uscc": i.party.number, "item": i.item_id, "basis_kind": "manual", "inspectors": ids})
    assert r.status_code == 409 and i.number in r.content.decode()


def test_api_draw_has_seed_and_result_hash(api_client):
    d = demo_draw()
    body = api_client.get(f"/api/v1/supervision/draws/{d.number}").json()
    assert body["seed"] == d.seed and body["result_hash"] == d.result_hash and body["document"]["candidates"]


def test_api_plan_filing_and_refusals(api_client):
    c = client_for("xtx-scjg")
    r = c.post("/api/v1/supervision/plans", {"unit": "XTX-SCJG", "year": 2031, "title": "",
                                             "items": ["SCJG-CC-01"]}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "title"
    r = c.post("/api/v1/supervision/plans", {"unit": "XTX-SCJG", "year": 2031, "title": "计划",
                                             "items": ["SCJG-CC-01"], "ratios": {"high": "120"}},
               content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "ratios"
    r = c.post("/api/v1/supervision/plans", {"unit": "XTX-SCJG", "year": 2031, "title": "计划",
                                             "items": ["SCJG-CC-01"]}, content_type="application/json")
    pid = r.json()["id"]
    r = c.post(f"/api/v1/supervision/plans/{pid}/file", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "filed"
    r = c.post(f"/api/v1/supervision/plans/{pid}/file", {}, content_type="application/json")
    assert r.status_code == 409
    assert client_for("xtx-ga").post(f"/api/v1/supervision/plans/{pid}/approve", {},
                                     content_type="application/json").status_code in (403, 409)
    assert InspectionPlan.objects.get(pk=pid).status == "filed"


def test_api_draw_prepare_then_run(api_client):
    c = client_for("xtx-scjg")
    plan = c.post("/api/v1/supervision/plans", {"unit": "XTX-SCJG", "year": 2032, "title": "计划",
                                                "items": ["SCJG-CC-02"]}, content_type="application/json").json()
    c.post(f"/api/v1/supervision/plans/{plan['id']}/file", {}, content_type="application/json")
    r = c.post("/api/v1/supervision/draws", {"plan": plan["id"], "item": "SCJG-CC-02", "seed": "api-seed-2032"},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["result_hash"] is None and r.json()["seed"] == "api-seed-2032"
    number = r.json()["number"]
    r = c.post(f"/api/v1/supervision/draws/{number}/run", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["result_hash"]
    assert c.post(f"/api/v1/supervision/draws/{number}/run", {}, content_type="application/json").status_code == 409


def test_api_exemption_first_then_not(api_client):
    c = client_for("xtx-scjg")
    body = {"unit": "XTX-SCJG", "uscc": "91430321MA4L16JQ95", "offence": "SCJG-MF-01", "description": "年报逾期",
            "occurred_on": "2026-05-06", "minor_harm": True, "corrected": True, "guidance": "advise"}
    first = c.post("/api/v1/supervision/exemptions", body, content_type="application/json").json()
    second = c.post("/api/v1/supervision/exemptions", {**body, "occurred_on": "2026-09-01"},
                    content_type="application/json").json()
    assert first["exempted"] is True and second["exempted"] is False and first["number"] in second["reason"]


def test_api_lists_are_scoped(api_client):
    assert api_client.get("/api/v1/supervision/tasks").status_code == 401
    assert client_for("clerk").get("/api/v1/supervision/tasks").status_code == 403
    anon = api_client.get("/api/v1/supervision/inspections").json()
    assert all(x["published_at"] for x in anon) and all("findings" not in x for x in anon)


def test_the_enterprise_sees_its_grade_and_the_commitment_bar():
    from yiwang.parties.models import CreditRecord, Party

    party = Party.objects.get(number="91430321MA4T8K2P6K")
    CreditRecord.objects.create(party=party, kind="false_commitment", reason="办件Y 核查不通过", source="case:Y")
    body = client_for("xtcy").get("/my/supervision/").content.decode()
    assert "C级" in body and "不适用告知承诺制" in body


def test_directory_filters_on_the_page():
    body = client_for("xtx-scjg").get("/supervision/directory/?grade=D").content.decode()
    assert "示范企业13" in body and "示范企业01" not in body


def test_the_responsibility_list_reads_supervising_unit_and_flags_licence_items_without_one():
    from yiwang.catalogue.models import ServiceItem

    item = ServiceItem.objects.filter(supervising_unit__isnull=False).exclude(result_licence="").first()
    body = client_for(None).get("/gongshi/responsibilities/").content.decode()
    assert item.name in body and item.supervising_unit.name in body and "双随机抽查" in body
    assert "待明确监管部门" not in body
    ServiceItem.objects.filter(pk=item.pk).update(supervising_unit=None)
    body = client_for(None).get("/gongshi/responsibilities/").content.decode()
    assert "待明确监管部门" in body and item.result_licence in body


def test_the_dashboard_counts_overdue_and_exemptions(api_client):
    assert api_client.get("/api/v1/supervision/summary").status_code == 401
    body = client_for("leader").get("/api/v1/supervision/summary").json()
    assert set(body) == {"tasks_overdue", "publish_overdue", "exempted", "not_exempted"}


# ---------------------------------------------------------------- 联合抽查


def test_the_public_pages_show_the_joint_draw_and_re_run_it():
    d = joint_draw()
    anon = client_for(None)
    assert "联合抽查" in anon.get("/gongshi/").content.decode()
    body = anon.get(f"/gongshi/draws/{d.number}/").content.decode()
    assert d.seed in body and d.candidates_hash in body and d.result_hash in body and "湘潭县卫生健康局" in body
    assert "复算一致" in anon.get(f"/gongshi/draws/{d.number}/?verify=1").content.decode()
    assert anon.get(f"/gongshi/draws/{d.number}/document.json").json()["teams"] == d.teams


@pytest.mark.parametrize(("user", "status"), [("xtx-scjg", 200), ("xtx-wj", 200), ("xtx-ga", 404)])
def test_the_joint_draw_page_is_for_the_units_of_the_visit(user, status):
    assert client_for(user).get(f"/supervision/draws/{joint_draw().number}/").status_code == status


def test_a_joining_units_workbench_lists_its_share_of_the_visit():
    body = client_for("xtx-wj").get("/supervision/").content.decode()
    mine = Inspection.objects.filter(draw=joint_draw(), unit__code="XTX-WJ")
    assert mine and all(i.number in body for i in mine)
    lead = Inspection.objects.filter(draw=joint_draw(), unit__code="XTX-SCJG").first()
    page = client_for("xtx-wj").get(f"/supervision/inspections/{lead.visit}-2/").content.decode()
    assert f"联合检查 {lead.visit}" in page and "湘潭县市场监督管理局" in page


def test_a_joint_draw_from_the_plan_page(api_client):
    c = client_for("xtx-scjg")
    plan = InspectionPlan.objects.get(unit__code="XTX-SCJG", year=date.today().year)
    body = c.get(f"/supervision/plans/{plan.pk}/").content.decode()
    from yiwang.supervision.models import CheckItem

    wj_item = CheckItem.objects.get(code="WJ-CC-01")
    assert "联合抽查" in body and f'name="partner_item" value="{wj_item.pk}"' in body
    item = plan.items.get(code="SCJG-CC-03")  # a key item: not under the cap, so the demo's list stays whole
    r = c.post(f"/supervision/plans/{plan.pk}/draw/", {"item": item.pk, "partner_item": [wj_item.pk],
                                                           "seed": "page-joint-seed", "per_target": "2"})
    d = Draw.objects.get(seed="page-joint-seed")
    assert r.status_code == 302 and [p.unit.code for p in d.partners.all()] == ["XTX-WJ"]


def test_api_joint_draw_prepare_and_refusal_at_partners(api_client):
    c = client_for("xtx-scjg")
    plan = c.post("/api/v1/supervision/plans", {"unit": "XTX-SCJG", "year": 2033, "title": "计划",
                                                "items": ["SCJG-CC-02"]}, content_type="application/json").json()
    c.post(f"/api/v1/supervision/plans/{plan['id']}/file", {}, content_type="application/json")
    r = c.post("/api/v1/supervision/draws", {"plan": plan["id"], "item": "SCJG-CC-02", "seed": "api-joint-2033",
                                             "partners": [{"unit": "XTX-WJ", "item": "WJ-CC-01"}]},
               content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "partners" and "2033年度抽查计划未备案" in r.json()["message"]
    r = c.post("/api/v1/supervision/draws", {"plan": plan["id"], "item": "SCJG-CC-02", "seed": "api-joint-2033",
                                             "partners": [{"unit": "XTX-NONE", "item": "WJ-CC-01"}]},
               content_type="application/json")
    assert r.status_code == 404 and r.json()["field"] == "partners"
    body = api_client.get(f"/api/v1/supervision/draws/{joint_draw().number}").json()
    assert body["joint"] and body["partners"][0]["unit"] == "XTX-WJ" and body["document"]["teams"]
