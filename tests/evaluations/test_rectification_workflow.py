"""The rectification workflow on the engine: what is offered is what is accepted (every state, every
demo role), history is append-only, timer events carry their due time, a newly loaded year recounts
the limits, and the pages show every action and status in Chinese."""

from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError

from tests.conftest import accepted_in_rollback, assert_history_append_only
from yiwang.core.errors import DomainError
from yiwang.core.models import Timer
from yiwang.core.timers import timers_fire_due
from yiwang.core.workflow import apply, available_actions
from yiwang.core.workflow.deadlines import holders, recompute_all
from yiwang.evaluations import rules, services
from yiwang.evaluations.models import (
    Evaluation,
    EvaluationEvent,
    EvaluationPolicy,
    Rectification,
)
from yiwang.evaluations.workflow import RECTIFICATION, TIMER_FIX
from yiwang.organisations.models import Unit
from yiwang.parties.models import Party

pytestmark = pytest.mark.django_db
User = get_user_model()
TZ = rules.TZ
ROLES = ["xtx-scjg", "approver", "head", "clerk", "supervisor", "operator", "xtx-ga", "zhang", "xtcy", None]
TRY = {"note": "记录", "reason": "理由"}


def at(*args):
    return datetime(*args, tzinfo=TZ)



def _user(name):
    return User.objects.get(username=name) if name else None


def _bad(ref="WF-1", now=None):
    unit = Unit.objects.get(code="XTX-SCJG")
    party = Party.objects.get(user__username="zhang")
    ev = services.evaluation_invite(subject_kind="case", subject_ref=ref, unit=unit, rater_party=party,
                                    rater_name="张示范", now=now or at(2025, 6, 2, 10))
    services.evaluation_rate(evaluation=ev, level=5, channel="qr", text="办理时间太长了", problem_type="slow",
                             now=now or at(2025, 6, 2, 11))
    return Rectification.objects.get(evaluation=ev)


def _do(rect, *steps):
    head, sup = _user("head"), _user("supervisor")
    for step in steps:
        if step == "appeal":
            services.rectification_appeal(rectification=rect, actor=head, reason="恶意差评")
        elif step in ("uphold", "void"):
            services.rectification_decide_appeal(rectification=rect, actor=sup, void=step == "void", note="裁定")
        elif step == "rerate":
            rect.refresh_from_db()
            services.evaluation_rate(evaluation=rect.rerating, level=2, channel="sms")
        else:
            getattr(services, f"rectification_{step}")(rectification=rect, actor=head, note=step)
        rect.refresh_from_db()
    return rect


STATES = {
    "open": (), "contacted": ("contact",), "verified": ("contact", "verify"),
    "fixed": ("contact", "verify", "fix"), "appealed": ("appeal",), "resumed": ("contact", "appeal", "uphold"),
    "closed": ("contact", "verify", "fix", "rerate"), "voided": ("appeal", "void"),
}


def _accepted(rect, actor) -> set[str]:
    ok = set()
    for name in RECTIFICATION.actions:
        if accepted_in_rollback(lambda name=name: apply(
                RECTIFICATION, subject=Rectification.objects.get(pk=rect.pk), action=name, actor=actor, input=TRY)):
            ok.add(name)
    return ok


@pytest.mark.parametrize("state", list(STATES))
def test_available_actions_are_what_apply_accepts_for_every_demo_role(state):
    rect = _do(_bad(f"WF-{state}"), *STATES[state])
    for role in ROLES:
        actor = _user(role)
        rect = Rectification.objects.get(pk=rect.pk)
        offered = {a.name for a in available_actions(RECTIFICATION, subject=rect, actor=actor, include_system=True)}
        assert offered == _accepted(rect, actor), (state, role)


def test_the_unit_appeals_once_and_a_supervisor_decides():
    rect = _do(_bad("WF-A"), "contact", "appeal", "uphold")
    assert rect.status == "contacted"
    offered = {a.name for a in available_actions(RECTIFICATION, subject=rect, actor=_user("head"))}
    assert offered == {"verify"}
    with pytest.raises(DomainError) as err:
        services.rectification_appeal(rectification=rect, actor=_user("head"), reason="再次申诉")
    assert err.value.code == "appealed_before"


def test_every_status_and_action_has_a_chinese_label_and_irreversible_ones_ask():
    assert all(label and not label.isascii() for label in RECTIFICATION.states.values())
    assert all(a.label and not a.label.isascii() for a in RECTIFICATION.actions.values())
    assert {n for n, a in RECTIFICATION.actions.items() if a.confirm} == {"uphold", "void"}
    assert all(a.basis for a in RECTIFICATION.actions.values())


