import pytest


@pytest.fixture
def scjg(db):
    from yiwang.organisations.models import Unit

    return Unit.objects.get(code="XTX-SCJG")


@pytest.fixture
def xtkj(db):
    from yiwang.parties.models import Party

    return Party.objects.get(number="91430321MA4L16JQ95")


@pytest.fixture
def zhang(db):
    from yiwang.parties.models import Party

    return Party.objects.get(number="430321198506120013")


@pytest.fixture
def issue(scjg, xtkj):
    """Issue a licence with sensible defaults; keyword arguments override them."""
    from yiwang.licences.services import licence_issue

    def _issue(**kwargs):
        args = {
            "licence_type_name": "营业执照", "holder": xtkj, "issuer": scjg,
            "content": {"名称": xtkj.name, "注册资本": "100万元", "类型": "有限责任公司"},
        }
        args.update(kwargs)
        return licence_issue(**args)

    return _issue
