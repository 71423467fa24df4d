"""The policy API: policies with their rules (as data and as a sentence), matching, explanation,
the 政策计算器, and the grant (redemption) actions — one operation per workflow action."""

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Router, Schema
from pydantic import Field, field_validator

from yiwang.core.auth import require_user
from yiwang.core.errors import Forbidden, NotFound
from yiwang.core.workflow import available_actions
from yiwang.core.workflow.api import action_routes, refusals
from yiwang.organisations.models import Role, Unit
from yiwang.organisations.selectors import staff_roles

from . import rules, selectors, services
from .models import Grant, Policy, PolicyStatus
from .workflow import GRANT_WORKFLOW

router = Router(tags=["policies"])


class PolicyIn(Schema):
    # Limits from the columns; the legal text column is unbounded (20 000 is ours).
    code: str = Field(title="政策编号", max_length=32)
    name: str = Field(title="政策名称", max_length=200)
    issuing_unit: str = Field(title="兑现单位", max_length=32)
    mode: str = Field("proactive", max_length=16)
    document: str = Field("", max_length=200)
    legal_text: str = Field("", max_length=20000)
    articles: list[dict] = Field([], max_length=200)
    beneficiaries: str = Field("", max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    budget: Decimal | None = Field(None, max_digits=14, decimal_places=2, ge=0)
    rule: dict = {}
    amount: dict = {}
    confirm_days: int = Field(10, ge=1, le=60)
    notice_days: int = Field(5, ge=1, le=30)
    time_limit: str = Field("", max_length=100)
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=32)
    tags: str = Field("", max_length=200)
    publish: bool = False

    @field_validator("budget", mode="before")
    @classmethod
    def _ascii_budget(cls, value):
        # Decimal("٤") is 4: a budget is written in ASCII digits, like every number.
        if isinstance(value, str) and not value.isascii():
            raise ValueError("预算应为半角数字")
        return value


class RuleIn(Schema):
    rule: dict
    amount: dict = {}


def policy_out(p: Policy, *, full: bool = False) -> dict:
    data = {"code": p.code, "name": p.name, "issuing_unit": p.issuing_unit.code,
            "issuing_unit_name": p.issuing_unit.name, "mode": p.mode, "mode_name": p.get_mode_display(),
            "status": p.status, "status_name": p.get_status_display(), "published_on": p.published_on,
            "document": p.document, "sentence": selectors.policy_sentence(p),
            "amount_sentence": rules.amount_sentence(p.amount or {})}
    if full:
        data.update({"rule": p.rule, "amount": p.amount, "articles": p.articles, "legal_text": p.legal_text,
                     "beneficiaries": p.beneficiaries, "starts_on": p.starts_on, "ends_on": p.ends_on,
                     "budget": p.budget, "confirm_days": p.confirm_days, "notice_days": p.notice_days,
                     "time_limit": p.time_limit, "address": p.address, "phone": p.phone, "tags": p.tags})
    return data


def _policy(request, code: str) -> Policy:
    p = Policy.objects.select_related("issuing_unit").filter(code=code.upper()).first()
    if p is None or (p.status == PolicyStatus.DRAFT and not (
            request.user.is_authenticated and selectors.can_edit_policy(request.user, p))):
        raise NotFound(f"政策“{code}”不存在", field="code")
    return p


def _may_see_profile(user, uscc: str) -> bool:
    if selectors.enterprises_of(user).filter(number=uscc).exists():
        return True
    return selectors.is_policy_staff(user) or any(s.role == Role.WINDOW_CLERK for s in staff_roles(user))


def _profile_for(request, enterprise: str):
    user = require_user(request)
    uscc = (enterprise or "").strip().upper()
    if not _may_see_profile(user, uscc):
        raise Forbidden("无权查看该企业的档案", field="enterprise")
    profile = selectors.profile_of(uscc)
    if profile is None:
        raise NotFound(f"企业“{uscc}”没有一企一档", field="enterprise")
    return profile


def outcome_out(o: rules.Outcome) -> dict:
    return {"condition": o.condition, "sentence": o.sentence, "value": o.value, "source": o.source,
            "as_of": o.as_of, "passed": o.passed}


def explanation_out(ex: selectors.Explanation) -> dict:
    return {"policy": ex.policy.code, "policy_name": ex.policy.name, "enterprise": ex.profile.party.number,
            "enterprise_name": ex.profile.party.name, "qualifies": ex.qualifies, "amount": ex.amount,
            "conditions": [outcome_out(o) for o in ex.outcomes], "missing": [outcome_out(o) for o in ex.missing]}


@router.get("/policies", summary="惠企政策清单（已发布；可按名称、文件、主题搜索）")
def policy_list(request, q: str = ""):
    return {"policies": [policy_out(p) for p in selectors.published_policies(q).select_related("issuing_unit")]}


