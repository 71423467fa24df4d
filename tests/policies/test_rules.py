"""The pure rules: 大中小微 sizes, rules read back as Chinese, refused rules, amounts, "nearly"."""

from datetime import date
from decimal import Decimal

import pytest

from yiwang.policies import rules
from yiwang.policies.rules import RuleRefused


@pytest.mark.parametrize(("industry", "employees", "revenue", "size"), [
    ("C3562", 1000, 40000, "large"),
    ("C3562", 999, 40000, "medium"),  # 工业: large needs both bounds
    ("C3562", 300, 2000, "medium"),
    ("C3562", 300, 1999, "small"),
    ("C3562", 20, 300, "small"),
    ("C3562", 19, 5000, "micro"),
    ("D4411", 20, 299, "micro"),
    ("F5111", 200, 40000, "large"),  # 批发业
    ("F5111", 5, 1000, "small"),
    ("F5111", 4, 1000, "micro"),
    ("F5261", 10, 100, "small"),  # 零售业
    ("H6210", 100, 2000, "medium"),  # 餐饮业
    ("H6210", 9, 100, "micro"),
    ("I6510", 10, 50, "small"),  # 软件和信息技术服务业
    ("I6311", 2000, 100000, "large"),  # 信息传输业
    ("G5430", 20, 200, "small"),  # 交通运输业
    ("G5960", 100, 1000, "medium"),  # 仓储业
    ("K7020", 100, 500, "small"),  # 物业管理
    ("A0111", None, 500, "medium"),  # 农林牧渔: revenue only
    ("A0111", None, 49, "micro"),
    ("E4813", None, 6000, "medium"),  # 建筑业: revenue (assets not held)
    ("L7212", 300, None, "large"),  # 租赁和商务服务业: employees
    ("P8310", 9, None, "micro"),  # 其他未列明行业
    ("C3562", None, 5000, ""),  # a missing figure: unknown, not guessed
    ("A0111", 10, None, ""),
])
def test_enterprise_size_follows_the_2017_national_rules(industry, employees, revenue, size):
    assert rules.enterprise_size(industry, employees, revenue) == size


@pytest.mark.parametrize(("cond", "sentence"), [
    ({"field": "employees", "op": "gte", "value": 10}, "从业人数不少于10人"),
    ({"field": "employees", "op": "gt", "value": 10}, "从业人数大于10人"),
    ({"field": "employees", "op": "lt", "value": 10}, "从业人数小于10人"),
    ({"field": "employees", "op": "lte", "value": 10}, "从业人数不超过10人"),
    ({"field": "employees", "op": "eq", "value": 10}, "从业人数等于10人"),
    ({"field": "employees", "op": "ne", "value": 10}, "从业人数不等于10人"),
    ({"field": "revenue", "op": "between", "value": [500, 2000.5]}, "上年度营业收入介于500至2000.5万元"),
    ({"field": "industry_code", "op": "startswith", "value": "c39"}, "所属行业属于 C39 类（GB/T 4754）"),
    ({"field": "industry_code", "op": "eq", "value": "C3981"}, "所属行业为 C3981"),
    ({"field": "industry_code", "op": "in", "value": ["C3981", "I6510"]}, "所属行业为 C3981、I6510 之一"),
    ({"field": "size", "op": "in", "value": ["small", "micro"]}, "企业规模为小型或微型"),
    ({"field": "size", "op": "eq", "value": "medium"}, "企业规模为中型"),
    ({"field": "credit_grade", "op": "in", "value": "A,B"}, "纳税信用等级为A级或B级"),
    ({"field": "region", "op": "within", "value": "430321"}, "注册地位于430321（含下辖区域）"),
    ({"field": "park", "op": "eq", "value": "TYJK"}, "所在园区为TYJK"),
    ({"field": "park", "op": "in", "value": ["TYJK", "ZZGX"]}, "所在园区为TYJK或ZZGX"),
    ({"field": "registered_on", "op": "within_years", "value": 3}, "成立未满3年"),
    ({"field": "registered_on", "op": "before", "value": "2020-01-01"}, "成立日期早于2020-01-01"),
    ({"field": "registered_on", "op": "after", "value": "2020-01-01"}, "成立日期晚于2020-01-01"),
    ({"field": "qualification", "op": "has", "value": "high_tech"}, "持有有效的“高新技术企业”资质"),
    ({"field": "qualification", "op": "has", "value": "high_tech", "years": 1},
     "持有有效的“高新技术企业”资质且于近1年内首次认定"),
    ({"field": "qualification", "op": "not_has", "value": "tech_sme"}, "未被认定为“科技型中小企业”"),
    ({"field": "licence", "op": "has", "value": "食品经营许可证"}, "持有有效的“食品经营许可证”"),
    ({"field": "licence", "op": "not_has", "value": "食品经营许可证"}, "未持有有效的“食品经营许可证”"),
    ({"field": "credit", "op": "no_serious"}, "无严重失信记录"),
    ({"field": "credit", "op": "no_serious", "years": 3}, "近3年内无严重失信记录"),
])
def test_every_operator_reads_back_as_a_chinese_condition(cond, sentence):
    rules.rule_validate({"mode": "all", "items": [cond]})
    assert rules.condition_sentence(cond) == sentence


