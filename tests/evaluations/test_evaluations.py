from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from yiwang.core.errors import Conflict, Forbidden
from yiwang.core.models import Timer
from yiwang.core.timers import timers_fire_due
from yiwang.evaluations import rules, selectors, services
from yiwang.evaluations.models import EvalStatus, EvaluationPolicy, Rectification, RectStatus
from yiwang.evaluations.workflow import RECTIFICATION
from yiwang.organisations.models import Unit, Window
from yiwang.parties.models import Party
from yiwang.workcalendar.index import add_working_days

pytestmark = pytest.mark.django_db
BAD = {"text": "办理时间太长了", "problem_type": "slow"}  # what a bad review must say
TZ = rules.TZ
User = get_user_model()


def at(*args):
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def scjg():
    return Unit.objects.get(code="XTX-SCJG")


@pytest.fixture
def approver():
    return User.objects.get(username="approver")


def invite(unit, ref="CASE-1", now=None, **kw):
    return services.evaluation_invite(subject_kind="case", subject_ref=ref, unit=unit, now=now or at(2025, 6, 2, 10),
                                      **kw)


@pytest.mark.parametrize("level,bad", [(1, False), (2, False), (3, False), (4, True), (5, True)])
def test_levels_four_and_five_are_bad_reviews(level, bad):
    assert rules.is_bad(level) is bad
    assert rules.stars(level) == 6 - level


@pytest.mark.parametrize("level", [0, 6, -1])
def test_level_outside_gbt_codes_is_refused(level):
    with pytest.raises(ValueError):
        rules.is_bad(level)


@pytest.mark.parametrize(
    "start,days,expected",
    [
        # (start, working days, last day) — holidays and 调休 from the official calendar
        (at(2025, 6, 2, 10), 1, "2025-06-03"),
        (at(2025, 6, 6, 18), 1, "2025-06-09"),           # Friday → Monday
        (at(2025, 9, 30, 9), 1, "2025-10-09"),           # National Day 10-01..10-08
        (at(2025, 9, 30, 9), 5, "2025-10-14"),           # 10-11 (Saturday) is a 调休 working day
        (at(2025, 9, 26, 9), 15, "2025-10-23"),            # 09-28 (Sunday) worked
        (at(2025, 1, 27, 9), 1, "2025-02-05"),           # Spring Festival 01-28..02-04 (01-26 worked)
        (at(2025, 4, 30, 20), 5, "2025-05-12"),          # Labour Day 05-01..05-05
    ],
)
def test_rectification_deadlines_count_working_days(start, days, expected):
    d = rules.working_deadline(start, days, add_working_days)
    assert d.at.date().isoformat() == expected and d.at.hour == 23
    assert not d.provisional


def test_default_after_natural_days():
    assert rules.default_due(at(2025, 9, 30, 9), 7) == at(2025, 10, 7, 9)


def test_invite_is_idempotent_while_open_and_schedules_default(scjg):
    ev = invite(scjg)
    assert invite(scjg).pk == ev.pk
    assert ev.default_due_at == at(2025, 6, 9, 10)
    assert Timer.objects.filter(kind="evaluation.default", key=str(ev.pk), due_at=ev.default_due_at).exists()


def test_one_rating_per_subject_per_round(scjg):
    ev = invite(scjg)
    services.evaluation_rate(evaluation=ev, level=1, channel="qr")
    with pytest.raises(Conflict):
        services.evaluation_rate(evaluation=ev, level=2, channel="web")


def test_staff_cannot_rate_their_own_work(scjg, approver):
    ev = invite(scjg, staff=approver)
    with pytest.raises(Forbidden):
        services.evaluation_rate(evaluation=ev, level=1, channel="web", rater_user=approver)
    ev.refresh_from_db()
    assert ev.status == EvalStatus.INVITED


