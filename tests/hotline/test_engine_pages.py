"""Pages and the API offer exactly the engine's available actions, in Chinese, with confirmation on
the irreversible ones; one API operation per action."""

import re

import pytest
from django.contrib.auth import get_user_model

from yiwang.hotline import services
from yiwang.hotline.models import Request
from yiwang.hotline.workflow import WORKFLOW

pytestmark = pytest.mark.django_db
User = get_user_model()


def login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def _offered_forms(html: str) -> set[str]:
    section = html.split('<section class="actions">', 1)[1].split("</section>", 1)[0]
    return set(re.findall(r'name="action" value="([a-z_]+)"', section))


@pytest.mark.parametrize("username", ["operator", "supervisor", "xtx-scjg"])
def test_the_request_page_offers_exactly_the_available_actions(client, make_request, username):
    req = services.request_dispatch(request=make_request(), actor=User.objects.get(username="operator"))
    html = login(client, username).get(f"/hotline/r/{req.number}/").content.decode()
    user = User.objects.get(username=username)
    expected = {a.name for a in services.actions_for(Request.objects.get(pk=req.pk), user)} - {"attach", "close_item"}
    assert _offered_forms(html) == expected


def test_timeline_and_status_are_in_chinese(client, make_request):
    req = services.request_dispatch(request=make_request(), actor=User.objects.get(username="operator"))
    html = login(client, "operator").get(f"/hotline/r/{req.number}/").content.decode()
    timeline = html.split('<ol class="timeline">', 1)[1]
    assert "受理登记" in timeline and "派单" in timeline and "待签收" in timeline
    for key in ("create", "dispatch", "dispatched", ">new<"):
        assert key not in timeline.split("</ol>")[0]
    public = client.get(f"/12345/{req.number}/").content.decode()
    track = public.split('<ol class="timeline">', 1)[1].split("</ol>")[0]
    assert "待派单" in track and "待签收" in track and "dispatched" not in track


def test_returning_asks_for_confirmation_first(client, make_request):
    req = services.request_dispatch(request=make_request(), actor=User.objects.get(username="operator"))
    c = login(client, "xtx-scjg")
    html = c.get(f"/hotline/r/{req.number}/").content.decode()
    assert "<details" in html and WORKFLOW.actions["return"].confirm in html
    c.post(f"/hotline/r/{req.number}/", {"action": "return", "reason": "非本单位职责"})
    assert Request.objects.get(pk=req.pk).status == "dispatched"  # not confirmed: nothing done
    c.post(f"/hotline/r/{req.number}/", {"action": "return", "reason": "非本单位职责", "confirm": "1"})
    assert Request.objects.get(pk=req.pk).status == "returned"


def test_the_unit_inbox_signs_from_the_row(client, make_request):
    req = services.request_dispatch(request=make_request(), actor=User.objects.get(username="operator"))
    c = login(client, "xtx-scjg")
    html = c.get("/hotline/inbox/").content.decode()
    assert 'value="sign"' in html and "签收" in html
    r = c.post(f"/hotline/r/{req.number}/", {"action": "sign", "version": str(req.version), "next": "/hotline/inbox/"})
    assert r.status_code == 302 and r["Location"] == "/hotline/inbox/"
    assert Request.objects.get(pk=req.pk).status == "handling"


def test_one_api_operation_per_action_with_its_input_and_version(client, make_request):
    req = make_request()
    c = login(client, "operator")
    r = c.post(f"/api/v1/requests/{req.number}/dispatch", {"unit": "XTX-SCJG", "version": 0},
               content_type="application/json")
    assert r.status_code == 409  # the version the caller saw is not the current one
    r = c.post(f"/api/v1/requests/{req.number}/dispatch", {"unit": "XTX-SCJG", "version": req.version},
               content_type="application/json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "dispatched" and body["version"] == req.version + 1 and body["actions"] is not None
    r = login(client, "xtx-scjg").post(f"/api/v1/requests/{req.number}/return", {"reason": ""},
                                       content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "reason" and "退单理由" in r.json()["message"]
    r = client.post(f"/api/v1/requests/{req.number}/sign", content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "handling"
    assert {a["name"] for a in r.json()["actions"]} == {"reply", "attach"}
    r = client.post(f"/api/v1/requests/{req.number}/sign", content_type="application/json")
    assert r.status_code == 409 and r.json()["error"] == "bad_state"


def test_the_openapi_document_has_an_operation_per_action(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for name, act in WORKFLOW.actions.items():
        if act.system_only or name in ("create", "attach"):
            continue
        op = paths[f"/api/v1/requests/{{number}}/{name}"]["post"]
        assert {"400", "403", "409"} <= set(op["responses"]), name


def test_the_older_actions_operation_still_works(client, make_request):
    req = make_request()
    r = login(client, "operator").post(f"/api/v1/requests/{req.number}/actions", {"action": "dispatch"},
                                       content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "dispatched"


@pytest.mark.parametrize("state", ["new", "returned_three_times", "arbitration", "handling_demand", "replied",
                                   "escalated", "escalated_led"])
@pytest.mark.parametrize("username", ["operator", "supervisor", "xtx-scjg", "tyjk"])
def test_every_state_renders_exactly_its_forms(client, make_request, state, username):
    from tests.hotline.test_engine import STATES

    req = Request.objects.get(pk=STATES[state](make_request).pk)
    user = User.objects.get(username=username)
    offered = {a.name for a in services.actions_for(req, user)}
    r = login(client, username).get(f"/hotline/r/{req.number}/")
    if not services.kinds_of(user, req) & {"operator", "supervisor", "unit", "lead", "co_unit"}:
        assert r.status_code == 403
        return
    html = r.content.decode()
    assert r.status_code == 200 and _offered_forms(html) == offered - {"attach", "close_item"}
    assert ('name="action" value="close_item"' in html) == ("close_item" in offered)
    assert ('name="action" value="attach"' in html) == ("attach" in offered)
