"""Reads of the catalogue."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from yiwang.core.errors import NotFound

from . import rules
from .models import Bundle, BundleMember, Empowerment, ItemImplementation, Material, Step


def implementations_qs() -> QuerySet[ItemImplementation]:
    return ItemImplementation.objects.filter(active=True).select_related("item", "department", "region")


def implementation_get(impl_code: str, *, field: str = "item") -> ItemImplementation:
    impl = (
        implementations_qs()
        .prefetch_related(
            Prefetch("item__materials", queryset=Material.objects.order_by("order", "id")),
            Prefetch("item__steps", queryset=Step.objects.order_by("order")),
            "co_reviewers",
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


def route_for(*, impl: ItemImplementation, park_code: str | None, on: date) -> rules.Route:
    return rules.route(department=impl.department.code, park=park_code or None, on=on,
                       empowerments=empowerment_terms(impl))


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
