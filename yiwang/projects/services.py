"""Project services: register a project (its members laid out by stage), act on it through the one
engine, assign its named agent, file and link its cases, and keep its schedule current — after a
case under it moves (an after-commit reaction of the case workflow) and after a calendar change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from yiwang.catalogue.models import Bundle, ItemImplementation
from yiwang.core.errors import DomainError, Forbidden, NotFound
from yiwang.core.outbox import outbox_put
from yiwang.core.workflow import Refusal, apply
from yiwang.core.workflow.deadlines import deadline_holder
from yiwang.core.workflow.reactions import reaction
from yiwang.organisations.models import Unit
from yiwang.organisations.selectors import staff_roles
from yiwang.parties.models import Party

from . import rules, selectors
from .models import ApprovalKind, InvestmentKind, KeyLevel, Project, ProjectEvent, ProjectMember
from .workflow import PARK_ROLES, WORKFLOW, project_load


def _choice(value: str, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise DomainError(f"{label}的取值不在允许范围内", field=field)
    return value


def _investment(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("总投资（万元）应为数字", field="investment") from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        raise DomainError("总投资（万元）应大于0且小于100亿万元", field="investment")
    return amount.quantize(Decimal("0.01"))


def _construction_days(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2000:
        raise DomainError("施工工期（工作日）应为1至2000之间的整数", field="construction_days")
    return value


def _check_new(*, actor, code: str, enterprise: Party, park: Unit) -> None:
    error = rules.project_code_error(code)
    if error:
        raise DomainError(error, field="code")
    if Project.objects.filter(code=code).exists():
        raise DomainError(f"项目代码“{code}”已登记", field="code", code="duplicate")
    if park.kind != "park":
        raise DomainError(f"所在园区：“{park.name}”不是园区", field="park")
    if enterprise.kind != "enterprise":
        raise DomainError("建设单位应为法人（企业）", field="enterprise")
    if not any(s.unit_id == park.pk and s.role in PARK_ROLES for s in staff_roles(actor)):
        raise Forbidden(f"仅{park.name}的工作人员可以登记本园区项目", field="park")


@transaction.atomic
def project_create(*, actor, code: str, name: str, enterprise: Party, park: Unit, investment_kind: str,
                   approval_kind: str, investment, begun_on: date, land_parcel: str = "", key_level: str = "",
                   target_sign_on: date | None = None, construction_days: int = 160,
                   target_certificate_on: date | None = None, now: datetime | None = None) -> Project:
    """Register a project in 洽谈 with its members (rules.project_members) and its first schedule."""
    now = now or timezone.now()
    code, name = (code or "").strip(), (name or "").strip()
    _check_new(actor=actor, code=code, enterprise=enterprise, park=park)
    if not name or len(name) > 128:
        raise DomainError("请填写项目名称（128字以内）", field="name")
    p = Project.objects.create(
        code=code, name=name, enterprise=enterprise, park=park,
        investment_kind=_choice(investment_kind, InvestmentKind, "investment_kind", "投资类型"),
        approval_kind=_choice(approval_kind, ApprovalKind, "approval_kind", "审批类型"),
        investment=_investment(investment), land_parcel=(land_parcel or "").strip()[:128],
        key_level=_choice(key_level or "", KeyLevel, "key_level", "重点项目"), begun_on=begun_on,
        target_sign_on=target_sign_on, construction_days=_construction_days(construction_days),
        target_certificate_on=target_certificate_on, created_by=actor, created_at=now)
    _members_create(p)
    Project.objects.filter(pk=p.pk).update(**schedule_columns(p, today=timezone.localdate(now)))
    ProjectEvent.objects.create(project=p, seq=1, action="create", from_status="", to_status=p.status, actor=actor,
                                actor_kind="park", at=now, on=timezone.localdate(now), data={"code": code})
    outbox_put(topic="projects.created", payload={"code": code, "park": park.code})
    return project_load(p)


def _members_create(p: Project) -> None:
    impls = {i.item.basic_code: i for i in ItemImplementation.objects.select_related("item").filter(
        region_id=p.park.region_id)}
    bundles = {b.code: b for b in Bundle.objects.filter(region_id=p.park.region_id)}
    rows = []
    for order, spec in enumerate(rules.project_members(land_notice_days=p.land_notice_days,
                                                                   construction_days=p.construction_days), start=1):
        impl = impls.get(spec.item) if spec.kind == "item" else None
        bundle = bundles.get(spec.item) if spec.kind == "bundle" else None
        if spec.item and impl is None and bundle is None:
            raise DomainError(f"所在园区所属区划未实施“{spec.label}”，不能登记项目", field="park")
        rows.append(ProjectMember(project=p, key=spec.key, order=order, stage=spec.stage, kind=spec.kind,
                                  label=spec.label, milestone=spec.milestone, phase=spec.phase,
                                  implementation=impl, bundle=bundle, days=spec.days, after=list(spec.after)))
    ProjectMember.objects.bulk_create(rows)


def schedule_columns(project: Project, *, today: date) -> dict:
    """The stored summary of the schedule (what the list page and the dashboard read)."""
    sch = selectors.schedule_for(project, today=today)
    return {"projected_finish": sch.finish, "approval_days": sch.approval_days, "critical": sch.critical,
            "warnings": [{"code": w.code, "message": w.message, "member": w.member, "stage": w.stage,
                          "level": w.level} for w in sch.warnings],
            "schedule_provisional": sch.provisional}


def project_act(*, project: Project | str, action: str, actor, input: dict | None = None,
                version: int | None = None, now: datetime | None = None) -> Project:
    return apply(WORKFLOW, subject=project, action=action, actor=actor, input=input, version=version, now=now)


def project_agent_assign(*, project: Project | str, agent, actor, version: int | None = None,
                         now: datetime | None = None) -> Project:
    """一个项目、一名专员: the park names the project's agent (an event of the project)."""
    return project_act(project=project, action="assign_agent", actor=actor, input={"agent": agent.username},
                       version=version, now=now)


