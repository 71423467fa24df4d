"""Pure rules of the policy module: enterprise size (大中小微), eligibility rules (validation, the
Chinese sentence, compiling to one Django Q over all profiles, evaluation for one enterprise) and
amount rules.

A rule is data an admin writes without programming:
    {"mode": "all" | "any", "items": [condition | group, ...]}
    condition = {"field": "employees", "op": "gte", "value": 10, "years": 3 (optional)}
Compiling and evaluating are two independent implementations of the same meaning; a test holds
them to agree for every demo enterprise and policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Least

from yiwang.core.errors import DomainError

# ------------------------------------------------------------------ size (大中小微)


@dataclass(frozen=True)
class SizeRow:
    """One sector of 《统计上大中小微型企业划分办法（2017）》: thresholds (employees, revenue 万元) for
    large, medium and small; a bound of None is not used for that sector. Large, medium and small
    need every bound met; below small is micro."""

    sector: str
    prefixes: tuple[str, ...]
    large: tuple[int | None, int | None]
    medium: tuple[int | None, int | None]
    small: tuple[int | None, int | None]


# Most specific prefixes first. Sectors whose rule also uses total assets (建筑业, 房地产开发经营,
# 租赁和商务服务业) are classified by the bounds we hold (revenue or employees) only.
SIZE_TABLE: tuple[SizeRow, ...] = (
    SizeRow("批发业", ("F51",), (200, 40000), (20, 5000), (5, 1000)),
    SizeRow("零售业", ("F52",), (300, 20000), (50, 500), (10, 100)),
    SizeRow("仓储业", ("G59",), (200, 30000), (100, 1000), (20, 100)),
    SizeRow("邮政业", ("G60",), (1000, 30000), (300, 2000), (20, 100)),
    SizeRow("交通运输业", ("G",), (1000, 30000), (300, 3000), (20, 200)),
    SizeRow("住宿业", ("H61",), (300, 10000), (100, 2000), (10, 100)),
    SizeRow("餐饮业", ("H62",), (300, 10000), (100, 2000), (10, 100)),
    SizeRow("信息传输业", ("I63", "I64"), (2000, 100000), (100, 1000), (10, 100)),
    SizeRow("软件和信息技术服务业", ("I65",), (300, 10000), (100, 1000), (10, 50)),
    SizeRow("房地产开发经营", ("K701",), (None, 200000), (None, 1000), (None, 100)),
    SizeRow("物业管理", ("K702",), (1000, 5000), (300, 1000), (100, 500)),
    SizeRow("租赁和商务服务业", ("L",), (300, None), (100, None), (10, None)),
    SizeRow("农、林、牧、渔业", ("A",), (None, 20000), (None, 500), (None, 50)),
    SizeRow("工业", ("B", "C", "D"), (1000, 40000), (300, 2000), (20, 300)),
    SizeRow("建筑业", ("E",), (None, 80000), (None, 6000), (None, 300)),
    SizeRow("其他未列明行业", ("",), (300, None), (100, None), (10, None)),
)


def size_row(industry_code: str) -> SizeRow:
    code = (industry_code or "").upper()
    return next(r for r in SIZE_TABLE if any(code.startswith(p) for p in r.prefixes))


def enterprise_size(industry_code: str, employees: int | None, revenue: Decimal | float | None) -> str:
    """"large" | "medium" | "small" | "micro", or "" when a figure the sector needs is missing."""
    row = size_row(industry_code)
    need_emp = row.small[0] is not None
    need_rev = row.small[1] is not None
    if (need_emp and employees is None) or (need_rev and revenue is None):
        return ""
    for name, (emp, rev) in (("large", row.large), ("medium", row.medium), ("small", row.small)):
        if (emp is None or employees >= emp) and (rev is None or Decimal(str(revenue)) >= rev):
            return name
    return "micro"


# ------------------------------------------------------------------ the rule vocabulary

OPS = {
    "eq": "等于", "ne": "不等于", "gt": "大于", "gte": "不少于", "lt": "小于", "lte": "不超过",
    "between": "介于", "in": "属于其一", "startswith": "属于（代码开头）", "within": "位于（含下级）",
    "within_years": "近N年内", "before": "早于", "after": "晚于", "has": "持有", "not_has": "未持有",
    "no_serious": "无严重失信记录",
}
NUMBER_OPS = ("gte", "gt", "lte", "lt", "eq", "ne", "between")
SIZE_LABELS = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
GRADE_LABELS = {"A": "A级", "B": "B级", "M": "M级", "C": "C级", "D": "D级"}
QUALIFICATION_LABELS = {
    "high_tech": "高新技术企业", "specialised": "专精特新中小企业", "little_giant": "专精特新“小巨人”企业",
    "tech_sme": "科技型中小企业", "above_scale": "规模以上工业企业",
}
# Credit record kinds that count as serious (严重失信): a false commitment found on post-check
# (cases), the lists of 严重失信主体 and 重大税收违法失信.
SERIOUS_CREDIT_KINDS = ("false_commitment", "serious_dishonest", "major_tax_violation")
CREDIT_KIND_LABELS = {"false_commitment": "虚假承诺", "serious_dishonest": "严重失信主体名单",
                      "major_tax_violation": "重大税收违法失信", "minor": "一般失信"}
INDUSTRY_RE = re.compile(r"^[A-T](\d{1,4})?$")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str  # number | industry | choice | region | park | date | qualification | licence | credit
    ops: tuple[str, ...]
    unit: str = ""
    column: str = ""  # lookup path from EnterpriseProfile
    choices: dict[str, str] = field(default_factory=dict)


FIELDS: dict[str, FieldSpec] = {f.key: f for f in (
    FieldSpec("industry_code", "所属行业", "industry", ("startswith", "eq", "in"), column="industry_code"),
    FieldSpec("size", "企业规模", "choice", ("in", "eq"), column="size", choices=SIZE_LABELS),
    FieldSpec("region", "注册地", "region", ("within",), column="party__region__code"),
    FieldSpec("park", "所在园区", "park", ("in", "eq"), column="party__park__code"),
    FieldSpec("registered_on", "成立日期", "date", ("within_years", "before", "after"), column="registered_on"),
    FieldSpec("employees", "从业人数", "number", NUMBER_OPS, "人", "employees"),
    FieldSpec("insured", "社保参保人数", "number", NUMBER_OPS, "人", "insured"),
    FieldSpec("revenue", "上年度营业收入", "number", NUMBER_OPS, "万元", "revenue"),
    FieldSpec("tax_paid", "上年度纳税额", "number", NUMBER_OPS, "万元", "tax_paid"),
    FieldSpec("investment", "固定资产投资", "number", NUMBER_OPS, "万元", "investment"),
    FieldSpec("cases_completed", "办结办件数", "number", NUMBER_OPS, "件", "cases_completed"),
    FieldSpec("credit_grade", "纳税信用等级", "choice", ("in", "eq"), column="credit_grade", choices=GRADE_LABELS),
    FieldSpec("qualification", "企业资质", "qualification", ("has", "not_has"), choices=QUALIFICATION_LABELS),
    FieldSpec("licence", "电子证照", "licence", ("has", "not_has")),
    FieldSpec("credit", "信用记录", "credit", ("no_serious",)),
)}


class RuleRefused(DomainError):
    """A rule that cannot compile; the message says where and why."""

    def __init__(self, message: str, *, field: str = "rule"):
        super().__init__(message, field=field, code="rule_refused")


# ------------------------------------------------------------------ validation


MAX_DEPTH = 3
MAX_CONDITIONS = 50


def rule_validate(rule: Any, *, known: dict[str, set[str]] | None = None) -> None:
    """Raise RuleRefused with the first reason the rule cannot compile. `known` may hold the parks,
    regions and licence types that exist ({"park": {...}, "region": {...}, "licence": {...}})."""
    if not isinstance(rule, dict) or "items" not in rule:
        raise RuleRefused("申报条件应为条件组（全部满足或满足其一）")
    count = _validate_group(rule, path="", depth=1, known=known or {})
    if count > MAX_CONDITIONS:
        raise RuleRefused(f"条件过多：最多{MAX_CONDITIONS}个，现有{count}个")


def _validate_group(group: dict, *, path: str, depth: int, known) -> int:
    where = path or "申报条件"
    if depth > MAX_DEPTH:
        raise RuleRefused(f"{where}：条件组最多嵌套{MAX_DEPTH}层")
    if group.get("mode", "all") not in ("all", "any"):
        raise RuleRefused(f"{where}：组合方式应为“全部满足”或“满足其一”")
    items = group.get("items")
    if not isinstance(items, list) or not items:
        raise RuleRefused(f"{where}：条件组不能为空，请至少添加一个条件")
    count = 0
    for i, item in enumerate(items, start=1):
        sub = f"{path}第{i}项" if path else f"第{i}个条件"
        if not isinstance(item, dict):
            raise RuleRefused(f"{sub}：格式不正确")
        if "items" in item:
            count += _validate_group(item, path=f"{path}第{i}组" if path else f"第{i}组", depth=depth + 1,
                                     known=known)
        else:
            _validate_condition(item, where=sub, known=known)
            count += 1
    return count


def _validate_condition(cond: dict, *, where: str, known) -> None:
    spec = FIELDS.get(cond.get("field", ""))
    if spec is None:
        raise RuleRefused(f"{where}：未知的档案字段“{cond.get('field', '')}”")
    op = cond.get("op", "")
    if op not in spec.ops:
        allowed = "、".join(OPS[o] for o in spec.ops)
        raise RuleRefused(f"{where}：“{spec.label}”不支持“{OPS.get(op, op)}”，可用：{allowed}")
    _validate_value(spec, op, cond.get("value"), where=f"{where}（{spec.label}）", known=known)
    if "years" in cond and cond["years"] not in (None, ""):
        _years(cond["years"], where=f"{where}（{spec.label}）")


def _years(value, *, where: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise RuleRefused(f"{where}：年数应为整数") from None
    if not 1 <= n <= 50:
        raise RuleRefused(f"{where}：年数应在1至50之间")
    return n


def _number(value, *, where: str) -> Decimal:
    try:
        n = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RuleRefused(f"{where}：请填写数值") from None
    if not n.is_finite() or n < 0:
        raise RuleRefused(f"{where}：数值不能为负数")
    return n


def _as_list(value) -> list:
    if isinstance(value, str):
        return [v for v in re.split(r"[,，、\s]+", value) if v]
    return list(value) if isinstance(value, list | tuple) else [value]


def _validate_value(spec: FieldSpec, op: str, value, *, where: str, known) -> None:  # noqa: C901
    if spec.kind == "number":
        if op == "between":
            if not isinstance(value, list | tuple) or len(value) != 2:
                raise RuleRefused(f"{where}：“介于”需要下限和上限两个数值")
            lo, hi = (_number(v, where=where) for v in value)
            if lo > hi:
                raise RuleRefused(f"{where}：下限不能大于上限")
        else:
            _number(value, where=where)
    elif spec.kind == "industry":
        codes = _as_list(value) if op == "in" else [value]
        if not codes or any(not isinstance(c, str) or not INDUSTRY_RE.match(c.upper()) for c in codes):
            raise RuleRefused(f"{where}：行业代码应为 GB/T 4754 门类字母加至多4位数字，如 C 或 C39")
    elif spec.kind == "choice":
        values = _as_list(value) if op == "in" else [value]
        if not values or any(v not in spec.choices for v in values):
            raise RuleRefused(f"{where}：取值应为{'、'.join(spec.choices.values())}之一")
    elif spec.kind in ("region", "park", "licence"):
        values = _as_list(value) if op == "in" else [value]
        if not values or any(not isinstance(v, str) or not v.strip() for v in values):
            raise RuleRefused(f"{where}：请填写取值")
        if spec.kind == "region" and not re.fullmatch(r"\d{6}", values[0]):
            raise RuleRefused(f"{where}：行政区划代码应为6位数字")
        missing = [v for v in values if spec.kind in known and v not in known[spec.kind]]
        if missing:
            raise RuleRefused(f"{where}：“{missing[0]}”不存在")
    elif spec.kind == "date":
        if op == "within_years":
            _years(value, where=where)
        else:
            try:
                date.fromisoformat(str(value))
            except ValueError:
                raise RuleRefused(f"{where}：日期格式应为 YYYY-MM-DD") from None
    elif spec.kind == "qualification":
        if value not in spec.choices:
            raise RuleRefused(f"{where}：资质应为{'、'.join(spec.choices.values())}之一")


# ------------------------------------------------------------------ reading back as a sentence


def _num_text(v) -> str:
    n = Decimal(str(v))
    return f"{n.normalize():f}" if n == n.to_integral() else f"{n:f}"


def condition_sentence(cond: dict, *, names: Callable[[str, str], str] | None = None) -> str:  # noqa: C901
    """One condition as Chinese, e.g. “社保参保人数不少于10人”. names(kind, code) gives the name of
    a region or park code."""
    spec = FIELDS[cond["field"]]
    op, value = cond["op"], cond.get("value")
    name = names or (lambda kind, code: code)
    years = cond.get("years")
    if spec.kind == "number":
        if op == "between":
            return f"{spec.label}介于{_num_text(value[0])}至{_num_text(value[1])}{spec.unit}"
        return f"{spec.label}{OPS[op]}{_num_text(value)}{spec.unit}"
    if spec.kind == "industry":
        if op == "startswith":
            return f"{spec.label}属于 {value.upper()} 类（GB/T 4754）"
        if op == "eq":
            return f"{spec.label}为 {value.upper()}"
        return f"{spec.label}为 {'、'.join(c.upper() for c in _as_list(value))} 之一"
    if spec.kind == "choice":
        return f"{spec.label}为{'或'.join(spec.choices[v] for v in _as_list(value))}"
    if spec.kind == "region":
        return f"{spec.label}位于{name('region', value)}（含下辖区域）"
    if spec.kind == "park":
        return f"{spec.label}为{'或'.join(name('park', v) for v in _as_list(value))}"
    if spec.kind == "date":
        if op == "within_years":
            return f"成立未满{int(value)}年"
        return f"{spec.label}{OPS[op]}{value}"
    if spec.kind == "qualification":
        label = spec.choices[value]
        if op == "not_has":
            return f"未被认定为“{label}”"
        return f"持有有效的“{label}”资质" + (f"且于近{int(years)}年内首次认定" if years else "")
    if spec.kind == "licence":
        return f"{'持有' if op == 'has' else '未持有'}有效的“{value}”"
    return f"近{int(years)}年内无严重失信记录" if years else "无严重失信记录"


def rule_sentence(rule: dict, *, names=None) -> str:
    """The whole rule as one Chinese sentence, as the policy page shows it."""
    items = rule.get("items") or []
    if not items:
        return "不限条件"
    return _group_sentence(rule, names=names, top=True) + "。"


def _group_sentence(group: dict, *, names, top: bool) -> str:
    parts = [_group_sentence(i, names=names, top=False) if "items" in i else condition_sentence(i, names=names)
             for i in group["items"]]
    if len(parts) == 1:
        return parts[0]
    if group.get("mode", "all") == "any":
        text = "；或".join(parts)
        return f"满足以下条件之一：{text}" if top else f"（满足其一：{text}）"
    text = "；且".join(parts)
    return f"同时满足：{text}" if top else f"（同时满足：{text}）"


# ------------------------------------------------------------------ compiling to one Q


def years_ago(today: date, n: int) -> date:
    try:
        return today.replace(year=today.year - n)
    except ValueError:  # 29 February
        return today.replace(year=today.year - n, day=28)


def region_prefix(code: str) -> str:
    """A GB/T 2260 code's subtree as a prefix: 430000 → 43, 430300 → 4303, 430321 → 430321."""
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def compile_rule(rule: dict, *, today: date, start_of: Callable[[date], datetime]) -> Q:
    """The rule as one Q over EnterpriseProfile (validate first). start_of(day) is the aware
    datetime a day starts at (for credit records, stamped with times)."""
    return _compile_group(rule, today=today, start_of=start_of)


