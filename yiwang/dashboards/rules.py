"""Dashboard rules as plain functions: each figure's definition, and what one subject's event history
contributes to the counters (办件口径: every figure counts cases, ratings or requests, not items).

A figure is numerator / denominator over counters summed in a period. Time attribution (indicators.md §0):
intake figures by the day of 受理, completion figures by the day of 办结 (decision), delivery figures by
the day of 送达, ratings by the day of 评价, rectifications and 12345 cohorts by the day they began
(so a rate's numerator is always a part of its denominator).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

DECISIONS = ("approve", "deny", "deemed_approve", "decide_on_acceptance")
RUNNING = ("accepted", "in_review", "paused")
GOOD_LEVELS = (1, 2, 3)  # 非常满意, 满意, 基本满意 (GB/T 39046 表A.8); 4 and 5 are 差评


@dataclass(frozen=True)
class Figure:
    code: str
    name: str
    kind: str  # rate (N/D as %), avg (N/D as a number), count (N)
    numerator: str
    denominator: str = ""
    definition: str = ""
    unit: str = ""
    group: str = "政务服务"
    live: bool = False  # a state now, not a sum over a period
    up_is_good: bool = True  # False for 超期, 差评, 重复来电, days used: a rise is a deterioration


FIGURES: tuple[Figure, ...] = (
    Figure("GOV-WB", "网办率", "rate", "case.accepted_online", "case.accepted",
           "网上申请并受理的办件数 ÷ 受理办件数（按受理日期）"),
    Figure("GOV-QCWB", "全程网办率", "rate", "case.full_online", "case.delivered",
           "网上申请、电子送达且未收纸质材料的办件数 ÷ 送达办件数（按送达日期）"),
    Figure("GOV-YCSL", "一窗受理率", "rate", "case.window_hall", "case.window_accepted",
           "由政务服务中心（行政审批服务局）综合窗口人员受理的件数 ÷ 窗口及代办申请的受理件数（按受理日期）"),
    Figure("GOV-JB", "即办率", "rate", "case.instant", "case.decided",
           "受理即办结（当场办结）的办件数 ÷ 办结办件数（按办结日期）"),
    Figure("GOV-AS", "按时办结率", "rate", "case.on_time", "case.decided",
           "在办结期限（扣除特别程序、含批准延期）内办结的办件数 ÷ 办结办件数（按办结日期）"),
    Figure("GOV-CQBJ", "超期办结件数", "count", "case.late", "",
           "办结日期晚于办结期限的办件数（按办结日期）", "件", up_is_good=False),
    Figure("GOV-CQZB", "在办超期件数", "count", "live.case.overdue", "",
           "当前仍在办理、办结期限已过的办件数（截至今日，不受统计期间影响）", "件", live=True, up_is_good=False),
    Figure("GOV-YS", "平均实际用时", "avg", "case.used_days", "case.decided",
           "办结办件自受理至办结的工作日数（扣除特别程序）之和 ÷ 办结办件数", "工作日", up_is_good=False),
    Figure("GOV-CN", "平均承诺时限", "avg", "case.promised_days", "case.decided",
           "办结办件的承诺时限之和 ÷ 办结办件数", "工作日"),
    Figure("GOV-FD", "平均法定时限", "avg", "case.statutory_days", "case.decided",
           "办结办件的法定时限之和 ÷ 办结办件数（无法定时限的按0计）", "工作日"),
    Figure("GOV-YSB", "承诺时限压缩比", "rate", "case.cut_days", "case.statutory_limited",
           "Σ（法定时限 − 承诺时限）÷ Σ法定时限，限有法定时限的办结办件"),
    Figure("GOV-BJM", "不见面审批率", "rate", "case.no_meeting", "case.delivered",
           "网上或代办申请、未收纸质材料、电子或邮寄送达的办件数 ÷ 送达办件数（按送达日期）"),
    Figure("GOV-RQ", "容缺受理件数", "count", "case.tolerated", "",
           "受理时容缺后补材料的办件数（按受理日期）", "件"),
    Figure("GOV-GZCN", "告知承诺件数", "count", "case.commitment", "",
           "以告知承诺方式受理的办件数（按受理日期）", "件"),
    Figure("GOV-WZM-CL", "免提交材料数", "count", "case.materials_saved", "",
           "由电子证照库、数据共享或一件事前序结果提供而免于申请人提交的材料份数（按提交日期）", "份"),
    Figure("GOV-WZM-PD", "减少跑动次数", "count", "case.visits_saved", "",
           "因免提交材料而减少的跑动次数（按提交日期）", "次"),
    Figure("GOV-KY", "跨域通办件数", "count", "case.cross_region", "",
           "由其他地区窗口收件、转交事项所属地区受理办理的办件数（收受分离，按提交日期）", "件"),
    Figure("GOV-YJS", "一件事办件数", "count", "bundle.received", "",
           "提交的一件事办件数（按提交日期）", "件", group="一件事"),
    Figure("GOV-YJS-YS", "一件事平均办结用时", "avg", "bundle.days", "bundle.completed",
           "办结的一件事自收件至办结的工作日数之和 ÷ 办结的一件事数（按办结日期）", "工作日", group="一件事"),
    Figure("EVA-HP", "好评率", "rate", "eval.good", "eval.rated",
           "非常满意、满意、基本满意的评价数 ÷ 评价总数（含默认评价，按评价日期；不含12345回访）", group="好差评"),
    Figure("EVA-HP-ZD", "好评率（不含默认评价）", "rate", "eval.good_active", "eval.rated_active",
           "主动评价中的好评数 ÷ 主动评价数（按评价日期）", group="好差评"),
    Figure("EVA-CP", "差评率", "rate", "eval.bad", "eval.rated",
           "不满意、非常不满意的评价数 ÷ 评价总数（按评价日期）", group="好差评", up_is_good=False),
    Figure("EVA-ZG", "差评整改率", "rate", "eval.rect_closed", "eval.rect_opened",
           "已整改办结的差评数 ÷ 启动整改的差评数（申诉作废的除外，按差评日期）", group="好差评"),
    Figure("EVA-ZGAS", "整改按时率", "rate", "eval.rect_on_time", "eval.rect_closed",
           "在整改时限内办结的差评数 ÷ 已整改办结的差评数（按差评日期）", group="好差评"),
    Figure("HOT-QS", "签收及时率", "rate", "hot.signed_on_time", "hot.dispatched",
           "派单后在签收时限（1个工作日）内签收的次数 ÷ 派单次数（按派单日期）", group="12345热线"),
    Figure("HOT-AS", "按时办结率", "rate", "hot.replied_on_time", "hot.replied",
           "在办理时限内答复的工单数 ÷ 已答复的工单数（按受理日期）", group="12345热线"),
    Figure("HOT-MY", "回访满意率", "rate", "hot.visit_good", "hot.visited",
           "回访评价为非常满意、满意、基本满意的次数 ÷ 回访有评价的次数（按受理日期）", group="12345热线"),
    Figure("HOT-CF", "重复来电率", "rate", "hot.merged", "hot.received",
           "作为重复诉求并单的工单数 ÷ 受理工单数（按受理日期）", group="12345热线", up_is_good=False),
    Figure("HOT-QYSQ", "企业诉求办结率", "rate", "hot.demand_closed", "hot.demand_received",
           "已办结的企业诉求数 ÷ 受理的企业诉求数（按受理日期）", group="12345热线"),
    Figure("POL-FB", "惠企政策发布数", "count", "live.policy.issued", "",
           "已发布（含已截止）的惠企政策数，按兑现单位所在行政区划（截至今日，不受统计期间影响）", "项",
           group="惠企政策", live=True),
    Figure("POL-HJ", "惠及企业户次", "count", "grant.reached", "",
           "列入免申即享拟兑现名单或申报获准进入兑现的企业户次（一户企业一项政策计一次，按列入日期）", "户次",
           group="惠企政策"),
    Figure("POL-BF", "兑现金额", "count", "grant.paid_yuan", "",
           "登记拨付的政策资金之和（元，按拨付登记日期）", "元", group="惠企政策"),
    Figure("POL-YS", "平均兑现用时", "avg", "grant.pay_days", "grant.paid",
           "已拨付的兑现自政策发布日至拨付日期的自然日数之和 ÷ 已拨付笔数（按拨付登记日期）", "天",
           group="惠企政策", up_is_good=False),
    Figure("PRJ-ZY", "重点项目专员配备率", "rate", "live.project.key_with_agent", "live.project.key",
           "在建（未办证、未终止）的省、市、县重点项目中已指定帮代办专员的个数 ÷ 重点项目数（截至今日）",
           group="项目帮代办", live=True),
    Figure("PRJ-RJ", "专员人均项目数", "avg", "live.project.with_agent", "live.project.agents",
           "已指定帮代办专员的在建项目数 ÷ 专员人数（截至今日）", "个", group="项目帮代办", live=True),
)
# Leaders' figures added for issue 13's list (kept in a block of their own): the seeds' 窗口服务满意率,
# the 帮代办 count and the coverage of provincial and city key projects (岳阳: 100 %).
LEADER_FIGURES: tuple[Figure, ...] = (
    Figure("EVA-CK", "窗口服务满意率", "rate", "eval.window_good", "eval.window_rated",
           "对窗口服务的评价（评价关联到服务窗口）中非常满意、满意、基本满意的评价数 ÷ 对窗口服务的评价数（含默认评价，按评价日期）",
           group="好差评"),
    Figure("PRJ-SSZ", "省市重点项目帮代办覆盖率", "rate", "live.project.key_upper_with_agent", "live.project.key_upper",
           "在建（未办证、未终止）的省、市重点项目中已指定帮代办专员的个数 ÷ 省、市重点项目数（截至今日）",
           group="项目帮代办", live=True),
    Figure("PRJ-BDB", "帮代办项目数", "count", "live.project.with_agent", "",
           "已指定帮代办专员的在建项目数（截至今日）", "个", group="项目帮代办", live=True),
)
FIGURES = (*FIGURES, *LEADER_FIGURES)


@dataclass(frozen=True)
class FigureValue:
    figure: Figure
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        f = self.figure
        if f.kind == "count":
            return float(self.numerator)
        if not self.denominator:
            return None
        ratio = self.numerator / self.denominator
        return round(ratio * 100, 2) if f.kind == "rate" else round(ratio, 2)

    @property
    def display(self) -> str:
        v = self.value
        if v is None:
            return "—"
        if self.figure.kind == "rate":
            return f"{v:.2f}%"
        if self.figure.kind == "count":
            return f"{int(v)}"
        return f"{v:.2f}"


def figure_value(figure: Figure, sums: dict[str, int]) -> FigureValue:
    return FigureValue(figure, int(sums.get(figure.numerator, 0)),
                       int(sums.get(figure.denominator, 0)) if figure.denominator else 0)


def change(now: FigureValue, before: FigureValue) -> float | None:
    """Period on period: the difference in the figure's own unit (percentage points for a rate)."""
    if now.value is None or before.value is None:
        return None
    return round(now.value - before.value, 2)


