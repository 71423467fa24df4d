"""三级四统: the check, its command (exit status 1 when any) and what it flags."""

import io

import pytest
from django.core.management import call_command

from yiwang.catalogue.consistency import consistency_check
from yiwang.catalogue.models import ItemImplementation

pytestmark = pytest.mark.django_db


def test_the_demo_catalogue_is_consistent():
    assert consistency_check() == []
    out = io.StringIO()
    call_command("check_consistency", stdout=out)
    assert "全部一致" in out.getvalue()


@pytest.mark.parametrize("changes,element,label", [
    ({"name": "建筑施工许可"}, "name", "事项名称"),
    ({"basis": "《建筑法》第七条（旧版）"}, "basis", "设定依据"),
    ({"type_code": "20"}, "type", "事项类型"),
])
def test_a_differing_implementation_is_flagged_and_the_command_fails(changes, element, label):
    ItemImplementation.objects.filter(impl_code="430421-SGXK").update(**changes)
    found = consistency_check()
    assert [(f.impl_code, f.element, f.label) for f in found] == [("430421-SGXK", element, label)]
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check_consistency", stdout=out, stderr=err)
    assert exit_.value.code == 1
    assert "430421-SGXK" in out.getvalue() and label in out.getvalue()
    assert "发现 1 处不一致" in err.getvalue()


@pytest.mark.parametrize("pad", [lambda n: f" {n} ", lambda n: f"{n[:2]} {n[2:]}", lambda n: f"{n}\u3000"])
def test_whitespace_alone_is_not_a_difference(pad):
    impl = ItemImplementation.objects.get(impl_code="430421-SGXK")
    ItemImplementation.objects.filter(pk=impl.pk).update(name=pad(impl.item.name))
    assert consistency_check() == []
