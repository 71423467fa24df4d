"""The rule editor: rows of (group, field, operator, value, years) and an amount rule as form
fields, turned into rule data and back — so that an admin writes rules without programming.
Groups: every condition belongs to group 1–3; each group is "全部满足" or "满足其一"; the groups
together must all hold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from yiwang.core.errors import DomainError
from yiwang.organisations.models import Unit

from . import rules, selectors, services
from .models import Mode, Policy

ROWS = 8
GROUPS = (1, 2, 3)
LIST_OPS = ("in",)


def _code(spec: rules.FieldSpec, text: str) -> str:
    """A choice typed by its Chinese label (小型、高新技术企业) is stored as its code."""
    by_label = {label: key for key, label in spec.choices.items()}
    return by_label.get(text.strip(), text.strip())


def _value_in(spec: rules.FieldSpec, op: str, text: str):
    text = text.strip()
    if spec.choices:
        codes = [_code(spec, t) for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip()]
        return codes if op in LIST_OPS else (codes[0] if codes else "")
    if op == "between":
        parts = [t for t in text.replace("～", "-").replace("至", "-").replace(",", "-").split("-") if t.strip()]
        return [p.strip() for p in parts]
    if op in LIST_OPS:
        return [t for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip()]
    if op == "within_years":
        return int(text) if text.isdigit() else text
    return text


def _value_out(value, spec: rules.FieldSpec | None = None) -> str:
    if spec is not None and spec.choices:
        values = value if isinstance(value, list) else [value]
        return "、".join(spec.choices.get(v, str(v)) for v in values)
    if isinstance(value, list):
        return ",".join(str(v) for v in value) if len(value) != 2 or not all(
            str(v).replace(".", "").isdigit() for v in value) else f"{value[0]}-{value[1]}"
    return "" if value is None else str(value)


def rule_from_post(post) -> dict:
    groups: dict[int, list] = {g: [] for g in GROUPS}
    for i in range(ROWS):
        field = post.get(f"c{i}_field", "")
        if not field:
            continue
        op = post.get(f"c{i}_op", "")
        spec = rules.FIELDS.get(field)
        cond = {"field": field, "op": op}
        if spec is not None and spec.kind != "credit":
            cond["value"] = _value_in(spec, op, post.get(f"c{i}_value", ""))
        years = post.get(f"c{i}_years", "").strip()
        if years:
            cond["years"] = int(years) if years.isdigit() else years
        group = int(post.get(f"c{i}_group", "1") or 1)
        groups[group if group in GROUPS else 1].append(cond)
    items: list = []
    for g in GROUPS:
        conds = groups[g]
        if post.get(f"g{g}_mode", "all") == "any" and len(conds) > 1:
            items.append({"mode": "any", "items": conds})
        else:
            items.extend(conds)
    return {"mode": "all", "items": items}


def rows_from_rule(rule: dict) -> tuple[list[dict], dict[int, str]]:
    """The editor rows for a rule of the editor's shape (top-level all; subgroups of any/all)."""
    rows, modes, group = [], dict.fromkeys(GROUPS, "all"), 1
    for item in (rule or {}).get("items", []):
        if "items" in item:
            group = min(group + 1, GROUPS[-1])
            modes[group] = item.get("mode", "all")
            rows += [{**c, "group": group} for c in item["items"] if "items" not in c]
        else:
            rows.append({**item, "group": 1})
    rows = [{**r, "value_text": _value_out(r.get("value"), rules.FIELDS.get(r.get("field", "")))} for r in rows]
    rows += [{"group": 1, "field": "", "op": "", "value_text": "", "years": ""}] * (ROWS - len(rows))
    return rows[:ROWS], modes


def amount_from_post(post) -> dict:
    kind = post.get("amount_kind", "")
    if not kind:
        return {}
    amount: dict = {"kind": kind}
    if kind in ("fixed", "per_head"):
        amount["value"] = post.get("amount_value", "").strip()
    if kind in ("per_head", "share"):
        amount["field"] = post.get("amount_field", "")
    if kind == "share":
        percent = post.get("amount_percent", "").strip()
        try:
            amount["rate"] = str(float(percent) / 100)
        except ValueError:
            amount["rate"] = percent
    if post.get("amount_cap", "").strip():
        amount["cap"] = post["amount_cap"].strip()
    return amount