# ---------------------------------------------------------------- cases under the project


def link_target(project: Project, *, member: str, number: str) -> tuple[Refusal | None, tuple | None]:
    """The member and the case (or bundle case) to link, or why not (a guard of link_case)."""
    from yiwang.bundlecases.models import BundleCase
    from yiwang.cases.models import Case

    m = project.members.select_related("case", "bundle_case").filter(key=member).first()
    if m is None or m.kind not in rules.APPROVALS:
        return Refusal("member", f"“{member}”不是本项目的审批事项或一件事", "member"), None
    current = m.bundle_case if m.kind == "bundle" else m.case
    if current is not None and current.status not in (*selectors.ENDED_CASE, "stopped"):
        return Refusal("linked", f"“{m.label}”已关联办件{current.number}", "member", status=409), None
    if m.kind == "bundle":
        target = BundleCase.objects.filter(number=number, bundle_id=m.bundle_id).first()
    else:
        target = Case.objects.filter(number=number, implementation__item_id=m.implementation.item_id).first()
    if target is None:
        return Refusal("case", f"未找到“{m.label}”的办件“{number}”", "case"), None
    if target.applicant_id != project.enterprise_id:
        return Refusal("applicant", "办件申请人不是本项目的建设单位", "case"), None
    if getattr(target, "project_member", None) is not None and target.project_member.pk != m.pk:
        return Refusal("case_taken", f"办件{number}已关联其他项目", "case", status=409), None
    return None, (m, target)


def _form(project: Project, fields: list[str], given: dict | None) -> dict:
    """The application form from the project's facts; what the caller gives wins."""
    facts = {"项目名称": project.name, "建设单位": project.enterprise.name, "建设地点": project.land_parcel or project.park.name,
             "联系电话": project.enterprise.phone or "0731-12345"}
    return {f: (given or {}).get(f) or facts.get(f) or project.name for f in fields}


@transaction.atomic
def project_case_file(*, project: Project | str, member: str, actor, form: dict | None = None,
                      now: datetime | None = None):
    """File a member's application under the project and link it: the named agent files an item as
    代办 (under the enterprise's authorisation in force for that item), the enterprise online; a bundle the enterprise files
    online (一件事 has no 代办 channel yet)."""
    from yiwang.bundlecases.services import bundle_case_submit
    from yiwang.cases.services import case_submit

    p = project_load(project)
    m = p.members.select_related("implementation__item", "bundle").filter(key=member).first()
    if m is None or m.kind not in rules.APPROVALS:
        raise NotFound(f"“{member}”不是本项目的审批事项或一件事", field="member")
    is_agent = p.agent_id is not None and p.agent_id == actor.pk
    if m.kind == "bundle":
        fields = _bundle_fields(m.bundle)
        target = bundle_case_submit(actor=actor, bundle=m.bundle.code, applicant=p.enterprise,
                                    form=_form(p, fields, form), channel="online", now=now)
    else:
        target = case_submit(actor=actor, item=m.implementation.impl_code, applicant=p.enterprise,
                             form=_form(p, list(m.implementation.item.form_fields or []), form),
                             channel="agent" if is_agent else "online", now=now)  # the agent files under
    # the enterprise's authorisation in force for the item (agents.services.authorisation_check)
    project_act(project=p, action="link_case", actor=actor, input={"member": m.key, "case": target.number}, now=now)
    return target


def _bundle_fields(bundle) -> list[str]:
    from yiwang.catalogue.selectors import bundle_view

    return [f.name for f in bundle_view(bundle).merged_form]


# ---------------------------------------------------------------- keeping the schedule current


def project_reschedule(*, project: Project | str, reason: str, now: datetime | None = None) -> bool:
    """Recompute; when the stored summary differs, the system's `reschedule` action writes it."""
    now = now or timezone.now()
    p = project_load(project)
    if p.status not in selectors.OPEN:
        return False
    wanted = schedule_columns(p, today=timezone.localdate(now))
    if all(getattr(p, k) == v for k, v in wanted.items()):
        return False
    apply(WORKFLOW, subject=p, action="reschedule", actor=None, input={"reason": reason}, now=now)
    return True


def _project_of_case(number: str) -> Project | None:
    from yiwang.cases.models import Case

    case = Case.objects.select_related("project_member__project", "bundle_link__bundle_case").filter(
        number=number).first()
    if case is None:
        return None
    member = getattr(case, "project_member", None)
    if member is None and getattr(case, "bundle_link", None) is not None:
        member = ProjectMember.objects.select_related("project").filter(
            bundle_case_id=case.bundle_link.bundle_case_id).first()
    return member.project if member is not None else None


@reaction("projects.case_moved")
def case_moved(*, payload: dict) -> None:
    """After commit of a case's decision (or its end): the project it is filed under is rescheduled.
    Declared in the case workflow: react("projects.case_moved", entering=…, after_commit=True)."""
    project = _project_of_case(payload["key"])
    if project is not None:
        project_reschedule(project=project, reason=f"办件{payload['key']}状态变化，重新计算进度")


@deadline_holder("projects.schedules")
def projects_recompute(*, since: date, now: datetime) -> int:
    """A calendar change moves every open project's schedule (working days are counted anew)."""
    moved = 0
    for code in Project.objects.filter(status__in=selectors.OPEN).values_list("code", flat=True):
        with transaction.atomic():
            moved += project_reschedule(project=code, reason="工作日历调整，重新计算进度", now=now)
    return moved
