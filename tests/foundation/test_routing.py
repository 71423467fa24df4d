"""Routing through empowerments: each mode and its dates, on demo data and on pure tables."""

from datetime import date

import pytest

from yiwang.catalogue import rules, selectors
from yiwang.catalogue.models import Empowerment

D = date.fromisoformat

# item, park, date, mode, receiving, reviewing, deciding, in the name of
DEMO_ROUTES = [
    ("430421-JSYDGHXK", "XDGX", "2024-05-06", "DIRECT", "XDGX", "XDGX", "XDGX", "XDGX"),
    ("430421-SPJYXK", "XDGX", "2024-05-06", "ENTRUSTED", "XDGX", "XDGX", "XDGX", "HYX-SCJG"),
    ("430211-BDCSCDJ", "ZZGX", "2024-05-06", "FORWARD", "ZZGX", "TYQ-BDC", "TYQ-BDC", "TYQ-BDC"),
    ("430321-BDCSCDJ", "TYJK", "2024-05-06", "FORWARD", "TYJK", "XTX-BDC", "XTX-BDC", "XTX-BDC"),
    ("430321-SGXK", "TYJK", "2024-05-06", "ENTRUSTED", "TYJK", "TYJK", "TYJK", "XTX-ZJ"),
    ("430600-HPBGB", "HRGX", "2024-05-06", "DIRECT_REPORT", "HRGX", "HRGX", "YYS-SJJ", "YYS-SJJ"),
    # no empowerment of this item at all
    ("430321-QYSLDJ", "TYJK", "2024-05-06", "NONE", "XTX-SCJG", "XTX-SCJG", "XTX-SCJG", "XTX-SCJG"),
    # no park given
    ("430421-JSYDGHXK", "", "2024-05-06", "NONE", "HYX-ZRZY", "HYX-ZRZY", "HYX-ZRZY", "HYX-ZRZY"),
    # a park that has no empowerment of this item
    ("430421-JSYDGHXK", "ZZGX", "2024-05-06", "NONE", "HYX-ZRZY", "HYX-ZRZY", "HYX-ZRZY", "HYX-ZRZY"),
    # the day before the effective date, and the effective date itself
    ("430421-JSYDGHXK", "XDGX", "2021-02-28", "NONE", "HYX-ZRZY", "HYX-ZRZY", "HYX-ZRZY", "HYX-ZRZY"),
    ("430421-JSYDGHXK", "XDGX", "2021-03-01", "DIRECT", "XDGX", "XDGX", "XDGX", "XDGX"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("item,park,on,mode,receiving,reviewing,deciding,name", DEMO_ROUTES)
def test_routing_on_demo_data(api_client, item, park, on, mode, receiving, reviewing, deciding, name):
    r = selectors.route_for(impl=selectors.implementation_get(item), park_code=park, on=D(on))
    assert (r.mode, r.receiving_unit, r.reviewing_unit, r.deciding_unit, r.in_name_of) == (
        mode, receiving, reviewing, deciding, name)
    resp = api_client.get("/api/v1/routing", {"item": item, "park": park, "date": on})
    assert resp.status_code == 200
    assert resp.json() == {"mode": mode, "receiving_unit": receiving, "reviewing_unit": reviewing,
                           "deciding_unit": deciding, "in_name_of": name, "remote_intake_unit": None}


@pytest.mark.django_db
@pytest.mark.parametrize("on,mode", [("2024-12-31", "DIRECT"), ("2025-01-01", "NONE"), ("2026-02-24", "NONE")])
def test_an_empowerment_ends_on_its_effective_to(on, mode):
    Empowerment.objects.filter(implementation__impl_code="430421-JSYDGHXK", park__code="XDGX").update(
        effective_to=D("2025-01-01"))
    r = selectors.route_for(impl=selectors.implementation_get("430421-JSYDGHXK"), park_code="XDGX", on=D(on))
    assert r.mode == mode


T = rules.EmpowermentTerm
TERMS = [
    T("P1", "FORWARD", D("2020-01-01"), D("2022-01-01")),
    T("P1", "ENTRUSTED", D("2022-01-01")),
    T("P1", "DIRECT", D("2024-01-01")),
    T("P2", "DIRECT_REPORT", D("2021-06-01"), None, "CITY"),
    T("P3", "DIRECT_REPORT", D("2021-06-01")),
]
# park, on, mode, receiving, reviewing, deciding, in the name of
PURE_ROUTES = [
    (None, "2023-01-01", "NONE", "DEPT", "DEPT", "DEPT", "DEPT"),
    ("P9", "2023-01-01", "NONE", "DEPT", "DEPT", "DEPT", "DEPT"),
    ("P1", "2019-12-31", "NONE", "DEPT", "DEPT", "DEPT", "DEPT"),
    ("P1", "2020-01-01", "FORWARD", "P1", "DEPT", "DEPT", "DEPT"),
    ("P1", "2021-12-31", "FORWARD", "P1", "DEPT", "DEPT", "DEPT"),
    ("P1", "2022-01-01", "ENTRUSTED", "P1", "P1", "P1", "DEPT"),
    ("P1", "2023-12-31", "ENTRUSTED", "P1", "P1", "P1", "DEPT"),
    ("P1", "2024-01-01", "DIRECT", "P1", "P1", "P1", "P1"),   # the latest in force wins
    ("P2", "2021-05-31", "NONE", "DEPT", "DEPT", "DEPT", "DEPT"),
    ("P2", "2021-06-01", "DIRECT_REPORT", "P2", "P2", "CITY", "CITY"),
    ("P3", "2021-06-01", "DIRECT_REPORT", "P3", "P3", "DEPT", "DEPT"),  # no approving level: the department
]


@pytest.mark.parametrize("park,on,mode,receiving,reviewing,deciding,name", PURE_ROUTES)
def test_routing_on_a_table(park, on, mode, receiving, reviewing, deciding, name):
    r = rules.route(department="DEPT", park=park, on=D(on), empowerments=TERMS)
    assert (r.mode, r.receiving_unit, r.reviewing_unit, r.deciding_unit, r.in_name_of) == (
        mode, receiving, reviewing, deciding, name)


def test_an_unknown_mode_is_an_error():
    with pytest.raises(ValueError):
        rules.route(department="D", park="P", on=D("2024-01-01"), empowerments=[T("P", "GIFT", D("2020-01-01"))])
