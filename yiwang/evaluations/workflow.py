"""The rectification of a bad review (差评整改), declared once.

A bad review opens a rectification (services.rectification_open writes its first event, "open");
the rated unit calls the rater back (回访) within the contact limit, verifies (核实) and fixes (整改)
within the fix limit, and the rater's re-rating closes it (复评). The unit may appeal a mistaken or
malicious review once; a supervisor upholds it (驳回申诉, back to where it was) or voids it (the
review no longer counts). Timers flag the limits when they pass; a calendar change recounts them.
Limits are working days from the region's EvaluationPolicy (platform default 1 and 15; 湘潭县 5).
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from yiwang.core.outbox import outbox_put
from yiwang.core.workflow import SAME, SYSTEM, ActionInput, Context, Effect, Refusal, Workflow, action, guard
from yiwang.core.workflow.checks import register_workflow

from . import rules
from .models import EvalStatus, Rectification, RectificationEvent, RectStatus

S = RectStatus
HANDLER, SUPERVISOR, RATER = "handler", "supervisor", "rater"
ACTOR_LABELS = {HANDLER: "被评价单位经办人员", SUPERVISOR: "督查人员", RATER: "评价人", SYSTEM: "系统"}
APPEALABLE = (S.OPEN, S.CONTACTED, S.VERIFIED)
RUNNING = APPEALABLE  # the fix limit runs (an appeal holds it: no flag while a supervisor decides)
MOVABLE = (*RUNNING, S.APPEALED)  # limits a calendar change recounts

TIMER_CONTACT = "rectification.contact_due"
TIMER_FIX = "rectification.fix_due"

GOV_51 = "国办发〔2019〕51号《关于建立政务服务“好差评”制度提高政务服务水平的意见》"
GBT_39734 = "GB/T 39734—2020 9.3 差评处置"
BASIS_HANDLE = f"{GOV_51}：差评调查核实、督促整改、反馈；{GBT_39734}"
BASIS_APPEAL = f"{GOV_51}：申诉复核机制，排除误评、恶意差评"
BASIS_LIMIT = "回访、整改时限（工作日）按本地区好差评规则（EvaluationPolicy）"
CALENDAR_MOVED_REASON = "工作日历调整（节假日或调休变化），重新计算回访、整改时限"


# --- inputs: one schema per action ---------------------------------------------------------------

def _note(title: str):
    return Field(min_length=1, max_length=2000, title=title)


class ContactIn(ActionInput):
    note: str = _note("回访记录")


class VerifyIn(ActionInput):
    note: str = _note("核实情况")


class FixIn(ActionInput):
    note: str = _note("整改情况")


class AppealIn(ActionInput):
    reason: str = _note("申诉理由")


class DecisionIn(ActionInput):
    note: str = _note("处理意见")


class CalendarIn(ActionInput):
    since: date | None = Field(None, title="日历调整起始日")


# --- who acts --------------------------------------------------------------------------------------

def actor_kinds(ctx: Context) -> set[str]:
    """The rated unit's handlers (head, approvers, window clerks), supervisors (any unit), the rater."""
    from yiwang.organisations.models import Role
    from yiwang.organisations.selectors import staff_roles

    rect, user = ctx.subject, ctx.actor
    kinds = set()
    for s in staff_roles(user):
        if s.role == Role.SUPERVISOR:
            kinds.add(SUPERVISOR)
        if s.unit_id == rect.unit_id and s.role in (Role.DEPARTMENT_HEAD, Role.APPROVER, Role.WINDOW_CLERK):
            kinds.add(HANDLER)
    if is_rater(user, rect.evaluation) or (rect.rerating_id and is_rater(user, rect.rerating)):
        kinds.add(RATER)
    return kinds


def is_rater(user, ev) -> bool:
    """The account that rated, or the account of the rating party (the applicant)."""
    if user is None or not user.is_authenticated:
        return False
    return ev.rater_user_id == user.pk or bool(ev.rater_party_id and ev.rater_party.user_id == user.pk)


# --- guards ----------------------------------------------------------------------------------------

@guard
def first_appeal(ctx: Context) -> Refusal | None:
    if ctx.subject.status_before_appeal:
        return Refusal("appealed_before", "该差评的申诉已由督查人员裁定，不能再次申诉", "appeal_reason")
    return None


