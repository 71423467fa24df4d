"""Figure 7: 无证明 at submission — a holder with 1 000 valid licences of the type an item needs
against a holder with 1, same item, same run.

What is timed is `case_submit` at the window (the clerk, as in figure 1) of 单位参保登记, whose only
material is the applicant's 营业执照, supplied from the licence library. Each submission runs in a
transaction that is rolled back, so that the data set does not grow. Both holders' licences are
real: signed with the issuer's seal, with their signed "issued" event and their verification record,
as `licence_issue` leaves them (written here in bulk, see `licences_bulk`), and kept between runs.
The figure is submissions/s with 1 000 licences divided by submissions/s with 1: the cost of
finding the licence must not grow with the licences held (issue 17: it verified every one's SM2
signature, ≈ 50 a second).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from .common import Figure, summary_ms

ITEM_BASIC_CODE = "DWCBDJ"  # 单位参保登记: one material, 营业执照, from the licence library
LICENCE_TYPE = "营业执照"
ISSUER = "XTX-SCJG"
HOLDERS = {1: ("91430321MA4BNC001", "基准测试一证企业"), 1000: ("91430321MA4BNC002", "基准测试千证企业")}


def bench_uscc(first17: str) -> str:
    from stdnum.cn import uscc

    return first17 + uscc.calc_check_digit(first17)


def licences_bulk(*, holder, issuer, type_name: str, n: int, issued_on: date | None = None) -> list:
    """n valid licences of one type for holder, signed like `licence_issue` signs them (the licence
    and its "issued" event, with the issuer's seal), written in bulk. Their verification record is
    made from the signatures just computed, not by verifying them again: this is test and bench
    data, and verifying would double the ≈ 50 ms of SM2 each licence already costs here."""
    from django.utils import timezone

    from yiwang.licences import crypto
    from yiwang.licences import services as ls
    from yiwang.licences.identifiers import identifier_build
    from yiwang.licences.models import Licence, LicenceEvent, LicenceSerial, LicenceStatus
    from yiwang.licences.selectors import verification_record_fields
    from yiwang.parties.identifiers import check_uscc

    licence_type = ls.licence_type_get(type_name)
    seal = ls.seal_for_unit(issuer)
    key = crypto.private_key_decrypt(seal.private_key_encrypted, public_key_hex=seal.public_key)
    code = check_uscc(issuer.uscc).normalised
    counter, _ = LicenceSerial.objects.get_or_create(licence_type=licence_type, issuer_code=code)
    first = counter.last + 1
    LicenceSerial.objects.filter(pk=counter.pk).update(last=counter.last + n)
    day = issued_on or timezone.localdate()
    licences = []
    for i in range(n):
        serial = f"{first + i:08d}"
        lic = Licence(
            identifier=identifier_build(type_code=licence_type.code, issuer_code=code, serial=serial, version=1),
            licence_type=licence_type, serial=serial, version=1, holder=holder, holder_name=holder.name,
            holder_number=holder.number, issuer=issuer, issuer_name=issuer.name, issuer_code=code,
            in_name_of=issuer, in_name_of_name=issuer.name, in_name_of_code=code, issue_date=day,
            valid_from=day - timedelta(days=1), content={"名称": holder.name, "序号": i},
            status=LicenceStatus.VALID, seal=seal,
        )
        message = ls.licence_payload_bytes(lic)
        lic.payload_hash, lic.signature = crypto.sm3_hex(message), crypto.sign(key, seal.public_key, message)
        licences.append(lic)
    Licence.objects.bulk_create(licences)
    events = []
    for lic in licences:
        now = timezone.now()
        event = LicenceEvent(licence=lic, seq=1, action="issued", to_status=LicenceStatus.VALID, reason="颁发",
                             actor_kind="system", actor_name="基准测试", at=now, on=timezone.localdate(now),
                             prev_hash=lic.payload_hash, seal=seal)
        message = crypto.canonical_json(ls.event_payload(event, lic.identifier))
        event.hash, event.signature = crypto.sm3_hex(message), crypto.sign(key, seal.public_key, message)
        events.append(event)
        lic.verified_hash = lic.payload_hash
        lic.verified_mac = crypto.record_mac(verification_record_fields(lic))
    LicenceEvent.objects.bulk_create(events)
    Licence.objects.bulk_update(licences, ["verified_hash", "verified_mac"])
    return licences


def _holder(n: int, ctx):
    """The bench holder with n valid licences of the type (made once, kept between runs)."""
    from yiwang.licences.models import Licence
    from yiwang.organisations.models import Unit
    from yiwang.parties.services import party_get_or_create

    number, name = HOLDERS[n]
    holder = party_get_or_create(kind="enterprise", number=bench_uscc(number[:17]), name=name)
    have = Licence.objects.filter(holder=holder, licence_type__name=LICENCE_TYPE, status="valid").count()
    if have < n:
        t0 = time.perf_counter()
        licences_bulk(holder=holder, issuer=Unit.objects.get(code=ISSUER), type_name=LICENCE_TYPE, n=n - have)
        ctx.log(f"{n - have} licences made for {name} in {time.perf_counter() - t0:.1f} s (kept for next runs)")
    return holder


class _Rollback(Exception):
    pass


def _submit_once(impl, clerk, holder) -> tuple[float, int, int]:
    """(seconds, SM2 verifications, statements) of one submission, rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from yiwang.cases.services import case_submit
    from yiwang.licences import crypto

    calls = [0]
    original = crypto.verify

    def counting(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    crypto.verify = counting
    try:
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            try:
                with transaction.atomic():
                    case = case_submit(actor=clerk, item=impl.impl_code, applicant=holder, channel="window",
                                       form={f: "基准测试" for f in impl.item.form_fields})
                    assert case.shared_materials["satisfied"], case.shared_materials
                    raise _Rollback
            except _Rollback:
                pass
            elapsed = time.perf_counter() - t0
    finally:
        crypto.verify = original
    return elapsed, calls[0], len(queries)


def run(ctx) -> list[Figure]:
    from django.contrib.auth import get_user_model

    from yiwang.catalogue.models import ItemImplementation

    impl = (ItemImplementation.objects.filter(item__basic_code=ITEM_BASIC_CODE, active=True)
            .select_related("item").order_by("impl_code").first())
    clerk = get_user_model().objects.get(username="clerk")
    holders = {n: _holder(n, ctx) for n in HOLDERS}
    rounds = int(ctx.seconds(60, 200))
    times: dict[int, list[float]] = {n: [] for n in HOLDERS}
    verifies: dict[int, int] = {}
    statements: dict[int, int] = {}
    for holder in holders.values():  # warm the per-process caches for both
        _submit_once(impl, clerk, holder)
    for _ in range(rounds):  # interleaved, so that load on the shared machine hits both alike
        for n, holder in holders.items():
            elapsed, verifies[n], statements[n] = _submit_once(impl, clerk, holder)
            times[n].append(elapsed)
    few, many = summary_ms(times[1]), summary_ms(times[1000])
    rate_few, rate_many = 1000 / few["mean_ms"], 1000 / many["mean_ms"]
    ratio = rate_many / rate_few
    ctx.log(f"1 licence: {few['mean_ms']:.1f} ms, {verifies[1]} SM2, {statements[1]} statements; "
            f"1 000 licences: {many['mean_ms']:.1f} ms, {verifies[1000]} SM2, {statements[1000]} statements")
    return [Figure(
        key="7_datasharing", title="无证明：持1000张同类证照的主体申请", value=round(rate_many, 1), unit="submissions/s",
        baseline_name="the same holder with 1 licence", baseline=round(rate_few, 1), baseline_unit="submissions/s",
        ratio=round(ratio, 2), target="≥ 0.9", met=ratio >= 0.9,
        detail={"item": impl.impl_code, "rounds": rounds, "one_licence": few, "thousand_licences": many,
                "sm2_verifications": {"1": verifies[1], "1000": verifies[1000]},
                "statements": {"1": statements[1], "1000": statements[1000]}},
    )]