def test_no_rating_defaults_to_basic_when_timer_fires(scjg):
    ev = invite(scjg, now=at(2025, 6, 2, 10))
    timers_fire_due(now=at(2025, 6, 9, 9))
    assert evaluation_status(ev) == EvalStatus.INVITED
    timers_fire_due(now=at(2025, 6, 9, 10, 1))
    ev.refresh_from_db()
    assert ev.status == EvalStatus.DEFAULTED and ev.level == 3 and not ev.bad and ev.channel == "system"


def evaluation_status(ev):
    ev.refresh_from_db()
    return ev.status


def test_default_level_and_days_come_from_the_region_policy(scjg):
    EvaluationPolicy.objects.update_or_create(region_id="430321", defaults={"default_after_days": 3,
                                                                            "default_level": 2})
    ev = invite(scjg, ref="CASE-P")
    assert ev.default_due_at == at(2025, 6, 5, 10)
    services.evaluation_default(evaluation=ev, now=ev.default_due_at)
    ev.refresh_from_db()
    assert ev.level == 2 and ev.status == EvalStatus.DEFAULTED


def test_default_does_nothing_after_a_rating(scjg):
    ev = invite(scjg)
    services.evaluation_rate(evaluation=ev, level=2, channel="pad")
    assert services.evaluation_default(evaluation=ev) is None


def test_bad_review_opens_rectification_with_configured_deadlines(scjg):
    EvaluationPolicy.objects.update_or_create(region_id="430321", defaults={"fix_working_days": 5})
    ev = invite(scjg)
    services.evaluation_rate(evaluation=ev, level=5, channel="qr", text="窗口人员态度差", problem_type="attitude",
                             now=at(2025, 9, 30, 9))
    rect = Rectification.objects.get(evaluation=ev)
    assert rect.contact_due_at.date().isoformat() == "2025-10-09"
    assert rect.fix_due_at.date().isoformat() == "2025-10-14"


def test_platform_default_fix_time_is_fifteen_working_days(scjg):
    EvaluationPolicy.objects.filter(region_id="430321").delete()
    ev = invite(scjg, ref="CASE-15")
    services.evaluation_rate(evaluation=ev, level=4, channel="web", **BAD, now=at(2025, 9, 26, 9))
    assert ev.rectification.fix_due_at.date().isoformat() == "2025-10-23"


def _bad(scjg, ref="CASE-B", **kw):
    party = Party.objects.filter(kind="person").first()
    ev = invite(scjg, ref=ref, rater_party=party, rater_name="张示范", rater_phone="13800000000", **kw)
    ev = services.evaluation_rate(evaluation=ev, level=4, channel="qr", **BAD, now=at(2025, 6, 2, 11))
    return ev, Rectification.objects.get(evaluation=ev)


def test_rectification_runs_contact_verify_fix_and_rerating_closes_it(scjg, approver):
    ev, rect = _bad(scjg)
    t = at(2025, 6, 3, 9)
    rect = services.rectification_contact(rectification=rect, actor=approver, note="已电话联系", now=t)
    rect = services.rectification_verify(rectification=rect, actor=approver, note="情况属实", now=t)
    rect = services.rectification_fix(rectification=rect, actor=approver, note="已补办", now=t)
    assert rect.status == RectStatus.FIXED and rect.on_time
    rerating = rect.rerating
    assert rerating.round == 2 and rerating.rater_party_id == ev.rater_party_id
    services.evaluation_rate(evaluation=rerating, level=2, channel="sms", now=t)
    rect.refresh_from_db()
    assert rect.status == RectStatus.CLOSED
    assert not Rectification.objects.filter(evaluation=rerating).exists()


@pytest.mark.parametrize(
    "status,action,allowed",
    [
        ("open", "contact", True), ("open", "verify", False), ("open", "fix", False), ("open", "appeal", True),
        ("contacted", "verify", True), ("contacted", "fix", False), ("contacted", "appeal", True),
        ("verified", "fix", True), ("verified", "appeal", True), ("fixed", "appeal", False),
        ("fixed", "rerate", True), ("appealed", "uphold", True), ("appealed", "void", True),
        ("appealed", "contact", False), ("closed", "contact", False), ("voided", "appeal", False),
    ],
)
def test_rectification_transition_table_edge_by_edge(status, action, allowed):
    assert (status in RECTIFICATION.actions[action].edges) is allowed