def _compile_group(group: dict, *, today, start_of) -> Q:
    qs = [_compile_group(i, today=today, start_of=start_of) if "items" in i
          else compile_condition(i, today=today, start_of=start_of) for i in group["items"]]
    out = qs[0]
    for q in qs[1:]:
        out = (out | q) if group.get("mode", "all") == "any" else (out & q)
    return out


_LOOKUP = {"eq": "exact", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}


def compile_condition(cond: dict, *, today: date, start_of) -> Q:  # noqa: C901
    from yiwang.licences.models import Licence
    from yiwang.parties.models import CreditRecord

    from .models import Qualification

    spec = FIELDS[cond["field"]]
    op, value, col = cond["op"], cond.get("value"), spec.column
    if spec.kind == "number":
        if op == "between":
            return Q(**{f"{col}__gte": Decimal(str(value[0])), f"{col}__lte": Decimal(str(value[1]))})
        if op == "ne":  # an unknown figure satisfies no comparison, "not equal" included
            return Q(**{f"{col}__isnull": False}) & ~Q(**{col: Decimal(str(value))})
        return Q(**{f"{col}__{_LOOKUP[op]}": Decimal(str(value))})
    if spec.kind == "industry":
        if op == "startswith":
            return Q(**{f"{col}__startswith": value.upper()})
        return Q(**{f"{col}__in": [c.upper() for c in _as_list(value)]})
    if spec.kind in ("choice", "park"):
        return Q(**{f"{col}__in": _as_list(value)})
    if spec.kind == "region":
        return Q(**{f"{col}__startswith": region_prefix(value)})
    if spec.kind == "date":
        if op == "within_years":
            return Q(**{f"{col}__gt": years_ago(today, int(value))})
        return Q(**{f"{col}__{'lt' if op == 'before' else 'gt'}": date.fromisoformat(str(value))})
    if spec.kind == "qualification":
        held = Qualification.objects.filter(profile=OuterRef("pk"), kind=value, recognised_on__lte=today).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        if cond.get("years"):
            held = held.filter(recognised_on__gt=years_ago(today, int(cond["years"])))
        return Q(Exists(held)) if op == "has" else ~Q(Exists(held))
    if spec.kind == "licence":
        held = Licence.objects.filter(holder=OuterRef("party_id"), licence_type__name=value, status="valid",
                                      valid_from__lte=today).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        return Q(Exists(held)) if op == "has" else ~Q(Exists(held))
    serious = CreditRecord.objects.filter(party=OuterRef("party_id"), kind__in=SERIOUS_CREDIT_KINDS)
    if cond.get("years"):
        serious = serious.filter(created_at__gte=start_of(years_ago(today, int(cond["years"]))))
    return ~Q(Exists(serious))


