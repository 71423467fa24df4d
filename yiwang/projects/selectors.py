"""Reads: who sees which projects, a project's members as the schedule's facts, the schedule itself,
the chart's geometry, and the agent coverage the dashboard shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yiwang.organisations.selectors import has_role, staff_roles
from yiwang.workcalendar.index import get_index

from . import rules
from .models import KeyLevel, Project, ProjectMember, ProjectStatus

DONE_CASE = ("approved", "delivered", "closed")
ENDED_CASE = ("denied", "refused", "withdrawn", "revoked")  # the member has to be filed again
OPEN = [s for s in ProjectStatus.values if s not in ("certified", "terminated")]


def sees_all(user) -> bool:
    """County leaders and supervisors see every park's projects."""
    return has_role(user, "leader") or has_role(user, "supervisor") or bool(getattr(user, "is_superuser", False))


def park_ids_of(user) -> list[int]:
    return [s.unit_id for s in staff_roles(user) if s.unit.kind == "park"]


def projects_visible(user) -> QuerySet[Project]:
    qs = Project.objects.select_related("enterprise", "park", "agent")
    if not user.is_authenticated:
        return qs.none()
    if sees_all(user):
        return qs
    return qs.filter(Q(park_id__in=park_ids_of(user)) | Q(agent=user) | Q(enterprise__user=user))


def is_park_leader(user) -> bool:
    return sees_all(user) or bool(park_ids_of(user))


def members_of(project: Project) -> list[ProjectMember]:
    return list(project.members.select_related("case", "bundle_case", "implementation", "bundle").order_by("order"))


def _actuals(m: ProjectMember, p: Project) -> tuple[date | None, date | None]:
    if m.kind == "task":
        return None, m.done_on
    if m.kind in ("milestone", "period"):
        # (started, finished): the land listing runs from the notice, the works from 开工 to 竣工.
        return {"land_notice": (p.signed_on, p.land_notice_on), "land_supply": (p.land_notice_on, p.land_supplied_on),
                "build": (p.started_on, p.completed_on)}.get(m.key, (None, _milestone_day(m.key, p)))
    if m.kind == "bundle" and m.bundle_case is not None:
        bc = m.bundle_case
        if bc.status == "withdrawn":
            return None, None
        done = timezone.localdate(bc.completed_at) if bc.status == "completed" and bc.completed_at else None
        return bc.received_on, done
    if m.case is not None and m.case.status not in ENDED_CASE:
        return m.case.received_on, m.case.decided_on if m.case.status in DONE_CASE else None
    return None, None


def _milestone_day(key: str, p: Project) -> date | None:
    return {"sign": p.signed_on, "start": p.started_on, "complete": p.completed_on}.get(key)


def facts(project: Project, members: list[ProjectMember] | None = None) -> list[rules.Member]:
    members = members_of(project) if members is None else members
    not_before = {"sign": project.target_sign_on}
    out = []
    for m in members:
        started, finished = _actuals(m, project)
        out.append(rules.Member(key=m.key, stage=m.stage, days=m.days, after=tuple(m.after), kind=m.kind,
                                label=m.label, not_before=not_before.get(m.key), started=started, finished=finished))
    return out


def schedule_for(project: Project, *, today: date | None = None,
                 members: list[ProjectMember] | None = None) -> rules.Schedule:
    today = today or timezone.localdate()
    return rules.schedule(facts(project, members), start=project.begun_on, today=today, cal=get_index(),
                          finish_target=project.target_certificate_on)


# ---------------------------------------------------------------- the chart (统筹图)


@dataclass
class Bar:
    left: float
    width: float


def _bar(start: date, finish: date, lo: date, span: int) -> Bar:
    left = (start - lo).days / span * 100
    width = max((finish - start).days / span * 100, 0.8)  # a milestone still shows as a tick
    return Bar(round(left, 2), round(min(width, 100 - left), 2))


def chart(project: Project, *, today: date | None = None) -> dict:
    """Stages with their members' planned and projected bars on one calendar-day axis, today's line,
    the critical members marked; bars in % of the axis so that the chart fits any width."""
    today = today or timezone.localdate()
    members = members_of(project)
    sch = schedule_for(project, today=today, members=members)
    rows = sch.rows.values()
    lo = min(min(r.planned_start for r in rows), min(r.projected_start for r in rows), project.begun_on)
    hi = max(max(r.planned_finish for r in rows), sch.finish, today)
    span = max((hi - lo).days, 1)
    warned = {w.member for w in sch.warnings if w.member and w.level == "warning"}
    stages = []
    for key, label in rules.STAGES.items():
        lines = []
        for m in members:
            if m.stage != key:
                continue
            r = sch.rows[m.key]
            lines.append({"m": m, "r": r, "planned": _bar(r.planned_start, r.planned_finish, lo, span),
                          "actual": _bar(r.projected_start, r.projected_finish, lo, span),
                          "warned": m.key in warned, "milestone_label": rules.MILESTONES.get(m.milestone, ""),
                          "target": rules.STAGE_TARGETS.get(key)})
        stages.append({"key": key, "label": label, "rows": lines, "days": sch.stage_days.get(key, 0),
                       "target": rules.STAGE_TARGETS.get(key)})
    return {"schedule": sch, "stages": stages, "lo": lo, "hi": hi,
            "today": round((today - lo).days / span * 100, 2) if lo <= today <= hi else None,
            "months": _ticks(lo, hi, span)}


def _ticks(lo: date, hi: date, span: int) -> list[dict]:
    out, d = [], date(lo.year, lo.month, 1)
    while d <= hi:
        if d >= lo:
            out.append({"label": f"{d.month}月", "left": round((d - lo).days / span * 100, 2)})
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


# ---------------------------------------------------------------- the dashboard


def agent_coverage(park_ids: list[int] | None = None) -> dict[str, int]:
    """Open projects: key projects, key projects with a named agent, projects with an agent, agents."""
    qs = Project.objects.filter(status__in=OPEN)
    if park_ids is not None:
        qs = qs.filter(park_id__in=park_ids)
    key = qs.exclude(key_level=KeyLevel.NONE)
    row = qs.aggregate(with_agent=Count("pk", filter=Q(agent__isnull=False)), agents=Count("agent", distinct=True))
    return {"live.project.key": key.count(), "live.project.key_with_agent": key.filter(agent__isnull=False).count(),
            "live.project.with_agent": row["with_agent"], "live.project.agents": row["agents"]}
