"""Issue 11 (2, 7): a registration creates the new enterprise, which holds the licence and files the
bundle's later members; a bundle case is done when every result is delivered (一次领取); one rating
for the whole bundle case (一事一评), attributed to each member's unit."""

import pytest

from yiwang.bundlecases import selectors, services
from yiwang.bundlecases.models import BundleCase, BundleCaseEvent, BundleMemberCase
from yiwang.cases import services as case_services
from yiwang.evaluations.models import EvalStatus, Evaluation
from yiwang.licences.models import Licence
from yiwang.parties.identifiers import check_uscc, organisation_check_char, uscc_build

from .conftest import DAY, XTKJ, at, collect, drive, merged_form, party, user

pytestmark = pytest.mark.django_db

NEW = {"企业名称": "湘潭演示智能科技有限公司", "法定代表人": "王演示", "住所": "湘潭县易俗河镇天易大道1号"}


def relay():
    from yiwang.core.outbox import outbox_relay

    return outbox_relay(send=lambda message: None, limit=1000)


def _kids(bc) -> dict:
    return {link.case.implementation.impl_code.split("-", 1)[1]: link.case
            for link in BundleMemberCase.objects.filter(bundle_case=bc).select_related("case__implementation")}


@pytest.mark.parametrize("body,code", [
    ("MA4L16JQ", "91430321MA4L16JQ95"),  # the demo enterprises' codes, as issued
    ("MA4T8K2P", "91430321MA4T8K2P6K"),
])
def test_an_assigned_code_has_the_organisation_and_gb_32100_check_characters(body, code):
    assert uscc_build(region_code="430321", body=body) == code
    assert organisation_check_char(body) == code[-2]
    assert check_uscc(code).valid


def test_registration_creates_the_new_enterprise_which_holds_the_business_licence(submit_and_accept):
    bc = submit_and_accept("QYKB", XTKJ, form={**merged_form("QYKB"), **NEW})
    registration = _kids(bc)["QYSLDJ"]
    drive(registration.number, now=at(DAY, 14))
    licence = Licence.objects.select_related("holder").get(case_number=registration.number)
    new = licence.holder
    assert new.number != XTKJ and check_uscc(new.number).valid and new.number[2:8] == "430321"
    assert (new.name, new.legal_representative, new.address) == (
        "湘潭演示智能科技有限公司", "王演示", "湘潭县易俗河镇天易大道1号")
    assert licence.holder_name == "湘潭演示智能科技有限公司"
    assert new.kind == "enterprise" and new.registered_case == registration.number
    assert new.filer.number == XTKJ  # the applicant who filed is recorded as the filer
    assert new.user_id == party(XTKJ).user_id  # the filer's account sees the new enterprise's cases


def test_the_bundles_later_members_are_the_new_enterprises_cases_filed_by_the_applicant(submit_and_accept):
    bc = submit_and_accept("QYKB", XTKJ, form={**merged_form("QYKB"), **NEW})
    drive(_kids(bc)["QYSLDJ"].number, now=at(DAY, 14))
    kids = _kids(bc)
    new = Licence.objects.get(case_number=kids["QYSLDJ"].number).holder
    assert kids["QYSLDJ"].applicant.number == XTKJ
    for code in ("GZKZBA", "FPSL", "DWCBDJ", "GJJJCDJ", "YYKH"):
        assert kids[code].applicant_id == new.pk, code
        started = BundleCaseEvent.objects.get(bundle_case=bc, action="member_started", data__case=kids[code].number)
        assert started.data["applicant"] == new.number and started.data["filer"] == XTKJ
    # The filer's account reads the new enterprise's case and its licence.
    from yiwang.cases import selectors as case_selectors

    xtkj = party(XTKJ).user
    assert case_selectors.case_get(kids["GZKZBA"].number, user=xtkj).applicant_id == new.pk
    from django.test import Client

    c = Client()
    c.force_login(xtkj)
    assert "持证主体：湘潭演示智能科技有限公司" in c.get("/me/licences/").content.decode()


def test_a_second_approval_reaction_creates_no_second_enterprise(submit_and_accept):
    from yiwang.parties.models import Party
    from yiwang.parties.services import party_register_for_case

    bc = submit_and_accept("QYKB", XTKJ, form={**merged_form("QYKB"), **NEW})
    registration = _kids(bc)["QYSLDJ"]
    drive(registration.number, now=at(DAY, 14))
    registration.refresh_from_db()
    assert party_register_for_case(case=registration) == Licence.objects.get(case_number=registration.number).holder
    assert Party.objects.filter(registered_case=registration.number).count() == 1


def test_a_bundle_case_is_not_done_until_every_result_is_delivered(submit_and_accept):
    bc = submit_and_accept("QYKB", XTKJ)
    drive(_kids(bc)["QYSLDJ"].number, now=at(DAY, 14))
    kids = list(_kids(bc).values())
    assert all(c.status == "approved" for c in kids)
    v = selectors.bundle_case_view(BundleCase.objects.get(pk=bc.pk))
    assert (v.bc.status, v.done, v.delivered) == ("running", 6, 0)
    for i, child in enumerate(kids):
        case_services.case_act(case=child.number, actor=user("clerk"), action="deliver", data={"method": "window"},
                               now=at(DAY, 15))
        bc.refresh_from_db()
        assert bc.status == ("completed" if i == len(kids) - 1 else "running")
    assert BundleCaseEvent.objects.filter(bundle_case=bc, action="member_delivered").count() == 6


