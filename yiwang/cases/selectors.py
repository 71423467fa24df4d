"""Reads of cases: who the caller is to a case, what they may see, queues and the case view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from yiwang.core.errors import Forbidden, NotFound
from yiwang.organisations.models import Role, Unit, UnitKind
from yiwang.organisations.selectors import staff_roles
from yiwang.parties.models import Party

from . import clock
from .models import RUNNING, Case, CaseEvent, CaseStatus, CoReview
from .models import ActorKind as A

HANDLING_ROLES = (Role.APPROVER, Role.DEPARTMENT_HEAD)
# The statuses a queue counter counts (served by the partial index case_open_idx).
OPEN = (CaseStatus.SUBMITTED, *RUNNING, CaseStatus.APPROVED, CaseStatus.DENIED)
HALL_KINDS = (UnitKind.CENTER, UnitKind.BUREAU)


def near_due_days() -> int:
    return int(getattr(settings, "YIWANG_NEAR_DUE_DAYS", 1))


def _hall_regions(user) -> set[str]:
    """Regions whose one-window hall this user clerks at (一窗受理: any item of any department)."""
    return {s.unit.region_id for s in staff_roles(user) if s.role == Role.WINDOW_CLERK and s.unit.kind in HALL_KINDS}


def actor_kinds(case: Case, user, *, co_review: bool = True) -> set[str]:
    """What this user is to this case: applicant, intake, reviewer, decider, head, co_reviewer.

    co_review=False leaves out the co-reviewer check (a query), for callers that do not ask it."""
    if user is None:
        return {A.SYSTEM}
    kinds: set[str] = set()
    if not user.is_authenticated:
        return kinds
    if case.applicant.user_id == user.pk or _agent_in_force(case, user):
        kinds.add(A.APPLICANT)
    roles = staff_roles(user)
    for s in roles:
        if s.unit_id == case.receiving_unit_id and s.role in (Role.WINDOW_CLERK, *HANDLING_ROLES):
            kinds.add(A.INTAKE)
        if s.role in HANDLING_ROLES:
            if s.unit_id == case.reviewing_unit_id:
                kinds.add(A.REVIEWER)
            if s.unit_id == case.deciding_unit_id:
                kinds.add(A.DECIDER)
        if s.role == Role.DEPARTMENT_HEAD and s.unit_id == case.deciding_unit_id:
            kinds.add(A.HEAD)
    if case.receiving_unit.region_id in _hall_regions(user):
        kinds.add(A.INTAKE)
    if case.remote_intake_unit_id and _is_remote_intake(case, user, roles):
        kinds.add(A.REMOTE_INTAKE)
    if co_review and any(s.role in HANDLING_ROLES for s in roles):
        units = {s.unit_id for s in roles if s.role in HANDLING_ROLES}
        if CoReview.objects.filter(case=case, unit_id__in=units).exists():
            kinds.add(A.CO_REVIEWER)
    return kinds


def _is_remote_intake(case: Case, user, roles) -> bool:
    """跨域通办: staff of the window's unit that took the case in, or a clerk of that region's hall."""
    if any(s.unit_id == case.remote_intake_unit_id and s.role in (Role.WINDOW_CLERK, *HANDLING_ROLES)
           for s in roles):
        return True
    return case.remote_intake_unit.region_id in _hall_regions(user)


def _agent_in_force(case: Case, user) -> bool:
    """The agent acts as the applicant only while the authorisation it filed under is in force:
    revoked or expired, the case is the party's alone (docs/agents.md)."""
    if case.agent_id != user.pk or case.authorisation_id is None:
        return False
    from yiwang.agents.rules import in_force

    return in_force(case.authorisation, timezone.localdate())


def actor_units(case: Case, user) -> set[str]:
    if user is None:
        return set()
    return {s.unit.code for s in staff_roles(user) if s.role in HANDLING_ROLES}


def _own(user) -> Q:
    """The user's own cases, as applicant (one of their parties) or as agent. A subquery, not a join:
    every branch of the visibility filter is then a column of the case row or a small hashed set, so
    PostgreSQL can walk a queue's (status or due state, deadline) index in order and stop at the page."""
    from yiwang.agents.selectors import in_force_ids

    return (Q(applicant_id__in=Party.objects.filter(user_id=user.pk).values("id"))
            | Q(agent_id=user.pk, authorisation_id__in=in_force_ids(user)))


def visible_cases(user) -> QuerySet[Case]:
    """Cases this user may see: their own as applicant or agent, their units' as staff."""
    if not user.is_authenticated:
        return Case.objects.none()
    roles = staff_roles(user)
    units = [s.unit_id for s in roles if s.role in (Role.WINDOW_CLERK, *HANDLING_ROLES)]
    q = _own(user)
    if units:
        q |= Q(receiving_unit_id__in=units) | Q(reviewing_unit_id__in=units) | Q(deciding_unit_id__in=units)
        q |= Q(pk__in=CoReview.objects.filter(unit_id__in=units).values("case_id"))
        q |= Q(remote_intake_unit_id__in=units)  # 跨域通办: what this window took in for another region
    halls = _hall_regions(user)
    if halls:
        hall_units = Unit.objects.filter(region_id__in=halls).values("id")
        q |= Q(receiving_unit_id__in=hall_units) | Q(remote_intake_unit_id__in=hall_units)
    return Case.objects.filter(q)