# ------------------------------------------------------------------ evaluating for one enterprise


@dataclass
class Facts:
    """What one enterprise's profile says, loaded once (selectors.facts_of)."""

    values: dict[str, Any]  # field key -> value (region code, park code, numbers, dates, codes)
    sources: dict[str, dict]  # field key -> {"source", "as_of"}
    qualifications: list[tuple[str, date, date | None, str]]  # kind, recognised_on, valid_until, source
    licences: list[tuple[str, str, date, date | None]]  # type name, status, valid_from, valid_to
    credit: list[tuple[str, datetime, str]]  # kind, created_at, source


@dataclass(frozen=True)
class Outcome:
    """One condition for one enterprise: what the profile holds, where from, and whether it passed."""

    condition: dict
    sentence: str
    value: str
    source: str
    as_of: str
    passed: bool


def evaluate_condition(cond: dict, facts: Facts, *, today: date, start_of, names=None) -> Outcome:
    passed, shown, source, as_of = _evaluate(cond, facts, today=today, start_of=start_of, names=names)
    return Outcome(cond, condition_sentence(cond, names=names), shown, source, as_of, passed)


def _evaluate(cond, facts: Facts, *, today, start_of, names):  # noqa: C901
    spec = FIELDS[cond["field"]]
    op, value = cond["op"], cond.get("value")
    src = facts.sources.get(spec.key, {})
    source, as_of = src.get("source", ""), src.get("as_of", "")
    if spec.kind in ("number", "industry", "choice", "region", "park", "date"):
        have = facts.values.get(spec.key)
        if have in (None, ""):
            return False, "无数据", source, as_of
        return _compare(spec, op, value, have, today=today), _show(spec, have, names), source, as_of
    if spec.kind == "qualification":
        cutoff = years_ago(today, int(cond["years"])) if cond.get("years") else None
        held = [q for q in facts.qualifications if q[0] == value and q[1] <= today and (q[2] is None or q[2] >= today)
                and (cutoff is None or q[1] > cutoff)]
        shown = "；".join(f"{QUALIFICATION_LABELS[q[0]]} {q[1]} 认定，有效期至{q[2] or '长期'}"
                         for q in facts.qualifications if q[0] == value) or "无"
        qsource = (held[0][3] if held else next((q[3] for q in facts.qualifications if q[0] == value), "")) \
            or "企业资质认定名单"
        return (bool(held) if op == "has" else not held), shown, qsource, ""
    if spec.kind == "licence":
        held = [lic for lic in facts.licences if lic[0] == value and lic[1] == "valid" and lic[2] <= today
                and (lic[3] is None or lic[3] >= today)]
        shown = f"持有{len(held)}本有效证照" if held else "无有效证照"
        return (bool(held) if op == "has" else not held), shown, "电子证照库", ""
    since = start_of(years_ago(today, int(cond["years"]))) if cond.get("years") else None
    serious = [c for c in facts.credit if c[0] in SERIOUS_CREDIT_KINDS and (since is None or c[1] >= since)]
    shown = "；".join(f"{CREDIT_KIND_LABELS.get(c[0], c[0])}（{c[1].date()}）" for c in serious) or "无严重失信记录"
    return not serious, shown, (serious[0][2] if serious else "信用记录库"), ""


