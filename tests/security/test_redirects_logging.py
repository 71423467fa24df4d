"""`next` never leads off-site; a 403 or 404 logs one line (issue 12, item 11)."""

import logging

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    from yiwang.cases import services
    from yiwang.catalogue.models import ItemImplementation

    clerk = get_user_model().objects.get(username="clerk")
    fields = ItemImplementation.objects.get(impl_code="430321-GZKZBA").item.form_fields
    return services.case_submit(actor=clerk, item="430321-GZKZBA", channel="window", form={f: "示例" for f in fields},
                                applicant={"kind": "enterprise", "number": "91430321MA4L16JQ95", "name": "湘潭示范科技"})


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "///evil.example"])
@pytest.mark.parametrize("what", ["act", "upload"])
def test_next_off_site_on_a_case_action_falls_back_to_the_case_page(client, case, what, target):
    client.force_login(get_user_model().objects.get(username="clerk"))
    r = client.post(f"/cases/{case.number}/{what}/", {"action": "no-such-action", "next": target})
    if what == "act":  # refused: the case page again with the error at the form, no redirect at all
        assert r.status_code == 400 and not r.has_header("Location")
    else:
        assert r.status_code == 302 and "evil.example" not in r["Location"]
        assert r["Location"].startswith("/") and not r["Location"].startswith(("//", "/\\"))
    r = client.post(f"/cases/{case.number}/{what}/", {"action": "no-such-action", "next": "/workbench/"})
    assert r["Location"] == "/workbench/"  # on-site still followed


def test_a_403_logs_one_line_without_a_traceback(client, caplog):
    client.force_login(get_user_model().objects.get(username="zhang"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        r = client.get("/workbench/")
    assert r.status_code == 403
    records = [rec for rec in caplog.records if rec.name == "django.request"]
    assert records and all(rec.exc_info is None for rec in records)
    assert "Traceback" not in caplog.text
