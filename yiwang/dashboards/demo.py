"""Demo history for the dashboard: 湘潭县 cases over the last six months, their ratings (one 差评 with
its rectification), and a few 12345 requests, all made through the modules' own services, so every
figure the leader sees is the fold of real event histories. Loaded once: a second load finds its
marker (the demo's decision reason) and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

MARKER = "演示：审查通过，准予许可"
QYSLDJ = "430321-QYSLDJ"  # 企业设立登记, 3 statutory / 1 promised working days (市场监管局)
GZKZBA = "430321-GZKZBA"  # 公章刻制备案, instant (公安局)
# The dashboard demo's own enterprise (in 天易经济开发区, account `xtsm`), made here so that the other
# demos' parties get no cases, licences or ratings from this one.
SHOP = ("湘潭示范商贸有限公司", "SMSM")
# A minimal well-formed PDF (header, objects, xref, trailer, startxref, %%EOF): uploads are checked.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\nxref\n0 3\n"
       b"0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \ntrailer<</Size 3/Root 1 0 R>>\nstartxref\n96\n%%EOF\n")


def load_dashboard_demo() -> dict:
    from yiwang.cases.models import Case

    if Case.objects.filter(decision_reason=MARKER).exists():
        return {"cases": 0}
    today = timezone.localdate()
    made = []
    for back in range(5, -1, -1):
        y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
        first = date(y, m + 1, 1)
        made += _month(first, today, late=back in (2, 4), last=back == 1)
    rated = _ratings(made)
    requests = _hotline()
    return {"cases": len(made), "ratings": rated, "requests": requests}


def _u(name):
    return get_user_model().objects.get(username=name)


def _at(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))


def _working(d: date, n: int) -> date:
    from yiwang.workcalendar.index import get_index

    return get_index().add_working_days(d, n).date


def _month(first: date, today: date, *, late: bool, last: bool) -> list:
    """One month's cases: window and online 企业设立登记, instant 公章刻制, one decided late if `late`."""
    day = _working(first - timedelta(days=1), 1)
    if day >= today:
        return []
    cases = [
        _window(QYSLDJ, "shop", day, decide_after=1),
        _window(QYSLDJ, "shop", _working(day, 1), decide_after=1 if not late else 4),
        _online(QYSLDJ, "xtsm", "shop", _working(day, 2)),
        _window(GZKZBA, "shop", _working(day, 3)),
    ]
    if last:
        cases.append(_window(QYSLDJ, "shop", day, decide_after=None))  # still open, past its deadline
    return [c for c in cases if c is not None]


def _party(number: str):
    from yiwang.parties.models import Party

    if number == "shop":  # its own enterprise, so the other demos' parties get no licences from this one
        from stdnum.cn import uscc

        from yiwang.demo.loader import unit_uscc

        first17 = "91" + unit_uscc(SHOP[1], "430321")[2:17]
        from yiwang.demo.loader import _account
        from yiwang.organisations.models import Unit

        party, _ = Party.objects.get_or_create(number=first17 + uscc.calc_check_digit(first17), defaults={
            "kind": "enterprise", "name": SHOP[0], "region_id": "430321", "park": Unit.objects.get(code="TYJK"),
            "user": _account("xtsm", first_name=SHOP[0])})
        return party
    return Party.objects.get(number=number)


def _form(impl_code: str) -> tuple:
    from yiwang.catalogue.models import ItemImplementation

    impl = ItemImplementation.objects.select_related("item").get(impl_code=impl_code)
    return impl, {f: f"示例{f}" for f in impl.item.form_fields}


def _window(impl_code: str, number: str, day: date, *, decide_after: int | None = 1):
    from yiwang.cases import services as cases

    impl, form = _form(impl_code)
    case = cases.case_submit(actor=_u("clerk"), item=impl_code, applicant=_party(number), form=form,
                             channel="window", now=_at(day, 9))
    paper = [m.name for m in impl.item.materials.filter(source="applicant")]
    case = cases.case_accept(case=case, actor=_u("clerk"), paper=paper, now=_at(day, 9))
    return _finish(case, day, decide_after, method="window")


