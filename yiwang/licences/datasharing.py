"""Data instead of certificates (无证明): materials the platform fetches instead of asking for.

A material whose source is `licence` is satisfied by a valid licence of that type (the material's
name is the licence type's name) held by the applicant. A material whose source is `data` is
asked of a DataSource: an interface whose local implementation reads the platform's own records.
A provincial data-sharing platform would be another implementation, chosen by the setting
YIWANG_DATA_SOURCE (a dotted path); the local one is the default.

Savings rule (what dashboards count as 减材料 / 减跑动):
- each satisfied material saves its `copies` count of paper copies (its originals are not counted:
  an original is shown, not handed over);
- when every required material of the item is satisfied this way, the applicant has nothing to
  bring, and one visit (一次跑动) is saved.
"""

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from yiwang.catalogue.models import Material, MaterialSource, ServiceItem
from yiwang.parties.models import Party, PartyKind
from yiwang.parties.services import party_number_check

from .models import CompletionFiling, TaxClearance
from .selectors import licence_valid_for

# Which fact a `data` material needs. Materials not named here cannot be fetched.
MATERIAL_FACTS: dict[str, str] = {
    "法定代表人身份证明": "applicant_identity",
    "经办人身份证明": "applicant_identity",
    "父母身份证明": "person_identity",
    "身份证明": "applicant_identity",
    "营业执照信息": "enterprise_identity",
    "清税证明": "tax_clearance",
    "竣工验收备案证明": "completion_filing",
    "父母户口簿": "household_register",
    "股东主体资格证明": "shareholder_qualification",
}


@dataclass(frozen=True)
class DataResult:
    ok: bool
    reference: str = ""  # what was found, shown to the clerk and recorded on the case
    reason: str = ""  # why not, when not


class DataSource(Protocol):
    """A data-sharing adapter. fact is one of the values of MATERIAL_FACTS."""

    def lookup(self, fact: str, *, applicant: Party, form: dict | None = None) -> DataResult: ...


class LocalDataSource:
    """The platform's own records: parties (identity), tax clearances, completion filings."""

    def lookup(self, fact: str, *, applicant: Party, form: dict | None = None) -> DataResult:
        handler = getattr(self, f"_{fact}", None)
        if handler is None:
            return DataResult(False, reason=f"无“{fact}”数据源")
        return handler(applicant, form or {})

    @staticmethod
    def _number_ok(party: Party) -> bool:
        return party.pk is not None and party_number_check(kind=party.kind, number=party.number).valid

    def _person_identity(self, applicant: Party, form: dict) -> DataResult:
        if applicant.kind != PartyKind.PERSON or not self._number_ok(applicant):
            return DataResult(False, reason="申请人不是身份信息有效的自然人")
        return DataResult(True, reference=f"人口信息：{applicant.name}（身份证号码核验通过）")

    def _enterprise_identity(self, applicant: Party, form: dict) -> DataResult:
        if applicant.kind != PartyKind.ENTERPRISE or not self._number_ok(applicant):
            return DataResult(False, reason="申请人不是登记信息有效的企业")
        rep = f"，法定代表人{applicant.legal_representative}" if applicant.legal_representative else ""
        return DataResult(True, reference=f"市场主体登记信息：{applicant.name}（{applicant.number}）{rep}")

    def _applicant_identity(self, applicant: Party, form: dict) -> DataResult:
        if applicant.kind == PartyKind.PERSON:
            return self._person_identity(applicant, form)
        if not applicant.legal_representative:
            return DataResult(False, reason="平台无该企业法定代表人信息")
        return self._enterprise_identity(applicant, form)

    def _tax_clearance(self, applicant: Party, form: dict) -> DataResult:
        record = TaxClearance.objects.filter(party=applicant).order_by("-cleared_on").first()
        if record is None:
            return DataResult(False, reason="无清税记录")
        return DataResult(True, reference=f"清税记录 {record.document_number}（{record.cleared_on:%Y-%m-%d}）")

    def _completion_filing(self, applicant: Party, form: dict) -> DataResult:
        filings = CompletionFiling.objects.filter(party=applicant).order_by("-filed_on")
        project = (form.get("项目名称") or form.get("工程名称") or "").strip() if isinstance(form, dict) else ""
        if project:
            filings = filings.filter(project_name=project)
        record = filings.first()
        if record is None:
            return DataResult(False, reason="无竣工验收备案记录")
        return DataResult(True, reference=f"竣工验收备案 {record.filing_number}（{record.project_name}）")

    def _household_register(self, applicant: Party, form: dict) -> DataResult:
        # Local record: the person's registered region on the platform stands for the household entry.
        if applicant.kind != PartyKind.PERSON or not self._number_ok(applicant) or applicant.region is None:
            return DataResult(False, reason="平台无申请人户籍信息")
        return DataResult(True, reference=f"户籍信息：{applicant.name}，户籍地{applicant.region.name}")

    def _shareholder_qualification(self, applicant: Party, form: dict) -> DataResult:
        # Shareholders listed in the form ("股东": [{"名称", "证件号码"}] or numbers) must each be a
        # person or enterprise whose number passes its check; with none listed, the applicant is the
        # (sole) shareholder.
        listed = form.get("股东") if isinstance(form, dict) else None
        numbers = []
        for entry in listed if isinstance(listed, list) else []:
            numbers.append(entry.get("证件号码", "") if isinstance(entry, dict) else str(entry))
        if not numbers:
            if not self._number_ok(applicant):
                return DataResult(False, reason="申请人主体信息无效")
            return DataResult(True, reference=f"股东主体：{applicant.name}（{applicant.number}）核验通过")
        for number in numbers:
            kind = PartyKind.PERSON if len(number) == 18 and number[:17].isdigit() else PartyKind.ENTERPRISE
            if not party_number_check(kind=kind, number=number).valid:
                return DataResult(False, reason=f"股东证件号码 {number} 核验未通过")
        return DataResult(True, reference=f"{len(numbers)}名股东主体资格核验通过")


