"""Issue 11 (7): the online bundle application takes the asked materials as uploads, checked by
content in the same transaction (no bundle case when a file is refused); the bundle window sees them
received, and each member started gets its own copy."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.bundlecases.models import BundleCase, BundleCaseMaterial, BundleMemberCase
from yiwang.catalogue.selectors import bundle_get, bundle_view

from .conftest import XTKJ, asked, party, user

pytestmark = pytest.mark.django_db

from tests.files import PDF  # noqa: E402, F401 - well-formed: the upload check reads its structure

EXE = b"MZ\x90\x00\x03\x00\x00\x00"


def _post(c, files: dict):
    view = bundle_view(bundle_get("QYKB"))
    data = {f"f_{i}": f"示例{f.name}" for i, f in enumerate(view.merged_form)}
    keys = {m.name: f"m_{i}" for i, m in enumerate(view.merged_materials)}
    for name, content in files.items():
        data[keys[name]] = SimpleUploadedFile(f"{len(data)}.pdf", content)
    return c.post("/apply/bundle/QYKB/", data)


def _client(u):
    c = Client()
    c.force_login(u)
    return c


def test_the_online_bundle_application_takes_every_asked_material_as_an_upload():
    c = _client(party(XTKJ).user)
    page = c.get("/apply/bundle/QYKB/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert page.count('type="file"') == len(asked("QYKB"))
    r = _post(c, {name: PDF for name in asked("QYKB")})
    assert r.status_code == 302
    bc = BundleCase.objects.get(applicant__number=XTKJ)
    assert sorted(BundleCaseMaterial.objects.filter(bundle_case=bc).values_list("name", flat=True)) == sorted(
        asked("QYKB"))
    # The bundle window sees them uploaded and accepts with no paper handed in.
    clerk = _client(user("bundleclerk"))
    assert "（已在线上传）" in clerk.get(f"/workbench/bundles/{bc.number}/").content.decode()
    from yiwang.bundlecases import services

    bc = services.bundle_case_accept(bundle_case=bc.number, actor=user("bundleclerk"), paper=[])
    assert bc.status == "running"
    child = BundleMemberCase.objects.get(bundle_case=bc).case
    own = {"公司登记（备案）申请书", "公司章程", "住所（经营场所）使用证明"}
    assert set(child.materials.values_list("name", flat=True)) == own  # the registration's own copies
    assert child.status == "accepted"


def test_a_refused_upload_creates_no_bundle_case_and_says_which_material():
    c = _client(party(XTKJ).user)
    names = asked("QYKB")
    r = _post(c, {names[0]: PDF, names[1]: EXE})
    assert r.status_code == 200
    page = r.content.decode()
    assert names[1] in page and "PDF、JPG、PNG、OFD" in page
    assert not BundleCase.objects.exists() and not BundleCaseMaterial.objects.exists()
    assert 'value="示例企业名称"' in page  # what was typed is kept


def test_a_partial_upload_still_needs_the_rest_on_paper_at_the_window():
    from yiwang.bundlecases import services
    from yiwang.core.errors import DomainError

    c = _client(party(XTKJ).user)
    names = asked("QYKB")
    _post(c, {names[0]: PDF})
    bc = BundleCase.objects.get()
    with pytest.raises(DomainError) as e:
        services.bundle_case_accept(bundle_case=bc.number, actor=user("bundleclerk"), paper=[])
    assert e.value.field == "paper" and names[1] in e.value.message
    bc = services.bundle_case_accept(bundle_case=bc.number, actor=user("bundleclerk"), paper=names[1:])
    assert bc.status == "running"
