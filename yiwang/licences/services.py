"""Licences and seals: every state change of the licence library goes through these functions."""

import logging
from datetime import UTC, date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.errors import Conflict, DomainError, NotFound
from yiwang.core.numbering import counter_next
from yiwang.core.outbox import outbox_put
from yiwang.core.workflow import REACTION_TOPIC, SYSTEM, apply, react_created
from yiwang.organisations.models import Unit
from yiwang.parties.identifiers import check_uscc
from yiwang.parties.models import Party

from . import crypto
from .identifiers import identifier_build
from .models import Licence, LicenceEvent, LicenceSerial, LicenceStatus, LicenceType, Seal
from .types import KNOWN_TYPES
from .workflow import ISSUED, ISSUER, LICENCE, STANDING, actor_name

log = logging.getLogger(__name__)


# --- seals ---------------------------------------------------------------------------------------

def seal_name_for(unit: Unit) -> str:
    return f"{unit.name}行政审批专用章"


_warned = False


def _seal_new(unit: Unit) -> Seal:
    private_key, public_key = crypto.keypair_generate()
    seal = Seal.objects.create(
        unit=unit, name=seal_name_for(unit), public_key=public_key,
        private_key_encrypted=crypto.private_key_encrypt(private_key, public_key_hex=public_key),
    )
    global _warned
    if not crypto.master_key_is_configured() and not _warned:
        _warned = True
        log.warning("YIWANG_MASTER_KEY 未设置：印章私钥以由 SECRET_KEY 派生的密钥加密，仅适用于开发和测试")
    outbox_put(topic="seal.created", payload={"seal": seal.pk, "unit": unit.code, "name": seal.name})
    return seal


@transaction.atomic
def seal_create(*, unit: Unit) -> Seal:
    """The unit's first seal. A unit that already has an active seal rotates it instead."""
    if Seal.objects.filter(unit=unit, retired_at__isnull=True).exists():
        raise Conflict(f"{unit.name}已有在用印章，如需更换请轮换印章", field="unit", code="seal_exists")
    try:
        with transaction.atomic():
            return _seal_new(unit)
    except IntegrityError:
        raise Conflict(f"{unit.name}已有在用印章", field="unit", code="seal_exists")


@transaction.atomic
def seal_rotate(*, unit: Unit) -> Seal:
    """Retire the unit's active seal and make a new one. Licences signed by the old seal still verify."""
    old = Seal.objects.select_for_update().filter(unit=unit, retired_at__isnull=True).first()
    if old is not None:
        old.retired_at = timezone.now()
        old.save(update_fields=["retired_at"])
        outbox_put(topic="seal.retired", payload={"seal": old.pk, "unit": unit.code})
    return _seal_new(unit)


def seal_for_unit(unit: Unit) -> Seal:
    """The unit's active seal, made on first use (safe when two first uses race)."""
    seal = Seal.objects.filter(unit=unit, retired_at__isnull=True).first()
    if seal is not None:
        return seal
    try:
        with transaction.atomic():
            return _seal_new(unit)
    except IntegrityError:
        return Seal.objects.get(unit=unit, retired_at__isnull=True)


def _sign(seal: Seal, message: bytes) -> str:
    try:
        private_key = crypto.private_key_decrypt(seal.private_key_encrypted, public_key_hex=seal.public_key)
    except crypto.SealKeyError as exc:
        raise DomainError(f"{seal.name}无法使用（{exc}）", field="seal", code="seal_unusable")
    return crypto.sign(private_key, seal.public_key, message)


# --- licence types and the signed data -----------------------------------------------------------

def licence_type_get(name: str) -> LicenceType:
    """The licence type by name; the built-in types are created on first use."""
    name = (name or "").strip()
    found = LicenceType.objects.filter(name=name).first()
    if found is not None:
        return found
    if name not in KNOWN_TYPES:
        raise NotFound(f"未知的证照类型“{name}”", field="licence_type_name")
    body, body_code, number, years = KNOWN_TYPES[name]
    licence_type, _ = LicenceType.objects.get_or_create(
        name=name, defaults={"code": body_code + number, "defining_body": body, "validity_years": years}
    )
    return licence_type


def licence_payload(licence: Licence) -> dict:
    """The data the seal signs: identifier, type, holder, issuer, in whose name, dates, content, version."""
    return {
        "identifier": licence.identifier,
        "type": {"code": licence.licence_type.code, "name": licence.licence_type.name},
        "holder": {"name": licence.holder_name, "number": licence.holder_number},
        "issuer": {"name": licence.issuer_name, "code": licence.issuer_code},
        "in_name_of": {"name": licence.in_name_of_name, "code": licence.in_name_of_code},
        "issue_date": licence.issue_date.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_to": licence.valid_to.isoformat() if licence.valid_to else None,
        "content": licence.content,
        "version": licence.version,
    }