def data_source() -> DataSource:
    path = getattr(settings, "YIWANG_DATA_SOURCE", "")
    return import_string(path)() if path else LocalDataSource()


@dataclass(frozen=True)
class Satisfied:
    material: Material
    how: str  # "licence" | "data"
    reference: str  # the licence identifier, or what the data source found

    def __iter__(self):  # unpacks as (material, how, reference)
        return iter((self.material, self.how, self.reference))


@dataclass
class Satisfaction:
    satisfied: list[Satisfied] = field(default_factory=list)
    unsatisfied: list[tuple[Material, str]] = field(default_factory=list)  # (material, why)
    copies_saved: int = 0
    visits_saved: int = 0

    def __iter__(self) -> Iterator[Satisfied]:
        return iter(self.satisfied)

    def __len__(self) -> int:
        return len(self.satisfied)

    def as_dict(self) -> dict:
        return {
            "satisfied": [{"material": s.material.name, "how": s.how, "reference": s.reference} for s in self.satisfied],
            "unsatisfied": [{"material": m.name, "reason": why} for m, why in self.unsatisfied],
            "copies_saved": self.copies_saved,
            "visits_saved": self.visits_saved,
        }


def materials_satisfied(*, item: ServiceItem, applicant: Party | None, form: dict | None = None,
                        source: DataSource | None = None, supplied: Collection[str] = ()) -> Satisfaction:
    """Which of the item's licence- and data-sourced materials the platform supplies itself.

    supplied: names of materials the caller already has (a licence an earlier member of a bundle
    produced): not looked up, and in neither list; the caller accounts for them."""
    result = Satisfaction()
    materials = list(item.materials.all())
    if applicant is None:
        return result
    source = source or data_source()
    for material in materials:
        if material.name in supplied:
            continue
        if material.source == MaterialSource.LICENCE:
            found = licence_valid_for(applicant, material.name)
            if found is not None:
                result.satisfied.append(Satisfied(material, "licence", found.identifier))
            else:
                result.unsatisfied.append((material, f"申请人无有效的{material.name}"))
        elif material.source == MaterialSource.DATA:
            fact = MATERIAL_FACTS.get(material.name)
            outcome = source.lookup(fact, applicant=applicant, form=form) if fact else DataResult(
                False, reason="该材料无对应数据源")
            if outcome.ok:
                result.satisfied.append(Satisfied(material, "data", outcome.reference))
            else:
                result.unsatisfied.append((material, outcome.reason))
    done = {s.material.pk for s in result.satisfied}
    result.copies_saved = sum(s.material.copies for s in result.satisfied)
    required = [m for m in materials if m.required]
    if required and all(m.pk in done for m in required):
        result.visits_saved = 1
    return result
