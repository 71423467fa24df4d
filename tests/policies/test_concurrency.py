"""Two clerks act on one grant at the same moment (real threads, PostgreSQL): one wins, the other
is told, and exactly one event and one notice are written."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_reviewers_at_once_one_wins_and_one_notice_is_written(postgres, run_threads):
    from django.contrib.auth import get_user_model

    from yiwang.core.errors import Conflict
    from yiwang.core.models import OutboxMessage
    from yiwang.policies import services
    from yiwang.policies.models import Grant, Policy

    unit_user = get_user_model().objects.get(username="xtx-rs")
    policy = Policy.objects.get(code="XTX-2026-WG01")
    services.policy_match(actor=unit_user, policy=policy)
    grant = Grant.objects.filter(policy=policy, status="listed").first()

    def act(i):
        action = "approve" if i % 2 == 0 else "exclude"
        return services.grant_act(number=grant.number, action=action, actor=unit_user,
                                  input={"reason": "名单核查"}, version=grant.version).status

    results = run_threads(act, 4)
    won = [r for kind, r in results if kind == "ok"]
    lost = [r for kind, r in results if kind == "error"]
    assert len(won) == 1 and all(isinstance(e, Conflict) for e in lost), results
    grant.refresh_from_db()
    assert grant.version == 2 and grant.events.count() == 2
    assert OutboxMessage.objects.filter(topic="policies.grant_notice", payload__grant=grant.number).count() == 1
