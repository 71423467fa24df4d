import pytest

pytestmark = pytest.mark.django_db


def test_demo_bundle_is_served(api_client):
    r = api_client.get("/api/v1/bundles/QYKB")
    assert r.status_code == 200
    assert r.json()["promised_days"] == 1