def test_groups_read_back_with_and_and_or():
    a = {"field": "employees", "op": "gte", "value": 10}
    b = {"field": "credit", "op": "no_serious"}
    c = {"field": "qualification", "op": "has", "value": "high_tech"}
    assert rules.rule_sentence({"mode": "all", "items": [a]}) == "从业人数不少于10人。"
    assert rules.rule_sentence({"mode": "all", "items": [a, b]}) == "同时满足：从业人数不少于10人；且无严重失信记录。"
    assert rules.rule_sentence({"mode": "any", "items": [a, b]}) == "满足以下条件之一：从业人数不少于10人；或无严重失信记录。"
    nested = {"mode": "all", "items": [{"mode": "any", "items": [a, c]}, b]}
    assert rules.rule_sentence(nested) == ("同时满足：（满足其一：从业人数不少于10人；或持有有效的“高新技术企业”资质）"
                                           "；且无严重失信记录。")
    assert rules.rule_sentence({"mode": "all", "items": []}) == "不限条件"


def _leaf(**kw):
    return {"mode": "all", "items": [kw]}


@pytest.mark.parametrize(("rule", "reason"), [
    ("employees >= 10", "申报条件应为条件组"),
    ({"mode": "all", "items": []}, "申报条件：条件组不能为空"),
    ({"mode": "most", "items": [{"field": "credit", "op": "no_serious"}]}, "组合方式应为"),
    (_leaf(field="turnover", op="gte", value=1), "第1个条件：未知的档案字段“turnover”"),
    (_leaf(field="employees", op="has", value=1), "第1个条件：“从业人数”不支持“持有”"),
    (_leaf(field="employees", op="gte", value="十"), "第1个条件（从业人数）：请填写数值"),
    (_leaf(field="employees", op="gte", value=-1), "数值不能为负数"),
    (_leaf(field="revenue", op="between", value=[5]), "“介于”需要下限和上限两个数值"),
    (_leaf(field="revenue", op="between", value=[9, 5]), "下限不能大于上限"),
    (_leaf(field="industry_code", op="startswith", value="39"), "行业代码应为 GB/T 4754"),
    (_leaf(field="size", op="in", value=["tiny"]), "取值应为大型、中型、小型、微型之一"),
    (_leaf(field="region", op="within", value="4303"), "行政区划代码应为6位数字"),
    (_leaf(field="park", op="eq", value=""), "请填写取值"),
    (_leaf(field="registered_on", op="within_years", value=0), "年数应在1至50之间"),
    (_leaf(field="registered_on", op="before", value="2020-13-01"), "日期格式应为 YYYY-MM-DD"),
    (_leaf(field="qualification", op="has", value="gazelle"), "资质应为"),
    (_leaf(field="qualification", op="has", value="high_tech", years="一"), "年数应为整数"),
    (_leaf(field="credit", op="no_serious", years=99), "年数应在1至50之间"),
    ({"mode": "all", "items": [{"mode": "any", "items": []}]}, "第1组：条件组不能为空"),
    ({"mode": "all", "items": [{"items": [{"items": [{"items": [{"field": "credit", "op": "no_serious"}]}]}]}]},
     "条件组最多嵌套3层"),
    ({"mode": "all", "items": [{"field": "credit", "op": "no_serious"}] * 51}, "条件过多"),
])
def test_a_rule_that_cannot_compile_is_refused_with_its_reason(rule, reason):
    with pytest.raises(RuleRefused) as caught:
        rules.rule_validate(rule)
    assert reason in caught.value.message
    assert caught.value.field == "rule" and caught.value.code == "rule_refused"


def test_a_value_that_does_not_exist_is_refused_when_the_known_values_are_given():
    with pytest.raises(RuleRefused, match="“NOPARK”不存在"):
        rules.rule_validate(_leaf(field="park", op="eq", value="NOPARK"), known={"park": {"TYJK"}})
    rules.rule_validate(_leaf(field="park", op="eq", value="TYJK"), known={"park": {"TYJK"}})


