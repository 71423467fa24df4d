"""The case workflow on the engine: what is offered is what is accepted, the effects action by action,
history that cannot be edited, timers acting as of their due time, the calendar holder, reactions."""

from datetime import date

import pytest
from django.db import transaction

from tests.conftest import accepted_in_rollback, assert_history_append_only
from yiwang.cases import selectors, services
from yiwang.cases import workflow as W
from yiwang.cases.models import Case, CaseEvent, CaseStatus
from yiwang.core.workflow import SYSTEM, available_actions

from .conftest import QYSLDJ, SPJYXK, at
from .test_transitions import INPUT, NOW, drive, paper

pytestmark = pytest.mark.django_db

ROLES = ["clerk", "approver", "head", "xtcy", "xtx-ga", "xtx-zj", "xtx-zrzy", "zhang", "hyx-scjg"]
# (status, a hint for drive(): which item and set-up) — every state a case can be in, and the
# commitment and co-review variants where other actions open up.
STATES = [(s, "x") for s in CaseStatus.values if s not in (CaseStatus.REVOKED, CaseStatus.CLOSED)] + [
    (CaseStatus.APPROVED, "post_check_pass"), (CaseStatus.DELIVERED, "post_check_pass"),
    (CaseStatus.ACCEPTED, "co_review"), (CaseStatus.ACCEPTED, "supply_material"),
    (CaseStatus.SUBMITTED, "forward"),  # 跨域通办: taken in by 湘潭县's window, not yet forwarded to 衡阳县
]
GOOD = {**INPUT, "review": {"data": {"opinion": "同意"}}}



def accepted_by_apply(case, user) -> set[str]:
    """The actions apply accepts now from this user (each tried in a rolled-back transaction)."""
    ok = set()
    for act in W.WORKFLOW.actions.values():
        if case.status not in act.edges or act.system_only:
            continue
        kw = dict(GOOD.get(act.name, {}))
        if kw.get("data") == "PAPER":
            kw["data"] = {"paper": paper(case)}
        if accepted_in_rollback(lambda act=act, kw=kw: services.case_act(
                case=case.number, actor=user, action=act.name, now=NOW, **kw)):
            ok.add(act.name)
    return ok


@pytest.mark.parametrize("status, hint", STATES, ids=[f"{s}-{h}" for s, h in STATES])
def test_available_actions_are_exactly_what_apply_accepts_for_every_demo_role(users, status, hint):
    case = drive(users, status, hint)
    if hint == "supply_material":  # the tolerated material uploaded, not yet recorded as supplied
        from tests.cases.test_transitions import _prepare

        _prepare(case, status, "supply_material", users)
    for name in ROLES:
        user = users[name]
        fresh = Case.objects.get(pk=case.pk)
        offered = {a.name for a in available_actions(W.WORKFLOW, subject=fresh, actor=user, now=NOW)}
        assert offered == accepted_by_apply(fresh, user), (status, hint, name)


def test_terminal_states_offer_nothing():
    for status in W.TERMINAL:
        assert not [a for a in W.WORKFLOW.actions.values() if status in a.edges]


def test_the_workbench_offers_no_decision_before_review_no_second_extension_and_no_withdrawal_to_staff(users):
    case = drive(users, CaseStatus.ACCEPTED, "x")
    approver, head, clerk = users["approver"], users["head"], users["clerk"]
    names = selectors.allowed_actions
    assert "approve" not in names(case, approver) and "review" in names(case, approver)
    assert "withdraw" not in names(case, clerk) and "withdraw" in names(case, users["xtcy"])
    case = services.case_act(case=case.number, actor=head, action="extend", reason="情况复杂", data={"days": 3},
                             now=NOW)
    assert "extend" not in names(case, head)
    assert not {"post_check_pass", "post_check_fail"} & set(names(drive(users, CaseStatus.APPROVED, "x"), approver))
    assert {"post_check_pass", "post_check_fail"} <= set(names(drive(users, CaseStatus.APPROVED, "post_check_pass"),
                                                               approver))


