"""The authorisation's workflow: every edge allowed and refused, what is offered equals what is
accepted, the expiry timer, one of two concurrent revocations wins, history is append-only."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.conftest import accepted_in_rollback, assert_history_append_only
from yiwang.agents import services
from yiwang.agents.models import AuthorisationEvent
from yiwang.agents.workflow import TIMER_EXPIRY, WORKFLOW
from yiwang.core.errors import Conflict, DomainError, Forbidden
from yiwang.core.models import OutboxMessage, Timer
from yiwang.core.timers import timers_fire_due
from yiwang.core.workflow import apply, available_actions

from .conftest import user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who, action, outcome", [
    ("xtkj", "revoke", "revoked"),
    ("clerk", "revoke", "revoked"),
    ("agent", "revoke", Forbidden),
    ("stranger", "revoke", Forbidden),
    ("agent", "renounce", "revoked"),
    ("xtkj", "renounce", Forbidden),
    (None, "expire", "expired"),
    ("xtkj", "expire", Forbidden),
])
def test_every_edge_from_granted_is_allowed_or_refused(grant, stranger, who, action, outcome):
    auth = grant()
    actor = user(who) if who else None
    data = {"reason": "不再需要"}
    if isinstance(outcome, str):
        done = services.authorisation_act(number=auth.number, actor=actor, action=action, input=data)
        assert done.status == outcome and done.ended_on is not None
        assert done.events.get(seq=2).action == action
    else:
        with pytest.raises(outcome):
            services.authorisation_act(number=auth.number, actor=actor, action=action, input=data)


@pytest.mark.parametrize("end", ["revoke", "expire"])
def test_nothing_leaves_a_revoked_or_expired_authorisation(grant, end):
    auth = grant()
    services.authorisation_act(number=auth.number, actor=user("xtkj") if end == "revoke" else None, action=end)
    for action, who in (("revoke", "xtkj"), ("renounce", "agent"), ("expire", None)):
        with pytest.raises(Conflict) as exc:
            services.authorisation_act(number=auth.number, actor=user(who) if who else None, action=action,
                                       input={"reason": "x"})
        assert exc.value.code == "bad_state"


def test_renouncing_asks_for_its_reason_at_the_field(grant):
    auth = grant()
    with pytest.raises(DomainError) as exc:
        services.authorisation_act(number=auth.number, actor=user("agent"), action="renounce", input={})
    assert exc.value.field == "reason" and "辞去委托的原因" in exc.value.message


@pytest.mark.parametrize("who", ["xtkj", "agent", "clerk", "stranger", "zhang"])
def test_what_is_offered_is_exactly_what_apply_accepts(grant, stranger, who):
    auth = grant()
    actor = user(who)
    offered = {a.name for a in available_actions(WORKFLOW, subject=auth, actor=actor)}
    accepted = {name for name, act in WORKFLOW.actions.items() if not act.system_only and accepted_in_rollback(
        lambda name=name: apply(WORKFLOW, subject=auth.number, action=name, actor=actor, input={"reason": "试"}))}
    assert offered == accepted


def test_the_expiry_timer_expires_the_authorisation_the_day_after_its_last_day(grant, today):
    auth = grant(days=3)
    timer = Timer.objects.get(kind=TIMER_EXPIRY, key=auth.number, fired_at__isnull=True)
    assert timezone.localtime(timer.due_at).date() == today + timedelta(days=4)
    timers_fire_due(now=timezone.make_aware(datetime.combine(today + timedelta(days=4), time(0, 5))))
    auth.refresh_from_db()
    assert auth.status == "expired" and auth.events.last().actor_kind == "system"


def test_revoking_cancels_the_expiry_timer_and_tells_the_party(grant):
    auth = grant()
    services.authorisation_act(number=auth.number, actor=user("xtkj"), action="revoke")
    assert not Timer.objects.filter(kind=TIMER_EXPIRY, key=auth.number, fired_at__isnull=True,
                                    cancelled_at__isnull=True).exists()
    assert OutboxMessage.objects.filter(topic="agents.revoke", payload__authorisation=auth.number).exists()


def test_of_two_revocations_with_the_same_version_one_wins_and_the_other_gets_409(grant):
    auth = grant()
    services.authorisation_act(number=auth.number, actor=user("xtkj"), action="revoke", version=auth.version)
    with pytest.raises(Conflict):
        services.authorisation_act(number=auth.number, actor=user("clerk"), action="revoke", version=auth.version)
    assert auth.events.count() == 2


def test_the_history_of_an_authorisation_is_append_only(grant):
    auth = grant()
    assert_history_append_only(AuthorisationEvent.objects.get(authorisation=auth, seq=1))
