"""Reading the licence library: verification, listings, and what a licence shows."""

import secrets
from datetime import date

from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone

from yiwang.organisations.models import Role
from yiwang.organisations.selectors import units_where
from yiwang.parties.models import Party

from . import crypto
from .identifiers import identifier_is_valid, identifier_parse
from .models import Licence, LicenceStatus, LicenceType

STATUS_REASONS = {
    LicenceStatus.REVOKED: "证照已撤销",
    LicenceStatus.SUSPENDED: "证照已暂扣",
    LicenceStatus.CANCELLED: "证照已注销",
    LicenceStatus.EXPIRED: "证照已失效",
}


def licence_get(identifier: str) -> Licence | None:
    return (
        Licence.objects.select_related("licence_type", "seal", "issuer", "in_name_of", "holder")
        .filter(identifier=(identifier or "").strip())
        .first()
    )


def signature_ok(licence: Licence) -> bool:
    """The stored data is what the seal signed."""
    from .services import licence_payload_bytes

    message = licence_payload_bytes(licence)
    return crypto.sm3_hex(message) == licence.payload_hash and crypto.verify(
        licence.seal.public_key, message, licence.signature
    )


def history_ok(licence: Licence) -> bool:
    """The status history is an unbroken chain of signed events ending in the stored status."""
    from .services import event_payload

    events = list(licence.events.select_related("seal").order_by("seq"))
    if not events:
        return False
    prev = licence.payload_hash
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq or event.prev_hash != prev or event.seal.unit_id != licence.issuer_id:
            return False
        message = crypto.canonical_json(event_payload(event, licence.identifier))
        if crypto.sm3_hex(message) != event.hash or not crypto.verify(event.seal.public_key, message, event.signature):
            return False
        prev = event.hash
    last = events[-1]
    if events[0].action != "issued" or last.to_status != licence.status:
        return False
    return len(events) == 1 or last.reason == licence.status_reason


def _seal_reason(licence: Licence) -> str | None:
    seal = licence.seal
    if seal.retired_at is not None and seal.retired_at < licence.created_at:
        return "签发时该印章已停用"
    return None


def _status_reason(licence: Licence, today: date) -> str | None:
    if licence.status != LicenceStatus.VALID:
        base = STATUS_REASONS.get(licence.status, "证照状态异常")
        return f"{base}：{licence.status_reason}" if licence.status_reason else base
    if licence.valid_from > today:
        return f"证照尚未生效（自{licence.valid_from:%Y年%m月%d日}起有效）"
    if licence.valid_to is not None and licence.valid_to < today:
        return f"证照已过有效期（有效期至{licence.valid_to:%Y年%m月%d日}）"
    return None


def licence_check(licence: Licence, *, today: date | None = None) -> tuple[bool, str | None]:
    """(valid, reason in Chinese when not valid), verified cryptographically every time."""
    today = today or timezone.localdate()
    if not identifier_is_valid(licence.identifier):
        return False, "证照标识校验位错误"
    if not signature_ok(licence):
        return False, "证照数据与电子印章签名不符，可能已被篡改"
    reason = _seal_reason(licence)
    if reason:
        return False, reason
    if not history_ok(licence):
        return False, "证照状态记录与签章历史不符，可能已被篡改"
    reason = _status_reason(licence, today)
    return reason is None, reason


def verification_record_fields(licence: Licence) -> dict:
    """What a verification record vouches for: the signed data (by hash) and the row's state."""
    from .services import _at_text

    return {
        "identifier": licence.identifier, "hash": licence.verified_hash, "signature": licence.signature,
        "seal": licence.seal_id, "status": licence.status, "reason": licence.status_reason,
        "created_at": _at_text(licence.created_at),
    }


