"""The schedule as a pure function: critical path, float, projected finish and warnings, counted in
working days of the real 2026 calendar (中秋 9/25–27, 国庆 10/1–7, 调休 Sunday 9/20 and Saturday 10/10)."""

from datetime import date

import pytest
from chinese_calendar import constants

from yiwang.projects import rules
from yiwang.projects.rules import Member, ScheduleError, schedule
from yiwang.workcalendar.index import CalendarIndex

CAL = CalendarIndex(
    covered={2026},
    holidays={d for d in constants.holidays if d.year == 2026},
    workdays={d for d in constants.workdays if d.year == 2026 and d.weekday() >= 5},
)
NO_TARGETS = {}
M = Member


def _run(members, *, start, today=None, **kw):
    return schedule(members, start=start, today=today or start, cal=CAL, stage_targets=kw.pop("targets", NO_TARGETS),
                    **kw)


# (case, members, start, finish, critical path, floats)
CPM = [
    ("serial", [M("a", "works", 3), M("b", "works", 2, ("a",))], date(2026, 3, 2), date(2026, 3, 9), ["a", "b"],
     {"a": 0, "b": 0}),
    ("parallel: the shorter branch floats", [M("a", "works", 3), M("b", "works", 1), M("c", "works", 2, ("a", "b"))],
     date(2026, 3, 2), date(2026, 3, 9), ["a", "c"], {"a": 0, "b": 2, "c": 0}),
    ("parallel equal branches are both critical", [M("a", "works", 2), M("b", "works", 2),
                                                   M("c", "works", 1, ("a", "b"))],
     date(2026, 3, 2), date(2026, 3, 5), ["a", "b", "c"], {"a": 0, "b": 0, "c": 0}),
    ("across National Day: 9/30, then 10/8, 10/9", [M("a", "works", 3)], date(2026, 9, 29), date(2026, 10, 9),
     ["a"], {"a": 0}),
    ("the 调休 Saturday 10/10 is a working day", [M("a", "works", 4)], date(2026, 9, 29), date(2026, 10, 10),
     ["a"], {"a": 0}),
    ("Mid-Autumn and National Day in one wait", [M("a", "works", 2), M("b", "works", 3, ("a",))],
     date(2026, 9, 23), date(2026, 10, 8), ["a", "b"], {"a": 0, "b": 0}),
    ("the 调休 Sunday 9/20 counts", [M("a", "works", 1)], date(2026, 9, 19), date(2026, 9, 20), ["a"], {"a": 0}),
    ("a milestone is a point", [M("a", "land", 2), M("sign", "land", 0, ("a",), kind="milestone"),
                                M("b", "land", 1, ("sign",))],
     date(2026, 3, 2), date(2026, 3, 5), ["a", "sign", "b"], {"a": 0, "sign": 0, "b": 0}),
    ("not before a target date", [M("sign", "land", 0, kind="milestone", not_before=date(2026, 3, 10)),
                                  M("b", "land", 2, ("sign",)), M("c", "land", 1)],
     date(2026, 3, 2), date(2026, 3, 12), ["sign", "b"], {"sign": 0, "b": 0, "c": 7}),
]


@pytest.mark.parametrize(("members", "start", "finish", "critical", "floats"), [c[1:] for c in CPM],
                         ids=[c[0] for c in CPM])
def test_critical_path_finish_and_float(members, start, finish, critical, floats):
    sch = _run(members, start=start)
    assert sch.finish == finish
    assert sch.critical == critical
    assert {k: r.float_days for k, r in sch.rows.items()} == floats


# (case, members, today, {member: (projected finish, delay)}, project finish)
ACTUALS = [
    ("finished early: successors move up", [M("a", "works", 3, finished=date(2026, 3, 3)),
                                            M("b", "works", 2, ("a",))],
     date(2026, 3, 3), {"a": (date(2026, 3, 3), -2), "b": (date(2026, 3, 5), -2)}, date(2026, 3, 5)),
    ("running past its promise: finishes no earlier than today",
     [M("a", "works", 2, started=date(2026, 3, 2)), M("b", "works", 1, ("a",))],
     date(2026, 3, 9), {"a": (date(2026, 3, 9), 3), "b": (date(2026, 3, 10), 3)}, date(2026, 3, 10)),
    ("not filed yet: starts today at the earliest", [M("a", "works", 2)], date(2026, 3, 6),
     {"a": (date(2026, 3, 10), 4)}, date(2026, 3, 10)),
    ("late across the holiday", [M("a", "works", 2, started=date(2026, 9, 28)), M("b", "works", 2, ("a",))],
     date(2026, 10, 8), {"a": (date(2026, 10, 8), 1), "b": (date(2026, 10, 10), 1)}, date(2026, 10, 10)),
]