def _context(request, *, policy: Policy | None, post=None, error: DomainError | None = None) -> dict:
    rule = rule_from_post(post) if post is not None else (policy.rule if policy else {"mode": "all", "items": []})
    rows, modes = rows_from_rule(rule)
    if post is not None:
        rows = [{"group": post.get(f"c{i}_group", "1"), "field": post.get(f"c{i}_field", ""),
                 "op": post.get(f"c{i}_op", ""), "value_text": post.get(f"c{i}_value", ""),
                 "years": post.get(f"c{i}_years", "")} for i in range(ROWS)]
        modes = {g: post.get(f"g{g}_mode", "all") for g in GROUPS}
    amount = amount_from_post(post) if post is not None else (policy.amount if policy else {})
    units = Unit.objects.exclude(kind__in=["center", "hotline", "utility"]).order_by("region_id", "code")
    units = [u for u in units if selectors.can_edit_policy(request.user, None, u)]
    return {"policy": policy, "rows": list(enumerate(rows)), "modes": modes, "fields": rules.FIELDS.values(),
            "ops": rules.OPS, "groups": GROUPS, "amount": amount, "units": units, "modes_choices": Mode.choices,
            "post": post, "v": _values(policy, post), "error": error, "preview": _preview(rule, amount), "percent": _percent(amount)}


TEXT_FIELDS = ("code", "name", "mode", "document", "beneficiaries", "starts_on", "ends_on", "budget", "time_limit",
               "address", "phone", "tags", "legal_text")


def _values(policy: Policy | None, post) -> dict:
    """What the form fields show: what was posted, or the policy's values."""
    if post is not None:
        return {k: post.get(k, "") for k in (*TEXT_FIELDS, "issuing_unit")}
    out = {k: ("" if getattr(policy, k, None) is None else getattr(policy, k)) for k in TEXT_FIELDS}
    for k in ("starts_on", "ends_on"):
        out[k] = out[k].isoformat() if out[k] else ""
    out["issuing_unit"] = policy.issuing_unit.code if policy else ""
    out["mode"] = out["mode"] or Mode.PROACTIVE
    return out


def _percent(amount: dict) -> str:
    try:
        return f"{Decimal(str(amount['rate'])) * 100:f}".rstrip("0").rstrip(".") if amount.get("rate") else ""
    except (ArithmeticError, ValueError):
        return str(amount.get("rate", ""))


def _preview(rule: dict, amount: dict) -> dict:
    """The sentence and the live count of matching enterprises, or the reason the rule is refused."""
    if not rule.get("items"):
        return {"error": "", "sentence": "尚未设置条件", "count": None}
    try:
        services.policy_check(rule=rule, amount=amount)
    except DomainError as exc:
        return {"error": exc.message, "field": exc.field, "sentence": "", "count": None}
    return {"error": "", "sentence": rules.rule_sentence(rule, names=selectors.names),
            "amount": rules.amount_sentence(amount) if amount else "", "count": selectors.match_count(rule)}


def _date(text: str, label: str, field: str):
    if not (text or "").strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(f"{label}格式应为 YYYY-MM-DD", field=field) from None


@login_required
def edit(request, code: str = ""):
    if not selectors.can_edit_policy(request.user, None):
        from .views import _staff_only

        return _staff_only(request) or redirect("policies:workbench")
    policy = Policy.objects.filter(code=code).first() if code else None
    if code and (policy is None or not selectors.can_edit_policy(request.user, policy)):
        raise Http404("政策不存在")
    if request.method != "POST":
        return render(request, "policies/edit.html", _context(request, policy=policy))
    post = request.POST
    try:
        policy = _save(request, post, code=code)
    except DomainError as exc:
        return render(request, "policies/edit.html", _context(request, policy=policy, post=post, error=exc),
                      status=400)
    return redirect("policies:workbench_policy", code=policy.code)


def _save(request, post, *, code: str) -> Policy:
    unit = Unit.objects.filter(code=post.get("issuing_unit", "")).first()
    if unit is None:
        raise DomainError("请选择兑现单位", field="issuing_unit")
    try:
        budget = post.get("budget", "").strip() or None
        budget = None if budget is None else Decimal(budget)
    except (ArithmeticError, ValueError):
        raise DomainError("预算应为数字", field="budget") from None
    return services.policy_save(
        actor=request.user, code=code or post.get("code", ""), issuing_unit=unit, name=post.get("name", "").strip(),
        document=post.get("document", "").strip(), beneficiaries=post.get("beneficiaries", "").strip(),
        legal_text=post.get("legal_text", "").strip(), mode=post.get("mode", Mode.PROACTIVE),
        starts_on=_date(post.get("starts_on", ""), "执行起始日期", "starts_on"),
        ends_on=_date(post.get("ends_on", ""), "执行截止日期", "ends_on"), budget=budget,
        time_limit=post.get("time_limit", "").strip(), address=post.get("address", "").strip(),
        phone=post.get("phone", "").strip(), tags=post.get("tags", "").strip(),
        rule=rule_from_post(post), amount=amount_from_post(post))


@login_required
def preview(request):
    """htmx: the rule as a sentence and its live count, as the admin edits."""
    if not selectors.is_policy_staff(request.user):
        raise Http404()
    data = request.POST if request.method == "POST" else request.GET
    return render(request, "policies/_preview.html",
                  {"preview": _preview(rule_from_post(data), amount_from_post(data))})
