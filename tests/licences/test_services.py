from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from yiwang.core.errors import Conflict, DomainError, NotFound
from yiwang.core.models import OutboxMessage
from yiwang.core.workflow import REACTION_TOPIC
from yiwang.licences import crypto
from yiwang.licences.identifiers import identifier_is_valid, identifier_parse
from yiwang.licences.models import Licence, LicenceEvent, LicenceStatus, Seal
from yiwang.licences.selectors import licence_verify, licences_valid_for
from yiwang.licences.services import (
    SIGN_REACTION,
    licence_cancel,
    licence_issue_for_case,
    licence_reinstate,
    licence_revoke,
    licence_revoke_for_case,
    licence_serial_reserve_for_case,
    licence_suspend,
    licences_expire,
    seal_create,
    seal_for_unit,
    seal_rotate,
)
from yiwang.licences.workflow import LICENCE

pytestmark = pytest.mark.django_db


# --- the workflow table, edge by edge -----------------------------------------------------------

STATUSES = [s.value for s in LicenceStatus]
ACTIONS = ["suspend", "reinstate", "revoke", "cancel", "expire"]
EXPECTED = {
    ("valid", "suspend"): "suspended", ("suspended", "reinstate"): "valid",
    ("valid", "revoke"): "revoked", ("suspended", "revoke"): "revoked",
    ("valid", "cancel"): "cancelled", ("suspended", "cancel"): "cancelled",
    ("valid", "expire"): "expired", ("suspended", "expire"): "expired",
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
def test_status_transition_table(status, action):
    assert LICENCE.actions[action].edges.get(status) == EXPECTED.get((status, action))
    assert sum(len(a.edges) for a in LICENCE.actions.values()) == len(EXPECTED)


# --- issuing -------------------------------------------------------------------------------------

def test_issue_creates_the_units_seal_on_first_use_and_signs(issue, scjg, xtkj):
    assert not Seal.objects.filter(unit=scjg).exists()
    licence = issue()
    seal = Seal.objects.get(unit=scjg)
    assert seal.name == "湘潭县市场监督管理局行政审批专用章"
    assert licence.seal == seal
    assert identifier_is_valid(licence.identifier)
    parts = identifier_parse(licence.identifier)
    assert parts.issuer_code == scjg.uscc and parts.version == "001"
    assert parts.type_code == licence.licence_type.code and len(parts.type_code) == 21
    assert (licence.holder_name, licence.holder_number) == (xtkj.name, xtkj.number)
    assert licence.valid_to is None  # 营业执照: long-term
    assert licence.status == LicenceStatus.VALID
    assert licence.events.get().action == "issued"
    assert OutboxMessage.objects.filter(topic="licence.issued", payload__identifier=licence.identifier).exists()
    assert licence_verify(licence.identifier)["valid"] is True


def test_serials_count_per_type_and_issuer(issue):
    a, b = issue(), issue()
    c = issue(licence_type_name="食品经营许可证")
    assert int(b.serial) == int(a.serial) + 1
    assert c.serial == "00000001"


def test_types_with_validity_get_an_end_date(issue):
    licence = issue(licence_type_name="食品经营许可证", valid_from=date(2026, 3, 1))
    assert licence.valid_to == date(2031, 2, 28)


def test_the_private_key_is_stored_encrypted(issue, scjg):
    issue()
    seal = Seal.objects.get(unit=scjg, retired_at__isnull=True)
    assert seal.private_key_encrypted.startswith(crypto.KEY_FORMAT + ":")
    key = crypto.private_key_decrypt(seal.private_key_encrypted, public_key_hex=seal.public_key)
    assert key.hex() not in seal.private_key_encrypted


@pytest.mark.parametrize("kwargs, field", [
    ({"licence_type_name": "不存在的证照"}, "licence_type_name"),
    ({"content": ["not", "a", "dict"]}, "content"),
    ({"valid_from": date(2026, 5, 1), "valid_to": date(2026, 4, 1)}, "valid_to"),
    ({"holder": None}, "holder"),
])
def test_bad_input_is_refused_with_the_field(issue, kwargs, field):
    with pytest.raises(DomainError) as err:
        issue(**kwargs)
    assert err.value.field == field
    assert not Licence.objects.exists()


def test_an_issuer_without_a_valid_uscc_cannot_issue(issue, scjg):
    scjg.uscc = ""
    with pytest.raises(DomainError) as err:
        issue(issuer=scjg)
    assert err.value.field == "issuer"


def test_unknown_type_is_not_found(issue):
    with pytest.raises(NotFound):
        issue(licence_type_name="驾驶证")


# --- verification --------------------------------------------------------------------------------

def test_tampered_content_is_not_valid(issue):
    licence = issue()
    Licence.objects.filter(pk=licence.pk).update(content={**licence.content, "注册资本": "1000万元"})
    result = licence_verify(licence.identifier)
    assert result["valid"] is False and "篡改" in result["reason"]


@pytest.mark.parametrize("field, value", [
    ("holder_name", "别的公司"), ("valid_to", date(2099, 1, 1)), ("issue_date", date(2020, 1, 1)),
    ("in_name_of_name", "另一单位"),
])
def test_any_changed_signed_field_is_not_valid(issue, field, value):
    licence = issue()
    Licence.objects.filter(pk=licence.pk).update(**{field: value})
    assert licence_verify(licence.identifier)["valid"] is False


def test_tampered_status_is_detected(issue):
    licence = issue()
    licence_revoke(licence=licence, reason="虚假承诺")
    Licence.objects.filter(pk=licence.pk).update(status="valid", status_reason="")
    result = licence_verify(licence.identifier)
    assert result["valid"] is False
    assert "状态记录" in result["reason"]


def test_an_edited_event_breaks_the_history(issue):
    licence = issue()
    licence_suspend(licence=licence, reason="整改中")
    # history rows cannot be edited through the ORM (append-only); someone editing the table directly
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {LicenceEvent._meta.db_table} SET reason = %s WHERE licence_id = %s AND seq = 2",
                    ["别的原因", licence.pk])
    Licence.objects.filter(pk=licence.pk).update(status_reason="别的原因")
    assert "状态记录" in licence_verify(licence.identifier)["reason"]