@pytest.mark.parametrize(("members", "today", "rows", "finish"), [c[1:] for c in ACTUALS], ids=[c[0] for c in ACTUALS])
def test_actuals_move_the_projection(members, today, rows, finish):
    sch = _run(members, start=date(2026, 3, 2) if members[0].started != date(2026, 9, 28) else date(2026, 9, 28),
               today=today)
    assert {k: (sch.rows[k].projected_finish, sch.rows[k].delay) for k in rows} == rows
    assert sch.finish == finish


PARALLEL = [M("long", "works", 5), M("short", "works", 2), M("end", "works", 1, ("long", "short"))]


# (case, members, today, kw, expected warning codes (level), members named)
WARNINGS = [
    ("on time: nothing", PARALLEL, date(2026, 3, 2), {}, []),
    ("a delay within the float is a notice", [M("long", "works", 5, started=date(2026, 3, 2)),
                                              M("short", "works", 2, started=date(2026, 3, 2)),
                                              M("end", "works", 1, ("long", "short"))],
     date(2026, 3, 6), {}, [("float_eaten", "notice", "short")]),
    ("a delay beyond the float warns, once, at its cause", [
        M("long", "works", 5, started=date(2026, 3, 2), finished=date(2026, 3, 9)),
        M("short", "works", 2, started=date(2026, 3, 2)), M("end", "works", 1, ("long", "short"))],
     date(2026, 3, 12), {}, [("float_exceeded", "warning", "short"), ("finish_slip", "warning", "")]),
    ("a stage over its target", PARALLEL, date(2026, 3, 2), {"targets": {"works": 5}},
     [("stage_target", "warning", "")]),
    ("over the county's 30 days", [M("a", "works", 31)], date(2026, 3, 2), {}, [("county_target", "warning", "")]),
    ("over the national 120 days", [M("a", "works", 121)], date(2026, 3, 2), {},
     [("national_target", "warning", "")]),
    ("tasks and milestones are not approval time", [M("a", "land", 40, kind="task"), M("b", "land", 2, ("a",))],
     date(2026, 3, 2), {}, []),
    ("after the certificate target", PARALLEL, date(2026, 3, 2), {"finish_target": date(2026, 3, 6)},
     [("finish_target", "warning", "")]),
]


@pytest.mark.parametrize(("members", "today", "kw", "expected"), [c[1:] for c in WARNINGS], ids=[c[0] for c in WARNINGS])
def test_warnings(members, today, kw, expected):
    sch = _run(members, start=date(2026, 3, 2), today=today, **kw)
    assert [(w.code, w.level, w.member) for w in sch.warnings] == expected
    assert all(w.message for w in sch.warnings)


def test_approval_days_sum_the_stage_spans_of_items_and_bundles():
    sch = _run([M("a", "land", 5), M("t", "land", 9, kind="task"), M("b", "works", 2, ("a",)),
                M("c", "works", 3, ("a",), kind="bundle")], start=date(2026, 3, 2))
    assert sch.stage_days == {"land": 5, "works": 3}
    assert sch.approval_days == 8


@pytest.mark.parametrize(("members", "message"), [
    ([M("a", "works", 1, ("b",)), M("b", "works", 1, ("a",))], "成环"),
    ([M("a", "works", 1, ("x",))], "不是本项目的成员"),
    ([], "没有成员"),
])
def test_bad_networks_are_refused_in_chinese(members, message):
    with pytest.raises(ScheduleError, match=message):
        _run(members, start=date(2026, 3, 2))


def test_a_result_in_a_year_without_an_official_calendar_is_provisional():
    assert not _run([M("a", "works", 5)], start=date(2026, 12, 1)).provisional
    assert _run([M("a", "works", 40)], start=date(2026, 12, 1)).provisional


@pytest.mark.parametrize(("code", "error"), [
    ("2026-430321-47-01-000123", None),
    ("2026-430321-47-03-000001", None),
    ("", "请填写项目代码"),
    ("2026-430321-47-04-000123", "格式"),
    ("2026430321470100012", "格式"),
    ("2026-43032-47-01-000123", "格式"),
    ("1999-430321-47-01-000123", "年份"),
    ("2026-430321-47-01-000000", "流水号"),
])
def test_project_code_shape(code, error):
    result = rules.project_code_error(code)
    assert (result is None) if error is None else (error in result)


def test_the_standard_project_is_a_valid_network_with_three_construction_phases():
    specs = rules.project_members()
    assert [s.phase for s in specs if s.item == "SGXK"] == list(rules.PHASES)
    sch = _run([M(s.key, s.stage, s.days, s.after, kind=s.kind) for s in specs], start=date(2026, 3, 2))
    assert sch.approval_days <= rules.COUNTY_TARGET
    assert sum(rules.STAGE_TARGETS.values()) == rules.COUNTY_TARGET
    assert {"sign", "build", "complete", "LHYS", "BDCSCDJ"} <= set(sch.critical)