def _compare(spec: FieldSpec, op: str, value, have, *, today: date) -> bool:  # noqa: C901
    if spec.kind == "number":
        have = Decimal(str(have))
        if op == "between":
            return Decimal(str(value[0])) <= have <= Decimal(str(value[1]))
        want = Decimal(str(value))
        return {"eq": have == want, "ne": have != want, "gt": have > want, "gte": have >= want,
                "lt": have < want, "lte": have <= want}[op]
    if spec.kind == "industry":
        if op == "startswith":
            return have.upper().startswith(value.upper())
        return have.upper() in [c.upper() for c in _as_list(value)]
    if spec.kind in ("choice", "park"):
        return have in _as_list(value)
    if spec.kind == "region":
        return have.startswith(region_prefix(value))
    if op == "within_years":
        return have > years_ago(today, int(value))
    bound = date.fromisoformat(str(value))
    return have < bound if op == "before" else have > bound


def _show(spec: FieldSpec, have, names) -> str:
    if spec.kind == "number":
        return f"{_num_text(have)}{spec.unit}"
    if spec.kind == "choice":
        return spec.choices.get(have, have)
    if spec.kind in ("region", "park"):
        return (names or (lambda k, c: c))(spec.kind, have)
    return str(have)


def evaluate_rule(rule: dict, facts: Facts, *, today: date, start_of, names=None) -> tuple[bool, list[Outcome]]:
    """(qualifies, the outcome of every condition in reading order)."""
    outcomes: list[Outcome] = []

    def walk(group) -> bool:
        results = [walk(i) if "items" in i else _leaf(i) for i in group["items"]]
        return any(results) if group.get("mode", "all") == "any" else all(results)

    def _leaf(cond) -> bool:
        out = evaluate_condition(cond, facts, today=today, start_of=start_of, names=names)
        outcomes.append(out)
        return out.passed

    return walk(rule), outcomes