# ------------------------------------------------------------------------------------------ periods

def period_bounds(by: str, day: date) -> tuple[date, date]:
    """The day, month, quarter or year that contains `day`, as [first, last]."""
    if by == "day":
        return day, day
    if by == "month":
        first = day.replace(day=1)
    elif by == "quarter":
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    elif by == "year":
        first = date(day.year, 1, 1)
    else:
        raise ValueError(by)
    months = {"month": 1, "quarter": 3, "year": 12}[by]
    y, m = divmod(first.month - 1 + months, 12)
    return first, date(first.year + y, m + 1, 1) - timedelta(days=1)


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The comparison period: the previous whole month, quarter or year when [start, end] is one,
    else the same number of days just before."""
    for by in ("month", "quarter", "year"):
        first, last = period_bounds(by, start)
        if first == start and end <= last:  # a whole period, or one to date: the same span of the previous one
            p0, p1 = period_bounds(by, start - timedelta(days=1))
            span = (end - start).days
            return p0, p1 if end == last else min(p1, p0 + timedelta(days=span))
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def period_label(by: str, day: date) -> str:
    if by == "day":
        return day.isoformat()
    if by == "month":
        return f"{day.year}-{day.month:02d}"
    if by == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def periods_in(by: str, start: date, end: date) -> list[tuple[str, date, date]]:
    out, day = [], start
    while day <= end:
        first, last = period_bounds(by, day)
        out.append((period_label(by, day), max(first, start), min(last, end)))
        day = last + timedelta(days=1)
    return out


# ---------------------------------------------------------------------------------- contributions

Contrib = tuple[str, date, int]  # (counter, day, value)


@dataclass
class Ev:
    """One event, as the folds read it."""

    id: int
    action: str
    to_status: str = ""
    on: date | None = None
    deadline: date | None = None
    data: dict[str, Any] = field(default_factory=dict)
    actor_id: int | None = None
    at: datetime | None = None  # the event's time, where a fold compares it with a limit


@dataclass
class CaseFacts:
    """What a case fixed at submission (its item's limits, channel, routing) and its history's result."""

    channel: str
    hall_clerks: frozenset[int]  # users who clerk at a comprehensive hall (政务服务中心, 行政审批服务局)
    statutory_days: int
    promised_days: int
    copies_saved: int = 0
    visits_saved: int = 0


@dataclass
class CaseFold:
    contribs: list[Contrib]
    open_deadline: date | None
    staff_id: int | None


def case_contributions(case: CaseFacts, events: list[Ev], *, between: Callable[[date, date], int]) -> CaseFold:
    """What one case's history adds to the counters. `between(a, b)` counts the working days in (a, b]."""
    out: list[Contrib] = []
    accepted_on: date | None = None
    paper = False
    pauses: list[list[date | None]] = []
    deadline: date | None = None
    status = ""
    staff_id = None
    for e in events:
        if e.action == "submit":
            shared = len(e.data.get("shared") or [])
            out += [("case.received", e.on, 1)]
            if e.data.get("remote_intake"):
                out.append(("case.cross_region", e.on, 1))
            if shared or case.copies_saved:
                out.append(("case.materials_saved", e.on, shared or case.copies_saved))
            if case.visits_saved:
                out.append(("case.visits_saved", e.on, case.visits_saved))
        elif e.action in ("accept", "deemed_accept"):
            accepted_on = e.on
            paper = bool(e.data.get("paper"))
            out += _intake(case, e)
        elif e.action == "pause":
            pauses.append([e.on, None])
        elif e.action == "resume" and pauses:
            pauses[-1][1] = e.on
        elif e.action in DECISIONS:
            staff_id = e.actor_id
            out += _decision(case, e, accepted_on, deadline, pauses, between)
        elif e.action == "deliver":
            out += _delivery(case, e, paper)
        if e.deadline is not None:
            deadline = e.deadline
        status = e.to_status if e.to_status and e.to_status != "=" else status
    return CaseFold(out, deadline if status in RUNNING else None, staff_id)


def _intake(case: CaseFacts, e: Ev) -> list[Contrib]:
    out: list[Contrib] = [("case.accepted", e.on, 1)]
    if case.channel == "online":
        out.append(("case.accepted_online", e.on, 1))
    else:
        out.append(("case.window_accepted", e.on, 1))
        if e.actor_id in case.hall_clerks:
            out.append(("case.window_hall", e.on, 1))
    if e.data.get("tolerated"):
        out.append(("case.tolerated", e.on, 1))
    if e.data.get("commitment"):
        out.append(("case.commitment", e.on, 1))
    return out


def _decision(case: CaseFacts, e: Ev, accepted_on, deadline, pauses, between) -> list[Contrib]:
    day = e.on
    out: list[Contrib] = [("case.decided", day, 1), ("case.promised_days", day, case.promised_days),
                          ("case.statutory_days", day, case.statutory_days)]
    if e.action == "decide_on_acceptance":
        out.append(("case.instant", day, 1))
    late = deadline is not None and day > deadline
    out.append(("case.late" if late else "case.on_time", day, 1))
    if accepted_on is not None:
        paused = sum(between(s, min(t or day, day)) for s, t in pauses if s < day)
        out.append(("case.used_days", day, max(0, between(accepted_on, day) - paused)))
    if case.statutory_days:
        out += [("case.statutory_limited", day, case.statutory_days),
                ("case.cut_days", day, max(0, case.statutory_days - case.promised_days))]
    return [c for c in out if c[2]]


def _delivery(case: CaseFacts, e: Ev, paper: bool) -> list[Contrib]:
    method = e.data.get("method", "")
    out: list[Contrib] = [("case.delivered", e.on, 1)]
    if not paper and method in ("electronic", "post") and case.channel in ("online", "agent"):
        out.append(("case.no_meeting", e.on, 1))
        if case.channel == "online" and method == "electronic":
            out.append(("case.full_online", e.on, 1))
    return out


RATED, DEFAULTED = "rated", "defaulted"  # EvaluationEvent: the slot's own events (invited, rated, defaulted, voided)
RECT_OPEN, RECT_CLOSE, RECT_VOID = "open", "rerate", "void"  # RectificationEvent (evaluations/workflow.py)


def evaluation_contributions(*, subject_kind: str, events: list[Ev], at_window: bool = False) -> list[Contrib]:
    """A rating slot (好差评): its level on the day rated or defaulted; `at_window` (the rating names the
    window that served) also counts it for 窗口服务满意率. Its rectification, if its 差评 opened one, is a
    subject of its own (rectification_contributions)."""
    if subject_kind in ("hotline", "bundle"):
        # 12345: counted as 回访满意率; a bundle's one rating: through its per-member slots (each unit's)
        return []
    out: list[Contrib] = []
    for e in events:
        if e.action in (RATED, DEFAULTED):
            level = int(e.data.get("level") or 0)
            good = level in GOOD_LEVELS
            out += [("eval.rated", e.on, 1), ("eval.good" if good else "eval.bad", e.on, 1)]
            if at_window:
                out += [("eval.window_rated", e.on, 1)] + ([("eval.window_good", e.on, 1)] if good else [])
            if e.action == RATED:
                out.append(("eval.rated_active", e.on, 1))
                if good:
                    out.append(("eval.good_active", e.on, 1))
    return out


def rectification_contributions(*, events: list[Ev]) -> list[Contrib]:
    """A 差评's rectification (RectificationEvent history), all on the day it opened: opened unless
    voided on appeal; closed by the rater's re-rating (rerate → closed); on time when closed by the
    fix limit it opened with."""
    out: list[Contrib] = []
    opened: date | None = None
    fix_due: datetime | None = None
    for e in events:
        if e.action == RECT_OPEN:
            opened = e.on
            fix_due = datetime.fromisoformat(e.data["fix_due"]) if e.data.get("fix_due") else None
        elif opened is None:
            continue
        elif e.action == RECT_VOID:
            return []  # the review no longer counts: out of the rectification figures
        elif e.action == RECT_CLOSE:
            out.append(("eval.rect_closed", opened, 1))
            if fix_due is None or (e.at is not None and e.at <= fix_due):
                out.append(("eval.rect_on_time", opened, 1))
    if opened is not None:
        out.append(("eval.rect_opened", opened, 1))
    return out


# RequestEvent actions (hotline/workflow.py)
DISPATCHES = ("dispatch", "arbitrate", "assign")  # each puts the request with a unit: one dispatch
ANSWERS = ("reply", "answer")  # the unit's reply; the operator's answer from the knowledge base
VISIT = "visit"  # 回访 (before the engine: visit_satisfied and reopen, renamed by hotline/0004)


def request_contributions(*, is_demand: bool, events: list[Ev]) -> list[Contrib]:
    """A 12345 request: one cohort on its day of receipt (签收 per dispatch, on the dispatch day).
    A request answered again after a reopening is one answered request; its last answer decides on-time.
    回访 is one action, "visit": its data holds the level and the outcome (closed, reopened — the clock
    restarts, to_status handling — or escalated). A merge counts on the duplicate ("merge"); the kept
    request's "merged_in" record is no repeat of its own."""
    out: list[Contrib] = []
    received: date | None = None
    dispatched: date | None = None
    sign_late = overdue = replied = on_time = merged = closed = False
    for e in events:
        a = e.action
        if a == "create":
            received = e.on
        elif received is None:
            continue
        elif a in DISPATCHES:
            dispatched, sign_late = e.on, False
            out.append(("hot.dispatched", dispatched, 1))
        elif a == "sign_overdue":
            sign_late = True
        elif a == "sign" and dispatched is not None:
            if not sign_late:
                out.append(("hot.signed_on_time", dispatched, 1))
            dispatched = None
        elif a == "overdue":
            overdue = True
        elif a in ANSWERS:
            replied, on_time = True, not overdue
        if a == VISIT or (a == "escalate" and e.data.get("level")):
            # (an "escalate" with a level: a visit dissatisfied again before the engine, which
            # hotline/0004 kept under that name; the operator's own escalate carries none)
            if a == VISIT and (e.data.get("outcome") == "reopened" or e.to_status == "handling"):
                overdue = False  # reopened with a new deadline (rows migrated from "reopen" have no outcome)
            if e.data.get("level"):
                out.append(("hot.visited", received, 1))
                if int(e.data["level"]) in GOOD_LEVELS:
                    out.append(("hot.visit_good", received, 1))
        merged = merged or a == "merge"
        closed = closed or e.to_status == "closed"
    if received is None:
        return []
    flags = [("hot.received", True), ("hot.demand_received", is_demand), ("hot.replied", replied),
             ("hot.replied_on_time", replied and on_time), ("hot.merged", merged),
             ("hot.demand_closed", is_demand and closed)]
    return [(name, received, 1) for name, yes in flags if yes] + out


def grant_contributions(*, events: list[Ev], published_on: date | None) -> list[Contrib]:
    """A redemption (政策兑现): reached on the day it was listed (or its application approved); paid
    on the day the payment was registered, with the amount (元) and the calendar days from the
    policy's publication to the payment date."""
    out: list[Contrib] = []
    for e in events:
        if e.action in ("match", "case_approved"):
            out.append(("grant.reached", e.on, 1))
        elif e.action == "pay":
            amount = round(float(e.data.get("amount") or 0))
            paid_on = date.fromisoformat(e.data["paid_on"]) if e.data.get("paid_on") else e.on
            days = (paid_on - published_on).days if published_on else 0
            out += [("grant.paid", e.on, 1), ("grant.paid_yuan", e.on, amount), ("grant.pay_days", e.on, max(days, 0))]
    return [c for c in out if c[2]]


def bundle_contributions(*, events: list[Ev], between: Callable[[date, date], int]) -> list[Contrib]:
    out: list[Contrib] = []
    received: date | None = None
    for e in events:
        if e.action == "submit":
            received = e.on
            out.append(("bundle.received", e.on, 1))
        elif e.to_status == "completed" and received is not None:
            out += [("bundle.completed", e.on, 1), ("bundle.days", e.on, between(received, e.on))]
    return [c for c in out if c[2]]


# ------------------------------------------------------------------------------------ supervision (管)
# The 管 of 放管服 (issue 15): 双推送 tasks, 双随机 inspections, 首违免罚 and 信用修复, each folded from
# its own history. Cohorts: a task on the day it was pushed, an inspection drawn on the day it was
# drawn, a recorded result on the day it was recorded, a violation on the day found, a repair
# application on the day applied — a rate's numerator is always a part of its denominator.


def task_contributions(*, events: list[Ev]) -> list[Contrib]:
    """双推送: pushed (the push event holds the claim limit as its deadline), claimed by that limit,
    marked overdue before being claimed (a late claim) or after (a late result), reported."""
    out: list[Contrib] = []
    pushed: date | None = None
    claim_due: date | None = None
    claimed = False
    for e in events:
        if e.action == "push":
            pushed, claim_due = e.on, e.deadline
            out.append(("sup.task_pushed", pushed, 1))
        elif pushed is None:
            continue
        elif e.action == "claim":
            claimed = True
            if claim_due is None or e.on <= claim_due:
                out.append(("sup.task_claimed_on_time", pushed, 1))
        elif e.action == "flag_overdue":
            out.append(("sup.task_result_overdue" if claimed else "sup.task_claim_overdue", pushed, 1))
        elif e.action == "report":
            out.append(("sup.task_reported", pushed, 1))
    return out


def inspection_contributions(*, events: list[Ev]) -> list[Contrib]:
    """双随机一公开: an inspection a draw assigned (on the day drawn) and whether its result was recorded
    (plan completion); a recorded result (on the day recorded) and whether it was published by its
    deadline — 20 working days, moved by a calendar change — and not marked overdue first."""
    out: list[Contrib] = []
    drawn: date | None = None
    recorded: date | None = None
    due: date | None = None
    flagged = False
    for e in events:
        if e.action == "assign" and e.data.get("draw"):
            drawn = e.on
            out.append(("sup.drawn", drawn, 1))
        elif e.action == "record":
            recorded = e.on
            due = date.fromisoformat(e.data["publish_due"]) if e.data.get("publish_due") else None
            out.append(("sup.recorded", recorded, 1))
            if drawn is not None:
                out.append(("sup.drawn_done", drawn, 1))
        elif e.action == "calendar_moved" and e.data.get("publish_due"):
            due = date.fromisoformat(e.data["publish_due"])
        elif e.action == "flag_publish_overdue":
            flagged = True
        elif e.action == "publish" and recorded is not None:
            out.append(("sup.published", recorded, 1))
            if not flagged and (due is None or e.on <= due):
                out.append(("sup.published_on_time", recorded, 1))
    return out


def violation_contributions(*, occurred_on: date, listed: bool, exempted: bool) -> list[Contrib]:
    """首违免罚: a violation of an item on a unit's list, exempted (the first) or not (a second)."""
    if exempted:
        return [("sup.exempted", occurred_on, 1), ("sup.listed", occurred_on, 1)]
    return [("sup.not_exempted", occurred_on, 1), ("sup.listed", occurred_on, 1)] if listed else []


def repair_contributions(*, events: list[Ev]) -> list[Contrib]:
    """信用修复: applied; decided (approved or not) within the limit the application opened with."""
    out: list[Contrib] = []
    applied: date | None = None
    due: date | None = None
    for e in events:
        if e.action == "apply":
            applied, due = e.on, e.deadline
            out.append(("sup.repair_applied", applied, 1))
        elif applied is None:
            continue
        elif e.action in ("approve", "reject"):
            out.append(("sup.repair_decided", applied, 1))
            if e.action == "approve":
                out.append(("sup.repair_approved", applied, 1))
            if due is None or e.on <= due:
                out.append(("sup.repair_on_time", applied, 1))
    return out


_SUP = "事中事后监管"
FIGURES = FIGURES + (
    Figure("SUP-TS", "监管任务推送数", "count", "sup.task_pushed", "",
           "审批（含告知承诺审批、撤销、证照变更）结果推送至监管单位形成的监管任务数（双推送，按推送日期）", "件",
           group=_SUP),
    Figure("SUP-RL", "监管任务按时认领率", "rate", "sup.task_claimed_on_time", "sup.task_pushed",
           "在认领期限（推送后3个工作日）内认领的监管任务数 ÷ 推送的监管任务数（按推送日期）", group=_SUP),
    Figure("SUP-RLCQ", "认领超期任务数", "count", "sup.task_claim_overdue", "",
           "认领期限届满仍未认领、被标记超期的监管任务数（按推送日期）", "件", group=_SUP, up_is_good=False),
    Figure("SUP-FKCQ", "反馈超期任务数", "count", "sup.task_result_overdue", "",
           "认领后在反馈期限（10个工作日）内未反馈监管结果、被标记超期的任务数（按推送日期）", "件", group=_SUP,
           up_is_good=False),
    Figure("SUP-FK", "监管结果反馈率", "rate", "sup.task_reported", "sup.task_pushed",
           "已向审批单位反馈监管结果（双报告）的任务数 ÷ 推送的监管任务数（按推送日期）", group=_SUP),
    Figure("SUP-SSJ", "双随机抽查计划完成率", "rate", "sup.drawn_done", "sup.drawn",
           "双随机抽取的检查中已录入检查结果的户次 ÷ 抽取的检查户次（联合抽查每家单位各计一次；按抽取日期；"
           "目标100%，湘潭市）", group=_SUP),
    Figure("SUP-GS", "检查结果按时公示率", "rate", "sup.published_on_time", "sup.recorded",
           "检查后20个工作日内（未被标记逾期）公示的检查结果数 ÷ 已录入结果的检查数（按录入日期）", group=_SUP),
    Figure("SUP-MF", "首违免罚件数", "count", "sup.exempted", "",
           "属首违免罚清单、首次且危害轻微并及时改正而免予处罚、予以教育指导的违法行为数（按发现日期）", "件",
           group=_SUP),
    Figure("SUP-MFBY", "清单内不予免罚件数", "count", "sup.not_exempted", "",
           "属首违免罚清单但非首次（或危害不轻微、未及时改正）而不予免罚的违法行为数（按发现日期）", "件",
           group=_SUP, up_is_good=False),
    Figure("SUP-XF", "信用修复件数", "count", "sup.repair_approved", "",
           "准予信用修复（失信记录停止公示）的申请数（按申请日期）", "件", group=_SUP),
    Figure("SUP-XFAS", "信用修复按时办结率", "rate", "sup.repair_on_time", "sup.repair_decided",
           "在办理时限（5个工作日）内作出修复决定的申请数 ÷ 已作出决定的申请数（按申请日期）", group=_SUP),
)
FIGURES_BY_CODE = {f.code: f for f in FIGURES}
