"""The licence workflow on the engine: what is offered is what is accepted, history is append-only,
the chain is made in prepare_event, and licences issued before the migration still verify."""

from datetime import UTC, date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import ProtectedError
from django.utils import timezone

from tests.conftest import accepted_in_rollback, assert_history_append_only
from yiwang.core.errors import DomainError, Forbidden
from yiwang.core.workflow import apply, available_actions
from yiwang.licences.models import Licence, LicenceStatus
from yiwang.licences.selectors import history_ok, licence_verify
from yiwang.licences.workflow import LICENCE

User = get_user_model()
ROLES = ["approver", "head", "clerk", "supervisor", "operator", "zhang", "xtx-ga", None]
INPUT = {"reason": "依法处理"}



def _user(name):
    return User.objects.get(username=name) if name else None


def _accepted(licence, actor) -> set[str]:
    """The actions apply accepts now, each tried in a transaction that is rolled back."""
    ok = set()
    for name in LICENCE.actions:
        if accepted_in_rollback(lambda name=name: apply(
                LICENCE, subject=Licence.objects.get(pk=licence.pk), action=name, actor=actor, input=INPUT)):
            ok.add(name)
    return ok


def _in_status(issue, status, **kw):
    licence = issue(**kw)
    Licence.objects.filter(pk=licence.pk).update(status=status)  # the state under test, not how it got there
    return Licence.objects.get(pk=licence.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [s.value for s in LicenceStatus])
@pytest.mark.parametrize("expired", [False, True])
def test_available_actions_are_what_apply_accepts_for_every_role(issue, status, expired):
    today = timezone.localdate()
    kw = {"valid_from": today - timedelta(days=30), "valid_to": today - timedelta(days=1)} if expired else {}
    licence = _in_status(issue, status, **kw)
    for role in ROLES:
        actor = _user(role)
        offered = {a.name for a in available_actions(LICENCE, subject=licence, actor=actor, include_system=True)}
        assert offered == _accepted(licence, actor), (status, role)


@pytest.mark.django_db
def test_only_the_issuing_units_approvers_act_in_person(issue):
    licence = issue()
    with pytest.raises(Forbidden):
        apply(LICENCE, subject=licence, action="suspend", actor=_user("xtx-ga"), input=INPUT)
    apply(LICENCE, subject=licence, action="suspend", actor=_user("approver"), input=INPUT)
    event = licence.events.order_by("-seq").first()
    assert (event.action, event.actor_kind, event.actor_name) == ("suspend", "issuer", "approver")
    assert licence_verify(licence.identifier)["reason"] == "证照已暂扣：依法处理"


@pytest.mark.django_db
def test_a_reason_is_asked_for_in_plain_chinese(issue):
    with pytest.raises(DomainError) as err:
        apply(LICENCE, subject=issue(), action="revoke", actor=None, input={"reason": " "})
    assert (err.value.field, err.value.message) == ("reason", "撤销证照须说明原因")


@pytest.mark.django_db
def test_irreversible_actions_ask_for_confirmation():
    assert {n for n, a in LICENCE.actions.items() if a.confirm} == {"revoke", "cancel"}
    assert all(a.label and a.basis for a in LICENCE.actions.values())


@pytest.mark.django_db
def test_each_event_is_chained_and_signed_in_prepare_event_with_seq_the_lock_version(issue):
    licence = issue()
    apply(LICENCE, subject=licence, action="suspend", actor=None, input=INPUT)
    apply(LICENCE, subject=licence, action="reinstate", actor=None, input={})
    licence.refresh_from_db()
    events = list(licence.events.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3] and licence.lock_version == 3
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert events[0].prev_hash == licence.payload_hash
    assert [e.actor_kind for e in events] == ["system"] * 3 and events[2].reason == "恢复有效"
    assert history_ok(licence)


@pytest.mark.django_db
def test_history_rows_cannot_be_updated_or_deleted(issue):
    licence = issue()
    assert_history_append_only(licence.events.get())
    with pytest.raises(ProtectedError):
        Licence.objects.filter(pk=licence.pk).delete()


@pytest.mark.django_db
def test_expiry_is_the_systems_and_only_after_the_validity_ended(issue):
    licence = issue(valid_from=date(2026, 1, 1), valid_to=date(2099, 1, 1))
    with pytest.raises(DomainError) as err:
        apply(LICENCE, subject=licence, action="expire", actor=None)
    assert err.value.code == "not_expired"
    with pytest.raises(Forbidden):
        apply(LICENCE, subject=licence, action="expire", actor=_user("approver"))


# --- the migration keeps existing chains valid ----------------------------------------------------

def _old_suspend(apps, licence_pk: int) -> None:
    """A status change written the way the code before the engine wrote it (kind, its payload)."""
    from yiwang.licences import crypto

    OldLicence = apps.get_model("licences", "Licence")
    OldEvent = apps.get_model("licences", "LicenceEvent")
    lic = OldLicence.objects.get(pk=licence_pk)
    last = OldEvent.objects.filter(licence=lic).order_by("-seq").first()
    seal = lic.seal
    at = timezone.now()
    payload = {"identifier": lic.identifier, "seq": last.seq + 1, "kind": "suspend", "from": "valid",
               "to": "suspended", "reason": "旧版暂扣", "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
               "prev_hash": last.hash}
    message = crypto.canonical_json(payload)
    key = crypto.private_key_decrypt(seal.private_key_encrypted, public_key_hex=seal.public_key)
    OldEvent.objects.create(licence=lic, seq=last.seq + 1, kind="suspend", from_status="valid", to_status="suspended",
                            reason="旧版暂扣", actor=None, actor_name="系统", at=at, prev_hash=last.hash,
                            hash=crypto.sm3_hex(message), seal=seal,
                            signature=crypto.sign(key, seal.public_key, message))
    OldLicence.objects.filter(pk=lic.pk).update(status="suspended", status_reason="旧版暂扣")


def test_licences_issued_before_the_engine_still_verify_after_the_migration(demo_tx, issue):
    from django.db.migrations.executor import MigrationExecutor

    licence = issue()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("licences", "0003_licence_holder_type_newest")])
        executor.loader.build_graph()
        _old_suspend(executor.loader.project_state([("licences", "0003_licence_holder_type_newest")]).apps, licence.pk)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # every app: the ones depending on licences were unapplied too
    licence = Licence.objects.get(pk=licence.pk)
    assert licence.lock_version == 2
    events = list(licence.events.order_by("seq"))
    assert [(e.action, e.actor_kind, e.on) for e in events][1] == ("suspend", "system", timezone.localdate(events[1].at))
    assert licence_verify(licence.identifier)["reason"] == "证照已暂扣：旧版暂扣"
    apply(LICENCE, subject=licence, action="reinstate", actor=None, input={})
    assert licence_verify(licence.identifier)["valid"] is True
    assert [e.seq for e in licence.events.order_by("seq")] == [1, 2, 3]
