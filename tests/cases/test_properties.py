"""Random sequences of actions by random actors; the invariants hold after every step."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from yiwang.cases import clock, services
from yiwang.cases import workflow as T
from yiwang.cases.models import Case, CaseEvent
from yiwang.core.errors import DomainError
from yiwang.workcalendar.index import working_days_between

from .conftest import PDF, QYSLDJ, SPJYXK, XTCY, at, form_for

USERS = ["clerk", "approver", "head", "xtcy", "xtx-ga", None]
INPUTS = {
    "refuse": {"reason": "r"}, "request_correction": {"reason": "r"}, "deny": {"reason": "r"},
    "pause": {"reason": "专家评审", "data": {"procedure": "专家评审"}}, "post_check_fail": {"reason": "r"},
    "deliver": {"data": {"method": "post"}}, "supply_material": {"data": {"material": "住所（经营场所）使用证明"}},
}


@pytest.mark.django_db
def test_random_action_sequences_keep_the_invariants():
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.filter(username__in=[u for u in USERS if u])}

    class CaseMachine(RuleBasedStateMachine):
        @initialize(item=st.sampled_from([QYSLDJ, SPJYXK]))
        def submit(self, item):
            self.day = date(2026, 11, 2)
            self.case = services.case_submit(actor=users["clerk"], item=item, applicant=XTCY, form=form_for(item),
                                             channel="window", now=at(self.day))
            self.seen_terminal = None
            self.events = 1

        @rule(action=st.sampled_from(sorted(T.WORKFLOW.actions)), who=st.sampled_from(USERS), days=st.integers(0, 3),
              tolerate=st.booleans(), commitment=st.booleans(), extend=st.integers(0, 12))
        def act(self, action, who, days, tolerate, commitment, extend):
            self.day += timedelta(days=days)
            before = Case.objects.get(pk=self.case.pk).status
            kw = dict(INPUTS.get(action, {}))
            if action == "extend":
                kw = {"reason": "复杂", "data": {"days": extend}}
            try:
                if action == "accept":
                    mats = ["公司登记（备案）申请书", "公司章程", "住所（经营场所）使用证明", "食品经营许可申请书",
                            "经营场所平面图", "食品安全管理制度"]
                    tol = ["住所（经营场所）使用证明", "经营场所平面图"] if tolerate else []
                    services.case_accept(case=self.case.number, actor=users.get(who), now=at(self.day),
                                         paper=[m for m in mats if m not in tol],
                                         tolerate=[t for t in tol if t in _tolerable(self.case)],
                                         commitment=commitment and self.case.implementation.item.commitment_allowed)
                elif action == "supply_material":
                    services.case_material_upload(case=self.case.number, actor=users.get(who),
                                                  name="住所（经营场所）使用证明", filename="a.pdf", content=PDF,
                                                  now=at(self.day))
                else:
                    services.case_act(case=self.case.number, actor=users.get(who), action=action,
                                      now=at(self.day), **kw)
            except DomainError:
                pass
            after = Case.objects.get(pk=self.case.pk).status
            if before in T.TERMINAL:
                assert after == before

        @invariant()
        def history_is_the_truth(self):
            case = Case.objects.get(pk=self.case.pk)
            events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
            # events only grow, one per version, numbered without gaps
            assert len(events) >= self.events
            self.events = len(events)
            assert [e.seq for e in events] == list(range(1, case.version + 1))
            assert events[-1].to_status == case.status
            # the deadline is the recomputation from the history
            h = clock.history_from_events(events, promised_days=case.promised_days)
            d = clock.deadline_from_history(h)
            assert (case.deadline, case.paused_days) == (d.date, d.paused_days)
            assert case.paused == h.paused
            # paused working days are never counted
            if case.accepted_on is not None:
                counted = working_days_between(case.accepted_on, case.deadline).days
                assert counted == case.promised_days + case.extension_days + case.paused_days
            assert case.extension_days <= clock.MAX_EXTENSION_DAYS

    settings_ = settings(max_examples=25, stateful_step_count=12, deadline=None,
                         suppress_health_check=list(HealthCheck))
    run_state_machine_as_test(CaseMachine, settings=settings_)


def _tolerable(case) -> list[str]:
    return [m.name for m in case.implementation.item.materials.filter(tolerable=True)]
