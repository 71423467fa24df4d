"""Changes to the catalogue. Every rule that a saved catalogue must keep is checked here."""

from collections.abc import Iterable

from django.db import transaction

from yiwang.core.errors import DomainError
from yiwang.organisations.models import Unit

from . import rules
from .models import (
    Bundle,
    BundleMember,
    Empowerment,
    EmpowermentMode,
    Faq,
    FormKind,
    GuideForm,
    ItemImplementation,
    ItemType,
    RemoteIntakeListing,
    ServiceItem,
    Step,
)
from .search import search_text_for

MAX_STEPS = 3


def item_validate(*, item: ServiceItem, steps: Iterable[str] = ()) -> None:
    if item.promised_days > item.statutory_days:
        raise DomainError(
            f"承诺办结时限（{item.promised_days}）不能超过法定办结时限（{item.statutory_days}）",
            field="promised_days",
        )
    if item.mode == "instant" and item.promised_days != 0:
        raise DomainError("即办件的承诺办结时限应为0", field="promised_days")
    if len(list(steps)) > MAX_STEPS:
        raise DomainError(f"办理环节不能超过{MAX_STEPS}个", field="steps")
    problem = rules.guide_depth_problem(online_depth=item.online_depth, visits=item.visits)
    if problem:
        raise DomainError(problem, field="visits")


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
    bundle_members_validate(bundle=bundle, members=members)
    BundleMember.objects.filter(bundle=bundle).delete()
    created = {}
    for order, (impl, _) in enumerate(members, start=1):
        created[impl.item.basic_code] = BundleMember.objects.create(bundle=bundle, implementation=impl, order=order)
    for impl, after in members:
        created[impl.item.basic_code].after.set([created[a] for a in after])
    bundle_refresh_search(bundle)
    return list(created.values())


# ---------------------------------------------------------------- saving items and implementations


def item_refresh_search(*, item: ServiceItem) -> None:
    """Every implementation of this item carries the item's names and materials in its search text."""
    for impl in ItemImplementation.objects.filter(item=item).select_related("item", "department"):
        implementation_refresh_search(impl)


@transaction.atomic
def item_save(*, item: ServiceItem, steps: list[str] | None = None) -> ServiceItem:
    """Save a basic item through the rules; with steps, replace its handling steps."""
    item_validate(item=item, steps=steps or ())
    if not (item.basic_code or "").strip():
        raise DomainError("基本编码不能为空", field="basic_code", code="required")
    if item.type_code not in ItemType.values:
        raise DomainError(f"事项类型代码“{item.type_code}”不在 GB/T 39046 代码表中",
                          field="type_code", code="bad_type_code")
    item.save()
    if steps is not None:
        wanted = [(i, name) for i, name in enumerate(steps, start=1)]
        if list(item.steps.order_by("order").values_list("order", "name")) != wanted:
            item.steps.all().delete()
            Step.objects.bulk_create([Step(item=item, order=i, name=n) for i, n in wanted])
    item_refresh_search(item=item)
    return item


def implementation_validate(*, impl: ItemImplementation) -> None:
    if impl.type_code not in ItemType.values:
        raise DomainError(f"事项类型代码“{impl.type_code}”不在 GB/T 39046 代码表中",
                          field="type_code", code="bad_type_code")
    clash = (
        ItemImplementation.objects.filter(item_id=impl.item_id, region_id=impl.region_id)
        .exclude(pk=impl.pk).values_list("impl_code", flat=True).first()
    )
    if clash:
        raise DomainError(f"该事项在此行政区划已有实施清单（{clash}）", field="region", code="duplicate")


@transaction.atomic
def implementation_save(*, impl: ItemImplementation, co_reviewers: Iterable[Unit] | None = None) -> ItemImplementation:
    implementation_validate(impl=impl)
    impl.save()
    if co_reviewers is not None:
        impl.co_reviewers.set(list(co_reviewers))
    implementation_refresh_search(impl)
    return impl


def empowerment_validate(*, empowerment: Empowerment) -> None:
    e = empowerment
    if e.mode not in EmpowermentMode.values:
        raise DomainError(f"赋权方式“{e.mode}”应为直接赋权、委托行使、服务前移或审批直报",
                          field="mode", code="bad_mode")
    if e.park_id and e.park.kind not in rules.EMPOWERABLE_KINDS:
        raise DomainError(f"单位“{e.park.code}”不是园区、乡镇或村（社区）代办点", field="park",
                          code="not_a_park")
    if e.effective_to is not None and e.effective_to <= e.effective_from:
        raise DomainError("终止日期应晚于生效日期", field="effective_to", code="bad_dates")
    if e.approving_unit_id and e.mode != EmpowermentMode.DIRECT_REPORT:
        raise DomainError("只有审批直报需要填写审批层级", field="approving_unit")


