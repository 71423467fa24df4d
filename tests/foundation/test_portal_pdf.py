"""PDFs of the guide and the checklist (明白卡): Chinese text in reportlab's STSong-Light CID font."""

import shutil
import subprocess

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(
    not (PDFTOTEXT and PDFTOPPM), reason="poppler-utils absent (apt-get install -y poppler-utils)"
)


def _get_pdf(url: str) -> bytes:
    r = Client().get(url)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    return r.content


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return "".join(out.stdout.decode("utf-8").split())  # CJK lines wrap anywhere: compare without spaces


@pytest.mark.parametrize("url", ["/bundles/QYKB/checklist.pdf", "/items/430321-QYSLDJ/guide.pdf"])
def test_pdf_is_a_pdf_in_the_chinese_cid_font(url):
    pdf = _get_pdf(url)
    assert pdf.startswith(b"%PDF-")
    assert b"STSong-Light" in pdf
    assert b"UniGB-UCS2-H" in pdf  # the Unicode CMap: characters, not boxes


@needs_poppler
def test_checklist_pdf_shows_the_chinese_checklist(tmp_path):
    text = _text(_get_pdf("/bundles/QYKB/checklist.pdf"), tmp_path)
    for phrase in ("企业开办", "明白卡", "公司章程", "营业执照", "由本一件事中的企业设立登记产生，无需提交",
                   "免提交（数据共享获取）", "第2步", "同时办理", "填一份表"):
        assert phrase in text, phrase


@needs_poppler
def test_guide_pdf_shows_every_section(tmp_path):
    from yiwang.portal.guide import GUIDE_SECTIONS

    text = _text(_get_pdf("/items/430321-QYSLDJ/guide.pdf"), tmp_path)
    positions = [text.index(title) for _, title in GUIDE_SECTIONS]
    assert positions == sorted(positions)
    for phrase in ("企业设立登记", "430321-QYSLDJ", "湘潭县市场监督管理局", "公司章程", "不收费"):
        assert phrase in text, phrase


@needs_poppler
def test_pdf_renders_to_an_image(tmp_path):
    pdf = tmp_path / "checklist.pdf"
    pdf.write_bytes(_get_pdf("/bundles/QYKB/checklist.pdf"))
    subprocess.run([PDFTOPPM, "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   capture_output=True, check=True)
    pages = list(tmp_path.glob("page*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 1000
