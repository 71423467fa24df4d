"""The public 12345 form and the operator console (issue 11, item 4): every error at its field at once,
what was typed kept, and a refused attachment keeps the whole request unsaved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.files import PNG, exe
from yiwang.hotline.models import Request

pytestmark = pytest.mark.django_db
TYPED = {"kind": "suggestion", "category": "9901", "requester_name": "王<女士>", "phone": "13800000007",
         "address": "易俗河镇天易大道 8 号"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("url, who", [("/12345/", None), ("/hotline/", "operator")])
def test_two_errors_at_their_fields_and_the_typed_values_kept(client, url, who):
    if who:
        client.login(username=who, password="Demo@2026")
    before = Request.objects.count()
    r = client.post(url, {**TYPED, "title": "", "content": ""})
    assert r.status_code == 400 and Request.objects.count() == before
    page = r.content.decode()
    assert 'id="err-title"' in page and 'id="err-content"' in page  # both at once
    assert "请填写诉求标题" in page and "请填写诉求内容" in page and "title：" not in page
    assert "王&lt;女士&gt;" in page and 'value="13800000007"' in page and "易俗河镇天易大道 8 号" in page
    assert '<option value="suggestion" selected>' in page


@pytest.mark.parametrize("url, who", [("/12345/", None), ("/hotline/", "operator")])
def test_a_refused_attachment_keeps_the_whole_request_unsaved(client, url, who, media):
    if who:
        client.login(username=who, password="Demo@2026")
    before = Request.objects.count()
    r = client.post(url, {**TYPED, "title": "路灯不亮", "content": "天易大道路灯不亮",
                          "files": SimpleUploadedFile("照片.jpg", exe())})
    assert r.status_code == 400 and Request.objects.count() == before
    page = r.content.decode()
    assert 'id="err-files"' in page and "仅支持 PDF、JPG、PNG、OFD" in page and "file：" not in page
    assert 'value="路灯不亮"' in page and [p for p in media.rglob("*") if p.is_file()] == []


def test_a_good_attachment_is_kept_with_the_request(client, media):
    before = Request.objects.count()
    r = client.post("/12345/", {**TYPED, "title": "路灯不亮", "content": "天易大道路灯不亮", "anonymous": "1",
                                "files": SimpleUploadedFile("照片.png", PNG)})
    assert r.status_code == 302 and Request.objects.count() == before + 1
    assert Request.objects.latest("id").attachments.count() == 1