def evaluate_passes(rule: dict, facts: Facts, *, today: date, start_of) -> list[bool]:
    """Each condition's result in reading order, without its sentence (the calculator's first look)."""
    out: list[bool] = []

    def walk(group) -> None:
        for i in group["items"]:
            if "items" in i:
                walk(i)
            else:
                out.append(_evaluate(i, facts, today=today, start_of=start_of, names=None)[0])

    walk(rule)
    return out


def leaves(rule: dict) -> list[dict]:
    """The conditions of a rule in reading order."""
    out: list[dict] = []

    def walk(group) -> None:
        for i in group["items"]:
            walk(i) if "items" in i else out.append(i)

    walk(rule)
    return out


def nearly_indices(rule: dict, passed: list[bool]) -> list[int]:
    """For a failing rule: the failed conditions (by position) each of which alone would make it pass."""
    if rule_result(rule, passed):
        return []
    return [i for i, ok in enumerate(passed) if not ok and rule_result(rule, passed[:i] + [True] + passed[i + 1:])]


def rule_result(rule: dict, passed: list[bool]) -> bool:
    """The rule's result from its conditions' results in reading order (the tree's logic only)."""
    it = iter(passed)

    def walk(group) -> bool:
        results = [walk(i) if isinstance(i, dict) and "items" in i else next(it) for i in group["items"]]
        return any(results) if group.get("mode", "all") == "any" else all(results)

    return walk(rule)


