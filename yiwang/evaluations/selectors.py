"""Reads of evaluations: visibility of the rater, bad-review queues, rates and rankings (SQL aggregates)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from yiwang.organisations.models import Role
from yiwang.organisations.selectors import staff_roles

from .models import EvalStatus, Evaluation, EvaluationEvent, Rectification, RectStatus, SubjectKind
from .rules import LEVEL_NAMES

GROUPS = {
    "staff": ("staff_id", "staff__first_name"),
    "window": ("window_id", "window__name"),
    "unit": ("unit_id", "unit__name"),
    "park": ("park_id", "park__name"),
    "item": ("implementation_id", "implementation__name"),
}


def is_supervisor(user) -> bool:
    return any(s.role == Role.SUPERVISOR for s in staff_roles(user))


def can_see_rater(user, ev: Evaluation) -> bool:
    """The rater is visible only to those who handle the review: supervisors, and the head of the
    rated unit while the review is bad (the staff member rated never sees who rated them)."""
    if not user.is_authenticated:
        return False
    if is_supervisor(user):
        return True
    return ev.bad and any(s.role == Role.DEPARTMENT_HEAD and s.unit_id == ev.unit_id for s in staff_roles(user))


def evaluation_public(ev: Evaluation, user) -> dict:
    data = {
        "id": ev.pk, "subject_kind": ev.subject_kind, "subject_ref": ev.subject_ref, "round": ev.round,
        "status": ev.status, "level": ev.level, "level_name": ev.get_level_display() if ev.level else None,
        "bad": ev.bad, "channel": ev.channel, "text": ev.text, "unit": ev.unit.code,
        "window": ev.window.code if ev.window_id else None,
        "item": ev.implementation.impl_code if ev.implementation_id else None,
        "rated_at": ev.rated_at, "defaulted": ev.status == EvalStatus.DEFAULTED,
        "rater": None,
    }
    if can_see_rater(user, ev):
        data["rater"] = {"name": ev.rater_name or (ev.rater_party.name if ev.rater_party_id else ""),
                         "phone": ev.rater_phone, "party": ev.rater_party.number if ev.rater_party_id else None}
    return data


def evaluations_visible(user) -> QuerySet[Evaluation]:
    """Supervisors see all; a unit's staff see their unit's; others nothing."""
    qs = Evaluation.objects.select_related("unit", "window", "implementation", "rater_party")
    if is_supervisor(user):
        return qs
    units = [s.unit_id for s in staff_roles(user)]
    return qs.filter(unit_id__in=units) if units else qs.none()


def rectifications_visible(user, *, overdue_only: bool = False) -> QuerySet[Rectification]:
    qs = Rectification.objects.select_related("evaluation", "unit").order_by("fix_due_at")
    if not is_supervisor(user):
        qs = qs.filter(unit_id__in=[s.unit_id for s in staff_roles(user)])
    if overdue_only:
        qs = qs.filter(overdue=True)
    return qs


def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 2) if d else None


def evaluation_stats(*, by: str, start: datetime | None = None, end: datetime | None = None,
                     unit_ids: list[int] | None = None) -> list[dict]:
    """Satisfaction, bad-review, rectification and on-time rates per staff/window/unit/park/item in a
    period (rated_at in [start, end)), ranked by satisfaction rate then volume. One SQL query."""
    if by not in GROUPS:
        raise ValueError(by)
    key, label = GROUPS[by]
    # A bundle's one rating counts through the member slots it is attributed to (each its unit's).
    qs = (Evaluation.objects.filter(status__in=[EvalStatus.RATED, EvalStatus.DEFAULTED]).exclude(**{key: None})
          .exclude(subject_kind=SubjectKind.BUNDLE))
    if start:
        qs = qs.filter(rated_at__gte=start)
    if end:
        qs = qs.filter(rated_at__lt=end)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    rows = (
        qs.values(key_id=F(key), name=F(label))
        .annotate(
            total=Count("id"),
            satisfied=Count("id", filter=Q(level__lte=3)),
            bad_count=Count("id", filter=Q(bad=True)),
            defaulted=Count("id", filter=Q(status=EvalStatus.DEFAULTED)),
            rectified=Count("id", filter=Q(rectification__status=RectStatus.CLOSED)),
            rect_due=Count("id", filter=Q(rectification__isnull=False) & ~Q(rectification__status=RectStatus.VOIDED)),
            on_time=Count("id", filter=Q(rectification__on_time=True)),
        )
        .order_by()
    )
    out = []
    for r in rows:
        out.append({
            "key": r["key_id"], "name": r["name"] or "", "total": r["total"], "satisfied": r["satisfied"],
            "bad": r["bad_count"], "defaulted": r["defaulted"],
            "satisfaction_rate": _pct(r["satisfied"], r["total"]), "bad_rate": _pct(r["bad_count"], r["total"]),
            "rectification_rate": _pct(r["rectified"], r["rect_due"]),
            "on_time_rate": _pct(r["on_time"], r["rect_due"]),
        })
    out.sort(key=lambda r: (-(r["satisfaction_rate"] or 0), -r["total"], str(r["name"])))
    for i, r in enumerate(out, start=1):
        r["rank"] = i
    return out


def evaluations_of_rater(user) -> QuerySet[Evaluation]:
    """The rating slots of the parties this account holds (the applicant's own), newest first."""
    if not user.is_authenticated:
        return Evaluation.objects.none()
    return (Evaluation.objects.filter(rater_party__user=user)
            .select_related("unit", "window", "implementation").order_by("-invited_at", "-id"))


def evaluations_open_for(user) -> QuerySet[Evaluation]:
    return evaluations_of_rater(user).filter(status=EvalStatus.INVITED)


def case_evaluation(case_number: str, *, kind: str = "case") -> Evaluation | None:
    """The latest rating slot of a case (kind "bundle": of a bundle case), for the case page's “评价”
    link (open slot: rate; else: the result)."""
    return (Evaluation.objects.filter(subject_kind=kind, subject_ref=case_number)
            .order_by("-round").first())


def rectification_flags(rect: Rectification, now: datetime) -> dict:
    """Overdue flags for a list: the timers set contact_overdue/overdue; the clock shows them early."""
    open_ = rect.status not in (RectStatus.CLOSED, RectStatus.VOIDED, RectStatus.APPEALED)
    return {
        "contact_overdue": rect.contact_overdue or (open_ and rect.status == RectStatus.OPEN
                                                    and now > rect.contact_due_at),
        "fix_overdue": rect.overdue or (open_ and rect.status != RectStatus.FIXED and now > rect.fix_due_at),
    }


def unit_handler_of(user, rect: Rectification) -> bool:
    return any(s.unit_id == rect.unit_id and s.role in (Role.DEPARTMENT_HEAD, Role.APPROVER, Role.WINDOW_CLERK)
               for s in staff_roles(user))


EVALUATION_EVENT_LABELS = {"invited": "邀请评价", "rated": "评价", "defaulted": "默认评价（逾期未评价）",
                           "voided": "差评作废"}


def rectification_timeline(rect: Rectification) -> list[dict]:
    """The review's and its rectification's history in one timeline, every action by its Chinese
    label and every actor by name or by what they are (评价人, 系统)."""
    from .workflow import ACTOR_LABELS, EVENT_LABELS

    rows = []
    slots = [rect.evaluation_id] + ([rect.rerating_id] if rect.rerating_id else [])
    for e in EvaluationEvent.objects.filter(evaluation_id__in=slots).select_related("actor", "evaluation"):
        label = EVALUATION_EVENT_LABELS.get(e.action, e.action)
        if e.evaluation.round > 1:
            label = f"复评：{label}"
        level = e.data.get("level")
        rows.append(_timeline_row(e, label, ACTOR_LABELS, LEVEL_NAMES.get(level, "")))
    for e in rect.events.select_related("actor"):
        moved = RectStatus(e.to_status).label if e.from_status != e.to_status else ""
        rows.append(_timeline_row(e, EVENT_LABELS.get(e.action, e.action), ACTOR_LABELS, moved and f"→ {moved}"))
    rows.sort(key=lambda r: (r["at"], r["order"]))
    return rows


def _timeline_row(e, label: str, actor_labels: dict, detail: str) -> dict:
    who = (e.actor.get_full_name() or e.actor.get_username()) if e.actor_id else actor_labels.get(e.actor_kind, "")
    return {"at": e.at, "order": (0 if isinstance(e, EvaluationEvent) else 1, e.seq), "label": label, "who": who,
            "reason": e.reason, "detail": detail}