def verification_recorded(licence: Licence) -> bool:
    """The licence is as it was when its signature and history last verified (at issue or a status
    change): the record's MAC holds and the signed data still hashes to the recorded hash. One SM3
    of the data and one HMAC, no SM2."""
    from .services import licence_payload_bytes

    if not licence.verified_hash or not licence.verified_mac:
        return False
    if not secrets.compare_digest(crypto.record_mac(verification_record_fields(licence)), licence.verified_mac):
        return False
    return crypto.sm3_hex(licence_payload_bytes(licence)) == licence.verified_hash


def licence_usable(licence: Licence, *, today: date) -> bool:
    """Valid today, for data sharing: trusts the verification record when the licence is unchanged
    since it was made; otherwise verifies cryptographically, as the public page always does."""
    if not verification_recorded(licence):
        return licence_check(licence, today=today)[0]
    return (identifier_is_valid(licence.identifier) and _seal_reason(licence) is None
            and _status_reason(licence, today) is None)


def mask_number(number: str, *, head: int = 6) -> str:
    """A person's ID number shown publicly: the first `head` (6 on the verification page, 4 in lists:
    4303**********1234) and the last 4 characters."""
    if len(number) == 18 and number[:17].isdigit():
        return number[:head] + "*" * (14 - head) + number[-4:]
    return number


def licence_data(licence: Licence, *, public: bool = False, masked: bool = False, base_url: str = "") -> dict:
    """What a licence shows. Public (the verification page and API) masks a person's ID number, and so
    does a list (`masked`)."""
    is_person = licence.holder.kind == "person"
    number = licence.holder_number
    if is_person and (public or masked):
        number = mask_number(number, head=6 if public else 4)
    return {
        "identifier": licence.identifier,
        "type": licence.licence_type.name,
        "type_code": licence.licence_type.code,
        "holder": {
            "name": licence.holder_name,
            "number": number,
            "kind": licence.holder.kind,
        },
        "issuer": {"name": licence.issuer_name, "code": licence.issuer_code},
        "in_name_of": {"name": licence.in_name_of_name, "code": licence.in_name_of_code},
        "case_number": None if public else licence.case_number,
        "issue_date": licence.issue_date.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_to": licence.valid_to.isoformat() if licence.valid_to else None,
        "content": licence.content,
        "version": licence.version,
        "status": licence.status,
        "status_label": licence.get_status_display(),
        "status_reason": licence.status_reason or None,
        "seal": {"name": licence.seal.name, "public_key": licence.seal.public_key},
        "signature": licence.signature,
        "verify_url": f"{base_url}/verify/{licence.identifier}",
    }


def licence_verify(identifier: str, *, base_url: str = "") -> dict:
    """{"valid": bool, "reason": Chinese text or None, "licence": {...} or None}: the signature with
    the seal's public key, the status history, the status and the validity dates."""
    if identifier_parse(identifier) is None:
        return {"valid": False, "reason": "证照标识格式不正确", "licence": None}
    licence = licence_get(identifier)
    if licence is None:
        if not identifier_is_valid(identifier):
            return {"valid": False, "reason": "证照标识校验位错误", "licence": None}
        return {"valid": False, "reason": "未找到该证照", "licence": None}
    valid, reason = licence_check(licence)
    return {"valid": valid, "reason": reason, "licence": licence_data(licence, public=True, base_url=base_url)}


def licences_of_holder(number: str) -> QuerySet[Licence]:
    return Licence.objects.select_related("licence_type", "seal", "holder").filter(holder_number=number)


def licences_of_user(user) -> QuerySet[Licence]:
    """The licences held by the parties this user acts as."""
    if not user.is_authenticated:
        return Licence.objects.none()
    return Licence.objects.select_related("licence_type", "seal", "holder").filter(holder__user=user)


# Candidates are read a few at a time: the newest usually holds, and then no more rows are read.
CANDIDATE_PAGE = 8


