"""The hotline's day as its users meet it: a reopened request runs on a new deadline, dispatch
offers only the request's region's units, phone numbers are checked at the field, and the
supervisor sees dissatisfied callbacks and overdue 办件."""

from datetime import date, datetime

import pytest
from django.contrib.auth import get_user_model

from yiwang.core.errors import DomainError
from yiwang.core.models import Timer
from yiwang.evaluations.rules import TZ
from yiwang.hotline import services
from yiwang.hotline.models import Request
from yiwang.organisations.models import Unit
from yiwang.workcalendar.index import add_working_days

pytestmark = pytest.mark.django_db
User = get_user_model()


def at(*a):
    return datetime(*a, tzinfo=TZ)


def login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def _replied(make_request, operator, scjg_user, when):
    req = make_request(now=when)
    services.request_dispatch(request=req, actor=operator, now=when)
    services.request_sign(request=req, actor=scjg_user)
    return services.request_reply(request=req, actor=scjg_user, reply="已处理")


def test_a_reopened_request_gets_a_new_working_day_deadline_from_the_reopening(make_request, operator, scjg_user):
    received = at(2026, 3, 2, 10)
    req = _replied(make_request, operator, scjg_user, received)
    assert req.deadline_at == at(2026, 3, 23, 23, 59, 59)  # 15 working days (complaint) from 2 March
    services.request_flag(request_id=req.pk, what="overdue", now=at(2026, 3, 24, 0, 0, 1))
    reopened_at = at(2026, 4, 1, 9)
    req = services.request_visit(request=Request.objects.get(pk=req.pk), actor=operator, level=4, note="没有退货")
    req = Request.objects.get(pk=req.pk)
    assert req.status == "handling" and req.reopens == 1
    day0 = req.deadline_from.astimezone(TZ).date()
    assert req.deadline_from > reopened_at and req.deadline_at.astimezone(TZ).date() == add_working_days(day0, 15).date
    assert not req.overdue and not req.near_due
    visit = req.events.get(action="visit")
    assert visit.deadline == req.deadline_at.astimezone(TZ).date() != date(2026, 3, 23)  # the history says so
    pending = Timer.objects.filter(kind=services.TIMER_OVERDUE, key=str(req.pk), cancelled_at__isnull=True,
                                   fired_at__isnull=True)
    assert list(pending.values_list("due_at", flat=True)) == [req.deadline_at]  # the overdue timer moved with it


def test_a_calendar_change_recounts_a_reopened_request_from_its_reopening(make_request, operator, scjg_user):
    req = _replied(make_request, operator, scjg_user, at(2026, 3, 2, 10))
    req = services.request_visit(request=req, actor=operator, level=5)
    req = Request.objects.get(pk=req.pk)
    from yiwang.hotline.workflow import recomputed

    assert recomputed(req) == {}  # the holder counts from the reopening: nothing to move
    req.deadline_at = at(2026, 3, 23, 23, 59, 59)  # as if counted from the receipt
    assert recomputed(req)["deadline_at"] > at(2026, 4, 1)


def test_dispatch_offers_only_units_of_the_requests_region(client, make_request):
    req = make_request()
    page = login(client, "operator").get(f"/hotline/r/{req.number}/").content.decode()
    dispatch_form = page[page.index('id="act-dispatch"'):]
    dispatch_form = dispatch_form[:dispatch_form.index("</form>")]
    assert "湘潭县市场监督管理局" in dispatch_form
    for other in ("衡阳县", "岳阳", "株洲", "华容", "12345政务服务便民热线"):
        assert other not in dispatch_form, other


def test_dispatch_to_a_unit_of_another_region_is_refused_at_the_unit(client, make_request, operator):
    req = make_request()
    with pytest.raises(DomainError) as e:
        services.request_dispatch(request=req, actor=operator, unit=Unit.objects.get(code="HYX-SCJG"))
    assert e.value.field == "unit" and "衡阳县市场监督管理局不是湘潭县的单位" in e.value.message
    r = login(client, "operator").post(f"/api/v1/requests/{req.number}/dispatch", {"unit": "YY-JKQ"},
                                       content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "unit"
    assert Request.objects.get(pk=req.pk).status == "new"


@pytest.mark.parametrize("phone", ["1380000", "12812345678", "57881234", "138-0000-00001"])
def test_a_wrong_phone_is_refused_at_the_phone_field(client, make_request, phone):
    with pytest.raises(DomainError) as e:
        make_request(phone=phone)
    assert e.value.field == "phone" and "11位手机号码" in e.value.message and "phone：" not in e.value.message
    r = client.post("/api/v1/requests", {"kind": "complaint", "category": "0302", "title": "x", "content": "y",
                                         "phone": phone}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "phone"


def test_the_public_form_shows_a_wrong_phone_at_its_field_and_keeps_the_typing(client):
    r = client.post("/12345/", {"kind": "complaint", "category": "0302", "title": "商场拒绝退货",
                                "content": "质量问题", "requester_name": "李先生", "phone": "1380000"})
    body = r.content.decode()
    assert r.status_code == 400 and 'id="err-phone"' in body and 'aria-invalid="true"' in body
    assert 'value="商场拒绝退货"' in body and 'value="1380000"' in body and 'value="李先生"' in body
    assert not Request.objects.filter(title="商场拒绝退货", phone="1380000").exists()


def test_a_landline_with_area_code_is_accepted_and_stored_plainly(make_request):
    assert make_request(phone="0731 5788 1234").phone == "0731-57881234"


def test_the_supervisor_lands_on_dissatisfied_callbacks_and_overdue_cases(client, make_request, operator, scjg_user):
    from tests.cases.conftest import QYSLDJ, XTCY, form_for
    from yiwang.cases import services as cases
    from yiwang.cases.models import Case

    req = _replied(make_request, operator, scjg_user, at(2026, 3, 2, 10))
    services.request_visit(request=req, actor=operator, level=4, note="没有退货")
    case = cases.case_submit(actor=User.objects.get(username="clerk"), item=QYSLDJ, applicant=XTCY,
                             form=form_for(QYSLDJ), channel="window", now=at(2025, 12, 29, 10))
    Case.objects.filter(pk=case.pk).update(status="accepted", due_state="overdue", deadline=date(2026, 1, 5))
    login(client, "supervisor")
    r = client.get("/workbench/")
    assert r.status_code == 302 and r["Location"] == "/hotline/supervise/"
    page = client.get(r["Location"]).content.decode()
    dissatisfied = page[page.index('id="dissatisfied"'):page.index('id="cases-overdue"')]
    assert req.number in dissatisfied and "不满意" in dissatisfied
    overdue = page[page.index('id="cases-overdue"'):]
    assert case.number in overdue and "2026-01-05" in overdue
    assert "/hotline/supervise/" in client.get("/supervision/").content.decode()  # linked from the landing


def test_other_staff_still_get_the_workbench_and_the_public_no_supervisor_lists(client):
    assert login(client, "clerk").get("/workbench/").status_code == 200
    client.logout()
    assert login(client, "zhang").get("/hotline/supervise/").status_code == 403
