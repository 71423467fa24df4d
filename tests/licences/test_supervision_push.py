"""双推送 of licence changes: an issuer's 暂扣/恢复/撤销/注销 becomes a task of the supervising unit, after commit."""

import pytest
from django.contrib.auth import get_user_model

from yiwang.core.outbox import outbox_relay
from yiwang.licences.services import licence_reinstate, licence_revoke, licence_suspend
from yiwang.supervision.models import SupervisionTask

pytestmark = pytest.mark.django_db


def _relay():
    outbox_relay(send=lambda m: None, limit=1000)


def _tasks(licence):
    return list(SupervisionTask.objects.filter(kind="licence_change", party=licence.holder).order_by("change_seq"))


def test_each_change_by_the_issuer_is_pushed_once_to_the_supervising_unit(issue):
    approver = get_user_model().objects.get(username="approver")
    licence = issue()
    licence = licence_suspend(licence=licence, reason="现场检查发现问题", actor=approver)
    _relay()
    _relay()  # a second relay repeats nothing
    (suspended,) = _tasks(licence)
    assert suspended.unit == licence.issuer and suspended.approving_unit == licence.issuer
    assert suspended.item_name == "营业执照（暂扣）" and suspended.status == "pending"
    licence = licence_reinstate(licence=licence, reason="整改完毕", actor=approver)
    _relay()
    assert [t.item_name for t in _tasks(licence)] == ["营业执照（暂扣）", "营业执照（恢复）"]
    assert len({t.change_seq for t in _tasks(licence)}) == 2


def test_a_change_the_system_makes_is_not_pushed_as_a_licence_change(issue):
    licence = licence_revoke(licence=issue(), reason="事后核查不通过")  # the case engine's revocation: no actor
    _relay()
    assert _tasks(licence) == []
