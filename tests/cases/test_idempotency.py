"""Idempotency-Key on POST /api/v1/cases: a retry after a lost answer gets the first case, not a second."""

import json
from datetime import timedelta

import pytest

from .conftest import QYSLDJ, XTCY, form_for
from .test_api import token


def _post(client, auth, body, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/v1/cases", json.dumps(body), content_type="application/json", **auth, **extra)


def _body(**over):
    return {"item": QYSLDJ, "applicant": XTCY, "form": form_for(QYSLDJ), "channel": "window", **over}


def _cases():
    from yiwang.cases.models import Case

    return Case.objects.count()


@pytest.fixture
def clerk(api_client, db):
    return token(api_client, "clerk")


def test_a_retry_with_the_same_key_replays_the_first_case(api_client, clerk):
    before = _cases()
    first = _post(api_client, clerk, _body(), key="9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")
    again = _post(api_client, clerk, _body(), key="9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")
    assert first.status_code == again.status_code == 201, again.content
    assert again.json()["number"] == first.json()["number"]
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert _cases() == before + 1


def test_without_a_key_two_posts_are_two_cases(api_client, clerk):
    before = _cases()
    a, b = _post(api_client, clerk, _body()), _post(api_client, clerk, _body())
    assert a.json()["number"] != b.json()["number"] and _cases() == before + 2


def test_the_same_key_with_another_body_is_refused_and_creates_nothing(api_client, clerk):
    _post(api_client, clerk, _body(), key="k-1")
    before = _cases()
    r = _post(api_client, clerk, _body(form={**form_for(QYSLDJ), "企业名称": "另一家公司"}), key="k-1")
    assert r.status_code == 422 and r.json()["error"] == "idempotency_key_reused"
    assert r.json()["field"] == "Idempotency-Key" and "幂等键" in r.json()["message"]
    assert _cases() == before


def test_a_refused_request_does_not_use_up_its_key(api_client, clerk):
    before = _cases()
    r = _post(api_client, clerk, _body(applicant={**XTCY, "number": "123"}), key="k-2")
    assert r.status_code == 400
    r = _post(api_client, clerk, _body(), key="k-2")
    assert r.status_code == 201 and "Idempotent-Replayed" not in r and _cases() == before + 1


@pytest.mark.parametrize("key", ["", "x" * 65, "键", "a b"])
def test_a_malformed_key_is_a_400_at_the_header(api_client, clerk, key):
    before = _cases()
    r = _post(api_client, clerk, _body(), key=key)
    assert r.status_code == 400 and r.json()["field"] == "Idempotency-Key", r.content
    assert _cases() == before


def test_keys_belong_to_their_user(api_client, clerk):
    bundle = token(api_client, "bundleclerk")
    a = _post(api_client, clerk, _body(), key="shared")
    b = _post(api_client, bundle, _body(), key="shared")
    assert b.status_code == 201 and b.json()["number"] != a.json()["number"]


def test_a_key_older_than_a_day_counts_as_new(api_client, clerk):
    from yiwang.core.models import IdempotencyKey

    a = _post(api_client, clerk, _body(), key="old")
    IdempotencyKey.objects.filter(key="old").update(created_at=IdempotencyKey.objects.get(key="old").created_at
                                                     - timedelta(hours=25))
    b = _post(api_client, clerk, _body(form={**form_for(QYSLDJ), "企业名称": "另一家公司"}), key="old")
    assert b.status_code == 201 and b.json()["number"] != a.json()["number"]


def test_the_header_is_in_the_openapi_document(api_client):
    doc = api_client.get("/api/openapi.json").json()
    op = doc["paths"]["/api/v1/cases"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op["parameters"])
    assert "422" in op["responses"]


def test_two_retries_at_once_make_one_case(postgres, run_threads):
    from django.test import Client

    from yiwang.cases.models import Case

    def post(i):
        client = Client()
        auth = token(client, "clerk")
        return _post(client, auth, _body(), key="concurrent")

    before = Case.objects.count()
    results = run_threads(post, 4)
    assert all(r[0] == "ok" for r in results), results
    responses = [r[1] for r in results]
    assert {r.status_code for r in responses} == {201}, [r.content for r in responses]
    assert len({r.json()["number"] for r in responses}) == 1
    assert Case.objects.count() == before + 1