def test_revoked_licence_is_not_valid_with_the_reason(issue):
    licence = issue()
    licence_revoke(licence=licence, reason="告知承诺核查不实")
    result = licence_verify(licence.identifier)
    assert result == {**result, "valid": False, "reason": "证照已撤销：告知承诺核查不实"}
    assert result["licence"]["status"] == "revoked"
    assert OutboxMessage.objects.filter(topic="licence.revoked").exists()


def test_suspend_then_reinstate(issue):
    licence = issue()
    licence_suspend(licence=licence, reason="暂扣整改")
    assert licence_verify(licence.identifier)["reason"] == "证照已暂扣：暂扣整改"
    licence_reinstate(licence=licence)
    assert licence_verify(licence.identifier)["valid"] is True
    assert [e.action for e in licence.events.order_by("seq")] == ["issued", "suspend", "reinstate"]


def test_cancelled_cannot_be_revoked(issue):
    licence = issue()
    licence_cancel(licence=licence, reason="企业注销")
    with pytest.raises(Conflict):
        licence_revoke(licence=licence, reason="x")
    assert licence_verify(licence.identifier)["reason"] == "证照已注销：企业注销"


def test_a_status_change_needs_a_reason(issue):
    licence = issue()
    with pytest.raises(DomainError) as err:
        licence_revoke(licence=licence, reason="  ")
    assert err.value.field == "reason"


def test_past_validity_is_not_valid_before_and_after_the_expiry_run(issue):
    today = timezone.localdate()
    licence = issue(licence_type_name="食品经营许可证", valid_from=today - timedelta(days=400),
                    valid_to=today - timedelta(days=1))
    assert "已过有效期" in licence_verify(licence.identifier)["reason"]
    assert licences_expire() == 1
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.EXPIRED
    assert licence_verify(licence.identifier)["reason"].startswith("证照已失效：有效期至")
    assert licences_expire() == 0


def test_the_expire_command_marks_expired_licences(issue, capsys):
    today = timezone.localdate()
    issue(valid_from=today - timedelta(days=10), valid_to=today - timedelta(days=2))
    issue()
    call_command("licences_expire")
    assert "1" in capsys.readouterr().out
    assert Licence.objects.filter(status="expired").count() == 1


def test_not_yet_valid(issue):
    licence = issue(valid_from=timezone.localdate() + timedelta(days=3))
    assert "尚未生效" in licence_verify(licence.identifier)["reason"]


@pytest.mark.parametrize("identifier, reason", [
    ("nonsense", "证照标识格式不正确"),
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F", "未找到该证照"),
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.G", "证照标识校验位错误"),
])
def test_unknown_identifiers(identifier, reason):
    assert licence_verify(identifier) == {"valid": False, "reason": reason, "licence": None}


# --- seals ---------------------------------------------------------------------------------------

def test_rotation_keeps_old_licences_verifiable(issue, scjg):
    old = issue()
    old_seal = old.seal
    new_seal = seal_rotate(unit=scjg)
    old_seal.refresh_from_db()
    assert old_seal.retired_at is not None and new_seal.retired_at is None
    new = issue()
    assert new.seal == new_seal
    assert licence_verify(old.identifier)["valid"] is True
    assert licence_verify(new.identifier)["valid"] is True
    # revoking the old licence after rotation is signed by the new seal; history still verifies
    licence_revoke(licence=old, reason="撤销")
    assert licence_verify(old.identifier)["reason"] == "证照已撤销：撤销"


def test_one_active_seal_per_unit(scjg):
    seal_for_unit(scjg)
    with pytest.raises(Conflict):
        seal_create(unit=scjg)
    assert Seal.objects.filter(unit=scjg, retired_at__isnull=True).count() == 1


