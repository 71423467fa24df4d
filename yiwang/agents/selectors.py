"""Reads of agent data: which authorisations are in force, who may see which, the agent's
workbench (parties and cases), teams with their members, workload."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yiwang.organisations.models import Role, Staff
from yiwang.organisations.selectors import staff_roles
from yiwang.parties.models import Party

from .models import AgentTeam, Authorisation, AuthStatus, FeePayment

RELATED = ("party", "agent", "team", "recorded_unit")


def in_force_q(today: date | None = None, prefix: str = "") -> Q:
    """Granted and inside its period (the dates decide even before the expiry timer has run)."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}status": AuthStatus.GRANTED, f"{prefix}valid_from__lte": today,
                f"{prefix}valid_until__gte": today})


def in_force_ids(agent, today: date | None = None) -> QuerySet:
    """The ids of the agent's authorisations in force, as a subquery (cases.selectors' visibility)."""
    return Authorisation.objects.filter(in_force_q(today), agent_id=agent.pk).values("id")


def authorisations_between(*, party: Party, agent, number: str = "") -> QuerySet[Authorisation]:
    qs = Authorisation.objects.filter(party=party, agent_id=agent.pk).order_by("-valid_until", "-id")
    if number.strip():
        qs = qs.filter(number=number.strip().upper())
    return qs


def is_clerk(user) -> bool:
    return any(s.role == Role.WINDOW_CLERK for s in staff_roles(user))


def is_agent(user) -> bool:
    return any(s.role == Role.AGENT for s in staff_roles(user)) or \
        Authorisation.objects.filter(agent_id=getattr(user, "pk", None)).exists()


def visible_authorisations(user) -> QuerySet[Authorisation]:
    """The grantor's own, the agent's, and (window clerks) those of grantors in their regions."""
    if not getattr(user, "is_authenticated", False):
        return Authorisation.objects.none()
    q = Q(party__user_id=user.pk) | Q(agent_id=user.pk)
    regions = {s.unit.region_id for s in staff_roles(user) if s.role == Role.WINDOW_CLERK}
    if regions:
        q |= Q(party__region_id__in=regions)
    return Authorisation.objects.filter(q).select_related(*RELATED)


def authorisation_get(number: str, *, user) -> Authorisation:
    from yiwang.core.errors import NotFound

    auth = visible_authorisations(user).filter(number=(number or "").strip().upper()).first()
    if auth is None:
        raise NotFound(f"授权委托“{number}”不存在", field="number", code="authorisation_not_found")
    return auth


def parties_of(user) -> list[Party]:
    return list(Party.objects.filter(user_id=getattr(user, "pk", None)).order_by("kind", "number"))


def agents_for(party: Party | None) -> list:
    """The official agents a grantor may pick: members of the team of its park, then its region's."""
    qs = Staff.objects.filter(role=Role.AGENT).select_related("user", "unit").order_by("unit__code", "user__username")
    if party is not None:
        qs = qs.filter(Q(unit_id=party.park_id) | Q(unit__region_id=party.region_id))
    return [s for s in qs if s.user.is_active]


def authorised_parties(agent, today: date | None = None) -> list[dict]:
    """The agent's workbench: each party it acts for now, with its authorisations in force."""
    rows: dict[int, dict] = {}
    auths = (Authorisation.objects.filter(in_force_q(today), agent_id=agent.pk).select_related("party")
             .order_by("party__name", "valid_until"))
    for a in auths:
        rows.setdefault(a.party_id, {"party": a.party, "authorisations": []})["authorisations"].append(a)
    return list(rows.values())


def agent_cases(agent, today: date | None = None):
    """The cases the agent filed under an authorisation still in force (what it may follow)."""
    from yiwang.cases.models import Case

    return (Case.objects.filter(agent_id=agent.pk, authorisation_id__in=in_force_ids(agent, today))
            .select_related("implementation", "applicant", "authorisation").order_by("-submitted_at"))


def payments_visible(user) -> QuerySet[FeePayment]:
    ids = visible_authorisations(user).values("id")
    return FeePayment.objects.filter(authorisation_id__in=ids).select_related("case", "case__implementation")


def teams() -> list[dict]:
    """Every team with its members (the agent-role staff of its unit) and each member's workload."""
    load = workload()
    members: dict[int, list] = {}
    for s in Staff.objects.filter(role=Role.AGENT).select_related("user").order_by("user__username"):
        members.setdefault(s.unit_id, []).append({"user": s.user, **load.get(s.user_id, _zero())})
    return [{"team": t, "members": members.get(t.unit_id, [])}
            for t in AgentTeam.objects.select_related("unit", "unit__region")]


def _zero() -> dict:
    return {"parties": 0, "cases": 0, "open_cases": 0}


def workload(today: date | None = None) -> dict[int, dict]:
    """Per agent user: parties under authorisations in force, cases filed as agent, still open."""
    from yiwang.cases.models import Case
    from yiwang.cases.selectors import OPEN

    out: dict[int, dict] = {}
    for row in (Authorisation.objects.filter(in_force_q(today)).values("agent_id")
                .annotate(n=Count("party_id", distinct=True))):
        out.setdefault(row["agent_id"], _zero())["parties"] = row["n"]
    for row in (Case.objects.filter(agent__isnull=False, authorisation__isnull=False).values("agent_id")
                .annotate(n=Count("id"), open=Count("id", filter=Q(status__in=OPEN)))):
        entry = out.setdefault(row["agent_id"], _zero())
        entry["cases"], entry["open_cases"] = row["n"], row["open"]
    return out


def agent_users(ids) -> dict:
    return get_user_model().objects.in_bulk(list(ids))
