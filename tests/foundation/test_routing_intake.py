"""Routing from where an application is taken in (rules.route_at): a hall, a park, a town, a community
service point, another region's window (跨域通办清单) — on pure tables, on demo data and over the API."""

from datetime import date

import pytest

from yiwang.catalogue import rules, selectors
from yiwang.core.errors import DomainError

D = date.fromisoformat
E = rules.EmpowermentTerm
TERMS = [
    E("PARK", "ENTRUSTED", D("2022-01-01")),
    E("TOWN", "DIRECT", D("2020-01-01")),
    E("TOWN2", "ENTRUSTED", D("2020-01-01"), D("2025-01-01")),
    E("POINT", "FORWARD", D("2020-06-01")),
]
LISTINGS = [rules.ListingTerm("A", D("2025-01-01"), D("2027-01-01"))]
P = rules.IntakePoint

# intake point, applicant's park, day → mode, receiving, reviewing, deciding, in the name of, remote unit
ROUTES = [
    # online or an agent: by the applicant's park, as before
    (None, "PARK", "2024-05-06", ("ENTRUSTED", "PARK", "PARK", "PARK", "DEPT", None)),
    (None, None, "2024-05-06", ("NONE", "DEPT", "DEPT", "DEPT", "DEPT", None)),
    # the region's own hall (政务服务中心): by the applicant's park too
    (P("HALL", "center", "B"), "PARK", "2024-05-06", ("ENTRUSTED", "PARK", "PARK", "PARK", "DEPT", None)),
    (P("HALL", "center", "B"), None, "2024-05-06", ("NONE", "DEPT", "DEPT", "DEPT", "DEPT", None)),
    (P("DEPT", "department", "B"), None, "2024-05-06", ("NONE", "DEPT", "DEPT", "DEPT", "DEPT", None)),
    # a town's window receives and, empowered directly, decides in its own name
    (P("TOWN", "town", "B"), None, "2024-05-06", ("DIRECT", "TOWN", "TOWN", "TOWN", "TOWN", None)),
    # whatever park the applicant is in: the window's own empowerment counts
    (P("TOWN", "town", "B"), "PARK", "2024-05-06", ("DIRECT", "TOWN", "TOWN", "TOWN", "TOWN", None)),
    (P("TOWN2", "town", "B"), None, "2024-12-31", ("ENTRUSTED", "TOWN2", "TOWN2", "TOWN2", "DEPT", None)),
    # a community service point (代办点) receives; the department decides
    (P("POINT", "community", "B"), None, "2024-05-06", ("FORWARD", "POINT", "DEPT", "DEPT", "DEPT", None)),
    (P("PARK", "park", "B"), None, "2024-05-06", ("ENTRUSTED", "PARK", "PARK", "PARK", "DEPT", None)),
    # another region's hall, on the 清单: the department accepts and decides; the window took it in
    (P("HALL-A", "center", "A"), None, "2025-01-01", ("NONE", "DEPT", "DEPT", "DEPT", "DEPT", "HALL-A")),
    # … its park's empowerment at home does not travel: B's department decides
    (P("HALL-A", "center", "A"), "PARK", "2026-05-06", ("NONE", "DEPT", "DEPT", "DEPT", "DEPT", "HALL-A")),
    # a town window of region A takes in B's item as well, where the pair is listed
    (P("TOWN-A", "town", "A"), None, "2026-05-06", ("NONE", "DEPT", "DEPT", "DEPT", "DEPT", "TOWN-A")),
]


@pytest.mark.parametrize("at,park,on,expected", ROUTES)
def test_route_from_the_window_taking_it_in(at, park, on, expected):
    r = rules.route_at(department="DEPT", item_region="B", at=at, park=park, on=D(on), empowerments=TERMS,
                       listings=LISTINGS)
    assert (r.mode, r.receiving_unit, r.reviewing_unit, r.deciding_unit, r.in_name_of, r.remote_intake_unit) == expected


# intake point, day → the refusal's code and what its message says
REFUSED = [
    (P("TOWN", "town", "B"), "2019-12-31", "not_empowered", "未下放"),  # before the devolution
    (P("TOWN2", "town", "B"), "2025-01-01", "not_empowered", "未下放"),  # on the day it was taken back
    (P("OTHER", "community", "B"), "2024-05-06", "not_empowered", "未下放"),  # never devolved there
    (P("HALL-A", "center", "A", "甲县"), "2024-12-31", "not_listed", "未列入甲县收件、乙县办理的跨域通办清单"),
    (P("HALL-A", "center", "A", "甲县"), "2027-01-01", "not_listed", "跨域通办清单"),  # the listing has ended
    (P("HALL-C", "center", "C", "丙县"), "2026-05-06", "not_listed", "丙县收件"),  # another pair
]


