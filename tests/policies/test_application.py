"""快申快享 through the case engine: the policy is an item with its materials, the application a
case filled in from 一企一档 (only the account asked), decided by the issuing unit within the
policy's limit; on approval (after commit) the redemption enters the same payment and publication
steps as 免申即享; after payment the enterprise is invited to rate it (好差评); the figures of the
dashboard recount; the handbook deadline and its overdue mark; 办结办件数 in the profile."""

from datetime import date, datetime, time

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.files import PDF
from yiwang.cases import services as cases
from yiwang.cases.materials import Upload
from yiwang.cases.models import Case
from yiwang.core.errors import DomainError
from yiwang.core.models import OutboxMessage
from yiwang.core.timers import timers_fire_due
from yiwang.evaluations.models import Evaluation
from yiwang.parties.models import Party
from yiwang.policies import selectors, services
from yiwang.policies.demo import XTCY, XTKJ
from yiwang.policies.models import EnterpriseProfile, Grant, Policy

pytestmark = pytest.mark.django_db
User = get_user_model()
QUICK = "XTX-2026-KX01"
BANK, ACCOUNT = "中国建设银行湘潭县支行", "6217001234567890"


def u(name):
    return User.objects.get(username=name)


def at(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))


def relay():
    from yiwang.core.outbox import outbox_relay

    return outbox_relay(send=lambda message: None, limit=1000)


def audit_pdf(policy):
    return [Upload(m.name, "审计报告.pdf", PDF, len(PDF)) for m in policy.implementation.item.materials.all()]


def apply_online(who="xtkj", uscc=XTKJ):
    policy = Policy.objects.select_related("implementation").get(code=QUICK)
    party = Party.objects.get(number=uscc)
    return services.policy_apply(actor=u(who), policy=policy, enterprise=party, bank=BANK, account=ACCOUNT,
                                 materials=audit_pdf(policy))


def decide(case, action="approve"):
    case = cases.case_accept(case=case, actor=u("xtx-kgj"))
    case.refresh_from_db()
    while case.current_step < max(len(case.steps) - 1, 1) and len(case.steps) > 2:
        case = cases.case_act(case=case, actor=u("xtx-kgj"), action="review")
    return cases.case_act(case=case, actor=u("xtx-kgj"), action=action, reason="" if action == "approve" else "不符合")


def test_a_quick_policy_is_an_item_with_its_materials_and_its_limit():
    policy = Policy.objects.select_related("implementation__item").get(code=QUICK)
    item = policy.implementation.item
    assert policy.implementation.department == policy.issuing_unit
    assert item.promised_days == policy.decide_days == 20
    assert [m.name for m in item.materials.all()] == ["上年度研发费用专项审计报告"]
    assert item.form_fields[-2:] == ["开户银行", "收款账号"]
    assert not Policy.objects.get(code="XTX-2026-WG01").implementation_id  # 免申即享: no application


def test_the_application_is_a_case_filled_in_from_the_profile_and_the_clock_is_the_policys_limit():
    case = apply_online()
    profile = EnterpriseProfile.objects.get(party__number=XTKJ)
    assert case.implementation.policy.code == QUICK
    assert case.form["统一社会信用代码"] == XTKJ and case.form["从业人数"] == str(profile.employees)
    assert (case.form["开户银行"], case.form["收款账号"]) == (BANK, ACCOUNT)
    assert case.promised_days == 20


@pytest.mark.parametrize(("bank", "account", "field"), [("", ACCOUNT, "bank"), (BANK, "12ab", "account")])
def test_a_bad_account_is_refused_at_its_field_and_nothing_is_written(bank, account, field):
    policy = Policy.objects.get(code=QUICK)
    before = Case.objects.count()
    with pytest.raises(DomainError) as e:
        services.policy_apply(actor=u("xtkj"), policy=policy, enterprise=Party.objects.get(number=XTKJ), bank=bank,
                              account=account, materials=audit_pdf(policy))
    assert [f for f, _ in e.value.errors] == [field]
    assert Case.objects.count() == before


