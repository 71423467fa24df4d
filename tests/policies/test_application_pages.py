"""The application pages: 快申快享 online (profile data shown, only the account asked), 政策兑现一件事,
and the hall's 政策兑现专窗 (a clerk looks up an enterprise and applies for it)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.files import PDF
from yiwang.cases.models import Case
from yiwang.policies.demo import XTKJ
from yiwang.policies.models import Policy

pytestmark = pytest.mark.django_db


def signed_in(username):
    from django.contrib.auth import get_user_model

    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    return c


def material_input(code):
    m = Policy.objects.get(code=code).implementation.item.materials.first()
    return {f"material_{m.pk}": SimpleUploadedFile("报告.pdf", PDF, content_type="application/pdf")}


def test_the_online_application_shows_the_profile_and_asks_only_the_account():
    c = signed_in("xtkj")
    page = c.get("/policies/p/XTX-2026-KX01/apply/").content.decode()
    assert "一企一档数据（自动填入，无需再填）" in page and XTKJ in page
    assert 'name="bank"' in page and 'name="从业人数"' not in page
    bad = c.post("/policies/p/XTX-2026-KX01/apply/", {"enterprise": XTKJ, "bank": "建设银行", "account": "12x"})
    assert bad.status_code == 400 and "收款账号应为8至30位数字" in bad.content.decode()
    assert 'value="建设银行"' in bad.content.decode()  # what was typed is kept
    before = Case.objects.count()
    ok = c.post("/policies/p/XTX-2026-KX01/apply/", {"enterprise": XTKJ, "bank": "建设银行", "account": "6217001234567890",
                                                    **material_input("XTX-2026-KX01")})
    assert ok.status_code == 302 and Case.objects.count() == before + 1


def test_a_proactive_policy_has_no_application_page():
    assert signed_in("xtkj").get("/policies/p/XTX-2026-WG01/apply/").status_code == 404


def test_the_policy_window_looks_up_an_enterprise_and_applies_for_it():
    c = signed_in("clerk")
    page = c.get(f"/workbench/policies/window/?enterprise={XTKJ}").content.decode()
    assert "政策兑现专窗" in page and "科技型中小企业研发奖补" in page and "代为申报" in page
    assert "没有一企一档" in c.get("/workbench/policies/window/?enterprise=91430000000000000X").content.decode()
    form = c.get(f"/workbench/policies/window/XTX-2026-KX01/apply/?enterprise={XTKJ}")
    assert form.status_code == 200
    r = c.post("/workbench/policies/window/XTX-2026-KX01/apply/",
               {"enterprise": XTKJ, "bank": "建设银行", "account": "6217001234567890"})
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.filter(applicant__number=XTKJ, implementation__policy__code="XTX-2026-KX01").get()
    assert case.channel == "window"


def test_an_enterprise_account_may_not_use_the_window():
    assert signed_in("xtkj").get("/workbench/policies/window/").status_code == 403


def test_the_policy_bundle_is_offered_on_the_portal_and_applied_for_once():
    c = signed_in("xtkj")
    assert "科技创新政策兑现一件事" in c.get("/policies/").content.decode()
    r = c.post("/policies/bundle/XTX-ZCDX-KJ/apply/", {"bank": "建设银行", "account": "6217001234567890"})
    assert r.status_code == 302
