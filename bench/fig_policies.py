"""Figure: matching 50 policies over 200 000 enterprises (the compiled rule's one query per policy)
against a plain SELECT count(*) with the same predicates written by hand, in the same run; and the
政策计算器 for one enterprise over the published policies, p99.

The enterprises are generated in SQL (generate_series) the first time and kept; their numbers
start with BENCH so that nothing else mistakes them for real codes."""

from __future__ import annotations

import random
import time

from .common import Figure, SkipFigure, summary_ms

REGIONS = ["430321", "430211", "430421", "430623"]
INDUSTRIES = ["C3562", "C3981", "C2614", "H6210", "F5211", "I6510", "E4813", "G5430"]


def _generate(n: int) -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM policies_enterpriseprofile e JOIN parties_party p ON p.id = e.party_id "
                  "WHERE p.number LIKE 'BENCH%%'", [])
        if c.fetchone()[0] >= n:
            return
        c.execute("SELECT count(*) FROM parties_party WHERE number LIKE 'BENCH%%'", [])
        have = c.fetchone()[0]
        c.execute("""
            INSERT INTO parties_party (kind, number, name, region_id, phone, address, legal_representative,
                industry, size, flags, created_at, registered_case)
            SELECT 'enterprise', 'BENCH' || lpad(g::text, 13, '0'), '基准企业' || g, (%s::text[])[1 + g %% 4],
                   '', '', '', '', '', '[]', now(), ''
            FROM generate_series(%s::int, %s::int) g""", [REGIONS, have + 1, n])
        c.execute("""UPDATE parties_party SET park_id = (SELECT id FROM organisations_unit WHERE code = 'TYJK')
                     WHERE number LIKE 'BENCH%%' AND right(number, 1) IN ('1', '4', '7') AND park_id IS NULL""", [])
        c.execute("""
            INSERT INTO policies_enterpriseprofile (party_id, industry_code, size, registered_on, employees, insured,
                revenue, tax_paid, investment, credit_grade, figures_year, sources, updated_at)
            SELECT p.id, (%s::text[])[1 + (p.id * 7) %% 8], (ARRAY['large','medium','small','micro'])[1 + (p.id * 13) %% 4],
                   date '2010-01-01' + (p.id * 37 %% 5800)::int, (p.id * 17) %% 800, greatest(0, (p.id * 17) %% 800 - (p.id %% 9)),
                   (p.id * 31) %% 50000, (p.id * 11) %% 900, (p.id * 23) %% 9000, (ARRAY['A','B','M','C'])[1 + p.id %% 4],
                   2025, '{}', now()
            FROM parties_party p LEFT JOIN policies_enterpriseprofile e ON e.party_id = p.id
            WHERE p.number LIKE 'BENCH%%' AND e.id IS NULL""", [INDUSTRIES])
        for kind, mod, start in (("high_tech", 10, "2024-01-01"), ("tech_sme", 7, "2026-01-01"),
                                 ("specialised", 23, "2025-06-01")):
            c.execute(f"""
                INSERT INTO policies_qualification (profile_id, kind, certificate, recognised_on, valid_until, source)
                SELECT e.id, %s, '', date '{start}' + (e.id %% 600)::int, date '2029-12-31', '基准'
                FROM policies_enterpriseprofile e JOIN parties_party p ON p.id = e.party_id
                WHERE p.number LIKE 'BENCH%%' AND e.id %% {mod} = 0 ON CONFLICT DO NOTHING""", [kind])
        c.execute("""
            INSERT INTO parties_creditrecord (party_id, kind, reason, source, created_at)
            SELECT p.id, 'serious_dishonest', '基准', '基准', now() - ((p.id %% 2000) || ' days')::interval
            FROM parties_party p WHERE p.number LIKE 'BENCH%%' AND p.id %% 33 = 0
              AND NOT EXISTS (SELECT 1 FROM parties_creditrecord r WHERE r.party_id = p.id)""", [])
        c.execute("ANALYZE parties_party; ANALYZE policies_enterpriseprofile; ANALYZE policies_qualification; "
                  "ANALYZE parties_creditrecord")


def _rules(seed: int) -> list[dict]:
    """50 rules of the shapes real policies have: thresholds, region, size, a qualification, no
    serious credit record, sometimes a park or an any-group."""
    rng = random.Random(seed)
    out = []
    for i in range(50):
        items = [{"field": "employees", "op": "gte", "value": rng.choice([5, 10, 20, 50, 100])},
                 {"field": "region", "op": "within", "value": rng.choice(["430300", "430321", "430000"])},
                 {"field": "credit", "op": "no_serious", "years": 3}]
        if i % 2:
            items.append({"field": "size", "op": "in", "value": ["small", "micro"]})
        if i % 3 == 0:
            items.append({"field": "qualification", "op": "has", "value": "high_tech", "years": 2})
        if i % 5 == 0:
            items.append({"field": "park", "op": "eq", "value": "TYJK"})
        if i % 4 == 1:
            items.append({"mode": "any", "items": [
                {"field": "industry_code", "op": "startswith", "value": "C"},
                {"field": "revenue", "op": "between", "value": [rng.choice([500, 1000]), 20000]}]})
        out.append({"mode": "all", "items": items})
    return out


