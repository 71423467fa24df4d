"""Issue 9: an approval's licence is issued and signed by the worker after the approval commits, in
two outbox steps (the serial reserved in a short transaction of its own, then the licence signed);
a bundle's members waiting for it start when it is issued, fed its identifier; a crash of the
worker between a step's work and its commit repeats that step once, never twice; the serials stay
contiguous; the applicant sees 证照生成中 meanwhile."""

import pytest

from tests.conftest import relay_killed_at_mark
from yiwang.bundlecases.models import BundleMemberCase
from yiwang.core.models import OutboxMessage
from yiwang.core.workflow import REACTION_TOPIC
from yiwang.licences.models import Licence, LicenceSerial

from .conftest import DAY, XTKJ, at, drive, relay

pytestmark = pytest.mark.django_db


def _first_member(submit_and_accept):
    bc = submit_and_accept("QYKB", XTKJ)
    return bc, BundleMemberCase.objects.get(bundle_case=bc).case


def test_approving_a_member_issues_nothing_until_the_worker_runs_and_the_members_it_feeds_wait(
        submit_and_accept, client):
    bc, first = _first_member(submit_and_accept)
    drive(first.number, now=at(DAY, 14), worker=False)
    first.refresh_from_db()
    assert first.status == "approved"
    assert not Licence.objects.filter(case_number=first.number).exists()
    assert BundleMemberCase.objects.filter(bundle_case=bc).count() == 1  # the five it feeds wait for the licence
    client.force_login(bc.applicant.user)
    body = client.get(f"/api/v1/cases/{bc.number}").json()
    assert body["members"][0]["state"] == "issuing" and body["members"][0]["state_label"] == "证照生成中"
    assert body["progress"]["done"] == 0 and body["progress"]["current"] == [body["members"][0]["item"]]
    assert "证照生成中" in client.get(f"/me/cases/{bc.number}/").content.decode()
    relay()
    licence = Licence.objects.get(case_number=first.number)
    links = BundleMemberCase.objects.filter(bundle_case=bc).exclude(case=first)
    assert links.count() == 5
    assert all(link.fed.get("营业执照") == licence.identifier for link in links if link.fed)
    assert any(link.fed for link in links)


@pytest.mark.parametrize("step", ["licences.issue_for_case", "licences.sign_for_case"])
def test_a_worker_killed_in_either_step_issues_the_licence_once_with_a_contiguous_serial(
        submit_and_accept, monkeypatch, step):
    bc, first = _first_member(submit_and_accept)
    counter_before = list(LicenceSerial.objects.values_list("licence_type_id", "issuer_code", "last"))
    drive(first.number, now=at(DAY, 14), worker=False)
    if step == "licences.sign_for_case":
        relay_first = OutboxMessage.objects.get(topic=REACTION_TOPIC, payload__key=first.number,
                                                payload__reaction="licences.issue_for_case")
        from yiwang.core.outbox import outbox_relay

        OutboxMessage.objects.filter(sent_at__isnull=True).exclude(pk=relay_first.pk).update(
            sent_at=relay_first.created_at)  # only this case's first step, to reach the second
        outbox_relay(send=lambda m: None, limit=1)
    row = OutboxMessage.objects.get(topic=REACTION_TOPIC, payload__key=first.number, payload__reaction=step,
                                    sent_at__isnull=True)
    relay_killed_at_mark(monkeypatch, row, relay)  # the step's work done, the worker dies before its commit
    assert not Licence.objects.filter(case_number=first.number).exists()
    assert list(LicenceSerial.objects.values_list("licence_type_id", "issuer_code", "last")) == (
        counter_before if step == "licences.issue_for_case" else
        list(LicenceSerial.objects.values_list("licence_type_id", "issuer_code", "last")))
    relay()  # restarted
    relay()
    licence = Licence.objects.get(case_number=first.number)  # exactly one
    counter = LicenceSerial.objects.get(licence_type=licence.licence_type, issuer_code=licence.issuer_code)
    assert int(licence.serial) == counter.last  # no number lost to the crash
    taken = sorted(int(s) for s in Licence.objects.filter(licence_type=licence.licence_type,
                                                          issuer_code=licence.issuer_code)
                   .values_list("serial", flat=True))
    assert taken == list(range(1, counter.last + 1))  # contiguous
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1
    assert BundleMemberCase.objects.filter(bundle_case=bc).count() == 6  # members started once


def test_a_case_revoked_before_the_worker_ran_gets_no_licence(submit_and_accept):
    from yiwang.cases.models import Case

    bc, first = _first_member(submit_and_accept)
    drive(first.number, now=at(DAY, 14), worker=False)
    Case.objects.filter(pk=first.pk).update(status="revoked")  # as a failed post-check would leave it
    relay()
    assert not Licence.objects.filter(case_number=first.number).exists()


def test_the_applicants_case_page_says_the_licence_is_being_issued_until_the_worker_ran(client):
    from yiwang.cases import services

    from .conftest import user
    from .test_wiring import _window_case

    case = _window_case("430321-QYSLDJ", XTKJ)
    services.case_accept(case=case.number, actor=user("clerk"),
                         paper=["公司登记（备案）申请书", "公司章程", "住所（经营场所）使用证明"], now=at())
    drive(case.number, now=at(), worker=False)
    client.force_login(user("xtkj"))
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    assert "证照生成中" in page
    relay()
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    assert "证照生成中" not in page and "已签发" in page