@transaction.atomic
def empowerment_save(*, empowerment: Empowerment) -> Empowerment:
    empowerment_validate(empowerment=empowerment)
    empowerment.save()
    return empowerment


def remote_listing_validate(*, listing: RemoteIntakeListing) -> None:
    """A 跨域通办清单 row: another region receives, and the dates are in order."""
    x = listing
    if x.implementation_id and x.receiving_region_id == x.implementation.region_id:
        raise DomainError("receiving_region：收件地区应为事项所属地区以外的地区", field="receiving_region",
                          code="same_region")
    if x.effective_to is not None and x.effective_to <= x.effective_from:
        raise DomainError("effective_to：终止日期应晚于生效日期", field="effective_to", code="bad_dates")


@transaction.atomic
def remote_listing_save(*, listing: RemoteIntakeListing) -> RemoteIntakeListing:
    remote_listing_validate(listing=listing)
    listing.save()
    return listing


def bundle_members_validate(*, bundle: Bundle, members: list[tuple[ItemImplementation, list[str]]]) -> None:
    """The rules bundle_set_members enforces, without writing: region, duplicates, the graph."""
    codes = [impl.item.basic_code for impl, _ in members]
    for impl, _ in members:
        if impl.region_id != bundle.region_id:
            raise DomainError(
                f"事项“{impl.impl_code}”不属于一件事“{bundle.code}”所在的行政区划（{bundle.region_id}）",
                field="items",
                code="member_outside_region",
            )
    if len(set(codes)) != len(codes):
        dup = next(c for c in codes if codes.count(c) > 1)
        raise DomainError(f"事项“{dup}”在一件事中只能出现一次", field="items", code="duplicate_member")
    try:
        rules.bundle_layers({impl.item.basic_code: after for impl, after in members})
    except rules.BundleGraphError as exc:
        raise DomainError(f"{exc.message}", field="items", code="bad_graph")


@transaction.atomic
def bundle_save(*, bundle: Bundle, members: list[tuple[ItemImplementation, list[str]]] | None = None) -> Bundle:
    """Save a bundle; with members, replace them (through the same rules as bundle_set_members)."""
    if members is not None:
        bundle_members_validate(bundle=bundle, members=members)
    elif bundle.pk:
        outside = (BundleMember.objects.filter(bundle=bundle).exclude(implementation__region_id=bundle.region_id)
                   .select_related("implementation").first())
        if outside:
            raise DomainError(
                f"成员“{outside.implementation.impl_code}”不属于行政区划 {bundle.region_id}",
                field="region", code="member_outside_region",
            )
    bundle.save()
    if members is not None and _member_rows(bundle) != [(i.impl_code, sorted(a)) for i, a in members]:
        bundle_set_members(bundle=bundle, members=members)
    else:
        bundle_refresh_search(bundle)
    return bundle


def _member_rows(bundle: Bundle) -> list[tuple[str, list[str]]]:
    return [
        (m.implementation.impl_code, sorted(a.implementation.item.basic_code for a in m.after.all()))
        for m in BundleMember.objects.filter(bundle=bundle).order_by("order", "id")
        .select_related("implementation").prefetch_related("after__implementation__item")
    ]


@transaction.atomic
def guide_extras_replace(*, item: ServiceItem, faqs: list[tuple[str, str]],
                         forms: list[tuple[str, str, bytes]]) -> bool:
    """Set an item's 常见问题 (question, answer) and downloadable forms (name, kind, PDF bytes), in
    order. Nothing is written when both are already so; returns whether anything changed."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    for q, a in faqs:
        if not q.strip() or not a.strip():
            raise DomainError("常见问题的问题和解答都应填写", field="faqs")
    changed = False
    if list(item.faqs.values_list("question", "answer")) != [(q, a) for q, a in faqs]:
        item.faqs.all().delete()
        Faq.objects.bulk_create(Faq(item=item, order=i, question=q, answer=a) for i, (q, a) in enumerate(faqs))
        changed = True
    # Files are named by their content: a form made again (a second demo load) is the same file.
    wanted = [(n, k, f"catalogue/forms/{hashlib.sha256(b).hexdigest()[:24]}.pdf", b) for n, k, b in forms]
    if list(item.guide_forms.values_list("name", "kind", "file")) != [w[:3] for w in wanted]:
        item.guide_forms.all().delete()
        for i, (name, kind, path, content) in enumerate(wanted):
            if kind not in FormKind.values:
                raise DomainError(f"表格类型“{kind}”应为空白表格或示范文本", field="forms")
            if not default_storage.exists(path):
                default_storage.save(path, ContentFile(content))
            GuideForm.objects.create(item=item, kind=kind, name=name, order=i, file=path)
        changed = True
    return changed
