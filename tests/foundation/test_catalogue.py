"""The catalogue admin (as catadmin): every save goes through the rules and refreshes search."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook

from yiwang.catalogue import services
from yiwang.catalogue.excel import catalogue_export
from yiwang.catalogue.models import Bundle, ItemImplementation, ServiceItem
from yiwang.core.errors import DomainError
from yiwang.demo.loader import CATALOGUE_ADMIN_GROUP, DEMO_PASSWORD
from yiwang.organisations.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def catadmin():
    c = Client()
    assert c.login(username="catadmin", password=DEMO_PASSWORD)
    return c


def _management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def _item_post(**over) -> dict:
    data = {
        "basic_code": "TESTITEM", "name": "测试事项", "type_code": "01", "basis": "《测试法》第一条",
        "mode": "promised", "statutory_days": "20", "promised_days": "10", "conditions": "",
        "fee": "0", "fee_basis": "", "channels": "[]", "post_check_days": "20", "tolerance_days": "5",
        "deemed_consent_days": "", "special_procedure": "{}", "result_licence": "", "supervising_unit": "",
        "form_fields": "[]", "service_object": "enterprise", "visits": "1", "online_depth": "3",
        **_management("steps"), **_management("materials"), **_management("faqs"), **_management("guide_forms"),
    }
    data.update(over)
    return data


def _steps(names: list[str]) -> dict:
    data = _management("steps", total=len(names))
    for i, name in enumerate(names):
        data[f"steps-{i}-order"] = str(i + 1)
        data[f"steps-{i}-name"] = name
    return data


def test_catalogue_admin_is_staff_in_the_group_with_catalogue_and_calendar_permissions():
    user = get_user_model().objects.get(username="catadmin")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name=CATALOGUE_ADMIN_GROUP).exists()
    for perm in ("catalogue.add_serviceitem", "catalogue.change_bundle", "catalogue.change_empowerment",
                 "catalogue.change_itemimplementation", "workcalendar.add_calendarday",
                 "workcalendar.change_calendaryear"):
        assert user.has_perm(perm), perm


@pytest.mark.parametrize("url", [
    "/admin/", "/admin/catalogue/serviceitem/", "/admin/catalogue/serviceitem/add/",
    "/admin/catalogue/itemimplementation/", "/admin/catalogue/empowerment/", "/admin/catalogue/bundle/",
    "/admin/workcalendar/calendarday/", "/admin/workcalendar/calendaryear/",
    "/admin/catalogue/serviceitem/excel/", "/admin/catalogue/serviceitem/consistency/",
])
def test_catalogue_admin_pages_open_in_chinese(catadmin, url):
    r = catadmin.get(url)
    assert r.status_code == 200
    assert "一网通办" in r.content.decode()


def test_change_pages_of_demo_records_open(catadmin):
    item = ServiceItem.objects.get(basic_code="QYSLDJ")
    bundle = Bundle.objects.get(code="QYKB")
    impl = ItemImplementation.objects.get(impl_code="430321-LHYS")
    for url in (f"/admin/catalogue/serviceitem/{item.pk}/change/", f"/admin/catalogue/bundle/{bundle.pk}/change/",
                f"/admin/catalogue/itemimplementation/{impl.pk}/change/"):
        assert catadmin.get(url).status_code == 200, url


@pytest.mark.parametrize("over,field,message", [
    ({"promised_days": "30"}, "promised_days", "承诺办结时限（30）不能超过法定办结时限（20）"),
    ({"mode": "instant", "statutory_days": "0", "promised_days": "0", **_steps(["受理", "审核", "复核", "决定"])},
     None, "办理环节不能超过3个"),
    ({"mode": "instant", "promised_days": "2"}, "promised_days", "即办件的承诺办结时限应为0"),
])
def test_saving_an_item_that_breaks_a_rule_is_refused_with_a_chinese_message(catadmin, over, field, message):
    r = catadmin.post("/admin/catalogue/serviceitem/add/", _item_post(**over))
    assert r.status_code == 200  # the form again, with the error
    assert message in r.content.decode()
    if field:
        assert message in " ".join(r.context["adminform"].form.errors.get(field, []))
    assert not ServiceItem.objects.filter(basic_code="TESTITEM").exists()


def test_saving_a_valid_item_with_three_steps(catadmin):
    r = catadmin.post("/admin/catalogue/serviceitem/add/", _item_post(**_steps(["受理", "审核", "决定"])))
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    item = ServiceItem.objects.get(basic_code="TESTITEM")
    assert list(item.steps.values_list("name", flat=True)) == ["受理", "审核", "决定"]


def test_saving_an_item_refreshes_the_search_text_of_its_implementations(catadmin):
    item = ServiceItem.objects.get(basic_code="QYSLDJ")
    impl = ItemImplementation.objects.get(impl_code="430321-QYSLDJ")
    assert "合伙协议" not in impl.search_text
    page = catadmin.get(f"/admin/catalogue/serviceitem/{item.pk}/change/")
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"channels": '["1", "2", "3"]', "form_fields": '["企业名称"]', "special_procedure": "{}",
                 "supervising_unit": str(item.supervising_unit_id or ""), "deemed_consent_days": ""})
    steps = list(item.steps.all())
    data.update(_management("steps", total=len(steps), initial=len(steps)))
    for i, s in enumerate(steps):
        data.update({f"steps-{i}-id": str(s.pk), f"steps-{i}-item": str(item.pk), f"steps-{i}-order": str(s.order),
                     f"steps-{i}-name": s.name})
    data.update(_management("materials", total=1))
    data.update({"materials-0-order": "9", "materials-0-name": "合伙协议", "materials-0-source": "applicant",
                 "materials-0-required": "on", "materials-0-originals": "0", "materials-0-copies": "1",
                 "materials-0-note": ""})
    r = catadmin.post(f"/admin/catalogue/serviceitem/{item.pk}/change/", data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    impl.refresh_from_db()
    assert "合伙协议" in impl.search_text


def _impl_post(impl: ItemImplementation, **over) -> dict:
    data = {
        "impl_code": impl.impl_code, "item": str(impl.item_id), "region": impl.region_id,
        "department": str(impl.department_id), "name": impl.name, "basis": impl.basis,
        "type_code": impl.type_code, "location": impl.location, "phone": impl.phone, "hours": impl.hours,
        "active": "on",
    }
    data.update(over)
    return data


def test_saving_an_implementation_refreshes_its_search_text(catadmin):
    impl = ItemImplementation.objects.get(impl_code="430321-YYKH")
    r = catadmin.post(f"/admin/catalogue/itemimplementation/{impl.pk}/change/",
                      _impl_post(impl, name="银行开户预约服务"))
    assert r.status_code == 302
    impl.refresh_from_db()
    assert "银行开户预约服务" in impl.search_text and "yhkhyyfw" in impl.search_text


def test_a_second_implementation_of_an_item_in_one_region_is_refused(catadmin):
    impl = ItemImplementation.objects.get(impl_code="430321-YYKH")
    r = catadmin.post("/admin/catalogue/itemimplementation/add/", _impl_post(impl, impl_code="430321-YYKH-2"))
    assert r.status_code == 200
    assert "该事项在此行政区划已有实施清单（430321-YYKH）" in r.content.decode()


@pytest.mark.parametrize("over,message", [
    ({"park": "XTX-SCJG"}, "有效的选项"),  # only parks are offered
    ({"effective_to": "2020-01-01"}, "终止日期应晚于生效日期"),
    ({"approving_unit": "XTX-SPJ"}, "只有审批直报需要填写审批层级"),
])
def test_an_empowerment_that_breaks_a_rule_is_refused(catadmin, over, message):
    impl = ItemImplementation.objects.get(impl_code="430321-SPJYXK")
    units = {u.code: str(u.pk) for u in Unit.objects.all()}
    data = {"implementation": str(impl.pk), "park": units["TYJK"], "mode": "FORWARD",
            "effective_from": "2024-01-01", "effective_to": "", "approving_unit": "", "document": ""}
    data.update({k: units.get(v, v) for k, v in over.items()})
    r = catadmin.post("/admin/catalogue/empowerment/add/", data)
    assert r.status_code == 200
    assert message in r.content.decode()


def _bundle_post(members: list[tuple[str, str]]) -> dict:
    data = {"code": "TESTB", "name": "测试一件事", "theme": "enterprise", "region": "430321",
            "promised_days": "3", "description": "", "active": "on", **_management("members", total=len(members))}
    impls = {i.impl_code: str(i.pk) for i in ItemImplementation.objects.all()}
    for i, (code, waits) in enumerate(members):
        data.update({f"members-{i}-implementation": impls[code], f"members-{i}-order": str(i + 1),
                     f"members-{i}-waits": waits})
    return data


@pytest.mark.parametrize("members,message", [
    ([("430321-QYSLDJ", ""), ("430600-HPBGB", "")], "不属于一件事“TESTB”所在的行政区划"),
    ([("430321-QYSLDJ", "FPSL"), ("430321-FPSL", "QYSLDJ")], "循环等待"),
    ([("430321-QYSLDJ", ""), ("430321-FPSL", "SGXK")], "等待的“SGXK”不在本一件事中"),
])
def test_a_bundle_that_breaks_the_graph_rules_is_refused(catadmin, members, message):
    r = catadmin.post("/admin/catalogue/bundle/add/", _bundle_post(members))
    assert r.status_code == 200
    assert message in r.content.decode()
    assert not Bundle.objects.filter(code="TESTB").exists()


def test_a_valid_bundle_is_saved_with_its_order(catadmin):
    r = catadmin.post("/admin/catalogue/bundle/add/",
                      _bundle_post([("430321-QYSLDJ", ""), ("430321-FPSL", "QYSLDJ")]))
    assert r.status_code == 302
    bundle = Bundle.objects.get(code="TESTB")
    fpsl = bundle.members.get(implementation__impl_code="430321-FPSL")
    assert [a.implementation.item.basic_code for a in fpsl.after.all()] == ["QYSLDJ"]
    assert "cs" in bundle.search_text


def test_the_cycle_message_names_its_members():
    bundle = Bundle.objects.get(code="QYKB")
    impls = {i.item.basic_code: i for i in ItemImplementation.objects.filter(region_id="430321")}
    with pytest.raises(DomainError) as err:
        services.bundle_set_members(bundle=bundle, members=[(impls["QYSLDJ"], ["FPSL"]), (impls["FPSL"], ["QYSLDJ"])])
    assert "QYSLDJ" in err.value.message and "FPSL" in err.value.message and err.value.code == "bad_graph"


# ---------------------------------------------------------------- Excel and consistency pages


def test_excel_page_download_is_the_export(catadmin):
    r = catadmin.get("/admin/catalogue/serviceitem/excel/export/")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["事项", "材料", "实施清单", "赋权", "一件事"]


def test_excel_page_upload_good_file_succeeds(catadmin):
    upload = io.BytesIO(catalogue_export())
    upload.name = "catalogue.xlsx"
    r = catadmin.post("/admin/catalogue/serviceitem/excel/", {"file": upload}, follow=True)
    assert "导入成功" in r.content.decode()


def test_excel_page_upload_bad_file_shows_the_report_and_imports_nothing(catadmin):
    wb = load_workbook(io.BytesIO(catalogue_export()))
    wb["事项"].append(["NEWONE", "新事项", "01", "承诺件", 5, 9])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "bad.xlsx"
    r = catadmin.post("/admin/catalogue/serviceitem/excel/", {"file": out})
    body = r.content.decode()
    assert r.status_code == 200
    assert "未导入任何数据" in body and "不能超过法定办结时限" in body and "承诺时限" in body
    assert not ServiceItem.objects.filter(basic_code="NEWONE").exists()


def test_consistency_page_lists_an_implementation_that_differs(catadmin):
    assert "全部一致" in catadmin.get("/admin/catalogue/serviceitem/consistency/").content.decode()
    ItemImplementation.objects.filter(impl_code="430421-SGXK").update(name="建筑施工许可")
    body = catadmin.get("/admin/catalogue/serviceitem/consistency/").content.decode()
    assert "430421-SGXK" in body and "建筑施工许可" in body and "事项名称" in body


@pytest.mark.parametrize("url", ["/admin/catalogue/serviceitem/excel/", "/admin/catalogue/serviceitem/excel/export/",
                                 "/admin/catalogue/serviceitem/consistency/"])
def test_staff_without_catalogue_permissions_get_403(url):
    user = get_user_model().objects.create_user("plainstaff", password="x", is_staff=True)
    c = Client()
    c.force_login(user)
    r = c.get(url)
    assert r.status_code == 403


@pytest.mark.parametrize("url", ["/admin/catalogue/serviceitem/excel/", "/admin/catalogue/serviceitem/consistency/"])
def test_non_staff_are_sent_to_the_login(url):
    c = Client()
    assert c.login(username="clerk", password=DEMO_PASSWORD)
    r = c.get(url)
    assert r.status_code == 302 and "login" in r["Location"]
