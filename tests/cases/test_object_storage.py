"""Materials in object storage (YIWANG_S3_BUCKET): the same application, stored through the S3 API of a
real local S3 server (moto's), read back through the platform's access-checked view, and nothing left in
the bucket by a refused application."""

import socket

import pytest

from tests import files as F
from yiwang.cases.models import Case
from yiwang.settings import s3_storage

from .test_applications import APPLICATION_FORM, ARTICLES, GOOD, post_apply

pytestmark = pytest.mark.django_db
BUCKET = "yiwang-materials"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    import boto3

    env = {"YIWANG_S3_BUCKET": BUCKET, "YIWANG_S3_ENDPOINT_URL": s3_endpoint, "YIWANG_S3_REGION": "cn-central-1",
           "YIWANG_S3_ACCESS_KEY": "test", "YIWANG_S3_SECRET_KEY": "test", "YIWANG_S3_PREFIX": "yiwang"}
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="cn-central-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-central-1"})
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(env)}
    yield client
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.fixture
def applicant(client):
    client.login(username="xtkj", password="Demo@2026")
    return client


def test_an_application_stores_its_materials_in_the_bucket_and_not_on_disk(applicant, bucket, tmp_path):
    before = Case.objects.count()
    r = post_apply(applicant, files=GOOD)
    assert r.status_code == 302, r.content.decode()[:500]
    assert Case.objects.count() == before + 1
    keys = _keys(bucket)
    assert len(keys) == 2 and all(k.startswith("yiwang/cases/") for k in keys)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_the_applicant_reads_a_material_back_through_the_platform(applicant, bucket):
    post_apply(applicant, files=GOOD)
    case = Case.objects.order_by("-id").first()
    m = case.materials.get(name__contains=APPLICATION_FORM)
    r = applicant.get(f"/cases/{case.number}/materials/{m.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == F.PDF


def test_a_refused_application_leaves_nothing_in_the_bucket(applicant, bucket):
    r = post_apply(applicant, files={**GOOD, ARTICLES: ("章程.pdf", F.exe())})
    assert r.status_code == 400 and _keys(bucket) == []
