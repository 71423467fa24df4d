"""SM3/SM4/SM2 as the seal uses them, checked against published vectors and against gmssl, a second,
independent implementation (tests only)."""

import hashlib

import pytest
from django.test import override_settings
from gmalg import SM4
from gmssl import sm2 as gmssl_sm2

from yiwang.licences import crypto


def _gmssl(private_hex: str, public_hex: str) -> gmssl_sm2.CryptSM2:
    """gmssl with our key. Its constructor strips a leading "04" with str.lstrip("04"), which also
    eats leading 0 and 4 digits of x (a bug in gmssl 3.2.2); so the key is set after construction."""
    signer = gmssl_sm2.CryptSM2(private_key=private_hex, public_key=public_hex[2:])
    signer.public_key = public_hex[2:]
    return signer


def test_sm3_matches_the_gb_t_32905_example():
    assert crypto.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert crypto.sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_matches_the_gb_t_32907_example():
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert SM4(key).encrypt(key).hex() == "681edf34d206965e86b3e94f536e4246"


@pytest.mark.skipif("sm3" not in hashlib.algorithms_available, reason="OpenSSL without SM3")
def test_hmac_sm3_agrees_with_openssl():
    import hmac

    for key, message in [(b"k", b"message"), (b"x" * 100, "证照".encode())]:
        assert crypto.hmac_sm3(key, message) == hmac.new(key, message, "sm3").digest()


@pytest.mark.parametrize("round_", range(4))
def test_gmalg_signature_verifies_in_gmssl(round_):
    private_key, public_key = crypto.keypair_generate()
    message = crypto.canonical_json({"identifier": f"x{round_}", "holder": "湘潭示范科技有限公司"})
    signature = crypto.sign(private_key, public_key, message)
    assert _gmssl(private_key.hex(), public_key).verify_with_sm3(signature, message)
    assert not _gmssl(private_key.hex(), public_key).verify_with_sm3(signature, message + b" ")


@pytest.mark.parametrize("round_", range(4))
def test_gmssl_signature_verifies_in_gmalg(round_):
    private_key, public_key = crypto.keypair_generate()
    message = f"营业执照 {round_}".encode()
    signature = _gmssl(private_key.hex(), public_key).sign_with_sm3(message)
    assert crypto.verify(public_key, message, signature)
    assert not crypto.verify(public_key, message.replace(b" ", b"_"), signature)


