"""Reads: the enterprises a policy matches (one SQL query), the explanation for one enterprise,
the 政策计算器, and who may see what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from yiwang.licences.models import Licence
from yiwang.organisations.models import Region, Role, Unit
from yiwang.organisations.selectors import region_subtree_codes, staff_roles
from yiwang.parties.models import CreditRecord, Party

from . import rules
from .models import EnterpriseProfile, Grant, Policy, PolicyStatus


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def names(kind: str, code: str) -> str:
    """The name of a region or park code for sentences (a code unknown here reads as itself)."""
    if kind == "region":
        r = Region.objects.filter(code=code).only("name").first()
    else:
        r = Unit.objects.filter(code=code).only("name").first()
    return r.name if r else code


class CachedNames:
    """names() for pages and the calculator that read many sentences: every region and park name
    read in one query each, on first use."""

    def __init__(self):
        self._names: dict[str, dict[str, str]] = {}

    def __call__(self, kind: str, code: str) -> str:
        if kind not in self._names:
            rows = (Region.objects.values_list("code", "name") if kind == "region"
                    else Unit.objects.filter(kind="park").values_list("code", "name"))
            self._names[kind] = dict(rows)
        return self._names[kind].get(code, code)


def policy_sentence(policy: Policy, *, names_fn=None) -> str:
    return rules.rule_sentence(policy.rule or {"items": []}, names=names_fn or names)


def matching_profiles(policy: Policy, *, today: date | None = None) -> QuerySet[EnterpriseProfile]:
    """Every enterprise the policy's rule selects, as one query (never a loop over enterprises)."""
    today = today or timezone.localdate()
    qs = EnterpriseProfile.objects.filter(party__kind="enterprise")
    if policy.rule and policy.rule.get("items"):
        qs = qs.filter(rules.compile_rule(policy.rule, today=today, start_of=start_of))
    return qs


def match_list(policy: Policy, *, today: date | None = None) -> QuerySet:
    """The 拟兑现名单: (profile id, party id, USCC, name, amount) per matching enterprise."""
    qs = matching_profiles(policy, today=today)
    if policy.amount:
        qs = qs.annotate(grant_amount=rules.amount_expression(policy.amount))
    return qs.select_related("party").order_by("party__number")


def match_count(rule: dict, *, today: date | None = None) -> int:
    today = today or timezone.localdate()
    qs = EnterpriseProfile.objects.filter(party__kind="enterprise")
    if rule.get("items"):
        qs = qs.filter(rules.compile_rule(rule, today=today, start_of=start_of))
    return qs.count()


def facts_of(profile: EnterpriseProfile) -> rules.Facts:
    facts = _values_facts(profile)
    party = profile.party
    facts.qualifications = [(q.kind, q.recognised_on, q.valid_until, q.source) for q in profile.qualifications.all()]
    facts.licences = [(lic.licence_type.name, lic.status, lic.valid_from, lic.valid_to)
                      for lic in Licence.objects.filter(holder=party).select_related("licence_type")]
    facts.credit = [(c.kind, c.created_at, c.source) for c in CreditRecord.objects.filter(party=party)]
    return facts


def facts_many(profiles: list[EnterpriseProfile]) -> dict[int, rules.Facts]:
    """facts_of for many profiles in four queries (explanations of a whole list, the tests)."""
    from collections import defaultdict

    from .models import Qualification

    party_ids = [p.party_id for p in profiles]
    quals, lics, credit = defaultdict(list), defaultdict(list), defaultdict(list)
    for q in Qualification.objects.filter(profile__in=profiles):
        quals[q.profile_id].append((q.kind, q.recognised_on, q.valid_until, q.source))
    for lic in Licence.objects.filter(holder_id__in=party_ids).select_related("licence_type"):
        lics[lic.holder_id].append((lic.licence_type.name, lic.status, lic.valid_from, lic.valid_to))
    for c in CreditRecord.objects.filter(party_id__in=party_ids):
        credit[c.party_id].append((c.kind, c.created_at, c.source))
    out = {}
    for p in profiles:
        f = _values_facts(p)
        f.qualifications, f.licences, f.credit = quals[p.pk], lics[p.party_id], credit[p.party_id]
        out[p.pk] = f
    return out


