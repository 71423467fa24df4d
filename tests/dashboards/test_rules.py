"""The pure rules: what a history contributes, periods and comparisons (table-driven)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from yiwang.dashboards import rules
from yiwang.dashboards.rules import CaseFacts, Ev

D = date(2026, 9, 1)
TZ = ZoneInfo("Asia/Shanghai")


def days(a, b):
    return (b - a).days  # calendar days stand in for working days here


def ev(action, on, to="", deadline=None, **data):
    return Ev(0, action, to, on, deadline, data, 7)


def counters(fold):
    return sorted((c, d.day, v) for c, d, v in fold)


WINDOW = CaseFacts(channel="window", hall_clerks=frozenset({7}), statutory_days=20, promised_days=5)
ONLINE = CaseFacts(channel="online", hall_clerks=frozenset(), statutory_days=0, promised_days=0, copies_saved=2,
                   visits_saved=1)


@pytest.mark.parametrize("facts,events,expected", [
    # window case at the hall, decided on day 4 of a deadline on day 6: on time, 3 days used, 15 days cut
    (WINDOW, [ev("submit", D), ev("accept", D, "accepted", date(2026, 9, 6)),
              ev("approve", date(2026, 9, 4), "approved")],
     [("case.accepted", 1, 1), ("case.cut_days", 4, 15), ("case.decided", 4, 1), ("case.on_time", 4, 1),
      ("case.promised_days", 4, 5), ("case.received", 1, 1), ("case.statutory_days", 4, 20),
      ("case.statutory_limited", 4, 20), ("case.used_days", 4, 3), ("case.window_accepted", 1, 1),
      ("case.window_hall", 1, 1)]),
    # decided after the deadline, with a 2-day pause that is not counted as used
    (WINDOW, [ev("submit", D), ev("accept", D, "accepted", date(2026, 9, 3)),
              ev("pause", date(2026, 9, 2), "paused"), ev("resume", date(2026, 9, 4), "in_review", date(2026, 9, 5)),
              ev("deny", date(2026, 9, 8), "denied")],
     [("case.accepted", 1, 1), ("case.cut_days", 8, 15), ("case.decided", 8, 1), ("case.late", 8, 1),
      ("case.promised_days", 8, 5), ("case.received", 1, 1), ("case.statutory_days", 8, 20),
      ("case.statutory_limited", 8, 20), ("case.used_days", 8, 5), ("case.window_accepted", 1, 1),
      ("case.window_hall", 1, 1)]),
    # online, instant, no paper, electronic delivery: 即办, 全程网办, 不见面; shared materials saved
    (ONLINE, [ev("submit", D, shared=["营业执照"]), ev("accept", D, "accepted", commitment=True),
              ev("decide_on_acceptance", D, "approved"), ev("deliver", date(2026, 9, 2), "delivered",
                                                            method="electronic")],
     [("case.accepted", 1, 1), ("case.accepted_online", 1, 1), ("case.commitment", 1, 1), ("case.decided", 1, 1),
      ("case.delivered", 2, 1), ("case.full_online", 2, 1), ("case.instant", 1, 1), ("case.materials_saved", 1, 1),
      ("case.no_meeting", 2, 1), ("case.on_time", 1, 1), ("case.received", 1, 1), ("case.visits_saved", 1, 1)]),
    # online but materials on paper at acceptance: delivered, yet not 不见面 and not 全程网办
    (ONLINE, [ev("submit", D), ev("accept", D, "accepted", paper=["原件"], tolerated=["住所证明"]),
              ev("decide_on_acceptance", D, "approved"), ev("deliver", D, "delivered", method="electronic")],
     [("case.accepted", 1, 1), ("case.accepted_online", 1, 1), ("case.decided", 1, 1), ("case.delivered", 1, 1),
      ("case.instant", 1, 1), ("case.materials_saved", 1, 2), ("case.on_time", 1, 1), ("case.received", 1, 1),
      ("case.tolerated", 1, 1), ("case.visits_saved", 1, 1)]),
    # refused at intake: received only
    (WINDOW, [ev("submit", D), ev("refuse", D, "refused")], [("case.received", 1, 1)]),
])
def test_case_history_contributes_its_counters_on_the_days_they_happened(facts, events, expected):
    assert counters(rules.case_contributions(facts, events, between=days).contribs) == sorted(expected)


def test_an_open_case_keeps_its_last_deadline_and_a_decided_one_none():
    running = [ev("submit", D), ev("accept", D, "accepted", date(2026, 9, 6)), ev("extend", D, "=", date(2026, 9, 9))]
    assert rules.case_contributions(WINDOW, running, between=days).open_deadline == date(2026, 9, 9)
    done = [*running, ev("approve", D, "approved")]
    assert rules.case_contributions(WINDOW, done, between=days).open_deadline is None


def at(day, hour=10):
    return datetime(2026, 9, day, hour, tzinfo=TZ)


@pytest.mark.parametrize("events,expected", [
    ([ev("invited", D, "invited"), ev("rated", D, "rated", level=2)],
     [("eval.good", 1), ("eval.good_active", 1), ("eval.rated", 1), ("eval.rated_active", 1)]),
    ([ev("invited", D, "invited"), ev("defaulted", D, "defaulted", level=3)], [("eval.good", 1), ("eval.rated", 1)]),
    ([ev("rated", D, "rated", level=5)], [("eval.bad", 1), ("eval.rated", 1), ("eval.rated_active", 1)]),
    ([ev("invited", D, "invited")], []),  # not rated yet
])
def test_rating_history_contributions(events, expected):
    got = sorted((c, v) for c, _, v in rules.evaluation_contributions(subject_kind="case", events=events))
    assert got == sorted(expected)


def rect(action, day, to, when=None, **data):
    return Ev(0, action, to, date(2026, 9, day), None, data, 7, when or at(day))


OPEN = rect("open", 1, "open", fix_due=at(20).isoformat())
WORK = [rect("contact", 2, "contacted"), rect("verify", 3, "verified"), rect("fix", 4, "fixed", on_time=True)]


@pytest.mark.parametrize("events,expected", [
    # a 差评 rectified before its fix limit: closed by the re-rating, all on the day it opened
    ([OPEN, *WORK, rect("rerate", 10, "closed", level=2)],
     [("eval.rect_closed", 1, 1), ("eval.rect_on_time", 1, 1), ("eval.rect_opened", 1, 1)]),
    # closed after the limit
    ([rect("open", 1, "open", fix_due=at(5).isoformat()), *WORK, rect("fix_overdue", 5, "verified"),
      rect("rerate", 10, "closed", level=2)],
     [("eval.rect_closed", 1, 1), ("eval.rect_opened", 1, 1)]),
    # fixed but not re-rated yet: opened only
    ([OPEN, *WORK], [("eval.rect_opened", 1, 1)]),
    # appealed, upheld (back to where it was), then closed
    ([OPEN, rect("appeal", 2, "appealed"), rect("uphold", 3, "open"), *WORK, rect("rerate", 6, "closed", level=3)],
     [("eval.rect_closed", 1, 1), ("eval.rect_on_time", 1, 1), ("eval.rect_opened", 1, 1)]),
    # voided on appeal: out of the rectification figures
    ([OPEN, rect("appeal", 2, "appealed"), rect("void", 3, "voided")], []),
])
def test_rectification_history_contributions(events, expected):
    got = sorted((c, d.day, v) for c, d, v in rules.rectification_contributions(events=events))
    assert got == sorted(expected)


def test_hotline_ratings_are_not_counted_as_government_service_ratings():
    assert rules.evaluation_contributions(subject_kind="hotline", events=[ev("rated", D, "rated", level=1)]) == []


@pytest.mark.parametrize("is_demand,actions,expected", [
    (False, [("create", "new"), ("dispatch", "dispatched"), ("sign", "handling"), ("reply", "replied"),
             ("visit", "closed", {"level": 1, "outcome": "closed"})],
     ["hot.dispatched", "hot.received", "hot.replied", "hot.replied_on_time", "hot.signed_on_time", "hot.visit_good",
      "hot.visited"]),
    # signed late, answered after the overdue mark, dissatisfied, reopened, answered in time, closed
    (True, [("create", "new"), ("dispatch", "dispatched"), ("sign_overdue", "dispatched"), ("sign", "handling"),
            ("overdue", "handling"), ("close_item", "handling", {"item": 1}), ("reply", "replied"),
            ("visit", "handling", {"level": 4, "outcome": "reopened"}), ("reply", "replied"),
            ("visit", "closed", {"level": 2, "outcome": "closed"})],
     ["hot.demand_closed", "hot.demand_received", "hot.dispatched", "hot.received", "hot.replied",
      "hot.replied_on_time", "hot.visit_good", "hot.visited", "hot.visited"]),
    # answered late and never reopened: not on time; dissatisfied twice → escalated, then concluded
    (True, [("create", "new"), ("dispatch", "dispatched"), ("sign", "handling"), ("overdue", "handling"),
            ("reply", "replied"), ("visit", "escalated", {"level": 5, "outcome": "escalated"}),
            ("conclude", "closed")],
     ["hot.demand_closed", "hot.demand_received", "hot.dispatched", "hot.received", "hot.replied",
      "hot.signed_on_time", "hot.visited"]),
    # a row hotline/0004 migrated from "reopen" (no outcome): still reopens the clock
    (False, [("create", "new"), ("dispatch", "dispatched"), ("sign", "handling"), ("overdue", "handling"),
             ("reply", "replied"), ("visit", "handling", {"level": 4}), ("reply", "replied")],
     ["hot.dispatched", "hot.received", "hot.replied", "hot.replied_on_time", "hot.signed_on_time",
      "hot.visited"]),
    # the duplicate counts as merged; the kept request's merged_in record does not
    (False, [("create", "new"), ("merge", "merged", {"into": "2026090100001"})], ["hot.merged", "hot.received"]),
    (False, [("create", "new"), ("dispatch", "dispatched"), ("merged_in", "dispatched", {"source": "x"})],
     ["hot.dispatched", "hot.received"]),
    # answered at once from the knowledge base
    (False, [("create", "new"), ("answer", "closed", {"article": "k1"})],
     ["hot.received", "hot.replied", "hot.replied_on_time"]),
])
def test_request_history_contributions(is_demand, actions, expected):
    events = [ev(a[0], D, a[1], **(a[2] if len(a) > 2 else {})) for a in actions]
    got = sorted(c for c, _, _ in rules.request_contributions(is_demand=is_demand, events=events))
    assert got == sorted(expected)


@pytest.mark.parametrize("by,day,bounds", [
    ("day", date(2026, 2, 3), (date(2026, 2, 3), date(2026, 2, 3))),
    ("month", date(2026, 2, 3), (date(2026, 2, 1), date(2026, 2, 28))),
    ("month", date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
    ("quarter", date(2026, 8, 15), (date(2026, 7, 1), date(2026, 9, 30))),
    ("quarter", date(2026, 11, 1), (date(2026, 10, 1), date(2026, 12, 31))),
    ("year", date(2026, 8, 15), (date(2026, 1, 1), date(2026, 12, 31))),
])
def test_period_bounds(by, day, bounds):
    assert rules.period_bounds(by, day) == bounds


@pytest.mark.parametrize("start,end,previous", [
    (date(2026, 3, 1), date(2026, 3, 31), (date(2026, 2, 1), date(2026, 2, 28))),
    (date(2026, 1, 1), date(2026, 3, 31), (date(2025, 10, 1), date(2025, 12, 31))),
    (date(2026, 1, 1), date(2026, 12, 31), (date(2025, 1, 1), date(2025, 12, 31))),
    (date(2026, 3, 10), date(2026, 3, 19), (date(2026, 2, 28), date(2026, 3, 9))),
    # to date: the same span of the previous period
    (date(2026, 1, 1), date(2026, 12, 2), (date(2025, 1, 1), date(2025, 12, 2))),
    (date(2026, 3, 1), date(2026, 3, 30), (date(2026, 2, 1), date(2026, 2, 28))),
    (date(2026, 12, 1), date(2026, 12, 2), (date(2026, 11, 1), date(2026, 11, 2))),
])
def test_previous_period_is_the_previous_whole_period_or_the_same_length_before(start, end, previous):
    assert rules.previous_range(start, end) == previous


@pytest.mark.parametrize("kind,n,d,value,display", [
    ("rate", 7, 8, 87.5, "87.50%"), ("rate", 0, 0, None, "—"), ("avg", 10, 4, 2.5, "2.50"), ("count", 3, 0, 3.0, "3"),
])
def test_figure_value_and_display(kind, n, d, value, display):
    fig = rules.Figure("X", "x", kind, "n", "d" if kind != "count" else "")
    fv = rules.figure_value(fig, {"n": n, "d": d})
    assert (fv.value, fv.display) == (value, display)


def test_every_figure_states_its_definition_and_rates_have_a_denominator():
    for f in rules.FIGURES:
        assert f.definition and f.name and f.code
        assert f.kind == "count" or f.denominator, f.code
    assert len({f.code for f in rules.FIGURES}) == len(rules.FIGURES)
