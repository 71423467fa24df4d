from typing import Literal

from ninja import Field, Router, Schema

from yiwang.core.errors import DomainError

from .services import party_number_check

router = Router(tags=["parties"])


class PartyCheckIn(Schema):
    kind: Literal["person", "enterprise"]
    number: str = Field(max_length=32)


class PartyCheckOut(Schema):
    valid: bool
    kind: str
    number: str


@router.post("/check", response=PartyCheckOut, summary="Check an ID number or a USCC by its check digit")
def parties_check(request, payload: PartyCheckIn):
    result = party_number_check(kind=payload.kind, number=payload.number)
    if not result.valid:
        raise DomainError(result.message or "号码无效", field="number", code=f"invalid_{result.error}")
    return {"valid": True, "kind": payload.kind, "number": result.normalised}
