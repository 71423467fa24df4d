"""The authorisation (授权委托) as a workflow on the one engine: granted → revoked (by the party,
or a window clerk on the party's written request), granted → revoked (the agent renounces), and
granted → expired (the system, the day after valid_until). Granting is the record's creation
(services.authorisation_grant writes its first event); nothing leaves revoked or expired — a
new mandate is a new authorisation."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from pydantic import Field

from yiwang.core.errors import NotFound
from yiwang.core.outbox import outbox_put
from yiwang.core.workflow import SYSTEM, ActionInput, Effect, Workflow, action
from yiwang.organisations.models import Role
from yiwang.organisations.selectors import staff_roles

from .models import Authorisation, AuthorisationEvent, AuthStatus

S = AuthStatus
TIMER_EXPIRY = "agents.authorisation_expiry"
BASIS = "《中华人民共和国民法典》第一百六十五条、第一百七十三条（委托代理及其终止）"
CONFLICT_MESSAGE = "该授权委托已被他人处理，请刷新后重试"


class RevokeIn(ActionInput):
    reason: str = Field("", max_length=200, title="撤销原因")


class RenounceIn(ActionInput):
    reason: str = Field(min_length=1, max_length=200, title="辞去委托的原因")


def _end(ctx, reason: str) -> None:
    ctx.set(ended_on=ctx.today, end_reason=reason[:200])


def revoke(ctx):
    reason = ctx.input.reason or ("申请人本人撤销" if ctx.actor_kind == "party" else "窗口依申请人书面申请撤销")
    _end(ctx, reason)
    return Effect(reason=reason, notice=f"授权委托{ctx.subject.number}已撤销，代办人不能再以委托人名义申请。",
                  data={"by": ctx.actor_kind})


def renounce(ctx):
    _end(ctx, ctx.input.reason)
    return Effect(notice=f"代办人已辞去授权委托{ctx.subject.number}：{ctx.input.reason}")


def expire(ctx):
    _end(ctx, "授权期限届满")
    return Effect(reason="授权期限届满", notice=f"授权委托{ctx.subject.number}已到期。")


def actor_kinds(ctx) -> set[str]:
    return kinds_of(ctx.subject, ctx.actor)


def kinds_of(auth: Authorisation, user) -> set[str]:
    """What the user is to this authorisation: party (owns the grantor's account), agent, clerk
    (a window clerk in the grantor's region or of the unit that recorded the paper)."""
    kinds: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return kinds
    if auth.party.user_id == user.pk:
        kinds.add("party")
    if auth.agent_id == user.pk:
        kinds.add("agent")
    for s in staff_roles(user):
        if s.role == Role.WINDOW_CLERK and (s.unit.region_id == auth.party.region_id
                                            or s.unit_id == auth.recorded_unit_id):
            kinds.add("clerk")
    return kinds


def expiry_due(auth: Authorisation) -> datetime:
    """The first moment after the last valid day."""
    return timezone.make_aware(datetime.combine(auth.valid_until + timedelta(days=1), time.min))


def timer_plan(ctx) -> dict:
    auth = ctx.subject
    return {TIMER_EXPIRY: expiry_due(auth) if auth.status == S.GRANTED else None}


def notice_put(auth: Authorisation, action: str, text: str) -> None:
    """The outbox row telling the grantor (the portal's messages) and the agent."""
    outbox_put(topic=f"agents.{action}", payload={
        "authorisation": auth.number, "action": action, "status": auth.status,
        "to": {"party": auth.party.number, "name": auth.party.name, "phone": auth.party.phone},
        "agent": auth.agent_id, "text": text,
    })


def notify(ctx, effect: Effect, event) -> None:
    if effect.notice:
        notice_put(ctx.subject, ctx.action.name, effect.notice)


def load(key) -> Authorisation:
    number = key.number if isinstance(key, Authorisation) else key
    auth = (Authorisation.objects.select_related("party", "agent", "team", "recorded_unit")
            .filter(number=number).first())
    if auth is None:
        raise NotFound(f"授权委托“{number}”不存在", field="number", code="authorisation_not_found")
    return auth


ACTIONS = [
    action("revoke", "撤销授权", edges={S.GRANTED: S.REVOKED}, actors={"party", "clerk"}, input=RevokeIn,
           effect=revoke, basis=BASIS, confirm="撤销后代办人不能再以您的名义申请新的办件，确定撤销？",
           label_en="revoke"),
    action("renounce", "辞去委托", edges={S.GRANTED: S.REVOKED}, actors={"agent"}, input=RenounceIn,
           effect=renounce, basis=BASIS, confirm="辞去后不能再代该申请人办理，确定辞去？", label_en="renounce"),
    action("expire", "授权到期", edges={S.GRANTED: S.EXPIRED}, actors={SYSTEM}, effect=expire,
           label_en="expire"),
]

WORKFLOW = Workflow(
    name="authorisation",
    label="授权委托",
    subject_model=Authorisation,
    event_model=AuthorisationEvent,
    event_subject="authorisation",
    states=dict(AuthStatus.choices),
    actions={a.name: a for a in ACTIONS},
    actor_kinds=actor_kinds,
    actor_labels={"party": "委托人", "agent": "代办人", "clerk": "窗口工作人员", SYSTEM: "系统"},
    load=load,
    key=lambda a: a.number,
    timer_plan=timer_plan,
    notify=notify,
    terminal=frozenset({S.REVOKED, S.EXPIRED}),
    conflict_message=CONFLICT_MESSAGE,
)

ACTION_LABELS = {"grant": "授权", "record_paper": "窗口录入纸质授权书",
                 **{a.name: a.label for a in ACTIONS}}
