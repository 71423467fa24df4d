"""Reads of the catalogue."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from yiwang.core.errors import DomainError, NotFound

from . import rules
from .models import Bundle, BundleMember, Empowerment, ItemImplementation, Material, RemoteIntakeListing, Step


def implementations_qs() -> QuerySet[ItemImplementation]:
    return ItemImplementation.objects.filter(active=True).select_related("item", "department", "region")


def implementation_get(impl_code: str, *, field: str = "item") -> ItemImplementation:
    impl = (
        implementations_qs()
        .prefetch_related(
            Prefetch("item__materials", queryset=Material.objects.order_by("order", "id")),
            Prefetch("item__steps", queryset=Step.objects.order_by("order")),
            "co_reviewers",
            "item__faqs",
            "item__guide_forms",
        )
        .filter(impl_code=impl_code)
        .first()
    )
    if impl is None:
        raise NotFound(f"事项实施编码“{impl_code}”不存在", field=field, code="item_not_found")
    return impl


def implementations_search(
    *, q: str = "", department: str = "", type_code: str = "", region: str = ""
) -> QuerySet[ItemImplementation]:
    qs = implementations_qs()
    if department:
        qs = qs.filter(department__code=department)
    if type_code:
        qs = qs.filter(type_code=type_code)
    if region:
        qs = qs.filter(region_id=region)
    for term in _terms(q):
        qs = qs.filter(Q(search_text__icontains=term) | Q(impl_code__icontains=term))
    return qs


def _terms(q: str) -> list[str]:
    from .search import query_terms

    return query_terms(q)


def bundles_search(*, q: str = "", region: str = "", theme: str = "") -> QuerySet[Bundle]:
    qs = Bundle.objects.filter(active=True).select_related("region")
    if region:
        qs = qs.filter(region_id=region)
    if theme:
        qs = qs.filter(theme=theme)
    for term in _terms(q):
        qs = qs.filter(Q(search_text__icontains=term) | Q(code__icontains=term))
    return qs


def empowerment_terms(impl: ItemImplementation) -> list[rules.EmpowermentTerm]:
    return [
        rules.EmpowermentTerm(
            park=e.park.code,
            mode=e.mode,
            effective_from=e.effective_from,
            effective_to=e.effective_to,
            approving_unit=e.approving_unit.code if e.approving_unit_id else None,
        )
        for e in Empowerment.objects.filter(implementation=impl).select_related("park", "approving_unit")
    ]


def listing_terms(impl: ItemImplementation) -> list[rules.ListingTerm]:
    """The 跨域通办清单 rows of this item: which other regions' windows may take it in, and when."""
    return [rules.ListingTerm(x.receiving_region_id, x.effective_from, x.effective_to)
            for x in RemoteIntakeListing.objects.filter(implementation=impl)]


def route_for(*, impl: ItemImplementation, park_code: str | None, on: date,
              at: rules.IntakePoint | None = None) -> rules.Route:
    """Who receives, reviews and decides; `at` is the window taking the application in (None online)."""
    if at is None:
        return rules.route(department=impl.department.code, park=park_code or None, on=on,
                           empowerments=empowerment_terms(impl))
    remote = at.region != impl.region_id
    return rules.route_at(department=impl.department.code, item_region=impl.region_id, at=at,
                          park=park_code or None, on=on, empowerments=empowerment_terms(impl),
                          listings=listing_terms(impl) if remote else (), item_region_name=impl.region.name)


def remote_listed_implementations(region: str, *, on: date) -> QuerySet[ItemImplementation]:
    """Other regions' items the windows of `region` may take in on that day (跨域通办清单)."""
    rows = RemoteIntakeListing.objects.filter(receiving_region_id=region, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on))
    return implementations_qs().filter(pk__in=rows.values("implementation_id")).order_by("region_id", "impl_code")


def empowered_implementations(unit_code: str, *, on: date) -> QuerySet[ItemImplementation]:
    """The items devolved to this park, town or community point on that day (what its window takes in)."""
    terms = Empowerment.objects.filter(park__code=unit_code, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on))
    return implementations_qs().filter(pk__in=terms.values("implementation_id"))


def intake_point_of(unit, *, region_name: str = "") -> rules.IntakePoint:
    return rules.IntakePoint(unit=unit.code, kind=unit.kind, region=unit.region_id, region_name=region_name)


def intake_point_find(*, region: str = "", unit: str = "") -> rules.IntakePoint | None:
    """The window's unit named (a town, a park, a hall…), or the hall (政务服务中心) of the region named."""
    from yiwang.organisations.models import Unit, UnitKind

    if unit:
        found = Unit.objects.select_related("region").filter(code=unit).first()
        if found is None:
            raise NotFound(f"receiving_unit：收件单位“{unit}”不存在", field="receiving_unit", code="unit_not_found")
        if region and found.region_id != region:
            raise DomainError(f"receiving_unit：收件单位“{unit}”不在收件地区“{region}”", field="receiving_unit")
        return intake_point_of(found, region_name=found.region.name)
    if not region:
        return None
    hall = (Unit.objects.select_related("region").filter(region_id=region, kind__in=[UnitKind.CENTER, UnitKind.BUREAU])
            .order_by("-kind", "code").first())  # the 政务服务中心 first, else the 行政审批服务局
    if hall is None:
        raise NotFound(f"receiving_region：收件地区“{region}”没有政务服务中心", field="receiving_region",
                       code="region_not_found")
    return intake_point_of(hall, region_name=hall.region.name)


@dataclass
class BundleView:
    bundle: Bundle
    members: list[BundleMember]
    layers: list[list[BundleMember]]
    waits_for: dict[int, list[int]]
    merged_form: list[rules.MergedField]
    merged_materials: list[rules.MergedMaterial]
    critical_path_days: int

    def member(self, pk: int) -> BundleMember:
        return next(m for m in self.members if m.pk == pk)


def bundle_get(code: str) -> Bundle:
    bundle = Bundle.objects.filter(code=code, active=True).select_related("region").first()
    if bundle is None:
        raise NotFound(f"一件事“{code}”不存在", field="bundle", code="bundle_not_found")
    return bundle


def bundle_view(bundle: Bundle) -> BundleView:
    members = list(
        BundleMember.objects.filter(bundle=bundle)
        .select_related("implementation__item", "implementation__department")
        .prefetch_related(
            "after",
            Prefetch("implementation__item__materials", queryset=Material.objects.order_by("order", "id")),
        )
        .order_by("order", "id")
    )
    waits_for = {m.pk: [a.pk for a in m.after.all()] for m in members}
    by_pk = {m.pk: m for m in members}
    layers = [[by_pk[pk] for pk in layer] for layer in rules.bundle_layers(waits_for)]
    merged_form = rules.merge_form({m.pk: m.implementation.item.form_fields for m in members})
    merged_materials = rules.merge_materials(
        {
            m.pk: [rules.MemberMaterial(x.name, x.source, x.required, x.tolerable)
                   for x in m.implementation.item.materials.all()]
            for m in members
        },
        {m.pk: m.implementation.item.result_licence for m in members if m.implementation.item.result_licence},
        waits_for,
    )
    days = {m.pk: m.implementation.item.promised_days for m in members}
    return BundleView(bundle, members, layers, waits_for, merged_form, merged_materials,
                      rules.critical_path_days(waits_for, days))
