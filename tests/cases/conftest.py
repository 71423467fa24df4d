from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tests.files import PDF  # noqa: F401 - the cases tests' well-formed PDF, imported from here

TZ = ZoneInfo("Asia/Shanghai")

QYSLDJ = "430321-QYSLDJ"  # 企业设立登记: 3 statutory / 1 promised, 住所证明 tolerable, decided by XTX-SCJG
SPJYXK = "430321-SPJYXK"  # 食品经营许可: 10/5, commitment allowed
GZKZBA = "430321-GZKZBA"  # 公章刻制备案: instant, XTX-GA
LHYS = "430321-LHYS"  # 联合验收: co-reviewers XTX-ZRZY and XTX-RF, deemed consent 3 days
XTKJ = {"kind": "enterprise", "number": "91430321MA4L16JQ95", "name": "湘潭示范科技有限公司"}
XTCY = {"kind": "enterprise", "number": "91430321MA4T8K2P6K", "name": "湘潭示范餐饮有限公司"}


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour, 0), tzinfo=TZ)


def form_for(impl_code: str) -> dict:
    from yiwang.catalogue.models import ItemImplementation

    impl = ItemImplementation.objects.select_related("item").get(impl_code=impl_code)
    return {name: f"示例{name}" for name in impl.item.form_fields}


@pytest.fixture
def users(db):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return {u.username: u for u in User.objects.filter(username__in=[
        "clerk", "approver", "head", "zhang", "xtkj", "xtcy", "xtx-ga", "xtx-zrzy", "xtx-rf", "xtx-zj",
        "xtx-scjg", "operator", "hyx-scjg",
    ])}




@pytest.fixture
def make_case(users):
    """Submit a case at the window for an enterprise, on a given day."""
    from yiwang.cases import services

    def make(impl_code: str = QYSLDJ, *, on: date = date(2026, 9, 28), applicant=None, channel="window",
             actor="clerk"):
        return services.case_submit(
            actor=users[actor], item=impl_code, applicant=applicant or XTCY, form=form_for(impl_code),
            channel=channel, now=at(on),
        )

    return make


@pytest.fixture
def accepted_case(make_case, users):
    """A 企业设立登记 case accepted on 2026-09-28 with the tolerable material on paper."""
    from yiwang.cases import services

    def make(impl_code: str = QYSLDJ, *, on: date = date(2026, 9, 28), **kw):
        case = make_case(impl_code, on=on)
        from yiwang.catalogue.models import ItemImplementation

        impl = ItemImplementation.objects.get(impl_code=impl_code)
        paper = [m.name for m in impl.item.materials.filter(source="applicant")]
        return services.case_accept(case=case, actor=users["clerk"], paper=paper, now=at(on), **kw)

    return make
