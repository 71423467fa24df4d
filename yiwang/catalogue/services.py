"""Changes to the catalogue. Every rule that a saved catalogue must keep is checked here."""

from collections.abc import Iterable

from django.db import transaction

from yiwang.core.errors import DomainError

from . import rules
from .models import Bundle, BundleMember, ItemImplementation, ServiceItem
from .search import search_text_for

MAX_STEPS = 3


def item_validate(*, item: ServiceItem, steps: Iterable[str] = ()) -> None:
    if item.promised_days > item.statutory_days:
        raise DomainError(
            f"promised_days：承诺办结时限（{item.promised_days}）不能超过法定办结时限（{item.statutory_days}）",
            field="promised_days",
        )
    if item.mode == "instant" and item.promised_days != 0:
        raise DomainError("promised_days：即办件的承诺办结时限应为0", field="promised_days")
    if len(list(steps)) > MAX_STEPS:
        raise DomainError(f"steps：办理环节不能超过{MAX_STEPS}个", field="steps")


def default_steps(item: ServiceItem) -> list[str]:
    return ["受理"] if item.mode == "instant" else ["受理", "审核", "决定"]


def implementation_refresh_search(impl: ItemImplementation) -> None:
    item = impl.item
    materials = " ".join(m.name for m in item.materials.all())
    text = search_text_for(impl.name, item.name, impl.department.name, item.result_licence)
    impl.search_text = f"{text} | {materials.lower()} | {item.basic_code.lower()}"
    ItemImplementation.objects.filter(pk=impl.pk).update(search_text=impl.search_text)


def bundle_refresh_search(bundle: Bundle) -> None:
    names = [m.implementation.name for m in bundle.members.select_related("implementation")]
    bundle.search_text = search_text_for(bundle.name) + " | " + " ".join(names).lower() + " | " + bundle.code.lower()
    Bundle.objects.filter(pk=bundle.pk).update(search_text=bundle.search_text)


@transaction.atomic
def bundle_set_members(*, bundle: Bundle, members: list[tuple[ItemImplementation, list[str]]]) -> list[BundleMember]:
    """Replace a bundle's members. Each is (implementation, item codes it waits for).

    Refused: a member from outside the bundle's region, a wait for an outsider, a cycle.
    """
    codes = [impl.item.basic_code for impl, _ in members]
    for impl, _ in members:
        if impl.region_id != bundle.region_id:
            raise DomainError(
                f"items：事项“{impl.impl_code}”不属于一件事“{bundle.code}”所在的行政区划（{bundle.region_id}）",
                field="items",
                code="member_outside_region",
            )
    if len(set(codes)) != len(codes):
        raise DomainError("items：同一事项在一件事中只能出现一次", field="items", code="duplicate_member")
    try:
        rules.bundle_layers({impl.item.basic_code: after for impl, after in members})
    except rules.BundleGraphError as exc:
        raise DomainError(f"items：{exc.message}", field="items", code="bad_graph")
    BundleMember.objects.filter(bundle=bundle).delete()
    created = {}
    for order, (impl, _) in enumerate(members, start=1):
        created[impl.item.basic_code] = BundleMember.objects.create(bundle=bundle, implementation=impl, order=order)
    for impl, after in members:
        created[impl.item.basic_code].after.set([created[a] for a in after])
    bundle_refresh_search(bundle)
    return list(created.values())