def _values_facts(profile: EnterpriseProfile) -> rules.Facts:
    party = profile.party
    values = {f.key: getattr(profile, f.key) for f in rules.FIELDS.values()
              if f.kind in ("number", "industry", "choice", "date")}
    values["region"] = party.region_id or ""
    values["park"] = party.park.code if party.park_id else ""
    sources = dict(profile.sources or {})
    sources.setdefault("region", {"source": "市场主体登记", "as_of": ""})
    sources.setdefault("park", {"source": "市场主体登记", "as_of": ""})
    return rules.Facts(values=values, sources=sources, qualifications=[], licences=[], credit=[])


def profile_of(uscc: str) -> EnterpriseProfile | None:
    return (EnterpriseProfile.objects.select_related("party", "party__park", "party__region")
            .prefetch_related("qualifications").filter(party__number=(uscc or "").strip().upper()).first())


@dataclass
class Explanation:
    policy: Policy
    profile: EnterpriseProfile
    qualifies: bool
    outcomes: list[rules.Outcome]
    missing: list[rules.Outcome]
    amount: Decimal | None


def explain(policy: Policy, profile: EnterpriseProfile, *, facts: rules.Facts | None = None,
            today: date | None = None, names_fn=None) -> Explanation:
    today = today or timezone.localdate()
    facts = facts or facts_of(profile)
    rule = policy.rule or {"items": []}
    if rule.get("items"):
        ok, outcomes = rules.evaluate_rule(rule, facts, today=today, start_of=start_of, names=names_fn or names)
    else:
        ok, outcomes = True, []
    amount = rules.amount_for(policy.amount, facts.values) if (ok and policy.amount) else None
    missing = [] if ok else rules.missing_conditions(rule, outcomes)
    return Explanation(policy, profile, ok, outcomes, missing, amount)


def calculator(profile: EnterpriseProfile, *, today: date | None = None) -> dict:
    """Every published policy the enterprise qualifies for now (with the amount), and those it
    nearly qualifies for (one condition missing), from one load of its facts: every rule evaluated
    without its sentences; the amount only where it qualifies; only the missing conditions of the
    nearly ones explained (their outcomes are those conditions). A few queries whatever the number
    of policies (a test holds it)."""
    today = today or timezone.localdate()
    policies = list(published_policies().select_related("issuing_unit", "implementation"))
    facts, cached = facts_of(profile), CachedNames()
    qualifies, nearly = [], []
    for policy in policies:
        rule = policy.rule or {"items": []}
        passed = rules.evaluate_passes(rule, facts, today=today, start_of=start_of) if rule.get("items") else []
        if rules.rule_result(rule, passed) if passed else True:
            amount = rules.amount_for(policy.amount, facts.values) if policy.amount else None
            qualifies.append(Explanation(policy, profile, True, [], [], amount))
        elif flips := rules.nearly_indices(rule, passed):
            leaves = rules.leaves(rule)
            missing = [rules.evaluate_condition(leaves[i], facts, today=today, start_of=start_of, names=cached)
                       for i in flips]
            nearly.append(Explanation(policy, profile, False, missing, missing, None))
    return {"qualifies": qualifies, "nearly": nearly,
            "total": sum((e.amount or Decimal(0)) for e in qualifies)}


def policy_bundles():
    """政策兑现一件事: the active bundles whose members are policies' items."""
    from yiwang.catalogue.models import Bundle

    return list(Bundle.objects.filter(active=True, members__implementation__policy__isnull=False).distinct()
                .order_by("code"))


def published_policies(q: str = "") -> QuerySet[Policy]:
    qs = Policy.objects.filter(status=PolicyStatus.PUBLISHED)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(name__icontains=q) | Q(document__icontains=q) | Q(tags__icontains=q)
                       | Q(beneficiaries__icontains=q) | Q(code__iexact=q))
    return qs.order_by("-published_on", "code")


# ------------------------------------------------------------------ who may see and do what

POLICY_ROLES = (Role.APPROVER, Role.DEPARTMENT_HEAD)


