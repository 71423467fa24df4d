"""Two actors at once: serials stay unique, a status change is applied once, the other gets 409."""


import pytest
from django.db import connection

from yiwang.core.errors import Conflict
from yiwang.licences.models import Licence, LicenceEvent


@pytest.fixture(autouse=True)
def _real_locking_database(django_db_setup):

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("SQLite's shared in-memory test database fails with 'table is locked' instead of waiting; "
                    "these run on PostgreSQL (and a file SQLite database waits on its busy timeout)")


@pytest.fixture
def run_together(run_threads):
    """The shared run_threads, split into what the threads returned and what they raised."""

    def run(fn, n):
        outcome = run_threads(fn, n)
        return [v for k, v in outcome if k == "ok"], [v for k, v in outcome if k == "error"]

    return run


def test_concurrent_issues_get_distinct_serials(demo_tx, run_together):
    from yiwang.licences.services import licence_issue, seal_for_unit
    from yiwang.organisations.models import Unit
    from yiwang.parties.models import Party

    unit = Unit.objects.get(code="XTX-SCJG")
    holder = Party.objects.get(number="91430321MA4L16JQ95")
    seal_for_unit(unit)

    def issue(i):
        return licence_issue(licence_type_name="营业执照", holder=holder, issuer=unit, content={"n": str(i)}).serial

    results, errors = run_together(issue, 4)
    assert errors == []
    assert sorted(results) == ["00000001", "00000002", "00000003", "00000004"]
    assert Licence.objects.count() == 4


def test_concurrent_revocations_apply_once(demo_tx, run_together):
    from yiwang.licences.selectors import licence_verify
    from yiwang.licences.services import licence_issue, licence_revoke
    from yiwang.organisations.models import Unit
    from yiwang.parties.models import Party

    licence = licence_issue(licence_type_name="营业执照", holder=Party.objects.get(number="91430321MA4L16JQ95"),
                            issuer=Unit.objects.get(code="XTX-SCJG"), content={})

    def revoke(i):
        return licence_revoke(licence=Licence.objects.get(pk=licence.pk), reason=f"撤销{i}")

    results, errors = run_together(revoke, 2)
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], Conflict), errors
    assert LicenceEvent.objects.filter(licence=licence, action="revoke").count() == 1
    assert licence_verify(licence.identifier)["valid"] is False
    assert licence_verify(licence.identifier)["reason"] == f"证照已撤销：{results[0].status_reason}"


@pytest.mark.parametrize("n", [3])
def test_concurrent_first_issues_make_one_seal(demo_tx, n, run_together):
    from yiwang.licences.models import Seal
    from yiwang.licences.services import licence_issue
    from yiwang.organisations.models import Unit
    from yiwang.parties.models import Party

    unit = Unit.objects.get(code="XTX-GA")
    holder = Party.objects.get(number="91430321MA4L16JQ95")

    def issue(i):
        return licence_issue(licence_type_name="营业执照", holder=holder, issuer=unit, content={}).seal_id

    results, errors = run_together(issue, n)
    assert errors == []
    assert Seal.objects.filter(unit=unit).count() == 1
    assert len(set(results)) == 1
