"""The dashboard's figures of 一个项目、一名专员: key projects with a named agent, projects per agent."""

import pytest

from .conftest import user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_projects")]


def _overview(**filters):
    from yiwang.dashboards import selectors

    scope = selectors.scope_for(user("leader"))
    rows = selectors.overview(scope, selectors.filters_parse(scope, **filters))
    return {r.now.figure.code: r.now for r in rows}


def test_the_demo_parks_coverage_is_one_of_two_key_projects_and_one_project_per_agent():
    fig = _overview()
    assert (fig["PRJ-ZY"].numerator, fig["PRJ-ZY"].denominator, fig["PRJ-ZY"].value) == (1, 2, 50.0)
    assert (fig["PRJ-RJ"].numerator, fig["PRJ-RJ"].denominator) == (1, 1)


def test_naming_the_second_projects_agent_brings_coverage_to_100_percent():
    from yiwang.projects.demo import SECOND
    from yiwang.projects.services import project_agent_assign

    project_agent_assign(project=SECOND, agent=user("zhuanyuan"), actor=user("tyjk"))
    fig = _overview(park="TYJK")
    assert fig["PRJ-ZY"].value == 100.0 and fig["PRJ-RJ"].value == 2.0
