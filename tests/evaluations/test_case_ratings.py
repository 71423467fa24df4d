"""一事一评 from the case engine's hooks, 一次一评 at the window pad, the applicant's page, the QR code."""

from datetime import date, datetime, time

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import relay_killed_at_mark
from yiwang.cases import services as cases
from yiwang.catalogue.models import ItemImplementation
from yiwang.core.errors import Forbidden
from yiwang.evaluations import rules, selectors, services
from yiwang.evaluations.models import EvalStatus, Evaluation
from yiwang.organisations.models import Window

pytestmark = pytest.mark.django_db
TZ = rules.TZ
User = get_user_model()
QYSLDJ = "430321-QYSLDJ"
GZKZBA = "430321-GZKZBA"
XTCY = {"kind": "enterprise", "number": "91430321MA4T8K2P6K", "name": "湘潭示范餐饮有限公司"}


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=TZ)


def u(name):
    return User.objects.get(username=name)


def submit_and_accept(impl_code: str, day=date(2026, 9, 28)):
    impl = ItemImplementation.objects.select_related("item").get(impl_code=impl_code)
    case = cases.case_submit(actor=u("clerk"), item=impl_code, applicant=XTCY, channel="window",
                             form={f: f"示例{f}" for f in impl.item.form_fields}, now=at(day))
    paper = [m.name for m in impl.item.materials.filter(source="applicant")]
    return cases.case_accept(case=case, actor=u("clerk"), paper=paper, now=at(day))


def run_to_decision(case, actor_name="xtx-scjg", day=date(2026, 9, 28)):
    case.refresh_from_db()
    while case.current_step < max(len(case.steps) - 1, 1) and len(case.steps) > 2:
        case = cases.case_act(case=case, actor=u(actor_name), action="review", now=at(day, 11))
    return cases.case_act(case=case, actor=u(actor_name), action="approve", now=at(day, 14))


def relay():
    """The outbox relay of `yiwang worker`: the after-commit reactions run here."""
    from yiwang.core.outbox import outbox_relay

    return outbox_relay(send=lambda message: None, limit=1000)


def test_delivered_case_opens_one_rating_slot_for_the_applicant():
    case = run_to_decision(submit_and_accept(QYSLDJ))
    relay()
    assert not Evaluation.objects.filter(subject_ref=case.number).exists(), "decided is not yet complete"
    case = cases.case_act(case=case, actor=u("clerk"), action="deliver", data={"method": "window"})
    assert not Evaluation.objects.filter(subject_ref=case.number).exists(), "invited after commit, by the relay"
    relay()
    ev = Evaluation.objects.get(subject_kind="case", subject_ref=case.number)
    assert ev.round == 1 and ev.status == EvalStatus.INVITED
    assert ev.unit == case.deciding_unit and ev.staff == u("xtx-scjg")
    assert ev.implementation.impl_code == QYSLDJ and ev.rater_party == case.applicant
    assert ev.window is not None and ev.window.code.startswith("XTX-W")  # the clerk's intake window
    assert list(selectors.evaluations_open_for(u("xtcy"))) == [ev]
    assert selectors.case_evaluation(case.number) == ev


def test_instant_item_is_rated_on_decision_and_delivery_adds_no_second_slot():
    case = submit_and_accept(GZKZBA)  # an instant item is decided on acceptance
    assert case.status == "approved"
    relay()
    ev = Evaluation.objects.get(subject_ref=case.number)
    services.evaluation_rate(evaluation=ev, level=2, channel="qr")
    cases.case_act(case=case, actor=u("clerk"), action="deliver", data={"method": "window"})
    relay()
    assert Evaluation.objects.filter(subject_ref=case.number).count() == 1


def test_a_rolled_back_delivery_invites_no_one():
    from django.db import transaction

    case = run_to_decision(submit_and_accept(QYSLDJ))
    relay()
    try:
        with transaction.atomic():
            cases.case_act(case=case, actor=u("clerk"), action="deliver", data={"method": "window"})
            raise RuntimeError("rollback")
    except RuntimeError:
        pass
    relay()
    assert not Evaluation.objects.filter(subject_ref=case.number).exists()


