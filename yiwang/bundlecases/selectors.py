"""Reads of bundle cases: who the caller is to one, what they may see, the one progress view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.cases import clock
from yiwang.catalogue.models import Bundle
from yiwang.catalogue.selectors import bundle_view
from yiwang.core.errors import Forbidden, NotFound
from yiwang.organisations.models import Role, UnitKind, WindowKind
from yiwang.organisations.selectors import staff_roles

from . import rules as R
from .models import BundleCase, BundleMemberCase

HALL_KINDS = (UnitKind.CENTER, UnitKind.BUREAU)
HANDLING_ROLES = (Role.APPROVER, Role.DEPARTMENT_HEAD)


def _bundle_windows(user) -> list:
    """The staff rows of this user as a clerk at a bundle window (一件事专窗) of a hall."""
    if user is None or not user.is_authenticated:
        return []
    return [s for s in staff_roles(user) if s.role == Role.WINDOW_CLERK and s.unit.kind in HALL_KINDS
            and s.window_id is not None and s.window.kind == WindowKind.BUNDLE]


def is_bundle_clerk(user, bundle: Bundle) -> bool:
    """A clerk at a bundle window of a hall in the bundle's region (一窗受理)."""
    return any(s.unit.region_id == bundle.region_id for s in _bundle_windows(user))


def bundle_actor_kinds(bc: BundleCase, user) -> set[str]:
    if user is None:
        return {R.SYSTEM}
    kinds: set[str] = set()
    if not user.is_authenticated:
        return kinds
    if bc.applicant.user_id == user.pk:
        kinds.add(R.APPLICANT)
    if is_bundle_clerk(user, bc.bundle):
        kinds.add(R.CLERK)
    return kinds


def _member_units(user) -> list[int]:
    return [s.unit_id for s in staff_roles(user) if s.role in HANDLING_ROLES]


def bundle_case_get(number: str, *, user, field: str = "number") -> BundleCase:
    """The bundle case, if this user may see it: the applicant, the bundle window of its region, and
    the staff of a unit handling one of its children."""
    bc = BundleCase.objects.select_related("bundle", "applicant", "accepted_by").filter(number=number).first()
    if bc is None:
        raise NotFound(f"一件事办件“{number}”不存在", field=field, code="case_not_found")
    if user is not None and not bundle_actor_kinds(bc, user):
        units = _member_units(user)
        if not units or not BundleMemberCase.objects.filter(bundle_case=bc).filter(
            Q(case__receiving_unit_id__in=units) | Q(case__reviewing_unit_id__in=units)
            | Q(case__deciding_unit_id__in=units)
        ).exists():
            raise Forbidden("无权查看此一件事办件：仅申请人、一件事专窗及经办单位工作人员可以查看", code="forbidden")
    return bc


def is_bundle_case_number(number: str) -> bool:
    return BundleCase.objects.filter(number=number).exists()


def bundle_cases_of_user(user) -> QuerySet[BundleCase]:
    if not user.is_authenticated:
        return BundleCase.objects.none()
    return BundleCase.objects.filter(applicant__user=user).select_related("bundle").order_by("-submitted_at")


def bundle_queue(user, *, status: str = "") -> QuerySet[BundleCase]:
    regions = {s.unit.region_id for s in _bundle_windows(user)}
    qs = BundleCase.objects.filter(bundle__region_id__in=regions).select_related("bundle", "applicant")
    if status:
        qs = qs.filter(status__in=status.split(","))
    return qs.order_by("deadline", "submitted_at", "id")


def results_to_collect(bc: BundleCase) -> list[str]:
    """Numbers of the latest member cases whose approved result waits to be delivered (一次领取)."""
    latest: dict[int, tuple[str, str]] = {}
    for member_id, number, status in (BundleMemberCase.objects.filter(bundle_case=bc).order_by("attempt", "id")
                                      .values_list("member_id", "case__number", "case__status")):
        latest[member_id] = (number, status)
    return [number for number, status in latest.values() if status in R.CASE_TO_DELIVER]


def child_case_ids() -> QuerySet:
    """Ids of cases that are members of a bundle case (hidden from the applicant's single-case list)."""
    return BundleMemberCase.objects.values("case_id")


