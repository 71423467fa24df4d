"""The bundle-case workflow on the engine: what is offered is what is accepted, for every state and
demo role; its history cannot be edited."""

import pytest

from tests.conftest import accepted_in_rollback, assert_history_append_only

from .conftest import XTKJ, asked, at, drive, merged_form, party, user

pytestmark = pytest.mark.django_db

ROLES = ["xtkj", "bundleclerk", "clerk", "xtx-scjg", "zhang"]



def _in_state(status: str, submit_and_accept):
    from yiwang.bundlecases import services
    from yiwang.bundlecases.models import BundleCase

    if status == "submitted":
        return services.bundle_case_submit(actor=party(XTKJ).user, bundle="QYKB", applicant=party(XTKJ),
                                           form=merged_form("QYKB"), channel="online", now=at())
    bc = submit_and_accept("QYKB", XTKJ)
    first = bc.member_cases.order_by("id").first().case.number
    if status == "stopped":
        drive(first, now=at(), deny="材料不符")
    elif status == "completed":
        drive(first, now=at())
        services.bundle_case_collect(bundle_case=bc.number, actor=user("bundleclerk"), now=at())
    elif status == "withdrawn":
        services.bundle_case_withdraw(bundle_case=bc.number, actor=party(XTKJ).user, reason="暂不办理", now=at())
    bc = BundleCase.objects.get(pk=bc.pk)
    assert bc.status == status
    return bc


def _accepted(bc, actor) -> set[str]:
    from yiwang.bundlecases import services
    from yiwang.bundlecases.workflow import WORKFLOW

    inputs = {"accept": {"data": {"paper": asked("QYKB")}}, "withdraw": {"reason": "暂不办理"}}
    ok = set()
    for act in WORKFLOW.actions.values():
        if act.system_only or bc.status not in act.edges:
            continue
        if accepted_in_rollback(lambda act=act: services.bundle_case_act(
                bundle_case=bc.number, actor=actor, action=act.name, now=at(), **inputs.get(act.name, {}))):
            ok.add(act.name)
    return ok


@pytest.mark.parametrize("status", ["submitted", "running", "stopped", "completed", "withdrawn"])
def test_available_actions_are_exactly_what_apply_accepts_for_every_demo_role(status, submit_and_accept):
    from yiwang.bundlecases.models import BundleCase
    from yiwang.bundlecases.workflow import WORKFLOW
    from yiwang.core.workflow import available_actions

    bc = _in_state(status, submit_and_accept)
    for name in ROLES:
        actor = user(name)
        fresh = BundleCase.objects.select_related("bundle", "applicant").get(pk=bc.pk)
        offered = {a.name for a in available_actions(WORKFLOW, subject=fresh, actor=actor)}
        assert offered == _accepted(fresh, actor), (status, name)


def test_bundle_case_history_rows_cannot_be_updated_or_deleted(submit_and_accept):
    from yiwang.bundlecases.models import BundleCaseEvent

    bc = submit_and_accept("QYKB", XTKJ)
    event = BundleCaseEvent.objects.filter(bundle_case=bc, action="accept").get()
    assert event.deadline == bc.deadline  # the deadline after the event, as every workflow's events
    assert_history_append_only(event)