@pytest.mark.parametrize("at,on,code,says", REFUSED)
def test_route_refused_where_not_devolved_or_not_listed(at, on, code, says):
    with pytest.raises(DomainError) as info:
        rules.route_at(department="DEPT", item_region="B", at=at, park=None, on=D(on), empowerments=TERMS,
                       listings=LISTINGS, item_region_name="乙县")
    assert (info.value.code, info.value.field) == (code, "item")
    assert says in info.value.message


# Demo data: 湘潭县's towns (易俗河镇, 花石镇), its community point, and the 湘潭县—衡阳县 清单.
DEMO = [
    ("430321-JMYBCB", "XTX-YSH", ("ENTRUSTED", "XTX-YSH", "XTX-YSH", "XTX-YSH", "XTX-YB", None)),
    ("430321-JMYBCB", "XTX-HSZ", ("ENTRUSTED", "XTX-HSZ", "XTX-HSZ", "XTX-HSZ", "XTX-YB", None)),
    ("430321-SBKSL", "XTX-HSZ", ("FORWARD", "XTX-HSZ", "XTX-RS", "XTX-RS", "XTX-RS", None)),
    ("430321-CSHKDJ", "XTX-YSH", ("FORWARD", "XTX-YSH", "XTX-GA", "XTX-GA", "XTX-GA", None)),
    ("430321-JMYBCB", "XTX-YSH-SQ01", ("FORWARD", "XTX-YSH-SQ01", "XTX-YB", "XTX-YB", "XTX-YB", None)),
    ("430421-SPJYXK", "XTX-ZWZX", ("NONE", "HYX-SCJG", "HYX-SCJG", "HYX-SCJG", "HYX-SCJG", "XTX-ZWZX")),
    ("430421-SGXK", "XTX-YSH", ("NONE", "HYX-ZJ", "HYX-ZJ", "HYX-ZJ", "HYX-ZJ", "XTX-YSH")),
]


@pytest.mark.django_db
@pytest.mark.parametrize("item,unit,expected", DEMO)
def test_demo_towns_community_point_and_cross_region_routes(api_client, item, unit, expected):
    at = selectors.intake_point_find(unit=unit)
    r = selectors.route_for(impl=selectors.implementation_get(item), park_code=None, on=D("2026-05-06"), at=at)
    assert (r.mode, r.receiving_unit, r.reviewing_unit, r.deciding_unit, r.in_name_of, r.remote_intake_unit) == expected
    resp = api_client.get("/api/v1/routing", {"item": item, "receiving_unit": unit, "date": "2026-05-06"})
    assert resp.status_code == 200
    assert resp.json()["remote_intake_unit"] == expected[-1]
    assert resp.json()["deciding_unit"] == expected[3]


@pytest.mark.django_db
def test_routing_api_takes_a_receiving_region_and_its_hall_receives(api_client):
    resp = api_client.get("/api/v1/routing", {"item": "430421-SPJYXK", "receiving_region": "430321",
                                              "date": "2026-05-06"})
    assert resp.status_code == 200
    assert resp.json() == {"mode": "NONE", "receiving_unit": "HYX-SCJG", "reviewing_unit": "HYX-SCJG",
                           "deciding_unit": "HYX-SCJG", "in_name_of": "HYX-SCJG", "remote_intake_unit": "XTX-ZWZX"}


# query → status, field, what the message says
API_REFUSALS = [
    ({"item": "430421-JSYDGHXK", "receiving_region": "430321"}, 400, "item", "未列入湘潭县收件、衡阳县办理的跨域通办清单"),
    ({"item": "430421-SPJYXK", "receiving_region": "430321", "date": "2024-12-31"}, 400, "item", "跨域通办清单"),
    ({"item": "430321-QYSLDJ", "receiving_unit": "XTX-YSH"}, 400, "item", "未下放"),
    ({"item": "430421-SPJYXK", "receiving_unit": "NOPE"}, 404, "receiving_unit", "收件单位“NOPE”不存在"),
    ({"item": "430421-SPJYXK", "receiving_region": "430100"}, 404, "receiving_region", "没有政务服务中心"),
    ({"item": "430421-SPJYXK", "receiving_region": "430421", "receiving_unit": "XTX-YSH"}, 400, "receiving_unit",
     "不在收件地区"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("query,status,field,says", API_REFUSALS)
def test_routing_api_refusals_are_chinese_4xx_at_the_field(api_client, query, status, field, says):
    resp = api_client.get("/api/v1/routing", query)
    assert resp.status_code == status
    body = resp.json()
    assert body["field"] == field and says in body["message"], body


@pytest.mark.django_db
def test_routing_api_declares_its_4xx(api_client):
    op = api_client.get("/api/openapi.json").json()["paths"]["/api/v1/routing"]["get"]
    assert {"200", "400", "404"} <= set(op["responses"])
    assert {"receiving_region", "receiving_unit"} <= {p["name"] for p in op["parameters"]}