def missing_conditions(rule: dict, outcomes: list[Outcome]) -> list[Outcome]:
    """For a rule that fails: the failed conditions each of which alone would make it pass
    (the enterprise "nearly qualifies" when there is one)."""
    passed = [o.passed for o in outcomes]
    if rule_result(rule, passed):
        return []
    out = []
    for i, o in enumerate(outcomes):
        if not o.passed and rule_result(rule, passed[:i] + [True] + passed[i + 1:]):
            out.append(o)
    return out


# ------------------------------------------------------------------ amounts

AMOUNT_KINDS = {"fixed": "定额", "per_head": "按人数", "share": "按比例"}
HEAD_FIELDS = ("insured", "employees")
SHARE_FIELDS = ("tax_paid", "investment", "revenue")
TEN_THOUSAND = Decimal(10000)


def amount_validate(amount: Any) -> None:
    if not isinstance(amount, dict) or amount.get("kind") not in AMOUNT_KINDS:
        raise RuleRefused("兑现金额规则应为定额、按人数或按比例之一", field="amount")
    kind = amount["kind"]
    where = "兑现金额"
    if kind == "fixed":
        _positive(amount.get("value"), where=f"{where}（定额）")
    elif kind == "per_head":
        if amount.get("field") not in HEAD_FIELDS:
            raise RuleRefused("兑现金额：按人数计算应选择从业人数或社保参保人数", field="amount")
        _positive(amount.get("value"), where=f"{where}（每人金额）")
    else:
        if amount.get("field") not in SHARE_FIELDS:
            raise RuleRefused("兑现金额：按比例计算应选择纳税额、固定资产投资或营业收入", field="amount")
        rate = _positive(amount.get("rate"), where=f"{where}（比例）")
        if rate > 1:
            raise RuleRefused("兑现金额：比例应在0至1之间（如 0.3 表示 30%）", field="amount")
    if amount.get("cap") not in (None, ""):
        _positive(amount["cap"], where=f"{where}（封顶）")


