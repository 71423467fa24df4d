"""CSRF is enforced on every session-authenticated unsafe API request; token and anonymous callers
need none (issue 12, item 6)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from yiwang.core.auth import token_issue
from yiwang.evaluations import services as ev_services
from yiwang.organisations.models import Window

pytestmark = pytest.mark.django_db
REQUEST = {"kind": "consult", "category": "010101", "title": "营业执照", "content": "营业执照怎么办",
           "phone": "13800000009"}


def session_client(username="zhang") -> Client:
    c = Client(enforce_csrf_checks=True)
    c.force_login(get_user_model().objects.get(username=username))
    return c


def csrf_token(c: Client) -> str:
    c.get("/12345/")  # a page with a form sets the CSRF cookie
    return c.cookies["csrftoken"].value


def _evaluation():
    window = Window.objects.get(code="XTX-W01")
    return ev_services.evaluation_invite(subject_kind="window", subject_ref="W-CSRF", unit=window.unit, window=window)


@pytest.mark.parametrize("path", ["/api/v1/requests", "evaluation"])
def test_a_session_post_without_the_csrf_token_is_refused_in_json(path):
    c = session_client()
    url = f"/api/v1/evaluations/by-token/{_evaluation().token}" if path == "evaluation" else path
    body = {"level": 1, "channel": "web"} if path == "evaluation" else REQUEST
    r = c.post(url, body, content_type="application/json")
    assert r.status_code == 403 and r.json()["error"] == "csrf" and "CSRF" in r.json()["message"]
    ok = c.post(url, body, content_type="application/json", headers={"X-CSRFToken": csrf_token(c)})
    assert ok.status_code == 200, ok.content


def test_a_session_post_from_a_foreign_origin_is_refused_but_token_and_anonymous_posts_need_no_csrf():
    c = session_client()
    token = csrf_token(c)
    r = c.post("/api/v1/requests", REQUEST, content_type="application/json", secure=True,
               headers={"X-CSRFToken": token, "Origin": "https://evil.example", "Referer": "https://evil.example/"})
    assert r.status_code == 403 and r.json()["error"] == "csrf"
    key = token_issue(username="operator", password="Demo@2026")
    bearer = Client(enforce_csrf_checks=True).post("/api/v1/requests", REQUEST, content_type="application/json",
                                                   headers={"Authorization": f"Bearer {key}"})
    assert bearer.status_code == 200, bearer.content
    assert Client(enforce_csrf_checks=True).post("/api/v1/requests", REQUEST,
                                                 content_type="application/json").status_code == 200