def test_an_enterprise_that_does_not_qualify_is_told_what_it_misses():
    policy = Policy.objects.get(code=QUICK)
    profile = EnterpriseProfile.objects.filter(qualifications__isnull=True).exclude(party__number=XTKJ).first()
    with pytest.raises(DomainError) as e:
        services.policy_apply(actor=u("xtx-kgj"), policy=policy, enterprise=profile.party, bank=BANK,
                              account=ACCOUNT, channel="window")
    assert e.value.errors[0].field == "enterprise" and "科技型中小企业" in e.value.message


def test_approval_enters_payment_after_commit_then_publication_and_a_rating_for_the_unit():
    case = decide(apply_online())
    assert not Grant.objects.filter(case_number=case.number).exists(), "after commit, from the outbox"
    relay()
    g = Grant.objects.get(case_number=case.number)
    assert (g.status, g.amount, g.account, g.committed) == ("payable", 200000, ACCOUNT, True)
    assert g.deadline_days == g.policy.pay_days and g.events.get().action == "case_approved"
    relay()
    assert Grant.objects.filter(case_number=case.number).count() == 1  # once per case
    assert EnterpriseProfile.objects.get(party__number=XTKJ).cases_completed >= 1
    services.grant_act(number=g.number, action="pay", actor=u("xtx-kgj"),
                       input={"amount": "200000", "paid_on": timezone.localdate().isoformat(), "voucher": "PZ-1"})
    assert not Evaluation.objects.filter(subject_kind="grant", subject_ref=g.number).exists()
    relay()
    ev = Evaluation.objects.get(subject_kind="grant", subject_ref=g.number)
    assert (ev.unit, ev.rater_party.number, ev.implementation) == (g.policy.issuing_unit, XTKJ,
                                                                   g.policy.implementation)
    g = services.grant_act(number=g.number, action="publish_result", actor=u("xtx-kgj"))
    assert g.status == "published"


def test_a_denied_application_makes_no_redemption():
    case = decide(apply_online(), action="deny")
    relay()
    assert not Grant.objects.filter(case_number=case.number).exists()


def test_the_dashboard_figures_recount_from_the_redemptions():
    from yiwang.dashboards import rules as drules
    from yiwang.dashboards import services as dash

    case = decide(apply_online())
    relay()
    g = Grant.objects.get(case_number=case.number)
    today = timezone.localdate()
    services.grant_act(number=g.number, action="pay", actor=u("xtx-kgj"),
                       input={"amount": "150000", "paid_on": today.isoformat(), "voucher": "PZ-2"})
    dash.rollup_refresh()
    assert dash.cells_as_dict() == dash.recount()
    counted = {c: v for (c, d, *_), v in dash.recount([dash.GrantSource()]).items() for _ in [0] if d == today}
    sums: dict[str, int] = {}
    for (c, d, *_), v in dash.recount([dash.GrantSource()]).items():
        if d == today:
            sums[c] = sums.get(c, 0) + v
    assert counted is not None
    assert sums["grant.paid"] == 1 and sums["grant.paid_yuan"] == 150000
    assert sums["grant.pay_days"] == (today - g.policy.published_on).days
    assert Grant.objects.filter(listed_on=today).count() == sums["grant.reached"]
    assert {"POL-FB", "POL-HJ", "POL-BF", "POL-YS"} <= set(drules.FIGURES_BY_CODE)


def test_a_new_policy_owes_its_guide_within_seven_working_days_or_is_marked_overdue():
    policy = Policy.objects.get(code="XTX-2026-GQ01")
    Policy.objects.filter(pk=policy.pk).update(status="draft", published_on=None, guide_published_on=None)
    policy.refresh_from_db()
    services.policy_publish(actor=u("xtx-kgj"), policy=policy, today=date(2026, 9, 21))
    policy.refresh_from_db()
    assert policy.guide_due_on == date(2026, 10, 8)  # 7 working days over 中秋 and 国庆
    timers_fire_due(now=at(date(2026, 10, 8), 23))
    policy.refresh_from_db()
    assert not policy.guide_overdue
    timers_fire_due(now=at(date(2026, 10, 9), 1))
    policy.refresh_from_db()
    assert policy.guide_overdue and selectors.guide_of(policy)["state"] == "overdue"
    services.policy_guide_publish(actor=u("xtx-kgj"), policy=policy, today=date(2026, 10, 12))
    g = selectors.guide_of(policy)
    assert g["state"] == "published" and g["late"]


