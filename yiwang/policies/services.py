"""The only code that changes policy data: profiles (一企一档) and their imports, policies with
their rules, matching into the 拟兑现名单, pushes, and grant actions through the engine."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yiwang.catalogue.models import ItemImplementation
from yiwang.core.errors import DomainError, FieldError, Forbidden, NotFound
from yiwang.core.outbox import outbox_put
from yiwang.core.timers import timers_set, timers_set_many
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
        policy.save(update_fields=["status", "published_on", "updated_at"])
        policy_guide_deadline_set(policy=policy, today=today)
    policy_item_ensure(policy=policy)
    policy_push(policy=policy, today=today)
    return policy


def policy_guide_deadline_set(*, policy: Policy, today: date | None = None) -> bool:
    """The handbook-and-guide deadline: 7 working days from publication, with its overdue timer
    (cancelled once the guide is published). Returns whether the deadline moved."""
    due = add_working_days(policy.published_on, rules.GUIDE_DAYS).date
    moved = due != policy.guide_due_on
    overdue = policy.guide_published_on is None and (today or timezone.localdate()) > due
    Policy.objects.filter(pk=policy.pk).update(guide_due_on=due, guide_overdue=overdue)
    policy.guide_due_on, policy.guide_overdue = due, overdue
    when = None if policy.guide_published_on else selectors.start_of(due + timedelta(days=1))
    timers_set(key=policy.code, plan={"policy.guide_overdue": when})
    return moved


@transaction.atomic
def policy_guide_publish(*, actor, policy: Policy, today: date | None = None) -> Policy:
    """公布兑现工作手册和申兑指南: refused while any of its five items is missing; stops the clock."""
    if not selectors.can_edit_policy(actor, policy):
        raise Forbidden("无权公布该政策的申兑指南", field="code")
    if policy.status != PolicyStatus.PUBLISHED:
        raise DomainError("政策发布后才能公布申兑指南", field="status")
    missing = rules.guide_missing({k: getattr(policy, k) for k, _ in rules.GUIDE_ITEMS})
    if missing:
        raise DomainError(f"申兑指南缺少：{'、'.join(missing)}", field="guide")
    if policy.guide_published_on is None:
        policy.guide_published_on = today or timezone.localdate()
        policy.save(update_fields=["guide_published_on", "updated_at"])
        timers_set(key=policy.code, plan={"policy.guide_overdue": None})
    return policy


def policy_guide_overdue_mark(*, code: str) -> bool:
    """The guide deadline passed without the guide: the overdue mark the workbench shows."""
    return bool(Policy.objects.filter(code=code, guide_published_on__isnull=True, status=PolicyStatus.PUBLISHED)
                .update(guide_overdue=True))


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


# ------------------------------------------------------------------ 快申快享 / 申报兑现 through the case engine

# The item's form: what the profile already holds (filled in from it, never asked again) and what
# only the enterprise can say (its account). The case keeps both, so the decision reads them.
PROFILE_FORM = (("统一社会信用代码", None), ("企业名称", None), ("从业人数", "employees"),
                ("社保参保人数", "insured"), ("纳税额（万元）", "tax_paid"), ("固定资产投资（万元）", "investment"))
ASKED_FORM = ("开户银行", "收款账号")
DEFAULT_MATERIALS = ({"name": "政策兑现申请承诺书", "required": True},)


def policy_item_ensure(*, policy: Policy) -> ItemImplementation | None:
    """A policy that needs an application is a catalogue item (行政给付/奖励) implemented by its
    issuing unit, with its materials and the policy's decision limit as the promised limit, so that
    an application is a case on the one case workflow. A 免申即享 policy has none."""
    from yiwang.catalogue.models import ItemImplementation, ItemType, Material, ServiceItem
    from yiwang.catalogue.services import implementation_save, item_save

    if policy.mode == Mode.PROACTIVE:
        return None
    unit = policy.issuing_unit
    item = policy.implementation.item if policy.implementation_id else ServiceItem(basic_code=f"ZC-{policy.code}")
    if _changed(item, name=f"{policy.name}申报兑现", type_code=ItemType.PAYMENT, basis=policy.document or policy.name,
                statutory_days=policy.decide_days, promised_days=policy.decide_days,
                conditions=selectors.policy_sentence(policy), form_fields=[k for k, _ in PROFILE_FORM] + list(ASKED_FORM),
                service_object="enterprise", channels=["1", "2"]):
        item_save(item=item)  # only when something differs: publishing (or the demo) again writes nothing
    wanted = [(m["name"], bool(m.get("required", True))) for m in (policy.materials or DEFAULT_MATERIALS)]
    if list(item.materials.order_by("order").values_list("name", "required")) != wanted:
        item.materials.all().delete()
        Material.objects.bulk_create([Material(item=item, order=i, name=n, required=r)
                                      for i, (n, r) in enumerate(wanted, start=1)])
    impl = policy.implementation or ItemImplementation(impl_code=f"{unit.region_id}-ZC-{policy.code}", item=item)
    if _changed(impl, region_id=unit.region_id, department_id=unit.pk, name=item.name, type_code=item.type_code,
                basis=item.basis, location=policy.address or impl.location, phone=policy.phone or impl.phone):
        implementation_save(impl=impl)
    if policy.implementation_id != impl.pk:
        policy.implementation = impl
        policy.save(update_fields=["implementation", "updated_at"])
    return impl


def _changed(obj, **values) -> bool:
    """Set the values; True when the object is new or one of them differed."""
    differs = obj.pk is None or any(getattr(obj, k) != v for k, v in values.items())
    for k, v in values.items():
        setattr(obj, k, v)
    return differs


def application_form(*, profile: EnterpriseProfile) -> dict:
    """The item's form as the profile fills it in (the asked fields left blank). The same for every
    policy item, so that a bundle of them (政策兑现一件事) merges into one form."""
    values = {"统一社会信用代码": profile.party.number, "企业名称": profile.party.name}
    for label, key in PROFILE_FORM:
        if key:
            v = getattr(profile, key)
            values[label] = "" if v is None else str(v)
    return {**values, **dict.fromkeys(ASKED_FORM, "")}


def _applicable(policy: Policy, enterprise: Party) -> EnterpriseProfile:
    """The enterprise's profile, when the policy takes applications and the enterprise qualifies
    now; else refused with the conditions it misses."""
    if policy.status != PolicyStatus.PUBLISHED or not policy.implementation_id:
        raise DomainError(f"《{policy.name}》不接受申报（未发布或为免申即享）", field="policy")
    profile = selectors.profile_of(enterprise.number)
    if profile is None:
        raise DomainError("该企业尚无一企一档，无法申报", field="enterprise")
    ex = selectors.explain(policy, profile)
    if not ex.qualifies:
        failed = ex.missing or [o for o in ex.outcomes if not o.passed]
        missing = "；".join(o.sentence for o in failed[:3]) or "不满足申报条件"
        raise DomainError(f"该企业目前不符合《{policy.name}》申报条件：{missing}", field="enterprise")
    return profile


def _account_form(profile: EnterpriseProfile, bank: str, account: str) -> dict:
    errors = []
    if not (2 <= len((bank or "").strip()) <= 100):
        errors.append(FieldError("bank", "请填写开户银行"))
    if not re.fullmatch(r"[0-9]{8,30}", (account or "").strip()):
        errors.append(FieldError("account", "收款账号应为8至30位数字"))
    if errors:
        raise DomainError("", errors=errors, code="invalid")
    return {**application_form(profile=profile), "开户银行": bank.strip(), "收款账号": account.strip()}


def policy_apply(*, actor, policy: Policy, enterprise: Party, bank: str, account: str, channel: str = "online",
                 materials=None, now=None):
    """One application (快申快享 / 申报兑现) as a case of the policy's item: the profile's figures are
    filled in from 一企一档, only the account is asked. Refused before anything is written when the
    enterprise does not qualify now (with the conditions it misses)."""
    from yiwang.cases.services import case_submit

    profile = _applicable(policy, enterprise)
    form = _account_form(profile, bank, account)
    return case_submit(actor=actor, item=policy.implementation.impl_code, applicant=enterprise, form=form,
                       channel=channel, materials=materials, now=now)


def policy_bundle_ensure(*, code: str, name: str, policies: list[Policy], promised_days: int | None = None):
    """政策兑现一件事: a catalogue bundle whose members are the policies' items, so that several
    policies are applied for at once through the bundle cases (one form, one intake, each policy's
    case decided by its unit, each approval its own redemption)."""
    from yiwang.catalogue.models import Bundle, BundleTheme
    from yiwang.catalogue.services import bundle_save

    impls = [policy_item_ensure(policy=p) for p in policies]
    if len(impls) < 2 or any(i is None for i in impls):
        raise DomainError("政策兑现一件事需要两项以上需申报的政策", field="policies")
    regions = {i.region_id for i in impls}
    if len(regions) != 1:
        raise DomainError("一件事的政策应属于同一行政区划", field="policies")
    bundle = Bundle.objects.filter(code=code).first() or Bundle(code=code)
    changed = _changed(bundle, name=name, theme=BundleTheme.ENTERPRISE, region_id=regions.pop(),
                       promised_days=promised_days or max(p.decide_days for p in policies),
                       description="政策兑现一件事：" + "、".join(f"《{p.name}》" for p in policies) + "，一次申报、分别兑现")
    if not changed and sorted(bundle.members.values_list("implementation_id", flat=True)) == sorted(i.pk for i in impls):
        return bundle  # the same bundle: saving it again would write (and re-validate) for nothing
    return bundle_save(bundle=bundle, members=[(i, []) for i in impls])


def policy_bundle_apply(*, actor, bundle_code: str, enterprise: Party, bank: str, account: str,
                        channel: str = "online", uploads=None, now=None):
    """One application for every policy of a 政策兑现一件事 bundle: the enterprise must qualify for
    each; the form is filled in from 一企一档 once."""
    from yiwang.bundlecases.services import bundle_case_submit

    policies = list(Policy.objects.select_related("implementation").filter(
        implementation__bundle_members__bundle__code=bundle_code).order_by("code"))
    if not policies:
        raise NotFound(f"政策兑现一件事“{bundle_code}”不存在", field="bundle")
    profile = None
    for p in policies:
        profile = _applicable(p, enterprise)
    form = _account_form(profile, bank, account)
    return bundle_case_submit(actor=actor, bundle=bundle_code, applicant=enterprise, form=form, channel=channel,
                              uploads=uploads, now=now)


def grant_for_case(*, case_number: str, actor=None) -> Grant | None:
    """An approved application of a policy's item enters the redemption at 待拨付: the same payment
    and publication steps as 免申即享 (no list, confirmation or 公示: the case was the review).
    Once per case (a second call returns the same grant)."""
    from yiwang.cases.models import Case

    case = Case.objects.select_related("applicant", "implementation__policy").filter(number=case_number).first()
    policy = getattr(case.implementation, "policy", None) if case else None
    if policy is None:
        return None
    with transaction.atomic():
        Policy.objects.select_for_update().filter(pk=policy.pk).first()  # numbers of one policy in turn
        existing = Grant.objects.filter(policy=policy, enterprise=case.applicant).first()
        if existing is not None:
            return existing
        # The amount rule over the profile as it is now (the unit's decision settled eligibility).
        profile = selectors.profile_of(case.applicant.number)
        amount = rules.amount_for(policy.amount, selectors.facts_of(profile).values) if profile else Decimal(0)
        today = timezone.localdate()
        due = add_working_days(today, policy.pay_days)
        n = Grant.objects.filter(policy=policy).count() + 1
        g = Grant.objects.create(
            number=f"{policy.code}-{n:05d}", policy=policy, enterprise=case.applicant, amount=amount,
            status="payable", listed_on=today, deadline_from=today, deadline_days=policy.pay_days,
            deadline=due.date, deadline_provisional=due.provisional, case_number=case.number,
            bank=case.form.get("开户银行", ""), account=case.form.get("收款账号", ""), committed=True)
        GrantEvent.objects.create(grant=g, seq=1, action="case_approved", from_status="", to_status="payable",
                                  actor=None, actor_kind="system", at=timezone.now(), on=today, deadline=g.deadline,
                                  reason=f"申报办件{case.number}准予兑现", data={"case": case.number,
                                                                                 "amount": str(amount)})
        timers_set(key=g.number, plan={"grant.overdue": selectors.start_of(due.date + timedelta(days=1))})
    return g


def profile_cases_refresh(*, party_id: int, today: date | None = None) -> int | None:
    """办结办件数 in 一企一档: recounted from the case engine (approved or delivered cases of the
    enterprise as applicant), with its source and date."""
    from yiwang.cases.models import Case

    profile = EnterpriseProfile.objects.filter(party_id=party_id).first()
    if profile is None:
        return None
    n = Case.objects.filter(applicant_id=party_id, status__in=("approved", "delivered", "closed")).count()
    today = today or timezone.localdate()
    sources = dict(profile.sources or {})
    sources["cases_completed"] = {"source": "办件库", "as_of": today.isoformat()}
    EnterpriseProfile.objects.filter(pk=profile.pk).update(cases_completed=n, sources=sources,
                                                           updated_at=timezone.now())
    return n