def test_case_history_rows_cannot_be_updated_or_deleted(users):
    case = drive(users, CaseStatus.ACCEPTED, "x")
    assert_history_append_only(CaseEvent.objects.filter(case=case).first())
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Case.objects.filter(pk=case.pk).delete()  # the subject's history protects it: never CASCADE


def test_a_timer_driven_event_carries_the_timers_due_time(make_case):
    from django.core.management import call_command

    from yiwang.core.models import Timer

    case = make_case(QYSLDJ, on=date(2026, 9, 28))
    timer = Timer.objects.get(kind=W.TIMER_DEEMED_ACCEPTANCE, key=case.number)
    call_command("worker", "--once")
    ev = CaseEvent.objects.get(case=case, action="deemed_accept")
    assert ev.at == timer.due_at and ev.on == date(2026, 10, 11) and ev.actor_kind == SYSTEM


def test_loading_the_next_years_calendar_moves_a_provisional_deadline_and_clears_the_flag(accepted_case):
    from yiwang.core.workflow.deadlines import holders, recompute_all
    from yiwang.workcalendar.services import calendar_import_year

    assert "cases" in holders()
    case = accepted_case(SPJYXK, on=date(2026, 12, 29))  # promised 5 working days: into 2027
    assert case.deadline_provisional and case.deadline == date(2027, 1, 5)  # weekends only
    csv = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,元旦\n"
    with transaction.atomic():
        calendar_import_year(content=csv.encode(), filename="2027.csv")
    moved = recompute_all(since=date(2027, 1, 1), now=at(date(2026, 12, 30)))
    assert moved["cases"] >= 1
    case.refresh_from_db()
    assert case.deadline == date(2027, 1, 7) and not case.deadline_provisional
    ev = CaseEvent.objects.filter(case=case, action="calendar_moved").get()
    assert ev.data["deadline_before"] == "2027-01-05" and "工作日历" in ev.reason and ev.seq == case.version


def test_reactions_are_declared_in_order_and_registered():
    from yiwang.core.workflow.checks import check_reactions

    assert [r.name for r in W.WORKFLOW.reactions] == [
        "parties.register_for_case", "licences.issue_for_case", "licences.revoke_for_case",
        "bundlecases.member_decided", "bundlecases.member_delivered", "evaluations.invite_case",
        "supervision.task_from_approval", "policies.case_approved", "projects.case_moved",
        "documents.issue_for_case"]
    # The licence after commit: the worker issues and signs it (its serial's lock not held by the approval).
    assert [r.after_commit for r in W.WORKFLOW.reactions] == [False, True, False, False, False, True, True, True,
                                                               True, True]
    assert check_reactions() == []


# ---------------------------------------------------------------- the effects, action by action