def test_a_guide_missing_an_item_cannot_be_published():
    policy = Policy.objects.get(code="XTX-2026-GQ01")
    Policy.objects.filter(pk=policy.pk).update(phone="", guide_published_on=None)
    policy.refresh_from_db()
    with pytest.raises(DomainError) as e:
        services.policy_guide_publish(actor=u("xtx-kgj"), policy=policy)
    assert e.value.errors[0].field == "guide" and "咨询电话" in e.value.message


def test_cases_completed_is_a_rule_field_that_compiles_and_explains_alike():
    services.profile_cases_refresh(party_id=Party.objects.get(number=XTCY).pk)
    rule = {"mode": "all", "items": [{"field": "cases_completed", "op": "gte", "value": 0}]}
    listed = set(Policy(rule=rule).rule and selectors.matching_profiles(Policy(rule=rule))
                 .values_list("party__number", flat=True))
    assert XTCY in listed
    p = EnterpriseProfile.objects.get(party__number=XTCY)
    ex = selectors.explain(Policy(rule=rule), p)
    assert ex.qualifies and ex.outcomes[0].source == "办件库"
    assert OutboxMessage.objects.exists()


def test_several_policies_applied_for_at_once_are_a_bundle_whose_approvals_each_become_a_redemption():
    """政策兑现一件事 on the bundle cases: one form filled in from 一企一档, one intake at the bundle
    window, each policy's case decided by its unit, each approval its own redemption."""
    from yiwang.bundlecases import services as bundles
    from yiwang.bundlecases.models import BundleMemberCase
    from yiwang.bundlecases.services import asked_materials
    from yiwang.catalogue.models import Bundle

    b = Bundle.objects.get(code="XTX-ZCDX-KJ")
    assert {m.implementation.policy.code for m in b.members.select_related("implementation__policy")} == {
        "XTX-2026-KX01", "XTX-2026-CX01"}
    bc = services.policy_bundle_apply(actor=u("xtkj"), bundle_code=b.code, enterprise=Party.objects.get(number=XTKJ),
                                      bank=BANK, account=ACCOUNT)
    assert bc.form["统一社会信用代码"] == XTKJ and bc.form["收款账号"] == ACCOUNT
    bc = bundles.bundle_case_accept(bundle_case=bc.number, actor=u("bundleclerk"),
                                    paper=[m.name for m in asked_materials(b)])
    children = [link.case for link in BundleMemberCase.objects.filter(bundle_case=bc).select_related("case")]
    assert len(children) == 2
    for case in children:
        case.refresh_from_db()
        while case.current_step < max(len(case.steps) - 1, 1) and len(case.steps) > 2:
            case = cases.case_act(case=case, actor=u("xtx-kgj"), action="review")
        cases.case_act(case=case, actor=u("xtx-kgj"), action="approve")
    relay()
    got = dict(Grant.objects.filter(case_number__in=[c.number for c in children]).values_list("policy__code", "amount"))
    assert got == {"XTX-2026-KX01": 200000, "XTX-2026-CX01": 50000}


def test_a_bundle_application_is_refused_when_one_of_its_policies_does_not_apply():
    with pytest.raises(DomainError) as e:
        services.policy_bundle_apply(actor=u("xtcy"), bundle_code="XTX-ZCDX-KJ",
                                     enterprise=Party.objects.get(number=XTCY), bank=BANK, account=ACCOUNT)
    assert e.value.errors[0].field == "enterprise"
