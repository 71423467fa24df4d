"""Issue 17: approving 企业设立登记 inside 企业开办 starts five members that need its 营业执照; the
licence just issued is fed to them as it is — not looked up again per member, nor any of the
licences the applicant already holds verified."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.fig_datasharing import licences_bulk
from yiwang.licences import crypto

from .conftest import DAY, XTKJ, at, drive, party

pytestmark = pytest.mark.django_db


@pytest.fixture
def verify_calls(monkeypatch):
    calls = []
    original = crypto.verify

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(crypto, "verify", counting)
    return calls


def _approve_business_licence(submit_and_accept, verify_calls):
    from yiwang.bundlecases.models import BundleMemberCase

    bc = submit_and_accept("QYKB", XTKJ)
    first = BundleMemberCase.objects.get(bundle_case=bc).case
    verify_calls.clear()
    with CaptureQueriesContext(connection) as q:
        drive(first.number, now=at(DAY, 14))
    reads = [x["sql"] for x in q if x["sql"].startswith("SELECT") and 'FROM "licences_licence"' in x["sql"]]
    return bc, len(verify_calls), reads


@pytest.mark.parametrize("held", [0, 20])
def test_approving_the_business_licence_verifies_only_the_new_licence_however_many_are_held(
        submit_and_accept, verify_calls, held):
    from yiwang.organisations.models import Unit

    if held:
        licences_bulk(holder=party(XTKJ), issuer=Unit.objects.get(code="XTX-SCJG"), type_name="营业执照", n=held)
    bc, sm2, reads = _approve_business_licence(submit_and_accept, verify_calls)
    bc.refresh_from_db()
    assert bc.status == "running" and bc.member_cases.count() == 6  # every member decided, none delivered
    assert sm2 == 2  # the new licence's verification record: its signature and its "issued" event
    assert not [sql for sql in reads if '"licences_licence"."holder_number" =' in sql]  # no member searched the applicant's licences
    # Issuing, after the approval's commit: "has the case a licence?" once in each of its two steps
    # (the serial reserved, then the licence signed); the bundle is handed the licence as it is: none
    # per member started.
    # The documents module's decision notices each name their own case's licence (one indexed read by
    # case number, with its type): not a search of the holder's licences, so not counted here.
    reads = [sql for sql in reads if '"licences_licencetype"."defining_body"' not in sql]
    assert len(reads) == 2, "\n".join(reads)
