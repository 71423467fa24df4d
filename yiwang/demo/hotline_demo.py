"""Demo data for the hotline, the knowledge base and 好差评: categories, dispatch rules, synonyms,
a few free articles, the seeds' demand-closure baseline and the counties' 5-working-day fix time.
Loading twice changes nothing."""

from yiwang.evaluations.models import EvaluationPolicy
from yiwang.hotline.models import Category, DemandBaseline, DispatchRule
from yiwang.kb.models import Synonym
from yiwang.kb.services import article_save, kb_sync
from yiwang.organisations.models import Region, Unit

# (code, name, parent, description, keywords)
CATEGORIES = [
    ("01", "政务服务", None, "", ""),
    ("0101", "行政审批", "01", "事项办理、材料、时限", "办事 审批 执照"),
    ("010101", "市场主体登记", "0101", "营业执照、企业开办、注销", "营业执照 开公司 注销"),
    ("010102", "工程建设审批", "0101", "规划、施工许可、竣工验收", "施工 规划 验收"),
    ("0102", "社会保障", "01", "", ""),
    ("010201", "社保医保", "0102", "参保、社保卡、医保报销", "社保 医保 养老"),
    ("010202", "住房公积金", "0102", "", "公积金"),
    ("02", "城乡建设", None, "", ""),
    ("0201", "水电气", "02", "", ""),
    ("020101", "供水", "0201", "停水、水质、报装", "停水 水压"),
    ("020102", "供电", "0201", "停电、报装", "停电"),
    ("020103", "燃气", "0201", "", "燃气 天然气"),
    ("03", "市场监管", None, "", ""),
    ("0301", "食品安全", "03", "餐饮、食品经营", "食品 餐馆"),
    ("0302", "消费维权", "03", "", "退货 假货"),
    ("04", "公安户政", None, "", ""),
    ("0401", "户籍身份证", "04", "", "户口 身份证"),
    ("05", "营商环境", None, "涉企诉求", ""),
    ("0501", "企业诉求", "05", "企业生产经营中遇到的困难", "融资 用工 用地"),
    ("99", "其他", None, "", ""),
    ("9901", "其他诉求", "99", "", ""),
]
# (order, category, region, unit)
RULES = [
    (10, "010101", "430321", "XTX-SCJG"),
    (20, "0301", "430321", "XTX-SCJG"),
    (30, "0302", "430321", "XTX-SCJG"),
    (40, "010102", "430321", "XTX-ZJ"),
    (50, "010201", "430321", "XTX-RS"),
    (60, "010202", "430321", "XTX-GJJ"),
    (70, "020101", "430321", "XTX-SW-GS"),
    (80, "020102", "430321", "XTX-GD"),
    (90, "020103", "430321", "XTX-RQ"),
    (100, "04", "430321", "XTX-GA"),
    (110, "0501", "430321", "TYJK"),
    (900, None, "430321", "XTX-SPJ"),
]
SYNONYMS = [
    ("执照", "营业执照"), ("开公司", "企业设立登记 企业开办"), ("注册公司", "企业设立登记 企业开办"),
    ("办照", "营业执照 企业设立登记"), ("开饭店", "我要开餐馆 食品经营许可"), ("开餐馆", "我要开餐馆 食品经营许可"),
    ("社保卡", "社会保障卡"), ("社保", "社会保险 社会保障"), ("停水", "供水"), ("停电", "供电"), ("刻章", "公章刻制备案"), ("发票", "发票申领"), ("上户口", "出生户口登记"),
]
FREE_ARTICLES = [
    ("12345 热线受理范围", "12345 政务服务便民热线受理企业和群众的咨询、求助、投诉、举报、建议和表扬；"
     "110、119、120、122 等紧急求助请直接拨打对应号码。", "热线 受理范围", "12345 热线受理咨询、求助、投诉、举报、建议和表扬，紧急情况请拨打 110、119、120、122。"),
    ("政务服务中心办公时间", "湘潭县政务服务中心工作日上午 9:00-12:00，下午 13:30-17:00 对外办公；"
     "周末及法定节假日提供预约服务和帮代办服务。", "办公时间 上班时间 几点 预约",
     "政务服务中心工作日上午 9:00-12:00、下午 13:30-17:00 办公，周末可预约。"),
    ("“办不成事”反映窗口", "在窗口办事遇到办不成、办不好的事，可到政务服务中心“办不成事”反映窗口（XTX-W12）反映，"
     "由专人协调牵头单位限时办结。", "办不成事 反映 协调", "可以到政务服务中心“办不成事”反映窗口反映，专人协调限时办结。"),
]


def _put(model, lookup: dict, values: dict):
    """Create the row, or update it only where a value differs: a second load saves nothing."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
    return obj


def load_hotline_demo() -> dict:
    from yiwang.kb.models import Article

    by_code: dict[str, Category] = {}
    for code, name, parent, desc, kw in CATEGORIES:
        by_code[code] = _put(Category, {"code": code},
                             {"name": name, "parent": by_code.get(parent), "description": desc, "keywords": kw})
    if not DispatchRule.objects.exists():
        for order, cat, region, unit in RULES:
            DispatchRule.objects.create(order=order, category=by_code.get(cat) if cat else None,
                                        region=Region.objects.get(code=region), unit=Unit.objects.get(code=unit))
    for term, exp in SYNONYMS:
        _put(Synonym, {"term": term}, {"expansions": exp})
    if not EvaluationPolicy.objects.filter(region__isnull=True).exists():
        EvaluationPolicy.objects.create(region=None)
    _put(EvaluationPolicy, {"region_id": "430321"}, {"fix_working_days": 5})
    _put(DemandBaseline, {"region_id": "430321", "period": "2023"},
         {"received": 2260, "closed": 2219, "source": "种子材料：企业诉求 2260 件，办结 2219 件"})
    for title, body, kw, answer in FREE_ARTICLES:
        existing = Article.objects.filter(source="free", title=title).first()
        if existing is not None and (existing.body, existing.keywords, existing.answer) == (body, kw, answer):
            continue
        article_save(title=title, body=body, keywords=kw, answer=answer, article=existing)
    counts = kb_sync()
    return {"categories": len(CATEGORIES), "rules": DispatchRule.objects.count(), "kb_changed": counts["changed"]}
