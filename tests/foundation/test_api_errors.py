"""Every error path of the foundation API: a 4xx, {"error", "message", "field"}, Chinese, never a 500."""

import re

import pytest

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")

# method, url, body (for POST), status, error code, field
ERRORS = [
    ("get", "/api/v1/items/NOPE", None, 404, "item_not_found", "impl_code"),
    ("get", "/api/v1/items/430321-NOPE", None, 404, "item_not_found", "impl_code"),
    ("get", "/api/v1/bundles/NOPE", None, 404, "bundle_not_found", "bundle"),
    ("get", "/api/v1/calendar/add", None, 400, "invalid", "start"),
    ("get", "/api/v1/calendar/add?start=2026-02-13", None, 400, "invalid", "days"),
    ("get", "/api/v1/calendar/add?start=2026-13-01&days=1", None, 400, "invalid", "start"),
    ("get", "/api/v1/calendar/add?start=明天&days=1", None, 400, "invalid", "start"),
    ("get", "/api/v1/calendar/add?start=2026-02-13&days=-1", None, 400, "invalid", "days"),
    ("get", "/api/v1/calendar/add?start=2026-02-13&days=abc", None, 400, "invalid", "days"),
    ("get", "/api/v1/calendar/add?start=2026-02-13&days=99999", None, 400, "invalid", "days"),
    ("get", "/api/v1/calendar/add?start=1999-12-31&days=1", None, 400, "out_of_range", "start"),
    ("get", "/api/v1/calendar/add?start=2100-12-30&days=5", None, 400, "out_of_range", "start"),
    ("get", "/api/v1/calendar/between?start=2026-02-13", None, 400, "invalid", "end"),
    ("get", "/api/v1/calendar/between?start=2026-02-13&end=2026-02-30", None, 400, "invalid", "end"),
    ("get", "/api/v1/calendar/between?start=1999-01-01&end=2026-01-01", None, 400, "out_of_range", "start"),
    ("get", "/api/v1/routing", None, 400, "invalid", "item"),
    ("get", "/api/v1/routing?item=NOPE", None, 404, "item_not_found", "item"),
    ("get", "/api/v1/routing?item=430421-SGXK&park=NOPARK", None, 404, "park_not_found", "park"),
    ("get", "/api/v1/routing?item=430421-SGXK&park=XTX-SCJG", None, 404, "park_not_found", "park"),
    ("get", "/api/v1/routing?item=430421-SGXK&park=XDGX&date=2026-02-31", None, 400, "invalid", "date"),
    # A search term longer than any item name (200, the column) is refused at the schema.
    ("get", "/api/v1/items?q=" + "企" * 201, None, 400, "invalid", "q"),
    ("post", "/api/v1/parties/check", "", 400, "invalid", None),
    ("post", "/api/v1/parties/check", "{not json", 400, "invalid", None),
    ("post", "/api/v1/parties/check", '{"kind": "robot", "number": "1"}', 400, "invalid", "kind"),
    ("post", "/api/v1/parties/check", '{"kind": "person"}', 400, "invalid", "number"),
    ("post", "/api/v1/parties/check", '{"kind": "person", "number": 430321}', 400, "invalid", "number"),
    ("post", "/api/v1/parties/check", '[1, 2]', 400, "invalid", None),
    ("post", "/api/v1/parties/check", '{"kind": "person", "number": "430321198506120014"}', 400,
     "invalid_check_digit", "number"),
    ("post", "/api/v1/parties/check", '{"kind": "enterprise", "number": "ABC"}', 400, "invalid_format", "number"),
]


@pytest.mark.parametrize("method,url,body,status,error,field", ERRORS)
def test_api_error_shape(api_client, method, url, body, status, error, field):
    if method == "post":
        r = api_client.post(url, body, content_type="application/json")
    else:
        r = api_client.get(url)
    assert r.status_code == status, r.content
    data = r.json()
    assert set(data) == {"error", "message", "field", "errors"}
    assert data["errors"][0] == {"field": data["field"], "message": data["message"]}
    assert not re.match(r"[A-Za-z_][\w.]*：", data["message"]), data["message"]  # no "key：" for people
    assert data["error"] == error
    if field is not None:
        assert data["field"] == field
    assert CHINESE.search(data["message"]), data["message"]


# Inputs that are odd but not errors: a normal answer, never a 500.
ODD_BUT_FINE = [
    "/api/v1/items?q=%25", "/api/v1/items?q=%27%22%3B--", "/api/v1/items?q=" + "企" * 200,
    "/api/v1/items?type=99", "/api/v1/items?region=999999", "/api/v1/items?department=NOPE",
    "/api/v1/bundles?theme=nothing", "/api/v1/bundles?q=%E2%80%8B", "/api/v1/bundles?region=430421",
]


@pytest.mark.parametrize("url", ODD_BUT_FINE)
def test_odd_queries_answer_an_empty_or_normal_list(api_client, url):
    r = api_client.get(url)
    assert r.status_code == 200
    assert isinstance(r.json(), list)


@pytest.mark.parametrize("url,expect", [
    ("/api/v1/calendar/add?start=2026-02-13&days=2", {"date": "2026-02-24", "provisional": False}),
    ("/api/v1/calendar/add?start=2026-12-31&days=1", {"date": "2027-01-01", "provisional": True}),
    ("/api/v1/calendar/between?start=2026-02-24&end=2026-02-13", {"working_days": -2, "provisional": False}),
    ("/api/v1/calendar/between?start=2026-12-31&end=2027-01-08", {"working_days": 6, "provisional": True}),
])
def test_calendar_api_answers(api_client, url, expect):
    r = api_client.get(url)
    assert r.status_code == 200 and r.json() == expect


def test_items_search_finds_by_pinyin_initials(api_client):
    r = api_client.get("/api/v1/items?q=qysldj")
    assert "430321-QYSLDJ" in [i["impl_code"] for i in r.json()]
