"""The only code that changes agent data: authorisations granted online or recorded from paper,
their revocation and expiry (through the engine), the check a filing on the agent channel passes,
fee payments (代办代缴) and ratings."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.catalogue.models import ServiceItem
from yiwang.core.errors import Conflict, DomainError, Forbidden, NotFound
from yiwang.core.numbering import daily_sequence_next
from yiwang.core.timers import timers_set
from yiwang.core.workflow import apply
from yiwang.organisations.models import Role
from yiwang.organisations.selectors import staff_roles
from yiwang.parties.models import Party

from . import rules, selectors
from . import workflow as W
from .models import (
    AgentRating,
    AgentTeam,
    Authorisation,
    AuthorisationCounter,
    AuthorisationEvent,
    AuthSource,
    FeePayment,
)


def _number(day: date) -> str:
    seq = daily_sequence_next(counter=AuthorisationCounter, key_field="prefix", key="SQ", day=day)
    return f"SQ{day:%Y%m%d}{seq:04d}"


def _party(number: str) -> Party:
    party = Party.objects.filter(number=(number or "").strip().upper()).first()
    if party is None:
        raise NotFound(f"委托人“{number}”不存在", field="party")
    return party


def _agent(username: str, *, party: Party):
    agent = get_user_model().objects.filter(username=(username or "").strip(), is_active=True).first()
    if agent is None:
        raise DomainError("代办人账号不存在，请核对代办人的登录账号", field="agent", code="agent_not_found")
    if agent.pk == party.user_id:
        raise DomainError("代办人不能是委托人本人的账号", field="agent")
    return agent


def _items(codes, all_items: bool) -> list[str]:
    if all_items:
        return []
    wanted = sorted({(c or "").strip().upper() for c in (codes or []) if (c or "").strip()})
    if not wanted:
        raise DomainError("请选择授权事项，或勾选全部事项", field="items")
    known = set(ServiceItem.objects.filter(basic_code__in=wanted).values_list("basic_code", flat=True))
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise DomainError(f"授权事项中“{'、'.join(unknown)}”不是目录中的事项", field="items")
    return wanted


def _team_of(agent) -> AgentTeam | None:
    units = [s.unit_id for s in staff_roles(agent) if s.role == Role.AGENT]
    return AgentTeam.objects.filter(unit_id__in=units).first() if units else None


def checked_upload(content: bytes, *, field: str, label: str) -> str:
    """The file's kind (pdf, jpg, png, ofd) by its content, as a case material is checked."""
    from yiwang.cases.materials import sniff
    from yiwang.cases.services import max_upload_bytes

    if not content:
        raise DomainError(f"请上传{label}", field=field)
    if len(content) > max_upload_bytes():
        raise DomainError(f"{label}超过 {max_upload_bytes() // 1024 // 1024}MB", field=field, code="too_large")
    kind = sniff(content)
    if kind is None:
        raise DomainError(f"{label}仅支持 PDF、JPG、PNG、OFD 文件（按文件内容检查）", field=field, code="bad_type")
    return kind


@transaction.atomic
def authorisation_grant(*, actor, party: str, agent: str, items=(), all_items: bool = False,
                        valid_from: date | None = None, valid_until: date | None = None,
                        now: datetime | None = None) -> Authorisation:
    """The party grants online, in its own account."""
    now = now or timezone.now()
    grantor = _party(party)
    if not getattr(actor, "is_authenticated", False) or grantor.user_id != actor.pk:
        raise Forbidden("只有委托人本人（本企业）账号可以网上授权；纸质授权书请到窗口登记", field="party")
    return _create(actor=actor, party=grantor, agent=_agent(agent, party=grantor), items=items, all_items=all_items,
                   valid_from=valid_from, valid_until=valid_until, now=now, source=AuthSource.ONLINE)


@transaction.atomic
def authorisation_record_paper(*, actor, party: str, agent: str, items=(), all_items: bool = False,
                               valid_from: date | None = None, valid_until: date | None = None,
                               filename: str = "", content: bytes = b"",
                               now: datetime | None = None) -> Authorisation:
    """A window clerk records a signed paper authorisation, with its scan."""
    now = now or timezone.now()
    clerk = [s for s in staff_roles(actor) if s.role == Role.WINDOW_CLERK]
    if not clerk:
        raise Forbidden("只有综合窗口工作人员可以登记纸质授权委托书", field="party")
    grantor = _party(party)
    kind = checked_upload(content, field="scan", label="授权委托书扫描件")
    auth = _create(actor=actor, party=grantor, agent=_agent(agent, party=grantor), items=items,
                   all_items=all_items, valid_from=valid_from, valid_until=valid_until, now=now,
                   source=AuthSource.PAPER, unit=clerk[0].unit, scan_kind=kind,
                   scan_sha256=hashlib.sha256(content).hexdigest())
    auth.scan.save(f"{auth.number}-{auth.scan_sha256[:16]}.{kind}", ContentFile(content), save=False)
    Authorisation.objects.filter(pk=auth.pk).update(scan=auth.scan.name)
    return auth