def test_the_invitation_survives_a_crash_between_commit_and_relay_and_is_made_once(monkeypatch):
    """The delivery commits with its outbox row; the relay dies before marking it sent (the
    invitation it made rolls back with it); a restarted relay invites once; a third run does nothing."""
    from yiwang.core.models import OutboxMessage
    from yiwang.core.workflow import REACTION_TOPIC

    case = run_to_decision(submit_and_accept(QYSLDJ))
    relay()
    cases.case_act(case=case, actor=u("clerk"), action="deliver", data={"method": "window"})
    row = OutboxMessage.objects.get(topic=REACTION_TOPIC, payload__key=case.number, payload__action="deliver",
                                    payload__reaction="evaluations.invite_case")
    assert row.sent_at is None and row.payload["reaction"] == "evaluations.invite_case"

    relay_killed_at_mark(monkeypatch, row, relay)
    assert not Evaluation.objects.filter(subject_ref=case.number).exists()
    row.refresh_from_db()
    assert row.sent_at is None
    relay()
    relay()
    assert Evaluation.objects.filter(subject_ref=case.number).count() == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1


def test_inviting_a_case_twice_opens_nothing_new():
    case = run_to_decision(submit_and_accept(QYSLDJ))
    first = services.evaluation_invite_case(case_number=case.number)
    assert first is not None
    assert services.evaluation_invite_case(case_number=case.number) is None
    assert Evaluation.objects.filter(subject_ref=case.number).count() == 1


def test_window_pad_opens_a_slot_for_the_clerk_of_that_window():
    window = Window.objects.get(code="XTX-W01")
    ev = services.evaluation_invite_window(window=window, actor=u("clerk"))
    assert ev.subject_kind == "window" and ev.window == window and ev.unit == window.unit
    assert ev.staff is not None and ev.subject_ref.startswith("XTX-W01-")
    with pytest.raises(Forbidden):
        services.evaluation_invite_window(window=window, actor=u("zhang"))


def test_window_pad_page_shows_a_qr_code_served_by_the_platform(client):
    client.force_login(u("clerk"))
    r = client.post("/rate/window/XTX-W01/")
    assert r.status_code == 302
    page = client.get("/rate/window/XTX-W01/").content.decode()
    ev = Evaluation.objects.filter(subject_kind="window", window__code="XTX-W01").latest("id")
    assert f"/rate/{ev.token}/qr.svg" in page
    svg = client.get(f"/rate/{ev.token}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_window_pad_is_refused_to_an_applicant(client):
    client.force_login(u("zhang"))
    r = client.get("/rate/window/XTX-W01/")
    assert r.status_code == 403 and "工作人员" in r.content.decode()


def test_applicant_sees_open_ratings_with_link_and_qr(client):
    case = run_to_decision(submit_and_accept(QYSLDJ))
    ev = services.evaluation_invite_case(case_number=case.number)
    client.force_login(u("xtcy"))
    page = client.get("/me/evaluations/").content.decode()
    assert f"/rate/{ev.token}/" in page and f"/rate/{ev.token}/qr.svg" in page and "评价" in page
    client.force_login(u("zhang"))
    assert ev.token not in client.get("/me/evaluations/").content.decode()


def test_api_lists_the_applicants_open_ratings_with_links(client):
    case = run_to_decision(submit_and_accept(QYSLDJ))
    ev = services.evaluation_invite_case(case_number=case.number)
    client.force_login(u("xtcy"))
    rows = client.get("/api/v1/evaluations/mine").json()
    assert [r["subject_ref"] for r in rows] == [case.number]
    assert rows[0]["rate_url"] == f"/rate/{ev.token}/" and rows[0]["qr_url"].endswith("qr.svg")
    assert client.logout() is None and client.get("/api/v1/evaluations/mine").status_code == 401
