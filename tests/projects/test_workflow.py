"""The project workflow on the engine: every edge allowed and refused, actors, guards (洽谈即服务 before
signing, 签约即供地, 拿地即开工, 验收即办证), the named agent, linking cases, versions, and history."""

from datetime import date

import pytest
from django.db import transaction

from tests.conftest import assert_history_append_only
from yiwang.core.errors import DomainError

from .conftest import act, at, user

pytestmark = pytest.mark.django_db

D = date(2026, 3, 2)


def _force(project, status, **dates):
    """Test setup only: put a project in a state (the services get there through the engine)."""
    from yiwang.projects.models import Project

    Project.objects.filter(pk=project.pk).update(status=status, **dates)


# (from status, action, input, expected: "ok" or the refusal's (status, code))
EDGES = [
    ("negotiating", "pre_service_done", {"task": "site", "done_on": D}, "ok"),
    ("negotiating", "sign", {"on": D}, (400, "pre_service")),
    ("negotiating", "publish_land_notice", {"on": D}, (409, "bad_state")),
    ("negotiating", "start", {"on": D}, (409, "bad_state")),
    ("negotiating", "terminate", {"reason": "企业放弃投资"}, "ok"),
    ("signed", "publish_land_notice", {"on": D}, "ok"),
    ("signed", "supply_land", {"on": D}, (400, "no_notice")),
    ("signed", "sign", {"on": D}, (409, "bad_state")),
    ("signed", "pre_service_done", {"task": "site", "done_on": D}, (409, "bad_state")),
    ("land_supplied", "start", {"on": D}, (400, "no_permit")),
    ("land_supplied", "complete", {"on": D}, (409, "bad_state")),
    ("started", "complete", {"on": D}, "ok"),
    ("started", "certify", {}, (409, "bad_state")),
    ("completed", "certify", {}, (400, "no_certificate")),
    ("certified", "terminate", {"reason": "x"}, (409, "bad_state")),
    ("certified", "assign_agent", {"agent": "zhuanyuan"}, (409, "bad_state")),
    ("terminated", "pre_service_done", {"task": "site", "done_on": D}, (409, "bad_state")),
]


@pytest.mark.parametrize(("status", "action", "data", "expected"), EDGES,
                         ids=[f"{e[0]}-{e[1]}" for e in EDGES])
def test_edges_allowed_and_refused(make_project, leader, status, action, data, expected):
    p = make_project()
    _force(p, status, signed_on=D)
    if expected == "ok":
        act(p, action, leader, **data)
        return
    with pytest.raises(DomainError) as exc:
        act(p, action, leader, **data)
    assert (exc.value.status, exc.value.code) == expected
    assert exc.value.message  # Chinese, for the user


def test_available_actions_are_exactly_what_apply_accepts_in_every_state(make_project, leader, agent):
    from yiwang.core.workflow import available_actions
    from yiwang.projects.models import ProjectStatus
    from yiwang.projects.workflow import WORKFLOW, project_load

    p = make_project()
    act(p, "assign_agent", leader, agent="zhuanyuan")
    for status in ProjectStatus.values:
        _force(p, status, signed_on=D, land_notice_on=D)
        for who in (leader, agent, user("xtkj"), user("approver")):
            subject = project_load(p.code)
            offered = {a.name for a in available_actions(WORKFLOW, subject=subject, actor=who)}
            for name, a in WORKFLOW.actions.items():
                if a.system_only:
                    continue
                accepted = _tries(p, name, who)
                if name in offered:
                    assert accepted != "refused_before_input", (status, who.username, name)
                else:
                    assert accepted != "ok", (status, who.username, name)


def _tries(p, name, who) -> str:
    """Apply with no input in a rolled-back transaction: ok, refused at the input (a form), or refused."""
    from yiwang.projects.services import project_act

    try:
        with transaction.atomic():
            project_act(project=p.code, action=name, actor=who, input={}, now=at(D, 12))
            transaction.set_rollback(True)
        return "ok"
    except DomainError as exc:
        return "needs_input" if exc.status == 400 and exc.code == "invalid" else "refused_before_input"


@pytest.mark.parametrize(("who", "action", "data"), [
    ("xtkj", "sign", {"on": D}),  # the enterprise does not sign for the park
    ("zhuanyuan", "sign", {"on": D}),  # nor does the agent
    ("approver", "pre_service_done", {"task": "site", "done_on": D}),  # another unit's staff
    ("zhuanyuan", "assign_agent", {"agent": "zhuanyuan"}),
])
def test_actors_outside_the_action_are_refused_403(make_project, leader, who, action, data):
    p = make_project()
    act(p, "assign_agent", leader, agent="zhuanyuan")
    with pytest.raises(DomainError) as exc:
        act(p, action, user(who), **data)
    assert exc.value.status == 403


