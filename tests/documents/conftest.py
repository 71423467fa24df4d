import shutil
import subprocess
from datetime import date, datetime, time

import pytest
from django.contrib.auth import get_user_model

from tests.cases.conftest import TZ, XTCY

QYSLDJ = "430321-QYSLDJ"  # 企业设立登记: decided by 湘潭县市场监督管理局, 住所证明 tolerable
GZKZBA = "430321-GZKZBA"  # 公章刻制备案: instant (受理即办结)
DAY = date(2026, 9, 28)
PDFTOTEXT = shutil.which("pdftotext")


def at(d: date = DAY, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=TZ)


def u(name):
    return get_user_model().objects.get(username=name)


def relay() -> int:
    """The outbox relay of `yiwang worker`: the after-commit reactions run here."""
    from yiwang.core.outbox import outbox_relay

    return outbox_relay(send=lambda message: None, limit=1000)


def submit(impl_code: str = QYSLDJ, *, applicant=None, day: date = DAY):
    from yiwang.cases import services
    from yiwang.catalogue.models import ItemImplementation

    impl = ItemImplementation.objects.select_related("item").get(impl_code=impl_code)
    return services.case_submit(
        actor=u("clerk"),
        item=impl_code,
        applicant=applicant or XTCY,
        channel="window",
        form={f: f"示例{f}" for f in impl.item.form_fields},
        now=at(day),
    )


def accept(case, *, day: date = DAY, tolerate=()):
    from yiwang.cases import services
    from yiwang.catalogue.models import ItemImplementation

    impl = ItemImplementation.objects.get(impl_code=case.implementation.impl_code)
    paper = [m.name for m in impl.item.materials.filter(source="applicant") if m.name not in tolerate]
    return services.case_accept(
        case=case, actor=u("clerk"), paper=paper, tolerate=list(tolerate), now=at(day)
    )


def decide(case, action="approve", *, reason="", day: date = DAY):
    from yiwang.cases import services

    case.refresh_from_db()
    while case.current_step < max(len(case.steps) - 1, 1) and len(case.steps) > 2:
        case = services.case_act(case=case, actor=u("xtx-scjg"), action="review", now=at(day, 11))
    return services.case_act(case=case, actor=u("xtx-scjg"), action=action, reason=reason, now=at(day, 14))


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text with the spaces and line breaks removed (CJK lines wrap anywhere)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return "".join(out.stdout.decode("utf-8").split())


needs_poppler = pytest.mark.skipif(
    not PDFTOTEXT, reason="poppler-utils absent (apt-get install -y poppler-utils)"
)
