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


# With the case workflow's reactions on (what a running hall does): the approval's own transaction,
# and the worker's two steps of issuing its licence after commit (issue 9: the serial's row lock is
# held by the first step only, the SM2 work is in the second).
# approve: the engine's 7, the bundle and enterprise look-ups, the after-commit reactions' outbox rows.
# reserve: the relay's 3 (pending ids, the row locked, marked sent), the case, "issued already?", the
# licence type, the serial (INSERT … ON CONFLICT … RETURNING: its lock from here), the step-two row.
MAX_WITH_REACTIONS = {"approve": 11, "reserve": 8, "sign": 19}


def _relay_one(reaction: str, key: str):
    """Relay that one reaction's outbox row (the others marked sent beforehand, outside the count)."""
    from yiwang.core.models import OutboxMessage
    from yiwang.core.outbox import outbox_relay
    from yiwang.core.workflow import REACTION_TOPIC

    row = OutboxMessage.objects.filter(topic=REACTION_TOPIC, sent_at__isnull=True,
                                       payload__reaction=reaction, payload__key=key).get()
    OutboxMessage.objects.filter(sent_at__isnull=True).exclude(pk=row.pk).update(sent_at=row.created_at)
    return _count(lambda: outbox_relay(send=lambda m: None, limit=1))


def test_the_approval_leaves_its_licence_to_the_worker_in_two_short_steps(plan):
    from bench.lifecycle import lifecycle
    from yiwang.cases.services import case_accept, case_act, case_submit
    from yiwang.core.outbox import outbox_relay
    from yiwang.licences.models import Licence
    from yiwang.parties.models import Party

    User = get_user_model()
    clerk, approver = User.objects.get(username=plan["clerk"]), User.objects.get(username=plan["approver"])
    party = Party.objects.get(pk=plan["party_id"])
    lifecycle(dict(plan, party_id=party), {"clerk": clerk, "approver": approver})
    while outbox_relay(send=lambda m: None, limit=1000):  # its licence issued: the type exists, as in a running hall
        pass
    case = case_submit(actor=clerk, item=plan["item"], applicant=party, form=plan["form"], channel="window")
    case = case_accept(case=case, actor=clerk, paper=plan["paper"])
    if plan["review"]:
        case = case_act(case=case, actor=approver, action="review")
    case, approve = _count(lambda: case_act(case=case, actor=approver, action="approve"))
    assert not Licence.objects.filter(case_number=case.number).exists()  # not in the approval's transaction
    _, reserve = _relay_one("licences.issue_for_case", case.number)
    assert not Licence.objects.filter(case_number=case.number).exists()
    _, sign = _relay_one("licences.sign_for_case", case.number)
    assert Licence.objects.filter(case_number=case.number).count() == 1
    counts = {"approve": approve, "reserve": reserve, "sign": sign}
    for name, sqls in counts.items():
        assert len(sqls) <= MAX_WITH_REACTIONS[name], (name, sqls)
