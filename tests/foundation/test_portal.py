"""The public portal: search, grouping, the service guide, the bundle checklist, error pages."""

import re

import pytest
from django.test import Client

from yiwang.portal.guide import GUIDE_SECTIONS, relevance

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


def _result_names(html: str, section_id: str) -> list[str]:
    m = re.search(rf'<section class="card" id="{section_id}">(.*?)</section>', html, re.S)
    if not m:
        return []
    names = re.findall(r'<a class="name" href="[^"]+">(.*?)</a>', m.group(1))
    return [re.sub(r"</?mark>", "", n) for n in names]  # matches are highlighted


@pytest.mark.parametrize(
    "q, section, expected_first",
    [
        ("qykb", "bundle-results", "企业开办"),
        ("企业开办", "bundle-results", "企业开办"),
        ("营业执照", "item-results", "企业设立登记"),
        ("QYKB", "bundle-results", "企业开办"),
        ("qysldj", "item-results", "企业设立登记"),
        ("出生", "bundle-results", "出生一件事"),
        ("食品经营", "item-results", "食品经营许可"),
    ],
)
def test_search_finds_by_words_and_pinyin_initials_best_first(client, q, section, expected_first):
    r = client.get("/", {"q": q})
    assert r.status_code == 200
    names = _result_names(r.content.decode(), section)
    assert names, f"{q!r}: nothing in {section}"
    assert names[0] == expected_first


def test_search_for_a_licence_ranks_the_item_that_issues_it_before_items_that_only_ask_for_it(client):
    html = client.get("/", {"q": "营业执照"}).content.decode()
    names = _result_names(html, "item-results")
    assert names[0] == "企业设立登记"
    assert "公章刻制备案" in names  # asks for the licence: found, but after


def test_search_with_nothing_found_says_so_in_chinese_and_offers_pinyin(client):
    html = client.get("/", {"q": "不存在的事项名称xyz"}).content.decode()
    assert "没有找到相关事项" in html


def test_home_groups_services_for_persons_enterprises_and_bundles_by_theme(client):
    html = client.get("/").content.decode()
    person = re.search(r'id="person">(.*?)</section>', html, re.S).group(1)
    enterprise = re.search(r'id="enterprise">(.*?)</section>', html, re.S).group(1)
    bundles = re.search(r'id="bundles">(.*?)</section>', html, re.S).group(1)
    assert "出生户口登记" in person and "企业设立登记" not in person
    assert "企业设立登记" in enterprise and "出生户口登记" not in enterprise
    for theme in ("个人全周期", "企业全周期", "项目全周期"):
        assert theme in bundles
    assert bundles.index("出生一件事") < bundles.index("企业开办")  # person theme first


def test_home_shows_the_site_region_by_default_and_all_regions_on_request(client):
    default = client.get("/").content.decode()
    assert "430321-QYSLDJ" in default
    assert "430600-HPBGB" not in default  # 岳阳市's item is not 湘潭县's
    everything = client.get("/", {"region": "all"}).content.decode()
    assert "430600-HPBGB" in everything
    yueyang = client.get("/", {"region": "430600"}).content.decode()
    assert "430600-HPBGB" in yueyang and "430321-QYSLDJ" not in yueyang


def test_home_has_header_search_first_nav_and_footer(client):
    html = client.get("/").content.decode()
    assert "湘潭县政务服务网" in html
    header = html[html.index('<header class="site-header">'):html.index("</header>")]
    assert header.index('name="q"') < header.index('class="site-nav"')
    for label in ("首页", "个人办事", "法人办事", "一件事一次办", "登录", "中文", "English"):
        assert label in header
    assert 'action="/i18n/setlang/"' in header
    assert "工作台" not in header  # not for the public
    assert '<footer class="site-footer">' in html
    assert "/static/yiwang/htmx.min.js" in html and "/static/yiwang/yiwang.css" in html
    assert "http://" not in re.sub(r'href="http://[^"]*"', "", html).split("<body")[0]  # no CDN in head
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html


@pytest.mark.parametrize(
    "username, workbench",
    [("clerk", "/workbench/"), ("approver", "/workbench/"), ("catadmin", "/admin/"), ("zhang", None),
     ("xtkj", None)],
)
def test_workbench_link_only_for_staff_and_to_their_own_workbench(client, username, workbench):
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username=username))
    header = client.get("/").content.decode().split("</header>")[0]
    links = re.findall(r'<a href="([^"]+)">工作台</a>', header)
    assert links == ([workbench] if workbench else [])
    assert "退出" in header


def test_static_assets_are_served_by_the_platform(client):
    css = client.get("/static/yiwang/yiwang.css")
    js = client.get("/static/yiwang/htmx.min.js")
    assert css.status_code == 200 and js.status_code == 200
    css_text = b"".join(css.streaming_content).decode()
    for cls in (".tag-ok", ".tag-near", ".tag-overdue", "@media (max-width:700px)", ".workbench-menu", ".counters"):
        assert cls in css_text
    assert b"htmx" in b"".join(js.streaming_content)[:200]


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2>(.*?)</h2>", html, re.S)]


def test_guide_page_has_every_section_in_the_standard_order(client):
    r = client.get("/items/430321-QYSLDJ/")
    assert r.status_code == 200
    assert _headings(r.content.decode()) == [title for _, title in GUIDE_SECTIONS]


