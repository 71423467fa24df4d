"""Issue 17: what 无证明 costs at submission does not grow with the licences a holder has, the
verification record made at issue and at each status change is what data sharing trusts, and a
licence changed behind the record's back is verified again (and refused) — while the public
verification page still verifies with SM2 every time."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.fig_datasharing import bench_uscc, licences_bulk
from yiwang.licences import crypto, selectors
from yiwang.licences.datasharing import materials_satisfied
from yiwang.licences.models import Licence
from yiwang.licences.selectors import licence_valid_for, verification_recorded
from yiwang.licences.services import licence_payload_bytes, licence_revoke

pytestmark = pytest.mark.django_db

ITEM = "DWCBDJ"  # 单位参保登记: its one material is the 营业执照, from the licence library
# Not counted: savepoints and the calendar's version check (at most every 2 s), as in tests/bench.
OTHERS = ("SAVEPOINT", "workcalendar_calendarversion")


@pytest.fixture
def verify_calls(monkeypatch):
    """The SM2 verifications made, counted by wrapping licences.crypto.verify."""
    calls = []
    original = crypto.verify

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(crypto, "verify", counting)
    return calls


def _holder(first17: str, name: str):
    from yiwang.parties.services import party_get_or_create

    return party_get_or_create(kind="enterprise", number=bench_uscc(first17), name=name)


def _submit(holder):
    from yiwang.cases.services import case_submit
    from yiwang.catalogue.models import ItemImplementation

    impl = ItemImplementation.objects.filter(item__basic_code=ITEM, active=True).order_by("impl_code").first()
    clerk = get_user_model().objects.get(username="clerk")
    form = {f: "测试" for f in impl.item.form_fields}
    return case_submit(actor=clerk, item=impl.impl_code, applicant=holder, form=form, channel="window")


def _counted(fn, verify_calls):
    verify_calls.clear()
    with CaptureQueriesContext(connection) as q:
        result = fn()
    return result, len(verify_calls), [x["sql"] for x in q if not any(o in x["sql"] for o in OTHERS)]


def test_submission_verifies_at_most_one_signature_and_issues_the_same_statements_with_1_or_200_licences(
        scjg, verify_calls):
    one, many = _holder("91430321MA4BNT001", "一证企业"), _holder("91430321MA4BNT002", "二百证企业")
    licences_bulk(holder=one, issuer=scjg, type_name="营业执照", n=1)
    newest = licences_bulk(holder=many, issuer=scjg, type_name="营业执照", n=200)[-1]
    _submit(one)  # warms the per-process caches (catalogue, routes, staff roles)
    case_one, sm2_one, sql_one = _counted(lambda: _submit(one), verify_calls)
    case_many, sm2_many, sql_many = _counted(lambda: _submit(many), verify_calls)
    assert sm2_one <= 1 and sm2_many <= 1
    assert len(sql_many) == len(sql_one), "\n".join(sql_many)
    assert case_many.shared_materials["satisfied"] == [
        {"material": "营业执照", "how": "licence", "reference": newest.identifier}]
    assert case_one.shared_materials["visits_saved"] == case_many.shared_materials["visits_saved"] == 1


def test_issue_and_status_changes_record_a_verification_that_data_sharing_trusts(issue, xtkj, verify_calls):
    licence = issue()
    assert licence.verified_hash == licence.payload_hash == crypto.sm3_hex(licence_payload_bytes(licence))
    verify_calls.clear()
    assert licence_valid_for(xtkj, "营业执照").pk == licence.pk
    assert verify_calls == []  # trusted: the record holds and the signed data still hashes to it
    licence_revoke(licence=licence, reason="登记机关撤销")
    revoked = Licence.objects.select_related("seal", "licence_type").get(pk=licence.pk)
    assert verification_recorded(revoked)  # renewed for the new status
    assert licence_valid_for(xtkj, "营业执照") is None


def _tamper_content(licence, *, rehash: bool) -> None:
    """Rewrite the licence's content in the database; with rehash, its payload hash too, as an
    attacker who knows the format would."""
    licence.content = {**licence.content, "注册资本": "10000万元"}
    changes = {"content": licence.content}
    if rehash:
        changes["payload_hash"] = crypto.sm3_hex(licence_payload_bytes(licence))
    Licence.objects.filter(pk=licence.pk).update(**changes)


@pytest.mark.parametrize("rehash", [False, True])
def test_a_licence_changed_after_its_verification_is_verified_again_and_refused(issue, xtkj, monkeypatch,
                                                                               verify_calls, rehash):
    older = issue()
    tampered = issue()
    _tamper_content(tampered, rehash=rehash)
    verify_calls.clear()
    checked = []
    original = selectors.licence_check
    monkeypatch.setattr(selectors, "licence_check", lambda lic, **kw: checked.append(lic.pk) or original(lic, **kw))
    found = licence_valid_for(xtkj, "营业执照")
    assert checked == [tampered.pk]  # the content hash differs from the record's: verified again
    assert found.pk == older.pk  # refused; the next newest, unchanged, is taken on its record
    if rehash:
        assert len(verify_calls) == 1  # the hash now matches the data, so SM2 itself refuses it
    result = materials_satisfied(item=_item(), applicant=xtkj)
    assert [(s.material.name, s.reference) for s in result] == [("营业执照", older.identifier)]


def test_a_forged_record_is_not_trusted(issue, xtkj):
    licence = issue()
    _tamper_content(licence, rehash=True)
    forged = crypto.sm3_hex(licence_payload_bytes(licence))
    Licence.objects.filter(pk=licence.pk).update(verified_hash=forged)  # without the master key, no MAC
    assert licence_valid_for(xtkj, "营业执照") is None


def test_a_status_rewritten_in_the_database_is_not_trusted(issue, xtkj):
    licence = issue()
    licence_revoke(licence=licence, reason="登记机关撤销")
    Licence.objects.filter(pk=licence.pk).update(status="valid", status_reason="")
    assert licence_valid_for(xtkj, "营业执照") is None  # the record was for "revoked"; the history says so


def test_the_public_verify_page_and_api_verify_with_sm2_on_every_request(client, issue, verify_calls):
    licence = issue()
    for path in (f"/verify/{licence.identifier}", f"/api/v1/licences/{licence.identifier}/verify"):
        verify_calls.clear()
        assert client.get(path).status_code == 200
        assert len(verify_calls) == 2  # the licence's signature and its "issued" event, the record ignored
    _tamper_content(licence, rehash=True)
    assert client.get(f"/api/v1/licences/{licence.identifier}/verify").json()["valid"] is False


def _item():
    from yiwang.catalogue.models import ServiceItem

    return ServiceItem.objects.get(basic_code=ITEM)


def test_a_licence_without_a_record_is_verified_on_use_until_the_backfill_records_it(issue, xtkj, verify_calls,
                                                                                   capsys):
    from django.core.management import call_command

    licence, tampered = issue(), issue(content={"名称": "被改"})
    Licence.objects.filter(pk__in=[licence.pk, tampered.pk]).update(verified_hash="", verified_mac="")  # as migrated
    _tamper_content(tampered, rehash=True)
    verify_calls.clear()
    assert licence_valid_for(xtkj, "营业执照").pk == licence.pk
    assert len(verify_calls) == 3  # the tampered one refused by SM2, then the other's signature and event
    call_command("licences_verify_record")
    assert "已核验并记录 1 个证照；核验未通过 1 个" in capsys.readouterr().out
    verify_calls.clear()
    assert licence_valid_for(xtkj, "营业执照").pk == licence.pk
    assert len(verify_calls) == 1  # only the tampered one, which has no record to trust


def test_after_the_master_key_changes_records_no_longer_hold_until_rechecked(issue, xtkj, settings, capsys):
    from django.core.management import call_command

    licence = issue()
    settings.YIWANG_MASTER_KEY = "another master key, 32 characters or more"
    stale = Licence.objects.select_related("seal", "licence_type").get(pk=licence.pk)
    assert not verification_recorded(stale)
    assert licence_valid_for(xtkj, "营业执照").pk == licence.pk  # verified with SM2 instead
    call_command("licences_verify_record", "--all")
    assert "已核验并记录 1 个证照" in capsys.readouterr().out
    assert verification_recorded(Licence.objects.select_related("seal", "licence_type").get(pk=licence.pk))
