"""免申即享 as a workflow on the one engine: 拟兑现名单 → the issuing unit reviews → the enterprise
confirms (account, commitment) or declines within N working days → 公示 with objections →
payment recorded → result published. Every waiting step has a deadline in working days; a timer
ends the confirmation window and the notice, or marks the unit's step overdue; supervisors urge
(督办) what is overdue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pydantic import Field

from yiwang.core.errors import NotFound
from yiwang.core.outbox import outbox_put
from yiwang.core.workflow import SAME, SYSTEM, ActionInput, Effect, Refusal, Workflow, action, guard, react
from yiwang.workcalendar.index import add_working_days

from . import selectors
from .models import Grant, GrantEvent, GrantStatus

S = GrantStatus
BASIS = "《国务院办公厅关于加快推进政务服务标准化规范化便利化的指导意见》（国办发〔2022〕5号）"
NOTICE_BASIS = "本级惠企政策兑现办法：拟兑现名单公示"


class ReasonIn(ActionInput):
    reason: str = Field(min_length=1, max_length=500, title="理由")


class ExcludeIn(ActionInput):
    reason: str = Field(min_length=1, max_length=500, title="剔除理由")


class DeclineIn(ActionInput):
    reason: str = Field(min_length=1, max_length=500, title="放弃理由")


class ObjectIn(ActionInput):
    reason: str = Field(min_length=1, max_length=500, title="异议内容")


class ConfirmIn(ActionInput):
    bank: str = Field(min_length=2, max_length=100, title="开户银行")
    account: str = Field(pattern=r"^[0-9]{8,30}$", title="收款账号")  # ASCII only: \d takes ٤ and ４
    committed: bool = Field(False, title="兑现承诺")


class PayIn(ActionInput):
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2, title="拨付金额")
    paid_on: date = Field(title="拨付日期")
    voucher: str = Field(min_length=1, max_length=64, title="拨付凭证号")


class CalendarMovedIn(ActionInput):
    deadline: date = Field(title="新期限")
    provisional: bool = Field(False, title="暂定")


# ------------------------------------------------------------------ guards


@guard(needs_input=True)
def commitment_signed(ctx):
    if not ctx.input.committed:
        return Refusal("commitment_required", "请阅读并勾选兑现承诺", "committed")
    return None


@guard(needs_input=True)
def payment_fits(ctx):
    if ctx.input.amount > ctx.subject.amount:
        return Refusal("amount_too_high", f"拨付金额不能超过拟兑现金额{ctx.subject.amount}元", "amount")
    if ctx.input.paid_on > ctx.today:
        return Refusal("paid_in_future", "拨付日期不能晚于今天", "paid_on")
    return None


@guard
def is_overdue(ctx):
    return None if ctx.subject.overdue else Refusal("not_overdue", "未超期，无需督办", "action")


# ------------------------------------------------------------------ effects


def _deadline(ctx, start: date, days: int) -> date:
    wd = add_working_days(start, days)
    ctx.set(deadline_from=start, deadline_days=days, deadline=wd.date, deadline_provisional=wd.provisional,
            overdue=False)
    return wd.date


def _no_deadline(ctx) -> None:
    ctx.set(deadline_from=None, deadline_days=None, deadline=None, deadline_provisional=False, overdue=False)


def approve(ctx):
    g = ctx.subject
    due = _deadline(ctx, ctx.today, g.policy.confirm_days)
    return Effect(notice=f"贵单位符合《{g.policy.name}》兑现条件，拟兑现{g.amount}元（免申即享）。"
                         f"请于{due:%Y年%m月%d日}前登录惠企政策专区确认收款账户并签署承诺，或说明放弃理由。")


def exclude(ctx):
    _no_deadline(ctx)
    return Effect(notice=f"贵单位未列入《{ctx.subject.policy.name}》兑现名单：{ctx.input.reason}")


def confirm(ctx):
    ctx.set(bank=ctx.input.bank, account=ctx.input.account, committed=True)
    _deadline(ctx, ctx.today, ctx.subject.policy.review_days)
    return Effect(data={"bank": ctx.input.bank, "account_tail": ctx.input.account[-4:]})


def decline(ctx):
    ctx.set(decline_reason=ctx.input.reason)
    _no_deadline(ctx)


def lapse(ctx):
    _no_deadline(ctx)
    return Effect(reason="确认期限届满，企业未确认", notice=f"《{ctx.subject.policy.name}》确认期限已届满，视为放弃。")


def start_notice(ctx):
    ctx.set(notice_from=ctx.today)
    due = _deadline(ctx, ctx.today, ctx.subject.policy.notice_days)
    return Effect(data={"notice_until": due.isoformat()})


def lodge_objection(ctx):
    ctx.set(objection=ctx.input.reason)


def dismiss_objection(ctx):
    return Effect(data={"objection": ctx.subject.objection})


def uphold_objection(ctx):
    _no_deadline(ctx)
    return Effect(notice=f"经公示异议核实，贵单位不列入《{ctx.subject.policy.name}》兑现名单：{ctx.input.reason}")


def end_notice(ctx):
    start = ctx.subject.deadline or ctx.today
    _deadline(ctx, start, ctx.subject.policy.pay_days)
    return Effect(reason="公示期满无异议")


def pay(ctx):
    i = ctx.input
    ctx.set(paid_amount=i.amount, paid_on=i.paid_on, voucher=i.voucher)
    _deadline(ctx, i.paid_on, ctx.subject.policy.review_days)
    return Effect(data={"amount": str(i.amount), "paid_on": i.paid_on.isoformat(), "voucher": i.voucher},
                  notice=f"《{ctx.subject.policy.name}》资金{i.amount}元已于{i.paid_on:%Y年%m月%d日}拨付至贵单位账户。")


def publish_result(ctx):
    ctx.set(published_on=ctx.today)
    _no_deadline(ctx)


def mark_overdue(ctx):
    ctx.set(overdue=True)
    return Effect(reason="环节期限已届满")


def urge(ctx):
    ctx.set(urged=ctx.subject.urged + 1)
    g = ctx.subject
    return Effect(outbox=[("policies.grant_urged", {"grant": g.number, "unit": g.policy.issuing_unit.code,
                                                    "reason": ctx.input.reason})])


def calendar_moved(ctx):
    ctx.set(deadline=ctx.input.deadline, deadline_provisional=ctx.input.provisional)
    return Effect(reason="工作日历调整，期限重新计算")


# ------------------------------------------------------------------ actors, timers, notices


def actor_kinds(ctx) -> set[str]:
    user, g = ctx.actor, ctx.subject
    kinds: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return kinds
    kinds.add("public")
    if g.enterprise.user_id == user.pk:
        kinds.add("enterprise")
    if user.is_superuser or g.policy.issuing_unit_id in selectors.unit_ids_issuing(user):
        kinds.add("unit")
    if g.policy.issuing_unit.region_id in selectors.supervisor_region_codes(user):
        kinds.add("supervisor")
    return kinds


TIMER_KINDS = ("grant.confirm_expiry", "grant.notice_end", "grant.overdue")
_TIMER_OF = {S.NOTIFIED: "grant.confirm_expiry", S.IN_NOTICE: "grant.notice_end", S.LISTED: "grant.overdue",
             S.CONFIRMED: "grant.overdue", S.PAYABLE: "grant.overdue", S.PAID: "grant.overdue"}


def timer_plan(ctx) -> dict:
    g = ctx.subject
    plan = dict.fromkeys(TIMER_KINDS)
    kind = _TIMER_OF.get(g.status)
    if kind and g.deadline and not (kind == "grant.overdue" and g.overdue):
        plan[kind] = selectors.start_of(g.deadline + timedelta(days=1))  # after the last working day
    return plan


def notify(ctx, effect: Effect, event) -> None:
    if not effect.notice:
        return
    party = ctx.subject.enterprise
    outbox_put(topic="policies.grant_notice", payload={
        "grant": ctx.subject.number, "action": ctx.action.name, "seq": event.seq,
        "to": {"name": party.name, "phone": party.phone, "user": party.user_id}, "text": effect.notice,
    })


def load(key) -> Grant:
    number = key.number if isinstance(key, Grant) else key
    g = (Grant.objects.select_related("policy", "policy__issuing_unit", "enterprise")
         .filter(number=number).first())
    if g is None:
        raise NotFound(f"兑现记录“{number}”不存在", field="number")
    return g


WAITING = (S.LISTED, S.NOTIFIED, S.CONFIRMED, S.IN_NOTICE, S.PAYABLE, S.PAID)

ACTIONS = [
    action("approve", "核定列入名单", edges={S.LISTED: S.NOTIFIED}, actors={"unit"}, effect=approve, basis=BASIS),
    action("exclude", "剔除出名单", edges={S.LISTED: S.EXCLUDED, S.NOTIFIED: S.EXCLUDED}, actors={"unit"},
           input=ExcludeIn, effect=exclude, confirm="确定将该企业剔除出兑现名单？"),
    action("confirm", "确认兑现", edges={S.NOTIFIED: S.CONFIRMED}, actors={"enterprise"}, input=ConfirmIn,
           guards=(commitment_signed,), effect=confirm),
    action("decline", "放弃兑现", edges={S.NOTIFIED: S.DECLINED}, actors={"enterprise"}, input=DeclineIn,
           effect=decline, confirm="放弃后本次政策兑现不可恢复，确定放弃？"),
    action("lapse", "确认期满", edges={S.NOTIFIED: S.LAPSED}, actors={SYSTEM}, effect=lapse),
    action("start_notice", "开始公示", edges={S.CONFIRMED: S.IN_NOTICE}, actors={"unit"}, effect=start_notice,
           basis=NOTICE_BASIS),
    action("object", "提出异议", edges={S.IN_NOTICE: S.DISPUTED}, actors={"public"}, input=ObjectIn,
           effect=lodge_objection),
    action("dismiss_objection", "异议不成立", edges={S.DISPUTED: S.IN_NOTICE}, actors={"unit"}, input=ReasonIn,
           effect=dismiss_objection),
    action("uphold_objection", "异议成立并剔除", edges={S.DISPUTED: S.EXCLUDED}, actors={"unit"}, input=ReasonIn,
           effect=uphold_objection, confirm="确定认定异议成立并剔除该企业？"),
    action("end_notice", "公示期满", edges={S.IN_NOTICE: S.PAYABLE}, actors={SYSTEM}, effect=end_notice),
    action("pay", "登记拨付", edges={S.PAYABLE: S.PAID}, actors={"unit"}, input=PayIn, guards=(payment_fits,),
           effect=pay, confirm="拨付登记后不可撤回，确定登记？"),
    action("publish_result", "公开兑现结果", edges={S.PAID: S.PUBLISHED}, actors={"unit"}, effect=publish_result),
    action("mark_overdue", "标记超期", edges=dict.fromkeys(WAITING, SAME), actors={SYSTEM}, effect=mark_overdue),
    action("urge", "督办", edges=dict.fromkeys(WAITING, SAME), actors={"supervisor"}, input=ReasonIn,
           guards=(is_overdue,), effect=urge),
    action("calendar_moved", "期限重算", edges=dict.fromkeys(WAITING, SAME), actors={SYSTEM},
           input=CalendarMovedIn, effect=calendar_moved),
]

GRANT_WORKFLOW = Workflow(
    name="grant",
    label="政策兑现",
    subject_model=Grant,
    event_model=GrantEvent,
    event_subject="grant",
    states=dict(GrantStatus.choices),
    actions={a.name: a for a in ACTIONS},
    actor_kinds=actor_kinds,
    actor_labels={"enterprise": "企业", "unit": "兑现单位", "public": "社会公众", "supervisor": "督查人员",
                  SYSTEM: "系统"},
    load=load,
    key=lambda g: g.number,
    timer_plan=timer_plan,
    notify=notify,
    terminal=frozenset({S.PUBLISHED, S.EXCLUDED, S.DECLINED, S.LAPSED}),
    conflict_message="该兑现记录已被他人处理，请刷新后重试",
    # 好差评: after payment the enterprise is invited to rate the redemption (after commit, outbox).
    reactions=(react("policies.invite_rating", actions={"pay"}, after_commit=True),),
)
