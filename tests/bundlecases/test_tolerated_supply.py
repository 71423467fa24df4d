"""Issue 11 (3): a tolerated material (容缺) is supplied later — uploaded by the applicant or the
clerk, or its paper verified by the clerk — from their pages, on a single case and on a bundle
case; the bundle's 明白卡 then says it was supplied."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.bundlecases.models import BundleCase, BundleMemberCase
from yiwang.cases import services as case_services
from yiwang.cases.models import Case
from yiwang.core.errors import DomainError

from .conftest import XTCY, XTKJ, asked, at, drive, merged_form, party, user

pytestmark = pytest.mark.django_db

OWED = "住所（经营场所）使用证明"
from tests.files import PDF  # noqa: E402, F401 - well-formed: the upload check reads its structure


def _client(u):
    c = Client()
    c.force_login(u)
    return c


def _single() -> Case:
    from yiwang.catalogue.models import ItemImplementation

    impl = ItemImplementation.objects.select_related("item").get(impl_code="430321-QYSLDJ")
    case = case_services.case_submit(actor=user("clerk"), item=impl.impl_code, applicant=party(XTCY),
                                     form={f: f"示例{f}" for f in impl.item.form_fields}, channel="window", now=at())
    case = case_services.case_accept(case=case.number, actor=user("clerk"), tolerate=[OWED],
                                     paper=["公司登记（备案）申请书", "公司章程"], now=at())
    assert case.missing_materials == [OWED]
    return case


def _post_supply(c, case, **extra):
    return c.post(f"/cases/{case.number}/act/", {"action": "supply_material", "version": case.version,
                                                  "material": OWED, "next": f"/workbench/cases/{case.number}/",
                                                  **extra})


@pytest.mark.parametrize("how", ["upload", "paper"])
def test_the_clerk_supplies_a_tolerated_material_from_the_workbench_picker(how):
    case = _single()
    clerk = _client(user("clerk"))
    page = clerk.get(f"/workbench/cases/{case.number}/").content.decode()
    form = page[page.index("action-supply_material"):]
    form = form[:form.index("</form>")]
    assert f"<option>{OWED}</option>" in form and 'name="file"' in form and 'name="on_paper"' in form
    extra = {"file": SimpleUploadedFile("zhusuo.pdf", PDF)} if how == "upload" else {"on_paper": "on"}
    assert _post_supply(clerk, case, **extra).status_code == 302
    case.refresh_from_db()
    assert case.missing_materials == []
    assert case.events.order_by("-seq").first().data == {"material": OWED, "how": how}
    assert case.materials.filter(name=OWED).exists() == (how == "upload")
    drive(case.number)  # nothing owed: the decision is no longer blocked
    assert Case.objects.get(pk=case.pk).status == "approved"


def test_supplying_with_neither_a_file_nor_paper_is_refused_at_the_file_and_nothing_changes():
    case = _single()
    with pytest.raises(DomainError) as e:
        case_services.case_material_supply(case=case.number, actor=user("clerk"), name=OWED)
    assert e.value.field == "file" and OWED in e.value.message
    case.refresh_from_db()
    assert case.missing_materials == [OWED]


def test_the_applicant_uploads_a_tolerated_material_but_cannot_claim_paper():
    case = _single()
    applicant = party(XTCY).user
    with pytest.raises(DomainError) as e:
        case_services.case_material_supply(case=case.number, actor=applicant, name=OWED, on_paper=True)
    assert e.value.field == "on_paper"
    c = _client(applicant)
    page = c.get(f"/me/cases/{case.number}/").content.decode()
    assert "补交容缺材料" in page and f"<option>{OWED}</option>" in page
    r = c.post(f"/cases/{case.number}/upload/", {"name": OWED, "file": SimpleUploadedFile("a.pdf", PDF),
                                                 "next": f"/me/cases/{case.number}/"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.missing_materials == []


def _bundle_with_owed() -> tuple[BundleCase, Case]:
    from yiwang.bundlecases import services

    p = party(XTKJ)
    bc = services.bundle_case_submit(actor=p.user, bundle="QYKB", applicant=p, form=merged_form("QYKB"), now=at())
    bc = services.bundle_case_accept(bundle_case=bc.number, actor=user("bundleclerk"),
                                     paper=[n for n in asked("QYKB") if n != OWED], tolerate=[OWED], now=at())
    child = BundleMemberCase.objects.get(bundle_case=bc).case
    assert child.missing_materials == [OWED]
    return bc, child


def _checklist_state(bc) -> str:
    from yiwang.bundlecases.selectors import bundle_case_view

    v = bundle_case_view(BundleCase.objects.get(pk=bc.pk))
    return next(m["how"] for m in v.checklist if m["name"] == OWED)


def test_the_applicant_uploads_the_tolerated_material_from_the_bundle_page_and_the_checklist_says_so():
    bc, child = _bundle_with_owed()
    c = _client(party(XTKJ).user)
    page = c.get(f"/me/cases/{bc.number}/").content.decode()
    assert "容缺受理，待补交" in page and "action-supply_material" in page and f"<option>{OWED}</option>" in page
    assert 'name="on_paper"' not in page  # paper is verified by the window, not claimed by the applicant
    r = c.post(f"/bundle-cases/{bc.number}/act/", {"action": "supply_material", "version": bc.version,
                                                  "material": OWED, "file": SimpleUploadedFile("z.pdf", PDF),
                                                  "next": f"/me/cases/{bc.number}/"})
    assert r.status_code == 302
    child.refresh_from_db()
    assert child.missing_materials == [] and child.materials.filter(name=OWED).exists()
    assert _checklist_state(bc) == "容缺材料已补交"
    page = c.get(f"/me/cases/{bc.number}/").content.decode()
    assert "待补交" not in page and "action-supply_material" not in page


def test_the_bundle_clerk_verifies_the_paper_of_the_tolerated_material_for_every_child():
    bc, child = _bundle_with_owed()
    clerk = _client(user("bundleclerk"))
    page = clerk.get(f"/workbench/bundles/{bc.number}/").content.decode()
    assert "action-supply_material" in page and 'name="on_paper"' in page
    clerk.post(f"/bundle-cases/{bc.number}/act/", {"action": "supply_material", "version": bc.version,
                                                  "material": OWED, "on_paper": "on",
                                                  "next": f"/workbench/bundles/{bc.number}/"})
    child.refresh_from_db()
    assert child.missing_materials == []
    bc.refresh_from_db()
    assert OWED in bc.materials["supplied"] and OWED not in bc.materials["tolerate"]
    assert _checklist_state(bc) == "容缺材料已补交"


def test_the_applicant_cannot_claim_paper_on_the_bundle_and_nothing_changes():
    from yiwang.bundlecases import services

    bc, child = _bundle_with_owed()
    with pytest.raises(DomainError) as e:
        services.bundle_case_supply(bundle_case=bc.number, actor=party(XTKJ).user, material=OWED, on_paper=True)
    assert e.value.field == "on_paper"
    with pytest.raises(DomainError) as e:
        services.bundle_case_supply(bundle_case=bc.number, actor=party(XTKJ).user, material=OWED)
    assert e.value.field == "file"
    child.refresh_from_db()
    assert child.missing_materials == [OWED] and _checklist_state(bc) == "容缺受理，待补交"
