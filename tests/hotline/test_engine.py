"""The hotline on the one engine: what is offered is what is accepted, for every state and demo role;
history is append-only; timers act as of their due time; a calendar change recomputes deadlines."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.utils import timezone

from tests.conftest import accepted_in_rollback, assert_history_append_only
from tests.files import PDF
from yiwang.core.models import Timer
from yiwang.core.timers import timers_fire_due
from yiwang.core.workflow import apply, available_actions
from yiwang.core.workflow.history import HistoryIsAppendOnly
from yiwang.evaluations.rules import TZ
from yiwang.hotline import services
from yiwang.hotline.models import Request
from yiwang.hotline.workflow import WORKFLOW, Requester
from yiwang.kb.models import Article
from yiwang.organisations.models import Unit
from yiwang.parties.models import Party

pytestmark = pytest.mark.django_db
User = get_user_model()
ROLES = ["operator", "supervisor", "xtx-scjg", "xtx-ga", "tyjk", "head", "zhang"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def user(name):
    return User.objects.get(username=name)


def unit(code):
    return Unit.objects.get(code=code)


def _handling(make_request, **kw):
    req = services.request_dispatch(request=make_request(**kw), actor=user("operator"))
    return services.request_sign(request=req, actor=user(req.unit.code.lower()))


def _returned(make_request, times=1):
    req = make_request()
    for code in ("XTX-SCJG", "XTX-GA", "XTX-RS")[:times]:
        req = services.request_dispatch(request=req, actor=user("operator"), unit=unit(code))
        req = services.request_return(request=req, actor=user(code.lower()), reason="非本单位职责")
    return req


def _replied(make_request):
    req = _handling(make_request)
    return services.request_reply(request=req, actor=user("xtx-scjg"), reply="已处理")


def _escalated(make_request, led=False):
    req = services.request_escalate(request=make_request(), actor=user("operator"), note="多个部门推诿")
    if led:
        req = services.escalation_coordinate(request=req, actor=user("supervisor"), lead_unit=unit("XTX-SCJG"),
                                             co_units=[unit("XTX-SPJ")],
                                             joint_deadline=timezone.localdate() + timedelta(days=5))
    return req


STATES = {
    "new": lambda m: m(),
    "new_consult": lambda m: m(kind="consult", category="010101", title="营业执照怎么办"),
    "dispatched": lambda m: services.request_dispatch(request=m(), actor=user("operator")),
    "returned": _returned,
    "returned_three_times": lambda m: _returned(m, times=3),
    "arbitration": lambda m: services.request_dispute(request=_returned(m), actor=user("operator"), note="属本单位"),
    "handling": _handling,
    "handling_demand": lambda m: _handling(m, kind="help", category="0501", demand_items=["用工难", "报建慢"],
                                           requester=Party.objects.filter(kind="enterprise").first()),
    "replied": _replied,
    "escalated": _escalated,
    "escalated_led": lambda m: _escalated(m, led=True),
    "closed": lambda m: services.request_visit(request=_replied(m), actor=user("operator"), level=2),
    "merged": lambda m: services.request_merge(request=m(), into=m(), actor=user("operator")),
}


def _sample(name: str, req: Request, other: Request) -> dict:
    """A valid input for each action (what a filled-in form would post)."""
    item = req.items.filter(closed_at__isnull=True).first()
    return {
        "create": {"kind": "complaint", "channel": "phone", "title": "x", "content": "y", "contact": True},
        "answer": {"article": Article.objects.get(key="item:430321-QYSLDJ").pk},
        "dispatch": {"unit": "XTX-SCJG"}, "arbitrate": {"unit": "XTX-SCJG"}, "assign": {"unit": "XTX-SCJG"},
        "return": {"reason": "非本单位职责"}, "escalate": {"reason": "推诿"}, "supervise": {"reason": "抓紧办理"},
        "merge": {"into": other.number}, "merged_in": {"source": other.number},
        "reply": {"reply": "已处理"}, "visit": {"level": 2},
        "close_item": {"item": item.pk if item else 0, "result": "已对接"},
        "coordinate": {"lead_unit": "XTX-SCJG", "co_units": ["XTX-GA"],
                       "joint_deadline": (timezone.localdate() + timedelta(days=5)).isoformat()},
        "conclude": {"outcome": "已协调解决"}, "attach": {"name": "a.pdf", "content": PDF},
        "calendar_moved": {"since": timezone.localdate().isoformat()},
    }.get(name, {})



def _accepted(req: Request, actor, other: Request, now: datetime) -> set[str]:
    ok = set()
    for name in WORKFLOW.actions:
        if accepted_in_rollback(lambda name=name: apply(
                WORKFLOW, subject=req.pk, action=name, actor=actor, input=_sample(name, req, other), now=now)):
            ok.add(name)
    return ok


@pytest.mark.parametrize("state", sorted(STATES))
def test_available_actions_are_exactly_those_apply_accepts(make_request, state):
    req = Request.objects.get(pk=STATES[state](make_request).pk)
    other = make_request(title="另一件诉求")
    now = timezone.now()
    actors = {name: user(name) for name in ROLES} | {"requester": Requester(req.token), "system": None}
    offered_any = set()
    for who, actor in actors.items():
        offered = {a.name for a in available_actions(WORKFLOW, subject=Request.objects.get(pk=req.pk), actor=actor,
                                                     now=now, include_system=actor is None)}
        assert offered == _accepted(req, actor, other, now), (state, who)
        offered_any |= offered
    assert offered_any or state in ("closed", "merged")


def test_history_rows_are_never_updated_or_deleted(make_request):
    req = services.request_dispatch(request=make_request(), actor=user("operator"))
    ev = req.events.order_by("seq").first()
    assert_history_append_only(ev)
    with pytest.raises((ProtectedError, HistoryIsAppendOnly)):
        Request.objects.filter(pk=req.pk).delete()
    assert list(req.events.values_list("seq", flat=True)) == [1, 2] and req.version == 2


def test_timer_driven_events_carry_their_due_time(make_request):
    req = services.request_dispatch(request=make_request(), actor=user("operator"))
    timers_fire_due(now=req.sign_due_at + timedelta(seconds=1))
    timers_fire_due(now=req.near_due_at + timedelta(seconds=1))
    timers_fire_due(now=req.deadline_at + timedelta(seconds=1))
    by_action = {e.action: e for e in req.events.all()}
    assert by_action["sign_overdue"].at == req.sign_due_at and by_action["sign_overdue"].actor_kind == "system"
    assert by_action["near_due"].at == req.near_due_at
    assert by_action["overdue"].at == req.deadline_at and "督办" in by_action["overdue"].reason
    assert by_action["overdue"].on == req.deadline_at.astimezone(TZ).date()


def test_a_stale_version_is_a_conflict_and_writes_nothing(make_request):
    from yiwang.core.errors import Conflict

    req = make_request()
    with pytest.raises(Conflict):
        services.request_act(request=req, action="dispatch", actor=user("operator"), input={}, version=req.version - 1)
    assert Request.objects.get(pk=req.pk).status == "new" and req.events.count() == 1


def test_every_event_names_its_actor_kind_and_the_deadline_after_it(make_request):
    req = _replied(make_request)
    kinds = list(req.events.values_list("action", "actor_kind"))
    assert kinds == [("create", "operator"), ("dispatch", "operator"), ("sign", "unit"), ("reply", "unit")]
    assert all(e.deadline == req.deadline_at.astimezone(TZ).date() for e in req.events.all())
    public = services.request_create(kind="suggestion", channel="web", category=req.category, region=req.region,
                                     title="建议", content="周末开放", anonymous=True)
    assert public.events.get().actor_kind == "requester" and public.events.get().actor is None


# --- a calendar change (a new year loaded) recomputes the deadlines -----------------------------------

def at(*a):
    return datetime(*a, tzinfo=TZ)


def test_loading_the_2027_calendar_recomputes_provisional_deadlines_and_sign_limits(make_request):
    from yiwang.core.workflow.deadlines import recompute_all
    from yiwang.workcalendar.models import CalendarYear
    from yiwang.workcalendar.services import calendar_import_year

    assert not CalendarYear.objects.filter(year=2027).exists()
    late = make_request(now=at(2026, 12, 21, 10))  # 投诉, 15 working days: into January 2027
    assert late.deadline_provisional and late.deadline_at.date().isoformat() == "2027-01-11"  # weekends only
    signing = services.request_dispatch(request=make_request(now=at(2026, 12, 31, 9)), actor=user("operator"),
                                        now=at(2026, 12, 31, 10))
    assert signing.sign_due_at.astimezone(TZ).date().isoformat() == "2027-01-01"
    early = make_request(now=at(2026, 11, 2, 10))  # due in November: nothing to move
    calendar_import_year(content="date,kind,name\n2027-01-01,holiday,元旦\n".encode(), filename="2027.csv")
    moved = recompute_all(since=at(2027, 1, 1).date(), now=at(2026, 12, 28, 9))
    assert moved["hotline_requests"] == 2
    late.refresh_from_db()
    signing.refresh_from_db()
    assert late.deadline_at.astimezone(TZ).date().isoformat() == "2027-01-12" and not late.deadline_provisional
    ev = late.events.get(action="calendar_moved")
    assert "工作日历" in ev.reason and "不再是暂定" in ev.reason and ev.data["deadline_before"].startswith("2027-01-11")
    assert ev.actor_kind == "system" and ev.deadline.isoformat() == "2027-01-12"
    assert Timer.objects.get(kind=services.TIMER_OVERDUE, key=str(late.pk), fired_at__isnull=True,
                             cancelled_at__isnull=True).due_at == late.deadline_at
    assert signing.sign_due_at.astimezone(TZ).date().isoformat() == "2027-01-04"
    assert Timer.objects.get(kind=services.TIMER_SIGN, key=str(signing.pk), fired_at__isnull=True,
                             cancelled_at__isnull=True).due_at == signing.sign_due_at
    assert not early.events.filter(action="calendar_moved").exists()
    assert recompute_all(since=at(2027, 1, 1).date())["hotline_requests"] == 0  # once


def test_a_calendar_change_reaches_the_hotline_through_the_background_task(make_request,
                                                                           django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from yiwang.workcalendar.services import calendar_day_set

    req = make_request(now=at(2026, 12, 1, 10))  # 投诉: 2026-12-22
    assert req.deadline_at.date().isoformat() == "2026-12-22"
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=at(2026, 12, 3).date(), kind="holiday", name="临时休假")
    call_command("worker", "--once")
    req.refresh_from_db()
    assert req.deadline_at.astimezone(TZ).date().isoformat() == "2026-12-23"
    assert req.events.filter(action="calendar_moved").count() == 1
