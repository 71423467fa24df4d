"""Two people acting on one request at once: the engine locks and checks the version, so exactly one
wins and the other gets a 409; history has one event for it."""

import pytest

pytestmark = pytest.mark.postgres


def _request():
    from django.contrib.auth import get_user_model

    from yiwang.hotline import services
    from yiwang.hotline.models import Category
    from yiwang.organisations.models import Region

    op = get_user_model().objects.get(username="operator")
    return services.request_create(kind="complaint", channel="phone", category=Category.objects.get(code="0302"),
                                   region=Region.objects.get(code="430321"), title="商场拒绝退货", content="质量问题",
                                   phone="13800000001", actor=op)


@pytest.mark.parametrize("with_version", [True, False])
def test_two_dispatchers_at_once_one_wins_the_other_gets_409(postgres, run_threads, with_version):
    from django.contrib.auth import get_user_model

    from yiwang.core.errors import Conflict
    from yiwang.hotline import services

    req = _request()
    ops = [get_user_model().objects.get(username=u) for u in ("operator", "supervisor")]
    results = run_threads(lambda i: services.request_act(
        request=req.pk, action="dispatch", actor=ops[i], input={},
        version=req.version if with_version else None), 2)
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    assert isinstance(next(r[1] for r in results if r[0] == "error"), Conflict)
    assert req.events.filter(action="dispatch").count() == 1
