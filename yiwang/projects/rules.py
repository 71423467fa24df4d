"""Project rules as plain functions: the 项目代码 shape, the members of a project by stage, and the
schedule — critical path, float, approval working days against the targets, projected finish and
warnings — from each member's promised working days, its waits and the project's own dates.

Time is counted in working days (yiwang.workcalendar): a member filed on day D with n promised days
finishes on the n-th working day after D (the case clock's convention); its successors are filed the
day it finishes. Everything here takes the calendar as an argument, so tests pass their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

# ---------------------------------------------------------------- the project code

# 全国投资项目在线审批监管平台 项目代码: 年份-行政区划代码-行业代码-项目类型-流水号.
CODE_RE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(0[1-3])-(\d{6})$")
CODE_KINDS = {"01": "审批类", "02": "核准类", "03": "备案类"}


def project_code_error(code: str) -> str | None:
    """None when `code` has the national shape (e.g. 2026-430321-47-01-000123), else why not."""
    code = (code or "").strip()
    if not code:
        return "请填写项目代码"
    m = CODE_RE.match(code)
    if m is None:
        return "项目代码格式应为“年份-行政区划代码-行业代码-项目类型-流水号”，如 2026-430321-47-01-000123"
    if not 2000 <= int(m.group(1)) <= 2100:
        return "项目代码中的年份应在2000至2100年之间"
    if int(m.group(5)) == 0:
        return "项目代码中的流水号不能为000000"
    return None


# ---------------------------------------------------------------- stages and targets

STAGES = {
    "land": "立项用地规划许可",
    "works": "工程建设许可",
    "construction": "施工许可",
    "acceptance": "竣工验收",
}
# 湘潭县 2330: 工程建设项目审批 30 working days, split over the stages (a demo choice: the 四即 seeds'
# 5-day 签约即供地 permits, 4-day 工程规划 and 审图, the phased permit, 联合验收 8 + 首次登记 3).
STAGE_TARGETS = {"land": 7, "works": 8, "construction": 4, "acceptance": 11}
COUNTY_TARGET = 30
NATIONAL_TARGET = 120  # 国办发〔2019〕11号: 全流程审批时间压缩至120个工作日以内

KINDS = {"task": "服务事项", "milestone": "节点", "period": "施工期", "item": "审批事项", "bundle": "一件事"}
APPROVALS = ("item", "bundle")  # what counts as approval time against the targets

# 四即 (岳阳): what each milestone tag means, as the chart labels it.
MILESTONES = {
    "qiatan": "洽谈即服务",
    "qianyue": "签约即供地",
    "nadi": "拿地即开工",
    "peitao": "开工即配套",
    "jungong": "竣工即验收",
    "banzheng": "验收即办证",
}

# 分阶段施工许可: the construction permit in three phases, each its own case.
PHASES = ("土方开挖与基坑支护", "基础与地下工程", "地上主体工程")


@dataclass(frozen=True)
class MemberSpec:
    """One member of the standard project: key, stage, kind, label, promised days, waits."""

    key: str
    stage: str
    kind: str
    label: str
    days: int
    after: tuple[str, ...] = ()
    item: str = ""  # the catalogue item code (an item) or bundle code (a bundle)
    milestone: str = ""
    phase: str = ""


PRE_SERVICES = {"site": "用地选址", "admission": "准入评审", "land_approval": "用地报批准备"}


def project_members(*, land_notice_days: int = 5, listing_days: int = 15,
                    construction_days: int = 160) -> list[MemberSpec]:
    """The members of a construction project by stage, the XMKG and JGJBZ bundles laid out as their
    items (SGXK split into its three phases), SDQWBZ as one bundle member, and the 四即 milestones."""
    m = MemberSpec
    sgxk = [m(f"SGXK-{i}", "construction", "item", f"施工许可（{p}）", 1,
              ("SGTSCBA", "ZLAQJD") if i == 1 else (f"SGXK-{i - 1}",), "SGXK", "nadi" if i == 1 else "", p)
            for i, p in enumerate(PHASES, start=1)]
    return [
        m("site", "land", "task", "用地选址", 5, (), "", "qiatan"),
        m("admission", "land", "task", "准入评审", 3, ("site",), "", "qiatan"),
        m("land_approval", "land", "task", "用地报批准备", 5, ("site",), "", "qiatan"),
        m("sign", "land", "milestone", "签约", 0, ("admission", "land_approval"), "", "qiatan"),
        m("land_notice", "land", "milestone", "发布土地出让公告", land_notice_days, ("sign",), "", "qianyue"),
        m("land_supply", "land", "milestone", "供地（交地）", listing_days, ("land_notice",), "", "qianyue"),
        m("JSYDGHXK", "land", "item", "建设用地规划许可", 5, ("sign",), "JSYDGHXK", "qianyue"),
        m("JSGCGHXK", "works", "item", "建设工程规划许可", 2, ("JSYDGHXK",), "JSGCGHXK"),
        m("SGTSCBA", "works", "item", "施工图审查备案", 2, ("JSGCGHXK",), "SGTSCBA"),
        m("ZLAQJD", "works", "item", "质量安全监督手续", 1, ("JSGCGHXK",), "ZLAQJD"),
        *sgxk,
        m("start", "construction", "milestone", "开工", 0, ("land_supply", "SGXK-1"), "", "nadi"),
        m("SDQWBZ", "construction", "bundle", "水电气网报装", 3, ("start",), "SDQWBZ", "peitao"),
        m("build", "construction", "period", "施工", construction_days, ("start",)),
        m("complete", "acceptance", "milestone", "竣工", 0, ("build", "SGXK-3"), "", "jungong"),
        m("LHYS", "acceptance", "item", "竣工联合验收", 8, ("complete", "SDQWBZ"), "LHYS", "jungong"),
        m("BDCSCDJ", "acceptance", "item", "不动产首次登记", 3, ("LHYS",), "BDCSCDJ", "banzheng"),
    ]


# ---------------------------------------------------------------- the schedule


class Calendar(Protocol):
    def add_working_days(self, start: date, n: int): ...

    def working_days_between(self, a: date, b: date): ...


@dataclass(frozen=True)
class Member:
    """What the schedule needs of a member: promised days, waits, an earliest day (a target date
    the member is not expected before, such as 竣工), and its actual start and finish if known."""

    key: str
    stage: str
    days: int
    after: tuple[str, ...] = ()
    kind: str = "item"
    label: str = ""
    not_before: date | None = None
    started: date | None = None
    finished: date | None = None


@dataclass(frozen=True)
class Row:
    key: str
    planned_start: date
    planned_finish: date
    projected_start: date
    projected_finish: date
    float_days: int  # total float on the projected network (working days)
    planned_float: int
    delay: int  # projected finish − planned finish (working days; > 0 is late)
    critical: bool
    done: bool


@dataclass(frozen=True)
class Warning:
    code: str
    message: str
    member: str = ""
    stage: str = ""
    level: str = "warning"  # warning | notice


@dataclass
class Schedule:
    rows: dict[str, Row]
    critical: list[str]
    finish: date
    total_days: int  # working days from the start to the projected finish
    planned_days: int  # … to the planned finish
    approval_days: int
    stage_days: dict[str, int]
    warnings: list[Warning] = field(default_factory=list)
    provisional: bool = False


class ScheduleError(ValueError):
    pass


def topo_order(members: list[Member]) -> list[Member]:
    """The members with every wait before its waiter; unknown waits and cycles are refused."""
    by_key = {m.key: m for m in members}
    for m in members:
        for a in m.after:
            if a not in by_key:
                raise ScheduleError(f"“{m.label or m.key}”等待的“{a}”不是本项目的成员")
    done: dict[str, Member] = {}
    pending = list(members)
    while pending:
        ready = [m for m in pending if all(a in done for a in m.after)]
        if not ready:
            raise ScheduleError("成员之间的等待关系成环：" + "、".join(m.label or m.key for m in pending))
        for m in ready:
            done[m.key] = m
        pending = [m for m in pending if m.key not in done]
    return list(done.values())


def _forward(order: list[Member], off, *, today: int | None) -> dict[str, tuple[int, int]]:
    """Early start and finish offsets; with `today`, actuals count and nothing unstarted starts
    before today (the projected network), without it the baseline."""
    out: dict[str, tuple[int, int]] = {}
    for m in order:
        waits = max((out[a][1] for a in m.after), default=0)
        earliest = max(waits, off(m.not_before) if m.not_before else 0)
        if today is None:
            out[m.key] = (earliest, earliest + m.days)
        elif m.finished is not None:
            f = off(m.finished)
            out[m.key] = (min(off(m.started), f) if m.started else min(earliest, f), f)
        elif m.started is not None:
            s = off(m.started)
            out[m.key] = (s, max(s + m.days, today))
        else:
            s = max(earliest, today)
            out[m.key] = (s, s + m.days)
    return out


def _floats(order: list[Member], early: dict[str, tuple[int, int]]) -> dict[str, int]:
    """Total float: late finish − early finish, the late finishes from the last finish backwards."""
    end = max(ef for _, ef in early.values())
    succ: dict[str, list[Member]] = {m.key: [] for m in order}
    for m in order:
        for a in m.after:
            succ[a].append(m)
    late: dict[str, int] = {}
    for m in reversed(order):
        late[m.key] = min((late[s.key] - (early[s.key][1] - early[s.key][0]) for s in succ[m.key]), default=end)
    return {k: late[k] - early[k][1] for k in late}


def schedule(members: list[Member], *, start: date, today: date, cal: Calendar,
             stage_targets: dict[str, int] | None = None, county: int = COUNTY_TARGET,
             national: int = NATIONAL_TARGET, finish_target: date | None = None) -> Schedule:
    """The project's schedule from `start` (the first day of 洽谈) as of `today`."""
    if not members:
        raise ScheduleError("项目没有成员，无法计算进度")
    order = topo_order(members)
    provisional = False

    def off(d: date) -> int:
        return cal.working_days_between(start, d).days

    def day(n: int) -> date:
        nonlocal provisional
        if n <= 0:
            return start
        wd = cal.add_working_days(start, n)
        provisional = provisional or wd.provisional
        return wd.date

    base = _forward(order, off, today=None)
    proj = _forward(order, off, today=off(today))
    base_float, proj_float = _floats(order, base), _floats(order, proj)
    rows = {}
    for m in order:
        (bs, bf), (ps, pf) = base[m.key], proj[m.key]
        rows[m.key] = Row(
            key=m.key, planned_start=day(bs), planned_finish=day(bf),
            projected_start=m.started or day(ps), projected_finish=m.finished or day(pf),
            float_days=proj_float[m.key], planned_float=base_float[m.key], delay=pf - bf,
            critical=proj_float[m.key] <= 0, done=m.finished is not None)
    stage_days = _stage_days(order, proj)
    end = max(pf for _, pf in proj.values())
    sch = Schedule(rows=rows, critical=[m.key for m in order if rows[m.key].critical], finish=day(end),
                   total_days=end, planned_days=max(bf for _, bf in base.values()), approval_days=sum(stage_days.values()), stage_days=stage_days,
                   provisional=provisional)
    sch.warnings = warnings_for(order, sch, stage_targets=STAGE_TARGETS if stage_targets is None else stage_targets,
                                county=county, national=national, finish_target=finish_target)
    return sch


