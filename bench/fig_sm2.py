"""Figure 10.4: SM2 signs and verifies per second of the library the seal uses, against gmalg in the same run;
and the public licence verification page (/verify/<identifier>/, an SM2 verification on every request) p99
against GET /api/v1/ping through the same client."""

from __future__ import annotations

import time

from .common import Figure, summary_ms


def _rate(fn, seconds: float) -> tuple[float, int]:
    n, t0 = 0, time.perf_counter()
    while True:
        for _ in range(20):
            fn()
        n += 20
        t = time.perf_counter()
        if t - t0 >= seconds:
            return n / (t - t0), n


def run(ctx) -> list[Figure]:
    from gmalg import SM2

    from yiwang.licences import crypto

    seconds = ctx.seconds(2.0, 6.0)
    sk, pk_hex = crypto.keypair_generate()
    message = ("营业执照" * 60).encode()  # about the size of a licence's canonical data
    signature = crypto.sign(sk, pk_hex, message)
    raw = bytes.fromhex(signature)
    gmalg = SM2(sk=sk, uid=crypto.DEFAULT_UID, pk=bytes.fromhex(pk_hex))
    if not gmalg.verify(message, raw[:32], raw[32:]):
        raise AssertionError("gmalg does not accept the seal library's signature")
    in_use = "gmssl_pyx (GmSSL, C)" if crypto.gmssl_pyx is not None else "gmalg (pure Python)"
    sign_rate, sign_n = _rate(lambda: crypto.sign(sk, pk_hex, message), seconds)
    base_sign, base_sign_n = _rate(lambda: gmalg.sign(message), seconds)
    verify_rate, verify_n = _rate(lambda: crypto.verify(pk_hex, message, signature), seconds)
    base_verify, base_verify_n = _rate(lambda: gmalg.verify(message, raw[:32], raw[32:]), seconds)
    common = {"library": in_use, "message_bytes": len(message), "seconds_each": seconds}
    return [
        Figure(key="10_4_sm2_sign", title="SM2 签名 (印章)", value=round(sign_rate), unit="signs/s",
               baseline_name="gmalg sign", baseline=round(base_sign), baseline_unit="signs/s",
               ratio=round(sign_rate / base_sign, 1), target="≥ 1× (report)", met=sign_rate >= base_sign * 0.9,
               detail={**common, "calls": sign_n, "baseline_calls": base_sign_n}),
        Figure(key="10_4_sm2_verify", title="SM2 验签 (证照核验)", value=round(verify_rate), unit="verifies/s",
               baseline_name="gmalg verify", baseline=round(base_verify), baseline_unit="verifies/s",
               ratio=round(verify_rate / base_verify, 1), target="≥ 1× (report)",
               met=verify_rate >= base_verify * 0.9,
               detail={**common, "calls": verify_n, "baseline_calls": base_verify_n}),
        *_verify_page(seconds),
    ]


def _a_licence() -> str:
    """A valid licence's identifier: the demo's, issued by relaying the outbox its approvals left."""
    from yiwang.core.outbox import outbox_relay
    from yiwang.licences.models import Licence

    for _ in range(50):
        found = Licence.objects.filter(status="valid").values_list("identifier", flat=True).first()
        if found or not outbox_relay(send=lambda message: None, limit=200):
            return found
    return Licence.objects.filter(status="valid").values_list("identifier", flat=True).first()


def _verify_page(seconds: float) -> list[Figure]:
    from django.test import Client

    identifier = _a_licence()
    if not identifier:
        return [Figure(key="10_4_verify_page", title="证照核验页", skipped="no licence in the bench database")]
    client = Client()

    def times(url: str) -> dict:
        assert client.get(url).status_code == 200, url
        out, stop = [], time.perf_counter() + seconds
        while time.perf_counter() < stop and len(out) < 2000:
            t0 = time.perf_counter()
            client.get(url)
            out.append(time.perf_counter() - t0)
        return summary_ms(out)

    base, page = times("/api/v1/ping"), times(f"/verify/{identifier}/")
    return [Figure(key="10_4_verify_page", title="证照核验页 GET /verify/<identifier>/（每次 SM2 验签）",
                   value=page["p99_ms"], unit="ms p99", baseline_name="GET /api/v1/ping (p50)", baseline=base["p50_ms"],
                   baseline_unit="ms", ratio=round(page["p50_ms"] / base["p50_ms"], 1), target="p99 < 30 ms",
                   met=page["p99_ms"] < 30, detail={**page, "baseline": base})]