def _online(impl_code: str, username: str, number: str, day: date):
    from yiwang.cases import services as cases

    impl, form = _form(impl_code)
    user = _u(username)
    case = cases.case_submit(actor=user, item=impl_code, applicant=_party(number), form=form, channel="online",
                             now=_at(day, 8))
    for m in impl.item.materials.filter(source="applicant"):
        cases.case_material_upload(case=case.number, actor=user, name=m.name, filename="材料.pdf", content=PDF)
    case = cases.case_accept(case=case.number, actor=_u("clerk"), now=_at(day, 9))
    return _finish(case, day, 1, method="electronic")


def _finish(case, day: date, decide_after: int | None, *, method: str):
    from yiwang.cases import services as cases

    if decide_after is None:
        return case
    if case.status != "approved":
        decided = _working(day, decide_after)
        reviewer = _u("xtx-scjg")
        case.refresh_from_db()
        while len(case.steps) > 2 and case.current_step < len(case.steps) - 1:
            case = cases.case_act(case=case, actor=reviewer, action="review", now=_at(decided, 11))
        case = cases.case_act(case=case, actor=reviewer, action="approve", reason=MARKER, now=_at(decided, 15))
        day = decided
    return cases.case_act(case=case, actor=_u("clerk"), action="deliver", data={"method": method},
                          now=_at(_working(day, 1), 10))


def _ratings(cases: list) -> int:
    """Every delivered case rated by its applicant: mostly 满意, one 差评 that is rectified and re-rated."""
    from yiwang.evaluations import services as ev

    n = 0
    for i, case in enumerate(c for c in cases if c.status == "delivered"):
        slot = ev.evaluation_invite_case(case_number=case.number)
        if slot is None:
            continue
        level = 4 if i == 2 else (1 if i % 3 else 2)
        ev.evaluation_rate(evaluation=slot, level=level, channel="web", text="" if level < 4 else "窗口等候时间较长",
                           problem_type="" if level < 4 else "waiting")
        n += 1
        if level >= 4:
            rect = slot.rectification
            head = _u("head")
            ev.rectification_contact(rectification=rect, actor=head, note="已电话回访申请人，了解等候情况")
            ev.rectification_verify(rectification=rect, actor=head, note="高峰时段窗口不足，情况属实")
            rect = ev.rectification_fix(rectification=rect, actor=head, note="高峰时段增开综合窗口")
            ev.evaluation_rate(evaluation=rect.rerating, level=2, channel="web")
    return n


def _hotline() -> int:
    """Seven 12345 requests: answered and visited, one dissatisfied then reopened, one an enterprise's
    demand closed, one merged as a repeat and pressed by a supervisor (督办); two received last week
    (so the issued 周报 and 月报 of the demo have requests in them)."""
    from yiwang.hotline import services as hot
    from yiwang.hotline.models import Category
    from yiwang.organisations.models import Region

    op, region = _u("operator"), Region.objects.get(code="430321")
    cat = Category.objects.get(code="0302")

    def make(title, now=None, **kw):
        req = hot.request_create(kind="complaint", channel="phone", category=cat, region=region, title=title,
                                 content=f"{title}，请尽快处理", phone="13800000002", requester_name="王先生",
                                 actor=op, now=now, **kw)
        return hot.request_dispatch(request=req, actor=op, now=now)

    def answer(req, level):
        staff = _u("xtx-scjg")
        req = hot.request_sign(request=req, actor=staff)
        req = hot.request_reply(request=req, actor=staff, reply="已核实并督促商家退货")
        return hot.request_visit(request=req, actor=op, level=level)

    first = make("超市拒绝退换过期食品")
    answer(first, 1)
    answer(make("餐馆价格标示不清"), 2)
    again = answer(make("商场售后推诿"), 4)  # reopened
    hot.request_visit(request=hot.request_reply(request=again, actor=_u("xtx-scjg"), reply="已约谈商场负责人"),
                      actor=op, level=2)
    answer(make("开办企业后银行开户慢", requester=_party("shop")), 1)
    still_open = make("小区门口占道经营")
    hot.request_merge(request=make("小区门口占道经营再次反映"), into=still_open, actor=op)
    hot.request_supervise(request=still_open, actor=_u("supervisor"), note="占道经营反复发生，请三日内答复")
    last_week = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 6)  # last Tuesday
    answer(make("农贸市场缺斤少两", now=_at(last_week)), 2)
    make("装修噪音扰民", now=_at(last_week, 15))
    return 7