def test_guide_page_shows_the_elements_of_the_item(client):
    html = client.get("/items/430321-QYSLDJ/").content.decode()
    for text in ("430321-QYSLDJ", "行政确认", "湘潭县市场监督管理局", "承诺件", "《中华人民共和国市场主体登记管理条例》第十九条",
                 "公司章程", "数据共享获取", "申请人无需提交", "受理", "审核", "决定", "不收费", "0731-12345",
                 "营业执照", 'href="/apply/430321-QYSLDJ/"', "在线办理", 'href="/items/430321-QYSLDJ/guide.pdf"'):
        assert text in html, text
    # 法定 3, 承诺 1 working days
    assert re.search(r"法定办结时限</dt><dd>3 个工作日", html)
    assert re.search(r"承诺办结时限</dt><dd>1 个工作日", html)
    # the tolerable material is marked and its deadline to follow stated
    assert "可容缺" in html and "个工作日内补交" in html


def test_guide_page_of_an_instant_item_says_done_on_the_spot(client):
    html = client.get("/items/430321-GZKZBA/").content.decode()
    assert "即办件" in html and "当场办结" in html


def test_guide_page_of_a_commitment_item_says_so(client):
    html = client.get("/items/430321-SPJYXK/").content.decode()
    section = html[html.index('id="commitment"'):html.index('id="result"')]
    assert "是（申请人书面承诺后当场决定" in section


def test_unknown_item_code_gives_a_chinese_404_page(client):
    r = client.get("/items/430321-NOPE/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "页面不存在" in html and "430321-NOPE" in html and "返回首页" in html
    assert "湘潭县政务服务网" in html  # the site's own layout, not Django's


@pytest.mark.parametrize("url", ["/bundles/NOPE/", "/bundles/NOPE/checklist.pdf", "/items/NOPE/guide.pdf",
                                 "/no/such/page/"])
def test_unknown_pages_give_the_chinese_404(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert "页面不存在" in r.content.decode()


def test_error_templates_are_chinese():
    from django.template.loader import render_to_string

    assert "无权访问" in render_to_string("403.html", {"exception": ""})
    assert "系统繁忙" in render_to_string("500.html")


def test_bundle_page_lists_members_in_order_with_what_runs_in_parallel(client):
    html = client.get("/bundles/QYKB/").content.decode()
    order = html[html.index('id="order"'):html.index('id="checklist"')]
    assert order.index("第1步") < order.index("企业设立登记") < order.index("第2步") < order.index("公章刻制备案")
    assert "同时办理" in order
    assert "等待 企业设立登记 办结后进行" in order
    for name in ("首次申领发票", "单位参保登记", "住房公积金单位缴存登记", "预约银行开户"):
        assert order.index("第2步") < order.index(name)


def test_bundle_checklist_marks_the_licence_as_produced_inside_the_bundle(client):
    html = client.get("/bundles/QYKB/").content.decode()
    checklist = html[html.index('id="checklist"'):html.index('id="form"')]
    rows = re.findall(r'<tr class="([^"]+)">(.*?)</tr>', checklist, re.S)
    by_name = {re.search(r'cell-name">([^<]+)<', row).group(1): (cls, row) for cls, row in rows}
    assert len(by_name) == len(rows)  # each material once
    cls, row = by_name["营业执照"]
    assert cls == "not-to-submit"
    assert "由本一件事中的企业设立登记产生，无需提交" in row
    assert "公章刻制备案" in row and "首次申领发票" in row  # the members that need it
    assert by_name["法定代表人身份证明"][0] == "not-to-submit" and "免提交" in by_name["法定代表人身份证明"][1]
    assert by_name["公司章程"][0] == "to-submit"
    assert "可容缺" in by_name["住所（经营场所）使用证明"][1]


def test_bundle_page_has_the_merged_form_once_per_field_and_the_promised_days(client):
    html = client.get("/bundles/QYKB/").content.decode()
    form = html[html.index('id="form"'):]
    fields = re.findall(r'cell-name">([^<]+)<', form)
    assert fields.count("企业名称") == 1 and fields.count("联系电话") == 1
    row = re.search(r'cell-name">企业名称</td><td[^>]*>([^<]+)<', form).group(1)
    assert "企业设立登记" in row and "预约银行开户" in row
    assert "1 个工作日" in html
    assert 'href="/apply/bundle/QYKB/"' in html and "在线申请" in html
    assert 'href="/bundles/QYKB/checklist.pdf"' in html


def test_admin_renders_in_chinese_for_the_catalogue_admin(client):
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="catadmin"))
    r = client.get("/admin/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "一网通办 管理后台" in html
    assert "基本事项" in html or "实施清单" in html


@pytest.mark.parametrize(
    "q, name, licence, beats_name, beats_licence",
    [
        ("营业执照", "企业设立登记", "营业执照", "公章刻制备案", ""),
        ("qykb", "企业开办", "", "企业注销", ""),
        ("企业开办", "企业开办", "", "企业注销", ""),
    ],
)
def test_relevance_prefers_name_initials_and_licence_over_mentions(q, name, licence, beats_name, beats_licence):
    assert relevance(q, name=name, licence=licence) > relevance(q, name=beats_name, licence=beats_licence)


def test_workbench_layout_keeps_its_blocks_and_the_status_tags(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines

    page = engines["django"].from_string(
        '{% extends "yiwang/workbench_base.html" %}'
        '{% block title %}待办{% endblock %}'
        '{% block menu %}<a class="active" href="/x/">待受理</a>{% endblock %}'
        '{% block counters %}<a class="counter counter-overdue"><span class="counter-num">2</span>'
        '<span class="counter-label">超期</span></a>{% endblock %}'
        '{% block workbench %}<span class="tag tag-near">临期</span>{% endblock %}'
    )
    request = rf.get("/")
    request.user = AnonymousUser()
    html = page.render({}, request)
    assert "<title>待办 - 湘潭县政务服务网</title>" in html
    menu = html[html.index('class="workbench-menu"'):html.index('class="workbench-main"')]
    assert "待受理" in menu
    main = html[html.index('class="workbench-main"'):]
    assert main.index('class="counters"') < main.index("tag-near")
    assert "counter-overdue" in main
