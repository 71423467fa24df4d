"""The one engine: `apply` carries out one action of a declared workflow; `available_actions` says
which actions the actor could carry out now.

apply, in this order, in one transaction:
 1. the action is known (404 unknown_action), the subject is read afresh;
 2. the caller's version, when given, is the subject's (409 with the workflow's conflict message);
 3. there is an edge from the current status (409 bad_state);
 4. the actor is one of the action's actor kinds (403 forbidden);
 5. the input validates against the action's schema (400 at the field, by its label);
 6. the guards, in declared order (the first refusal, 400 with its code and field);
 7. the effect (sets fields through the context, returns timers, notice, event data), then the
    workflow's derive (its clock);
 8. one UPDATE … WHERE version = read version (0 rows: 409 — a lost race writes nothing);
 9. one appended event (seq = the new version, at = `now`: a timer acts as of its due time);
10. the outbox: the notice, and one row per after-commit reaction;
11. the timers (one plan: the derived ones under the effect's);
12. the in-transaction reactions, in the order the workflow declares them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.core.errors import Conflict, DomainError, Forbidden, NotFound
from yiwang.core.models import OutboxMessage
from yiwang.core.timers import timers_set

from . import reactions
from .inputs import validate
from .spec import SAME, SYSTEM, Action, Context, Effect, Workflow

REACTION_TOPIC = "workflow.reaction"


def apply(
    workflow: Workflow,
    *,
    subject: Any,
    action: str,
    actor,
    input: Any = None,
    now: datetime | None = None,
    version: int | None = None,
) -> Any:
    """Carry out one action; returns the subject as written (its event on `subject.last_event`)."""
    with transaction.atomic():
        ctx = _prepare(workflow, subject=subject, action=action, actor=actor, raw=input, now=now,
                       version=version)
        effect = ctx.action.effect(ctx) if ctx.action.effect else None
        effect = effect or Effect()
        if effect.to is not None:
            if effect.to not in workflow.states:
                raise ValueError(f"{workflow.name}.{action}: effect chose unknown status {effect.to}")
            ctx.to_status = effect.to
            ctx.set(status=effect.to)
        if workflow.derive:
            workflow.derive(ctx, effect)
        _write(ctx)
        event = _append_event(ctx, effect)
        ctx.subject.last_event = event
        if workflow.notify:
            workflow.notify(ctx, effect, event)
        _timers(ctx, effect)
        # The effect's messages and the after-commit reactions' rows: one INSERT, each row still its own
        # message (delivered, retried and marked sent on its own).
        _outbox_write([OutboxMessage(topic=t, payload=p) for t, p in effect.outbox] + _react(ctx, event))
        return ctx.subject


def _prepare(workflow, *, subject, action, actor, raw, now, version) -> Context:
    act = workflow.actions.get(action)
    if act is None:
        raise NotFound(f"未知的操作“{action}”", field="action", code="unknown_action")
    subject = workflow.load(subject)
    if version is not None and version != workflow.version_of(subject):
        raise Conflict(workflow.conflict_message, field="version")
    now = now or timezone.now()
    ctx = Context(workflow=workflow, subject=subject, action=act, actor=actor, now=now,
                  today=timezone.localdate(now), raw=_raw(raw), from_status=subject.status)
    to = act.edges.get(subject.status)
    if to is None:
        raise Conflict(f"{workflow.label}当前状态为“{workflow.state_label(subject.status)}”，不能{act.label}",
                       field="action", code="bad_state")
    ctx.to_status = subject.status if to == SAME else to
    _check_actor(ctx)
    ctx.input = validate(act.input, ctx.raw)
    for g in act.guards:
        refusal = g.fn(ctx)
        if refusal is not None:
            raise refusal.error()
    if ctx.to_status != subject.status:
        ctx.set(status=ctx.to_status)
    return ctx


def _raw(raw) -> dict:
    if raw is None:
        return {}
    if hasattr(raw, "model_dump"):
        return raw.model_dump()
    return dict(raw)


def _check_actor(ctx: Context) -> None:
    act = ctx.action
    ctx.kinds = {SYSTEM} if ctx.actor is None else set(ctx.workflow.actor_kinds(ctx))
    matched = act.actors & ctx.kinds
    if not matched:
        if act.system_only:
            raise Forbidden(f"“{act.label}”只能由系统执行", field="action", code="system_only")
        who = "、".join(ctx.workflow.actor_labels[a] for a in sorted(act.actors) if a != SYSTEM)
        raise Forbidden(f"无权{act.label}，此操作须由{who}办理", field="action")
    ctx.actor_kind = sorted(matched)[0]


def _write(ctx: Context) -> None:
    model = ctx.workflow.subject_model
    subject = ctx.subject
    values = {f: getattr(subject, f) for f in ctx.changed}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values["updated_at"] = ctx.now
    field = ctx.workflow.version_field
    read = getattr(subject, field)
    updated = model.objects.filter(pk=subject.pk, **{field: read}).update(**values, **{field: read + 1})
    if updated != 1:
        raise Conflict(ctx.workflow.conflict_message, field="version")
    setattr(subject, field, read + 1)


def _append_event(ctx: Context, effect: Effect):
    wf = ctx.workflow
    reason = effect.reason if effect.reason is not None else str(getattr(ctx.input, "reason", "") or "")
    extra = wf.event_extra(ctx) if wf.event_extra else {}
    event = wf.event_model(
        **{wf.event_subject: ctx.subject}, seq=wf.version_of(ctx.subject), action=ctx.action.name,
        from_status=ctx.from_status, to_status=ctx.to_status, actor=_stored_actor(ctx.actor),
        actor_kind=ctx.actor_kind,
        at=ctx.now, on=ctx.today, reason=reason, data=effect.data,
        deadline=getattr(ctx.subject, "deadline", None) if _has_date_deadline(ctx.subject) else None,
        **extra,
    )
    if wf.prepare_event:  # e.g. the licence chain: hash and sign the event before it is stored
        wf.prepare_event(ctx, event)
    event.save()
    return event


def _stored_actor(actor):
    """The user to record; an actor that is no stored user (a requester known by a token) is kept
    only as the event's actor kind."""
    from django.db.models import Model

    return actor if isinstance(actor, Model) and actor.pk is not None else None


