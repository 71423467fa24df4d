"""免申即享 on the engine: every step, its deadline in working days, timers that end the waiting
steps or mark them overdue, notices written once, refusals at the field, and the pages' actions
being exactly what apply accepts."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.conftest import accepted_in_rollback
from yiwang.core.errors import Conflict, DomainError, Forbidden
from yiwang.core.models import OutboxMessage
from yiwang.core.timers import timers_fire_due
from yiwang.core.workflow import apply, available_actions
from yiwang.core.workflow.deadlines import recompute_all
from yiwang.core.workflow.history import HistoryIsAppendOnly
from yiwang.policies import selectors, services
from yiwang.policies.demo import XTCY, XTKJ
from yiwang.policies.models import Grant, GrantEvent, Policy
from yiwang.policies.workflow import GRANT_WORKFLOW
from yiwang.workcalendar.services import calendar_day_set

pytestmark = pytest.mark.django_db
User = get_user_model()


def at(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))


def user(name):
    return User.objects.get(username=name)


def act(grant, action, who, now=None, **input):
    return apply(GRANT_WORKFLOW, subject=grant.number, action=action, actor=user(who) if who else None,
                 input=input, now=now)


@pytest.fixture
def listed():
    """The whole 稳岗返还 list matched by its unit; one grant of an enterprise without an account."""
    policy = Policy.objects.get(code="XTX-2026-WG01")
    services.policy_match(actor=user("xtx-rs"), policy=policy, today=date(2026, 9, 21))
    return Grant.objects.filter(policy=policy, status="listed").exclude(enterprise__number__in=[XTKJ, XTCY]).first()


def kj_grant():
    return Grant.objects.get(policy__code="XTX-2026-WG01", enterprise__number=XTKJ)


CONFIRM = {"bank": "中国工商银行湘潭县支行", "account": "1904012345678901234", "committed": True}


def test_matching_lists_every_qualifying_enterprise_once_with_a_review_deadline(listed):
    policy = listed.policy
    assert listed.deadline == date(2026, 9, 29)  # 5 working days from 2026-09-21 (中秋 on the 25th)
    again = services.policy_match(actor=user("xtx-rs"), policy=policy, today=date(2026, 9, 21))
    assert again["created"] == 0 and again["total"] == Grant.objects.filter(policy=policy).count()
    assert listed.events.get().action == "match"


def test_the_full_proactive_path_runs_from_review_to_published_result_in_working_days():
    g = kj_grant()
    assert g.status == "notified"  # the demo reviewed it
    g = act(g, "confirm", "xtkj", now=at(date(2026, 9, 25)), **CONFIRM)
    assert (g.status, g.bank, g.committed) == ("confirmed", CONFIRM["bank"], True)
    g = act(g, "start_notice", "xtx-rs", now=at(date(2026, 9, 28)))
    # 公示 5 working days from Monday 28 September: 29, 30 September, then 国庆, 8, 9 and Saturday 10 October (调休)
    assert (g.status, g.notice_from, g.deadline) == ("in_notice", date(2026, 9, 28), date(2026, 10, 10))
    timers_fire_due(now=at(date(2026, 10, 10), 18))
    g.refresh_from_db()
    assert g.status == "in_notice", "the notice runs to the end of its last working day"
    timers_fire_due(now=at(date(2026, 10, 11), 1))
    g.refresh_from_db()
    assert g.status == "payable"
    ended = g.events.get(action="end_notice")
    assert ended.actor is None and ended.at == timezone.make_aware(datetime(2026, 10, 11))
    g = act(g, "pay", "xtx-rs", now=at(date(2026, 10, 12)), amount="40000.00", paid_on="2026-10-12",
            voucher="XTCZ-2026-0815")
    assert (g.status, g.paid_amount, g.voucher) == ("paid", Decimal("40000.00"), "XTCZ-2026-0815")
    g = act(g, "publish_result", "xtx-rs", now=at(date(2026, 10, 13)))
    assert g.status == "published" and g.deadline is None
    stats = selectors.dashboard(Policy.objects.filter(code="XTX-2026-WG01"))
    assert (stats["issued"], stats["paid_count"], stats["paid_total"]) == (1, 1, Decimal("40000.00"))
    assert stats["avg_days"] == (date(2026, 10, 12) - date(2026, 6, 1)).days and stats["reached"] >= 2
    assert list(g.events.order_by("seq").values_list("action", flat=True)) == [
        "match", "approve", "confirm", "start_notice", "end_notice", "pay", "publish_result"]


def test_reviewing_notifies_the_enterprise_once_with_its_confirmation_deadline(listed):
    before = OutboxMessage.objects.filter(topic="policies.grant_notice", payload__grant=listed.number).count()
    g = act(listed, "approve", "xtx-rs", now=at(date(2026, 9, 22)))
    assert g.status == "notified" and g.deadline == date(2026, 10, 13)  # 10 working days, 国庆 not counted
    notices = OutboxMessage.objects.filter(topic="policies.grant_notice", payload__grant=listed.number)
    assert notices.count() == before + 1 and "2026年10月13日" in notices.last().payload["text"]
    with pytest.raises(Conflict):
        act(g, "approve", "xtx-rs")
    assert notices.count() == before + 1


def test_an_enterprise_that_does_not_confirm_in_time_lapses_by_timer(listed):
    g = act(listed, "approve", "xtx-rs", now=at(date(2026, 9, 22)))
    timers_fire_due(now=at(date(2026, 10, 14), 0) + timedelta(minutes=1))
    g.refresh_from_db()
    assert g.status == "lapsed" and g.events.last().actor_kind == "system"


def test_the_unit_that_does_not_review_in_time_is_marked_overdue_and_a_supervisor_may_urge(listed):
    with pytest.raises(DomainError) as caught:
        act(listed, "urge", "supervisor", reason="请加快审核")
    assert caught.value.code == "not_overdue"
    timers_fire_due(now=at(date(2026, 9, 30), 0) + timedelta(minutes=1))
    listed.refresh_from_db()
    assert listed.overdue and listed.status == "listed"
    g = act(listed, "urge", "supervisor", reason="请加快审核")
    assert g.urged == 1 and OutboxMessage.objects.filter(topic="policies.grant_urged",
                                                         payload__grant=g.number).count() == 1
    g = act(g, "approve", "xtx-rs")
    assert not g.overdue


def test_declining_and_objections_are_recorded_with_their_reasons():
    cy = Grant.objects.get(policy__code="XTX-2026-WG01", enterprise__number=XTCY)
    g = act(cy, "decline", "xtcy", reason="本年度已享受同类补贴")
    assert (g.status, g.decline_reason) == ("declined", "本年度已享受同类补贴")
    kj = act(kj_grant(), "confirm", "xtkj", **CONFIRM)
    kj = act(kj, "start_notice", "xtx-rs")
    kj = act(kj, "object", "zhang", reason="该企业参保人数与实际不符")
    assert (kj.status, kj.objection) == ("disputed", "该企业参保人数与实际不符")
    kj = act(kj, "dismiss_objection", "xtx-rs", reason="经核实参保数据无误")
    assert kj.status == "in_notice" and kj.events.last().reason == "经核实参保数据无误"


@pytest.mark.parametrize(("who", "action", "input", "error", "field"), [
    ("xtkj", "confirm", {**CONFIRM, "committed": False}, "commitment_required", "committed"),
    ("xtkj", "confirm", {**CONFIRM, "account": "62-22"}, "invalid", "account"),
    ("xtkj", "confirm", {**CONFIRM, "bank": ""}, "invalid", "bank"),
    ("xtkj", "decline", {"reason": " "}, "invalid", "reason"),
    ("xtcy", "confirm", CONFIRM, "forbidden", "action"),
    ("xtx-rs", "confirm", CONFIRM, "forbidden", "action"),
    ("xtx-kgj", "exclude", {"reason": "x"}, "forbidden", "action"),
    ("xtkj", "pay", {}, "bad_state", "action"),
])
def test_a_refused_action_says_why_at_its_field_and_changes_nothing(who, action, input, error, field):
    g = kj_grant()
    with pytest.raises(DomainError) as caught:
        act(g, action, who, **input)
    assert (caught.value.code, caught.value.field) == (error, field)
    assert Grant.objects.get(pk=g.pk).version == g.version


def test_payment_cannot_exceed_the_listed_amount_nor_be_dated_in_the_future():
    g = act(kj_grant(), "confirm", "xtkj", **CONFIRM)
    g = act(g, "start_notice", "xtx-rs")
    g = act(g, "end_notice", None)
    with pytest.raises(DomainError) as caught:
        act(g, "pay", "xtx-rs", amount="40000.01", paid_on=str(timezone.localdate()), voucher="V1")
    assert caught.value.field == "amount" and "40000.00" in caught.value.message
    with pytest.raises(DomainError) as caught:
        act(g, "pay", "xtx-rs", amount="100", paid_on=str(timezone.localdate() + timedelta(days=1)), voucher="V1")
    assert caught.value.field == "paid_on"


def test_two_reviewers_at_once_one_wins_the_other_is_told(listed):
    first = Grant.objects.get(pk=listed.pk)
    apply(GRANT_WORKFLOW, subject=first, action="approve", actor=user("xtx-rs"), version=first.version)
    with pytest.raises(Conflict) as caught:
        apply(GRANT_WORKFLOW, subject=listed.number, action="exclude", actor=user("xtx-rs"),
              input={"reason": "重复"}, version=listed.version)
    assert "已被他人处理" in caught.value.message


def test_a_calendar_change_moves_a_waiting_deadline_and_says_why(listed):
    g = act(listed, "approve", "xtx-rs", now=at(date(2026, 9, 22)))
    assert g.deadline == date(2026, 10, 13)
    calendar_day_set(day=date(2026, 10, 12), kind="holiday", name="测试调整")
    moved = recompute_all(since=date(2026, 10, 12))
    g.refresh_from_db()
    assert moved["policies.grants"] >= 1 and g.deadline == date(2026, 10, 14)
    assert g.events.last().action == "calendar_moved" and "工作日历" in g.events.last().reason


SAMPLE_INPUT = {
    "exclude": {"reason": "不符合"}, "confirm": CONFIRM, "decline": {"reason": "不需要"},
    "object": {"reason": "有异议"}, "dismiss_objection": {"reason": "不成立"}, "uphold_objection": {"reason": "成立"},
    "pay": {"amount": "100.00", "paid_on": "2026-01-05", "voucher": "V"}, "urge": {"reason": "请加快"},
}


def _accepted(grant, action, who) -> bool:
    return accepted_in_rollback(lambda: apply(GRANT_WORKFLOW, subject=grant.number, action=action, actor=user(who),
                                              input=SAMPLE_INPUT.get(action, {})))


STEPS = [None, ("confirm", "xtkj", CONFIRM), ("start_notice", "xtx-rs", {}), ("object", "zhang", {"reason": "异议"}),
         ("dismiss_objection", "xtx-rs", {"reason": "不成立"}), ("end_notice", None, {}),
         ("pay", "xtx-rs", SAMPLE_INPUT["pay"]), ("publish_result", "xtx-rs", {})]


@pytest.mark.parametrize("who", ["xtkj", "xtcy", "xtx-rs", "xtx-kgj", "supervisor", "zhang"])
def test_available_actions_are_exactly_what_apply_accepts_in_every_state(who):
    g = kj_grant()
    for step in STEPS:
        if step:
            g = act(g, step[0], step[1], **step[2])
        offered = {a.name for a in available_actions(GRANT_WORKFLOW, subject=g, actor=user(who))}
        accepted = {a for a, spec in GRANT_WORKFLOW.actions.items() if not spec.system_only and _accepted(g, a, who)}
        assert offered == accepted, (g.status, who)


def test_grant_history_cannot_be_edited():
    event = GrantEvent.objects.filter(grant=kj_grant()).first()
    with pytest.raises(HistoryIsAppendOnly):
        event.save()
    with pytest.raises(HistoryIsAppendOnly):
        GrantEvent.objects.filter(pk=event.pk).delete()


def test_only_the_issuing_unit_may_match_its_policy():
    with pytest.raises(Forbidden):
        services.policy_match(actor=user("xtx-kgj"), policy=Policy.objects.get(code="XTX-2026-WG01"))
