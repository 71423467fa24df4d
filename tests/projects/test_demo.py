"""The demo project: in 天易经开区, with its named agent, its cases filed under it, one member late."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_projects")]


def test_demo_project_has_an_agent_linked_cases_and_a_late_member_warning():
    from yiwang.projects.demo import CODE
    from yiwang.projects.models import Project

    p = Project.objects.get(code=CODE)
    assert p.park.code == "TYJK" and p.agent.username == "zhuanyuan" and p.status == "signed"
    linked = {m.key: m.case.status for m in p.members.filter(case__isnull=False)}
    assert linked == {"JSYDGHXK": "approved", "JSGCGHXK": "approved", "ZLAQJD": "approved", "SGTSCBA": "accepted"}
    assert [w["member"] for w in p.warnings if w["code"] == "float_exceeded"] == ["SGTSCBA"]