@dataclass
class MemberRow:
    pk: int
    impl_code: str
    name: str
    unit: str
    unit_name: str
    state: str
    state_label: str
    case_number: str | None
    case_status: str | None
    case_status_label: str | None
    attempts: int
    waits_for: list[str]
    instant: bool
    promised_days: int
    licence: str = ""
    fed: dict = field(default_factory=dict)
    deadline: date | None = None


@dataclass
class BundleCaseView:
    bc: BundleCase
    members: list[MemberRow]
    layers: list[list[MemberRow]]
    done: int
    total: int
    percent: int
    delivered: int
    current: list[MemberRow]
    next: list[MemberRow]
    failed: list[MemberRow]
    paused: list[MemberRow]
    deadline: date | None
    days_left: int | None
    fields: list
    checklist: list[dict]
    events: list
    actions: list[str]


def _material_state(name: str, received: dict, uploaded: set[str]) -> tuple[str, str]:
    """(how, state) of an asked material on the 明白卡: supplied later, received on paper, uploaded,
    tolerated and still owed, or still asked."""
    if name in received.get("supplied", []):
        return "容缺材料已补交", "supplied"
    if name in received.get("paper", []):
        return "已收取", "received"
    if name in received.get("tolerate", []):
        return "容缺受理，待补交", "tolerated"
    if name in uploaded:
        return "已在线上传", "uploaded"
    return "", "asked"


def _checklist(bc: BundleCase, view, names: dict) -> list[dict]:
    received = bc.materials or {}
    uploaded = set(bc.uploads.values_list("name", flat=True))
    rows = []
    for mm in view.merged_materials:
        if mm.produced_by is not None:
            how, state = f"由本一件事中的“{names[mm.produced_by]}”产生，无需提交", "produced"
        elif mm.source == "licence":
            how, state = "从电子证照库调取，无需提交", "shared"
        elif mm.source == "data":
            how, state = "通过数据共享获取，无需提交", "shared"
        else:
            how, state = _material_state(mm.name, received, uploaded)
            how = how or "需提交" + ("（可容缺）" if mm.tolerable else "")
        rows.append({"name": mm.name, "how": how, "state": state, "required": mm.required,
                     "tolerable": mm.tolerable, "asked": mm.asked_of_applicant, "uploaded": mm.name in uploaded,
                     "members": [names[x] for x in mm.members]})
    return rows


def _links(bc: BundleCase) -> tuple[dict[int, BundleMemberCase], dict[int, int]]:
    """Each member's latest child link, and how many attempts it had."""
    latest: dict[int, BundleMemberCase] = {}
    attempts: dict[int, int] = {}
    for link in BundleMemberCase.objects.filter(bundle_case=bc).select_related(
            "case__deciding_unit", "case__implementation").order_by("attempt", "id"):
        latest[link.member_id] = link
        attempts[link.member_id] = attempts.get(link.member_id, 0) + 1
    return latest, attempts


def _statuses(view, latest: dict[int, BundleMemberCase], licences: dict[str, str]) -> dict:
    """The latest children's statuses; an approved one whose licence the worker has not issued yet
    (after the approval's commit) shows as 证照生成中, as the advance sees it."""
    statuses = {pk: link.case.status for pk, link in latest.items()}
    producing = {m.pk: latest[m.pk].case.number for m in view.members
                 if m.pk in latest and m.implementation.item.result_licence}
    return R.with_licences(statuses, producing, licences)


def _member_row(m, link, *, state: str, attempts: int, names: dict, waits: list, licences: dict) -> MemberRow:
    case = link.case if link else None
    unit = case.deciding_unit if case else m.implementation.department
    return MemberRow(
        pk=m.pk, impl_code=m.implementation.impl_code, name=m.implementation.name, unit=unit.code,
        unit_name=unit.name, state=state, state_label=R.MEMBER_LABELS[state],
        case_number=case.number if case else None, case_status=case.status if case else None,
        case_status_label=case.get_status_display() if case else None, attempts=attempts,
        waits_for=[names[a] for a in waits], instant=m.implementation.item.is_instant,
        promised_days=m.implementation.item.promised_days,
        licence=licences.get(case.number, "") if case else "", fed=link.fed if link else {},
        deadline=case.deadline if case else None,
    )