@guard
def rerating_done(ctx: Context) -> Refusal | None:
    rerating = ctx.subject.rerating
    if rerating is None or rerating.status not in (EvalStatus.RATED, EvalStatus.DEFAULTED):
        return Refusal("not_rerated", "评价人尚未复评", "rerating")
    return None


@guard
def contact_not_flagged(ctx: Context) -> Refusal | None:
    return Refusal("flagged", "已标记回访超期", "contact_due_at") if ctx.subject.contact_overdue else None


@guard
def fix_not_flagged(ctx: Context) -> Refusal | None:
    return Refusal("flagged", "已标记整改超期", "fix_due_at") if ctx.subject.overdue else None


def recounted(ctx: Context) -> dict:
    """The limits counted again on the calendar as it is now (shared by the guard and the effect)."""
    from .services import rect_limits

    return ctx.cached("limits", lambda: rect_limits(ctx.subject))


@guard
def limits_moved(ctx: Context) -> Refusal | None:
    r, new = ctx.subject, recounted(ctx)
    if (new["contact_due_at"], new["fix_due_at"], new["deadline_provisional"]) == (
            r.contact_due_at, r.fix_due_at, r.deadline_provisional):
        return Refusal("unchanged", "工作日历调整未改变整改时限", "fix_due_at")
    return None


# --- effects ---------------------------------------------------------------------------------------

def _contact(ctx: Context) -> Effect:
    ctx.set(contact_note=ctx.input.note, contacted_at=ctx.now)
    return Effect(reason=ctx.input.note)


def _verify(ctx: Context) -> Effect:
    ctx.set(verify_note=ctx.input.note, verified_at=ctx.now)
    return Effect(reason=ctx.input.note)


def _fix(ctx: Context) -> Effect:
    """The fix is recorded and the rater invited to rate again (the next round of the same subject):
    in the transaction, as the rectification now waits for exactly that slot."""
    from .services import evaluation_reinvite

    on_time = ctx.now <= ctx.subject.fix_due_at
    rerating = evaluation_reinvite(ctx.subject.evaluation, now=ctx.now)
    ctx.set(fix_note=ctx.input.note, fixed_at=ctx.now, on_time=on_time, rerating=rerating)
    return Effect(reason=ctx.input.note, data={"on_time": on_time, "rerating": rerating.pk})


def _appeal(ctx: Context) -> Effect:
    ctx.set(status_before_appeal=ctx.from_status, appeal_reason=ctx.input.reason)
    return Effect()


def _uphold(ctx: Context) -> Effect:
    ctx.set(appeal_decision_note=ctx.input.note)
    return Effect(reason=ctx.input.note, to=ctx.subject.status_before_appeal)


def _void(ctx: Context) -> Effect:
    from .services import evaluation_void

    ctx.set(appeal_decision_note=ctx.input.note, closed_at=ctx.now)
    evaluation_void(ctx.subject.evaluation, actor=ctx.actor, reason=ctx.input.note, now=ctx.now)
    return Effect(reason=ctx.input.note)


def _rerate(ctx: Context) -> Effect:
    rerating = ctx.subject.rerating
    ctx.set(closed_at=ctx.now)
    return Effect(reason=f"复评：{rules.LEVEL_NAMES.get(rerating.level, '')}",
                  data={"rerating": rerating.pk, "level": rerating.level})


def _contact_overdue(ctx: Context) -> Effect:
    ctx.set(contact_overdue=True)
    return Effect(reason="超过回访时限未回访", data={"due_at": ctx.subject.contact_due_at.isoformat()})


def _fix_overdue(ctx: Context) -> Effect:
    ctx.set(overdue=True)
    return Effect(reason="超过整改时限未整改", data={"due_at": ctx.subject.fix_due_at.isoformat()})


def _calendar_moved(ctx: Context) -> Effect:
    r = ctx.subject
    before = {"contact_before": r.contact_due_at.isoformat(), "fix_before": r.fix_due_at.isoformat(),
              "since": ctx.input.since.isoformat() if ctx.input.since else None}
    ctx.set(**recounted(ctx))
    return Effect(reason=CALENDAR_MOVED_REASON, data=before)


# --- the declaration -------------------------------------------------------------------------------

