"""A bundle's promised days must cover its critical path (its members in order): the consistency
check names every bundle that promises less, and the demo catalogue keeps its promises."""

import pytest
from django.core.management import call_command

from yiwang.catalogue.consistency import bundle_timing_check
from yiwang.catalogue.models import Bundle

pytestmark = pytest.mark.django_db


def test_every_demo_bundle_promises_at_least_its_critical_path():
    assert bundle_timing_check() == []


@pytest.mark.parametrize(("code", "promised", "critical"), [
    ("XMKG", 4, 5),    # 规划许可 2 → 审图备案 2 ∥ 质量安全监督 1 → 施工许可 1
    ("JGJBZ", 10, 11),  # 联合验收 8 → 不动产首次登记 3
    ("KCG", 5, 6),     # 企业设立登记 1 → 食品经营许可 5
])
def test_a_bundle_that_promises_less_than_its_members_need_in_order_is_flagged(code, promised, critical):
    Bundle.objects.filter(code=code).update(promised_days=promised)
    found = bundle_timing_check()
    assert [(b.bundle, b.promised_days, b.critical_days) for b in found] == [(code, promised, critical)]
    assert f"承诺{promised}个工作日" in found[0].label and f"需{critical}个工作日" in found[0].label


def test_the_consistency_command_fails_on_a_bundle_that_cannot_keep_its_promise(capsys):
    Bundle.objects.filter(code="KCG").update(promised_days=5)
    with pytest.raises(SystemExit) as exit_:
        call_command("check_consistency")
    assert exit_.value.code == 1
    assert "KCG\t一件事时限" in capsys.readouterr().out
