"""Query-count guards for the service layer (the benchmark's figure 1, in `make test`).

Each lifecycle transition (submit, accept, review, approve, deliver) writes its row, its event,
its outbox row and its timers. The ceilings pin the work per transition so that a change that adds
a query per action shows here, long before it shows as lost throughput at the window.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

# The ceilings: raise one only with a reason in the commit message.
# Before (November 2026): submit 19, accept 14, review 12, approve 18, deliver 11 — about 18 a transition.
# submit includes the data-sharing look-ups of 无证明 (licences.datasharing: 2 queries).
MAX_QUERIES = {"submit": 14, "accept": 8, "review": 5, "approve": 7, "deliver": 5}


@pytest.fixture
def plan():
    from bench.fig_lifecycle import choose_plan

    class Ctx:
        url = ""

    return choose_plan(Ctx)


# Not counted: savepoints (only there when nested) and the calendar's version check (at most every 2 s).
OTHERS = ("SAVEPOINT", "workcalendar_calendarversion")


@pytest.fixture
def engine_only():
    """The case engine's own work: the case workflow's declared reactions (a licence issued on approval,
    an evaluation invited on delivery, a bundle told of its member) are left out here; they pin theirs."""
    from yiwang.cases.workflow import WORKFLOW

    saved = WORKFLOW.reactions
    WORKFLOW.reactions = ()
    yield
    WORKFLOW.reactions = saved


def _count(fn):
    with CaptureQueriesContext(connection) as q:
        result = fn()
    return result, [x["sql"] for x in q if not any(o in x["sql"] for o in OTHERS)]


def test_each_lifecycle_transition_stays_under_its_query_ceiling(plan, engine_only):
    from yiwang.cases.services import case_accept, case_act, case_submit
    from yiwang.parties.models import Party

    User = get_user_model()
    clerk, approver = User.objects.get(username=plan["clerk"]), User.objects.get(username=plan["approver"])
    party = Party.objects.get(pk=plan["party_id"])
    # A first lifecycle warms the per-process caches (catalogue, staff roles), as in a running server.
    from bench.lifecycle import lifecycle

    lifecycle(dict(plan, party_id=party), {"clerk": clerk, "approver": approver})
    clerk, approver = User.objects.get(username=plan["clerk"]), User.objects.get(username=plan["approver"])
    counts = {}
    case, counts["submit"] = _count(lambda: case_submit(actor=clerk, item=plan["item"], applicant=party,
                                                        form=plan["form"], channel="window"))
    case, counts["accept"] = _count(lambda: case_accept(case=case, actor=clerk, paper=plan["paper"]))
    if plan["review"]:
        case, counts["review"] = _count(lambda: case_act(case=case, actor=approver, action="review"))
    case, counts["approve"] = _count(lambda: case_act(case=case, actor=approver, action="approve"))
    case, counts["deliver"] = _count(lambda: case_act(case=case, actor=clerk, action="deliver",
                                                      data={"method": "window"}))
    assert case.status == "delivered"
    for name, sqls in counts.items():
        assert len(sqls) <= MAX_QUERIES[name], (name, sqls)
