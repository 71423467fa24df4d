import pytest


@pytest.mark.django_db
def test_the_four_licence_endpoints_are_in_the_openapi_document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = sorted(p for p in response.json()["paths"] if "/licences" in p)
    assert paths == ["/api/v1/licences", "/api/v1/licences/{identifier}", "/api/v1/licences/{identifier}/pdf",
                     "/api/v1/licences/{identifier}/verify"]
