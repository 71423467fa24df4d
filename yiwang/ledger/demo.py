"""Demo: 岳阳's 五好园区 plan (seed 002: the 20 measures, the 11 parks of 附件3, reports due on the 25th
to 市审改办, a 通报 each quarter), with last month's reports: most submitted and accepted, one returned,
one late, and the rest missing. Loading twice changes nothing (plan rows are upserted with the same
values; reports are made only when the plan has none)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

PLAN = "YY-WHYQ-2022"
OFFICE = ("YYS-SGB", "岳阳市人民政府行政审批制度改革工作领导小组办公室（市审改办）")
# The columns of 附件3, in its order. 华容高新区 is the demo's HRGX; the others are added here.
PARKS = [
    ("YY-JKQ", "岳阳经济技术开发区", "430600"), ("YY-NHXQ", "南湖新区", "430600"),
    ("YY-LGGX", "临港高新区（含综合区）", "430600"), ("YY-MLGX", "汨罗高新区", "430600"),
    ("YY-LSHG", "岳阳绿色化工产业区", "430600"), ("YY-PJGX", "平江高新区", "430600"),
    ("YY-XYGX", "湘阴高新区", "430600"), ("YY-LXGX", "临湘高新区", "430600"), ("HRGX", "华容高新区", "430623"),
    ("YY-JSCY", "君山产业开发区", "430600"), ("YY-GXYQ", "岳阳高新技术产业园区", "430600"),
]
S1, S2, S3 = "（一）加强园区全链条放权赋能", "（二）优化企业全生命周期服务", "（三）推行建设项目极简审批“四即”改革"
S4, S5 = "（四）提升园区综合服务能力", "（五）强化园区“放管服”改革保障"
MEASURES = [
    (S1, "有效落实园区赋权工作", "市行政审批服务局等市直各相关部门、各相关县市区人民政府（管委会）"),
    (S1, "推进相对集中行政权力改革", "市行政审批服务局、市司法局，各相关县市区人民政府（管委会）"),
    (S1, "建立健全审批监管联动机制", "市市场监管局、市司法局、市行政审批服务局、市发改委等"),
    (S1, "加强系统平台端口权限配置", "市行政审批服务局、市发改委、市资规局、市住建局等"),
    (S2, "打造“一件事一次办”园区版", "市行政审批服务局等市直相关部门"),
    (S2, "推进企业开办标准化规范化", "市市场监管局、市公安局、市税务局等"),
    (S2, "推进涉企行政审批“一照通”改革", "市市场监管局等市直相关部门"),
    (S2, "提升企业注销便利度", "市市场监管局、市人社局、市税务局等"),
    (S2, "推动涉企政策“直给直兑”", "市行政审批服务局、市财政局、市发改委等"),
    (S3, "推行“洽谈即服务”", "市资规局、市发改委、市生态环境局等"),
    (S3, "推行“签约即供地”", "市资规局、市住建局等"),
    (S3, "推行“开工即配套”", "市住建局、市资规局、市行政审批服务局等"),
    (S3, "推行“竣工即办证”", "市住建局、市资规局等"),
    (S4, "将优化营商环境和高效审批服务纳入招商引资承诺", "市商粮局、市发改委、市行政审批服务局等"),
    (S4, "提升园区审批服务承接能力", "市人社局、市财政局、市行政审批服务局等"),
    (S4, "全面建立帮办代办服务制度", "市住建局、市人社局、市工信局、市行政审批服务局等"),
    (S4, "推进“智慧园区”建设", "市行政审批服务局、市发改委等"),
    (S5, "加强园区“放管服”改革督查激励", "市发改委、市行政审批服务局、市政府督查室等"),
    (S5, "建立园区“放管服”改革容错纠错机制", "市人民政府办公室（市优化办）"),
    (S5, "建立园区“放管服”改革责任落实机制", "市行政审批服务局、市政府督查室、市司法局等"),
]
TEXTS = {
    "not_started": "已列入下阶段计划，正在对接责任部门",
    "in_progress": "已制定实施细则，明确责任人和时间表，正在推进",
    "done": "已落实到位，形成制度文件并常态化运行",
}


def load_ledger_demo(*, with_history: bool = True) -> dict:
    from yiwang.demo.loader import _account, unit_uscc
    from yiwang.organisations.models import Role, Staff, Unit

    from . import services
    from .models import ProgressReport

    office, _ = Unit.objects.get_or_create(code=OFFICE[0], defaults={
        "name": OFFICE[1], "kind": "bureau", "region_id": "430600", "uscc": unit_uscc(OFFICE[0], "430600")})
    user = _account("yysgb", first_name="市审改办督查人员")
    Staff.objects.get_or_create(user=user, unit=office, role=Role.SUPERVISOR)
    units = [office]
    for code, name, region in PARKS:
        unit, _ = Unit.objects.get_or_create(code=code, defaults={
            "name": name, "kind": "park", "region_id": region, "uscc": unit_uscc(code, region)})
        units.append(unit)
    for unit in units:  # the account the loader gives every unit (approver and head), made now, not next load
        head = _account(unit.code.lower(), first_name=unit.name)
        for role in (Role.APPROVER, Role.DEPARTMENT_HEAD):
            Staff.objects.get_or_create(user=head, unit=unit, role=role)
    plan = services.plan_save(
        code=PLAN, name="岳阳市深化“放管服”改革助推“五好”园区建设实施方案", region="430600", office=OFFICE[0],
        basis="岳阳市审改办2022年3月8日印发；依据湘政办发〔2021〕72号", start_month=date(2022, 3, 1),
        tasks=[{"code": str(i), "section": s, "title": t, "responsible": r} for i, (s, t, r) in
               enumerate(MEASURES, start=1)],
        reporters=[c for c, _, _ in PARKS])
    if not with_history or ProgressReport.objects.filter(plan=plan).exists():
        return {"plan": plan.code, "reports": 0}
    return {"plan": plan.code, "reports": _last_month(plan)}


def _last_month(plan) -> int:
    from django.contrib.auth import get_user_model

    from . import services

    User = get_user_model()
    today = timezone.localdate()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    office = User.objects.get(username="yysgb")
    n = 0
    for i, r in enumerate(plan.reporters.select_related("unit")):
        if i >= 9:
            break  # the last two parks have not reported: the worker marks them overdue
        report = services.report_open(plan=plan, unit=r.unit, month=month)
        head = User.objects.get(username=r.unit.code.lower())
        day = month.replace(day=27 if i == 7 else 20)  # one park reports after the 25th
        entries = [{"task": t.code, "progress": ("not_started", "in_progress", "done")[(int(t.code) + i) % 3],
                    "text": TEXTS[("not_started", "in_progress", "done")[(int(t.code) + i) % 3]],
                    "figures": f"承接赋权事项 {10 + i} 项" if t.code == "1" else ""} for t in plan.tasks.all()]
        services.report_act(report=report, action="save", actor=head, input={"entries": entries}, now=_at(day, 10))
        services.report_act(report=report.key, action="submit", actor=head, now=_at(day, 16))
        if i == 4:
            services.report_act(report=report.key, action="return_report", actor=office, now=_at(day + timedelta(1)),
                                input={"reason": "第16项帮代办请补充专员人数和服务项目数", "resubmit_by": None})
        elif i < 7:
            services.report_act(report=report.key, action="accept", actor=office, now=_at(day + timedelta(1)),
                                input={"reason": "内容完整，予以通过"})
        n += 1
    return n


def _at(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))
