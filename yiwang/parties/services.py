from django.db import transaction

from yiwang.core.errors import DomainError

from .identifiers import CheckResult, check_id_number, check_uscc
from .models import Party, PartyKind


def party_number_check(*, kind: str, number: str, field: str = "number") -> CheckResult:
    if kind == PartyKind.PERSON:
        return check_id_number(number, field=field)
    if kind == PartyKind.ENTERPRISE:
        return check_uscc(number, field=field)
    raise DomainError("类型应为 person 或 enterprise", field="kind")


def party_number_require(*, kind: str, number: str, field: str = "number") -> str:
    result = party_number_check(kind=kind, number=number, field=field)
    if not result.valid:
        raise DomainError(result.message or "号码无效", field=field, code=f"invalid_{result.error}")
    return result.normalised


@transaction.atomic
def party_get_or_create(*, kind: str, number: str, name: str, field: str = "number", **profile) -> Party:
    """The party with this number; created on first sight. Its name is refreshed when given."""
    number = party_number_require(kind=kind, number=number, field=field)
    if not (name or "").strip():
        raise DomainError("名称不能为空", field="name", code="required")
    party, created = Party.objects.get_or_create(number=number, defaults={"kind": kind, "name": name, **profile})
    if not created and party.kind != kind:
        raise DomainError("该号码已登记为其他类型的主体", field=field)
    return party
