"""An application is one transaction (issue 11, item 1): the case exists only when the form and every
file passed, required materials are enforced unless tolerable (容缺) or supplied by data sharing, and a
failed request leaves no stored file (issue 12, item 10) — on the portal's form, at the window and
for the API's upload."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import files as F
from yiwang.cases import services
from yiwang.cases.models import Case, CaseMaterial
from yiwang.catalogue.models import Material
from yiwang.core.errors import Conflict, DomainError

from .conftest import QYSLDJ, XTCY, form_for

pytestmark = pytest.mark.django_db
APPLICATION_FORM = "申请书"  # 公司登记（备案）申请书, required
ARTICLES = "公司章程"  # required
PREMISES = "住所"  # 住所（经营场所）使用证明, required but tolerable (容缺)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


def material(words: str) -> Material:
    return Material.objects.get(item__implementations__impl_code=QYSLDJ, name__contains=words)


def post_apply(client, *, files: dict[str, tuple[str, bytes]], form: dict | None = None):
    values = form if form is not None else form_for(QYSLDJ)
    data = {f"f_{i}": v for i, v in enumerate(values.values())}
    for words, (name, content) in files.items():
        data[f"material_{material(words).pk}"] = SimpleUploadedFile(name, content)
    return client.post(f"/apply/{QYSLDJ}/", data)


@pytest.fixture
def applicant(client):
    client.login(username="xtkj", password="Demo@2026")
    return client


GOOD = {APPLICATION_FORM: ("申请书.pdf", F.PDF), ARTICLES: ("章程.png", F.PNG)}


def test_a_renamed_exe_leaves_no_case_and_no_file_and_says_so_at_its_field(applicant, media):
    before = Case.objects.count()
    for _ in range(2):  # resubmitting does not create one either
        r = post_apply(applicant, files={**GOOD, ARTICLES: ("章程.pdf", F.exe())})
        assert r.status_code == 400
    assert Case.objects.count() == before and stored(media) == []
    page = r.content.decode()
    key = f"material_{material(ARTICLES).pk}"
    assert f'id="{key}-error-1"' in page and "仅支持 PDF、JPG、PNG、OFD" in page
    assert "file：" not in page and "materials." not in page


def test_a_pdf_carrying_an_executable_is_refused_and_nothing_is_stored(applicant, media):
    before = Case.objects.count()
    r = post_apply(applicant, files={**GOOD, APPLICATION_FORM: ("申请书.pdf", b"%PDF-1.4\n" + F.exe() + F.PDF[9:])})
    assert r.status_code == 400 and "可执行程序" in r.content.decode()
    assert Case.objects.count() == before and stored(media) == []


def test_a_submission_without_the_required_materials_is_refused_at_each_field(applicant, media):
    before = Case.objects.count()
    r = post_apply(applicant, files={})
    assert r.status_code == 400 and Case.objects.count() == before
    page = r.content.decode()
    for words in (APPLICATION_FORM, ARTICLES):
        m = material(words)
        assert f'id="material_{m.pk}-error-1"' in page and f"请上传{m.name}（必需材料）" in page
    assert f'id="material_{material(PREMISES).pk}-error-1"' not in page  # tolerable: asked after acceptance


def test_a_tolerable_material_may_be_missing_and_the_files_are_the_cases(applicant, media):
    r = post_apply(applicant, files=GOOD)
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get(number=r["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert sorted(m.name for m in case.materials.all()) == sorted([material(APPLICATION_FORM).name,
                                                                   material(ARTICLES).name])
    assert len(stored(media)) == 2
    assert sorted(case.events.get(seq=1).data["materials"]) == sorted(m.name for m in case.materials.all())


def test_every_error_at_its_field_at_once_and_what_was_typed_is_kept(applicant):
    form = form_for(QYSLDJ)
    form["企业名称"] = ""
    form["经营范围"] = "软件开发<与>技术服务"
    r = post_apply(applicant, form=form, files={APPLICATION_FORM: ("申请书.pdf", F.PDF)})
    assert r.status_code == 400
    page = r.content.decode()
    names = list(form)
    assert 'id="f_0-error-1"' in page and "请填写企业名称" in page
    assert f'id="material_{material(ARTICLES).pk}-error-1"' in page  # a second error, shown too
    assert "软件开发&lt;与&gt;技术服务" in page and form[names[1]] in page  # typed values kept, escaped
    assert "form.企业名称" not in page and "form." not in page.split("<form", 1)[1]


def test_window_intake_takes_paper_later_but_never_a_bad_file(client, media):
    client.login(username="clerk", password="Demo@2026")
    fields = {f"f_{i}": v for i, v in enumerate(form_for(QYSLDJ).values())}
    base = {"item": QYSLDJ, "kind": "enterprise", "number": XTCY["number"], "name": XTCY["name"], **fields}
    before = Case.objects.count()
    bad = {f"material_{material(ARTICLES).pk}": SimpleUploadedFile("章程.pdf", F.exe())}
    r = client.post("/workbench/intake/", {**base, "number": "91430321MA4T8K2P6X"})
    page = r.content.decode()
    assert r.status_code == 400 and 'id="number-error-1"' in page and "统一社会信用代码校验位错误" in page
    assert 'value="湘潭示范餐饮有限公司"' in page and 'value="91430321MA4T8K2P6X"' in page  # typed values kept
    r = client.post("/workbench/intake/", {**base, **bad})
    assert r.status_code == 400 and Case.objects.count() == before and stored(media) == []
    assert f'id="material_{material(ARTICLES).pk}-error-1"' in r.content.decode()
    assert client.post("/workbench/intake/", base).status_code == 302  # paper materials: checked at acceptance


def test_a_failure_after_the_files_were_stored_removes_them(monkeypatch, media):
    xtkj = get_user_model().objects.get(username="xtkj")
    party = xtkj.parties.first()

    def fail(*args, **kwargs):
        raise Conflict("模拟：写入办理记录时失败")

    monkeypatch.setattr(services, "_append_event", fail)
    before = Case.objects.count()
    with pytest.raises(Conflict):
        services.case_submit(actor=xtkj, item=QYSLDJ, applicant=party, form=form_for(QYSLDJ), materials=[
            services.Upload(material(APPLICATION_FORM).name, "a.pdf", F.PDF),
            services.Upload(material(ARTICLES).name, "b.png", F.PNG)])
    assert Case.objects.count() == before and stored(media) == []


def test_an_upload_refused_with_409_leaves_no_orphan_file(media):
    clerk = get_user_model().objects.get(username="clerk")
    premises = material(PREMISES).name
    case = services.case_submit(actor=clerk, item=QYSLDJ, applicant=dict(XTCY), form=form_for(QYSLDJ),
                                channel="window")
    case = services.case_accept(case=case.number, actor=clerk, tolerate=[premises],
                                paper=[material(APPLICATION_FORM).name, material(ARTICLES).name])
    with pytest.raises(Conflict):
        services.case_material_upload(case=case.number, actor=clerk, name=premises, filename="住所.pdf",
                                      content=F.PDF, version=case.version - 1)
    assert not CaseMaterial.objects.filter(case=case).exists() and stored(media) == []
    services.case_material_upload(case=case.number, actor=clerk, name=premises, filename="住所.pdf",
                                  content=F.PDF, version=case.version)
    assert len(stored(media)) == 1


def test_the_api_upload_refuses_an_over_long_file_name_in_json(api_client, media):
    from .test_api import submit, token

    clerk = token(api_client, "clerk")
    number = submit(api_client, clerk).json()["number"]
    f = SimpleUploadedFile("长" * 300 + ".pdf", F.PDF)
    r = api_client.post(f"/api/v1/cases/{number}/materials", {"name": "公司章程", "file": f}, **clerk)
    assert r.status_code == 400 and r["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["field"] == "file" and "文件名过长" in body["message"] and stored(media) == []


def test_application_check_reports_every_problem_of_the_form_and_the_files():
    from yiwang.catalogue.selectors import implementation_get

    impl = implementation_get(QYSLDJ)
    with pytest.raises(DomainError) as caught:
        services.application_check(impl, [services.Upload("不存在的材料", "x.pdf", F.PDF)], shared={},
                                   channel="online")
    fields = [e.field for e in caught.value.errors]
    assert fields == ["materials.不存在的材料", f"materials.{material(APPLICATION_FORM).name}",
                      f"materials.{material(ARTICLES).name}"]
