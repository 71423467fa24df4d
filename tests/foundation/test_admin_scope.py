"""A catalogue admin edits only their own region's implementations, empowerments and bundles; the
calendar only at the site region (issue 12, leak 2)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from yiwang.catalogue.models import ItemImplementation
from yiwang.demo.loader import CATALOGUE_ADMIN_GROUP, DEMO_PASSWORD
from yiwang.organisations.models import Role, Staff, Unit
from yiwang.organisations.selectors import region_subtree_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def hyx_catadmin():
    """A catalogue admin of 衡阳县 (430421) on the same platform."""
    user = get_user_model().objects.create_user("hyx-catadmin", password=DEMO_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=CATALOGUE_ADMIN_GROUP))
    Staff.objects.create(user=user, unit=Unit.objects.get(code="HYX-SPJ"), role=Role.CATALOGUE_ADMIN)
    c = Client()
    assert c.login(username="hyx-catadmin", password=DEMO_PASSWORD)
    return c


@pytest.fixture
def catadmin():
    c = Client()
    assert c.login(username="catadmin", password=DEMO_PASSWORD)
    return c


def _impl(region: str) -> ItemImplementation:
    return ItemImplementation.objects.filter(region_id=region).order_by("pk").first()


def test_another_countys_catalogue_admin_reads_but_cannot_change_or_delete_an_implementation(hyx_catadmin):
    impl = _impl("430321")
    url = f"/admin/catalogue/itemimplementation/{impl.pk}/"
    page = hyx_catadmin.get(url + "change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert hyx_catadmin.post(url + "change/", {"name": "改名"}).status_code == 403
    assert hyx_catadmin.post(url + "delete/", {"post": "yes"}).status_code == 403
    impl.refresh_from_db()
    assert impl.name != "改名"


def test_a_catalogue_admin_is_offered_only_their_own_regions_and_units(hyx_catadmin, catadmin):
    form = hyx_catadmin.get("/admin/catalogue/itemimplementation/add/").context["adminform"].form
    assert {r.code for r in form.fields["region"].queryset} == set(region_subtree_codes("430421"))
    assert {u.region_id for u in form.fields["department"].queryset} == {"430421"}
    other = _impl("430421")
    assert catadmin.post(f"/admin/catalogue/itemimplementation/{other.pk}/change/", {}).status_code == 403


def test_only_the_site_regions_catalogue_admin_changes_the_calendar(hyx_catadmin, catadmin):
    assert hyx_catadmin.get("/admin/workcalendar/calendarday/").status_code == 200
    assert hyx_catadmin.post("/admin/workcalendar/calendarday/add/", {}).status_code == 403
    assert hyx_catadmin.get("/admin/workcalendar/calendaryear/import/").status_code == 403
    assert catadmin.get("/admin/workcalendar/calendarday/add/").status_code == 200
    assert catadmin.get("/admin/workcalendar/calendaryear/import/").status_code == 200


def test_another_countys_catalogue_admin_cannot_import_the_whole_workbook(hyx_catadmin):
    r = hyx_catadmin.post("/admin/catalogue/serviceitem/excel/", {})
    assert r.status_code == 403