def test_history_rows_cannot_be_updated_or_deleted():
    rect = _do(_bad("WF-H"), "contact")
    event = rect.events.order_by("seq").last()
    assert (event.seq, event.action, event.actor_kind, event.reason) == (2, "contact", "handler", "contact")
    for row in (event, rect.evaluation.events.first()):  # the rectification's steps and the rating's own
        assert_history_append_only(row)
    with pytest.raises(ProtectedError):
        Evaluation.objects.filter(pk=rect.evaluation_id).delete()


def test_the_evaluations_own_events_keep_their_business_time_and_kind():
    rect = _bad("WF-E", now=at(2025, 6, 2, 11))
    rows = list(rect.evaluation.events.order_by("seq").values_list("seq", "action", "actor_kind", "to_status"))
    assert rows == [(1, "invited", "system", "invited"), (2, "rated", "rater", "rated")]
    assert rect.evaluation.events.get(action="rated").at == at(2025, 6, 2, 11)
    first = rect.events.get(seq=1)
    assert (first.action, first.at, first.to_status) == ("open", at(2025, 6, 2, 11), "open")


def test_a_timer_driven_overdue_event_carries_the_due_time():
    rect = _bad("WF-T")
    timers_fire_due(now=rect.fix_due_at.replace(year=rect.fix_due_at.year + 1))
    rect.refresh_from_db()
    assert rect.contact_overdue and rect.overdue
    contact = rect.events.get(action="contact_overdue")
    fix = rect.events.get(action="fix_overdue")
    assert (contact.at, contact.actor_kind, contact.actor_id) == (rect.contact_due_at, "system", None)
    assert fix.at == rect.fix_due_at and fix.data["due_at"] == rect.fix_due_at.isoformat()
    assert timers_fire_due(now=rect.fix_due_at.replace(year=rect.fix_due_at.year + 1)) == 0


CSV_2027 = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-11,holiday,春节\n2027-02-07,workday,春节\n"


def test_loading_2027_recounts_a_late_december_rectification_and_clears_the_provisional_flag():
    from yiwang.workcalendar.services import calendar_import_year

    EvaluationPolicy.objects.update_or_create(region_id="430321", defaults={"contact_working_days": 1,
                                                                            "fix_working_days": 5})
    rect = _bad("WF-2027", now=at(2026, 12, 28, 10))  # Monday; 5 working days reach into 2027
    assert rect.fix_due_at == rules.end_of_day(datetime(2027, 1, 4).date()) and rect.deadline_provisional
    assert rect.contact_due_at.date().isoformat() == "2026-12-29"
    assert "rectifications" in holders()
    eve = _bad("WF-2027-31", now=at(2026, 12, 31, 10))  # Thursday: even the contact limit is in 2027
    assert eve.contact_due_at.date().isoformat() == "2027-01-01" and eve.deadline_provisional
    calendar_import_year(content=CSV_2027.encode(), filename="2027.csv")
    moved = recompute_all(since=datetime(2027, 1, 1).date())
    assert moved["rectifications"] == 2
    eve.refresh_from_db()
    assert eve.contact_due_at.date().isoformat() == "2027-01-04" and not eve.deadline_provisional
    assert eve.fix_due_at.date().isoformat() == "2027-01-08"  # 01-04 … 01-08, 01-01 a holiday
    rect.refresh_from_db()
    assert rect.fix_due_at.date().isoformat() == "2027-01-05" and not rect.deadline_provisional  # 01-01 a holiday
    event = rect.events.order_by("seq").last()
    assert (event.action, event.actor_kind, event.reason) == ("calendar_moved", "system",
                                                               "工作日历调整（节假日或调休变化），重新计算回访、整改时限")
    assert event.data["fix_before"].startswith("2027-01-04") and event.deadline.isoformat() == "2026-12-29"
    pending = Timer.objects.filter(kind=TIMER_FIX, key=str(rect.pk), fired_at__isnull=True, cancelled_at__isnull=True)
    assert list(pending.values_list("due_at", flat=True)) == [rect.fix_due_at]
    assert recompute_all(since=datetime(2027, 1, 1).date())["rectifications"] == 0  # nothing moves twice


def test_the_page_offers_forms_for_exactly_the_available_actions_in_chinese(client):
    rect = _do(_bad("WF-P"), "contact")
    client.force_login(_user("xtx-scjg"))
    page = client.get(f"/evaluations/rectifications/{rect.pk}/").content.decode()
    assert 'value="verify"' in page and 'value="appeal"' in page and 'value="contact"' not in page
    assert 'name="reason"' in page and "申诉理由" in page and "核实情况" in page
    for chinese in ("邀请评价", "评价", "差评立案整改", "回访", "非常不满意", "已回访待核实"):
        assert chinese in page
    timeline = page[page.index('class="timeline"'):]
    for key in ("invited", "rated", "rectification_opened", "contact"):
        assert f">{key}" not in timeline and f" {key} " not in timeline
    supervisor = client
    supervisor.force_login(_user("supervisor"))
    page = supervisor.get(f"/evaluations/rectifications/{rect.pk}/").content.decode()
    assert 'value="verify"' in page and 'value="appeal"' not in page and 'value="uphold"' not in page


