"""The pure rules, table by table: the draw, the cap, the exemption, the grade, the commitment bar."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from yiwang.supervision import rules
from yiwang.supervision.rules import DrawInput, draw

ROOT = Path(__file__).resolve().parents[2]


def _cands(n_by_risk: dict[str, int]) -> tuple:
    return tuple((f"{risk}-{i:04d}", risk) for risk, n in n_by_risk.items() for i in range(n))


def test_sm3_is_the_standard_one():
    # GB/T 32905-2016 appendix A, examples 1 and 2
    assert rules.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert rules.sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_the_draw_uses_the_fastest_sm3_there_is():
    assert rules.SM3_IMPLEMENTATION == "gmssl"  # gmssl-pyx is a dependency
    assert {"gmssl", "openssl", "python"} <= set(rules.SM3_IMPLEMENTATIONS)


@pytest.mark.parametrize("data", [b"", b"abc", b"seed|id-1", b"xtx-scjg-2026-demo-seed|91430321MA4X000013",
                                  "种子|检查对象".encode(), bytes(range(256)) * 3])
def test_every_sm3_implementation_gives_the_same_digest(data):
    # A published draw must re-run to the same result on a machine with only one of them.
    digests = {name: f(data) for name, f in rules.SM3_IMPLEMENTATIONS.items()}
    assert len(set(digests.values())) == 1, digests


def test_a_draw_is_the_same_whichever_sm3_ranks_it(monkeypatch):
    inp = DrawInput(seed="same", candidates=_cands({"high": 40, "low": 300}), inspectors=tuple(f"i{n}" for n in range(6)))
    results = set()
    for f in rules.SM3_IMPLEMENTATIONS.values():
        monkeypatch.setattr(rules, "sm3_digest", f)
        results.add(rules.result_hash(draw(inp).as_json()))
    assert len(results) == 1


@pytest.mark.parametrize(("n", "percent", "k"), [
    (0, "30", 0), (1, "1", 1), (100, "1", 1), (101, "1", 2), (10, "30", 3), (7, "30", 3), (50, "2", 1),
    (10, "100", 10), (10, "0", 0), (1000, "2.5", 25),
])
def test_quota_rounds_up_and_never_exceeds_the_class(n, percent, k):
    assert rules.quota(n, percent) == k


@pytest.mark.parametrize("percent", ["-1", "100.5"])
def test_quota_refuses_a_ratio_out_of_range(percent):
    with pytest.raises(rules.DrawError):
        rules.quota(10, percent)


@pytest.mark.parametrize(("sizes", "expected"), [
    ({"high": 10, "medium_high": 20, "medium": 100, "low": 300}, {"high": 3, "medium_high": 2, "medium": 2, "low": 3}),
    ({"low": 50}, {"low": 1}),
    ({"high": 1, "low": 1}, {"high": 1, "low": 1}),
])
def test_targets_by_ratio_per_risk_class(sizes, expected):
    inp = DrawInput(seed="seed-2026", candidates=_cands(sizes), inspectors=tuple(f"I{i}" for i in range(8)))
    got = {}
    for t in draw(inp).targets:
        got[t.risk] = got.get(t.risk, 0) + 1
    assert got == expected


def test_targets_are_the_first_k_by_sm3_of_seed_and_id():
    cands = _cands({"low": 200})
    inp = DrawInput(seed="abc", candidates=cands, inspectors=("I1", "I2"), ratios={"low": "2"})
    by_hash = sorted(cands, key=lambda c: rules.sm3_hex(f"abc|{c[0]}".encode()))
    assert [t.candidate for t in draw(inp).targets] == [c[0] for c in by_hash[:4]]
    assert draw(inp).targets[0].rank == rules.sm3_hex(f"abc|{by_hash[0][0]}".encode())


def test_a_different_seed_draws_differently_and_the_same_seed_the_same():
    cands = _cands({"medium": 500})
    a = draw(DrawInput(seed="s1", candidates=cands, inspectors=("I1", "I2", "I3")))
    b = draw(DrawInput(seed="s1", candidates=tuple(reversed(cands)), inspectors=("I3", "I2", "I1")))
    c = draw(DrawInput(seed="s2", candidates=cands, inspectors=("I1", "I2", "I3")))
    assert a == b  # the order the list is given in does not matter
    assert [t.candidate for t in a.targets] != [t.candidate for t in c.targets]


@pytest.mark.parametrize(("n_targets", "n_inspectors", "per_target"), [(10, 2, 2), (10, 7, 2), (30, 10, 3), (3, 50, 2)])
def test_every_target_gets_distinct_inspectors_and_the_load_is_even(n_targets, n_inspectors, per_target):
    inp = DrawInput(seed="x", candidates=_cands({"high": n_targets}), inspectors=tuple(f"I{i}" for i in range(n_inspectors)),
                    ratios={"high": "100"}, per_target=per_target)
    result = draw(inp)
    assert len(result.targets) == n_targets and not result.short
    load: dict[str, int] = {}
    for t in result.targets:
        assert len(set(t.inspectors)) == per_target
        for i in t.inspectors:
            load[i] = load.get(i, 0) + 1
    share = -(-n_targets * per_target // n_inspectors)
    assert max(load.values()) <= share + 1


@pytest.mark.parametrize(("conflicted", "n_inspectors", "short"), [
    ({"I0"}, 3, False),  # one stands back, two remain
    ({"I0", "I1"}, 3, True),  # one remains: the target cannot be inspected by two, it is reported short
    (set(), 2, False),
])
def test_conflicts_exclude_inspectors_from_their_target(conflicted, n_inspectors, short):
    seed = "seed"
    target = "high-0000"
    conflicts = frozenset(rules.conflict_token(seed, i, target) for i in conflicted)
    inp = DrawInput(seed=seed, candidates=(("high-0000", "high"),), inspectors=tuple(f"I{i}" for i in range(n_inspectors)),
                    conflicts=conflicts, ratios={"high": "100"})
    result = draw(inp)
    assert (result.short == (target,)) is short
    for t in result.targets:
        assert not set(t.inspectors) & conflicted


@pytest.mark.parametrize(("inspectors", "per_target"), [(("I1",), 2), (("I1", "I2", "I3"), 1)])
def test_a_draw_needs_two_inspectors_per_target(inspectors, per_target):
    with pytest.raises(rules.DrawError):
        draw(DrawInput(seed="s", candidates=_cands({"low": 5}), inspectors=inspectors, per_target=per_target))


def test_the_draw_reruns_to_the_same_result_in_a_separate_process(tmp_path):
    doc = {"seed": "9f1c2e", "candidates": [list(c) for c in _cands({"high": 20, "medium": 300, "low": 900})],
           "inspectors": [f"XZ{i:05d}" for i in range(12)], "ratios": rules.DEFAULT_RATIOS, "per_target": 2,
           "conflicts": [rules.conflict_token("9f1c2e", "XZ00001", "high-0003")]}
    here = rules.draw_from_json(doc)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "yiwang.supervision.redraw", str(path)], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "123"})
    there = json.loads(out.stdout)
    assert there["result_hash"] == here["result_hash"] and there["result"] == here["result"]
    assert there["candidates_hash"] == rules.candidates_hash(tuple(map(tuple, doc["candidates"])))


@pytest.mark.parametrize(("check_kind", "basis_kind", "counts"), [
    ("general", "random", True), ("general", "manual", True), ("key", "random", False),
    ("general", "complaint", False), ("general", "key", False), ("key", "complaint", False),
])
def test_which_inspections_count_to_the_cap(check_kind, basis_kind, counts):
    assert rules.counts_to_cap(check_kind=check_kind, basis_kind=basis_kind) is counts


@pytest.mark.parametrize(("earlier", "day", "counts", "breach"), [
    ([], date(2026, 5, 1), True, None),
    ([(2026, True, "JC1")], date(2026, 12, 31), True, "JC1"),
    ([(2026, True, "JC1")], date(2027, 1, 1), True, None),  # across the year boundary: a new year
    ([(2025, True, "JC0")], date(2026, 1, 1), True, None),
    ([(2026, False, "JC2")], date(2026, 6, 1), True, None),  # a complaint check earlier does not count
    ([(2026, True, "JC1")], date(2026, 6, 1), False, None),  # a key item now is excepted
])
def test_the_cap_is_once_a_calendar_year(earlier, day, counts, breach):
    assert rules.cap_breach(earlier, year=rules.cap_year(day), counts=counts) == breach


D = date(2026, 6, 15)


@pytest.mark.parametrize(("kw", "exempt", "says"), [
    ({}, True, "不予行政处罚"),
    ({"on_list": False}, False, "不在本单位首违免罚清单"),
    ({"minor_harm": False}, False, "不属轻微"),
    ({"corrected": False}, False, "未及时改正"),
    ({"prior": [(date(2026, 1, 10), "WF1")]}, False, "2026-01-10已有同类违法行为（记录 WF1）"),
    ({"prior": [(date(2025, 6, 14), "WF0")]}, True, "不予行政处罚"),  # outside the 12 months
    ({"prior": [(date(2025, 6, 15), "WF0")]}, False, "非首次"),  # on the first day of the period
    ({"prior": [(date(2026, 7, 1), "WF9")]}, True, "不予行政处罚"),  # a later one is not an earlier one
])
def test_first_violation_exemption(kw, exempt, says):
    args = {"on_list": True, "minor_harm": True, "corrected": True, "occurred_on": D, "prior": [],
            "period_months": 12, **kw}
    got = rules.exemption_decide(**args)
    assert got.exempt is exempt and says in got.reason


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 3, 31), 1, date(2026, 2, 28)), (date(2024, 3, 31), 1, date(2024, 2, 29)),
    (date(2026, 1, 15), 12, date(2025, 1, 15)), (date(2026, 1, 15), 2, date(2025, 11, 15)),
])
def test_months_before(day, months, expected):
    assert rules.months_before(day, months) == expected


T = date(2026, 6, 1)


@pytest.mark.parametrize(("records", "grade", "score"), [
    ([], "A", 100),
    ([("commendation", date(2026, 1, 1))], "A", 100),  # never above the base
    ([("exemption", date(2026, 1, 1))], "A", 98),
    ([("inspection_rectify", date(2026, 1, 1))], "B", 90),
    ([("penalty", date(2026, 1, 1))], "C", 75),
    ([("false_commitment", date(2026, 1, 1))], "C", 60),
    ([("false_commitment", date(2026, 1, 1)), ("penalty", date(2026, 2, 1))], "D", 35),
    ([("false_commitment", date(2023, 5, 1))], "A", 100),  # outside the 3-year window
    ([("false_commitment", date(2026, 7, 1))], "A", 100),  # a future date does not count
    ([("unknown_kind", date(2026, 1, 1))], "A", 100),
])
def test_credit_grade(records, grade, score):
    got = rules.credit_grade(records, today=T)
    assert (got.grade, got.score) == (grade, score)


def test_credit_rules_are_configurable():
    strict = {**rules.DEFAULT_CREDIT_RULES, "points": {"exemption": -10}, "grades": [["A", 95], ["B", None]]}
    assert rules.credit_grade([("exemption", date(2026, 1, 1))], today=T, rules=strict).grade == "B"


@pytest.mark.parametrize(("grade", "risk"), [("A", "low"), ("B", "medium"), ("C", "medium_high"), ("D", "high")])
def test_a_lower_grade_is_a_higher_risk_with_a_higher_ratio(grade, risk):
    assert rules.risk_of(grade) == risk
    order = ["low", "medium", "medium_high", "high"]
    ratios = [float(rules.DEFAULT_RATIOS[r]) for r in order]
    assert ratios == sorted(ratios)


@pytest.mark.parametrize(("records", "years", "barred"), [
    ([], 3, False),
    ([("false_commitment", date(2025, 6, 1), "办件X")], 3, True),
    ([("false_commitment", date(2023, 5, 31), "办件X")], 3, False),
    ([("false_commitment", date(2024, 6, 1), "办件X")], 1, False),
    ([("penalty", date(2026, 1, 1), "罚款")], 3, False),
])
def test_commitment_bar(records, years, barred):
    reason = rules.commitment_bar(records, today=T, years=years)
    assert (reason is not None) is barred
    if barred:
        assert "不适用告知承诺制" in reason and "办件X" in reason


@pytest.mark.parametrize(("kind", "recorded", "repaired", "says"), [
    ("false_commitment", date(2026, 1, 1), False, None),
    ("false_commitment", date(2026, 4, 1), False, "公示满90天"),
    ("false_commitment", date(2026, 3, 3), False, None),  # exactly 90 days on 2026-06-01
    ("inspection_rectify", date(2026, 5, 31), False, None),
    ("inspection_case", date(2025, 12, 1), False, "公示满365天"),
    ("commendation", date(2025, 1, 1), False, "不属于可修复"),
    ("penalty", date(2025, 1, 1), True, "已修复"),
])
def test_repair_conditions_per_record_kind(kind, recorded, repaired, says):
    got = rules.repair_refusal(kind=kind, recorded_on=recorded, today=T, repaired=repaired)
    assert (got is None) if says is None else (says in got)


# ---------------------------------------------------------------- 联合抽查

def _pin_input(**kw) -> DrawInput:
    cands = tuple((f"91430321MA4X{i:05d}", ["low", "medium", "medium_high", "high"][i % 4]) for i in range(400))
    conf = frozenset({rules.conflict_token("pin-seed", "430321000001", "91430321MA4X00003")})
    return DrawInput(seed="pin-seed", candidates=cands, inspectors=tuple(f"43032100{i:04d}" for i in range(1, 9)),
                     conflicts=conf, **kw)


def test_a_one_unit_draw_gives_the_result_it_gave_before_joint_draws_existed():
    # Pinned from the rules as published before 联合抽查: a published draw must re-run to the same hash.
    assert rules.result_hash(draw(_pin_input()).as_json()) == (
        "a59cffe2cf5876b3dfbc2ff65a7ca83a355ed032a3c533d7ffdb0fd38fa99a60")
    assert rules.candidates_hash(_pin_input().candidates) == (
        "0bb82afe79d988feb642bc1f2fcef2841826b081cc704ef04e5d59796f00c044")


def _teams(*sizes: int) -> tuple:
    return tuple((f"U{u}", tuple(f"U{u}-i{n}" for n in range(size))) for u, size in enumerate(sizes))


def test_a_joint_draw_shares_the_targets_and_staffs_each_from_every_unit():
    solo = draw(_pin_input())
    joint = draw(_pin_input(teams=_teams(8, 6, 7)))
    assert not solo.short and not joint.short
    assert [t.candidate for t in joint.targets] == [t.candidate for t in solo.targets]  # one list for all
    for t in joint.targets:
        assert [u for u, _ in t.teams] == ["U0", "U1", "U2"]
        for unit, names in t.teams:
            assert len(names) == 2 and all(n.startswith(f"{unit}-") for n in names)
        assert t.inspectors == tuple(n for _, names in t.teams for n in names)
        assert json.dumps(rules._target_json(t)["teams"])  # published per unit


@pytest.mark.parametrize(("sizes", "short"), [
    ((8, 2), False),  # two inspectors are enough for a unit, with the even share let one over
    ((8, 1), True),   # a unit of one cannot staff a target: the draw refuses
])
def test_a_joint_draw_needs_every_unit_to_staff_every_target(sizes, short):
    if short:
        with pytest.raises(rules.DrawError, match="U1执法检查人员不足"):
            draw(_pin_input(teams=_teams(*sizes)))
    else:
        assert draw(_pin_input(teams=_teams(*sizes))).targets


def test_a_conflict_in_one_unit_shorts_the_target_for_the_visit():
    cands = (("c1", "high"),)
    teams = (("A", ("a1", "a2", "a3")), ("B", ("b1", "b2")))
    conflicts = frozenset({rules.conflict_token("s", "b1", "c1")})
    out = draw(DrawInput(seed="s", candidates=cands, inspectors=(), conflicts=conflicts, ratios={"high": "100"},
                         teams=teams))
    assert out.short == ("c1",) and not out.targets


def test_a_joint_draw_re_runs_from_its_document():
    doc = {"seed": "j-seed", "candidates": [[f"e{i:03d}", "high"] for i in range(30)], "inspectors": [],
           "conflicts": [], "ratios": {"high": "30"}, "per_target": 2,
           "teams": [["XTX-SCJG", ["s1", "s2", "s3", "s4"]], ["XTX-YJJ", ["y1", "y2"]]]}
    first, again = rules.draw_from_json(doc), rules.draw_from_json(json.loads(json.dumps(doc)))
    assert first == again and len(first["result"]["targets"]) == 9
    assert set(first["result"]["targets"][0]["teams"]) == {"XTX-SCJG", "XTX-YJJ"}


@pytest.mark.parametrize(("recorded", "on", "refused"), [
    ([], date(2026, 5, 6), False),                      # the first unit to record sets the day
    ([date(2026, 5, 6)], date(2026, 5, 6), False),      # the same door, the same day
    ([date(2026, 5, 6)], date(2026, 5, 7), True),       # a second visit is not a joint one
    ([date(2026, 5, 6), date(2026, 5, 6)], date(2026, 5, 5), True),
])
def test_every_unit_of_a_joint_visit_records_the_visits_one_date(recorded, on, refused):
    assert (rules.joint_visit_refusal(recorded=recorded, inspected_on=on) is not None) is refused