def test_upheld_appeal_resumes_where_it_was(scjg, approver):
    _, rect = _bad(scjg, ref="CASE-U")
    rect = services.rectification_contact(rectification=rect, actor=approver, note="已联系")
    rect = services.rectification_appeal(rectification=rect, actor=approver, reason="申请人未到窗口")
    sup = User.objects.get(username="supervisor")
    with pytest.raises(Forbidden):
        services.rectification_decide_appeal(rectification=rect, actor=approver, void=True, note="x")
    rect = services.rectification_decide_appeal(rectification=rect, actor=sup, void=False, note="差评成立")
    assert rect.status == RectStatus.CONTACTED


def test_voided_appeal_removes_the_review_from_rates(scjg, approver):
    ev, rect = _bad(scjg, ref="CASE-V")
    rect = services.rectification_appeal(rectification=rect, actor=approver, reason="恶意差评")
    sup = User.objects.get(username="supervisor")
    rect = services.rectification_decide_appeal(rectification=rect, actor=sup, void=True, note="核实为误评")
    ev.refresh_from_db()
    assert rect.status == RectStatus.VOIDED and ev.status == EvalStatus.VOIDED
    stats = selectors.evaluation_stats(by="unit")
    unit_row = [r for r in stats if r["key"] == scjg.pk]
    assert not unit_row or unit_row[0]["bad"] == 0


def test_other_unit_cannot_handle_a_rectification(scjg):
    _, rect = _bad(scjg, ref="CASE-O")
    with pytest.raises(Forbidden):
        services.rectification_contact(rectification=rect, actor=User.objects.get(username="xtx-ga"), note="x")


def test_overdue_rectification_is_flagged_by_its_timer(scjg):
    _, rect = _bad(scjg, ref="CASE-D")
    timers_fire_due(now=rect.fix_due_at + timedelta(seconds=1))
    rect.refresh_from_db()
    assert rect.overdue and rect.contact_overdue


def test_rater_identity_visible_only_to_handlers(scjg, approver):
    ev, _ = _bad(scjg, ref="CASE-I", staff=approver)
    assert selectors.evaluation_public(ev, approver)["rater"] is None  # approver is not head
    assert selectors.evaluation_public(ev, User.objects.get(username="head"))["rater"]["name"] == "张示范"
    assert selectors.evaluation_public(ev, User.objects.get(username="supervisor"))["rater"]["phone"]


def test_rates_and_rankings_per_staff_window_unit(scjg, approver):
    window = Window.objects.get(code="XTX-W01")
    clerk = User.objects.get(username="clerk")
    t = at(2025, 7, 1, 9)
    for i, level in enumerate([1, 2, 4]):
        ev = services.evaluation_invite(subject_kind="window", subject_ref=f"W-{i}", unit=window.unit, window=window,
                                        staff=clerk, now=t)
        services.evaluation_rate(evaluation=ev, level=level, channel="pad", now=t, **(BAD if level > 3 else {}))
    ev = services.evaluation_invite(subject_kind="window", subject_ref="W-9", unit=scjg, staff=approver, now=t)
    services.evaluation_rate(evaluation=ev, level=1, channel="pad", now=t)
    rows = {r["key"]: r for r in selectors.evaluation_stats(by="staff", start=at(2025, 7, 1), end=at(2025, 8, 1))}
    assert rows[clerk.pk]["total"] == 3 and rows[clerk.pk]["satisfaction_rate"] == pytest.approx(66.67)
    assert rows[clerk.pk]["bad_rate"] == pytest.approx(33.33)
    assert rows[clerk.pk]["rectification_rate"] == 0.0
    assert rows[approver.pk]["rank"] == 1
    by_window = selectors.evaluation_stats(by="window", start=at(2025, 7, 1), end=at(2025, 8, 1))
    assert by_window[0]["total"] == 3
    assert selectors.evaluation_stats(by="unit", start=at(2025, 8, 1)) == []