def _positive(value, *, where: str) -> Decimal:
    try:
        n = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RuleRefused(f"{where}：请填写数值", field="amount") from None
    if not n.is_finite() or n <= 0:
        raise RuleRefused(f"{where}：应大于0", field="amount")
    return n


def yuan(n) -> str:
    n = Decimal(str(n)).quantize(Decimal("0.01"))
    return f"{n:,.0f}元" if n == n.to_integral() else f"{n:,.2f}元"


def amount_sentence(amount: dict) -> str:
    kind = amount.get("kind")
    if kind == "fixed":
        text = f"定额{yuan(amount['value'])}"
    elif kind == "per_head":
        text = f"按{FIELDS[amount['field']].label}每人{yuan(amount['value'])}"
    elif kind == "share":
        rate = Decimal(str(amount["rate"])) * 100
        text = f"按{FIELDS[amount['field']].label}的{_num_text(rate)}%"
    else:
        return "—"
    if amount.get("cap") not in (None, ""):
        text += f"，最高不超过{yuan(amount['cap'])}"
    return text


def amount_for(amount: dict, values: dict[str, Any]) -> Decimal:
    """The amount in 元 for one enterprise's figures (money figures are in 万元)."""
    kind = amount["kind"]
    if kind == "fixed":
        out = Decimal(str(amount["value"]))
    elif kind == "per_head":
        out = Decimal(values.get(amount["field"]) or 0) * Decimal(str(amount["value"]))
    else:
        out = Decimal(str(values.get(amount["field"]) or 0)) * TEN_THOUSAND * Decimal(str(amount["rate"]))
    if amount.get("cap") not in (None, ""):
        out = min(out, Decimal(str(amount["cap"])))
    return out.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def amount_expression(amount: dict):
    """The same amount as a SQL expression over EnterpriseProfile (for the list in one query)."""
    from django.db.models import DecimalField, ExpressionWrapper
    from django.db.models.functions import Coalesce

    out_field = DecimalField(max_digits=16, decimal_places=2)
    kind = amount["kind"]
    if kind == "fixed":
        expr = Value(Decimal(str(amount["value"])), output_field=out_field)
    elif kind == "per_head":
        expr = ExpressionWrapper(Coalesce(F(amount["field"]), 0) * Value(Decimal(str(amount["value"]))),
                                 output_field=out_field)
    else:
        factor = TEN_THOUSAND * Decimal(str(amount["rate"]))
        expr = ExpressionWrapper(Coalesce(F(amount["field"]), Value(Decimal(0))) * Value(factor),
                                 output_field=out_field)
    if amount.get("cap") not in (None, ""):
        expr = Least(expr, Value(Decimal(str(amount["cap"])), output_field=out_field), output_field=out_field)
    return expr


# ------------------------------------------------------------------ the handbook and guide

GUIDE_DAYS = 7  # 四川 直达快享: a new policy's 兑现工作手册 and 申兑指南 within 7 working days
GUIDE_ITEMS = (("beneficiaries", "惠及对象"), ("rule", "申报条件"), ("time_limit", "兑现时限"),
               ("address", "受理地址"), ("phone", "咨询电话"))


def guide_missing(values: dict) -> list[str]:
    """The guide items a policy has not filled in yet (by their Chinese names)."""
    out = []
    for key, label in GUIDE_ITEMS:
        v = values.get(key)
        if not v or (key == "rule" and not v.get("items")):
            out.append(label)
    return out


def guide_state(*, missing: list[str], due: date | None, today: date, published_on: date | None = None) -> str:
    """"published" (公布 on time or late), "ready" (complete, not yet published), "due" (within its
    deadline), "overdue" (the deadline passed without it)."""
    if published_on is not None:
        return "published"
    if due is not None and today > due:
        return "overdue"
    if not missing:
        return "ready"
    return "due"
