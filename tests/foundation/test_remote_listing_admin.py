"""The 跨域通办清单 in the catalogue admin: the item's own region keeps its rows, another region is the
receiving one; and an empowerment may go to a town or a community point, as to a park."""

import pytest

from yiwang.catalogue.models import Empowerment, ItemImplementation, RemoteIntakeListing
from yiwang.organisations.models import Region, Unit

from .test_admin_scope import catadmin, hyx_catadmin  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _post(impl_code: str, receiving: str, **over) -> dict:
    impl = ItemImplementation.objects.get(impl_code=impl_code)
    return {"implementation": str(impl.pk), "receiving_region": receiving, "effective_from": "2026-01-01",
            "effective_to": "", "document": "跨域通办合作协议", **over}


def test_the_item_regions_admin_adds_a_listing_for_another_region(hyx_catadmin):  # noqa: F811
    page = hyx_catadmin.get("/admin/catalogue/remoteintakelisting/")
    assert page.status_code == 200 and "跨域通办清单" in page.content.decode()
    r = hyx_catadmin.post("/admin/catalogue/remoteintakelisting/add/", _post("430421-JSYDGHXK", "430321"))
    assert r.status_code == 302, r.content.decode()[:2000]
    assert RemoteIntakeListing.objects.filter(implementation__impl_code="430421-JSYDGHXK",
                                              receiving_region_id="430321").exists()


@pytest.mark.parametrize("receiving,over,message", [
    ("430421", {}, "收件地区应为事项所属地区以外的地区"),
    ("430321", {"effective_to": "2025-01-01"}, "终止日期应晚于生效日期"),
])
def test_a_listing_that_breaks_a_rule_is_refused_at_its_field(hyx_catadmin, receiving, over, message):  # noqa: F811
    r = hyx_catadmin.post("/admin/catalogue/remoteintakelisting/add/", _post("430421-JSYDGHXK", receiving, **over))
    assert r.status_code == 200 and message in r.content.decode()
    assert not RemoteIntakeListing.objects.filter(implementation__impl_code="430421-JSYDGHXK").exists()


def test_the_receiving_regions_admin_cannot_change_another_regions_listing(catadmin):  # noqa: F811
    row = RemoteIntakeListing.objects.get(implementation__impl_code="430421-SPJYXK", receiving_region_id="430321")
    url = f"/admin/catalogue/remoteintakelisting/{row.pk}/"
    assert catadmin.post(url + "change/", _post("430421-SPJYXK", "430321", document="改")).status_code == 403
    assert catadmin.post(url + "delete/", {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.document != "改"
    assert Region.objects.filter(code="430321").exists()


def test_an_empowerment_may_go_to_a_town_or_a_community_point(catadmin):  # noqa: F811
    impl = ItemImplementation.objects.get(impl_code="430321-CSHKDJ")
    for code in ("XTX-HSZ", "XTX-YSH-SQ01"):
        unit = Unit.objects.get(code=code)
        r = catadmin.post("/admin/catalogue/empowerment/add/", {
            "implementation": str(impl.pk), "park": str(unit.pk), "mode": "FORWARD", "effective_from": "2026-01-01",
            "effective_to": "", "approving_unit": "", "document": "湘潭县赋予乡镇经济社会管理权限目录"})
        assert r.status_code == 302, r.content.decode()[:2000]
        assert Empowerment.objects.filter(implementation=impl, park=unit).exists()
