from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour, 0), tzinfo=TZ)


@pytest.fixture
def users(db):
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.filter(
        username__in=["xtx-scjg", "xtx-ga", "supervisor", "clerk", "approver", "xtcy", "xtkj"])}


@pytest.fixture
def scjg(db):
    from yiwang.organisations.models import Unit

    return Unit.objects.get(code="XTX-SCJG")


@pytest.fixture
def items(db):
    from yiwang.supervision.models import CheckItem

    return {i.code: i for i in CheckItem.objects.all()}


@pytest.fixture
def filed_plan(users, scjg, items):
    """XTX-SCJG's 2027 plan, filed on 2027-03-10 (on time)."""
    from yiwang.supervision import services

    plan = services.plan_create(unit=scjg, year=2027, title="2027年度计划",
                                items=[i for i in items.values() if i.unit_id == scjg.pk],
                                actor=users["xtx-scjg"], now=at(date(2027, 1, 5)))
    return services.plan_act(plan=plan, action="file", actor=users["xtx-scjg"], now=at(date(2027, 3, 10)))


@pytest.fixture
def enterprise(db):
    from yiwang.parties.models import Party

    return Party.objects.get(number="91430321MA4T8K2P6K")


@pytest.fixture
def roster(scjg):
    from yiwang.supervision.models import Inspector

    return list(Inspector.objects.filter(unit=scjg).order_by("certificate"))