def test_a_changed_byte_fails_verification():
    private_key, public_key = crypto.keypair_generate()
    message = crypto.canonical_json({"content": {"注册资本": "100万元"}})
    signature = crypto.sign(private_key, public_key, message)
    assert crypto.verify(public_key, message, signature)
    for i in (0, len(message) // 2, len(message) - 1):
        changed = bytearray(message)
        changed[i] ^= 0x01
        assert not crypto.verify(public_key, bytes(changed), signature)
    other_public = crypto.keypair_generate()[1]
    assert not crypto.verify(other_public, message, signature)


@pytest.mark.parametrize("signature", ["", "zz", "00" * 64, "ab" * 10])
def test_malformed_signatures_are_not_valid(signature):
    _, public_key = crypto.keypair_generate()
    assert not crypto.verify(public_key, b"m", signature)


def test_canonical_json_is_deterministic_and_keeps_chinese():
    a = crypto.canonical_json({"b": 1, "a": {"y": "湘潭", "x": [1, 2]}})
    b = crypto.canonical_json({"a": {"x": [1, 2], "y": "湘潭"}, "b": 1})
    assert a == b == '{"a":{"x":[1,2],"y":"湘潭"},"b":1}'.encode()


def test_private_key_round_trips_and_is_never_stored_in_clear():
    private_key, public_key = crypto.keypair_generate()
    blob = crypto.private_key_encrypt(private_key, public_key_hex=public_key)
    assert private_key.hex() not in blob
    assert crypto.private_key_decrypt(blob, public_key_hex=public_key) == private_key
    # a fresh IV each time
    assert crypto.private_key_encrypt(private_key, public_key_hex=public_key) != blob


def test_a_tampered_encrypted_key_is_refused():
    private_key, public_key = crypto.keypair_generate()
    blob = crypto.private_key_encrypt(private_key, public_key_hex=public_key)
    fmt, key_id, iv, ct, mac = blob.split(":")
    flipped = ct[:-1] + ("0" if ct[-1] != "0" else "1")
    with pytest.raises(crypto.SealKeyError):
        crypto.private_key_decrypt(":".join([fmt, key_id, iv, flipped, mac]), public_key_hex=public_key)
    other_public = crypto.keypair_generate()[1]
    with pytest.raises(crypto.SealKeyError):
        crypto.private_key_decrypt(blob, public_key_hex=other_public)


def test_another_master_key_cannot_open_the_key():
    private_key, public_key = crypto.keypair_generate()
    with override_settings(YIWANG_MASTER_KEY="first-master-key-0123456789abcdef"):
        blob = crypto.private_key_encrypt(private_key, public_key_hex=public_key)
        assert crypto.master_key_is_configured()
    with override_settings(YIWANG_MASTER_KEY="second-master-key-0123456789abcdef"):
        with pytest.raises(crypto.SealKeyError, match="另一主密钥"):
            crypto.private_key_decrypt(blob, public_key_hex=public_key)


def test_a_seal_key_is_decrypted_once_per_process_and_a_tampered_record_still_refused(monkeypatch):
    private_key, public_key = crypto.keypair_generate()
    blob = crypto.private_key_encrypt(private_key, public_key_hex=public_key)
    calls = []
    real = crypto._cbc_decrypt
    monkeypatch.setattr(crypto, "_cbc_decrypt", lambda *a: calls.append(1) or real(*a))
    assert crypto.private_key_decrypt(blob, public_key_hex=public_key) == private_key
    assert crypto.private_key_decrypt(blob, public_key_hex=public_key.upper()) == private_key
    assert len(calls) == 1
    fmt, key_id, iv, ct, mac = blob.split(":")
    forged_mac = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    with pytest.raises(crypto.SealKeyError, match="校验失败"):
        crypto.private_key_decrypt(":".join([fmt, key_id, iv, ct, forged_mac]), public_key_hex=public_key)
    # a failure is not kept: the same bad record is checked (and refused) again
    with pytest.raises(crypto.SealKeyError, match="校验失败"):
        crypto.private_key_decrypt(":".join([fmt, key_id, iv, ct, forged_mac]), public_key_hex=public_key)


@pytest.mark.parametrize("r,s", [
    (b"\x01" * 32, b"\x02" * 32),
    (b"\x80" + b"\x00" * 31, b"\xff" * 32),  # high bit: DER prepends a zero byte
    (b"\x00\x00\x7f" + b"\x11" * 29, b"\x00" * 31 + b"\x05"),  # leading zeros dropped in DER, restored after
])
def test_signature_r_s_round_trips_through_der(r, s):
    der = crypto.rs_to_der(r, s)
    assert der[0] == 0x30 and der[1] == len(der) - 2
    assert crypto.der_to_rs(der) == (r, s)


@pytest.mark.parametrize("bad", [b"", b"\x31\x06\x02\x01\x01\x02\x01\x01", b"\x30\x07\x02\x01\x01\x02\x01\x01"])
def test_a_malformed_der_signature_is_refused(bad):
    with pytest.raises(ValueError):
        crypto.der_to_rs(bad)


@pytest.mark.skipif(crypto.gmssl_pyx is None, reason="GmSSL has no wheel for this platform; gmalg alone signs")
def test_gmssl_and_gmalg_accept_each_others_signatures(monkeypatch):
    private_key, public_key = crypto.keypair_generate()
    message = "湘潭县营业执照".encode()
    by_gmssl = crypto.sign(private_key, public_key, message)
    gmssl = crypto.gmssl_pyx
    monkeypatch.setattr(crypto, "gmssl_pyx", None)
    assert crypto.verify(public_key, message, by_gmssl)
    by_gmalg = crypto.sign(private_key, public_key, message)
    assert not crypto.verify(public_key, message + b"!", by_gmssl)
    monkeypatch.setattr(crypto, "gmssl_pyx", gmssl)
    assert crypto.verify(public_key, message, by_gmalg)
    assert not crypto.verify(public_key, message + b"!", by_gmalg)
    assert not crypto.verify(public_key, message, "00" * 64)
    assert not crypto.verify("04" + "00" * 64, message, by_gmalg)  # a point off the curve is "not valid"
