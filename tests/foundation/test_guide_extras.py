"""办事指南 extras national guides have: 常见问题, forms to download, 到现场次数, 网办深度, 监督投诉电话."""

import pytest
from django.test import Client

from yiwang.catalogue import rules, services
from yiwang.catalogue.models import ItemImplementation, ServiceItem
from yiwang.core.errors import DomainError

from .test_portal_pdf import _text, needs_poppler

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "depth, visits, problem",
    [
        ("4", 0, ""),
        ("4", 1, "到办事现场次数应为0次"),
        ("3", 0, "网上办理深度应为“Ⅳ级 全程网办”"),
        ("3", 1, ""),
        ("2", 2, ""),
        ("1", 3, "不应超过2次"),
    ],
)
def test_online_depth_and_visits_must_agree(depth, visits, problem):
    found = rules.guide_depth_problem(online_depth=depth, visits=visits)
    assert (problem in found) if problem else found == ""


def test_an_item_whose_depth_and_visits_disagree_is_refused_at_the_visits_field():
    item = ServiceItem.objects.get(basic_code="FPSL")
    item.visits = 1
    with pytest.raises(DomainError) as exc:
        services.item_validate(item=item)
    assert exc.value.field == "visits"


def test_guide_page_shows_visits_depth_complaint_phone_forms_and_faq():
    html = Client().get("/items/430321-QYSLDJ/").content.decode()
    for text in ("到办事现场次数", "1次", "网上办理深度", "Ⅲ级 在线受理与办理", "监督投诉电话",
                 "表格下载", "公司登记（备案）申请书", "示范文本", "常见问题", "企业名称需要先核准吗？"):
        assert text in html, text
    assert "0次（全程网办，不用跑）" in Client().get("/items/430321-FPSL/").content.decode()


def test_the_guides_forms_download_as_pdfs_named_by_the_form():
    impl = ItemImplementation.objects.get(impl_code="430321-QYSLDJ")
    forms = list(impl.item.guide_forms.all())
    assert [f.kind for f in forms] == ["blank", "sample"]
    for f in forms:
        r = Client().get(f"/items/430321-QYSLDJ/forms/{f.pk}/")
        assert r.status_code == 200
        body = b"".join(r.streaming_content)
        assert body.startswith(b"%PDF")
        assert "attachment" in r["Content-Disposition"]


def test_a_form_of_another_item_is_not_served_under_this_one():
    f = ItemImplementation.objects.get(impl_code="430321-QYSLDJ").item.guide_forms.first()
    r = Client().get(f"/items/430321-FPSL/forms/{f.pk}/")
    assert r.status_code == 404 and "该表格不存在" in r.content.decode()


@needs_poppler
def test_guide_pdf_has_the_new_sections(tmp_path):
    text = _text(Client().get("/items/430321-QYSLDJ/guide.pdf").content, tmp_path)
    for s in ("监督投诉电话", "常见问题", "表格下载", "到办事现场次数"):
        assert s in text, s


def test_api_item_detail_has_the_guide_extras(api_client):
    client = api_client
    data = client.get("/api/v1/items/430321-QYSLDJ").json()
    assert data["visits"] == 1 and data["online_depth"] == "3" and data["online_depth_name"].startswith("Ⅲ级")
    assert data["faqs"][0]["question"] == "企业名称需要先核准吗？"
    assert [f["kind"] for f in data["forms"]] == ["blank", "sample"]
    assert client.get(data["forms"][0]["url"]).status_code == 200


def test_faq_text_is_in_the_one_search_index():
    from yiwang.kb.selectors import kb_search

    assert kb_search("营业执照可以邮寄吗")[0].article.title == "企业设立登记"