_unit_ids: dict[str, int] = {}


def _unit_id(code: str) -> int:
    """A unit's id by its code, remembered per process (a code keeps its row; -1 for no such unit)."""
    if code not in _unit_ids:
        found = Unit.objects.filter(code=code).values_list("id", flat=True).first()
        if found is None:
            return -1
        _unit_ids[code] = found
    return _unit_ids[code]


def case_list(
    *, user, status: str = "", unit: str = "", due: str = "", mine: bool = False, q: str = ""
) -> QuerySet[Case]:
    qs = visible_cases(user) if not mine else Case.objects.filter(_own(user))
    if status:
        qs = qs.filter(status__in=status.split(","))
    if unit:
        # The unit's id as a literal (not a subquery), so PostgreSQL can OR its three queue indexes.
        unit_id = _unit_id(unit)
        qs = qs.filter(Q(receiving_unit_id=unit_id) | Q(reviewing_unit_id=unit_id) | Q(deciding_unit_id=unit_id)
                       | Q(remote_intake_unit_id=unit_id))
    if due in ("near", "overdue", "ok"):
        qs = qs.filter(due_state=due)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(applicant__name__icontains=q))
    return qs.select_related("implementation", "applicant", "deciding_unit", "receiving_unit",
                             "remote_intake_unit").order_by(
        "deadline", "submitted_at", "id"
    )


def cases_overdue_in(region_codes: list[str]) -> QuerySet[Case]:
    """Running cases past their deadline in these regions (a supervisor's 超期办件), longest overdue first."""
    return (Case.objects.filter(region_id__in=region_codes, status__in=RUNNING, due_state="overdue")
            .select_related("implementation", "deciding_unit").order_by("deadline", "id"))


def queue_counters(qs: QuerySet[Case]) -> dict[str, int]:
    """待受理, 办理中, 临期, 超期, 待送达 in one query, over the open cases only (every counter is of one)."""
    return qs.filter(status__in=OPEN).aggregate(
        submitted=Count("id", filter=Q(status=CaseStatus.SUBMITTED)),
        running=Count("id", filter=Q(status__in=RUNNING)),
        near=Count("id", filter=Q(due_state="near", status__in=RUNNING)),
        overdue=Count("id", filter=Q(due_state="overdue", status__in=RUNNING)),
        to_deliver=Count("id", filter=Q(status__in=(CaseStatus.APPROVED, CaseStatus.DENIED))),
    )


def case_get(number: str, *, user, field: str = "number") -> Case:
    """The case, if this user may see it: 404 when there is none, 403 when it is not theirs."""
    case = (
        Case.objects.select_related(
            "implementation__item", "implementation__department", "applicant", "receiving_unit",
            "reviewing_unit", "deciding_unit", "in_name_of", "agent", "authorisation", "remote_intake_unit",
        )
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor", "actor_unit").order_by("seq")),
            Prefetch("co_reviews", queryset=CoReview.objects.select_related("unit")),
            "materials",
        )
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound(f"办件“{number}”不存在", field=field, code="case_not_found")
    if user is not None and not (actor_kinds(case, user) - {A.SYSTEM}):
        raise Forbidden("无权查看此办件：仅申请人及经办单位工作人员可以查看", code="forbidden")
    return case


@dataclass
class ClockView:
    statutory_days: int
    promised_days: int
    extension_days: int
    paused_days: int
    days_used: int | None
    days_left: int | None
    deadline: date | None
    provisional: bool
    paused: bool
    due_state: str


def clock_view(case: Case, *, today: date | None = None) -> ClockView:
    today = today or timezone.localdate()
    until = case.decided_on or today
    pauses = [(date.fromisoformat(p[0]), date.fromisoformat(p[1]) if p[1] else None) for p in case.pauses]
    running = case.status in RUNNING
    return ClockView(
        statutory_days=case.statutory_days,
        promised_days=case.promised_days,
        extension_days=case.extension_days,
        paused_days=case.paused_days,
        days_used=clock.days_used(accepted_on=case.accepted_on, until=until, pauses=pauses),
        days_left=clock.days_left(deadline=case.deadline, today=today) if running else None,
        deadline=case.deadline,
        provisional=case.deadline_provisional,
        paused=case.paused,
        due_state=case.due_state,
    )


def available(case: Case, user) -> list:
    """The actions this user can take on this case now (core.workflow.available_actions): the edge,
    the actor check and every guard that needs no input pass. Pages and the API offer exactly these."""
    from yiwang.core.workflow import available_actions

    from .workflow import WORKFLOW

    return available_actions(WORKFLOW, subject=case, actor=user)


def allowed_actions(case: Case, user) -> list[str]:
    """The names of `available(case, user)`."""
    return [a.name for a in available(case, user)]
