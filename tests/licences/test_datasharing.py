from datetime import date

import pytest

from yiwang.catalogue.models import ServiceItem
from yiwang.licences.datasharing import DataResult, LocalDataSource, materials_satisfied
from yiwang.licences.models import CompletionFiling, TaxClearance
from yiwang.licences.services import licence_issue, licence_revoke

pytestmark = pytest.mark.django_db


def _item(code):
    return ServiceItem.objects.get(basic_code=code)


def test_seal_filing_is_fully_satisfied_by_the_business_licence_and_data(issue, xtkj):
    licence = issue()
    result = materials_satisfied(item=_item("GZKZBA"), applicant=xtkj)
    got = [(m.name, how, ref) for m, how, ref in result]
    assert got[0] == ("营业执照", "licence", licence.identifier)
    assert got[1][:2] == ("法定代表人身份证明", "data")
    assert "湘潭示范科技有限公司" in got[1][2]
    assert result.copies_saved == 2  # one copy each
    assert result.visits_saved == 1  # nothing left to bring
    assert result.unsatisfied == []


def test_without_a_valid_licence_the_material_is_asked_for(issue, xtkj):
    licence = issue()
    licence_revoke(licence=licence, reason="撤销")
    result = materials_satisfied(item=_item("GZKZBA"), applicant=xtkj)
    assert [m.name for m, _ in result.unsatisfied] == ["营业执照"]
    assert result.copies_saved == 1 and result.visits_saved == 0


def test_company_registration_saves_copies_but_not_the_visit(xtkj):
    result = materials_satisfied(item=_item("QYSLDJ"), applicant=xtkj)
    assert sorted(s.material.name for s in result) == ["法定代表人身份证明", "股东主体资格证明"]
    assert result.visits_saved == 0  # the articles and application form are still brought
    assert result.as_dict()["copies_saved"] == 2


@pytest.mark.parametrize("shareholders, ok", [
    ([{"名称": "张示范", "证件号码": "430321198506120013"}, {"证件号码": "91430321MA4T8K2P6K"}], True),
    (["430321198506120014"], False),  # wrong check digit
])
def test_shareholder_qualification_checks_each_listed_shareholder(xtkj, shareholders, ok):
    result = LocalDataSource().lookup("shareholder_qualification", applicant=xtkj, form={"股东": shareholders})
    assert result.ok is ok


def test_tax_clearance_comes_from_the_tax_table(xtkj):
    item = _item("QYZXDJ")
    assert "清税证明" in [m.name for m, _ in materials_satisfied(item=item, applicant=xtkj).unsatisfied]
    TaxClearance.objects.create(party=xtkj, document_number="湘税清〔2026〕1号", cleared_on=date(2026, 3, 2))
    satisfied = {s.material.name: s.reference for s in materials_satisfied(item=item, applicant=xtkj)}
    assert "湘税清〔2026〕1号" in satisfied["清税证明"]


def test_completion_filing_and_licence_for_first_property_registration(issue, xtkj):
    item = _item("BDCSCDJ")
    issue()
    CompletionFiling.objects.create(party=xtkj, project_name="示范厂房", filing_number="430321JB2026001",
                                    filed_on=date(2026, 2, 1))
    result = materials_satisfied(item=item, applicant=xtkj, form={"项目名称": "示范厂房"})
    assert {s.material.name: s.how for s in result} == {"竣工验收备案证明": "data", "营业执照": "licence"}
    other = materials_satisfied(item=item, applicant=xtkj, form={"项目名称": "另一项目"})
    assert "竣工验收备案证明" not in {s.material.name for s in other}


def test_birth_household_registration_uses_the_birth_certificate_and_the_register(zhang):
    from yiwang.organisations.models import Unit

    item = _item("CSHKDJ")
    before = materials_satisfied(item=item, applicant=zhang)
    assert {s.material.name for s in before} == {"父母户口簿"}
    licence_issue(licence_type_name="出生医学证明", holder=zhang, issuer=Unit.objects.get(code="XTX-WJ"),
                  content={"新生儿姓名": "张小示"})
    after = materials_satisfied(item=item, applicant=zhang)
    assert {s.material.name: s.how for s in after} == {"出生医学证明": "licence", "父母户口簿": "data"}
    assert after.visits_saved == 1


def test_person_identity_is_refused_for_an_enterprise(xtkj, zhang):
    source = LocalDataSource()
    assert source.lookup("person_identity", applicant=zhang).ok
    assert not source.lookup("person_identity", applicant=xtkj).ok
    assert source.lookup("enterprise_identity", applicant=xtkj).ok
    assert not source.lookup("no_such_fact", applicant=xtkj).ok


def test_another_data_source_can_be_plugged_in(xtkj):
    class Nothing:
        def lookup(self, fact, *, applicant, form=None):
            return DataResult(False, reason="省平台不可用")

    result = materials_satisfied(item=_item("QYSLDJ"), applicant=xtkj, source=Nothing())
    assert len(result) == 0
    assert {why for _, why in result.unsatisfied} == {"省平台不可用"}


def test_no_applicant_satisfies_nothing():
    assert len(materials_satisfied(item=_item("GZKZBA"), applicant=None)) == 0