# (status, drive hint, action, actor, input, what the case holds after, keys of the event's data, timers)
EFFECTS = [
    (CaseStatus.SUBMITTED, "x", "accept", "clerk", {"data": "PAPER"},
     {"status": "accepted", "current_step": 1}, {"accepted_on", "paper"}, {W.TIMER_DEEMED_ACCEPTANCE: False}),
    (CaseStatus.SUBMITTED, "x", "refuse", "clerk", {"reason": "不属于本机关"},
     {"status": "refused"}, set(), {W.TIMER_DEEMED_ACCEPTANCE: False}),
    (CaseStatus.SUBMITTED, "x", "request_correction", "clerk", {"reason": "补签字"},
     {"status": "correction_requested", "correction_count": 1}, set(), {W.TIMER_DEEMED_ACCEPTANCE: False}),
    (CaseStatus.CORRECTION_REQUESTED, "x", "resubmit", "xtcy", {},
     {"status": "submitted", "received_on": date(2026, 11, 2)}, set(), {W.TIMER_DEEMED_ACCEPTANCE: True}),
    (CaseStatus.SUBMITTED, "x", "withdraw", "xtcy", {}, {"status": "withdrawn"}, set(),
     {W.TIMER_DEEMED_ACCEPTANCE: False}),
    (CaseStatus.ACCEPTED, "x", "review", "approver", {"data": {"opinion": "材料齐全"}},
     {"status": "in_review", "current_step": 2}, {"step", "opinion"}, {}),
    (CaseStatus.IN_REVIEW, "x", "approve", "approver", {},
     {"status": "approved", "decision": "approved", "decided_on": date(2026, 11, 2)}, {"decision"},
     {W.TIMER_DELIVERY_LIMIT: True}),
    (CaseStatus.IN_REVIEW, "x", "deny", "approver", {"reason": "不符合条件"},
     {"status": "denied", "decision": "denied", "decision_reason": "不符合条件"}, {"decision"},
     {W.TIMER_DELIVERY_LIMIT: True}),
    (CaseStatus.ACCEPTED, "post_check_pass", "decide_on_acceptance", "clerk", {},
     {"status": "approved", "post_check_pending": True}, {"decision", "post_check_due"},
     {W.TIMER_POST_CHECK: True}),
    (CaseStatus.IN_REVIEW, "x", "pause", "approver", {"reason": "专家评审", "data": {"procedure": "专家评审"}},
     {"status": "paused", "paused": True}, {"procedure"}, {}),
    (CaseStatus.PAUSED, "x", "resume", "approver", {}, {"status": "in_review", "paused": False}, set(), {}),
    (CaseStatus.IN_REVIEW, "x", "extend", "head", {"reason": "情况复杂", "data": {"days": 5}},
     {"extension_days": 5, "extended": True}, {"days", "deadline_before"}, {}),
    (CaseStatus.APPROVED, "x", "deliver", "clerk", {"data": {"method": "post"}},
     {"status": "delivered", "delivery_method": "post"}, {"method"}, {W.TIMER_DELIVERY_LIMIT: False}),
    (CaseStatus.APPROVED, "post_check_pass", "post_check_pass", "approver", {},
     {"status": "closed", "post_check_pending": False}, set(), {W.TIMER_POST_CHECK: False}),
    (CaseStatus.DELIVERED, "post_check_pass", "post_check_fail", "approver", {"reason": "承诺不实"},
     {"status": "revoked", "post_check_pending": False}, set(), {W.TIMER_POST_CHECK: False}),
]


def _pending(number: str, kind: str) -> bool:
    from yiwang.core.models import Timer

    return Timer.objects.filter(key=number, kind=kind, fired_at=None, cancelled_at=None).exists()


@pytest.mark.parametrize("status, hint, action, who, kw, after, data, timers", EFFECTS,
                         ids=[f"{row[2]}-from-{row[0]}" for row in EFFECTS])
def test_each_actions_effect(users, status, hint, action, who, kw, after, data, timers):
    case = drive(users, status, hint)
    kw = dict(kw)
    if kw.get("data") == "PAPER":
        kw["data"] = {"paper": paper(case)}
    case = services.case_act(case=case.number, actor=users[who], action=action, now=NOW, **kw)
    case.refresh_from_db()
    for field, value in after.items():
        assert getattr(case, field) == value, field
    event = case.events.order_by("-seq").first()
    assert data <= set(event.data), event.data
    assert event.reason == kw.get("reason", event.reason)
    for kind, pending in timers.items():
        assert _pending(case.number, kind) is pending, kind


def test_the_api_has_one_operation_per_action_with_its_own_input_and_its_4xx(api_client):
    doc = api_client.get("/api/openapi.json").json()
    for act in W.WORKFLOW.actions.values():
        op = doc["paths"].get(f"/api/v1/cases/{{number}}/{act.name}", {}).get("post")
        if act.system_only:
            assert op is None, act.name
            continue
        assert op is not None and act.label in op["summary"], act.name
        assert {"400", "403", "404", "409"} <= set(op["responses"]), act.name
    extend = doc["paths"]["/api/v1/cases/{number}/extend"]["post"]
    schema = extend["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert {"days", "reason"} <= set(schema["required"])
