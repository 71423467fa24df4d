"""The projects demo: in 天易经济开发区, 湘潭示范科技有限公司's 智能装备产业园 (市重点) with its named agent
(`zhuanyuan`) — signed, the land notice out, its first permits filed by the agent and approved, and
施工图审查备案 filed but still open past its promised days, so the chart warns; and a second key
project still in 洽谈 without an agent (the coverage figure is then 1 of 2). Everything is made
through the services as of past working days; a second load finds the project and changes nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

CODE = "2026-430321-35-03-000118"
SECOND = "2026-430321-38-03-000120"
AGENT = ("zhuanyuan", "王专员")
ENTERPRISE = "91430321MA4L16JQ95"


def _u(name):
    return get_user_model().objects.get(username=name)


def _at(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))


def _back(today: date, n: int) -> date:
    """The working day n working days before today."""
    from yiwang.workcalendar.index import get_index

    cal, d = get_index(), today
    while n:
        d -= timedelta(days=1)
        n -= cal.is_working_day(d)
    return d


def _agent():
    from yiwang.demo.loader import _account
    from yiwang.organisations.models import Role, Staff, Unit, Window

    user = _account(AGENT[0], first_name=AGENT[1])
    Staff.objects.get_or_create(user=user, unit=Unit.objects.get(code="TYJK"), role=Role.WINDOW_CLERK,
                                defaults={"window": Window.objects.filter(code="XTX-W09").first()})
    Staff.objects.get_or_create(user=user, unit=Unit.objects.get(code="TYJK"), role=Role.AGENT)  # 帮代办专员
    return user


def load_projects_demo(*, with_history: bool = True) -> dict:
    """The agent's account always; the projects (whose approvals issue licences to the demo enterprise)
    only with the history `manage.py load_demo` loads — the test session starts without them."""
    from yiwang.organisations.models import Unit
    from yiwang.parties.models import Party

    from .models import Project

    agent = _agent()
    if not with_history or Project.objects.filter(code=CODE).exists():
        return {"projects": 0}
    today = timezone.localdate()
    park, party = Unit.objects.get(code="TYJK"), Party.objects.get(number=ENTERPRISE)
    p = _first(park, party, agent, today)
    _second(park, party, today)
    return {"projects": 2, "late": p.warning_count}


def _first(park, party, agent, today: date):
    from . import services

    T = lambda n: _back(today, n)  # noqa: E731 - a date n working days ago
    leader = _u("tyjk")
    p = services.project_create(
        actor=leader, code=CODE, name="天易经开区智能装备产业园项目", enterprise=party, park=park,
        investment_kind="social", approval_kind="with_plan", investment="58000", land_parcel="天易经开区 TY-2026-07 地块",
        key_level="city", begun_on=T(30), target_sign_on=T(20), construction_days=160,
        target_certificate_on=today + timedelta(days=280), now=_at(T(30), 9))
    services.project_agent_assign(project=p, agent=agent, actor=leader, now=_at(T(30), 11))
    authorise_agent(party, agent, T(30))
    for task, n in (("site", 27), ("admission", 25), ("land_approval", 24)):
        services.project_act(project=p, action="pre_service_done", actor=agent,
                             input={"task": task, "done_on": T(n)}, now=_at(T(n), 16))
    services.project_act(project=p, action="sign", actor=leader, input={"on": T(20), "land_notice_days": 5},
                         now=_at(T(20), 10))
    services.project_act(project=p, action="publish_land_notice", actor=leader, input={"on": T(18)},
                         now=_at(T(18), 10))
    for key, filed, decided in (("JSYDGHXK", 20, 17), ("JSGCGHXK", 17, 15), ("ZLAQJD", 15, 14), ("SGTSCBA", 15, None)):
        file_and_decide(p, key, agent, T(filed), T(decided) if decided else None)
    services.project_reschedule(project=p, reason="演示数据载入", now=_at(today, 8))
    return services.project_load(p)


def authorise_agent(party, agent, on: date) -> None:
    """一个项目、一名专员: the enterprise authorises its named agent for every item, for a year (帮办代办)."""
    from yiwang.agents.services import authorisation_grant

    authorisation_grant(actor=party.user, party=party.number, agent=agent.get_username(), all_items=True,
                        valid_from=on, valid_until=on + timedelta(days=364), now=_at(on, 11))


def file_and_decide(p, key: str, agent, filed: date, decided: date | None):
    """The agent files the member (代办); the hall accepts; the deciding unit approves, if `decided`."""
    from yiwang.cases import services as cases

    from . import services

    case = services.project_case_file(project=p, member=key, actor=agent, now=_at(filed, 9))
    paper = [m.name for m in case.implementation.item.materials.filter(source="applicant")]
    case = cases.case_accept(case=case.number, actor=_u("clerk"), paper=paper, now=_at(filed, 10))
    return case if decided is None else approve(case.number, decided)


def approve(number: str, decided: date):
    """The deciding unit's account reviews and approves the case as of `decided`."""
    from yiwang.cases import services as cases
    from yiwang.cases.models import Case

    case = Case.objects.select_related("deciding_unit").get(number=number)
    decider = _u(case.deciding_unit.code.lower())
    while len(case.steps) > 2 and case.current_step < len(case.steps) - 1:
        case = cases.case_act(case=case, actor=decider, action="review", now=_at(decided, 11))
    return cases.case_act(case=case, actor=decider, action="approve", reason="演示：审查通过", now=_at(decided, 15))


def _second(park, party, today: date) -> None:
    from . import services

    services.project_create(
        actor=_u("tyjk"), code=SECOND, name="天易经开区新能源电池包生产线项目", enterprise=party, park=park,
        investment_kind="social", approval_kind="general", investment="12000", land_parcel="天易经开区 TY-2026-11 地块",
        key_level="county", begun_on=_back(today, 3), target_sign_on=today + timedelta(days=30),
        now=_at(_back(today, 3), 9))