def _stage_days(order: list[Member], proj: dict[str, tuple[int, int]]) -> dict[str, int]:
    """Approval working days per stage: its longest chain of approvals, each counted for the days it
    runs (filed to decided) — waiting for land or for the works is the project's time, not approval's."""
    chain: dict[str, int] = {}
    out: dict[str, int] = {}
    stage_of = {m.key: m.stage for m in order}
    for m in order:
        if m.kind not in APPROVALS:
            continue
        s, f = proj[m.key]
        before = max((chain[a] for a in m.after if a in chain and stage_of[a] == m.stage), default=0)
        chain[m.key] = before + (f - s)
        out[m.stage] = max(out.get(m.stage, 0), chain[m.key])
    return out


def warnings_for(order: list[Member], sch: Schedule, *, stage_targets: dict[str, int], county: int,
                 national: int, finish_target: date | None) -> list[Warning]:
    """A member late beyond its float (it moves the finish), a member eating its float, a stage or
    the whole approval over its target, the certificate after the project's target date."""
    out: list[Warning] = []
    for m in order:
        r = sch.rows[m.key]
        name = m.label or m.key
        # Only the member that causes a delay is named: its waiters inherit it (one warning, not a cascade).
        inherited = max((sch.rows[a].delay for a in m.after), default=0)
        if r.delay <= 0 or r.delay <= inherited:
            continue
        if r.delay > r.planned_float:
            out.append(Warning("float_exceeded", f"“{name}”预计延误{r.delay}个工作日，超过其总时差"
                                                 f"{r.planned_float}个工作日，项目完成将推迟", member=m.key, stage=m.stage))
        elif not r.done:
            out.append(Warning("float_eaten", f"“{name}”预计延误{r.delay}个工作日，已占用其总时差"
                                              f"{r.planned_float}个工作日中的{r.delay}个", member=m.key, stage=m.stage,
                               level="notice"))
    for stage, days in sch.stage_days.items():
        target = stage_targets.get(stage)
        if target is not None and days > target:
            out.append(Warning("stage_target", f"{STAGES.get(stage, stage)}阶段预计审批用时{days}个工作日，"
                                               f"超过目标{target}个工作日", stage=stage))
    if sch.approval_days > national:
        out.append(Warning("national_target", f"审批全流程预计{sch.approval_days}个工作日，超过国家要求的{national}个工作日"))
    elif sch.approval_days > county:
        out.append(Warning("county_target", f"审批全流程预计{sch.approval_days}个工作日，超过本县承诺的{county}个工作日"))
    slip = sch.total_days - sch.planned_days
    if slip > 0:
        out.append(Warning("finish_slip", f"预计完成较计划推迟{slip}个工作日"))
    if finish_target is not None and sch.finish > finish_target:
        out.append(Warning("finish_target", f"预计{sch.finish:%Y年%m月%d日}办结不动产首次登记，晚于目标日期"
                                            f"{finish_target:%Y年%m月%d日}"))
    return out
