"""Chinese by default, English on request through Django's set_language."""

import gettext
import re
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "yiwang" / "locale" / "en" / "LC_MESSAGES"


def _header(html: str) -> str:
    return html.split("</header>")[0]


def test_chinese_is_the_default():
    header = _header(Client().get("/").content.decode())
    assert '<html lang="zh-hans">' in header
    assert "个人办事" in header and "Personal services" not in header


def test_switching_to_english_shows_english_nav_and_back_to_chinese():
    c = Client()
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/items/430321-QYSLDJ/"})
    assert r.status_code == 302 and r["Location"] == "/items/430321-QYSLDJ/"
    html = c.get("/").content.decode()
    header = _header(html)
    assert '<html lang="en">' in header
    for text in ("Home", "Personal services", "Business services", "One thing, done once", "Log in", "Search",
                 "Xiangtan County Government Services"):
        assert text in header, text
    assert "个人办事" not in header
    guide = c.get("/items/430321-QYSLDJ/").content.decode()
    assert "Legal basis" in guide and "Materials" in guide and "Apply online" in guide
    assert "企业设立登记" in guide  # the catalogue's own data stays as published
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "个人办事" in _header(c.get("/").content.decode())


def test_english_404_and_bundle_checklist():
    c = Client()
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    r = c.get("/items/NOPE/")
    assert r.status_code == 404 and "Page not found" in r.content.decode()
    html = c.get("/bundles/QYKB/").content.decode()
    assert "Produced by 企业设立登记 within this bundle, not to be submitted" in html


def _po_pairs() -> list[tuple[str, str]]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    unescape = {'\\"': '"', "\\n": "\n", "\\\\": "\\"}

    def clean(s: str) -> str:
        return re.sub(r'\\["n\\]', lambda m: unescape[m.group(0)], s)

    return [(clean(a), clean(b)) for a, b in re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', text, re.M)]


def test_compiled_catalogue_is_committed_and_matches_the_po_file():
    """The runtime needs no gettext tools: django.mo is in the repository and up to date."""
    with open(LOCALE / "django.mo", "rb") as f:
        catalog = gettext.GNUTranslations(f)
    stale = [mid for mid, mstr in _po_pairs() if mid and catalog.gettext(mid) != mstr]
    assert not stale, f"django.mo is stale (run msgfmt -o django.mo django.po): {stale[:3]}"


def test_every_msgid_has_an_english_translation():
    pairs = _po_pairs()
    untranslated = [mid for mid, mstr in pairs if mid and not mstr]
    assert pairs and not untranslated
    assert "#, fuzzy" not in (LOCALE / "django.po").read_text(encoding="utf-8")
