"""The licence as a PDF: Chinese text in reportlab's built-in CID font STSong-Light (no font file
to ship), the seal drawn as a red round mark, and a QR code (segno, drawn as vector squares) that
leads to the public verification page."""

import io
import math

import segno
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from .models import Licence

FONT = "STSong-Light"
RED = Color(0.82, 0.08, 0.08)
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(line + ch, FONT, size) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    return lines + [line] if line else lines or [""]


def _seal_mark(c: canvas.Canvas, cx: float, cy: float, radius: float, unit_name: str) -> None:
    """A round red seal: the unit's name along the upper arc, a star, and 行政审批专用章 across."""
    c.saveState()
    c.setStrokeColor(RED)
    c.setFillColor(RED)
    c.setLineWidth(2.2)
    c.circle(cx, cy, radius, stroke=1, fill=0)
    # the star
    points = []
    for i in range(10):
        r = radius * (0.24 if i % 2 == 0 else 0.1)
        a = math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    path = c.beginPath()
    path.moveTo(*points[0])
    for p in points[1:]:
        path.lineTo(*p)
    path.close()
    c.drawPath(path, stroke=0, fill=1)
    # the name along the arc, from left to right over the top
    size = min(11.0, radius * 0.3)
    c.setFont(FONT, size)
    n = len(unit_name)
    span = min(math.radians(250), math.radians(24) * n)
    text_radius = radius - size * 1.05
    for i, ch in enumerate(unit_name):
        angle = math.pi / 2 + span / 2 - (span * (i + 0.5) / n)
        x, y = cx + text_radius * math.cos(angle), cy + text_radius * math.sin(angle)
        c.saveState()
        c.translate(x, y)
        c.rotate(math.degrees(angle) - 90)
        c.drawCentredString(0, -size / 3, ch)
        c.restoreState()
    c.setFont(FONT, size * 0.95)
    c.drawCentredString(cx, cy - radius * 0.55, "行政审批专用章")
    c.restoreState()


def _qr(c: canvas.Canvas, x: float, y: float, size: float, data: str) -> None:
    qr = segno.make(data, error="m", micro=False)
    rows = [list(r) for r in qr.matrix]
    n = len(rows) + 8  # quiet zone of 4 modules
    module = size / n
    c.saveState()
    c.setFillColor(black)
    for j, row in enumerate(rows):
        for i, dark in enumerate(row):
            if dark:
                c.rect(x + (i + 4) * module, y + size - (j + 5) * module, module, module, stroke=0, fill=1)
    c.restoreState()


def licence_pdf(licence: Licence, *, verify_url: str) -> bytes:
    font = _font()
    buf = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{licence.licence_type.name} {licence.identifier}")
    c.setAuthor(licence.issuer_name)
    c.setSubject("电子证照")
    margin = 20 * mm
    c.setStrokeColor(Color(0.7, 0.55, 0.2))
    c.setLineWidth(3)
    c.rect(margin / 2, margin / 2, width - margin, height - margin)
    c.setFillColor(black)
    c.setFont(font, 28)
    c.drawCentredString(width / 2, height - 45 * mm, licence.licence_type.name)
    c.setFont(font, 9)
    c.drawCentredString(width / 2, height - 53 * mm, f"证照标识：{licence.identifier}")

    rows = [
        ("持证主体", licence.holder_name),
        ("主体代码", licence.holder_number),
        ("证照编号", f"{licence.serial}（第{licence.version:03d}版）"),
    ]
    rows += [(str(k), str(v)) for k, v in (licence.content or {}).items()]
    rows += [
        ("颁发机构", licence.issuer_name),
        ("以谁的名义", licence.in_name_of_name),
        ("颁发日期", f"{licence.issue_date:%Y年%m月%d日}"),
        ("有效期限", f"{licence.valid_from:%Y年%m月%d日} 至 "
                     + (f"{licence.valid_to:%Y年%m月%d日}" if licence.valid_to else "长期")),
    ]
    y = height - 70 * mm
    label_x, value_x = margin + 8 * mm, margin + 40 * mm
    value_width = width - value_x - margin - 8 * mm
    for label, value in rows:
        c.setFont(font, 12)
        c.drawString(label_x, y, label)
        for line in _wrap(value, value_width, 12):
            c.drawString(value_x, y, line)
            y -= 7 * mm
        y -= 2 * mm
        if y < 90 * mm:
            break

    _qr(c, margin + 5 * mm, margin + 8 * mm, 38 * mm, verify_url)
    c.setFont(font, 8)
    c.drawString(margin + 5 * mm, margin + 5 * mm, "扫码核验证照真伪与状态")
    _seal_mark(c, width - margin - 38 * mm, margin + 40 * mm, 22 * mm, licence.issuer_name)
    c.setFont(font, 11)
    c.drawRightString(width - margin - 8 * mm, margin + 12 * mm, licence.issuer_name)
    c.drawRightString(width - margin - 8 * mm, margin + 6 * mm, f"{licence.issue_date:%Y年%m月%d日}")
    c.setFont(font, 7)
    c.setFillColor(Color(0.4, 0.4, 0.4))
    c.drawString(margin + 50 * mm, margin + 16 * mm, f"电子印章：{licence.seal.name}（SM2/SM3）")
    c.drawString(margin + 50 * mm, margin + 12 * mm, f"签名：{licence.signature[:48]}…")
    c.showPage()
    c.save()
    return buf.getvalue()
