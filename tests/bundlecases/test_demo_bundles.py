"""Every demo bundle end to end through the services, the demo staff accounts acting."""

import pytest

from yiwang.bundlecases.models import BundleCase, BundleMemberCase
from yiwang.cases.models import Case
from yiwang.catalogue.selectors import bundle_get, bundle_view
from yiwang.licences.models import Licence
from yiwang.licences.selectors import licence_verify
from yiwang.workcalendar.index import add_working_days

from .conftest import DAY, XTCY, XTKJ, ZHANG, at, collect, drive

pytestmark = pytest.mark.django_db

DEMO = [("QYKB", XTKJ), ("KCG", XTCY), ("QYZX", XTCY), ("SDQWBZ", XTKJ), ("XMKG", XTKJ), ("JGJBZ", XTKJ),
        ("CSYJS", ZHANG)]
UNIT_ACCOUNTS = {"xtx-scjg", "xtx-ga", "xtx-sw", "xtx-rs", "xtx-gjj", "xtx-spj", "xtx-zrzy", "xtx-zj", "xtx-rf",
                 "xtx-bdc", "xtx-wj", "xtx-yb", "xtx-sw-gs", "xtx-gd", "xtx-rq", "xtx-wl", "tyjk"}


def run_to_the_end(bc: BundleCase, *, now) -> set[str]:
    """Act as each deciding unit's account on every child still undecided, until none is left."""
    actors = set()
    for _ in range(10):
        open_children = [link.case for link in BundleMemberCase.objects.filter(bundle_case=bc).select_related(
            "case__deciding_unit") if link.case.status in ("accepted", "in_review")]
        if not open_children:
            break
        for child in open_children:
            actors.add(child.deciding_unit.code.lower())
            drive(child.number, now=now)
    return actors


@pytest.mark.parametrize("code,applicant", DEMO)
def test_demo_bundle_runs_end_to_end_within_its_promised_days(code, applicant, submit_and_accept):
    bc = submit_and_accept(code, applicant, now=at(DAY, 9))
    actors = run_to_the_end(bc, now=at(DAY, 15))
    collect(bc.number, now=at(DAY, 16))
    bc.refresh_from_db()
    assert actors <= UNIT_ACCOUNTS
    assert bc.status == "completed", bc.stop_reason
    b = bundle_get(code)
    assert bc.deadline == add_working_days(DAY, b.promised_days).date
    assert not bc.deadline_provisional
    assert bc.completed_at.date() <= bc.deadline
    view = bundle_view(b)
    links = {link.member_id: link.case for link in BundleMemberCase.objects.filter(bundle_case=bc).select_related(
        "case")}
    assert set(links) == {m.pk for m in view.members}  # each member started once
    for m in view.members:
        child = links[m.pk]
        assert child.status == "delivered"
        assert child.deciding_unit.code == child.in_name_of.code or child.route_mode != "DIRECT"
        licence_type = m.implementation.item.result_licence
        if licence_type:
            lic = Licence.objects.get(case_number=child.number)
            assert lic.licence_type.name == licence_type
            # the applicant's, or (from the registration on) the enterprise it registered and filed for
            assert applicant in (lic.holder_number, getattr(lic.holder.filer, "number", None))
            assert lic.seal.unit_id == child.deciding_unit_id
            assert licence_verify(lic.identifier)["valid"] is True


def test_qykb_issues_one_business_licence_and_uses_it_for_five_registrations(submit_and_accept):
    bc = submit_and_accept("QYKB", XTKJ, now=at(DAY, 9))
    run_to_the_end(bc, now=at(DAY, 11))
    collect(bc.number, now=at(DAY, 12))
    bc.refresh_from_db()
    assert bc.status == "completed" and bc.completed_at.date() == DAY
    children = Case.objects.filter(bundle_link__bundle_case=bc)
    assert children.count() == 6
    assert Licence.objects.filter(case_number__in=children.values("number")).count() == 1
    saved = sum(c.shared_materials.get("copies_saved", 0) for c in children)
    assert saved >= 5


def test_jgjbz_co_reviewers_silence_counts_as_consent_when_their_timer_fires(submit_and_accept):
    from datetime import timedelta

    from yiwang.core.timers import timers_fire_due

    bc = submit_and_accept("JGJBZ", XTKJ, now=at(DAY, 9))
    lhys = BundleMemberCase.objects.get(bundle_case=bc).case
    assert lhys.co_reviews.count() == 2
    slot_end = lhys.co_reviews.first().slot_end
    timers_fire_due(now=at(slot_end + timedelta(days=1), 1))
    assert all(c.consent for c in lhys.co_reviews.all())
    drive(lhys.number, now=at(slot_end + timedelta(days=1), 9))
    run_to_the_end(bc, now=at(slot_end + timedelta(days=1), 10))
    collect(bc.number, now=at(slot_end + timedelta(days=1), 11))
    bc.refresh_from_db()
    assert bc.status == "completed"
    assert Licence.objects.filter(case_number__in=Case.objects.filter(bundle_link__bundle_case=bc).values(
        "number"), licence_type__name="不动产权证书").count() == 1
