import pytest
from django.contrib.auth import get_user_model

from yiwang.licences.services import licence_revoke

pytestmark = pytest.mark.django_db


def _user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def licence(issue):
    return issue()


def test_listing_needs_a_login(api_client, licence):
    response = api_client.get("/api/v1/licences?holder=91430321MA4L16JQ95")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_the_holder_lists_their_own_licences(api_client, licence):
    api_client.force_login(_user("xtkj"))
    items = api_client.get("/api/v1/licences?holder=91430321MA4L16JQ95").json()["items"]
    assert [i["identifier"] for i in items] == [licence.identifier]
    assert items[0]["holder"]["number"] == "91430321MA4L16JQ95"
    assert api_client.get("/api/v1/licences").json()["items"][0]["identifier"] == licence.identifier


def test_another_applicant_cannot_list_someone_elses_licences(api_client, licence):
    api_client.force_login(_user("zhang"))
    response = api_client.get("/api/v1/licences?holder=91430321MA4L16JQ95")
    assert response.status_code == 403
    assert response.json()["field"] == "holder"
    assert api_client.get("/api/v1/licences").json()["items"] == []
    assert api_client.get(f"/api/v1/licences/{licence.identifier}").status_code == 403
    assert api_client.get(f"/api/v1/licences/{licence.identifier}/pdf").status_code == 403


def test_the_issuing_units_staff_list_by_holder(api_client, licence):
    api_client.force_login(_user("approver"))
    response = api_client.get("/api/v1/licences?holder=91430321ma4l16jq95")
    assert [i["identifier"] for i in response.json()["items"]] == [licence.identifier]
    assert api_client.get("/api/v1/licences").status_code == 400


def test_detail_shows_the_licence(api_client, licence):
    api_client.force_login(_user("xtkj"))
    data = api_client.get(f"/api/v1/licences/{licence.identifier}").json()
    assert data["type"] == "营业执照"
    assert data["issuer"]["name"] == "湘潭县市场监督管理局"
    assert data["seal"]["name"] == "湘潭县市场监督管理局行政审批专用章"
    assert data["verify_url"] == f"http://testserver/verify/{licence.identifier}"
    assert api_client.get("/api/v1/licences/1.2.156.3005.2.X.Y.1.001.Z").status_code == 404


def test_verify_is_public_and_follows_revocation(api_client, licence):
    data = api_client.get(f"/api/v1/licences/{licence.identifier}/verify").json()
    assert data["valid"] is True and data["reason"] is None
    assert data["licence"]["identifier"] == licence.identifier
    licence_revoke(licence=licence, reason="核查不实")
    data = api_client.get(f"/api/v1/licences/{licence.identifier}/verify").json()
    assert data["valid"] is False and data["reason"] == "证照已撤销：核查不实"


def test_public_verification_masks_a_persons_id_number(api_client, issue, zhang):
    licence = issue(holder=zhang, licence_type_name="出生医学证明")
    data = api_client.get(f"/api/v1/licences/{licence.identifier}/verify").json()
    assert data["licence"]["holder"]["number"] == "430321********0013"
    assert data["licence"]["case_number"] is None


def test_pdf_for_the_holder_has_the_qr_link(api_client, licence, settings):
    settings.YIWANG_PUBLIC_BASE_URL = "https://zwfw.example.cn/"
    api_client.force_login(_user("xtkj"))
    response = api_client.get(f"/api/v1/licences/{licence.identifier}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF")
    assert b"STSong-Light" in body


def test_pdf_qr_code_decodes_to_the_verification_url(licence):
    """The QR matrix drawn into the PDF encodes the absolute verification URL (checked on segno's
    own matrix, which the PDF draws module by module)."""
    import segno

    from yiwang.licences import pdf as licence_pdf_module

    url = f"https://zwfw.example.cn/verify/{licence.identifier}"
    drawn = []

    class Recorder:
        def __getattr__(self, name):
            return lambda *a, **k: drawn.append((name, a)) if name == "rect" else None

    licence_pdf_module._qr(Recorder(), 0, 0, 100, url)
    expected = sum(sum(1 for d in row if d) for row in segno.make(url, error="m", micro=False).matrix)
    assert len(drawn) == expected


def test_verify_page_is_public(client, licence):
    response = client.get(f"/verify/{licence.identifier}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "有效" in text and "无效" not in text
    assert "湘潭示范科技有限公司" in text
    licence_revoke(licence=licence, reason="告知承诺核查不实")
    text = client.get(f"/verify/{licence.identifier}/").content.decode()
    assert "无效" in text and "证照已撤销：告知承诺核查不实" in text


def test_verify_page_for_an_unknown_identifier(client):
    response = client.get("/verify/1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F")
    assert response.status_code == 200
    assert "未找到该证照" in response.content.decode()


def test_my_licences_needs_a_login(client):
    response = client.get("/me/licences/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_licences_lists_only_mine_with_pdf_links(client, licence, issue, zhang):
    other = issue(holder=zhang, licence_type_name="出生医学证明")
    client.force_login(_user("xtkj"))
    text = client.get("/me/licences/").content.decode()
    assert licence.identifier in text and other.identifier not in text
    pdf = client.get(f"/me/licences/{licence.identifier}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/me/licences/{other.identifier}.pdf").status_code == 404