def _actions(bc: BundleCase, user) -> list[str]:
    if user is None:
        return []
    from yiwang.core.workflow import available_actions

    from .workflow import WORKFLOW

    return [a.name for a in available_actions(WORKFLOW, subject=bc, actor=user)]


def bundle_case_view(bc: BundleCase, *, user=None, today: date | None = None) -> BundleCaseView:
    from yiwang.licences.models import Licence

    today = today or timezone.localdate()
    view = bundle_view(bc.bundle)
    latest, attempts = _links(bc)
    licences = dict(Licence.objects.filter(case_number__in=[link.case.number for link in latest.values()])
                    .values_list("case_number", "identifier"))
    statuses = _statuses(view, latest, licences)
    states = R.member_states(view.waits_for, statuses)
    names = {m.pk: m.implementation.name for m in view.members}
    rows = {m.pk: _member_row(m, latest.get(m.pk), state=states[m.pk], attempts=attempts.get(m.pk, 0), names=names,
                              waits=view.waits_for[m.pk], licences=licences) for m in view.members}
    p = R.progress(view.waits_for, statuses)
    running = bc.status in ("accepted", "running", "stopped")
    return BundleCaseView(
        bc=bc, members=list(rows.values()), layers=[[rows[m.pk] for m in layer] for layer in view.layers],
        done=p.done, total=p.total, percent=p.percent, delivered=p.delivered, current=[rows[x] for x in p.current],
        next=[rows[x] for x in p.next], failed=[rows[x] for x in p.failed], paused=[rows[x] for x in p.paused],
        deadline=bc.deadline, days_left=clock.days_left(deadline=bc.deadline, today=today) if running else None,
        fields=[(f.name, bc.form.get(f.name, ""), [names[x] for x in f.members]) for f in view.merged_form],
        checklist=_checklist(bc, view, names), events=list(bc.events.select_related("actor").order_by("seq")),
        actions=_actions(bc, user),
    )


def bundle_case_out(bc: BundleCase, *, user) -> dict:
    """The API's view of a bundle case."""
    from .workflow import EVENT_LABELS

    v = bundle_case_view(bc, user=user)
    return {
        "kind": "bundle", "number": bc.number, "bundle": bc.bundle.code, "bundle_name": bc.bundle.name,
        "applicant": bc.applicant.name, "applicant_number": bc.applicant.number, "channel": bc.channel,
        "status": bc.status, "status_label": bc.get_status_display(), "form": bc.form, "materials": bc.materials,
        "submitted_at": bc.submitted_at, "accepted_on": bc.accepted_on, "promised_days": bc.promised_days,
        "deadline": bc.deadline, "deadline_provisional": bc.deadline_provisional, "days_left": v.days_left,
        "completed_at": bc.completed_at, "stop_reason": bc.stop_reason, "version": bc.version,
        "progress": {"done": v.done, "delivered": v.delivered, "total": v.total, "percent": v.percent,
                     "current": [m.impl_code for m in v.current], "next": [m.impl_code for m in v.next],
                     "failed": [m.impl_code for m in v.failed], "paused": [m.impl_code for m in v.paused]},
        "members": [{"item": m.impl_code, "item_name": m.name, "case": m.case_number, "case_status": m.case_status,
                     "state": m.state, "state_label": m.state_label, "unit": m.unit, "unit_name": m.unit_name,
                     "attempts": m.attempts, "waits_for": m.waits_for, "licence": m.licence, "fed": m.fed,
                     "deadline": m.deadline} for m in v.members],
        "checklist": v.checklist,
        "actions": v.actions,
        "history": [{"seq": e.seq, "action": e.action, "label": EVENT_LABELS.get(e.action, e.action),
                     "from_status": e.from_status, "to_status": e.to_status,
                     "actor": (e.actor.first_name or e.actor.username) if e.actor_id else None,
                     "actor_kind": e.actor_kind, "at": e.at, "reason": e.reason, "data": e.data}
                    for e in v.events],
    }
