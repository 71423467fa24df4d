"""The 12345 bulletin (12345 简报) for leaders: a week's or a month's figures from the requests and
their history — volumes by kind, channel, category and unit, timeliness, satisfaction at the visit
back, hot topics period on period, overdue, 督办 and 办不成事 lists, enterprise demands — as a page
(bulletin.html), an Excel workbook and a PDF. Counts only: no requester appears anywhere. The worker
issues a day's, a week's and a month's edition when the period ends (editions.py).

Definitions (indicators.md §3; the denominators are stated on the page):
- 受理量: requests received in the period (by 受理时间), merged duplicates included;
- 按时办结率: requests closed in the period by their deadline (a coordinated one by its joint
  deadline) ÷ requests closed in the period (即时办结 and merged ones included: closed on receipt);
- 回访满意率: visits back in the period at 非常满意/满意/基本满意 (GB/T 39046 codes 1–3) ÷ visits back;
- 热点: the five categories received most, with the change on the period before (环比).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from io import BytesIO

from django.db.models import Count, F, Max, Q, QuerySet

from yiwang.evaluations.rules import TZ

from . import rules
from .models import DemandItem, Kind, Request, RequestChannel, RequestEvent, Status


@dataclass
class Bulletin:
    period: rules.Period
    scope: str
    received: int = 0
    received_before: int = 0
    closed: int = 0
    closed_on_time: int = 0
    visits: int = 0
    satisfied: int = 0
    by_kind: list = field(default_factory=list)
    by_channel: list = field(default_factory=list)
    by_category: list = field(default_factory=list)
    by_unit: list = field(default_factory=list)
    hot: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    escalated: list = field(default_factory=list)
    supervised: list = field(default_factory=list)
    demands: dict = field(default_factory=dict)

    @property
    def on_time_rate(self):
        return rules.rate(self.closed_on_time, self.closed)

    @property
    def satisfaction_rate(self):
        return rules.rate(self.satisfied, self.visits)

    @property
    def received_change(self):
        return rules.change(self.received, self.received_before)


def _bounds(p: rules.Period) -> tuple[datetime, datetime]:
    return datetime.combine(p.start, time.min, tzinfo=TZ), datetime.combine(p.end, time.min, tzinfo=TZ)


def _labelled(rows, labels: dict) -> list[tuple[str, int]]:
    return [(labels.get(k, k), n) for k, n in rows]


def _counts(qs: QuerySet, key: str) -> list[tuple]:
    return list(qs.values_list(key).annotate(n=Count("id")).order_by("-n", key))


def _on_time(closed: QuerySet) -> int:
    due = Q(joint_deadline_at__isnull=False, closed_at__lte=F("joint_deadline_at")) | Q(
        joint_deadline_at__isnull=True, closed_at__lte=F("deadline_at"))
    return closed.filter(due).count()


def bulletin(period: rules.Period, *, region_codes: list[str] | None = None, scope: str = "") -> Bulletin:
    """The figures of one period; `region_codes` limits it to a region subtree (a leader's)."""
    base = Request.objects.all()
    if region_codes is not None:
        base = base.filter(region_id__in=region_codes)
    start, end = _bounds(period)
    before_start, before_end = _bounds(period.previous())
    received = base.filter(received_at__gte=start, received_at__lt=end)
    before = base.filter(received_at__gte=before_start, received_at__lt=before_end)
    closed = base.filter(closed_at__gte=start, closed_at__lt=end)
    b = Bulletin(period=period, scope=scope, received=received.count(), received_before=before.count(),
                 closed=closed.count(), closed_on_time=_on_time(closed))
    visits = RequestEvent.objects.filter(request__in=base, action="visit", at__gte=start, at__lt=end)
    levels = [d.get("level") for d in visits.values_list("data", flat=True)]
    b.visits, b.satisfied = len(levels), sum(1 for x in levels if x in (1, 2, 3))
    b.by_kind = _labelled(_counts(received, "kind"), dict(Kind.choices))
    b.by_channel = _labelled(_counts(received, "channel"), dict(RequestChannel.choices))
    b.by_category = [(name, n) for name, n in _counts(received, "category__name")[:10]]
    b.by_unit = _units(received, closed)
    b.hot = _hot(received, before)
    b.overdue = list(base.filter(overdue=True, status__in=[s for s in Status.values if s not in ("closed", "merged")])
                     .select_related("unit", "category").order_by("deadline_at")[:50])
    b.escalated = list(base.filter(events__action__in=["escalate", "visit"], events__to_status=Status.ESCALATED,
                                   events__at__gte=start, events__at__lt=end)
                       .select_related("lead_unit", "category").distinct().order_by("received_at")[:50])
    b.supervised = _supervised(base, start, end)
    items = DemandItem.objects.filter(request__in=received)
    b.demands = {"requests": received.filter(is_demand=True).count(), "items": items.count(),
                 "items_closed": items.filter(closed_at__isnull=False).count()}
    return b


def _supervised(base: QuerySet, start: datetime, end: datetime) -> list[dict]:
    """督办 in the period: each request a supervisor pressed (the 督办 action), how often and when last."""
    rows = (RequestEvent.objects.filter(request__in=base, action="supervise", at__gte=start, at__lt=end)
            .values("request_id").annotate(n=Count("id"), last=Max("at")).order_by("last")[:50])
    per = {r["request_id"]: r for r in rows}
    reqs = Request.objects.filter(pk__in=per).select_related("unit", "category")
    return sorted(({"request": r, "times": per[r.pk]["n"], "last": per[r.pk]["last"]} for r in reqs),
                  key=lambda x: (x["last"], x["request"].number))


def _units(received: QuerySet, closed: QuerySet) -> list[dict]:
    """Per handling unit: received (dispatched to it), closed, closed on time and the on-time rate."""
    rows: dict = {}
    for name, n in _counts(received.filter(unit__isnull=False), "unit__name"):
        rows.setdefault(name, {"unit": name, "received": 0, "closed": 0, "on_time": 0})["received"] = n
    for name, n in _counts(closed.filter(unit__isnull=False), "unit__name"):
        rows.setdefault(name, {"unit": name, "received": 0, "closed": 0, "on_time": 0})["closed"] = n
    for name in list(rows):
        rows[name]["on_time"] = _on_time(closed.filter(unit__name=name))
        rows[name]["rate"] = rules.rate(rows[name]["on_time"], rows[name]["closed"])
    return sorted(rows.values(), key=lambda r: (-r["received"], r["unit"]))


def _hot(received: QuerySet, before: QuerySet) -> list[dict]:
    earlier = dict(_counts(before, "category__name"))
    return [{"category": name, "n": n, "before": earlier.get(name, 0), "change": rules.change(n, earlier.get(name, 0))}
            for name, n in _counts(received, "category__name")[:5]]


# --- renderings -----------------------------------------------------------------------------------

def _pct(v) -> str:
    return "—" if v is None else f"{v}%"


def summary_rows(b: Bulletin) -> list[tuple[str, str, str]]:
    """(figure, value, definition): the head of every rendering."""
    return [
        ("受理量", str(b.received), f"本期受理；上期 {b.received_before}，环比 {_pct(b.received_change)}"),
        ("按时办结率", _pct(b.on_time_rate), f"本期办结且未超办理时限 {b.closed_on_time} ÷ 本期办结 {b.closed}"),
        ("回访满意率", _pct(b.satisfaction_rate), f"本期回访为非常满意、满意、基本满意 {b.satisfied} ÷ 本期回访 {b.visits}"),
        ("超期未办结", str(len(b.overdue)), "当前已超过办理时限、尚未办结的工单"),
        ("督办", str(len(b.supervised)), "本期被督办的工单数"),
        ("办不成事", str(len(b.escalated)), "本期转入办不成事协调的工单数"),
        ("企业诉求", f"{b.demands.get('requests', 0)} 件 / {b.demands.get('items', 0)} 项",
         f"本期受理的企业诉求；其中已销号 {b.demands.get('items_closed', 0)} 项"),
    ]


def bulletin_xlsx(b: Bulletin) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "简报"
    ws.append([f"12345热线{rules.BULLETIN_PERIODS[b.period.kind]}（{b.period.label}）{b.scope}"])
    ws["A1"].font = Font(bold=True, size=14)
    for title, head, rows in _sections(b):
        ws.append([])
        ws.append([title])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        ws.append(head)
        for r in rows:
            ws.append(list(r))
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 60
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sections(b: Bulletin) -> list[tuple[str, list[str], list]]:
    """The bulletin's tables, in the order every rendering shows them."""
    return [
        ("一、总体情况", ["指标", "数值", "口径"], summary_rows(b)),
        ("二、按诉求类型", ["类型", "件数"], b.by_kind),
        ("三、按来源渠道", ["渠道", "件数"], b.by_channel),
        ("四、按诉求分类（前10）", ["分类", "件数"], b.by_category),
        ("五、热点问题（环比）", ["分类", "本期", "上期", "环比"],
         [(h["category"], h["n"], h["before"], _pct(h["change"])) for h in b.hot]),
        ("六、承办单位", ["承办单位", "派至本单位", "办结", "按时办结", "按时办结率"],
         [(u["unit"], u["received"], u["closed"], u["on_time"], _pct(u["rate"])) for u in b.by_unit]),
        ("七、超期未办结工单", ["工单编号", "分类", "承办单位", "办理时限"],
         [(r.number, r.category.name, r.unit.name if r.unit_id else "", f"{r.deadline_at.astimezone(TZ):%Y-%m-%d}")
          for r in b.overdue]),
        ("八、督办工单", ["工单编号", "分类", "承办单位", "督办次数", "最近督办", "状态"],
         [(x["request"].number, x["request"].category.name, x["request"].unit.name if x["request"].unit_id else "",
           x["times"], f"{x['last'].astimezone(TZ):%Y-%m-%d}", x["request"].get_status_display())
          for x in b.supervised]),
        ("九、办不成事协调", ["工单编号", "分类", "牵头单位", "状态"],
         [(r.number, r.category.name, r.lead_unit.name if r.lead_unit_id else "未定", r.get_status_display())
          for r in b.escalated]),
    ]


def bulletin_pdf(b: Bulletin) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    from yiwang.portal.pdf import _build, _p, _styles, _table

    s = _styles()
    story = [_p(f"12345热线{rules.BULLETIN_PERIODS[b.period.kind]}", s["title"]),
             _p(f"{b.period.label}　{b.scope}", s["subtitle"]), Spacer(1, 4 * mm)]
    for title, head, rows in _sections(b):
        story.append(_p(title, s["h2"]))
        if not rows:
            story.append(_p("无", s["body"]))
            continue
        width = 174 * mm / len(head)
        story.append(_table([head, *[list(r) for r in rows]], [width] * len(head), s["cell"]))
    return _build(story, f"12345热线简报 {b.period.label}")
