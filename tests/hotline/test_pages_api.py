import pytest
from django.contrib.auth import get_user_model

from yiwang.evaluations import services as ev_services
from yiwang.organisations.models import Unit, Window

pytestmark = pytest.mark.django_db
User = get_user_model()


def client_for(client, username):
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("url", ["/hotline/", "/hotline/supervise/"])
def test_staff_pages_refuse_other_roles_in_chinese(client, url):
    r = client_for(client, "zhang").get(url)
    assert r.status_code == 403 and "无权访问" in r.content.decode()


def test_console_lists_queue_for_operator(client, make_request):
    req = make_request()
    r = client_for(client, "operator").get("/hotline/")
    assert r.status_code == 200 and req.number in r.content.decode()


def test_kb_suggestions_fragment(client):
    r = client_for(client, "operator").get("/hotline/suggest/", {"title": "怎么办营业执照"})
    body = r.content.decode()
    assert "企业设立登记" in body and "用此答复并办结" in body


def test_public_submit_and_track_without_account(client):
    r = client.post("/12345/", {"kind": "suggestion", "category": "9901", "title": "建议延长周末办公",
                                "content": "周末也开放大厅", "anonymous": "1"})
    assert r.status_code == 302
    page = client.get(r["Location"])
    assert "待派单" in page.content.decode()
    assert client.get("/12345/000000/").status_code == 404


def test_unit_inbox_shows_only_its_requests(client, make_request, operator):
    from yiwang.hotline import services

    req = services.request_dispatch(request=make_request(), actor=operator)
    assert req.number in client_for(client, "xtx-scjg").get("/hotline/inbox/").content.decode()
    client.logout()
    assert req.number not in client_for(client, "xtx-ga").get("/hotline/inbox/").content.decode()
    assert client.get(f"/hotline/r/{req.number}/").status_code == 403


def test_api_requests_and_kb_search(client):
    r = client.post("/api/v1/requests", {"kind": "consult", "category": "010101", "title": "营业执照",
                                         "content": "营业执照怎么办", "phone": "13800000009"},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    number = r.json()["number"]
    assert client.get(f"/api/v1/requests/{number}").json()["status"] == "new"
    bad = client.post("/api/v1/requests", {"kind": "complaint", "category": "010101", "title": "x", "content": "y",
                                           "anonymous": True}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "anonymous"
    hits = client.get("/api/v1/kb/search", {"q": "怎么办营业执照"}).json()
    assert hits[0]["title"] == "企业设立登记"
    assert client.get("/api/v1/requests").status_code == 401


def test_api_rate_by_token_and_stats(client):
    window = Window.objects.get(code="XTX-W01")
    ev = ev_services.evaluation_invite(subject_kind="window", subject_ref="W-API", unit=window.unit, window=window)
    r = client.post(f"/api/v1/evaluations/by-token/{ev.token}", {"level": 6, "channel": "qr"},
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "level"
    r = client.post(f"/api/v1/evaluations/by-token/{ev.token}", {"level": 1, "channel": "qr"},
                    content_type="application/json")
    assert r.json()["status"] == "rated"
    r = client.post(f"/api/v1/evaluations/by-token/{ev.token}", {"level": 1, "channel": "qr"},
                    content_type="application/json")
    assert r.status_code == 409
    stats = client_for(client, "supervisor").get("/api/v1/evaluations/stats", {"by": "window"}).json()
    assert any(s["name"] == window.name for s in stats)
    assert Unit.objects.filter(code="XTX-ZWZX").exists()


def test_rate_page_works_without_account(client):
    window = Window.objects.get(code="XTX-W01")
    ev = ev_services.evaluation_invite(subject_kind="window", subject_ref="W-PAGE", unit=window.unit, window=window)
    page = client.get(f"/rate/{ev.token}/")
    assert page.status_code == 200 and "非常满意" in page.content.decode()
    done = client.post(f"/rate/{ev.token}/", {"level": "2", "text": "很快"})
    assert "感谢您的评价" in done.content.decode()
