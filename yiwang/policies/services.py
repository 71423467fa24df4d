"""The only code that changes policy data: profiles (一企一档) and their imports, policies with
their rules, matching into the 拟兑现名单, pushes, and grant actions through the engine."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yiwang.core.errors import DomainError, Forbidden, NotFound
from yiwang.core.outbox import outbox_put
from yiwang.core.timers import timers_set_many
from yiwang.core.workflow import apply
from yiwang.licences.models import LicenceType
from yiwang.organisations.models import Region, Unit
from yiwang.parties.models import Party
from yiwang.workcalendar.index import add_working_days

from . import rules, selectors
from .adapters import ProfileSource
from .models import (
    EnterpriseProfile,
    EnterpriseYear,
    Grant,
    GrantEvent,
    Mode,
    Policy,
    PolicyMatch,
    PolicyStatus,
)
from .workflow import GRANT_WORKFLOW

PROFILE_KEYS = ("industry_code", "registered_on", "employees", "insured", "revenue", "tax_paid", "investment",
                "credit_grade")
YEAR_KEYS = ("employees", "insured", "revenue", "tax_paid", "investment")
SIZE_SOURCE = "按《统计上大中小微型企业划分办法（2017）》计算"


# ------------------------------------------------------------------ 一企一档


def profile_set(*, party: Party, values: dict, source: str, as_of: date, year: int | None = None,
                save: bool = True) -> EnterpriseProfile:
    """Write profile values with their source and date; the size follows from industry, employees
    and revenue. A year's figures also go to that year's row."""
    if party.kind != "enterprise":
        raise DomainError("只有企业（法人）才有一企一档", field="enterprise")
    profile = getattr(party, "profile", None) if hasattr(party, "profile") else None
    profile = profile or EnterpriseProfile(party=party)
    sources = dict(profile.sources or {})
    for key, value in values.items():
        if key not in PROFILE_KEYS:
            raise DomainError(f"未知的档案字段“{key}”", field=key)
        setattr(profile, key, value)
        sources[key] = {"source": source, "as_of": as_of.isoformat()}
    if year is not None:
        profile.figures_year = max(profile.figures_year or year, year)
    size = rules.enterprise_size(profile.industry_code, profile.employees, profile.revenue)
    if size != profile.size:
        profile.size = size
        sources["size"] = {"source": SIZE_SOURCE, "as_of": as_of.isoformat()}
    profile.sources = sources
    if save:
        profile.save()
        if year is not None:
            figures = {k: v for k, v in values.items() if k in YEAR_KEYS}
            EnterpriseYear.objects.update_or_create(profile=profile, year=year,
                                                    defaults={**figures, "source": source, "as_of": as_of})
    return profile


@transaction.atomic
def profile_import(*, source: ProfileSource) -> dict:
    """Import every record of an adapter; an unknown or invalid USCC refuses the whole file (nothing
    half-imported), naming the line."""
    records = list(source.records())
    numbers = {r.uscc for r in records}
    parties = {p.number: p for p in Party.objects.filter(number__in=numbers, kind="enterprise")
               .select_related("profile")}
    done = 0
    for r in records:
        party = parties.get(r.uscc)
        if party is None:
            raise DomainError(f"第{r.row}行：统一社会信用代码“{r.uscc}”不是已登记的企业", field="file")
        # Only the latest year's figures are the profile's; older years go to their year row.
        latest = getattr(party, "profile", None) is None or r.year is None or \
            (party.profile.figures_year or 0) <= r.year
        values = r.values if latest else {k: v for k, v in r.values.items() if k not in YEAR_KEYS}
        profile_set(party=party, values=values, source=source.name, as_of=source.as_of, year=r.year)
        if not latest:
            EnterpriseYear.objects.update_or_create(
                profile=party.profile, year=r.year,
                defaults={**{k: v for k, v in r.values.items() if k in YEAR_KEYS}, "source": source.name,
                          "as_of": source.as_of})
        done += 1
    pushed = sum(policy_push(policy=p) for p in Policy.objects.filter(status=PolicyStatus.PUBLISHED))
    return {"records": done, "source": source.name, "pushed": pushed}


# ------------------------------------------------------------------ policies


def _known() -> dict[str, set[str]]:
    return {
        "park": set(Unit.objects.filter(kind="park").values_list("code", flat=True)),
        "region": set(Region.objects.values_list("code", flat=True)),
        "licence": set(LicenceType.objects.values_list("name", flat=True)),
    }


def policy_check(*, rule: dict, amount: dict) -> None:
    """Refuse (at the field) a rule or amount rule that cannot compile."""
    rules.rule_validate(rule, known=_known())
    if amount:
        rules.amount_validate(amount)


EDITABLE = ("name", "document", "legal_text", "articles", "beneficiaries", "starts_on", "ends_on", "budget",
            "mode", "rule", "amount", "confirm_days", "notice_days", "review_days", "pay_days", "time_limit",
            "address", "phone", "tags")


@transaction.atomic
def policy_save(*, actor, code: str, issuing_unit: Unit, **values) -> Policy:
    """Create or update a policy (draft or published); refused whole when anything is wrong."""
    code = (code or "").strip().upper()
    if not code:
        raise DomainError("请填写政策编号", field="code")
    if not (values.get("name") or "").strip():
        raise DomainError("请填写政策名称", field="name")
    policy = Policy.objects.select_for_update().filter(code=code).first()
    if not selectors.can_edit_policy(actor, policy, issuing_unit) or (
            policy and not selectors.can_edit_policy(actor, policy)):
        raise Forbidden("无权编辑该单位的政策", field="issuing_unit")
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise DomainError(f"未知字段“{sorted(unknown)[0]}”", field=sorted(unknown)[0])
    rule = values.get("rule", policy.rule if policy else {"mode": "all", "items": []}) or {"mode": "all", "items": []}
    amount = values.get("amount", policy.amount if policy else {}) or {}
    if rule.get("items"):
        rules.rule_validate(rule, known=_known())
    if amount:
        rules.amount_validate(amount)
    if "mode" in values and values["mode"] not in Mode.values:
        raise DomainError("兑现方式应为免申即享、快申快享或申报兑现", field="mode")
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts and ends and ends < starts:
        raise DomainError("执行截止日期不能早于起始日期", field="ends_on")
    policy = policy or Policy(code=code)
    policy.issuing_unit = issuing_unit
    for k, v in values.items():
        setattr(policy, k, v)
    policy.rule, policy.amount = rule, amount
    policy.save()
    return policy


@transaction.atomic
def policy_publish(*, actor, policy: Policy, today: date | None = None) -> Policy:
    if not selectors.can_edit_policy(actor, policy):
        raise Forbidden("无权发布该政策", field="code")
    if not (policy.rule or {}).get("items"):
        raise DomainError("请先设置申报条件", field="rule")
    if not policy.amount:
        raise DomainError("请先设置兑现金额规则", field="amount")
    policy_check(rule=policy.rule, amount=policy.amount)
    today = today or timezone.localdate()
    if policy.status != PolicyStatus.PUBLISHED:
        policy.status, policy.published_on = PolicyStatus.PUBLISHED, today
        policy.guide_due_on = add_working_days(today, rules.GUIDE_DAYS).date
        policy.save(update_fields=["status", "published_on", "guide_due_on", "updated_at"])
    policy_push(policy=policy, today=today)
    return policy


def policy_push(*, policy: Policy, today: date | None = None) -> int:
    """政策包 push: tell every enterprise that qualifies and was not told before — once each."""
    matched = set(selectors.matching_profiles(policy, today=today).values_list("party_id", flat=True))
    told = set(PolicyMatch.objects.filter(policy=policy).values_list("enterprise_id", flat=True))
    new = sorted(matched - told)
    if not new:
        return 0
    PolicyMatch.objects.bulk_create([PolicyMatch(policy=policy, enterprise_id=p) for p in new],
                                    ignore_conflicts=True)
    for party_id in new:
        outbox_put(topic="policies.push", payload={
            "policy": policy.code, "enterprise": party_id,
            "text": f"您单位可能符合《{policy.name}》，请登录惠企政策专区查看政策计算器。"})
    return len(new)


@transaction.atomic
def policy_match(*, actor, policy: Policy, today: date | None = None, parties: list[int] | None = None) -> dict:
    """Put every matching enterprise not yet on the list onto the 拟兑现名单 (one query to match,
    one insert for the grants, one for their first events)."""
    if not selectors.can_edit_policy(actor, policy):
        raise Forbidden("无权对该政策进行匹配", field="code")
    if policy.status != PolicyStatus.PUBLISHED:
        raise DomainError("政策发布后才能匹配兑现名单", field="status")
    today = today or timezone.localdate()
    Policy.objects.select_for_update().filter(pk=policy.pk).first()  # one match at a time per policy
    listed = set(Grant.objects.filter(policy=policy).values_list("enterprise_id", flat=True))
    matched = selectors.match_list(policy, today=today)
    if parties is not None:  # only these enterprises (a profile changed, or the demo)
        matched = matched.filter(party_id__in=parties)
    rows = [r for r in matched.values_list("party_id", "grant_amount") if r[0] not in listed]
    start = Grant.objects.filter(policy=policy).count()
    review = add_working_days(today, policy.review_days)  # the unit reviews the list within its days
    grants = [Grant(number=f"{policy.code}-{start + i:05d}", policy=policy, enterprise_id=party_id,
                    amount=Decimal(amount).quantize(Decimal("0.01")), listed_on=today, deadline_from=today,
                    deadline_days=policy.review_days, deadline=review.date, deadline_provisional=review.provisional)
              for i, (party_id, amount) in enumerate(rows, start=1)]
    Grant.objects.bulk_create(grants)
    due = selectors.start_of(review.date + timedelta(days=1))
    timers_set_many(kind="grant.overdue", due={g.number: due for g in grants})
    made = {g.number: g.pk for g in Grant.objects.filter(policy=policy, number__in=[g.number for g in grants])}
    now = timezone.now()
    GrantEvent.objects.bulk_create([
        GrantEvent(grant_id=made[g.number], seq=1, action="match", from_status="", to_status="listed",
                   actor=actor if getattr(actor, "pk", None) else None, actor_kind="unit", at=now, on=today,
                   deadline=g.deadline, data={"amount": str(g.amount)}) for g in grants])
    return {"created": len(grants), "total": len(listed) + len(grants)}


def grant_act(*, number: str, action: str, actor, input: dict | None = None, version: int | None = None) -> Grant:
    """Any grant action, through the engine (who may, in which state, with which input)."""
    grant = Grant.objects.filter(number=number).first()
    if grant is None:
        raise NotFound(f"兑现记录“{number}”不存在", field="number")
    return apply(GRANT_WORKFLOW, subject=grant, action=action, actor=actor, input=input, version=version)


def grants_review(*, actor, policy: Policy, numbers: list[str]) -> int:
    """核定 a batch of the list: each approved through the engine, in its own transaction."""
    done = 0
    for number in numbers:
        with transaction.atomic():
            grant_act(number=number, action="approve", actor=actor)
        done += 1
    return done
