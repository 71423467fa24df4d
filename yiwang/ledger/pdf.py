"""The quarterly 通报 as a PDF (landscape A4, reportlab's built-in Chinese CID font, as the guides use)."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yiwang.portal.pdf import _p, _styles

STATE = {"on_time": "按时", "late": "逾期", "missing": "未报", "pending": "未到期"}
PROGRESS_SHORT = {"not_started": "未启动", "in_progress": "推进中", "done": "已完成"}


def _grid(rows, widths, style) -> Table:
    t = Table([[_p(c, style) for c in r] for r in rows], colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def bulletin_pdf(b) -> bytes:
    s = _styles()
    story = [Paragraph(f"{b.plan.name}工作落实情况通报", s["title"]),
             Paragraph(f"{b.label}　{b.plan.office.name}", s["subtitle"]), Spacer(1, 4 * mm),
             Paragraph("一、报送情况", s["h2"])]
    head = ["填报单位", *[f"{m:%Y-%m}" for m in b.months], "按时", "逾期", "未报"]
    rows = [[r["unit"].name, *[STATE[c["state"]] for c in r["cells"]], r["on_time"], r["late"], r["missing"]]
            for r in b.timeliness]
    story.append(_grid([head, *rows], [70 * mm] + [28 * mm] * 3 + [18 * mm] * 3, s["cell"]))
    story.append(Paragraph("二、需督促单位", s["h2"]))
    story.append(Paragraph("；".join(f"{r['unit'].name}（逾期{r['late']}次、未报{r['missing']}次）" for r in b.laggards)
                           or "无", s["body"]))
    story.append(Paragraph("三、各措施落实进展（附件3）", s["h2"]))
    width = (277 - 62) * mm / max(len(b.units), 1)
    head = ["改革措施", *[u.name for u in b.units]]
    rows = [[f"{row['task'].code}.{row['task'].title}",
             *[PROGRESS_SHORT.get(e.progress, "") if e else "未报" for e in row["cells"]]] for row in b.matrix]
    small = s["cell"].clone("small", fontSize=7.5, leading=10)
    story.append(_grid([head, *rows], [62 * mm] + [width] * len(b.units), small))
    buf = BytesIO()
    SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm, topMargin=12 * mm,
                      bottomMargin=12 * mm, title=f"{b.plan.name}通报").build(story)
    return buf.getvalue()