def hand_sql(rule: dict, today) -> tuple[str, list]:
    """The same predicates as SQL written by hand (what a developer would type for a count)."""
    from yiwang.policies.rules import region_prefix, years_ago
    from yiwang.policies.selectors import start_of

    def cond(c) -> tuple[str, list]:
        f, v = c.get("field"), c.get("value")
        if "items" in c:
            parts = [cond(x) for x in c["items"]]
            joiner = " OR " if c.get("mode") == "any" else " AND "
            return "(" + joiner.join(p for p, _ in parts) + ")", [a for _, ps in parts for a in ps]
        if f == "employees":
            return "e.employees >= %s", [v]
        if f == "revenue":
            return "e.revenue BETWEEN %s AND %s", v
        if f == "region":
            return "p.region_id LIKE %s", [region_prefix(v) + "%"]
        if f == "size":
            return "e.size = ANY(%s)", [v]
        if f == "park":
            return "p.park_id = (SELECT id FROM organisations_unit WHERE code = %s)", [v]
        if f == "industry_code":
            return "e.industry_code LIKE %s", [v + "%"]
        if f == "qualification":
            return ("EXISTS (SELECT 1 FROM policies_qualification q WHERE q.profile_id = e.id AND q.kind = %s "
                    "AND q.recognised_on <= %s AND (q.valid_until IS NULL OR q.valid_until >= %s) "
                    "AND q.recognised_on > %s)", [v, today, today, years_ago(today, c["years"])])
        return ("NOT EXISTS (SELECT 1 FROM parties_creditrecord r WHERE r.party_id = e.party_id AND r.kind IN "
                "('false_commitment', 'serious_dishonest', 'major_tax_violation') AND r.created_at >= %s)",
                [start_of(years_ago(today, c["years"]))])

    where, params = cond(rule)
    return ("SELECT count(*) FROM policies_enterpriseprofile e JOIN parties_party p ON p.id = e.party_id "
            f"WHERE p.kind = 'enterprise' AND {where}"), params


def run(ctx) -> list[Figure]:
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        raise SkipFigure("needs PostgreSQL")
    from yiwang.organisations.models import Unit
    from yiwang.policies import selectors
    from yiwang.policies.models import EnterpriseProfile, Policy

    n = 20_000 if ctx.quick else 200_000
    ctx.log(f"enterprises with profiles: {n:,}")
    _generate(n)
    today = timezone.localdate()
    unit = Unit.objects.get(code="XTX-KGJ")
    policies = []
    for i, rule in enumerate(_rules(ctx.seed)):
        p, _ = Policy.objects.update_or_create(code=f"BENCH-{i:02d}", defaults={
            "name": f"基准政策{i}", "issuing_unit": unit, "rule": rule, "status": "published",
            "amount": {"kind": "per_head", "field": "insured", "value": 300, "cap": 100000}})
        policies.append(p)

    def ours(p):
        return selectors.matching_profiles(p, today=today).count()

    def hand(p):
        sql, params = hand_sql(p.rule, today)
        with connection.cursor() as c:
            c.execute(sql, params)
            return c.fetchone()[0]

    for p in policies:  # both must count the same before their times mean anything; warms the cache
        a, b = ours(p), hand(p)
        if a != b:
            raise AssertionError(f"{p.code}: compiled rule counts {a}, hand-written SQL {b}")
    rounds = 3
    t_ours = t_hand = 0.0
    for _ in range(rounds):
        t0 = time.perf_counter()
        for p in policies:
            ours(p)
        t_ours += time.perf_counter() - t0
        t0 = time.perf_counter()
        for p in policies:
            hand(p)
        t_hand += time.perf_counter() - t0
    t0 = time.perf_counter()
    listed = sum(len(selectors.match_list(p, today=today).values_list("party_id", "grant_amount")) for p in policies)
    t_list = time.perf_counter() - t0
    per_ours, per_hand = t_ours / rounds / len(policies), t_hand / rounds / len(policies)
    ratio = per_hand / per_ours

    rng = random.Random(ctx.seed)
    ids = list(EnterpriseProfile.objects.filter(party__number__startswith="BENCH").values_list("pk", flat=True)[:5000])
    samples = []
    for pk in rng.sample(ids, min(200, len(ids))):
        t0 = time.perf_counter()
        profile = EnterpriseProfile.objects.select_related("party", "party__park").prefetch_related(
            "qualifications").get(pk=pk)
        selectors.calculator(profile, today=today)
        samples.append(time.perf_counter() - t0)
    calc = summary_ms(samples)
    n_published = Policy.objects.filter(status="published").count()
    return [
        Figure(key="policies_match", title="政策匹配（每项政策一条 SQL）", value=round(per_ours * 1000, 2),
               unit="ms/policy", baseline_name="hand-written SELECT count(*)", baseline=round(per_hand * 1000, 2),
               baseline_unit="ms/policy", ratio=round(ratio, 2), target="≥ 0.5", met=ratio >= 0.5,
               detail={"enterprises": n, "policies": len(policies), "rounds": rounds,
                       "total_seconds": round(t_ours / rounds, 3), "list_with_amounts_seconds": round(t_list, 3),
                       "listed_rows": listed}),
        Figure(key="policies_calculator", title="政策计算器（一户企业）", value=calc["p99_ms"], unit="ms p99",
               target="< 50 ms", met=calc["p99_ms"] < 50, detail={**calc, "published_policies": n_published}),
    ]