def test_reschedule_is_the_systems_alone(make_project, leader):
    p = make_project()
    with pytest.raises(DomainError) as exc:
        act(p, "reschedule", leader)
    assert (exc.value.status, exc.value.code) == (403, "system_only")


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"task": "site"}, "done_on", "请填写完成日期"),
    ({"task": "golf", "done_on": D}, "task", "服务事项"),
    ({"task": "site", "done_on": date(2099, 1, 1)}, "done_on", "不能晚于今天"),
])
def test_bad_input_is_refused_at_the_field_by_its_label(make_project, leader, data, field, message):
    p = make_project()
    with pytest.raises(DomainError) as exc:
        act(p, "pre_service_done", leader, **data)
    assert exc.value.field == field and message in exc.value.message


def test_a_stale_version_gets_409_and_writes_nothing(make_project, leader):
    from yiwang.projects.services import project_act

    p = make_project()
    act(p, "pre_service_done", leader, task="site", done_on=D)
    with pytest.raises(DomainError) as exc:
        project_act(project=p.code, action="pre_service_done", actor=leader, version=p.version,
                    input={"task": "admission", "done_on": D}, now=at(D, 12))
    assert exc.value.status == 409
    assert not p.members.get(key="admission").done_on


def test_agent_assignment_is_an_event_and_refuses_applicants_and_the_same_agent(make_project, leader, agent):
    from yiwang.projects.services import project_agent_assign

    p = make_project()
    with pytest.raises(DomainError) as exc:
        project_agent_assign(project=p, agent=user("zhang"), actor=leader)
    assert exc.value.field == "agent" and "工作人员" in exc.value.message
    p = project_agent_assign(project=p, agent=agent, actor=leader, now=at(D, 12))
    assert p.agent == agent
    ev = p.events.get(action="assign_agent")
    assert ev.data == {"agent": "zhuanyuan", "before": ""} and ev.actor == leader
    with pytest.raises(DomainError) as exc:
        project_agent_assign(project=p, agent=agent, actor=leader)
    assert exc.value.status == 409


def test_signing_waits_for_the_pre_service_tasks_and_sets_the_land_notice_promise(make_project, leader):
    p = make_project()
    for task in ("site", "admission"):
        act(p, "pre_service_done", leader, task=task, done_on=D)
    with pytest.raises(DomainError, match="用地报批准备"):
        act(p, "sign", leader, on=D)
    act(p, "pre_service_done", leader, task="land_approval", done_on=D)
    p = act(p, "sign", leader, on=D, land_notice_days=3)
    assert p.status == "signed" and p.signed_on == D
    assert p.members.get(key="land_notice").days == 3


def test_a_project_goes_from_negotiation_to_certificate_with_its_agent_filing_the_cases(make_project, leader, agent):
    from yiwang.core.workflow.reactions import deliver
    from yiwang.projects.demo import authorise_agent, file_and_decide

    p = make_project(begun_on=date(2026, 9, 1), now=at(date(2026, 9, 1), 9))
    act(p, "assign_agent", leader, date(2026, 9, 1), agent="zhuanyuan")
    authorise_agent(p.enterprise, agent, date(2026, 9, 1))  # the enterprise's 授权委托 the agent files under
    for task in ("site", "admission", "land_approval"):
        act(p, "pre_service_done", agent, date(2026, 9, 4), task=task, done_on=date(2026, 9, 4))
    act(p, "sign", leader, date(2026, 9, 8), on=date(2026, 9, 8))
    act(p, "publish_land_notice", leader, date(2026, 9, 10), on=date(2026, 9, 10))
    act(p, "supply_land", leader, date(2026, 9, 29), on=date(2026, 9, 29))
    case = file_and_decide(p, "SGXK-1", agent, date(2026, 9, 29), date(2026, 9, 30))
    assert case.status == "approved" and case.agent == agent  # filed as 代办 by the named agent
    assert case.authorisation.party == p.enterprise and case.authorisation.agent == agent
    deliver({"reaction": "projects.case_moved", "key": case.number})
    p = act(p, "start", agent, date(2026, 10, 8), on=date(2026, 10, 8))
    act(p, "complete", agent, date(2026, 11, 2), on=date(2026, 11, 2))
    file_and_decide(p, "BDCSCDJ", agent, date(2026, 11, 3), date(2026, 11, 5))
    p = act(p, "certify", agent, date(2026, 11, 5))
    assert p.status == "certified" and p.certified_on == date(2026, 11, 5)
    actions = list(p.events.order_by("seq").values_list("action", flat=True))
    assert actions[:3] == ["create", "assign_agent", "pre_service_done"] and actions[-1] == "certify"
    assert actions.count("link_case") == 2
    assert list(p.events.order_by("seq").values_list("seq", flat=True)) == list(range(1, p.version + 1))
    assert_history_append_only(p.events.last())
