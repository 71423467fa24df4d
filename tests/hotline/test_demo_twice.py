"""Loading the demo again writes no row of the hotline, knowledge-base or evaluation tables."""

import pytest
from django.apps import apps
from django.db.models.signals import post_save

from yiwang.demo.hotline_demo import load_hotline_demo
from yiwang.demo.loader import load_demo

pytestmark = pytest.mark.django_db
APPS = {"hotline", "kb", "evaluations"}


def _tables() -> dict:
    out = {}
    for model in apps.get_models():
        if model._meta.app_label in APPS:
            out[model._meta.db_table] = sorted(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]),
                                               key=repr)
    return out


def test_loading_the_demo_twice_changes_no_row_in_hotline_kb_or_evaluations():
    load_hotline_demo()
    before = _tables()
    saved = []

    def record(sender, instance, created, **kwargs):
        if sender._meta.app_label in APPS:
            saved.append((sender.__name__, instance.pk, created))

    post_save.connect(record)
    try:
        load_demo()
    finally:
        post_save.disconnect(record)
    assert saved == []
    assert _tables() == before
