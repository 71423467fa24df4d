"""Bad input is a clear 4xx in JSON, never a 500 and nothing half-saved (issue 12, item 8)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import DataError

from yiwang.core.auth import token_issue
from yiwang.hotline.models import Request

pytestmark = pytest.mark.django_db
REQUEST = {"kind": "consult", "category": "010101", "title": "营业执照怎么办", "content": "营业执照怎么办",
           "phone": "13800000009"}
CASE = {"item": "430321-GZKZBA", "channel": "window",
        "applicant": {"kind": "enterprise", "number": "91430321MA4L16JQ95", "name": "湘潭示范科技有限公司"}}


def assert_error(r, status=400, field=None):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error", "message", "field", "errors"} and any("\u4e00" <= c <= "\u9fff" for c in body["message"])
    if field:
        assert body["field"] == field
    return body


@pytest.fixture
def clerk(api_client):
    api_client.force_login(get_user_model().objects.get(username="clerk"))
    return api_client


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_nul_and_lone_surrogates_are_refused_naming_the_field(api_client, clerk, bad):
    if bad == "\x00":  # a query string cannot carry a lone surrogate (it is decoded with replacement)
        assert_error(api_client.get("/api/v1/items", {"q": f"营业{bad}执照"}), field="q")
        assert_error(api_client.get("/api/v1/bundles", {"q": f"开办{bad}"}), field="q")
    body = assert_error(api_client.post("/api/v1/auth/token", {"username": f"op{bad}", "password": "x"},
                                        content_type="application/json"), field="username")
    assert "用户名" in body["message"]
    before = Request.objects.count()
    body = assert_error(api_client.post("/api/v1/requests", {**REQUEST, "title": f"营业{bad}执照"},
                                        content_type="application/json"), field="title")
    assert "标题" in body["message"] and Request.objects.count() == before
    case = {**CASE, "applicant": {**CASE["applicant"], "name": f"湘潭{bad}"}}
    assert_error(clerk.post("/api/v1/cases", case, content_type="application/json"), field="applicant.name")


def test_nul_in_a_path_or_a_web_form_is_a_400_not_a_500(api_client):
    assert_error(api_client.get("/api/v1/licences/abc%00def"), field="path")
    before = Request.objects.count()
    r = api_client.post("/12345/", {"kind": "suggestion", "category": "9901", "title": "a\x00b", "content": "c",
                                    "anonymous": "1"})
    assert r.status_code == 400 and "空字符" in r.content.decode() and Request.objects.count() == before


def test_a_huge_page_number_is_a_400(clerk):
    assert_error(clerk.get("/api/v1/cases", {"page": "100000000000000000000"}), field="page")


def test_an_impossible_open311_date_is_a_400_in_the_open311_format(api_client):
    for base in ("/open311/v2", "/api/open311/v2"):
        r = api_client.get(f"{base}/requests.json", {"start_date": "2026-02-30T00:00:00+08:00"})
        assert r.status_code == 400 and "start_date" in r.json()[0]["description"]


@pytest.mark.parametrize("field, limit, label", [("title", 200, "标题"), ("phone", 32, "联系电话"),
                                                 ("address", 200, "地址")])
def test_over_long_values_are_refused_at_the_schema_with_the_columns_limit(api_client, field, limit, label):
    before = Request.objects.count()
    body = assert_error(api_client.post("/api/v1/requests", {**REQUEST, field: "长" * (limit + 1)},
                                        content_type="application/json"), field=field)
    assert label in body["message"] and str(limit) in body["message"]
    assert Request.objects.count() == before


def test_over_long_values_through_open311_and_the_web_form_are_refused(api_client):
    key = token_issue(username="operator", password="Demo@2026")
    before = Request.objects.count()
    r = api_client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "0302",
                                                      "address_string": "路" * 201, "description": "x"})
    assert r.status_code == 400 and "200" in r.json()[0]["description"]
    r = api_client.post("/12345/", {"kind": "suggestion", "category": "9901", "title": "题" * 201, "content": "c",
                                    "anonymous": "1"}, follow=True)
    assert "不能超过200个字" in r.content.decode()
    assert Request.objects.count() == before


def test_a_database_data_error_is_a_400_in_json(api_client, monkeypatch):
    from yiwang.hotline import services

    def refuse(**kw):
        raise DataError("value too long for type character varying(200)")

    monkeypatch.setattr(services, "request_create", refuse)
    assert_error(api_client.post("/api/v1/requests", REQUEST, content_type="application/json"))
    r = api_client.post("/12345/", {"kind": "suggestion", "category": "9901", "title": "t", "content": "c"})
    assert r.status_code == 400 and "超出允许的范围" in r.content.decode()


def test_a_body_over_the_limit_is_answered_in_json(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = assert_error(api_client.post("/api/v1/requests", {**REQUEST, "content": "长" * 2000},
                                        content_type="application/json"), status=413)
    assert body["error"] == "too_large"


@pytest.fixture
def case():
    from yiwang.cases import services
    from yiwang.catalogue.models import ItemImplementation

    clerk = get_user_model().objects.get(username="clerk")
    fields = ItemImplementation.objects.get(impl_code="430321-GZKZBA").item.form_fields
    return services.case_submit(actor=clerk, item="430321-GZKZBA", channel="window", form={f: "示例" for f in fields},
                                applicant=CASE["applicant"])


def test_web_form_values_that_look_like_digits_are_refused_not_a_500(client, case):
    client.force_login(get_user_model().objects.get(username="clerk"))
    for data in ({"action": "accept", "version": "²"}, {"action": "extend", "days": "³", "reason": "需要"}):
        r = client.post(f"/cases/{case.number}/act/", data)
        assert r.status_code in (302, 400)  # done, or refused at its form: never a 500
    client.force_login(get_user_model().objects.get(username="operator"))
    r = client.post("/hotline/answer/", {"article": "abc", "kind": "consult", "category": "010101", "title": "t",
                                         "content": "c", "phone": "13800000009"}, follow=True)
    assert r.status_code == 200 and "请选择知识库文章" in r.content.decode()
    before = Request.objects.count()
    r = client.post("/12345/", {"kind": "suggestion", "category": "9901", "title": "t", "content": "c",
                                "anonymous": "1", "region": "999999"}, follow=True)
    assert r.status_code == 400 and "999999" in r.content.decode() and Request.objects.count() == before