def licence_payload_bytes(licence: Licence) -> bytes:
    return crypto.canonical_json(licence_payload(licence))


def _at_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_payload(event: LicenceEvent, identifier: str) -> dict:
    """What an event's hash and signature cover. The key stays "kind" (the action's name, as before
    the event took the engine's shape), so the chains of licences issued before still verify."""
    return {
        "identifier": identifier, "seq": event.seq, "kind": event.action, "from": event.from_status,
        "to": event.to_status, "reason": event.reason, "at": _at_text(event.at), "prev_hash": event.prev_hash,
    }


def event_chain(event: LicenceEvent, licence: Licence) -> None:
    """Chain the event to the one before (the first to the licence's payload hash) and sign it with
    the issuer's current seal. Called just before the event is saved (the workflow's prepare_event)."""
    last = licence.events.order_by("-seq").first()
    event.seal = seal_for_unit(licence.issuer)
    event.prev_hash = last.hash if last else licence.payload_hash
    message = crypto.canonical_json(event_payload(event, licence.identifier))
    event.hash = crypto.sm3_hex(message)
    event.signature = _sign(event.seal, message)


def _issued_event(licence: Licence, actor, now: datetime) -> LicenceEvent:
    """The first event, in the same shape the engine writes for every later one (seq 1)."""
    person = actor if getattr(actor, "pk", None) else None
    event = LicenceEvent(
        licence=licence, seq=1, action=ISSUED, from_status="", to_status=LicenceStatus.VALID, actor=person,
        actor_kind=ISSUER if person else SYSTEM, actor_name=actor_name(actor), at=now,
        on=timezone.localdate(now), reason="颁发",
    )
    event_chain(event, licence)
    event.save()
    return event


# --- the verification record ---------------------------------------------------------------------

def licence_verification_record(*, licence: Licence) -> bool:
    """Verify the licence's signature and status history with SM2 and record the result (the hash of
    what was signed, bound to the row's state by an HMAC), so that data sharing can trust a licence
    unchanged since instead of verifying it on every submission. Run at issue and at each status
    change; True when it verified."""
    from .selectors import history_ok, signature_ok, verification_record_fields

    ok = signature_ok(licence) and history_ok(licence)
    licence.verified_hash = licence.payload_hash if ok else ""
    licence.verified_mac = crypto.record_mac(verification_record_fields(licence)) if ok else ""
    Licence.objects.filter(pk=licence.pk).update(verified_hash=licence.verified_hash,
                                                 verified_mac=licence.verified_mac)
    if not ok:
        log.warning("licence %s did not verify when its verification was recorded", licence.identifier)
    return ok


def licences_verification_backfill(*, recheck: bool = False, batch: int = 200) -> tuple[int, int]:
    """Record the verification of every licence that has none (issued before records existed, or
    refused when its record was last made): (verified, refused). Until then data sharing verifies
    such a licence with SM2 on each use — correct, only slower. recheck: also every licence whose
    record no longer holds (after the master key changed, say). Safe to run again."""
    from .selectors import verification_recorded

    verified = refused = 0
    last_pk = 0
    rows = Licence.objects.select_related("licence_type", "seal").order_by("pk")
    if not recheck:
        rows = rows.filter(verified_hash="")
    while True:
        page = list(rows.filter(pk__gt=last_pk)[:batch])
        for licence in page:
            if recheck and verification_recorded(licence):
                continue
            with transaction.atomic():
                if licence_verification_record(licence=licence):
                    verified += 1
                else:
                    refused += 1
        if len(page) < batch:
            return verified, refused
        last_pk = page[-1].pk


# --- issuing -------------------------------------------------------------------------------------

def _next_serial(licence_type: LicenceType, issuer_code: str) -> str:
    """The next 顺序号 of (type, issuer). Its row stays locked by this transaction until commit, so a caller
    takes it where the rest of its transaction is short (licences_serial_reserve_for_case: its own relay
    step, a few statements)."""
    serial = counter_next(counter=LicenceSerial, key={"licence_type": licence_type.pk, "issuer_code": issuer_code})
    return f"{serial:08d}"


def _unit_code(unit: Unit, field: str) -> str:
    result = check_uscc(unit.uscc or "", field=field)
    if not result.valid:
        raise DomainError(f"{unit.name}缺少有效的统一社会信用代码，无法颁发证照", field=field)
    return result.normalised


def _clean_content(content) -> dict:
    if content is None:
        return {}
    if not isinstance(content, dict) or not all(isinstance(k, str) for k in content):
        raise DomainError("证照内容应为以文字为键的对象", field="content")
    try:
        import json

        return json.loads(crypto.canonical_json(content))
    except (TypeError, ValueError):
        raise DomainError("证照内容含有无法保存的值", field="content")