def _has_date_deadline(subject) -> bool:
    from datetime import date

    value = getattr(subject, "deadline", None)
    return isinstance(value, date) and not isinstance(value, datetime)


def _timers(ctx: Context, effect: Effect) -> None:
    plan = dict(ctx.workflow.timer_plan(ctx)) if ctx.workflow.timer_plan else {}
    plan.update(effect.timers)  # what the action asked for wins over the derived default
    if plan:
        timers_set(key=ctx.workflow.key(ctx.subject), plan=plan)


def _react(ctx: Context, event, action: str | None = None) -> list[OutboxMessage]:
    """Run the in-transaction reactions in declared order; the after-commit ones come back as outbox rows
    for the caller to write."""
    action = action or ctx.action.name
    rows = []
    for r in ctx.workflow.reactions:
        if not r.fires(action=action, from_status=ctx.from_status, to_status=ctx.to_status):
            continue
        if r.after_commit:
            rows.append(OutboxMessage(topic=REACTION_TOPIC, payload={
                "reaction": r.name, "workflow": ctx.workflow.name, "key": ctx.workflow.key(ctx.subject),
                "action": action, "seq": event.seq, "event": event.pk, "at": event.at.isoformat(),
            }))
        else:
            reactions.run(r.name, ctx=ctx, event=event)
    return rows


def _outbox_write(rows: list[OutboxMessage]) -> None:
    if len(rows) == 1:
        rows[0].save()
    elif rows:
        OutboxMessage.objects.bulk_create(rows)


def react_created(workflow: Workflow, *, subject: Any, event) -> None:
    """Run the reactions a workflow declares for a subject's first event, which the service creating
    the subject writes itself (no edge leads to it: a licence's 颁发): in the caller's transaction and
    in declared order, the after-commit ones queued in the outbox — as `apply` runs them."""
    ctx = Context(workflow=workflow, subject=subject, action=None, actor=None, now=event.at,
                  today=event.on, raw={}, from_status=event.from_status, to_status=event.to_status,
                  actor_kind=event.actor_kind)
    _outbox_write(_react(ctx, event, action=event.action))


# ---------------------------------------------------------------- what may be done now


@dataclass(frozen=True)
class Available:
    action: Action
    needs_input: bool  # a form: its schema has required fields or input guards remain

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def label(self) -> str:
        return self.action.label


def available_actions(workflow: Workflow, *, subject: Any, actor, now: datetime | None = None,
                      include_system: bool = False) -> list[Available]:
    """The actions whose edge, actor check and input-free guards pass now, in declared order.

    Nothing is written; guards read through the same context `apply` builds."""
    now = now or timezone.now()
    out: list[Available] = []
    shared: dict[str, Any] = {}
    for act in workflow.actions.values():
        if subject.status not in act.edges or (act.system_only and not include_system):
            continue
        ctx = Context(workflow=workflow, subject=subject, action=act, actor=actor, now=now,
                      today=timezone.localdate(now), raw={}, from_status=subject.status, _cache=shared)
        to = act.edges[subject.status]
        ctx.to_status = subject.status if to == SAME else to
        try:
            _check_actor(ctx)
        except DomainError:
            continue
        if any(g.fn(ctx) is not None for g in act.guards if not g.needs_input):
            continue
        needs_input = any(g.needs_input for g in act.guards) or any(
            f.is_required() for f in act.input.model_fields.values())
        out.append(Available(act, needs_input))
    return out