def _create(*, actor, party, agent, items, all_items, valid_from, valid_until, now, source, unit=None,
            scan_kind="", scan_sha256="") -> Authorisation:
    today = timezone.localdate(now)
    codes = _items(items, all_items)
    bad = rules.validity_refusal(valid_from, valid_until, today=today, backdate=source == AuthSource.PAPER)
    if bad:
        raise DomainError(bad[1], field=bad[0])
    auth = Authorisation.objects.create(
        number=_number(today), party=party, agent=agent, team=_team_of(agent), all_items=bool(all_items),
        items=codes, valid_from=valid_from, valid_until=valid_until, source=source, granted_by=actor,
        recorded_unit=unit, scan_kind=scan_kind, scan_sha256=scan_sha256, granted_at=now, version=1)
    action = "grant" if source == AuthSource.ONLINE else "record_paper"
    AuthorisationEvent.objects.create(
        authorisation=auth, seq=1, action=action, from_status="", to_status=auth.status, actor=actor,
        actor_kind="party" if source == AuthSource.ONLINE else "clerk", at=now, on=today,
        data={"items": codes, "all_items": auth.all_items, "valid_from": valid_from.isoformat(),
              "valid_until": valid_until.isoformat(), "agent": agent.get_username(), "source": source})
    timers_set(key=auth.number, plan={W.TIMER_EXPIRY: W.expiry_due(auth)}, fresh=True)
    scope = "全部事项" if auth.all_items else f"{len(codes)}个事项"
    W.notice_put(auth, action, f"您已授权{agent.first_name or agent.get_username()}代办{scope}，"
                               f"有效期{valid_from:%Y-%m-%d}至{valid_until:%Y-%m-%d}（授权编号{auth.number}）。")
    return auth


def authorisation_act(*, number: str, actor, action: str, input: dict | None = None,
                      version: int | None = None, now: datetime | None = None) -> Authorisation:
    """Revoke, renounce (or, as the system, expire) on the engine."""
    return apply(W.WORKFLOW, subject=number, action=action, actor=actor, input=input or {}, version=version, now=now)


# ---------------------------------------------------------------- the case engine's check


def authorisation_check(*, party: Party, agent, item_code: str, item_name: str, today: date,
                        number: str = "") -> Authorisation:
    """The authorisation a filing on the agent channel rests on, or a refusal at the field
    agent_authorisation: none, not yet valid, expired, revoked, out of scope."""
    if not getattr(agent, "is_authenticated", False):
        raise Forbidden("代办申请须由代办人登录后提交", field="agent_authorisation")
    auths = list(selectors.authorisations_between(party=party, agent=agent, number=number))
    if number.strip() and not auths:
        raise DomainError(f"授权委托“{number.strip()}”不是该申请人授予您的", field="agent_authorisation",
                          code="authorisation_missing")
    chosen, refusal = rules.choose(auths, item_code=item_code, item_name=item_name, today=today)
    if chosen is None:
        raise DomainError(refusal.message, field="agent_authorisation", code=refusal.code)
    return chosen


# ---------------------------------------------------------------- 代办代缴 and ratings


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("金额应为数字", field="amount") from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("1e10"):
        raise DomainError("金额应大于0，最多两位小数", field="amount")
    return amount


@transaction.atomic
def fee_record(*, actor, case: str, amount, purpose: str, paid_on: date | None, receipt_no: str,
               filename: str = "", content: bytes = b"", now: datetime | None = None) -> FeePayment:
    """The agent records a fee it paid for a case it filed under an authorisation still in force."""
    from yiwang.cases.models import Case

    today = timezone.localdate(now or timezone.now())
    c = Case.objects.select_related("authorisation").filter(number=(case or "").strip()).first()
    if c is None:
        raise NotFound(f"办件“{case}”不存在", field="case")
    if c.agent_id != actor.pk or c.authorisation is None or not rules.in_force(c.authorisation, today):
        raise Forbidden("只能为本人在有效授权下代办的办件登记代缴费用", field="case")
    value = _amount(amount)
    purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError("请填写缴费项目", field="purpose")
    if paid_on is None or paid_on > today:
        raise DomainError("缴费日期应为今天或之前的日期", field="paid_on")
    if not (receipt_no or "").strip():
        raise DomainError("请填写票据号码", field="receipt_no")
    payment = FeePayment(case=c, authorisation=c.authorisation, agent=actor, amount=value, purpose=purpose[:100],
                         paid_on=paid_on, receipt_no=receipt_no.strip()[:64])
    if content:
        payment.receipt_kind = checked_upload(content, field="receipt", label="票据扫描件")
        payment.receipt_sha256 = hashlib.sha256(content).hexdigest()
        payment.receipt.save(f"{c.number}-{payment.receipt_sha256[:16]}.{payment.receipt_kind}",
                             ContentFile(content), save=False)
    payment.save()
    W.notice_put(c.authorisation, "fee", f"代办人为办件{c.number}代缴“{payment.purpose}”{value}元"
                                         f"（票据号{payment.receipt_no}）。")
    return payment


def agent_rate(*, actor, authorisation: str, score, comment: str = "") -> AgentRating:
    """The grantor rates its agent once per authorisation."""
    auth = W.load(authorisation)
    if auth.party.user_id != getattr(actor, "pk", None):
        raise Forbidden("只有委托人可以评价代办服务", field="score")
    bad = rules.rating_refusal(score, comment)
    if bad:
        raise DomainError(bad[1], field=bad[0])
    try:
        with transaction.atomic():
            return AgentRating.objects.create(authorisation=auth, score=score, comment=(comment or "").strip(),
                                              rated_by=actor)
    except IntegrityError:
        raise Conflict("您已评价过该授权下的代办服务", field="score", code="already_rated") from None