def test_seal_commands(scjg, capsys):
    call_command("seal_create", "XTX-SCJG")
    first = Seal.objects.get(unit=scjg)
    call_command("seal_rotate", "XTX-SCJG")
    assert "已启用新印章" in capsys.readouterr().out
    first.refresh_from_db()
    assert first.retired_at is not None
    assert Seal.objects.filter(unit=scjg, retired_at__isnull=True).count() == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seal_create", "XTX-SCJG")
    with pytest.raises(CommandError):
        call_command("seal_rotate", "NO-SUCH-UNIT")


# --- the case engine's integration ---------------------------------------------------------------

def _case(number="430321-QYSLDJ-20260301-0001", **overrides):
    from yiwang.catalogue.models import ItemImplementation
    from yiwang.parties.models import Party

    impl = ItemImplementation.objects.select_related("item", "department").get(impl_code="430321-QYSLDJ")
    case = SimpleNamespace(
        number=number, implementation=impl, applicant=Party.objects.get(number="91430321MA4L16JQ95"),
        deciding_unit=impl.department, in_name_of=None,
        form={"企业名称": "湘潭示范科技有限公司", "注册资本": "100万元", "经营范围": "软件开发", "无关": "x"},
    )
    for k, v in overrides.items():
        setattr(case, k, v)
    return case


def test_licence_issue_for_case_reads_the_case_and_is_idempotent():
    case = _case()
    licence = licence_issue_for_case(case)
    assert licence.licence_type.name == "营业执照"
    assert licence.case_number == case.number
    assert licence.content["注册资本"] == "100万元" and "无关" not in licence.content
    assert licence.content["关联事项"] == "企业设立登记"
    assert licence.issuer == case.deciding_unit == licence.in_name_of
    assert licence_issue_for_case(case) == licence
    assert Licence.objects.filter(case_number=case.number).count() == 1


def test_licence_issue_for_case_without_result_licence_is_none():
    from yiwang.catalogue.models import ItemImplementation

    impl = ItemImplementation.objects.select_related("item").get(impl_code="430321-GZKZBA")
    assert licence_issue_for_case(_case(implementation=impl)) is None
    assert licence_issue_for_case(SimpleNamespace()) is None


def test_licence_issue_for_case_defaults_to_the_departments_unit():
    case = _case(deciding_unit=None, form=None)
    del case.in_name_of
    licence = licence_issue_for_case(case)
    assert licence.issuer == case.implementation.department


def test_revoke_for_case_revokes_its_licences():
    case = _case()
    licence = licence_issue_for_case(case)
    revoked = licence_revoke_for_case(case, "告知承诺核查不实")
    assert [r.pk for r in revoked] == [licence.pk]
    assert licence_verify(licence.identifier)["reason"] == "证照已撤销：告知承诺核查不实"
    assert licence_revoke_for_case(case, "again") == []


def test_licences_valid_for_finds_only_valid_ones(issue, xtkj):
    a = issue()
    b = issue()
    licence_revoke(licence=b, reason="撤销")
    assert [lic.pk for lic in licences_valid_for(xtkj, "营业执照")] == [a.pk]
    assert licences_valid_for(xtkj, "食品经营许可证") == []
    Licence.objects.filter(pk=a.pk).update(holder_name="篡改")
    assert licences_valid_for(xtkj.number, "营业执照") == []


def test_reactions_issue_on_approval_and_revoke_on_failed_post_check():
    from types import SimpleNamespace

    from yiwang.cases.workflow import WORKFLOW
    from yiwang.core.workflow.reactions import run

    declared = {r.name: r for r in WORKFLOW.reactions}
    assert "deny" not in declared["licences.issue_for_case"].actions  # a denial issues nothing
    assert declared["licences.issue_for_case"].after_commit  # issued and signed by the worker
    assert not declared["licences.revoke_for_case"].after_commit
    assert declared["licences.revoke_for_case"].actions == {"post_check_fail"}
    case = _case(number="430321-QYSLDJ-20260301-0099")
    # Step one reserves the serial and queues step two with it; step two issues under that serial.
    serial = licence_serial_reserve_for_case(case)
    step_two = OutboxMessage.objects.filter(topic=REACTION_TOPIC, sent_at__isnull=True).order_by("-id").first()
    assert step_two.payload["reaction"] == SIGN_REACTION and step_two.payload["serial"] == serial
    licence = licence_issue_for_case(case, reserved=(step_two.payload["issuer_code"], serial))
    assert licence.case_number == case.number and licence.serial == serial
    assert licence_serial_reserve_for_case(case) is None  # issued: nothing more to reserve
    run("licences.revoke_for_case", ctx=SimpleNamespace(subject=case), event=SimpleNamespace(reason=""))
    assert licence_verify(licence.identifier)["reason"] == "证照已撤销：告知承诺事后核查未通过"