@pytest.mark.parametrize(("amount", "values", "expected", "sentence"), [
    ({"kind": "fixed", "value": 100000}, {}, "100000.00", "定额100,000元"),
    ({"kind": "per_head", "field": "insured", "value": 500}, {"insured": 15}, "7500.00", "按社保参保人数每人500元"),
    ({"kind": "per_head", "field": "insured", "value": 500, "cap": 5000}, {"insured": 15}, "5000.00",
     "按社保参保人数每人500元，最高不超过5,000元"),
    ({"kind": "share", "field": "tax_paid", "rate": 0.1}, {"tax_paid": Decimal("12.34")}, "12340.00",
     "按上年度纳税额的10%"),
    ({"kind": "share", "field": "investment", "rate": 0.01, "cap": 500000}, {"investment": Decimal("80000")},
     "500000.00", "按固定资产投资的1%，最高不超过500,000元"),
    ({"kind": "per_head", "field": "employees", "value": 300}, {"employees": None}, "0.00", "按从业人数每人300元"),
])
def test_amount_rules_give_the_amount_and_read_back(amount, values, expected, sentence):
    rules.amount_validate(amount)
    assert rules.amount_for(amount, values) == Decimal(expected)
    assert rules.amount_sentence(amount) == sentence


@pytest.mark.parametrize(("amount", "reason"), [
    ({}, "定额、按人数或按比例"),
    ({"kind": "fixed", "value": 0}, "应大于0"),
    ({"kind": "per_head", "field": "revenue", "value": 5}, "按人数计算应选择"),
    ({"kind": "share", "field": "tax_paid", "rate": 30}, "比例应在0至1之间"),
    ({"kind": "share", "field": "insured", "rate": 0.3}, "按比例计算应选择"),
    ({"kind": "fixed", "value": 1, "cap": "x"}, "封顶"),
])
def test_an_amount_rule_that_cannot_compute_is_refused_at_the_amount_field(amount, reason):
    with pytest.raises(RuleRefused) as caught:
        rules.amount_validate(amount)
    assert reason in caught.value.message and caught.value.field == "amount"


@pytest.mark.parametrize(("rule", "passed", "result"), [
    ({"mode": "all", "items": [1, 2]}, [True, True], True),
    ({"mode": "all", "items": [1, 2]}, [True, False], False),
    ({"mode": "any", "items": [1, 2]}, [False, True], True),
    ({"mode": "any", "items": [1, 2]}, [False, False], False),
    ({"mode": "all", "items": [{"mode": "any", "items": [1, 2]}, 3]}, [False, True, True], True),
    ({"mode": "all", "items": [{"mode": "any", "items": [1, 2]}, 3]}, [False, False, True], False),
    ({"mode": "any", "items": [{"mode": "all", "items": [1, 2]}, 3]}, [True, False, False], False),
])
def test_a_rule_combines_its_conditions_by_its_groups(rule, passed, result):
    assert rules.rule_result(rule, passed) is result


def _outcome(passed):
    return rules.Outcome({}, "", "", "", "", passed)


def test_nearly_qualifies_names_each_condition_that_alone_is_missing():
    rule = {"mode": "all", "items": [1, 2, 3]}
    one_missing = [_outcome(True), _outcome(False), _outcome(True)]
    assert rules.missing_conditions(rule, one_missing) == [one_missing[1]]
    two_missing = [_outcome(False), _outcome(False), _outcome(True)]
    assert rules.missing_conditions(rule, two_missing) == []
    passing = [_outcome(True)] * 3
    assert rules.missing_conditions(rule, passing) == []


@pytest.mark.parametrize(("code", "prefix"), [("430000", "43"), ("430300", "4303"), ("430321", "430321")])
def test_a_region_selects_its_subtree_by_code_prefix(code, prefix):
    assert rules.region_prefix(code) == prefix


def test_years_ago_handles_29_february():
    assert rules.years_ago(date(2028, 2, 29), 1) == date(2027, 2, 28)


@pytest.mark.parametrize(("values", "due", "today", "missing", "state", "published_on"), [
    ({"beneficiaries": "中小企业", "rule": {"items": [1]}, "time_limit": "10个工作日", "address": "专窗", "phone": "12345"},
     date(2026, 6, 10), date(2026, 7, 1), [], "published", date(2026, 6, 9)),
    ({"beneficiaries": "中小企业", "rule": {"items": [1]}, "time_limit": "10个工作日", "address": "专窗", "phone": "12345"},
     date(2026, 6, 10), date(2026, 6, 10), [], "ready", None),
    ({"beneficiaries": "中小企业", "rule": {"items": [1]}, "time_limit": "10个工作日", "address": "专窗", "phone": "12345"},
     date(2026, 6, 10), date(2026, 6, 11), [], "overdue", None),
    ({"beneficiaries": "中小企业", "rule": {"items": []}, "time_limit": "", "address": "专窗", "phone": "12345"},
     date(2026, 6, 10), date(2026, 6, 10), ["申报条件", "兑现时限"], "due", None),
    ({"beneficiaries": "", "rule": {"items": [1]}, "time_limit": "x", "address": "", "phone": ""},
     date(2026, 6, 10), date(2026, 6, 11), ["惠及对象", "受理地址", "咨询电话"], "overdue", None),
])
def test_a_published_policy_owes_its_handbook_and_guide_within_seven_working_days(values, due, today, missing, state,
                                                                                published_on):
    got = rules.guide_missing(values)
    assert got == missing
    assert rules.guide_state(missing=got, due=due, today=today, published_on=published_on) == state
