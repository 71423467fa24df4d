"""跨域通办 (收受分离、异地可办) at submission: where a window takes the application in, whether that
window may take it in for another region, and the applicant's delivery choice.

Reads and checks only; case_submit (services) records what these return. The routing itself is the
catalogue's pure `rules.route_at`, fed by `catalogue.selectors.route_for`."""

from __future__ import annotations

from yiwang.catalogue.rules import EMPOWERABLE_KINDS, IntakePoint, Route
from yiwang.catalogue.selectors import (
    empowered_implementations,
    implementations_qs,
    intake_point_of,
    remote_listed_implementations,
)
from yiwang.core.errors import DomainError, Forbidden
from yiwang.organisations.models import Role, Unit
from yiwang.organisations.selectors import staff_roles

from . import selectors
from .models import ActorKind, Case, CaseChannel, DeliveryMethod

REMOTE_DELIVERY = (DeliveryMethod.WINDOW, DeliveryMethod.POST)


def intake_point(*, actor, channel: str, receiving_region: str, item_region: str,
                 bundle_case: str = "") -> IntakePoint | None:
    """The window that takes the application in: the clerk's window in `receiving_region`, or else in
    the item's region, or else the clerk's only region. None online, by an agent, or for no clerk."""
    if receiving_region and channel != CaseChannel.WINDOW:
        raise DomainError("receiving_region：只有窗口收件可以指定收件地区", field="receiving_region")
    if channel != CaseChannel.WINDOW or bundle_case or actor is None or not actor.is_authenticated:
        return None
    windows = [s for s in staff_roles(actor) if s.role == Role.WINDOW_CLERK]
    if receiving_region:
        here = [s for s in windows if s.unit.region_id == receiving_region]
        if not here:
            raise Forbidden("receiving_region：您不是该收件地区的政务服务窗口工作人员", field="receiving_region")
    else:
        here = [s for s in windows if s.unit.region_id == item_region] or windows
    if not here:
        return None
    unit = here[0].unit
    # The region's name only for the 清单's refusal message, so the common case reads nothing more.
    return intake_point_of(unit, region_name=unit.region.name if unit.region_id != item_region else "")


def remote_intake_kind(*, route: Route, units: dict[str, Unit], actor, party) -> str | None:
    """The submit event's actor kind when another region's window took the case in (None: not so).
    The same check the workflow makes of a remote window later (selectors.actor_kinds)."""
    if not route.remote_intake_unit:
        return None
    receiving = units[route.receiving_unit]
    probe = Case(receiving_unit=receiving, reviewing_unit=receiving, deciding_unit=receiving,
                 remote_intake_unit=units[route.remote_intake_unit], applicant=party)
    if actor is None or ActorKind.REMOTE_INTAKE not in selectors.actor_kinds(probe, actor, co_review=False):
        raise Forbidden("channel：只有收件地区政务服务大厅窗口工作人员可以异地收件", field="channel")
    return ActorKind.REMOTE_INTAKE


def remote_fields(*, route: Route, units: dict[str, Unit], delivery: str) -> dict:
    """The case columns of cross-region intake and the delivery choice (checked)."""
    delivery = (delivery or "").strip()
    if delivery and delivery not in DeliveryMethod.values:
        raise DomainError("delivery：送达方式应为 window（窗口领取）、post（邮寄送达）或 electronic（电子送达）",
                          field="delivery")
    if not route.remote_intake_unit:
        return {"delivery_choice": delivery}
    delivery = delivery or DeliveryMethod.WINDOW
    if delivery not in REMOTE_DELIVERY:
        raise DomainError("delivery：跨域通办的结果可在收件地窗口领取或邮寄送达", field="delivery")
    return {"remote_intake_unit": units[route.remote_intake_unit], "delivery_choice": delivery}


def submit_data(route: Route, units: dict[str, Unit]) -> dict:
    """What the submit event records of cross-region intake (the dashboards count it)."""
    if not route.remote_intake_unit:
        return {}
    unit = units[route.remote_intake_unit]
    return {"remote_intake": {"unit": unit.code, "region": unit.region_id}}


def intake_choices(roles, *, on) -> tuple[list, list]:
    """What a clerk's intake page offers: (own items, other regions' items on the 清单 of the clerk's
    regions). A park, town or community window offers only what was devolved to it, and the 清单."""
    clerks = [s for s in roles if s.role == Role.WINDOW_CLERK]
    own, remote_items = [], []
    for s in clerks:
        if s.unit.kind in EMPOWERABLE_KINDS:
            own += list(empowered_implementations(s.unit.code, on=on).order_by("department__code", "impl_code"))
        else:
            own += list(implementations_qs().filter(region_id=s.unit.region_id).order_by("department__code",
                                                                                         "impl_code"))
        remote_items += list(remote_listed_implementations(s.unit.region_id, on=on))
    return list(dict.fromkeys(own)), list(dict.fromkeys(remote_items))
