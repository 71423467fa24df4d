import pytest
from django.contrib.auth import get_user_model

from yiwang.hotline import services
from yiwang.hotline.models import Category
from yiwang.organisations.models import Region

User = get_user_model()


@pytest.fixture
def operator():
    return User.objects.get(username="operator")


@pytest.fixture
def supervisor():
    return User.objects.get(username="supervisor")


@pytest.fixture
def scjg_user():
    return User.objects.get(username="xtx-scjg")


@pytest.fixture
def make_request(operator):
    def make(kind="complaint", category="0302", **kw):
        defaults = dict(kind=kind, channel="phone", category=Category.objects.get(code=category),
                        region=Region.objects.get(code="430321"), title="商场拒绝退货", content="购买的商品有质量问题，商家拒绝退货",
                        phone="13800000001", requester_name="李先生", actor=operator)
        defaults.update(kw)
        return services.request_create(**defaults)

    return make