def test_collecting_at_the_bundle_window_delivers_every_result_at_once(submit_and_accept):
    from yiwang.core.errors import DomainError, Forbidden

    bc = submit_and_accept("QYKB", XTKJ)
    with pytest.raises(DomainError) as e:  # nothing decided yet
        collect(bc.number)
    assert e.value.code == "nothing_to_collect"
    drive(_kids(bc)["QYSLDJ"].number, now=at(DAY, 14))
    with pytest.raises(Forbidden):
        services.bundle_case_collect(bundle_case=bc.number, actor=party(XTKJ).user, now=at(DAY, 15))
    bc = collect(bc.number, now=at(DAY, 15))
    assert bc.status == "completed"
    assert {c.status for c in _kids(bc).values()} == {"delivered"}
    assert {c.delivery_method for c in _kids(bc).values()} == {"window"}
    assert BundleCaseEvent.objects.get(bundle_case=bc, action="collect").data["cases"]


def test_one_bundle_case_sends_one_rating_invitation_attributed_to_each_members_unit(submit_and_accept):
    from yiwang.evaluations import services as ev_services
    from yiwang.evaluations.selectors import evaluation_stats

    bc = submit_and_accept("QYKB", XTKJ)
    drive(_kids(bc)["QYSLDJ"].number, now=at(DAY, 14))
    relay()
    assert not Evaluation.objects.exists()  # decided, not delivered: nobody invited; instant members neither
    collect(bc.number, now=at(DAY, 15))
    relay()
    relay()
    assert Evaluation.objects.count() == 1
    slot = Evaluation.objects.get()
    assert (slot.subject_kind, slot.subject_ref, slot.rater_party.number) == ("bundle", bc.number, XTKJ)
    from django.test import Client

    c = Client()
    c.force_login(party(XTKJ).user)
    assert f"/rate/{slot.token}/" in c.get(f"/me/cases/{bc.number}/").content.decode()
    assert c.get(f"/rate/{slot.token}/").status_code == 200
    ev_services.evaluation_rate(evaluation=slot, level=1, channel="web", rater_user=party(XTKJ).user)
    members = Evaluation.objects.filter(subject_kind="case").select_related("unit")
    kids = _kids(bc)
    assert {m.subject_ref for m in members} == {c.number for c in kids.values()}
    assert {m.unit_id for m in members} == {c.deciding_unit_id for c in kids.values()}
    assert {(m.status, m.level) for m in members} == {(EvalStatus.RATED, 1)}
    # Each unit's rate counts the rating once; the bundle slot itself is not counted twice.
    stats = {r["key"]: r for r in evaluation_stats(by="unit")}
    assert sum(r["total"] for r in stats.values()) == 6
    scjg = kids["QYSLDJ"].deciding_unit_id
    assert stats[scjg]["total"] == 1 and stats[scjg]["satisfaction_rate"] == 100.0


def test_a_bad_bundle_rating_opens_a_rectification_for_each_members_unit(submit_and_accept):
    from yiwang.evaluations import services as ev_services
    from yiwang.evaluations.models import Rectification

    bc = submit_and_accept("QYKB", XTKJ)
    drive(_kids(bc)["QYSLDJ"].number, now=at(DAY, 14))
    collect(bc.number, now=at(DAY, 15))
    relay()
    slot = Evaluation.objects.get(subject_kind="bundle")
    ev_services.evaluation_rate(evaluation=slot, level=5, channel="web", text="跑了好几趟",
                                rater_user=party(XTKJ).user)
    assert Rectification.objects.count() == 6
    assert not Rectification.objects.filter(evaluation=slot).exists()


def test_the_bundle_page_links_each_child_case_and_shows_the_delivery(submit_and_accept):
    from django.test import Client

    bc = submit_and_accept("QYKB", XTKJ)
    drive(_kids(bc)["QYSLDJ"].number, now=at(DAY, 14))
    c = Client()
    c.force_login(party(XTKJ).user)
    page = c.get(f"/me/cases/{bc.number}/").content.decode()
    assert "已送达 0 / 6" in page and "待送达" in page
    for child in _kids(bc).values():
        assert f'href="/me/cases/{child.number}/"' in page
        child_page = c.get(f"/me/cases/{child.number}/").content.decode()
        assert f'href="/me/cases/{bc.number}/"' in child_page  # and back to the bundle
    clerk = Client()
    clerk.force_login(user("bundleclerk"))
    page = clerk.get(f"/workbench/bundles/{bc.number}/").content.decode()
    assert f'href="/workbench/cases/{_kids(bc)["GZKZBA"].number}/"' in page
    assert "action-collect" in page
    r = clerk.post(f"/bundle-cases/{bc.number}/act/", {"action": "collect", "version": BundleCase.objects.get(
        pk=bc.pk).version, "confirm": "on", "next": f"/workbench/bundles/{bc.number}/"})
    assert r.status_code == 302
    bc.refresh_from_db()
    assert bc.status == "completed"


@pytest.mark.parametrize("statuses,done,delivered,all_done", [
    ({"a": "approved", "b": "approved"}, 2, 0, False),   # decided, still 待送达
    ({"a": "delivered", "b": "approved"}, 2, 1, False),
    ({"a": "delivered", "b": "closed"}, 2, 2, True),      # a closed commitment case: its result was handed over
    ({"a": "delivered", "b": None}, 1, 1, False),
])
def test_progress_counts_delivered_results_apart_from_decisions(statuses, done, delivered, all_done):
    from yiwang.bundlecases import rules

    p = rules.progress({"a": [], "b": ["a"]}, statuses)
    assert (p.done, p.delivered, p.all_done) == (done, delivered, all_done)
