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


@dataclass(frozen=True)
class BundleTooShort:
    """A bundle (一件事) promises fewer working days than its members need in order."""

    bundle: str
    name: str
    promised_days: int
    critical_days: int

    @property
    def label(self) -> str:
        return (f"一件事“{self.name}”承诺{self.promised_days}个工作日，成员按顺序办理需"
                f"{self.critical_days}个工作日")


def bundle_timing_check() -> list[BundleTooShort]:
    """Every active bundle's promised days must cover its critical path (rules.critical_path_days)."""
    from .models import Bundle
    from .rules import critical_path_days

    found = []
    bundles = Bundle.objects.filter(active=True).prefetch_related(
        "members__implementation__item", "members__after").order_by("code")
    for b in bundles:
        members = list(b.members.all())
        waits = {m.pk: [a.pk for a in m.after.all()] for m in members}
        days = {m.pk: m.implementation.item.promised_days for m in members}
        critical = critical_path_days(waits, days)
        if critical > b.promised_days:
            found.append(BundleTooShort(b.code, b.name, b.promised_days, critical))
    return found