def unit_ids_issuing(user) -> set[int]:
    """The units whose policies the user works on: the issuing unit's approvers and heads."""
    return {s.unit_id for s in staff_roles(user) if s.role in POLICY_ROLES}


def admin_region_codes(user) -> list[str]:
    """Catalogue admins (审改办) keep the policies of their region subtree."""
    codes: list[str] = []
    for s in staff_roles(user):
        if s.role == Role.CATALOGUE_ADMIN:
            codes.extend(region_subtree_codes(s.unit.region_id))
    return codes


def supervisor_region_codes(user) -> list[str]:
    codes: list[str] = []
    for s in staff_roles(user):
        if s.role in (Role.SUPERVISOR, Role.LEADER):
            codes.extend(region_subtree_codes(s.unit.region_id))
    return codes


def policies_for_staff(user) -> QuerySet[Policy]:
    from django.db.models import Q

    units = unit_ids_issuing(user)
    regions = admin_region_codes(user) + supervisor_region_codes(user)
    if user.is_superuser:
        return Policy.objects.all()
    return Policy.objects.filter(Q(issuing_unit_id__in=units) | Q(issuing_unit__region_id__in=regions))


def is_policy_staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(unit_ids_issuing(user))
                                      or bool(admin_region_codes(user)) or bool(supervisor_region_codes(user)))


def can_edit_policy(user, policy: Policy | None, unit: Unit | None = None) -> bool:
    unit = unit or (policy.issuing_unit if policy else None)
    if user.is_superuser:
        return True
    if unit is None:
        return bool(unit_ids_issuing(user) or admin_region_codes(user))
    return unit.pk in unit_ids_issuing(user) or unit.region_id in admin_region_codes(user)


def enterprises_of(user) -> QuerySet[Party]:
    if not user.is_authenticated:
        return Party.objects.none()
    return Party.objects.filter(user=user, kind="enterprise")


def grants_for_user(user) -> QuerySet[Grant]:
    """Grants a user may see: their own enterprises', and those of policies they work on."""
    from django.db.models import Q

    if not user.is_authenticated:
        return Grant.objects.none()
    qs = Grant.objects.select_related("policy", "enterprise", "policy__issuing_unit")
    if user.is_superuser:
        return qs
    return qs.filter(Q(enterprise__user=user) | Q(policy__in=policies_for_staff(user)))


def guide_of(policy: Policy, *, today: date | None = None) -> dict:
    """The handbook-and-guide check of a published policy: what is missing and whether it is late."""
    missing = rules.guide_missing({k: getattr(policy, k) for k, _ in rules.GUIDE_ITEMS})
    state = rules.guide_state(missing=missing, due=policy.guide_due_on, today=today or timezone.localdate(),
                              published_on=policy.guide_published_on)
    return {"missing": missing, "due": policy.guide_due_on, "state": state, "published_on": policy.guide_published_on,
            "late": bool(policy.guide_published_on and policy.guide_due_on
                         and policy.guide_published_on > policy.guide_due_on)}


def dashboard(policies) -> dict:
    """The dashboard's policy figures over a set of policies: issued, enterprises reached (pushed or
    listed), amounts paid, and the average days from publication to payment (calendar days)."""
    from django.db.models import Sum

    from .models import PolicyMatch

    ids = [p.pk for p in policies]
    paid = Grant.objects.filter(policy_id__in=ids, paid_on__isnull=False)
    reached = set(PolicyMatch.objects.filter(policy_id__in=ids).values_list("enterprise_id", flat=True))
    reached |= set(Grant.objects.filter(policy_id__in=ids).values_list("enterprise_id", flat=True))
    days = [(g_paid - published).days for g_paid, published in
            paid.filter(policy__published_on__isnull=False).values_list("paid_on", "policy__published_on")]
    agg = paid.aggregate(total=Sum("paid_amount"))
    return {"issued": Policy.objects.filter(pk__in=ids, status__in=[PolicyStatus.PUBLISHED, PolicyStatus.CLOSED])
            .count(), "reached": len(reached), "paid_count": paid.count(), "paid_total": agg["total"] or 0,
            "avg_days": round(sum(days) / len(days), 1) if days else None}
