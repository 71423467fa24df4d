"""Rules compiled to one SQL query agree with the per-enterprise evaluation (every operator, every
group), the explanation agrees with matching for every demo enterprise and policy, and matching
is one query, not a loop over enterprises."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.licences.services import licence_issue
from yiwang.organisations.models import Unit
from yiwang.parties.models import Party
from yiwang.policies import rules, selectors
from yiwang.policies.demo import XTCY, XTKJ
from yiwang.policies.models import EnterpriseProfile, Policy

pytestmark = pytest.mark.django_db


def _all_facts():
    profiles = list(EnterpriseProfile.objects.select_related("party", "party__park"))
    return profiles, selectors.facts_many(profiles)


def _sql_set(rule, today):
    q = rules.compile_rule(rule, today=today, start_of=selectors.start_of)
    return set(EnterpriseProfile.objects.filter(q).values_list("pk", flat=True))


def _python_set(rule, profiles, facts, today):
    return {p.pk for p in profiles
            if rules.evaluate_rule(rule, facts[p.pk], today=today, start_of=selectors.start_of)[0]}


CONDITIONS = [
    {"field": "employees", "op": "gte", "value": 50},
    {"field": "employees", "op": "gt", "value": 50},
    {"field": "employees", "op": "lt", "value": 20},
    {"field": "employees", "op": "lte", "value": 20},
    {"field": "employees", "op": "eq", "value": 18},
    {"field": "employees", "op": "ne", "value": 18},
    {"field": "insured", "op": "between", "value": [10, 100]},
    {"field": "revenue", "op": "gte", "value": 2000},
    {"field": "tax_paid", "op": "lt", "value": "30.5"},
    {"field": "investment", "op": "gte", "value": 2000},
    {"field": "industry_code", "op": "startswith", "value": "C"},
    {"field": "industry_code", "op": "startswith", "value": "c35"},
    {"field": "industry_code", "op": "eq", "value": "H6210"},
    {"field": "industry_code", "op": "in", "value": ["I6510", "G5430"]},
    {"field": "size", "op": "in", "value": ["small", "micro"]},
    {"field": "size", "op": "eq", "value": "medium"},
    {"field": "credit_grade", "op": "in", "value": ["A"]},
    {"field": "region", "op": "within", "value": "430300"},
    {"field": "region", "op": "within", "value": "430211"},
    {"field": "park", "op": "eq", "value": "TYJK"},
    {"field": "park", "op": "in", "value": ["ZZGX", "HRGX"]},
    {"field": "registered_on", "op": "within_years", "value": 5},
    {"field": "registered_on", "op": "before", "value": "2016-01-01"},
    {"field": "registered_on", "op": "after", "value": "2020-06-30"},
    {"field": "qualification", "op": "has", "value": "high_tech"},
    {"field": "qualification", "op": "has", "value": "high_tech", "years": 1},
    {"field": "qualification", "op": "not_has", "value": "tech_sme"},
    {"field": "licence", "op": "has", "value": "食品经营许可证"},
    {"field": "licence", "op": "not_has", "value": "食品经营许可证"},
    {"field": "credit", "op": "no_serious"},
    {"field": "credit", "op": "no_serious", "years": 3},
]


@pytest.fixture
def food_licence():
    """xtcy holds a valid 食品经营许可证; one other enterprise holds a revoked one."""
    unit = Unit.objects.get(code="XTX-SCJG")
    licence_issue(licence_type_name="食品经营许可证", holder=Party.objects.get(number=XTCY), issuer=unit)
    other = Party.objects.filter(kind="enterprise", profile__isnull=False).exclude(number=XTCY).first()
    revoked = licence_issue(licence_type_name="食品经营许可证", holder=other, issuer=unit)
    type(revoked).objects.filter(pk=revoked.pk).update(status="revoked")
    return other


@pytest.mark.parametrize("cond", CONDITIONS, ids=lambda c: f"{c['field']}-{c['op']}-{c.get('years', '')}")
def test_every_operator_compiles_to_sql_that_agrees_with_evaluation(cond, food_licence):
    rule = {"mode": "all", "items": [cond]}
    rules.rule_validate(rule)
    today = timezone.localdate()
    profiles, facts = _all_facts()
    sql = _sql_set(rule, today)
    assert sql == _python_set(rule, profiles, facts, today)
    assert 0 < len(sql) < len(profiles), "the demo should have enterprises on both sides of every condition"


def test_a_licence_condition_counts_only_a_valid_licence(food_licence):
    rule = {"mode": "all", "items": [{"field": "licence", "op": "has", "value": "食品经营许可证"}]}
    holders = set(EnterpriseProfile.objects.filter(pk__in=_sql_set(rule, timezone.localdate()))
                  .values_list("party__number", flat=True))
    assert holders == {XTCY}


GROUPS = [
    {"mode": "all", "items": [CONDITIONS[0], CONDITIONS[17]]},
    {"mode": "any", "items": [CONDITIONS[24], CONDITIONS[12]]},
    {"mode": "all", "items": [{"mode": "any", "items": [CONDITIONS[24], CONDITIONS[15]]}, CONDITIONS[29]]},
    {"mode": "any", "items": [{"mode": "all", "items": [CONDITIONS[19], CONDITIONS[10]]}, CONDITIONS[13]]},
    {"mode": "all", "items": [{"mode": "any", "items": [
        {"mode": "all", "items": [CONDITIONS[0], CONDITIONS[5]]}, CONDITIONS[2]]}, CONDITIONS[30]]},
]


@pytest.mark.parametrize("rule", GROUPS, ids=range(len(GROUPS)))
def test_every_group_compiles_to_sql_that_agrees_with_evaluation(rule):
    today = timezone.localdate()
    profiles, facts = _all_facts()
    sql = _sql_set(rule, today)
    assert sql == _python_set(rule, profiles, facts, today)
    assert 0 < len(sql) < len(profiles)


def test_an_unknown_figure_satisfies_no_comparison_not_even_not_equal():
    profile = EnterpriseProfile.objects.get(party__number=XTCY)
    EnterpriseProfile.objects.filter(pk=profile.pk).update(employees=None)
    rule = {"mode": "all", "items": [{"field": "employees", "op": "ne", "value": 5}]}
    assert profile.pk not in _sql_set(rule, timezone.localdate())
    profile.refresh_from_db()
    ok, outcomes = rules.evaluate_rule(rule, selectors.facts_of(profile), today=timezone.localdate(),
                                       start_of=selectors.start_of)
    assert not ok and outcomes[0].value == "无数据"


def test_the_explanation_agrees_with_matching_for_every_demo_enterprise_and_policy():
    profiles, facts = _all_facts()
    policies = list(Policy.objects.all())
    assert len(policies) >= 5 and len(profiles) >= 300
    for policy in policies:
        listed = dict(selectors.match_list(policy).values_list("pk", "grant_amount"))
        assert listed, f"{policy.code} matches nobody in the demo"
        for p in profiles:
            ex = selectors.explain(policy, p, facts=facts[p.pk], names_fn=lambda k, c: c)
            assert ex.qualifies is (p.pk in listed), (policy.code, p.party.number, ex.outcomes)
            assert all(o.source for o in ex.outcomes if o.value != "无数据"), "every value names its source"
            if ex.qualifies:
                assert ex.amount == Decimal(listed[p.pk]).quantize(Decimal("0.01")), (policy.code, p.party.number)


def test_matching_a_policy_is_one_query_whatever_the_number_of_enterprises():
    policy = Policy.objects.get(code="XTX-2026-ZJ01")
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.match_list(policy).values_list("party__number", "grant_amount"))
    assert len(ctx.captured_queries) == 1 and rows


def test_the_calculator_shows_what_the_demo_enterprises_qualify_for_and_what_they_miss():
    result = selectors.calculator(selectors.profile_of(XTKJ))
    got = {e.policy.code: e.amount for e in result["qualifies"]}
    assert got["XTX-2026-GQ01"] == Decimal("100000.00")
    assert got["TYJK-2026-ZJ01"] == Decimal("300000.00")  # 1% of 3000万元
    assert got["XTX-2026-WG01"] == Decimal("40000.00")  # 80 insured × 500
    nearly = {e.policy.code: [m.sentence for m in e.missing] for e in result["nearly"]}
    assert "XTX-2026-ZJ01" in nearly
    cy = selectors.calculator(selectors.profile_of(XTCY))
    assert [e.policy.code for e in cy["qualifies"]] == ["XTX-2026-WG01"]
    assert {e.policy.code: [m.sentence for m in e.missing] for e in cy["nearly"]}["XTX-2026-KX01"] == [
        "持有有效的“科技型中小企业”资质"]


def test_a_rule_of_the_last_n_years_moves_with_the_day_it_is_read():
    rule = {"mode": "all", "items": [{"field": "qualification", "op": "has", "value": "high_tech", "years": 1}]}
    xtkj = EnterpriseProfile.objects.get(party__number=XTKJ).pk
    assert xtkj in _sql_set(rule, date(2026, 12, 1))
    assert xtkj not in _sql_set(rule, date(2027, 3, 16))  # recognised 2026-03-15: more than a year ago


def test_the_calculator_reads_the_same_few_queries_whatever_the_number_of_policies():
    """Qualifying and amounts for every policy in one query; the misses explained from one load of
    the facts: the count does not grow with the policies."""
    profile = selectors.profile_of(XTCY)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            result = selectors.calculator(profile)
        return len(ctx.captured_queries), result

    before, _ = count()
    base = Policy.objects.get(code="XTX-2026-KX01")
    for i in range(20):
        Policy.objects.create(code=f"COPY-{i:02d}", name=f"副本{i}", issuing_unit=base.issuing_unit, rule=base.rule,
                              amount=base.amount, status="published", mode="proactive")
    after, result = count()
    assert after == before <= 6
    assert len([e for e in result["nearly"] if e.policy.code.startswith("COPY-")]) == 20


def test_the_calculator_agrees_with_the_explanation_for_every_demo_enterprise():
    profiles = list(EnterpriseProfile.objects.select_related("party", "party__park").prefetch_related("qualifications"))
    facts = selectors.facts_many(profiles)
    policies = list(selectors.published_policies())
    for p in profiles:
        got = selectors.calculator(p)
        ok = {e.policy.code: e.amount for e in got["qualifies"]}
        near = {e.policy.code: [m.sentence for m in e.missing] for e in got["nearly"]}
        want, want_near = {}, {}
        for policy in policies:
            ex = selectors.explain(policy, p, facts=facts[p.pk])
            if ex.qualifies:
                want[policy.code] = ex.amount
            elif ex.missing:
                want_near[policy.code] = [m.sentence for m in ex.missing]
        assert (ok, near) == (want, want_near), p.party.number
