"""The case engine wired to the licence library and data sharing (无证明)."""

import pytest

from yiwang.cases import services
from yiwang.licences.models import Licence
from yiwang.licences.selectors import licence_verify

from .conftest import XTCY, XTKJ, ZHANG, at, drive, party, relay, user

pytestmark = pytest.mark.django_db


def _form(impl_code):
    from yiwang.catalogue.models import ItemImplementation

    impl = ItemImplementation.objects.select_related("item").get(impl_code=impl_code)
    return {name: f"示例{name}" for name in impl.item.form_fields}


def _window_case(impl_code, number):
    return services.case_submit(actor=user("clerk"), item=impl_code, applicant=party(number), form=_form(impl_code),
                                channel="window", now=at())


def test_approval_issues_the_result_licence_under_the_deciding_units_seal_in_its_name():
    case = _window_case("430321-QYSLDJ", XTCY)
    services.case_accept(case=case.number, actor=user("clerk"),
                         paper=["公司登记（备案）申请书", "公司章程", "住所（经营场所）使用证明"], now=at())
    drive(case.number, now=at())
    lic = Licence.objects.get(case_number=case.number)
    assert lic.licence_type.name == "营业执照"
    assert lic.seal.unit.code == "XTX-SCJG" and lic.in_name_of.code == "XTX-SCJG"
    assert lic.holder.registered_case == case.number and lic.holder.filer.number == XTCY  # the new enterprise
    assert licence_verify(lic.identifier)["valid"] is True


def test_a_denial_issues_no_licence():
    case = _window_case("430321-QYSLDJ", XTCY)
    services.case_accept(case=case.number, actor=user("clerk"),
                         paper=["公司登记（备案）申请书", "公司章程", "住所（经营场所）使用证明"], now=at())
    drive(case.number, now=at(), deny="名称不合规")
    assert not Licence.objects.filter(case_number=case.number).exists()


def test_a_failed_post_check_revokes_the_commitment_approvals_licence():
    case = _window_case("430321-SPJYXK", XTCY)
    case = services.case_accept(case=case.number, actor=user("clerk"), commitment=True,
                                paper=["食品经营许可申请书", "经营场所平面图", "食品安全管理制度"], now=at())
    assert case.status == "approved"
    relay()  # the worker issues the licence after the approval's commit
    lic = Licence.objects.get(case_number=case.number)
    assert lic.status == "valid"
    services.case_act(case=case.number, actor=user("xtx-scjg"), action="post_check_fail", reason="经营场所与承诺不符",
                      now=at())
    lic.refresh_from_db()
    assert lic.status == "revoked"
    result = licence_verify(lic.identifier)
    assert result["valid"] is False


def test_submission_records_materials_from_data_sharing_and_the_licence_library_and_what_they_saved():
    # The applicant holds a business licence already: the seal filing asks for nothing.
    first = _window_case("430321-QYSLDJ", XTKJ)
    services.case_accept(case=first.number, actor=user("clerk"),
                         paper=["公司登记（备案）申请书", "公司章程", "住所（经营场所）使用证明"], now=at())
    drive(first.number, now=at())
    lic = Licence.objects.get(case_number=first.number)
    case = _window_case("430321-DWCBDJ", lic.holder_number)  # the enterprise the registration created
    shared = case.shared_materials
    assert {"material": "营业执照", "how": "licence", "reference": lic.identifier} in shared["satisfied"]
    assert shared["copies_saved"] >= 1 and shared["visits_saved"] == 1
    assert case.events.get(seq=1).data["shared"] == ["营业执照"]
    # Not asked of the applicant: accepted (and, instant, decided) with no material handed in.
    case = services.case_accept(case=case.number, actor=user("clerk"), now=at())
    assert case.status == "approved"


def test_a_person_identity_comes_from_data_sharing():
    case = services.case_submit(actor=user("clerk"), item="430321-CSYXZM", applicant=party(ZHANG),
                                form=_form("430321-CSYXZM"), channel="window", now=at())
    assert [s["how"] for s in case.shared_materials["satisfied"]] == ["data"]
    assert case.shared_materials["visits_saved"] == 1