def _years_later(start: date, years: int) -> date:
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return end - timedelta(days=1)


@transaction.atomic
def licence_issue(*, licence_type_name: str, holder: Party, issuer: Unit, in_name_of: Unit | None = None,
                  content: dict | None = None, case_number: str | None = None, valid_from: date | None = None,
                  valid_to: date | None = None, actor=None, reserved: tuple[str, str] | None = None,
                  now: datetime | None = None) -> Licence:
    """Issue a licence signed with the issuer's seal (the seal is made on the unit's first licence).

    reserved: (issuer code, 顺序号) reserved for it beforehand (licence_serial_reserve_for_case), so
    that the counter's lock is not held while the seal signs; otherwise the next one is taken here.
    now: the business time of the issue (a case's licence: its approval's), default the clock."""
    if not isinstance(holder, Party) or holder.pk is None:
        raise DomainError("持证主体不存在", field="holder")
    if not isinstance(issuer, Unit) or issuer.pk is None:
        raise DomainError("颁发机构不存在", field="issuer")
    in_name_of = in_name_of or issuer
    licence_type = licence_type_get(licence_type_name)
    issuer_code = _unit_code(issuer, "issuer")
    in_name_of_code = _unit_code(in_name_of, "in_name_of")
    content = _clean_content(content)
    now = now or timezone.now()
    today = timezone.localdate(now)
    valid_from = valid_from or today
    if valid_to is None and licence_type.validity_years:
        valid_to = _years_later(valid_from, licence_type.validity_years)
    if valid_to is not None and valid_to < valid_from:
        raise DomainError("有效期截止日期不能早于起始日期", field="valid_to")
    seal = seal_for_unit(issuer)
    if reserved and reserved[0] == issuer_code:
        serial = reserved[1]
    else:
        serial = _next_serial(licence_type, issuer_code)
    licence = Licence(
        identifier=identifier_build(type_code=licence_type.code, issuer_code=issuer_code, serial=serial, version=1),
        licence_type=licence_type, serial=serial, version=1,
        holder=holder, holder_name=holder.name, holder_number=holder.number,
        issuer=issuer, issuer_name=issuer.name, issuer_code=issuer_code,
        in_name_of=in_name_of, in_name_of_name=in_name_of.name, in_name_of_code=in_name_of_code,
        case_number=case_number or None, issue_date=today, valid_from=valid_from, valid_to=valid_to,
        content=content, status=LicenceStatus.VALID, seal=seal,
    )
    message = licence_payload_bytes(licence)
    licence.payload_hash = crypto.sm3_hex(message)
    licence.signature = _sign(seal, message)
    licence.lock_version = 1  # the issued event is seq 1
    licence.save()
    event = _issued_event(licence, actor, now)
    licence_verification_record(licence=licence)
    outbox_put(topic="licence.issued", payload={
        "identifier": licence.identifier, "type": licence_type.name, "holder": holder.number,
        "issuer": issuer.code, "case_number": licence.case_number,
    })
    react_created(LICENCE, subject=licence, event=event)  # a bundle's members waiting for it start
    return licence


# --- status changes ------------------------------------------------------------------------------

def _change(*, licence: Licence, action: str, reason: str, actor=None, now: datetime | None = None) -> Licence:
    """One status change through the engine; the caller's instance follows the new status."""
    changed = apply(LICENCE, subject=licence, action=action, actor=actor, input={"reason": reason}, now=now)
    licence.status, licence.status_reason = changed.status, changed.status_reason
    licence.lock_version = changed.lock_version
    return changed


def licence_revoke(*, licence: Licence, reason: str, actor=None) -> Licence:
    return _change(licence=licence, action="revoke", reason=reason, actor=actor)


def licence_suspend(*, licence: Licence, reason: str, actor=None) -> Licence:
    return _change(licence=licence, action="suspend", reason=reason, actor=actor)


def licence_reinstate(*, licence: Licence, reason: str = "", actor=None) -> Licence:
    return _change(licence=licence, action="reinstate", reason=reason, actor=actor)


def licence_cancel(*, licence: Licence, reason: str, actor=None) -> Licence:
    return _change(licence=licence, action="cancel", reason=reason, actor=actor)


def licences_expire(*, today: date | None = None) -> int:
    """Mark valid or suspended licences whose validity ended before today as expired (the system
    acts). Safe to run again and from several workers: a licence changed meanwhile is skipped."""
    now = timezone.now()
    if today is not None and today != timezone.localdate(now):
        now = datetime.combine(today, time.min, tzinfo=timezone.get_current_timezone())
    today = timezone.localdate(now)
    count = 0
    due = Licence.objects.filter(status__in=STANDING, valid_to__lt=today).values_list("pk", flat=True)
    for pk in list(due):
        try:
            _change(licence=Licence.objects.get(pk=pk), action="expire", reason="", now=now)
        except (Conflict, DomainError):
            continue
        count += 1
    return count


