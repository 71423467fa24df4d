import json
import xml.etree.ElementTree as ET

import pytest

from yiwang.core.auth import token_issue

pytestmark = pytest.mark.django_db
BASES = ["/open311/v2", "/api/open311/v2"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]


@pytest.fixture
def api_key():
    return token_issue(username="operator", password="Demo@2026")


def post(client, base, data, fmt="json"):
    return client.post(f"{base}/requests.{fmt}", data)


@pytest.mark.parametrize("base", BASES)
def test_service_list_in_json_and_xml(api_client, base):
    r = api_client.get(f"{base}/services.json")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    services = r.json()
    assert isinstance(services, list) and {"service_code", "service_name", "description", "metadata", "type",
                                           "keywords", "group"} <= set(services[0])
    assert any(s["service_code"] == "0302" for s in services)
    x = api_client.get(f"{base}/services.xml")
    root = ET.fromstring(x.content)
    assert root.tag == "services" and root[0].tag == "service"
    assert [c.tag for c in root[0]] == ["service_code", "service_name", "description", "metadata", "type", "keywords",
                                        "group"]
    assert root[0].findtext("type") == "realtime" and root[0].findtext("metadata") == "true"


def test_service_definition_both_formats(api_client):
    d = api_client.get("/open311/v2/services/0302.json").json()
    assert d["service_code"] == "0302" and d["attributes"][0]["code"] == "kind"
    assert {"key": "complaint", "name": "投诉"} in d["attributes"][0]["values"]
    root = ET.fromstring(api_client.get("/open311/v2/services/0302.xml").content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "0302"
    attr = root.find("attributes/attribute")
    assert attr.findtext("datatype") == "singlevaluelist" and attr.find("values/value/key") is not None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404_in_spec_error_format(api_client, fmt):
    r = api_client.get(f"/open311/v2/services/XXX.{fmt}")
    assert r.status_code == 404
    if fmt == "json":
        assert r.json()[0]["code"] == "404" and r.json()[0]["description"]
    else:
        root = ET.fromstring(r.content)
        assert root.tag == "errors" and root.find("error/code").text == "404"


def test_post_requires_api_key(api_client):
    r = post(api_client, "/open311/v2", {"service_code": "0302", "address_string": "易俗河"}, "xml")
    assert r.status_code == 403 and ET.fromstring(r.content).find("error/description").text


def test_post_needs_a_location_and_a_known_service(api_client, api_key):
    r = post(api_client, "/open311/v2", {"api_key": api_key, "service_code": "0302", "description": "x"})
    assert r.status_code == 400 and "位置" in r.json()[0]["description"]
    r = post(api_client, "/open311/v2", {"api_key": api_key, "service_code": "NOPE", "address_string": "a"})
    assert r.status_code == 404
    r = post(api_client, "/open311/v2", {"api_key": api_key, "address_string": "a"})
    assert r.status_code == 400


@pytest.mark.parametrize("base", BASES)
def test_post_then_read_back_in_both_formats(api_client, api_key, base):
    r = post(api_client, base, {"api_key": api_key, "service_code": "0302", "lat": "27.7797", "long": "112.9121",
                                "description": "超市卖过期食品", "phone": "13800000003", "first_name": "三",
                                "last_name": "张", "attribute[kind]": "complaint"}, "xml")
    assert r.status_code == 200, r.content
    root = ET.fromstring(r.content)
    assert root.tag == "service_requests" and root[0].tag == "request"
    number = root[0].findtext("service_request_id")
    assert number and root[0].find("token") is None
    one = api_client.get(f"{base}/requests/{number}.json").json()
    assert len(one) == 1 and one[0]["status"] == "open" and one[0]["service_code"] == "0302"
    assert one[0]["expected_datetime"] and one[0]["lat"] == "27.78"
    xr = ET.fromstring(api_client.get(f"{base}/requests/{number}.xml").content)
    assert [c.tag for c in xr[0]] == REQUEST_FIELDS
    listed = api_client.get(f"{base}/requests.json", {"service_code": "0302", "status": "open"}).json()
    assert number in [x["service_request_id"] for x in listed]
    closed = api_client.get(f"{base}/requests.json", {"status": "closed", "service_code": "0302"}).json()
    assert number not in [x["service_request_id"] for x in closed]
    by_id = api_client.get(f"{base}/requests.json", {"service_request_id": f"{number},nope", "status": "closed"}).json()
    assert [x["service_request_id"] for x in by_id] == [number]  # the id filter overrides the others


def test_request_filters_validate_dates(api_client):
    r = api_client.get("/open311/v2/requests.json", {"start_date": "2025-01-01T00:00:00Z",
                                                    "end_date": "2025-06-01T00:00:00Z"})
    assert r.status_code == 400 and "90" in r.json()[0]["description"]
    assert api_client.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert api_client.get("/open311/v2/requests.json", {"status": "pending"}).status_code == 400
    assert api_client.get("/open311/v2/requests/000.json").status_code == 404


def test_token_lookup(api_client, make_request):
    req = make_request()
    r = api_client.get(f"/open311/v2/tokens/{req.token}.json")
    assert r.json() == [{"service_request_id": req.number, "token": req.token}]
    root = ET.fromstring(api_client.get(f"/open311/v2/tokens/{req.token}.xml").content)
    assert root.find("request/service_request_id").text == req.number
    assert api_client.get("/open311/v2/tokens/nope.json").status_code == 404


def test_unsupported_format_is_refused(api_client):
    assert api_client.get("/open311/v2/services.csv").status_code == 404


def test_discovery(api_client):
    d = json.loads(api_client.get("/open311/v2/discovery.json").content)
    assert d["endpoints"][0]["formats"] == ["text/xml", "application/json"]
