from django.db import transaction

from yiwang.core.errors import DomainError

from .identifiers import CheckResult, check_id_number, check_uscc, uscc_build
from .models import Party, PartyKind


def party_number_check(*, kind: str, number: str, field: str = "number") -> CheckResult:
    if kind == PartyKind.PERSON:
        return check_id_number(number, field=field)
    if kind == PartyKind.ENTERPRISE:
        return check_uscc(number, field=field)
    raise DomainError("类型应为 person 或 enterprise", field="kind")


def party_number_require(*, kind: str, number: str, field: str = "number") -> str:
    result = party_number_check(kind=kind, number=number, field=field)
    if not result.valid:
        raise DomainError(result.message or "号码无效", field=field, code=f"invalid_{result.error}")
    return result.normalised


@transaction.atomic
def party_get_or_create(*, kind: str, number: str, name: str, field: str = "number", **profile) -> Party:
    """The party with this number; created on first sight. Its name is refreshed when given."""
    number = party_number_require(kind=kind, number=number, field=field)
    if not (name or "").strip():
        raise DomainError("名称不能为空", field="name", code="required")
    party, created = Party.objects.get_or_create(number=number, defaults={"kind": kind, "name": name, **profile})
    if not created and party.kind != kind:
        raise DomainError("该号码已登记为其他类型的主体", field=field)
    return party


# The form fields a registration reads, in the order tried (企业设立登记's form: 企业名称, 法定代表人, 住所).
NAME_FIELDS, LEGAL_REP_FIELDS, ADDRESS_FIELDS = ("企业名称", "名称"), ("法定代表人",), ("住所", "地址", "经营场所")


def _first(form: dict, names: tuple[str, ...]) -> str:
    return next((str(form[n]).strip() for n in names if str(form.get(n) or "").strip()), "")


def uscc_assign(*, region_code: str) -> str:
    """A new unified social credit code of the region, not held by any party: the registering unit
    assigns the organisation code body ("MA" + six random digits and capitals, as codes issued since
    2015 look); the unique party number catches the rare collision (party_register_for_case retries)."""
    import secrets

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(20):
        body = "MA" + "".join(secrets.choice(alphabet) for _ in range(6))
        code = uscc_build(region_code=region_code, body=body)
        if not Party.objects.filter(number=code).exists():
            return code
    raise DomainError("number：无法分配统一社会信用代码，请重试", field="number", code="uscc_exhausted")


def party_register_for_case(*, case) -> Party | None:
    """企业设立登记: the enterprise an approved registration creates, once per case — a new code the
    registering unit assigns, the form's name, legal representative and address, filed by the applicant.

    Its account is the filer's account: whoever filed the registration (the person or the company
    setting it up) sees the new enterprise's cases and licences until it is given an account of its
    own. None when the item's result creates no party."""
    from django.db import IntegrityError

    item = case.implementation.item
    if not item.creates_party:
        return None
    found = Party.objects.filter(registered_case=case.number).first()
    if found is not None:
        return found
    form = case.form or {}
    name = _first(form, NAME_FIELDS)
    if not name:
        raise DomainError("form.企业名称：请填写企业名称", field="form.企业名称")
    filer = case.applicant
    for _ in range(3):
        try:
            with transaction.atomic():
                return Party.objects.create(
                    kind=PartyKind.ENTERPRISE, number=uscc_assign(region_code=case.region_id), name=name,
                    legal_representative=_first(form, LEGAL_REP_FIELDS), address=_first(form, ADDRESS_FIELDS),
                    phone=str(form.get("联系电话") or filer.phone or "")[:32], region_id=case.region_id,
                    registered_case=case.number, filer=filer, user_id=filer.user_id,
                )
        except IntegrityError:  # the code was taken meanwhile: assign another
            continue
    raise DomainError("number：无法分配统一社会信用代码，请重试", field="number", code="uscc_exhausted")