ACTIONS = {a.name: a for a in (
    action("contact", "回访", edges={S.OPEN: S.CONTACTED}, actors={HANDLER, SUPERVISOR}, input=ContactIn,
           effect=_contact, basis=BASIS_HANDLE),
    action("verify", "核实", edges={S.CONTACTED: S.VERIFIED}, actors={HANDLER, SUPERVISOR}, input=VerifyIn,
           effect=_verify, basis=BASIS_HANDLE),
    action("fix", "整改完成", edges={S.VERIFIED: S.FIXED}, actors={HANDLER, SUPERVISOR}, input=FixIn,
           effect=_fix, basis=BASIS_HANDLE),
    action("appeal", "申诉", edges=dict.fromkeys(APPEALABLE, S.APPEALED), actors={HANDLER}, input=AppealIn,
           guards=(first_appeal,), effect=_appeal, basis=BASIS_APPEAL),
    # The effect returns to the status before the appeal; the edge names the usual one.
    action("uphold", "驳回申诉（维持差评）", edges={S.APPEALED: S.OPEN}, actors={SUPERVISOR}, input=DecisionIn,
           effect=_uphold, basis=BASIS_APPEAL, confirm="驳回后差评成立、继续整改，且不能再次申诉。确认驳回申诉？"),
    action("void", "作废差评", edges={S.APPEALED: S.VOIDED}, actors={SUPERVISOR}, input=DecisionIn,
           effect=_void, basis=BASIS_APPEAL, confirm="作废后该差评不再计入满意率等统计，且不可恢复。确认作废？"),
    action("rerate", "复评", edges={S.FIXED: S.CLOSED}, actors={RATER, SYSTEM}, guards=(rerating_done,),
           effect=_rerate, basis=f"{GOV_51}：整改情况反馈评价人"),
    action("contact_overdue", "回访超期", edges={S.OPEN: SAME}, actors={SYSTEM}, guards=(contact_not_flagged,),
           effect=_contact_overdue, basis=BASIS_LIMIT),
    action("fix_overdue", "整改超期", edges=dict.fromkeys(RUNNING, SAME), actors={SYSTEM},
           guards=(fix_not_flagged,), effect=_fix_overdue, basis=BASIS_LIMIT),
    action("calendar_moved", "工作日历调整", edges=dict.fromkeys(MOVABLE, SAME), actors={SYSTEM}, input=CalendarIn,
           guards=(limits_moved,), effect=_calendar_moved, basis=BASIS_LIMIT),
)}

OPEN_EVENT = "open"  # the first event, written by services.rectification_open (nothing comes before it)
EVENT_LABELS = {OPEN_EVENT: "差评立案整改", **{name: a.label for name, a in ACTIONS.items()}}


def load(key) -> Rectification:
    pk = key.pk if isinstance(key, Rectification) else int(key)
    return (Rectification.objects.select_for_update(of=("self",)).select_related("evaluation", "unit")
            .get(pk=pk))


def timer_plan(ctx: Context) -> dict:
    """The contact and fix timers the state implies. A limit already flagged is left alone (its
    timer has fired; re-planning it would revive it)."""
    r, plan = ctx.subject, {}
    if not r.contact_overdue:
        plan[TIMER_CONTACT] = r.contact_due_at if r.status == S.OPEN else None
    if not r.overdue:
        plan[TIMER_FIX] = r.fix_due_at if r.status in RUNNING else None
    return plan


def notify(ctx: Context, effect: Effect, event: RectificationEvent) -> None:
    ev = ctx.subject.evaluation
    outbox_put(topic=f"evaluation.rectification_{ctx.action.name}", payload={
        "evaluation": ev.pk, "subject_kind": ev.subject_kind, "subject_ref": ev.subject_ref, "round": ev.round,
        "rectification": ctx.subject.pk, "unit": ctx.subject.unit_id, "from_status": ctx.from_status,
        "to_status": ctx.to_status, "seq": event.seq,
    })


RECTIFICATION = Workflow(
    name="rectification", label="差评整改", subject_model=Rectification, event_model=RectificationEvent,
    event_subject="rectification", states=dict(S.choices), actions=ACTIONS, actor_kinds=actor_kinds,
    actor_labels=ACTOR_LABELS, load=load, key=lambda r: str(r.pk), timer_plan=timer_plan, notify=notify,
    conflict_message="该差评整改已被他人处理，请刷新后重试", terminal=frozenset({S.CLOSED, S.VOIDED}),
)
register_workflow(RECTIFICATION)
