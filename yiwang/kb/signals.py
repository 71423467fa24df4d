"""Keep generated articles in step with the catalogue: any save of an item, implementation, material,
step or bundle marks the articles it feeds; they are regenerated once, when the transaction commits."""

from django.db.models.signals import post_delete, post_save

from yiwang.catalogue.models import Bundle, BundleMember, Faq, ItemImplementation, Material, ServiceItem, Step

from .services import mark_dirty


def _impls_of_item(item_id: int) -> list[int]:
    return list(ItemImplementation.objects.filter(item_id=item_id).values_list("pk", flat=True))


def _bundles_of_impls(impl_ids: list[int]) -> list[int]:
    return list(BundleMember.objects.filter(implementation_id__in=impl_ids).values_list("bundle_id", flat=True))


def on_item(sender, instance, **kwargs):
    impls = _impls_of_item(instance.pk)
    mark_dirty(implementation_ids=impls, bundle_ids=_bundles_of_impls(impls))


def on_item_child(sender, instance, **kwargs):
    impls = _impls_of_item(instance.item_id)
    mark_dirty(implementation_ids=impls, bundle_ids=_bundles_of_impls(impls))


def on_implementation(sender, instance, **kwargs):
    mark_dirty(implementation_ids=[instance.pk], bundle_ids=_bundles_of_impls([instance.pk]))


def on_bundle(sender, instance, **kwargs):
    mark_dirty(bundle_ids=[instance.pk])


def on_member(sender, instance, **kwargs):
    mark_dirty(bundle_ids=[instance.bundle_id])


def connect() -> None:
    post_save.connect(on_item, sender=ServiceItem, dispatch_uid="kb_item")
    for model in (Material, Step, Faq):
        post_save.connect(on_item_child, sender=model, dispatch_uid=f"kb_{model.__name__}")
        post_delete.connect(on_item_child, sender=model, dispatch_uid=f"kb_{model.__name__}_del")
    post_save.connect(on_implementation, sender=ItemImplementation, dispatch_uid="kb_impl")
    post_save.connect(on_bundle, sender=Bundle, dispatch_uid="kb_bundle")
    post_save.connect(on_member, sender=BundleMember, dispatch_uid="kb_member")
