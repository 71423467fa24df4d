"""三级四统: an implementation must carry its basic item's name, basis and type at every level."""

from dataclasses import dataclass

from .models import ItemImplementation


@dataclass(frozen=True)
class Inconsistency:
    impl_code: str
    region: str
    element: str  # name | basis | type
    basic_value: str
    impl_value: str

    @property
    def label(self) -> str:
        return {"name": "事项名称", "basis": "设定依据", "type": "事项类型"}[self.element]


def _norm(text: str) -> str:
    return "".join((text or "").split())


def consistency_check() -> list[Inconsistency]:
    found = []
    for impl in ItemImplementation.objects.select_related("item").order_by("impl_code"):
        item = impl.item
        for element, basic, mine in (
            ("name", item.name, impl.name),
            ("basis", item.basis, impl.basis),
            ("type", item.type_code, impl.type_code),
        ):
            if _norm(basic) != _norm(mine):
                found.append(Inconsistency(impl.impl_code, impl.region_id, element, basic, mine))
    return found
