"""Outside the demo, the published demo password must be changed at the first login (issue 12, item 5)."""

import pytest
from django.contrib.auth import get_user_model

from yiwang.demo.loader import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
NEW = "Qz7#mPv9!kLw"


@pytest.fixture
def production(settings):
    settings.YIWANG_DEMO = False
    return settings


def _login(client, username="clerk", password=DEMO_PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_outside_the_demo_a_demo_password_login_leads_only_to_the_change_password_page(client, production):
    r = _login(client)
    assert r.status_code == 302 and r["Location"] == "/accounts/password_change/"
    r = client.get("/workbench/")
    assert r.status_code == 302 and r["Location"] == "/accounts/password_change/"
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200 and "公开的初始密码" in page.content.decode()
    api = client.get("/api/v1/cases")
    assert api.status_code == 403 and api.json()["error"] == "password_change_required"
    assert "修改密码" in api.json()["message"]


def test_changing_the_password_lifts_the_mark(client, production):
    _login(client)
    r = client.post("/accounts/password_change/", {"old_password": DEMO_PASSWORD, "new_password1": NEW,
                                                   "new_password2": NEW})
    assert r.status_code == 302 and r["Location"] == "/accounts/password_change/done/"
    assert client.get("/workbench/").status_code == 200
    assert get_user_model().objects.get(username="clerk").check_password(NEW)


def test_a_weak_new_password_is_refused_and_the_mark_stays(client, production):
    _login(client)
    r = client.post("/accounts/password_change/", {"old_password": DEMO_PASSWORD, "new_password1": "12345678",
                                                   "new_password2": "12345678"})
    assert r.status_code == 200
    assert client.get("/workbench/")["Location"] == "/accounts/password_change/"


def test_outside_the_demo_the_token_endpoint_refuses_a_demo_password_in_chinese(client, production):
    r = client.post("/api/v1/auth/token", {"username": "operator", "password": DEMO_PASSWORD},
                    content_type="application/json")
    assert r.status_code == 403
    body = r.json()
    assert body["error"] == "password_change_required" and body["field"] == "password"
    assert "初始密码" in body["message"]


def test_another_password_is_not_marked(client, production):
    user = get_user_model().objects.get(username="clerk")
    user.set_password(NEW)
    user.save()
    r = _login(client, password=NEW)
    assert r.status_code == 302 and r["Location"] != "/accounts/password_change/"
    assert client.get("/workbench/").status_code == 200
    assert client.post("/api/v1/auth/token", {"username": "clerk", "password": NEW},
                       content_type="application/json").status_code == 200


def test_in_the_demo_the_demo_passwords_work(client, settings):
    settings.YIWANG_DEMO = True
    r = _login(client)
    assert r.status_code == 302 and r["Location"] != "/accounts/password_change/"
    assert client.get("/workbench/").status_code == 200
    assert client.post("/api/v1/auth/token", {"username": "operator", "password": DEMO_PASSWORD},
                       content_type="application/json").status_code == 200
