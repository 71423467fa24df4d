"""Demo for 惠企政策: a few hundred enterprises with profiles (generated deterministically, valid
GB 32100 codes), five real-shaped Hunan policies, and a 稳岗返还 list matched and reviewed so that
the demo enterprises xtkj and xtcy have something to confirm. Loading twice changes nothing."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from yiwang.organisations.models import Unit
from yiwang.parties.models import CreditRecord, Party

from . import rules
from .models import EnterpriseProfile, EnterpriseYear, Grant, Policy, PolicyStatus, Qualification

AS_OF = date(2026, 4, 30)  # the tax year 2025 figures, as exported after the annual settlement
YEAR = 2025
N_ENTERPRISES = 300

# (industry code, word in the name)
INDUSTRIES = [
    ("C3562", "电子专用设备"), ("C3981", "电子元件"), ("C2614", "化工新材料"), ("C1469", "食品"),
    ("C3360", "金属制品"), ("C3812", "电机"), ("F5211", "百货零售"), ("H6210", "餐饮"), ("I6510", "软件"),
    ("E4813", "建设工程"), ("G5430", "物流"), ("L7212", "企业管理咨询"), ("A0111", "农业"), ("K7020", "物业"),
]
WORDS = ["湘江", "昭山", "莲城", "天易", "韶峰", "易俗", "九华", "云龙", "株洲", "西渡", "华容", "洞庭", "芙蓉",
         "梅林", "锦程", "恒达", "华兴", "盛邦", "瑞丰", "长青"]
# (region, park or None, weight)
# (衡阳县 keeps no demo enterprise: the supervision demo's directory relies on it)
PLACES = [("430321", "TYJK", 5), ("430321", None, 4), ("430211", "ZZGX", 2), ("430211", None, 1),
          ("430623", "HRGX", 1)]
REGION_CITY = {"430321": "湘潭", "430211": "株洲", "430623": "岳阳"}


def demo_uscc(region: str, n: int) -> str:
    """工商 · 企业 · region · a GB 11714 organisation code from n · the GB 32100 check character."""
    body = f"{(n * 7919 + 20260000) % 10**8:08d}"
    c = 11 - sum(int(d) * w for d, w in zip(body, [3, 7, 9, 10, 5, 8, 4, 2], strict=True)) % 11
    org_check = {10: "X", 11: "0"}.get(c, str(c))
    first17 = f"91{region}{body}{org_check}"
    return first17 + stdnum_uscc.calc_check_digit(first17)


XTKJ = "91430321MA4L16JQ95"
XTCY = "91430321MA4T8K2P6K"


def _figures(rng: random.Random, industry: str) -> dict:
    scale = rng.choice([1, 1, 1, 2, 2, 3, 5, 8, 20])
    employees = rng.randint(3, 40) * scale
    return {
        "industry_code": industry, "employees": employees,
        "insured": max(0, employees - rng.randint(0, max(1, employees // 5))),
        "revenue": Decimal(rng.randint(50, 1500) * scale).quantize(Decimal("0.01")),
        "tax_paid": Decimal(rng.randint(2, 90) * scale).quantize(Decimal("0.01")),
        "investment": Decimal(rng.randint(0, 1200) * scale).quantize(Decimal("0.01")),
        "registered_on": date(2012, 1, 1) + timedelta(days=rng.randint(0, 5000)),
        "credit_grade": rng.choice("AAABBBM"),
    }


def _qualifications(rng: random.Random) -> list[tuple[str, date, date | None]]:
    out = []
    roll = rng.random()
    if roll < 0.14:
        got = date(2023, 11, 1) + timedelta(days=rng.randint(0, 1000))
        out.append(("high_tech", got, got.replace(year=got.year + 3) - timedelta(days=1)))
    if rng.random() < 0.10:
        got = date(2024, 6, 1) + timedelta(days=rng.randint(0, 700))
        out.append(("specialised", got, got.replace(year=got.year + 3) - timedelta(days=1)))
    if rng.random() < 0.2:
        got = date(2026, 3, 1) + timedelta(days=rng.randint(0, 90))
        out.append(("tech_sme", got, date(2026, 12, 31)))
    return out


def _enterprise_specs() -> list[dict]:
    rng = random.Random(2026)
    places = [p for p in PLACES for _ in range(p[2])]
    specs = []
    for n in range(1, N_ENTERPRISES + 1):
        region, park, _ = rng.choice(places)
        industry, word = rng.choice(INDUSTRIES)
        specs.append({
            "uscc": demo_uscc(region, n), "region": region, "park": park,
            "name": f"{REGION_CITY[region]}{WORDS[n % len(WORDS)]}{word}有限公司（示范{n:03d}）",
            "figures": _figures(rng, industry), "qualifications": _qualifications(rng),
            "serious": rng.random() < 0.04,
        })
    specs.append({"uscc": XTKJ, "region": "430321", "park": "TYJK", "name": None, "serious": False,
                  "figures": {"industry_code": "C3562", "employees": 86, "insured": 80, "revenue": Decimal("5600.00"),
                              "tax_paid": Decimal("320.00"), "investment": Decimal("3000.00"),
                              "registered_on": date(2024, 5, 10), "credit_grade": "A"},
                  "qualifications": [("high_tech", date(2026, 3, 15), date(2029, 3, 14)),
                                     ("tech_sme", date(2026, 4, 20), date(2026, 12, 31))]})
    specs.append({"uscc": XTCY, "region": "430321", "park": None, "name": None, "serious": False,
                  "figures": {"industry_code": "H6210", "employees": 18, "insured": 15, "revenue": Decimal("380.00"),
                              "tax_paid": Decimal("12.00"), "investment": Decimal("60.00"),
                              "registered_on": date(2024, 8, 8), "credit_grade": "B"},
                  "qualifications": []})
    return specs


SOURCES = {"industry_code": "市场监管（登记）", "registered_on": "市场监管（登记）", "employees": "人社（参保登记）",
           "insured": "人社（参保登记）", "revenue": "税务（年度申报）", "tax_paid": "税务（年度申报）",
           "investment": "发改（投资项目在线审批监管平台）", "credit_grade": "税务（纳税信用评价）"}


def _profile(party: Party, figures: dict) -> EnterpriseProfile:
    sources = {k: {"source": SOURCES[k], "as_of": AS_OF.isoformat()} for k in figures}
    size = rules.enterprise_size(figures["industry_code"], figures["employees"], figures["revenue"])
    sources["size"] = {"source": "按《统计上大中小微型企业划分办法（2017）》计算", "as_of": AS_OF.isoformat()}
    return EnterpriseProfile(party=party, size=size, figures_year=YEAR, sources=sources, **figures)


def _enterprises() -> int:
    specs = _enterprise_specs()
    parks = {u.code: u for u in Unit.objects.filter(kind="park")}
    have = {p.number: p for p in Party.objects.filter(number__in=[s["uscc"] for s in specs])}
    Party.objects.bulk_create([
        Party(kind="enterprise", number=s["uscc"], name=s["name"], region_id=s["region"],
              park=parks.get(s["park"]), legal_representative="张示范", phone="0731-5" + s["uscc"][-7:-1])
        for s in specs if s["uscc"] not in have and s["name"]])
    parties = {p.number: p for p in Party.objects.filter(number__in=[s["uscc"] for s in specs])}
    profiled = set(EnterpriseProfile.objects.filter(party__in=parties.values()).values_list("party__number", flat=True))
    todo = [s for s in specs if s["uscc"] in parties and s["uscc"] not in profiled]
    EnterpriseProfile.objects.bulk_create([_profile(parties[s["uscc"]], s["figures"]) for s in todo])
    made = {p.party.number: p for p in EnterpriseProfile.objects.filter(party__number__in=[s["uscc"] for s in todo])
            .select_related("party")}
    years, quals = [], []
    for s in todo:
        f, prof = s["figures"], made[s["uscc"]]
        years.append(EnterpriseYear(profile=prof, year=YEAR, source="税务（年度申报）", as_of=AS_OF,
                                    **{k: f[k] for k in ("employees", "insured", "revenue", "tax_paid", "investment")}))
        quals += [Qualification(profile=prof, kind=k, recognised_on=got, valid_until=until, certificate=f"GR{got:%Y}{prof.pk:05d}",
                                source="科技部门认定名单" if k != "tech_sme" else "科技型中小企业评价系统")
                  for k, got, until in s["qualifications"]]
    EnterpriseYear.objects.bulk_create(years)
    Qualification.objects.bulk_create(quals)
    _credit([parties[s["uscc"]] for s in todo if s["serious"]])
    return len(specs)


def _credit(parties: list[Party]) -> None:
    stamp = timezone.make_aware(datetime.combine(date(2025, 9, 1), time(10)))
    for party in parties:
        rec = CreditRecord.objects.create(party=party, kind="serious_dishonest", source="信用中国（湖南）",
                                          reason="列入严重失信主体名单（示范数据）")
        CreditRecord.objects.filter(pk=rec.pk).update(created_at=stamp)  # the record's own date, not today


def _policy_specs() -> list[dict]:
    guide = {"address": "湘潭县政务服务中心二楼 政策兑现专窗", "phone": "0731-57862345", "time_limit": "公示期满后10个工作日内拨付"}
    return [
        {"code": "XTX-2026-GQ01", "name": "高新技术企业首次认定奖励", "issuing_unit": "XTX-KGJ", "mode": "proactive",
         "document": "《湘潭县支持科技创新若干政策措施》（潭县政发〔2026〕3号）", "tags": "科技创新 高新技术企业",
         "beneficiaries": "当年首次认定的高新技术企业", "budget": Decimal("3000000"),
         "articles": [{"no": "第五条", "text": "对首次认定的高新技术企业，给予一次性奖励10万元。"}],
         "rule": {"mode": "all", "items": [
             {"field": "qualification", "op": "has", "value": "high_tech", "years": 1},
             {"field": "region", "op": "within", "value": "430321"},
             {"field": "credit", "op": "no_serious", "years": 3}]},
         "amount": {"kind": "fixed", "value": 100000}, **guide},
        {"code": "XTX-2026-WG01", "name": "失业保险稳岗返还", "issuing_unit": "XTX-RS", "mode": "proactive",
         "document": "《关于做好2026年失业保险稳岗返还工作的通知》（湘人社规〔2026〕2号）", "tags": "稳岗 就业",
         "beneficiaries": "依法参保、不裁员或少裁员的中小微企业", "budget": Decimal("5000000"),
         "articles": [{"no": "第二条", "text": "中小微企业按上年度参保职工人数每人500元返还，单户最高不超过20万元。"}],
         "rule": {"mode": "all", "items": [
             {"field": "size", "op": "in", "value": ["medium", "small", "micro"]},
             {"field": "insured", "op": "gte", "value": 5},
             {"field": "region", "op": "within", "value": "430300"},
             {"field": "credit", "op": "no_serious", "years": 3}]},
         "amount": {"kind": "per_head", "field": "insured", "value": 500, "cap": 200000}, **guide},
        {"code": "XTX-2026-ZJ01", "name": "专精特新企业奖励", "issuing_unit": "XTX-KGJ", "mode": "proactive",
         "document": "《湘潭县促进中小企业专精特新发展实施办法》（潭县政办发〔2026〕8号）", "tags": "专精特新 中小企业",
         "beneficiaries": "近一年新认定的省级专精特新中小企业或国家级专精特新“小巨人”企业", "budget": Decimal("2000000"),
         "articles": [{"no": "第六条", "text": "对新认定的省级专精特新中小企业奖励20万元。"}],
         "rule": {"mode": "all", "items": [
             {"mode": "any", "items": [
                 {"field": "qualification", "op": "has", "value": "specialised", "years": 1},
                 {"field": "qualification", "op": "has", "value": "little_giant", "years": 1}]},
             {"field": "region", "op": "within", "value": "430321"},
             {"field": "credit", "op": "no_serious", "years": 3}]},
         "amount": {"kind": "fixed", "value": 200000}, **guide},
        {"code": "TYJK-2026-ZJ01", "name": "天易经济开发区新落户制造业企业厂房租金补贴", "issuing_unit": "TYJK",
         "mode": "proactive", "document": "《天易经济开发区招商引资优惠政策》（天易经开发〔2026〕1号）", "tags": "园区 招商 制造业",
         "beneficiaries": "三年内新落户园区、固定资产投资2000万元以上的制造业企业", "budget": Decimal("2000000"),
         "articles": [{"no": "第九条", "text": "按固定资产投资额的1%给予厂房租金补贴，最高50万元。"}],
         "rule": {"mode": "all", "items": [
             {"field": "park", "op": "eq", "value": "TYJK"},
             {"field": "industry_code", "op": "startswith", "value": "C"},
             {"field": "investment", "op": "gte", "value": 2000},
             {"field": "registered_on", "op": "within_years", "value": 3}]},
         "amount": {"kind": "share", "field": "investment", "rate": 0.01, "cap": 500000},
         "address": "天易经济开发区政务服务中心 政策兑现专窗", "phone": "0731-58888001", "time_limit": "公示期满后10个工作日内拨付"},
        {"code": "XTX-2026-KX01", "name": "科技型中小企业研发奖补", "issuing_unit": "XTX-KGJ", "mode": "quick",
         "document": "《湘潭县支持科技创新若干政策措施》（潭县政发〔2026〕3号）", "tags": "科技创新 研发",
         "beneficiaries": "入库科技型中小企业", "budget": Decimal("1000000"),
         "articles": [{"no": "第七条", "text": "按上年度纳税额的10%给予研发奖补，最高20万元。"}],
         "rule": {"mode": "all", "items": [
             {"field": "qualification", "op": "has", "value": "tech_sme"},
             {"field": "tax_paid", "op": "gte", "value": 10},
             {"field": "employees", "op": "between", "value": [10, 500]},
             {"field": "credit", "op": "no_serious"}]},
         "amount": {"kind": "share", "field": "tax_paid", "rate": 0.1, "cap": 200000}, **guide,
         "decide_days": 20, "materials": [{"name": "上年度研发费用专项审计报告", "required": True}]},
        {"code": "XTX-2026-CX01", "name": "高新技术企业研发平台建设奖励", "issuing_unit": "XTX-KGJ", "mode": "apply",
         "document": "《湘潭县支持科技创新若干政策措施》（潭县政发〔2026〕3号）", "tags": "科技创新 研发平台",
         "beneficiaries": "建有研发平台的有效期内高新技术企业", "budget": Decimal("500000"),
         "articles": [{"no": "第八条", "text": "对建有县级以上研发平台的高新技术企业，给予一次性奖励5万元。"}],
         "rule": {"mode": "all", "items": [
             {"field": "qualification", "op": "has", "value": "high_tech"},
             {"field": "employees", "op": "gte", "value": 50},
             {"field": "credit", "op": "no_serious", "years": 3}]},
         "amount": {"kind": "fixed", "value": 50000}, **guide, "time_limit": "受理后30个工作日内决定，准予后10个工作日内拨付",
         "decide_days": 30, "materials": [{"name": "研发平台认定文件", "required": True}]},
    ]


def _policies() -> int:
    specs = _policy_specs()
    for s in specs:
        values = {**s, "issuing_unit": Unit.objects.get(code=s["issuing_unit"]), "status": PolicyStatus.PUBLISHED,
                  "published_on": date(2026, 6, 1), "guide_due_on": date(2026, 6, 10), "starts_on": date(2026, 1, 1),
                  "ends_on": date(2026, 12, 31)}
        # Every guide was published on time but one, which shows the overdue mark on the workbench.
        late = s["code"] == "XTX-2026-ZJ01"
        values.update(guide_published_on=None if late else date(2026, 6, 5), guide_overdue=late)
        rules.rule_validate(values["rule"])
        rules.amount_validate(values["amount"])
        code = values.pop("code")
        policy = Policy.objects.filter(code=code).first()
        if policy is None:
            Policy.objects.create(code=code, **values)
        elif any(getattr(policy, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(policy, k, v)
            policy.save()
    from .services import policy_item_ensure

    for policy in Policy.objects.filter(code__in=[s["code"] for s in specs]).exclude(mode="proactive"):
        policy_item_ensure(policy=policy)  # 快申快享: the application is a case of the policy's item
    from .services import policy_bundle_ensure

    # 政策兑现一件事: the two application policies of the county's science bureau, applied for at once.
    policy_bundle_ensure(code="XTX-ZCDX-KJ", name="科技创新政策兑现一件事",
                         policies=list(Policy.objects.filter(code__in=["XTX-2026-KX01", "XTX-2026-CX01"])))
    return len(specs)


def _grants() -> int:
    """稳岗返还 matched and reviewed for the two demo enterprises (when accounts exist), so that they
    have something to confirm; the admin matches the rest of the list in the walkthrough."""
    from .services import grant_act, policy_match

    user = get_user_model().objects.filter(username="xtx-rs").first()
    policy = Policy.objects.get(code="XTX-2026-WG01")
    if user is None:
        return 0
    if not Grant.objects.filter(policy=policy).exists():  # the rest of the list is the admin's to match
        parties = list(Party.objects.filter(number__in=[XTKJ, XTCY]).values_list("pk", flat=True))
        policy_match(actor=user, policy=policy, parties=parties)
    for number in Grant.objects.filter(policy=policy, enterprise__number__in=[XTKJ, XTCY], status="listed") \
            .values_list("number", flat=True):
        grant_act(number=number, action="approve", actor=user)
    return Grant.objects.filter(policy=policy).count()


def load_policies_demo() -> dict:
    return {"enterprises": _enterprises(), "policies": _policies(), "grants": _grants()}
