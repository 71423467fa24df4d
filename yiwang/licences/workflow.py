"""The licence status workflow, declared once: 暂扣, 恢复, 撤销, 注销, 失效.

Issuance is not an action (a licence is born valid, with its "issued" event, in
services.licence_issue). Every change after it goes through `apply(LICENCE, ...)`; the event is
hash-chained to the one before and signed by the issuer's seal in `prepare_event`, just before the
engine saves it, so a status rewritten in the database no longer verifies.
"""

from __future__ import annotations

from pydantic import Field

from yiwang.core.outbox import outbox_put
from yiwang.core.workflow import SYSTEM, ActionInput, Context, Effect, Refusal, Workflow, action, guard, react
from yiwang.core.workflow.checks import register_workflow

from .models import Licence, LicenceEvent, LicenceStatus

S = LicenceStatus
STANDING = (S.VALID, S.SUSPENDED)  # what can still be revoked, cancelled or expire
ISSUER = "issuer"

ACTOR_LABELS = {ISSUER: "颁发机构审批人员", SYSTEM: "系统"}


class ReasonIn(ActionInput):
    reason: str = Field("", max_length=500, title="原因")


@guard(needs_input=True)
def reason_given(ctx: Context) -> Refusal | None:
    if not ctx.input.reason:
        return Refusal("reason_required", f"{ctx.action.label}证照须说明原因", "reason")
    return None


def actor_kinds(ctx: Context) -> set[str]:
    """A person acting on a licence: the issuing unit's approvers and head (颁发机构). The case
    engine's post-check revocation, the expiry run and other reactions act as the system."""
    from yiwang.organisations.models import Role
    from yiwang.organisations.selectors import staff_roles

    roles = staff_roles(ctx.actor)
    if any(s.unit_id == ctx.subject.issuer_id and s.role in (Role.APPROVER, Role.DEPARTMENT_HEAD) for s in roles):
        return {ISSUER}
    return set()


def _reason_effect(ctx: Context) -> Effect:
    ctx.set(status_reason=ctx.input.reason)
    return Effect(reason=ctx.input.reason)


def _reinstate(ctx: Context) -> Effect:
    reason = ctx.input.reason or "恢复有效"
    ctx.set(status_reason=reason)
    return Effect(reason=reason)


def _expire(ctx: Context) -> Effect:
    valid_to = ctx.subject.valid_to
    reason = f"有效期至{valid_to:%Y年%m月%d日}届满" if valid_to else "有效期届满"
    ctx.set(status_reason=reason)
    return Effect(reason=reason)


@guard
def validity_ended(ctx: Context) -> Refusal | None:
    if ctx.subject.valid_to is None or ctx.subject.valid_to >= ctx.today:
        return Refusal("not_expired", "证照尚在有效期内，不能标记失效", "valid_to")
    return None


def load(key) -> Licence:
    """The licence locked for the change (a second actor waits, then sees the new status)."""
    pk = key.pk if isinstance(key, Licence) else None
    qs = Licence.objects.select_for_update().select_related("issuer", "licence_type")
    return qs.get(pk=pk) if pk is not None else qs.get(identifier=str(key))


def actor_name(actor) -> str:
    if actor is None:
        return "系统"
    return actor.get_username() if hasattr(actor, "get_username") else str(actor)


def event_extra(ctx: Context) -> dict:
    return {"actor_name": actor_name(ctx.actor)}


def prepare_event(ctx: Context, event: LicenceEvent) -> None:
    from .services import event_chain

    event_chain(event, ctx.subject)


def notify(ctx: Context, effect: Effect, event: LicenceEvent) -> None:
    from .services import licence_verification_record

    lic = ctx.subject
    # The status changed: verify again and record it (data sharing trusts this record, issue 17).
    licence_verification_record(licence=lic)
    outbox_put(topic=f"licence.{ctx.to_status}", payload={
        "identifier": lic.identifier, "from": ctx.from_status, "to": ctx.to_status, "reason": event.reason,
        "holder": lic.holder_number, "case_number": lic.case_number,
    })


ACTIONS = {a.name: a for a in (
    action("suspend", "暂扣", edges={S.VALID: S.SUSPENDED}, actors={ISSUER, SYSTEM}, input=ReasonIn,
           guards=(reason_given,), effect=_reason_effect, basis="《行政处罚法》第九条（暂扣许可证件）"),
    action("reinstate", "恢复", edges={S.SUSPENDED: S.VALID}, actors={ISSUER, SYSTEM}, input=ReasonIn,
           effect=_reinstate, basis="暂扣期满或整改完毕"),
    action("revoke", "撤销", edges=dict.fromkeys(STANDING, S.REVOKED), actors={ISSUER, SYSTEM}, input=ReasonIn,
           guards=(reason_given,), effect=_reason_effect, basis="《行政许可法》第六十九条",
           confirm="撤销后证照不再有效，且不可恢复。确认撤销该证照？"),
    action("cancel", "注销", edges=dict.fromkeys(STANDING, S.CANCELLED), actors={ISSUER, SYSTEM}, input=ReasonIn,
           guards=(reason_given,), effect=_reason_effect, basis="《行政许可法》第七十条",
           confirm="注销后证照不再有效，且不可恢复。确认注销该证照？"),
    action("expire", "失效", edges=dict.fromkeys(STANDING, S.EXPIRED), actors={SYSTEM}, guards=(validity_ended,),
           effect=_expire, basis="《行政许可法》第七十条第（一）项（有效期届满未延续）"),
)}

# The first event of every licence, written by licence_issue (not an action: nothing comes before it).
ISSUED = "issued"
EVENT_LABELS = {ISSUED: "颁发", **{name: a.label for name, a in ACTIONS.items()}}

LICENCE = Workflow(
    name="licence", label="证照", subject_model=Licence, event_model=LicenceEvent, event_subject="licence",
    states=dict(S.choices), actions=ACTIONS, actor_kinds=actor_kinds, actor_labels=ACTOR_LABELS, load=load,
    key=lambda lic: lic.identifier, notify=notify, event_extra=event_extra, prepare_event=prepare_event,
    conflict_message="证照已被他人处理，请刷新后重试", terminal=frozenset({S.REVOKED, S.CANCELLED, S.EXPIRED}),
    version_field="lock_version",
    reactions=(
        # A licence issued for a bundle member's case: the members waiting for it start, fed its
        # identifier, in the transaction that issued it (the worker's, after the approval's commit).
        react("bundlecases.licence_issued", actions={ISSUED}),
        # 双推送: an issuer's change of a licence is pushed to its supervising unit (by the outbox, after commit).
        react("supervision.task_from_licence_change", actions={"suspend", "reinstate", "revoke", "cancel"},
              after_commit=True),
    ),
)
register_workflow(LICENCE)
