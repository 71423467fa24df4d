"""Attachments: sniffed by content, size-limited, served only to the hotline, the handling unit and the token."""

import pytest
from django.contrib.auth import get_user_model

from tests.files import PDF, PNG
from yiwang.core.errors import DomainError, Forbidden
from yiwang.hotline import services

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_upload_is_checked_by_content_not_name(make_request, operator):
    req = make_request()
    att = services.attachment_add(request=req, actor=operator, filename="照片.pdf", content=PNG)
    assert att.kind == "png" and att.size == len(PNG)
    with pytest.raises(DomainError, match="PDF、JPG、PNG"):
        services.attachment_add(request=req, actor=operator, filename="x.png", content=b"MZ\x90\x00 not an image")
    assert req.events.filter(action="attach").count() == 1


def test_upload_over_the_size_limit_is_refused(make_request, operator, settings):
    settings.YIWANG_HOTLINE_MAX_ATTACHMENT_MB = 1
    with pytest.raises(DomainError, match="超过1MB"):
        services.attachment_add(request=make_request(), actor=operator, filename="big.pdf",
                                content=PDF + b"0" * (1024 * 1024))


def test_only_hotline_unit_and_token_may_upload(make_request, operator):
    req = make_request()
    with pytest.raises(Forbidden):
        services.attachment_add(request=req, actor=User.objects.get(username="xtx-scjg"), filename="a.pdf",
                                content=PDF)
    services.attachment_add(request=req, actor=None, filename="a.pdf", content=PDF, token=req.token)


def test_attachment_is_served_only_to_those_allowed(client, make_request, operator, scjg_user):
    req = make_request()
    att = services.attachment_add(request=req, actor=operator, filename="a.pdf", content=PDF)
    url = f"/hotline/a/{att.pk}/"
    assert client.get(url).status_code == 403  # anonymous, even knowing the request number
    assert client.get(url + "?token=wrong").status_code == 403
    r = client.get(f"{url}?token={req.token}")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF and r["Content-Type"] == "application/pdf"
    client.force_login(scjg_user)
    assert client.get(url).status_code == 403  # not yet dispatched to this unit
    services.request_dispatch(request=req, actor=operator)
    assert client.get(url).status_code == 200
    client.force_login(User.objects.get(username="xtx-ga"))
    assert client.get(url).status_code == 403


def test_public_form_takes_files_and_the_track_link_carries_the_token(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post("/12345/", {"kind": "complaint", "category": "0302", "title": "商家拒绝退货", "content": "质量问题",
                                "phone": "13800000002", "requester_name": "王女士",
                                "files": [SimpleUploadedFile("证据.png", PNG, content_type="image/png")]})
    assert r.status_code == 302 and "token=" in r["Location"]
    page = client.get(r["Location"]).content.decode()
    assert "证据.png" in page and "/hotline/a/" in page
    number = r["Location"].split("/")[2]
    assert "证据.png" not in client.get(f"/12345/{number}/").content.decode()


def test_api_upload_with_the_request_token_and_refusal_without(client, make_request):
    from django.core.files.uploadedfile import SimpleUploadedFile

    req = make_request()
    url = f"/api/v1/requests/{req.number}/attachments"
    r = client.post(url, {"file": SimpleUploadedFile("a.png", PNG), "token": req.token})
    assert r.status_code == 200 and r.json()["kind"] == "png"
    r = client.post(url, {"file": SimpleUploadedFile("b.png", PNG)})
    assert r.status_code == 403 and r.json()["field"] == "file"
    r = client.post(url, {"file": SimpleUploadedFile("c.exe", b"MZ\x90\x00"), "token": req.token})
    assert r.status_code == 400 and r.json()["field"] == "file"
