"""The counting rules of `make cluster` / `make soak` (bench.cluster.counting), table by table: what
the client was told against what the database and the gateway stand-in hold."""

import pytest

from bench.cluster import counting as c


@pytest.mark.parametrize(("acked", "cases_by_ref", "lost"), [
    ({"r1": "N1", "r2": "N2"}, {"r1": ["N1"], "r2": ["N2"]}, []),
    ({"r1": "N1", "r2": "N2"}, {"r1": ["N1"]}, ["r2"]),
    ({"r1": "N1"}, {"r1": []}, ["r1"]),
    ({}, {"r9": ["N9"]}, []),  # saved but never acknowledged (in doubt): not lost
])
def test_an_acknowledged_submission_without_its_case_is_lost(acked, cases_by_ref, lost):
    assert c.lost_submissions(acked, cases_by_ref) == lost


@pytest.mark.parametrize(("cases_by_ref", "dups"), [
    ({"r1": ["N1"], "r2": ["N2"]}, []),
    ({"r1": ["N1", "N7"], "r2": ["N2"]}, ["r1"]),
    ({"r1": []}, []),
])
def test_a_reference_carried_by_two_cases_is_a_duplicated_submission(cases_by_ref, dups):
    assert c.duplicate_submissions(cases_by_ref) == dups


@pytest.mark.parametrize(("acked", "history", "lost"), [
    ([("N1", "accept"), ("N1", "approve")], {"N1": ["submit", "accept", "approve"]}, []),
    ([("N1", "accept"), ("N1", "approve")], {"N1": ["submit", "accept"]}, [("N1", "approve")]),
    ([("N2", "deliver")], {"N1": ["submit"]}, [("N2", "deliver")]),
    ([("N1", "accept"), ("N1", "accept")], {"N1": []}, [("N1", "accept")]),  # counted once
])
def test_an_acknowledged_action_missing_from_the_history_is_lost(acked, history, lost):
    assert c.lost_transitions(acked, history) == lost


@pytest.mark.parametrize(("history", "dups"), [
    ({"N1": ["submit", "accept", "review", "approve", "deliver"]}, []),
    ({"N1": ["submit", "accept", "accept", "approve"]}, [("N1", "accept")]),
    ({"N1": ["submit", "flag_delivery_overdue", "flag_delivery_overdue"]}, [("N1", "flag_delivery_overdue")]),
    ({"N1": ["submit", "licence_issued", "licence_issued"]}, [("N1", "licence_issued")]),
    ({"N1": ["submit", "supply", "supply"]}, []),  # an action a case may see more than once
])
def test_an_action_done_once_per_case_twice_in_a_history_is_a_duplicated_event(history, dups):
    assert c.duplicated_events(history) == dups


@pytest.mark.parametrize(("expected", "effects", "twice", "missed"), [
    (["N1", "rating:N1"], {"N1": 1, "rating:N1": 1}, [], []),
    (["N1", "rating:N1"], {"N1": 2, "rating:N1": 1}, ["N1"], []),
    (["N1", "rating:N1"], {"N1": 1, "rating:N1": 0}, [], ["rating:N1"]),
    (["N1", "N2"], {"N1": 1}, [], ["N2"]),
])
def test_timers_fired_twice_and_missed(expected, effects, twice, missed):
    assert c.timers_fired_twice(effects) == twice
    assert c.timers_missed(expected, effects) == missed


@pytest.mark.parametrize(("topic", "payload", "identity"), [
    ("case.accept", {"number": "N1", "action": "accept"}, ("case.accept", "N1")),
    ("evaluation.defaulted", {"evaluation": 5, "round": 1}, ("evaluation.defaulted", 5, 1)),
    ("workflow.reaction", {"reaction": "licences.issue_for_case", "key": "N1", "seq": 4},
     ("workflow.reaction", "licences.issue_for_case", "N1", 4)),
    ("kb.synced", {"changed": 3}, None),
])
def test_what_makes_two_outbox_messages_the_same_message(topic, payload, identity):
    assert c.message_identity(topic, payload) == identity


@pytest.mark.parametrize(("rows", "dups"), [
    ([(1, "case.accept", {"number": "N1"}), (2, "case.approve", {"number": "N1"})], []),
    ([(1, "case.accept", {"number": "N1"}), (2, "case.accept", {"number": "N1"})], [("case.accept", "N1")]),
    ([(1, "kb.synced", {}), (2, "kb.synced", {})], []),
])
def test_one_message_in_two_rows_is_delivered_twice(rows, dups):
    assert c.duplicated_messages(rows) == dups


@pytest.mark.parametrize(("ids", "repeated"), [([1, 2, 3], []), ([1, 2, 2, 3, 3, 3], [2, 3]), ([], [])])
def test_an_outbox_row_handed_over_twice(ids, repeated):
    assert c.repeated_ids(ids) == repeated


@pytest.mark.parametrize(("sent", "delivered", "lost"), [([1, 2], [1, 2], []), ([1, 2], [1], [2]), ([], [3], [])])
def test_a_message_marked_sent_that_never_arrived_is_lost(sent, delivered, lost):
    assert c.undelivered(sent, delivered) == lost


def _tally(**over):
    base = dict(acked_submissions={"r1": "N1"}, in_doubt=["r2", "r3"], cases_by_ref={"r1": ["N1"], "r2": ["N2"]},
                acked_transitions=[("N1", "accept")], history={"N1": ["submit", "accept", "flag_delivery_overdue"],
                                                              "N2": ["submit"]},
                timer_keys=["N1"], timer_effects={"N1": 1}, outbox_rows=[(1, "case.accept", {"number": "N1"})],
                outbox_pending=0, marked_sent=[1], sent_ids=[1, 1], delivered=[(1, "case.accept", {"number": "N1"})])
    base.update(over)
    return c.tally(**base)


@pytest.mark.parametrize(("over", "failures"), [
    ({}, {}),
    ({"cases_by_ref": {"r2": ["N2"]}}, {"lost": 1}),
    ({"timer_effects": {"N1": 2}}, {"timers fired twice": 1}),
    ({"timer_effects": {}}, {"timers missed": 1}),
    ({"outbox_pending": 2}, {"outbox pending": 2}),
    ({"delivered": []}, {"lost": 1}),
    ({"delivered": [(1, "case.accept", {"number": "N1"}), (2, "case.accept", {"number": "N1"})]},
     {"messages delivered twice": 1}),
])
def test_the_run_fails_on_every_count_that_must_be_zero(over, failures):
    assert _tally(**over).failures() == failures


def test_the_tally_counts_the_in_doubt_submissions_that_were_saved_and_a_resend_is_not_a_failure():
    t = _tally()
    assert (t.accepted, t.in_doubt, t.in_doubt_saved) == (1, 2, 1)
    assert t.resent_same_id == [1] and t.failures() == {}
    assert (t.timers_brought_forward, t.timers_fired) == (1, 1)