def _candidates(holder: Party | str, type_name: str, today: date) -> QuerySet[Licence]:
    number = holder.number if isinstance(holder, Party) else holder
    # The type's id as a subquery, so that PostgreSQL walks licence_holder_type_newest in order and
    # stops at the page instead of joining and sorting all the holder's licences.
    type_id = Subquery(LicenceType.objects.filter(name=type_name).order_by().values("id")[:1])
    return (
        licences_of_holder(number)
        .filter(licence_type_id=type_id, status=LicenceStatus.VALID, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-issue_date", "-id")
    )


def licence_valid_for(holder: Party | str, type_name: str, *, today: date | None = None) -> Licence | None:
    """The holder's newest licence of this type that is valid today, or None (无证明: used instead of
    a copy). Stops at the first that holds, so the cost does not grow with the licences held."""
    today = today or timezone.localdate()
    candidates = _candidates(holder, type_name, today)
    start = 0
    while True:
        page = list(candidates[start:start + CANDIDATE_PAGE])
        for licence in page:
            if licence_usable(licence, today=today):
                return licence
        if len(page) < CANDIDATE_PAGE:
            return None
        start += CANDIDATE_PAGE


def licences_valid_for(holder: Party | str, type_name: str, *, today: date | None = None) -> list[Licence]:
    """All the holder's licences of this type that are valid today (a listing; data sharing uses
    licence_valid_for, which stops at the first)."""
    today = today or timezone.localdate()
    return [lic for lic in _candidates(holder, type_name, today) if licence_usable(lic, today=today)]


# --- who may read a holder's licences (least privilege, issue 12) -----------------------------------
# Staff read a licence only where their work needs it, through a role that handles cases (window
# clerk, approver, department head) in a unit that (a) issued it or in whose name it was issued, (b) is
# handling a case of the holder (a case it may see as staff — receiving, reviewing, deciding or
# co-reviewing unit, or the region's one-window hall — not yet delivered or ended), or (c) is the
# supervising department of the item whose case produced it. Operators, leaders, supervisors,
# catalogue admins and Django's is_staff flag give no access. A unit's region bounds what it issues and
# handles, so (a)–(c) keep staff to their own region's holders; a case received here for another
# region (跨域通办) is the one way across, because handling it needs the licences.
LICENCE_READER_ROLES = (Role.WINDOW_CLERK, Role.APPROVER, Role.DEPARTMENT_HEAD)


def _reader_units(user) -> list[int]:
    return units_where(user, *LICENCE_READER_ROLES) if user.is_authenticated else []


def _handled_holders(user):
    """Applicants of the cases this user may see (cases.selectors.visible_cases: their units' cases,
    the one-window hall's, co-reviews) that are still being handled (not yet delivered or ended)."""
    from yiwang.cases.models import UNDECIDED, CaseStatus
    from yiwang.cases.selectors import visible_cases

    return visible_cases(user).filter(status__in=[*UNDECIDED, CaseStatus.APPROVED]).values("applicant_id")


def licences_visible_q(user) -> Q:
    """The licences this user may read: their own, and those their units' work needs (above)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    q = Q(holder__user=user)
    units = _reader_units(user)
    if units:
        from yiwang.cases.models import Case

        supervised = Case.objects.filter(implementation__item__supervising_unit__in=units).values("number")
        q |= (Q(issuer__in=units) | Q(in_name_of__in=units) | Q(holder_id__in=_handled_holders(user))
              | Q(case_number__in=supervised))
    return q


def user_holds(user, number: str) -> bool:
    return bool(user.is_authenticated and Party.objects.filter(user=user, number=number).exists())


def user_handles_holder(user, number: str) -> bool:
    """One of the user's units is handling a case of this holder (it may list even an empty set)."""
    units = _reader_units(user)
    return bool(units and Party.objects.filter(number=number, pk__in=_handled_holders(user)).exists())


def licences_of_holder_for(user, number: str) -> QuerySet[Licence] | None:
    """The holder's licences this user may read, or None when the user has no business with the holder."""
    qs = licences_of_holder(number).filter(licences_visible_q(user))
    if user_holds(user, number) or user_handles_holder(user, number) or qs.exists():
        return qs
    return None


def user_can_see(user, licence: Licence) -> bool:
    return Licence.objects.filter(pk=licence.pk).filter(licences_visible_q(user)).exists()
