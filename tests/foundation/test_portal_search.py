"""The portal's search box runs on the one index the hotline's knowledge base uses (yiwang.kb)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.kb.models import Synonym
from yiwang.portal.templatetags.portal_search import mark_terms

pytestmark = pytest.mark.django_db


def _first(html: str, section_id: str) -> str | None:
    m = re.search(rf'<section class="card" id="{section_id}">(.*?)</section>', html, re.S)
    if not m:
        return None
    names = re.findall(r'class="name"[^>]*>(.*?)</(?:a|span)>', m.group(1))
    return re.sub(r"</?mark>", "", names[0]) if names else None


@pytest.mark.parametrize(
    "q, section, expected_first",
    [
        ("怎么办营业执照", "item-results", "企业设立登记"),
        ("如何办理营业执照", "item-results", "企业设立登记"),
        ("营业执照怎么办", "item-results", "企业设立登记"),
        ("qysldj", "item-results", "企业设立登记"),
        ("刻章去哪里", "item-results", "公章刻制备案"),
        ("社保卡怎么办", "item-results", "社会保障卡申领"),
        ("施工许可证", "item-results", "建筑工程施工许可证核发"),
        ("企业注销", "bundle-results", "企业注销"),
        ("开饭店", "bundle-results", "我要开餐馆"),
        ("qykb", "bundle-results", "企业开办"),
        ("出生", "bundle-results", "出生一件事"),
        ("政务中心办公时间", "answer-results", "政务服务中心办公时间"),
    ],
)
def test_questions_typed_in_the_search_box_find_the_expected_first_result(q, section, expected_first):
    r = Client().get("/", {"q": q})
    assert r.status_code == 200
    assert _first(r.content.decode(), section) == expected_first, q


def test_portal_and_hotline_answer_from_the_same_index():
    from yiwang.kb.selectors import kb_search

    question = "办个牌照"
    assert _first(Client().get("/", {"q": question}).content.decode(), "item-results") != "企业设立登记"
    Synonym.objects.create(term="牌照", expansions="营业执照")
    assert kb_search(question)[0].article.title == "企业设立登记"
    assert _first(Client().get("/", {"q": question}).content.decode(), "item-results") == "企业设立登记"


def test_question_words_alone_find_nothing():
    html = Client().get("/", {"q": "怎么办 如何办理"}).content.decode()
    assert "没有找到相关事项" in html


def test_matches_are_highlighted_and_the_rest_escaped():
    html = Client().get("/", {"q": "营业执照"}).content.decode()
    assert "<mark>营业执照</mark>" in html  # the licence the first result issues
    html = Client().get("/", {"q": "<b>营业执照</b>"}).content.decode()
    assert "<b>营业执照</b>" not in html


@pytest.mark.parametrize(
    "text, terms, expected",
    [
        ("企业设立登记", ["设立"], "企业<mark>设立</mark>登记"),
        ("<营业执照>", ["营业执照"], "&lt;<mark>营业执照</mark>&gt;"),
        ("a&amp", ["amp"], "a&amp;<mark>amp</mark>"),  # never inside an entity
        ("营业执照", ["营业", "营业执照"], "<mark>营业执照</mark>"),  # the longer word whole
        ("无匹配", [], "无匹配"),
    ],
)
def test_marking_escapes_then_marks(text, terms, expected):
    assert str(mark_terms(text, terms)) == expected


def test_a_case_number_in_the_search_box_opens_the_progress_lookup():
    r = Client().get("/", {"q": "430321-QYSLDJ202601050001"})
    assert r.status_code == 302 and r["Location"].startswith("/progress/?number=430321-QYSLDJ202601050001")


@pytest.mark.parametrize("q", ["营业执照", "一件事"])
def test_search_results_take_a_fixed_number_of_queries(q):
    client = Client()
    client.get("/", {"q": q})  # warm caches (sessions, site settings)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/", {"q": q}).status_code == 200
    assert len(ctx.captured_queries) <= 8, [c["sql"][:120] for c in ctx.captured_queries]
