"""Every change of a bundle case goes through here: submit, accept, start members, member results,
resume, withdraw. Each change appends its event and an outbox row in the same transaction.

Members are started by `bundle_case_advance`, which starts one ready member at a time and looks
again, until none is ready; it runs when the bundle case is accepted or resumed and whenever a
child case is decided (reactions.py, declared on the case workflow). A child of an instant item
is decided the moment it is accepted, so starting it runs that reaction again from inside the
advance (the declared order cannot help: the reaction is inside the very start): the nested call sees
the bundle case is already being advanced in this thread and returns, and the outer loop picks up
what the child's decision made ready. Every start re-reads the child rows under the bundle case's
row lock, and (bundle case, member, attempt) is unique, so a member is started once.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from yiwang.cases import services as case_services
from yiwang.cases.materials import sniff
from yiwang.cases.models import Case, CaseStatus
from yiwang.catalogue.models import Bundle, BundleMember
from yiwang.catalogue.rules import form_check
from yiwang.catalogue.selectors import bundle_get, bundle_view
from yiwang.core.errors import DomainError, Forbidden, NotFound
from yiwang.core.numbering import daily_sequence_next
from yiwang.core.workflow import apply
from yiwang.core.workflow.deadlines import deadline_holder
from yiwang.parties.models import Party
from yiwang.parties.services import party_get_or_create

from . import rules as R
from . import selectors
from . import workflow as W
from .models import (
    BundleCase,
    BundleCaseCounter,
    BundleCaseEvent,
    BundleCaseMaterial,
    BundleCaseStatus,
    BundleMemberCase,
)

log = logging.getLogger(__name__)

CONFLICT_MESSAGE = W.CONFLICT_MESSAGE
CHANNELS = ("online", "window")

# Bundle cases being advanced in this thread (re-entrancy guard, see the module docstring).
_advancing: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("bundle_advancing", default=frozenset())


# ---------------------------------------------------------------- numbers


def bundle_case_number_next(*, code: str, day: date) -> str:
    """bundle code + yyyymmdd + 4-digit daily sequence; unique under concurrent submissions."""
    seq = daily_sequence_next(counter=BundleCaseCounter, key_field="code", key=code, day=day)
    if seq > 9999:
        raise DomainError("该一件事当日办件编号已用尽", field="bundle")
    return f"{code}{day:%Y%m%d}{seq:04d}"


# ---------------------------------------------------------------- the one function that changes status


def _locked(number: str) -> BundleCase:
    bc = (BundleCase.objects.select_for_update(of=("self",)).select_related("bundle", "applicant", "accepted_by", "submitted_by")
          .filter(number=number).first())
    if bc is None:
        raise NotFound(f"一件事办件“{number}”不存在", field="number", code="case_not_found")
    return bc


def _act(*, number: str, action: str, actor, reason: str = "", data: dict | None = None,
         version: int | None = None, now: datetime, changes: dict | None = None, notice: str = "") -> BundleCase:
    """Apply one action of the bundle-case workflow (workflow.py) on the engine: the row (version + 1),
    the event and the outbox row. `data`, `notice` and `changes` are the system's record of what
    happened (the action's input schema takes what it needs of them)."""
    payload = {"reason": reason, "data": data or {}, "notice": notice, **(changes or {})}
    return apply(W.WORKFLOW, subject=number, action=action, actor=actor, input=payload, version=version, now=now)


# ---------------------------------------------------------------- submit


def _form_check(bundle: Bundle, form: dict) -> dict:
    return form_check([f.name for f in bundle_view(bundle).merged_form], form, whose="该一件事合并申请表")


Upload = tuple[str, str, bytes]  # (material name, file name, content)


@transaction.atomic
def bundle_case_submit(*, actor, bundle: str, applicant: Party | dict, form: dict | None = None,
                       channel: str = "online", uploads: list[Upload] | None = None,
                       now: datetime | None = None) -> BundleCase:
    """One application for a whole bundle: the merged form and the asked materials uploaded, online by
    the applicant or at the bundle window by its clerk (一窗受理). One transaction: the bundle case
    exists only when the form and every file passed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    b = bundle_get(bundle)
    if channel not in CHANNELS:
        raise DomainError("一件事申请渠道应为 online 或 window", field="channel")
    if isinstance(applicant, dict):
        data = dict(applicant)
        party = party_get_or_create(
            kind=data.pop("kind", ""), number=data.pop("number", ""), name=data.pop("name", ""),
            field="applicant.number",
            **{k: v for k, v in data.items() if k in ("phone", "address", "legal_representative")},
        )
    else:
        party = applicant
    view = bundle_view(b)
    for m in view.members:
        obj = m.implementation.item.service_object
        if obj and party.kind != obj:
            who = "自然人" if obj == "person" else "法人"
            raise DomainError(f"“{m.implementation.name}”的服务对象是{who}", field="applicant.kind")
    form = _form_check(b, form or {})
    checked = [_checked_upload(b, *u) for u in uploads or []]
    if channel == "online":
        if actor is None or party.user_id != actor.pk:
            raise Forbidden("网上申请只能由申请人本人（本企业）账号提交", field="applicant")
    elif not selectors.is_bundle_clerk(actor, b):
        raise Forbidden("只有本区域一件事专窗（一窗受理）工作人员可以窗口收件", field="channel")
    number = bundle_case_number_next(code=b.code, day=today)
    bc = BundleCase.objects.create(
        number=number, bundle=b, applicant=party, submitted_by=actor, channel=channel,
        status=BundleCaseStatus.SUBMITTED, form=form, submitted_at=now, received_on=today,
        promised_days=b.promised_days, version=1,
    )
    BundleCaseEvent.objects.create(
        bundle_case=bc, seq=1, action="submit", from_status="", to_status=bc.status, actor=actor,
        actor_kind=R.APPLICANT if channel == "online" else R.CLERK, at=now, on=today,
        data={"channel": channel, "members": [m.implementation.impl_code for m in view.members]},
    )
    for name, filename, content, kind in checked:
        _upload_store(bc, name=name, filename=filename, content=content, kind=kind, actor=actor)
    W.notice_put(bc, "submit", f"您的一件事“{b.name}”申请已收到，办件编号 {number}。请到一件事专窗或等待受理。")
    return bc


# ---------------------------------------------------------------- materials uploaded for the bundle


def _checked_upload(bundle: Bundle, name: str, filename: str, content: bytes) -> tuple[str, str, bytes, str]:
    """One file for an asked merged material, checked by content and size as a case's upload is
    (cases.materials.sniff, cases.services.max_upload_bytes)."""
    if name not in {m.name for m in asked_materials(bundle)}:
        raise DomainError(f"“{name}”不是该一件事需要申请人提交的材料", field="name")
    limit = case_services.max_upload_bytes()
    if not content:
        raise DomainError(f"“{name}”的文件为空", field="file")
    if len(content) > limit:
        raise DomainError(f"“{name}”的文件超过 {limit // 1024 // 1024}MB", field="file", code="too_large")
    kind = sniff(content)
    if kind is None:
        raise DomainError(f"“{name}”仅支持 PDF、JPG、PNG、OFD 文件（按文件内容检查）", field="file", code="bad_type")
    return name, filename, content, kind


def _upload_store(bc: BundleCase, *, name: str, filename: str, content: bytes, kind: str, actor) -> BundleCaseMaterial:
    sha = hashlib.sha256(content).hexdigest()
    m = BundleCaseMaterial(bundle_case=bc, name=name, filename=filename[:200], kind=kind, size=len(content),
                           sha256=sha, uploaded_by=actor if getattr(actor, "pk", None) else None)
    m.file.save(f"{bc.number}-{sha[:16]}.{kind}", ContentFile(content), save=False)
    m.save()
    return m


def _copy_uploads(bc: BundleCase, child: Case, own: set[str], actor) -> None:
    """The bundle's files for the child's own materials, as the child's materials (checked again there)."""
    for m in BundleCaseMaterial.objects.filter(bundle_case=bc, name__in=own).order_by("id"):
        with m.file.open("rb") as f:
            content = f.read()
        case_services.case_material_upload(case=child.number, actor=actor, name=m.name, filename=m.filename,
                                           content=content)


# ---------------------------------------------------------------- accept


def asked_materials(bundle: Bundle) -> list:
    """The merged materials the applicant is asked for (each once; produced inside or by data sharing not)."""
    return [m for m in bundle_view(bundle).merged_materials if m.asked_of_applicant]


@transaction.atomic
def bundle_case_accept(*, bundle_case: BundleCase | str, actor, paper: list[str] | None = None,
                       tolerate: list[str] | None = None, version: int | None = None,
                       now: datetime | None = None) -> BundleCase:
    """The bundle window accepts the whole application: the clock of the bundle starts (its own
    deadline = acceptance + the bundle's promised working days) and the first members start."""
    now = now or timezone.now()
    number = bundle_case.number if isinstance(bundle_case, BundleCase) else bundle_case
    _act(number=number, action="accept", actor=actor, version=version, now=now,
         changes={"paper": list(paper or []), "tolerate": list(tolerate or [])})
    _act(number=number, action="start", actor=None, now=now)
    bundle_case_advance(number=number, now=now)
    return _locked(number)


# ---------------------------------------------------------------- members


def _latest_links(bc: BundleCase) -> dict[int, BundleMemberCase]:
    latest: dict[int, BundleMemberCase] = {}
    for link in BundleMemberCase.objects.filter(bundle_case=bc).select_related("case").order_by("attempt", "id"):
        latest[link.member_id] = link
    return latest


def _member_statuses(view, latest: dict[int, BundleMemberCase], issued: set[str]) -> dict[int, str | None]:
    """Each member's latest child's status, an approved child whose licence is not issued yet
    marked R.LICENCE_PENDING (the members it feeds wait for the licence, not for the approval).
    `issued`: case numbers known to have their licence (kept by the caller across its loop), so each
    producer's licence is looked for until it is found, not again."""
    from yiwang.licences.models import Licence

    statuses = {pk: link.case.status for pk, link in latest.items()}
    producing = {m.pk: latest[m.pk].case.number for m in view.members
                 if m.pk in latest and m.implementation.item.result_licence and statuses[m.pk] in R.CASE_DONE}
    unknown = [n for n in producing.values() if n not in issued]
    if unknown:
        issued.update(Licence.objects.filter(case_number__in=unknown).values_list("case_number", flat=True))
    return R.with_licences(statuses, producing, issued)


# {(producing case number, licence type name): identifier or None}: what one advance has learnt of
# the licences its members produced, so that members started after one producer do not read it again.
FedKnown = dict[tuple[str, str], str | None]


def _produced_licence(case_number: str, type_name: str) -> str | None:
    from yiwang.licences.models import Licence, LicenceStatus

    return (Licence.objects.filter(case_number=case_number, licence_type__name=type_name,
                                   status=LicenceStatus.VALID).order_by("-version")
            .values_list("identifier", flat=True).first())


def _fed_licences(bc: BundleCase, member: BundleMember, view, latest: dict[int, BundleMemberCase],
                  known: FedKnown | None = None) -> dict[str, str]:
    """{material: licence identifier} for the member's licence materials an earlier member produced."""
    known = {} if known is None else known
    produces = {m.pk: m.implementation.item.result_licence for m in view.members
                if m.implementation.item.result_licence}
    wanted = [x.name for x in member.implementation.item.materials.all() if x.source == "licence"]
    fed = {}
    for name, producer in R.produced_inside(member.pk, view.waits_for, produces, wanted).items():
        link = latest.get(producer)
        if link is None:
            continue
        key = (link.case.number, name)
        if key not in known:
            known[key] = _produced_licence(*key)
        if known[key]:
            fed[name] = known[key]
    return fed


def _member_start(bc: BundleCase, member: BundleMember, *, attempt: int, now: datetime, view,
                  latest: dict[int, BundleMemberCase], known: FedKnown | None = None) -> Case:
    """Submit the member's child case (its part of the merged form, the materials fed by earlier
    members), link it, and accept it in the name of the bundle window that accepted the whole
    application. An instant child is decided at acceptance by the engine."""
    impl = member.implementation
    form = {f: bc.form.get(f, "") for f in impl.item.form_fields}
    fed = _fed_licences(bc, member, view, latest, known)
    applicant = _member_applicant(bc, member, view, latest)
    child = case_services.case_submit(
        actor=bc.submitted_by, item=impl.impl_code, applicant=applicant, form=form,
        channel=bc.channel, bundle_case=bc.number, materials_from=fed, now=now,
    )
    BundleMemberCase.objects.create(bundle_case=bc, member=member, case=child, attempt=attempt, started_at=now,
                                    fed=fed)
    data = {"member": impl.impl_code, "case": child.number, "attempt": attempt, "fed": fed,
            "unit": child.deciding_unit.code}
    if applicant.pk != bc.applicant_id:  # filed by the bundle's applicant for the enterprise it registered
        data.update(applicant=applicant.number, filer=bc.applicant.number)
    _act(number=bc.number, action="member_started", actor=None, now=now, data=data)
    own = {x.name for x in impl.item.materials.all() if x.source == "applicant"}
    _copy_uploads(bc, child, own, bc.accepted_by)
    received = bc.materials or {}
    paper = [n for n in received.get("paper", []) if n in own]
    tolerate = [n for n in received.get("tolerate", []) if n in own]
    return case_services.case_accept(case=child, actor=bc.accepted_by, paper=paper, tolerate=tolerate, now=now)


def _member_applicant(bc: BundleCase, member: BundleMember, view, latest: dict[int, BundleMemberCase]) -> Party:
    """Whose case the member is: the party an earlier member's result created (企业设立登记: the new
    enterprise, filed by the bundle's applicant), else the bundle's applicant."""
    from yiwang.catalogue.rules import transitive_waits
    from yiwang.parties.selectors import registered_party

    earlier = transitive_waits(view.waits_for)[member.pk]
    for m in view.members:
        link = latest.get(m.pk)
        if m.pk in earlier and link is not None and m.implementation.item.creates_party:
            created = registered_party(link.case.number)
            if created is not None:
                return created
    return bc.applicant


def bundle_case_advance(*, number: str, now: datetime | None = None,
                        known: FedKnown | None = None) -> BundleCase | None:
    """Start every member that is ready (one at a time, looking again after each), then complete
    the bundle case when every member is done. Safe to call any number of times.

    known: licences the caller already has in hand (the one a member's approval just issued)."""
    now = now or timezone.now()
    running = _advancing.get()
    if number in running:
        return None  # the outer call in this thread will look again
    token = _advancing.set(running | {number})
    known = dict(known or {})
    issued = {case_number for (case_number, _type), identifier in known.items() if identifier}
    try:
        with transaction.atomic():
            skipped: set[int] = set()
            while True:
                bc = _locked(number)
                if bc.status not in (BundleCaseStatus.RUNNING, BundleCaseStatus.STOPPED):
                    return bc
                view = bundle_view(bc.bundle)
                latest = _latest_links(bc)
                statuses = _member_statuses(view, latest, issued)
                ready = [m for m in R.to_start(view.waits_for, statuses) if m not in skipped]
                if not ready:
                    break
                member = view.member(ready[0])
                try:
                    # A savepoint: a member that cannot start does not undo the decision that made it ready.
                    with transaction.atomic():
                        _member_start(bc, member, attempt=1, now=now, view=view, latest=latest, known=known)
                except DomainError as exc:
                    skipped.add(member.pk)
                    log.warning("bundle case %s: member %s not started: %s", number,
                                member.implementation.impl_code, exc.message)
                    _act(number=number, action="member_start_failed", actor=None, now=now, reason=exc.message,
                         data={"member": member.implementation.impl_code},
                         notice=f"一件事“{bc.bundle.name}”中“{member.implementation.name}”未能自动开始：{exc.message}")
            p = R.progress(view.waits_for, statuses)
            if bc.status == BundleCaseStatus.RUNNING and p.all_done:
                bc = _act(number=number, action="complete", actor=None, now=now,
                          changes={"completed_at": now},
                          data={"members": p.total, "on_time": bool(bc.deadline and timezone.localdate(now) <= bc.deadline)},
                          notice=f"您的一件事“{bc.bundle.name}”已全部办结（{p.total} 个事项）。")
            return bc
    finally:
        _advancing.reset(token)


def _open_bundle_of(**case_filter):
    """(the member link, the bundle case locked) of a member case whose bundle case is still open;
    (link or None, None) when there is none to record on."""
    link = (BundleMemberCase.objects.select_related("bundle_case", "member__implementation", "case")
            .filter(**case_filter).first())
    if link is None:
        return None, None
    bc = _locked(link.bundle_case.number)
    if bc.status not in (BundleCaseStatus.RUNNING, BundleCaseStatus.STOPPED):
        return link, None
    return link, bc


def _is_latest(bc: BundleCase, link: BundleMemberCase, case_id: int) -> bool:
    latest = _latest_links(bc).get(link.member_id)
    return latest is not None and latest.case_id == case_id  # else an earlier attempt


def _member_done(bc: BundleCase, link: BundleMemberCase, case: Case, *, licence: str, now: datetime) -> bool:
    """Record a member done on the bundle case, once (False: it was recorded already)."""
    if BundleCaseEvent.objects.filter(bundle_case=bc, action="member_done", data__case=case.number).exists():
        return False
    _act(number=bc.number, action="member_done", actor=None, now=now,
         data={"member": link.member.implementation.impl_code, "case": case.number, "licence": licence})
    return True


def _member_failed(bc: BundleCase, link: BundleMemberCase, case: Case, *, now: datetime) -> None:
    name = link.member.implementation.name
    why = case.decision_reason or (case.events.order_by("-seq").values_list("reason", flat=True).first() or "")
    label = case.get_status_display()
    _act(number=bc.number, action="member_failed", actor=None, now=now, reason=why,
         changes={"stop_reason": f"{name}：{label}。{why}"},
         data={"member": link.member.implementation.impl_code, "case": case.number, "status": case.status},
         notice=(f"您的一件事“{bc.bundle.name}”中“{name}”{label}，理由：{why}。等待它的事项已暂停，"
                 f"请按要求补正后到一件事专窗恢复办理；已办结的事项不需重办。"))


def member_case_decided(*, case: Case, now: datetime | None = None) -> None:
    """A child case was decided, refused, withdrawn or revoked: record it on the bundle case; a failed
    member stops the bundle case (the members waiting for it are not started) and tells the applicant
    which member failed and why; then start what became ready. An approved member whose result is a
    licence is recorded when the licence is issued (member_licence_issued, after this commit)."""
    link, bc = _open_bundle_of(case_id=case.pk)
    if bc is None or not _is_latest(bc, link, case.pk):
        return
    now = now or timezone.now()
    state = R.case_state(case.status)
    if state == R.FAILED:
        _member_failed(bc, link, case, now=now)
    elif state == R.DONE and not (case.implementation.item.result_licence or "").strip():
        if _member_done(bc, link, case, licence="", now=now):
            bundle_case_advance(number=bc.number, now=now)


def member_licence_issued(*, licence, now: datetime | None = None) -> None:
    """A member case's licence was issued (by the worker, after the approval's commit): recorded on
    the bundle case, and the members waiting for it start, fed the licence as it is (not read back
    for each member)."""
    if not licence.case_number:
        return
    link, bc = _open_bundle_of(case__number=licence.case_number)
    if bc is None or not _is_latest(bc, link, link.case_id) or R.case_state(link.case.status) != R.DONE:
        return
    now = now or timezone.now()
    if not _member_done(bc, link, link.case, licence=licence.identifier, now=now):
        return
    fresh = licence.status == "valid"
    known = {(link.case.number, licence.licence_type.name): licence.identifier} if fresh else None
    bundle_case_advance(number=bc.number, now=now, known=known)


def member_case_delivered(*, case: Case, method: str = "", now: datetime | None = None) -> None:
    """A child's result was delivered: recorded on the bundle case, which completes with the last one."""
    link, bc = _open_bundle_of(case_id=case.pk)
    if bc is None:
        return
    now = now or timezone.now()
    _act(number=bc.number, action="member_delivered", actor=None, now=now,
         data={"member": link.member.implementation.impl_code, "case": case.number, "method": method})
    bundle_case_advance(number=bc.number, now=now)


@transaction.atomic
def bundle_case_collect(*, bundle_case: BundleCase | str, actor, version: int | None = None,
                        now: datetime | None = None) -> BundleCase:
    """一次领取: the applicant collects every approved member's result at the bundle window in one go;
    each child is delivered (窗口领取) by the clerk, and the last delivery completes the bundle case."""
    now = now or timezone.now()
    number = bundle_case.number if isinstance(bundle_case, BundleCase) else bundle_case
    bc = _act(number=number, action="collect", actor=actor, version=version, now=now)
    for case_number in bc.events.order_by("-seq").first().data["cases"]:
        case_services.case_act(case=case_number, actor=actor, action="deliver", data={"method": "window"}, now=now)
    return _locked(number)


@transaction.atomic
def bundle_case_supply(*, bundle_case: BundleCase | str, actor, material: str, filename: str = "",
                       content: bytes | None = None, on_paper: bool = False, version: int | None = None,
                       now: datetime | None = None) -> BundleCase:
    """A tolerated material supplied for the whole bundle case, by the applicant (upload) or the bundle
    window (upload, or the paper verified): recorded on the bundle case (its 明白卡 shows it supplied),
    supplied on every started member that owes it, and handed to members started later."""
    now = now or timezone.now()
    number = bundle_case.number if isinstance(bundle_case, BundleCase) else bundle_case
    bc = _locked(number)
    if content is not None and not on_paper:
        name, filename, content, kind = _checked_upload(bc.bundle, material, filename, content)
        _upload_store(bc, name=name, filename=filename, content=content, kind=kind, actor=actor)
    bc = _act(number=number, action="supply_material", actor=actor, version=version, now=now,
              changes={"material": material, "on_paper": on_paper})
    for link in _latest_links(bc).values():
        if material not in (link.case.missing_materials or []):
            continue
        if on_paper:
            case_services.case_act(case=link.case.number, actor=actor, action="supply_material",
                                   data={"material": material, "on_paper": True}, now=now)
        else:
            _copy_uploads(bc, link.case, {material}, actor)
    return _locked(number)


# ---------------------------------------------------------------- resume, withdraw


@transaction.atomic
def bundle_case_resume(*, bundle_case: BundleCase | str, actor, form: dict | None = None, reason: str = "",
                       version: int | None = None, now: datetime | None = None) -> BundleCase:
    """After correction: each failed member gets a new child case from the corrected form; finished
    members are not redone; the members that were paused start as soon as it is approved."""
    now = now or timezone.now()
    number = bundle_case.number if isinstance(bundle_case, BundleCase) else bundle_case
    bc = _locked(number)
    new_form = _form_check(bc.bundle, {**bc.form, **(form or {})}) if form else bc.form
    changed = sorted(k for k in new_form if new_form[k] != bc.form.get(k))
    bc = _act(number=number, action="resume", actor=actor, version=version, now=now, reason=(reason or "").strip(),
              changes={"form": new_form, "stop_reason": ""}, data={"changed": changed},
              notice=f"您的一件事“{bc.bundle.name}”已恢复办理。")
    view = bundle_view(bc.bundle)
    latest = _latest_links(bc)
    for pk, link in list(latest.items()):
        if R.case_state(link.case.status) == R.FAILED:
            _member_start(bc, view.member(pk), attempt=link.attempt + 1, now=now, view=view, latest=latest)
            bc = _locked(number)
    bundle_case_advance(number=number, now=now)
    return _locked(number)


@transaction.atomic
def bundle_case_withdraw(*, bundle_case: BundleCase | str, actor, reason: str = "", version: int | None = None,
                         now: datetime | None = None) -> BundleCase:
    """The applicant (or the bundle window on their behalf) withdraws: undecided children are
    withdrawn too; decided ones stand."""
    now = now or timezone.now()
    number = bundle_case.number if isinstance(bundle_case, BundleCase) else bundle_case
    bc = _act(number=number, action="withdraw", actor=actor, version=version, now=now, reason=(reason or "").strip(),
              notice="您的一件事申请已撤回。")
    for link in BundleMemberCase.objects.filter(bundle_case=bc).select_related("case"):
        if link.case.status in (CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED, CaseStatus.ACCEPTED,
                                CaseStatus.IN_REVIEW, CaseStatus.PAUSED):
            # The system withdraws the children (the bundle's withdrawal was the actor's act; the
            # bundle window is not the children's intake, and staff never withdraw a case themselves).
            case_services.case_act(case=link.case.number, actor=None, action="withdraw",
                                   reason=reason or "一件事申请撤回", now=now)
    return _locked(number)


def bundle_case_act(*, bundle_case: str, actor, action: str, data: dict | None = None, reason: str = "",
                    version: int | None = None, now: datetime | None = None) -> BundleCase:
    """The actions a person may take on a bundle case: accept, resume, withdraw, collect (一次领取),
    supply_material (a tolerated material; data["file"] = (file name, content) for an upload)."""
    data = data or {}
    if action == "accept":
        return bundle_case_accept(bundle_case=bundle_case, actor=actor, paper=list(data.get("paper") or []),
                                  tolerate=list(data.get("tolerate") or []), version=version, now=now)
    if action == "resume":
        return bundle_case_resume(bundle_case=bundle_case, actor=actor, form=data.get("form") or None,
                                  reason=reason, version=version, now=now)
    if action == "withdraw":
        return bundle_case_withdraw(bundle_case=bundle_case, actor=actor, reason=reason, version=version, now=now)
    if action == "collect":
        return bundle_case_collect(bundle_case=bundle_case, actor=actor, version=version, now=now)
    if action == "supply_material":
        upload = data.get("file")  # (file name, content) or None
        return bundle_case_supply(bundle_case=bundle_case, actor=actor, material=str(data.get("material") or ""),
                                  filename=upload[0] if upload else "", content=upload[1] if upload else None,
                                  on_paper=bool(data.get("on_paper")), version=version, now=now)
    raise NotFound(f"一件事办件没有“{action}”操作（可用：accept、resume、withdraw、collect、supply_material）",
                   field="action", code="unknown_action")


# ---------------------------------------------------------------- the calendar

CALENDAR_MOVED_REASON = "工作日历调整（节假日或调休变化），重新计算一件事承诺期限"
OPEN_CLOCK = (BundleCaseStatus.ACCEPTED, BundleCaseStatus.RUNNING, BundleCaseStatus.STOPPED)


@deadline_holder("bundle_cases")
def bundle_cases_recompute_deadlines(*, since: date, now: datetime | None = None) -> int:
    """After a calendar change: the promised deadline of every open bundle case whose deadline is on or
    after `since` (or still provisional), recomputed from its acceptance day; each move an event
    saying why (the deadline before) and a notice, the provisional flag cleared once the year is loaded.
    Bundle cases are few (one per bundle application): the changed ones go through `_act` one by one,
    each in its own transaction."""
    from django.db.models import Q

    from yiwang.workcalendar.index import get_index

    now = now or timezone.now()
    cal = get_index()
    rows = (BundleCase.objects.filter(status__in=OPEN_CLOCK, accepted_on__isnull=False)
            .filter(Q(deadline__gte=since) | Q(deadline_provisional=True))
            .values_list("number", "accepted_on", "promised_days", "deadline", "deadline_provisional"))
    moved = 0
    for number, accepted_on, promised, deadline, provisional in rows.iterator():
        due = cal.add_working_days(accepted_on, promised)
        if (due.date, due.provisional) == (deadline, provisional):
            continue
        try:
            with transaction.atomic():
                _act(number=number, action="calendar_moved", actor=None, now=now, reason=CALENDAR_MOVED_REASON,
                     data={"since": since.isoformat(), "deadline_before": deadline.isoformat() if deadline else None,
                           "deadline": due.date.isoformat()},
                     changes={"deadline": due.date.isoformat(), "provisional": due.provisional},
                     notice=f"因工作日历调整，您的一件事承诺办结期限由{deadline}调整为{due.date}。")
            moved += 1
        except DomainError as exc:  # moved on meanwhile (withdrawn, completed): nothing to move
            log.info("bundle case %s: deadline not moved: %s", number, exc.message)
    return moved
