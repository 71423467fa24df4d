"""Reads of the hotline: queues by deadline, duplicates, overdue and escalated matters, demand closure."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from yiwang.core.errors import DomainError
from yiwang.organisations.models import Unit, UnitKind
from yiwang.organisations.selectors import region_subtree_codes, staff_roles
from yiwang.parties.models import Party, PartyKind

from . import rules
from .models import OPEN_STATUSES, DemandBaseline, DemandItem, Request, Status


def _base() -> QuerySet[Request]:
    return Request.objects.select_related("category", "unit", "region")


def queue(*, statuses=None) -> QuerySet[Request]:
    """Open requests, earliest deadline first (the index hotline_queue_idx)."""
    return _base().filter(status__in=statuses or OPEN_STATUSES).order_by("deadline_at", "id")


def unit_inbox(user) -> QuerySet[Request]:
    units = [s.unit_id for s in staff_roles(user)]
    return (_base().filter(Q(unit_id__in=units) | Q(lead_unit_id__in=units) | Q(co_units__in=units),
                           status__in=[Status.DISPATCHED, Status.HANDLING, Status.ESCALATED])
            .distinct().order_by("deadline_at", "id"))


def requests_overdue() -> QuerySet[Request]:
    return queue().filter(overdue=True)


def requests_escalated() -> QuerySet[Request]:
    return _base().filter(status=Status.ESCALATED).order_by("deadline_at", "id")


def dispatch_units(region_code: str) -> QuerySet[Unit]:
    """The units a request of this region may go to: those of the region and the regions below it
    (a 湘潭县 call goes to 湘潭县's departments, towns, parks and utilities), never the hotline itself."""
    return (Unit.objects.filter(region_id__in=region_subtree_codes(region_code))
            .exclude(kind=UnitKind.HOTLINE).order_by("code"))


def dissatisfied_callbacks() -> QuerySet[Request]:
    """Requests whose requester was dissatisfied at the visit back (回访不满意: GB/T 39046 codes 4, 5),
    latest first: the reopened, the escalated and those closed after coordination."""
    return _base().filter(satisfaction__in=[4, 5]).order_by("-updated_at", "-id")


# --- enterprises (企业诉求) ---------------------------------------------------------------------

def enterprises_matching(q: str, *, limit: int = 10) -> list[Party]:
    """Enterprises whose name contains, or whose unified social credit code starts with, `q`."""
    q = (q or "").strip()
    if not q:
        return []
    return list(Party.objects.filter(kind=PartyKind.ENTERPRISE)
                .filter(Q(name__icontains=q) | Q(number__istartswith=q)).order_by("name")[:limit])


def enterprise_pick(text: str, *, field: str = "requester") -> Party:
    """The one enterprise an operator means by a name or a code: the code, the exact name, or the
    only enterprise whose name contains the text; otherwise a refusal saying what to type."""
    text = (text or "").strip()
    if not text:
        raise DomainError("请输入诉求企业的名称或统一社会信用代码", field=field)
    enterprises = Party.objects.filter(kind=PartyKind.ENTERPRISE)
    exact = enterprises.filter(Q(number=text.upper()) | Q(name=text)).first()
    if exact is not None:
        return exact
    found = enterprises_matching(text, limit=2)
    if len(found) == 1:
        return found[0]
    if not found:
        raise DomainError(f"未找到企业“{text}”，请核对企业名称或统一社会信用代码", field=field)
    raise DomainError(f"有多家企业与“{text}”相符，请输入完整的企业名称或统一社会信用代码", field=field)


def own_enterprises(user) -> list[Party]:
    """The enterprises the signed-in account acts for (its parties of kind enterprise)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Party.objects.filter(user_id=user.pk, kind=PartyKind.ENTERPRISE).order_by("name"))


def request_duplicates(req: Request, *, days: int = 30) -> QuerySet[Request]:
    """Open requests that look like the same matter: same category and region, the same place or the
    same title, received within `days` days. The operator confirms before merging."""
    since = req.received_at - timedelta(days=days)
    same = Q(title=req.title)
    if req.address:
        same |= Q(address=req.address)
    return (_base().filter(category=req.category, region=req.region, received_at__gte=since,
                           status__in=OPEN_STATUSES, merged_into__isnull=True)
            .filter(same).exclude(pk=req.pk).order_by("received_at"))


def deadline_tag(req: Request) -> str:
    """tag-ok (green) / tag-near (yellow) / tag-overdue (red), from the columns the timers keep, and the clock."""
    if req.status not in OPEN_STATUSES or req.deadline_at is None:
        return ""
    now = timezone.now()
    if req.overdue or now > req.deadline_at:
        return "tag-overdue"
    if req.near_due or (req.near_due_at and now >= req.near_due_at):
        return "tag-near"
    return "tag-ok"


def demand_closure(*, region_code: str | None = None) -> dict:
    """Enterprise-demand closure: items closed over items received (SQL counts), plus the baseline the
    seeds report, shown side by side and combined."""
    items = DemandItem.objects.all()
    base = DemandBaseline.objects.all()
    if region_code:
        items = items.filter(request__region_id=region_code)
        base = base.filter(region_id=region_code)
    agg = items.aggregate(total=Count("id"), closed=Count("id", filter=Q(closed_at__isnull=False)))
    b = base.aggregate(received=Sum("received"), closed=Sum("closed"))
    total = agg["total"] + (b["received"] or 0)
    closed = agg["closed"] + (b["closed"] or 0)
    return {
        "items_total": agg["total"], "items_closed": agg["closed"],
        "baseline_received": b["received"] or 0, "baseline_closed": b["closed"] or 0,
        "received": total, "closed": closed, "rate": round(100.0 * closed / total, 2) if total else None,
    }


def counters() -> dict:
    return Request.objects.aggregate(
        new=Count("id", filter=Q(status=Status.NEW)),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        near_due=Count("id", filter=Q(status__in=OPEN_STATUSES, near_due=True, overdue=False)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, overdue=True)),
        escalated=Count("id", filter=Q(status=Status.ESCALATED)),
    )


# --- the public view: the one place that decides what anonymous callers see -----------------------

_STATUS_NAMES = dict(Status.choices)


def public_requests() -> QuerySet[Request]:
    """Requests that may appear on the public 12345 board, Open311 and the anonymous API."""
    return (_base().filter(kind__in=rules.PUBLIC_KINDS, private=False, is_demand=False)
            .order_by("-received_at", "-id"))


def public_request(number: str, *, token: str = "") -> Request | None:
    """One request for the public: a public one by its number, any one with its token (its requester)."""
    req = _base().filter(number=number).first()
    if req is None:
        return None
    if token and secrets.compare_digest(token, req.token):
        return req
    return req if rules.may_be_public(req.kind, private=req.private, is_demand=req.is_demand) else None


def public_view(req: Request, *, timeline: bool = False) -> dict:
    """What a public 12345 board shows of a request: kind, category, masked location, status, the
    handling unit, dates, and the unit's reply (long digit runs masked). Never the requester, the
    title or content, event notes, or anything of a merged request."""
    closed = req.status in (Status.CLOSED, Status.MERGED)
    answered = req.status in (Status.REPLIED, Status.CLOSED)
    view = {
        "number": req.number, "kind": req.kind, "kind_name": req.get_kind_display(),
        "category": req.category.code, "category_name": req.category.name,
        "status": req.status, "status_name": req.get_status_display(), "closed": closed,
        "merged": req.status == Status.MERGED,
        "unit_name": req.unit.name if req.unit_id else "12345热线",
        "region_name": req.region.name,
        "location": rules.mask_address(req.address, req.region.name),
        "lat": rules.round_coord(req.lat), "long": rules.round_coord(req.long),
        "received_at": req.received_at, "deadline_at": req.deadline_at,
        "updated_at": req.closed_at if closed and req.closed_at else req.updated_at,
        "reply": rules.scrub_numbers(req.reply) if answered else "",
    }
    if timeline:  # status changes and their times only, never an event's note
        view["timeline"] = [{"at": at, "status": s, "status_name": _STATUS_NAMES.get(s, s)}
                            for at, s in req.events.exclude(to_status="").values_list("at", "to_status")]
    return view