def test_a_stale_page_is_refused_with_the_conflict_message(client):
    rect = _bad("WF-V")
    client.force_login(_user("xtx-scjg"))
    r = client.post(f"/evaluations/rectifications/{rect.pk}/",
                    {"action": "contact", "note": "已联系", "version": str(rect.version - 1)}, follow=True)
    assert "该差评整改已被他人处理，请刷新后重试" in r.content.decode()
    rect.refresh_from_db()
    assert rect.status == "open"


def _old_rows(apps):
    """A bad review and its rectification as the code before the engine left them: every event on
    the evaluation (kind, note, wall-clock time), the rectification's steps named rectification_*."""
    Ev = apps.get_model("evaluations", "Evaluation")
    OldEvent = apps.get_model("evaluations", "EvaluationEvent")
    Rect = apps.get_model("evaluations", "Rectification")
    unit = apps.get_model("organisations", "Unit").objects.get(code="XTX-SCJG")
    head = apps.get_model("auth", "User").objects.get(username="head")
    t = at(2025, 6, 2, 11)
    ev = Ev.objects.create(subject_kind="case", subject_ref="OLD-1", token="oldtoken1", status="rated", level=5,
                           bad=True, channel="qr", unit=unit, invited_at=t, default_due_at=t, rated_at=t)
    rect = Rect.objects.create(evaluation=ev, unit=unit, status="contacted", contact_due_at=t, fix_due_at=t,
                               contact_note="已联系")
    for kind, actor, note, data in [
        ("invited", None, "", {"token": "oldtoken1"}), ("rated", None, "", {"level": 5, "channel": "qr"}),
        ("rectification_opened", None, "", {"rectification": rect.pk, "provisional": True}),
        ("rectification_contact", head, "已联系", {"rectification": rect.pk, "from_status": "open",
                                                  "to_status": "contacted"}),
    ]:
        OldEvent.objects.create(evaluation=ev, kind=kind, actor=actor, note=note, data=data)
    return ev.pk, rect.pk


def test_the_migration_moves_rectification_steps_off_the_evaluation_and_numbers_both(demo_tx):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    target = [("evaluations", "0001_initial")]
    try:
        executor.migrate(target)
        executor.loader.build_graph()
        ev_pk, rect_pk = _old_rows(executor.loader.project_state(target).apps)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # every app: the ones depending on evaluations were unapplied too
    rect = Rectification.objects.get(pk=rect_pk)
    assert (rect.version, rect.deadline_provisional) == (2, True)
    assert list(rect.events.values_list("seq", "action", "from_status", "to_status", "actor_kind", "reason")) == [
        (1, "open", "", "open", "system", ""), (2, "contact", "open", "contacted", "handler", "已联系")]
    assert list(EvaluationEvent.objects.filter(evaluation_id=ev_pk).order_by("seq").values_list(
        "seq", "action", "from_status", "to_status", "actor_kind")) == [
        (1, "invited", "", "invited", "system"), (2, "rated", "invited", "rated", "rater")]
    rect = services.rectification_verify(rectification=rect, actor=_user("head"), note="属实")
    assert rect.events.order_by("seq").last().seq == 3


def test_the_api_lists_exactly_the_available_actions_and_has_one_operation_each(client):
    rect = _bad("WF-API")
    client.force_login(_user("xtx-scjg"))
    url = f"/api/v1/rectifications/{rect.pk}"
    body = client.get(url).json()
    assert [a["name"] for a in body["actions"]] == ["contact", "appeal"]
    assert body["status_label"] == "待回访" and body["events"][0]["label"] == "差评立案整改"
    r = client.post(f"{url}/contact", {"note": " "}, content_type="application/json")
    assert r.status_code == 400 and {k: v for k, v in r.json().items() if k != "errors"} == {
        "error": "invalid", "message": "请填写回访记录", "field": "note"}
    r = client.post(f"{url}/void", {"note": "x"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"] == "bad_state"
    r = client.post(f"{url}/contact", {"note": "已电话联系", "version": rect.version}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "contacted"
    assert [a["name"] for a in r.json()["actions"]] == ["verify", "appeal"]
    client.force_login(_user("xtx-ga"))
    assert client.get(url).status_code == 404
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/rectifications/{number}/contact" in schema["paths"]
    assert "/api/v1/rectifications/{number}/contact_overdue" not in schema["paths"]