# --- the case engine's integration points --------------------------------------------------------

def _content_from_form(form, form_fields) -> dict:
    if not isinstance(form, dict):
        return {}
    wanted = [f for f in (form_fields or []) if isinstance(f, str)]
    keys = [k for k in wanted if k in form] if wanted else list(form)
    return {str(k): form[k] for k in keys if isinstance(form[k], str | int | bool) and form[k] != ""}


def _holder_for(case):
    """The applicant, or the party the case's result created (企业设立登记: the new enterprise)."""
    from yiwang.parties.selectors import registered_party

    number = getattr(case, "number", None)
    creates = getattr(getattr(getattr(case, "implementation", None), "item", None), "creates_party", False)
    created = registered_party(number) if number and creates else None
    return created or getattr(case, "applicant", None)


def _result_type(case) -> str:
    item = getattr(getattr(case, "implementation", None), "item", None)
    return (getattr(item, "result_licence", "") or "").strip()


def _issued_for_case(number: str | None, type_name: str) -> Licence | None:
    if not number:
        return None
    return Licence.objects.filter(case_number=number, licence_type__name=type_name).order_by("-version").first()


def _deciding_unit(case):
    return getattr(case, "deciding_unit", None) or getattr(getattr(case, "implementation", None), "department", None)


SIGN_REACTION = "licences.sign_for_case"


def licence_serial_reserve_for_case(case, *, at: str = "") -> str | None:
    """Step one of issuing a decided case's licence, after the approval's commit: its 顺序号, taken in
    a transaction of its own (one relay step of a few statements, so the counter row of a unit and
    licence type is locked that long, not through the SM2 signing), and handed to step two
    (SIGN_REACTION) in an outbox row of the same transaction. A crash before that commit takes
    neither, one after it both: the numbers stay contiguous. None: no licence to issue.
    at: the approval's business time (ISO), handed on as the licence's time of issue."""
    type_name = _result_type(case)
    if not type_name or _issued_for_case(getattr(case, "number", None), type_name):
        return None
    licence_type = licence_type_get(type_name)
    issuer_code = _unit_code(_deciding_unit(case), "issuer")
    serial = _next_serial(licence_type, issuer_code)
    outbox_put(topic=REACTION_TOPIC, payload={
        "reaction": SIGN_REACTION, "workflow": "case", "key": case.number, "type": type_name,
        "issuer_code": issuer_code, "serial": serial, "at": at,
    })
    return serial


def licence_issue_for_case(case, *, actor=None, reserved: tuple[str, str] | None = None,
                           now: datetime | None = None) -> Licence | None:
    """The licence a decided case produces, issued once (a second call returns the same licence).

    Reads the case defensively: case.number, case.implementation.item.result_licence,
    case.applicant (Party; the party its result created, if any, holds the licence), case.deciding_unit (Unit; else the implementation's department),
    case.in_name_of (Unit; else the deciding unit), case.form (dict of the item's form fields).
    Returns None when the item produces no licence. reserved: (issuer code, 顺序号) from step one;
    now: the approval's time (the licence is issued as of the decision, however late the worker ran).
    """
    type_name = _result_type(case)
    if not type_name:
        return None
    number = getattr(case, "number", None) or None
    existing = _issued_for_case(number, type_name)
    if existing is not None:
        return existing
    item = case.implementation.item
    deciding = _deciding_unit(case)
    content = {"关联事项": getattr(item, "name", "")}
    content.update(_content_from_form(getattr(case, "form", None), getattr(item, "form_fields", None)))
    try:
        with transaction.atomic():
            return licence_issue(
                licence_type_name=type_name, holder=_holder_for(case), issuer=deciding,
                in_name_of=getattr(case, "in_name_of", None) or deciding, content=content, case_number=number,
                actor=actor, reserved=reserved, now=now,
            )
    except IntegrityError:
        if number is None:
            raise
        return _issued_for_case(number, type_name)


def licence_revoke_for_case(case, reason: str, *, actor=None) -> list[Licence]:
    """Revoke every still-standing licence a case produced (a failed commitment post-check, say)."""
    number = getattr(case, "number", None)
    if not number:
        return []
    revoked = []
    for licence in Licence.objects.filter(
        case_number=number, status__in=[LicenceStatus.VALID, LicenceStatus.SUSPENDED]
    ):
        try:
            revoked.append(licence_revoke(licence=licence, reason=reason, actor=actor))
        except Conflict:
            continue
    return revoked


def licence_verify(identifier: str) -> dict:
    from .selectors import licence_verify as verify

    return verify(identifier)
