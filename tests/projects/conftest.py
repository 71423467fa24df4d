import itertools
from datetime import date, datetime, time

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

XTKJ = "91430321MA4L16JQ95"  # 湘潭示范科技有限公司, in 天易经开区 (account xtkj)
_serial = itertools.count(500)


def at(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))


def user(name: str):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def demo_projects(db):
    """The demo projects (loaded with the history by `manage.py load_demo`, not in the test session)."""
    from yiwang.projects.demo import load_projects_demo

    return load_projects_demo()


@pytest.fixture
def leader():
    return user("tyjk")  # 天易经开区: approver and head


@pytest.fixture
def agent():
    return user("zhuanyuan")


@pytest.fixture
def make_project(leader):
    def make(**kw):
        from yiwang.organisations.models import Unit
        from yiwang.parties.models import Party
        from yiwang.projects.services import project_create

        args = dict(actor=leader, code=f"2026-430321-35-03-{next(_serial):06d}", name="测试厂房项目",
                    enterprise=Party.objects.get(number=XTKJ), park=Unit.objects.get(code="TYJK"),
                    investment_kind="social", approval_kind="general", investment="1000", key_level="county",
                    begun_on=date(2026, 3, 2), now=at(date(2026, 3, 2), 9))
        args.update(kw)
        return project_create(**args)

    return make


def act(project, action, actor, day=date(2026, 3, 2), **data):
    from yiwang.projects.services import project_act

    return project_act(project=project.code, action=action, actor=actor, input=data, now=at(day, 11))
