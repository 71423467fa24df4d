from datetime import datetime

import pytest

from yiwang.core.workflow import SAME
from yiwang.evaluations.rules import TZ
from yiwang.hotline import rules
from yiwang.hotline.workflow import WORKFLOW
from yiwang.workcalendar.index import add_working_days

pytestmark = pytest.mark.django_db


def at(*a):
    return datetime(*a, tzinfo=TZ)


@pytest.mark.parametrize(
    "kind,received,deadline,near",
    [
        ("consult", at(2025, 6, 3, 10), "2025-06-05", "2025-06-04"),
        ("consult", at(2025, 6, 6, 16), "2025-06-10", "2025-06-09"),      # Friday: Monday and Tuesday
        ("consult", at(2025, 9, 30, 10), "2025-10-10", "2025-10-09"),     # National Day 10-01..10-08
        ("consult", at(2025, 10, 4, 10), "2025-10-10", "2025-10-09"),     # received on a holiday
        ("help", at(2025, 9, 30, 10), "2025-10-21", "2025-10-20"),        # 10-11 (Saturday) is worked
        ("suggestion", at(2025, 9, 30, 10), "2025-10-21", "2025-10-20"),
        ("complaint", at(2025, 9, 30, 10), "2025-10-28", "2025-10-27"),
        ("report", at(2025, 1, 24, 10), "2025-02-20", "2025-02-19"),     # Spring Festival, 01-26 and 02-08 worked
        ("praise", at(2025, 4, 30, 10), "2025-05-12", "2025-05-09"),     # Labour Day 05-01..05-05
    ],
)
def test_deadline_per_kind_in_working_days(kind, received, deadline, near):
    d = rules.request_deadline(kind, received, urgent=False, add_working_days=add_working_days)
    assert d.deadline_at.date().isoformat() == deadline
    assert d.near_due_at.date().isoformat() == near


def test_urgent_requests_are_due_in_hours():
    d = rules.request_deadline("help", at(2025, 10, 1, 10), urgent=True, add_working_days=add_working_days, hours=4)
    assert d.deadline_at == at(2025, 10, 1, 14) and d.near_due_at == at(2025, 10, 1, 13)


def test_deadline_days_are_configurable(settings):
    settings.YIWANG_HOTLINE_DAYS = {"consult": 1}
    d = rules.request_deadline("consult", at(2025, 6, 3, 10), urgent=False, add_working_days=add_working_days)
    assert d.deadline_at.date().isoformat() == "2025-06-04"
    assert d.near_due_at == at(2025, 6, 3, 10)


def test_sign_is_due_within_one_working_day():
    assert rules.sign_due(at(2025, 9, 30, 15), add_working_days).date().isoformat() == "2025-10-09"


@pytest.mark.parametrize("kind,allowed", [("report", True), ("suggestion", True), ("praise", True),
                                          ("consult", True), ("complaint", False), ("help", False)])
def test_which_kinds_may_be_anonymous(kind, allowed):
    assert rules.may_be_anonymous(kind) is allowed


R = rules.RuleView


@pytest.mark.parametrize(
    "rule_list,cats,regions,expected",
    [
        ([R(1, 10, "430321", 100), R(2, None, "430321", 200)], [11, 10, 1], ["430321", "430300"], 1),
        ([R(1, 10, "430321", 100), R(2, None, "430321", 200)], [20, 2], ["430321", "430300"], 2),
        ([R(1, 10, "430421", 100), R(2, 10, None, 200)], [10, 1], ["430321", "430300"], 2),  # region mismatch
        ([R(1, None, "430300", 100)], [10], ["430321", "430300"], 1),                        # region ancestor
        ([R(1, 10, "430321", 100)], [20], ["430321"], None),
        ([], [20], ["430321"], None),
    ],
)
def test_dispatch_first_matching_rule_wins(rule_list, cats, regions, expected):
    hit = rules.dispatch_match(rule_list, category_chain=cats, region_chain=regions)
    assert (hit.id if hit else None) == expected


# The request workflow's status-changing edges (workflow.py), as the 12345 rules give them. The visit
# is declared replied → closed; its effect sends a dissatisfied request back (handling) or on to the
# 办不成事 window (escalated), which test_workflow covers.
EXPECTED = {
    ("new", "dispatch"): "dispatched",
    ("new", "answer"): "closed",          # 即时办结 from the knowledge base
    ("new", "merge"): "merged",
    ("new", "escalate"): "escalated",
    ("dispatched", "sign"): "handling",
    ("dispatched", "return"): "returned",
    ("dispatched", "merge"): "merged",
    ("returned", "dispatch"): "dispatched",
    ("returned", "assign"): "handling",   # the hotline designates after MAX_RETURNS returns
    ("returned", "dispute"): "arbitration",
    ("returned", "escalate"): "escalated",
    ("arbitration", "arbitrate"): "handling",
    ("handling", "reply"): "replied",
    ("handling", "escalate"): "escalated",
    ("replied", "visit"): "closed",
    ("replied", "escalate"): "escalated",
    ("escalated", "conclude"): "closed",
}
EDGES = sorted(EXPECTED.items())
STATUSES = ["new", "dispatched", "returned", "arbitration", "handling", "replied", "escalated", "closed", "merged"]


def _declared() -> dict:
    return {(s, a.name): t for a in WORKFLOW.actions.values() for s, t in a.edges.items() if t != SAME}


@pytest.mark.parametrize("edge,target", EDGES, ids=[f"{s}-{a}" for (s, a), _ in EDGES])
def test_each_transition_of_the_table(edge, target):
    assert _declared()[edge] == target


def test_the_workflow_declares_no_other_status_change():
    assert _declared() == EXPECTED


def test_every_status_has_its_chinese_label_and_every_action_one():
    assert sorted(WORKFLOW.states) == sorted(STATUSES)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in WORKFLOW.states.values())
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in a.label) for a in WORKFLOW.actions.values())


@pytest.mark.parametrize("status", ["closed", "merged"])
@pytest.mark.parametrize("action", sorted(WORKFLOW.actions))
def test_closed_and_merged_requests_accept_no_action(status, action):
    assert status not in WORKFLOW.actions[action].edges


@pytest.mark.parametrize("text,stored", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("19912345678", "19912345678"),
    ("0731-12345678", "0731-12345678"),
    ("073112345678", "0731-12345678"),
    ("(0731)5788 1234", "0731-57881234"),
    ("010-1234567", "010-1234567"),
    ("0731-57881234-801", "0731-57881234-801"),
    ("0731-57881234转801", "0731-57881234-801"),
    ("12812345678", None),   # no 12x mobile range
    ("1381234567", None),    # 10 digits
    ("138123456789", None),  # 12 digits
    ("1380000", None),
    ("57881234", None),      # no area code
    ("0731-0123456", None),  # local number cannot start with 0
    ("0731-123456", None),   # too short
    ("phone", None),
    ("", None),
])
def test_phone_numbers_are_mobile_or_area_code_and_number(text, stored):
    assert rules.phone_normalise(text) == stored
