import datetime as dt

from ninja import Query, Router, Schema
from pydantic import Field

from yiwang.core.errors import DomainError

from .index import CalendarRangeError, add_working_days, working_days_between

router = Router(tags=["calendar"])


class AddIn(Schema):
    start: dt.date
    days: int = Field(ge=0, le=3650)


class AddOut(Schema):
    date: dt.date
    provisional: bool


class BetweenIn(Schema):
    start: dt.date
    end: dt.date


class BetweenOut(Schema):
    working_days: int
    provisional: bool


@router.get("/add", response=AddOut, summary="The n-th working day strictly after start")
def calendar_add(request, q: Query[AddIn]):
    try:
        r = add_working_days(q.start, q.days)
    except CalendarRangeError as exc:
        raise DomainError(str(exc), field="start", code="out_of_range")
    return {"date": r.date, "provisional": r.provisional}


@router.get("/between", response=BetweenOut, summary="Working days in (start, end]")
def calendar_between(request, q: Query[BetweenIn]):
    try:
        r = working_days_between(q.start, q.end)
    except CalendarRangeError as exc:
        raise DomainError(str(exc), field="start", code="out_of_range")
    return {"working_days": r.days, "provisional": r.provisional}
