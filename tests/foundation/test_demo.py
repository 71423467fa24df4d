"""Loading the demo twice changes nothing: the same rows in every table, no row saved again."""

import pytest
from django.apps import apps
from django.db.models.signals import post_save

from yiwang.demo.loader import load_demo

pytestmark = pytest.mark.django_db

APPS = ["organisations", "parties", "workcalendar", "catalogue", "auth"]


def _tables() -> dict[str, list[dict]]:
    snapshot = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            snapshot[model._meta.db_table] = list(model.objects.order_by("pk").values())
    return snapshot


def test_loading_the_demo_twice_changes_nothing():
    before = _tables()
    saved = []

    def record(sender, instance, created, **kwargs):
        if sender._meta.app_label in APPS:  # the foundation's tables; other apps' demos test their own
            saved.append((sender.__name__, instance.pk, created))

    post_save.connect(record)
    try:
        load_demo()
    finally:
        post_save.disconnect(record)
    assert saved == []
    after = _tables()
    assert {t: len(rows) for t, rows in after.items()} == {t: len(rows) for t, rows in before.items()}
    for table in before:
        assert after[table] == before[table], table


@pytest.mark.parametrize("table,count", [
    # bundles: 7 of the catalogue and the policies' 政策兑现一件事; empowerments: 11 to parks, 7 to 湘潭县's towns and community point; 2 rows on the 跨域通办清单
    ("catalogue_bundle", 8), ("catalogue_empowerment", 18), ("organisations_region", 14),
    ("catalogue_remoteintakelisting", 2),
])
def test_demo_counts(table, count):
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    assert model.objects.count() == count


def test_demo_restores_a_changed_row_and_only_that_row():
    from yiwang.catalogue.models import ServiceItem

    ServiceItem.objects.filter(basic_code="FPSL").update(name="改坏了")
    saved = []

    def record(sender, instance, created, **kwargs):
        if sender._meta.app_label in APPS:
            saved.append((sender.__name__, getattr(instance, "basic_code", instance.pk)))

    post_save.connect(record)
    try:
        load_demo()
    finally:
        post_save.disconnect(record)
    assert saved == [("ServiceItem", "FPSL")]
    assert ServiceItem.objects.get(basic_code="FPSL").name == "首次申领发票"
