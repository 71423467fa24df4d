"""企业诉求 (enterprise demands): filed by the enterprise from the portal and the API, or by an
operator for an enterprise found by name or code; then closed item by item (对单销号) to the end."""

import pytest
from django.contrib.auth import get_user_model

from yiwang.hotline import selectors, services
from yiwang.hotline.models import Category, Request
from yiwang.organisations.models import Region, Unit
from yiwang.parties.models import Party

pytestmark = pytest.mark.django_db
User = get_user_model()
XTKJ = "91430321MA4L16JQ95"
DEMAND = {"kind": "help", "category": "0501", "title": "厂房水电增容", "content": "新生产线投产需要增容",
          "phone": "13800000031", "demand_items": ["申请10kV专线增容", "协调自来水管网接入"]}


def login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def test_a_signed_in_enterprise_files_a_demand_through_the_api(client):
    r = login(client, "xtkj").post("/api/v1/requests", DEMAND, content_type="application/json")
    assert r.status_code == 200, r.content
    req = Request.objects.get(number=r.json()["number"])
    assert req.is_demand and req.requester.number == XTKJ
    assert list(req.items.values_list("content", flat=True)) == DEMAND["demand_items"]


def test_demand_items_without_an_enterprise_are_refused_at_the_requester_field(client):
    r = client.post("/api/v1/requests", DEMAND, content_type="application/json")  # not signed in
    assert r.status_code == 400 and r.json()["field"] == "requester"
    assert "：" not in r.json()["message"].split("，")[0]  # no "requester：" key in the message
    assert not Request.objects.filter(title=DEMAND["title"]).exists()


def test_an_enterprise_cannot_file_for_another_enterprise(client):
    r = login(client, "xtkj").post("/api/v1/requests", {**DEMAND, "requester": "91430321MA4T8K2P6K"},
                                   content_type="application/json")
    assert r.status_code == 403 and r.json()["field"] == "requester"


def test_an_enterprise_files_a_demand_from_the_portal(client):
    login(client, "xtkj")
    assert "企业诉求" in client.get("/12345/").content.decode()
    page = client.get("/12345/demand/").content.decode()
    assert "湘潭示范科技有限公司" in page and 'name="demand_items"' in page
    form = {**DEMAND, "requester": XTKJ, "demand_items": "申请10kV专线增容\n协调自来水管网接入\n"}
    r = client.post("/12345/demand/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    req = Request.objects.get(title="厂房水电增容")
    assert req.is_demand and req.requester.number == XTKJ and req.items.count() == 2 and req.channel == "web"
    assert client.get(r["Location"]).status_code == 200  # its tracking page, by the token in the link


def test_the_portal_demand_needs_items_and_keeps_what_was_typed(client):
    r = login(client, "xtkj").post("/12345/demand/", {**DEMAND, "requester": XTKJ, "demand_items": " \n"})
    body = r.content.decode()
    assert r.status_code == 400 and 'id="err-demand_items"' in body and "每行一项" in body
    assert 'value="厂房水电增容"' in body
    assert not Request.objects.filter(title="厂房水电增容").exists()


def test_a_person_without_an_enterprise_is_told_to_use_the_citizens_form(client):
    r = login(client, "zhang").get("/12345/demand/")
    assert r.status_code == 403 and "群众诉求" in r.content.decode()


def test_operator_finds_an_enterprise_by_name_or_code(client):
    login(client, "operator")
    frag = client.get("/hotline/enterprises/", {"requester": "示范科技"}).content.decode()
    assert f'value="{XTKJ}"' in frag and "湘潭示范科技有限公司" in frag
    assert XTKJ in client.get("/hotline/enterprises/", {"requester": "91430321MA4L"}).content.decode()
    assert selectors.enterprise_pick("湘潭示范科技有限公司").number == XTKJ
    assert selectors.enterprise_pick(XTKJ.lower()).number == XTKJ
    with pytest.raises(services.DomainError) as e:
        selectors.enterprise_pick("湘潭示范")  # 科技 and 餐饮: which one?
    assert e.value.field == "requester" and "多家企业" in e.value.message


def test_operator_files_a_demand_for_an_enterprise_from_the_console(client):
    login(client, "operator")
    r = client.post("/hotline/", {"channel": "phone", "kind": "help", "category": "0501", "title": "融资难",
                                  "content": "流动资金紧张", "phone": "0731-57881234", "requester": "示范科技",
                                  "demand_items": "对接银行信贷\n申请贴息"})
    assert r.status_code == 302, r.content.decode()[:3000]
    req = Request.objects.get(title="融资难")
    assert req.is_demand and req.requester.number == XTKJ and req.operator.username == "operator"
    assert req.phone == "0731-57881234" and req.items.count() == 2


def test_console_demand_without_an_enterprise_is_refused_at_the_enterprise_field(client):
    login(client, "operator")
    r = client.post("/hotline/", {"channel": "phone", "kind": "help", "category": "0501", "title": "融资难",
                                  "content": "x", "phone": "13800000031", "requester": "不存在的公司",
                                  "demand_items": "对接银行信贷"})
    body = r.content.decode()
    assert r.status_code == 400 and 'id="err-requester"' in body and "未找到企业" in body
    assert 'value="融资难"' in body and not Request.objects.filter(title="融资难").exists()


def test_operator_files_through_the_api_naming_the_enterprise(client):
    r = login(client, "operator").post("/api/v1/requests", {**DEMAND, "channel": "phone", "requester": XTKJ},
                                       content_type="application/json")
    assert r.status_code == 200, r.content
    assert Request.objects.get(number=r.json()["number"]).requester.number == XTKJ


def test_demand_is_closed_item_by_item_then_replied_and_visited(operator, scjg_user):
    req = services.demand_create(enterprise=Party.objects.get(number=XTKJ), kind="help",
                                 category=Category.objects.get(code="0501"), region=Region.objects.get(code="430321"),
                                 title="用工难", content="招工困难", phone="13800000031",
                                 demand_items=["组织专场招聘会", "落实稳岗补贴"], actor=operator)
    req = services.request_dispatch(request=req, actor=operator, unit=Unit.objects.get(code="XTX-SCJG"))
    services.request_sign(request=req, actor=scjg_user)
    with pytest.raises(services.DomainError) as e:  # 对单销号: no reply while an item is open
        services.request_reply(request=req, actor=scjg_user, reply="已办")
    assert e.value.field == "reply"
    for item in req.items.all():
        services.demand_item_close(item=item, actor=scjg_user, result=f"已办结：{item.content}")
    req = services.request_reply(request=req, actor=scjg_user, reply="两项均已办结")
    req = services.request_visit(request=req, actor=operator, level=1)
    assert req.status == "closed" and not req.items.filter(closed_at__isnull=True).exists()
    assert list(req.events.filter(action="close_item").values_list("data__item", flat=True)) == [1, 2]


def test_demand_create_needs_an_enterprise_and_an_item(operator):
    common = dict(kind="help", category=Category.objects.get(code="0501"), region=Region.objects.get(code="430321"),
                  title="用工难", content="招工困难", phone="13800000031", actor=operator)
    with pytest.raises(services.DomainError) as e:
        services.demand_create(enterprise=Party.objects.get(number=XTKJ), demand_items=[" "], **common)
    assert e.value.field == "demand_items"
    with pytest.raises(services.DomainError) as e:
        services.demand_create(enterprise=None, demand_items=["x"], **common)
    assert e.value.field == "requester"
