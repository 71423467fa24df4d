"""适老化 and accessibility: labels on every form control of every page a persona reaches, focus order
is the DOM order (no positive tabindex), the main palette's text contrast, the 大字版 switch."""

import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from .a11y import positive_tabindex, unlabelled_controls

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PERSONAS = [None, "zhang", "xtkj", "clerk", "bundleclerk", "approver", "head", "operator", "supervisor",
            "leader", "agent", "xtx-kgj"]
START = ["/", "/progress/", "/12345/", "/accounts/login/", "/apply/430321-QYSLDJ/", "/bundles/QYKB/",
         "/workbench/", "/policies/", "/policies/calculator/"]
SKIP = re.compile(r"^/(admin|api|static|media|accounts/logout|elder|i18n)/|\.(pdf|xlsx|csv|zip)$|/forms/\d+/$")
MAX_PAGES = 60  # per persona: breadth first from START, enough to reach every kind of form page


def _client(username):
    c = Client()
    if username:
        c.force_login(get_user_model().objects.get(username=username))
    return c


def _links(html: str, base: str) -> list[str]:
    out = []
    for href in re.findall(r'href="([^"#]+)', html):
        u = urlparse(urljoin(base, href.replace("&amp;", "&")))
        if u.netloc in ("", "testserver") and not SKIP.search(u.path):
            out.append(u.path + (f"?{u.query}" if u.query else ""))
    return out


def _walk(username) -> dict[str, str]:
    """The HTML of the pages a persona reaches by following links (GET only)."""
    c, seen, pages = _client(username), set(), {}
    queue = deque(START)
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        r = c.get(url)
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        html = r.content.decode()
        pages[url] = html
        queue.extend(u for u in _links(html, url) if u not in seen)
    return pages


@pytest.mark.parametrize("username", PERSONAS)
def test_every_form_control_a_persona_meets_has_a_label_and_focus_follows_the_dom(username):
    pages = _walk(username)
    with_forms = [u for u, h in pages.items() if "<form" in h]
    assert len(with_forms) >= 2, (username, list(pages))
    problems = {u: unlabelled_controls(h) + positive_tabindex(h) for u, h in pages.items()}
    bad: dict[str, set] = {}
    for u, p in problems.items():
        if p:
            bad.setdefault(u.split("?")[0], set()).update(p)
    assert not bad, (username, bad)


@pytest.mark.parametrize(
    "html, bad",
    [
        ('<label for="a">名称</label><input id="a" name="a">', []),
        ('<label>名称 <input name="a"></label>', []),
        ('<input name="q" aria-label="搜索">', []),
        ('<input type="hidden" name="csrf"><button type="submit">提交</button>', []),
        ('<input name="a" id="a">', ["<input name='a' id='a'>"]),
        ('<label for="b">x</label><select name="a" id="a"></select>', ["<select name='a' id='a'>"]),
    ],
)
def test_the_label_check_itself(html, bad):
    assert unlabelled_controls(html) == bad


def test_no_template_sets_a_positive_tabindex():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "yiwang").rglob("*.html")
                 if re.search(r'tabindex="?[1-9]', p.read_text(encoding="utf-8"))]
    assert offenders == []


# --- contrast of the main palette (WCAG 2.x relative luminance) ----------------------------------------

def _lum(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    chans = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in chans]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_lum(a), _lum(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _palette(selector: str = ":root") -> dict[str, str]:
    css = (ROOT / "yiwang/core/static/yiwang/yiwang.css").read_text(encoding="utf-8")
    block = re.search(re.escape(selector) + r"\{([^}]*)\}", css).group(1)
    return dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{3,6})", block))


# (text, background) pairs the pages use for text: body, muted notes, links, header, tags, buttons, footer.
PAIRS = [
    ("ink", "card"), ("ink", "bg"), ("muted", "card"), ("muted", "bg"), ("blue", "card"), ("blue", "bg"),
    ("#ffffff", "red"), ("#ffffff", "red-dark"), ("red", "card"), ("red-dark", "red-soft"),
    ("green", "green-soft"), ("yellow", "yellow-soft"), ("overdue", "overdue-soft"), ("blue", "#e8f0fc"),
    ("muted", "#f0f1f3"), ("#5a1a00", "#ffd54a"), ("#d0d4d8", "#3a3f45"), ("overdue", "card"),
]


@pytest.mark.parametrize("elder", [False, True])
@pytest.mark.parametrize("fg, bg", PAIRS)
def test_text_of_the_main_palette_has_contrast_of_at_least_4_5(fg, bg, elder):
    colours = _palette() | (_palette("html.elder") if elder else {})

    def value(name):
        return name if name.startswith("#") else colours[name]

    assert contrast(value(fg), value(bg)) >= 4.5, (fg, bg)


# --- 大字版 without script ------------------------------------------------------------------------------

def test_the_elder_switch_is_on_every_page_and_persists_in_a_cookie():
    c = Client()
    html = c.get("/").content.decode()
    assert 'data-elder-toggle' in html and "大字版" in html and 'class="elder"' not in html
    r = c.post("/elder/", {"next": "/items/430321-QYSLDJ/"})
    assert r.status_code == 302 and r["Location"] == "/items/430321-QYSLDJ/"
    assert c.cookies["yiwang_elder"].value == "1"
    html = c.get("/items/430321-QYSLDJ/").content.decode()
    assert '<html lang="zh-hans" class="elder">' in html and "标准版" in html
    c.post("/elder/", {"next": "/"})
    assert 'class="elder"' not in c.get("/").content.decode()


def test_the_elder_switch_never_redirects_off_site():
    r = Client().post("/elder/", {"next": "https://evil.example/"})
    assert r["Location"] == "/"


def test_every_page_has_a_skip_link_to_the_main_content():
    html = Client().get("/progress/").content.decode()
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