@router.post("/policies", openapi_extra=refusals(401, 403, 404, 409), summary="新建或修改政策（兑现单位、审改办）；规则无法编译时拒绝并说明原因")
def policy_save(request, payload: PolicyIn):
    user = require_user(request)
    unit = Unit.objects.filter(code=payload.issuing_unit).first()
    if unit is None:
        raise NotFound(f"单位“{payload.issuing_unit}”不存在", field="issuing_unit")
    values = payload.dict(exclude={"code", "issuing_unit", "publish"})
    policy = services.policy_save(actor=user, code=payload.code, issuing_unit=unit, **values)
    if payload.publish:
        policy = services.policy_publish(actor=user, policy=policy)
    return policy_out(policy, full=True)


@router.post("/policies/rule-check", openapi_extra=refusals(401, 403), summary="检查规则：能否编译、规则语句、当前符合条件的企业数")
def rule_check(request, payload: RuleIn):
    user = require_user(request)
    if not selectors.is_policy_staff(user):
        raise Forbidden("无权检查政策规则", field="rule")
    services.policy_check(rule=payload.rule, amount=payload.amount)
    return {"sentence": rules.rule_sentence(payload.rule, names=selectors.names),
            "amount_sentence": rules.amount_sentence(payload.amount) if payload.amount else "",
            "count": selectors.match_count(payload.rule)}


@router.get("/policies/calculator", openapi_extra=refusals(401, 403, 404), summary="政策计算器：企业现在可享受的政策与金额，以及差一个条件的政策")
def calculator(request, enterprise: str):
    profile = _profile_for(request, enterprise)
    result = selectors.calculator(profile)
    return {"enterprise": profile.party.number, "enterprise_name": profile.party.name, "total": result["total"],
            "qualifies": [explanation_out(e) for e in result["qualifies"]],
            "nearly": [explanation_out(e) for e in result["nearly"]]}


@router.get("/policies/{code}", openapi_extra=refusals(404), summary="政策详情：规则（数据与语句）、金额规则、兑现指南")
def policy_detail(request, code: str):
    return policy_out(_policy(request, code), full=True)


@router.post("/policies/{code}/publish", openapi_extra=refusals(401, 403, 404, 409), summary="发布政策（并向符合条件的企业推送一次）")
def policy_publish(request, code: str):
    user = require_user(request)
    return policy_out(services.policy_publish(actor=user, policy=_policy(request, code)), full=True)


@router.post("/policies/{code}/match", openapi_extra=refusals(401, 403, 404, 409), summary="匹配：把符合条件的企业列入拟兑现名单，返回名单与金额")
def policy_match(request, code: str):
    user = require_user(request)
    policy = _policy(request, code)
    result = services.policy_match(actor=user, policy=policy)
    grants = Grant.objects.filter(policy=policy).select_related("enterprise").order_by("number")
    return {**result, "grants": [grant_out(g) for g in grants]}


@router.get("/policies/{code}/explain", openapi_extra=refusals(401, 403, 404), summary="解释：该企业每个条件的档案取值、来源与是否满足")
def policy_explain(request, code: str, enterprise: str):
    profile = _profile_for(request, enterprise)
    return explanation_out(selectors.explain(_policy(request, code), profile))


def grant_out(g: Grant, *, actions: list | None = None) -> dict[str, Any]:
    data = {"number": g.number, "policy": g.policy.code, "enterprise": g.enterprise.number,
            "enterprise_name": g.enterprise.name, "amount": g.amount, "status": g.status,
            "status_name": g.get_status_display(), "deadline": g.deadline, "deadline_provisional":
            g.deadline_provisional, "overdue": g.overdue, "paid_amount": g.paid_amount, "paid_on": g.paid_on,
            "version": g.version}
    if actions is not None:
        data["actions"] = [{"name": a.name, "label": a.label, "needs_input": a.needs_input} for a in actions]
    return data


def _grant_for(request, number: str) -> Grant:
    user = require_user(request)
    g = selectors.grants_for_user(user).filter(number=number).first()
    if g is None and Grant.objects.filter(number=number, status="in_notice").exists():
        g = Grant.objects.select_related("policy", "enterprise").get(number=number)  # 公示: anyone may object
    if g is None:
        raise NotFound(f"兑现记录“{number}”不存在", field="number")
    return g


@router.get("/redemptions", openapi_extra=refusals(401), summary="我的政策兑现（企业）或本单位的兑现记录")
def redemption_list(request, status: str = ""):
    user = require_user(request)
    qs = selectors.grants_for_user(user)
    if status:
        qs = qs.filter(status=status)
    return {"redemptions": [grant_out(g) for g in qs.order_by("-listed_on", "number")[:500]]}


@router.get("/redemptions/{number}", openapi_extra=refusals(401, 403, 404), summary="兑现记录详情与可办操作")
def redemption_detail(request, number: str):
    g = _grant_for(request, number)
    out = grant_out(g, actions=available_actions(GRANT_WORKFLOW, subject=g, actor=request.user))
    out["events"] = [{"seq": e.seq, "action": GRANT_WORKFLOW.action_label(e.action), "to_status": e.to_status,
                      "at": e.at, "reason": e.reason} for e in g.events.order_by("seq")]
    return out


class GrantOut(Schema):
    number: str
    status: str
    status_name: str
    version: int


action_routes(router, GRANT_WORKFLOW, path="/redemptions/{number}", out=GrantOut,
              respond=lambda request, g: grant_out(g), auth_user=require_user, load=_grant_for)
