"""Supervision demo: the market regulator's (XTX-SCJG) check items, its inspector roster, a
directory of synthetic enterprises with credit records, the 2026 plan filed in March, one draw with
a published seed, a joint draw (联合抽查) with the health commission (XTX-WJ), the first-violation
list. Loading twice changes nothing."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from yiwang.organisations.models import Unit
from yiwang.parties.models import CreditRecord, Party

from . import services
from .models import CheckItem, Conflict, InspectionPlan, Inspector, LenientOffence

UNIT = "XTX-SCJG"
ITEMS = [
    ("SCJG-CC-01", "食品经营许可事项检查", "general", "餐饮", "《中华人民共和国食品安全法》第八十七条",
     "许可条件保持情况、从业人员健康证明、进货查验记录", "实地核查"),
    ("SCJG-CC-02", "企业公示信息情况检查", "general", "", "《企业信息公示暂行条例》第十四条",
     "年度报告、即时信息公示的真实性", "书面检查、网络监测"),
    ("SCJG-CC-03", "特种设备安全检查", "key", "", "《中华人民共和国特种设备安全法》第五十七条",
     "电梯、锅炉、压力容器的使用登记与定期检验", "实地核查"),
]
# 联合抽查 partner: the county health commission checks public-place hygiene at the same visit.
PARTNER = "XTX-WJ"
PARTNER_ITEMS = [
    ("WJ-CC-01", "公共场所卫生监督检查", "general", "", "《公共场所卫生管理条例》第三条、第十条",
     "卫生许可证、从业人员健康合格证明、卫生管理制度与消毒记录", "实地核查"),
]
PARTNER_INSPECTORS = ["孙卫监", "李卫监", "何卫监"]
JOINT_SEED = "xtx-scjg-xtx-wj-2026-joint-seed"
OFFENCES = [
    ("SCJG-MF-01", "未按规定公示年度报告，但在责令期限内补报", "《企业信息公示暂行条例》第十七条；《行政处罚法》第三十三条"),
    ("SCJG-MF-02", "餐饮服务经营者未按规定公示食品经营许可证，首次且及时改正",
     "《中华人民共和国食品安全法》第一百二十六条；《行政处罚法》第三十三条"),
]
INDUSTRIES = ["餐饮", "食品生产", "零售", "制造业", "软件和信息技术服务"]
# (name suffix, industry index, park?, credit kinds): a directory with every grade in it.
ENTERPRISES = [(f"示范企业{i:02d}", i % 5, i % 3 == 0,
                {3: ["false_commitment"], 7: ["penalty"], 11: ["inspection_rectify"], 13: ["false_commitment", "penalty"]}
                .get(i, [])) for i in range(1, 25)]


def demo_uscc(n: int) -> str:
    body = f"91430321MA4X{n:05d}"
    return body + stdnum_uscc.calc_check_digit(body)


def _at(d: date) -> datetime:
    return datetime.combine(d, time(10, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def load_supervision_demo() -> dict:
    unit = Unit.objects.get(code=UNIT)
    items = _items(unit, ITEMS)
    inspectors = _inspectors(unit, ["王执法", "刘检查", "陈监管", "杨稽查", "赵核查", "周巡查"])
    parties = _enterprises()
    for code, description, basis in OFFENCES:
        LenientOffence.objects.get_or_create(code=code, defaults={"unit": unit, "description": description,
                                                                  "basis": basis})
    xtcy = Party.objects.get(number="91430321MA4T8K2P6K")
    Conflict.objects.get_or_create(inspector=inspectors[0], party=xtcy, defaults={"reason": "近亲属在该企业任职"})
    plan = _plan(unit, items)
    actor = get_user_model().objects.get(username=UNIT.lower())
    if not plan.draws.exists():
        # Drawn on the day the demo loads: the grades (from records written now) are as of today.
        draw = services.draw_prepare(plan=plan, item=items[1], actor=actor, seed="xtx-scjg-2026-demo-seed")
        services.draw_run(draw=draw, actor=actor)
    partner = Unit.objects.get(code=PARTNER)
    partner_items = _items(partner, PARTNER_ITEMS)
    _inspectors(partner, PARTNER_INSPECTORS, first=101)
    _plan(partner, partner_items)
    if not plan.draws.filter(partners__isnull=False).exists():
        # 联合抽查: 市场监管 and 卫生健康 at the same restaurants, one visit (进一次门、查多项事).
        draw = services.draw_prepare(plan=plan, item=items[0], actor=actor, seed=JOINT_SEED,
                                     partners=[(partner, partner_items[0])])
        services.draw_run(draw=draw, actor=actor)
    return {"items": len(items), "inspectors": len(inspectors), "enterprises": len(parties), "plans": 2}


def _items(unit, rows) -> list[CheckItem]:
    out = []
    for code, name, kind, industry, basis, content, method in rows:
        obj, _ = CheckItem.objects.get_or_create(code=code, defaults={
            "unit": unit, "name": name, "kind": kind, "industry": industry, "basis": basis, "content": content,
            "method": method})
        out.append(obj)
    return out


def _inspectors(unit, names: list[str], *, first: int = 1) -> list[Inspector]:
    return [Inspector.objects.get_or_create(certificate=f"43032100{n:04d}", defaults={"unit": unit, "name": name})[0]
            for n, name in enumerate(names, first)]


def _enterprises() -> list[Party]:
    park = Unit.objects.get(code="TYJK")
    out = []
    for n, (name, ind, in_park, kinds) in enumerate(ENTERPRISES, 1):
        party, created = Party.objects.get_or_create(number=demo_uscc(n), defaults={
            "kind": "enterprise", "name": f"湘潭县{name}有限公司", "region_id": "430321",
            "park": park if in_park else None, "industry": INDUSTRIES[ind], "legal_representative": "示范"})
        if created:
            for kind in kinds:
                CreditRecord.objects.create(party=party, kind=kind, source="demo",
                                            reason=f"演示数据：{kind}")
        out.append(party)
    return out


def _plan(unit, items) -> InspectionPlan:
    year = date.today().year
    plan = InspectionPlan.objects.filter(unit=unit, year=year).first()
    if plan is None:
        actor = get_user_model().objects.get(username=unit.code.lower())
        plan = services.plan_create(unit=unit, year=year, title=f"{unit.name}{year}年度双随机抽查工作计划",
                                    items=items, actor=actor, now=min(_at(date(year, 3, 2)), timezone.now()),
                                    description="按信用风险分类确定抽查比例：高风险30%、中高风险10%、中风险2%、低风险1%。")
        filed = min(_at(date(year, 3, 10)), timezone.now())  # on time, never in the future
        services.plan_act(plan=plan, action="file", actor=actor, now=filed)
        plan.refresh_from_db()
    return plan
