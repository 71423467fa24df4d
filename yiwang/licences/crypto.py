"""The seal's cryptography: SM3, SM2withSM3 signatures, and private keys encrypted at rest.

- Canonical licence data: JSON with sorted keys, no spaces, UTF-8, Chinese as itself.
- Signature: SM2 over SM3(Z_A || M) where Z_A uses the default user ID "1234567812345678"
  (GM/T 0009), passed to GmSSL (gmssl_pyx, C) or, where it has no wheel, to gmalg (pure Python), which
  make and accept the same signatures; GmSSL speaks DER, so r and s are converted. The signature is
  stored as r || s, 32 bytes each, in hex (128 characters). Public keys are 04 || x || y in hex.
- Private keys at rest: SM4-CBC with a random IV and PKCS#7 padding, then HMAC-SM3 over
  (public key || IV || ciphertext) — encrypt-then-MAC, bound to the seal's public key so that an
  encrypted key cannot be moved to another seal. Both keys are derived from the master key with
  HMAC-SM3 and distinct labels. The master key comes from YIWANG_MASTER_KEY; without it (dev and
  test) it is derived from SECRET_KEY and a system check warns (licences.W001).
"""

import json
import logging
import os
import secrets
from datetime import date, datetime
from functools import lru_cache

from django.conf import settings
from gmalg import SM2, SM3, SM4

try:  # GmSSL's C SM2 (x86_64 wheels): ~270 signs/s and ~1 700 verifies/s against gmalg's ~70 and ~35
    import gmssl_pyx
except ImportError:  # another platform: the pure-Python gmalg signs and verifies the same signatures
    gmssl_pyx = None
# What a malformed key or signature raises: it is simply "not valid".
_NOT_VALID = (ValueError, TypeError, ArithmeticError) + (
    (gmssl_pyx.GmsslInnerError, gmssl_pyx.InvalidValueError) if gmssl_pyx is not None else ())

log = logging.getLogger(__name__)

DEFAULT_UID = b"1234567812345678"  # GM/T 0009 default signer ID
KEY_FORMAT = "sm4cbc-hmacsm3-v1"


class SealKeyError(Exception):
    """An encrypted private key could not be opened (wrong master key or tampered record)."""


def canonical_json(data) -> bytes:
    def default(value):
        if isinstance(value, datetime | date):
            return value.isoformat()
        raise TypeError(f"不可序列化的值：{type(value).__name__}")

    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=default).encode()


def sm3_hex(data: bytes) -> str:
    h = SM3()
    h.update(data)
    return h.value().hex()


def _sm3(data: bytes) -> bytes:
    h = SM3()
    h.update(data)
    return h.value()


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    """HMAC (RFC 2104) with SM3 (64-byte block)."""
    block = 64
    if len(key) > block:
        key = _sm3(key)
    key = key.ljust(block, b"\0")
    inner = _sm3(bytes(k ^ 0x36 for k in key) + message)
    return _sm3(bytes(k ^ 0x5C for k in key) + inner)


# --- signing ------------------------------------------------------------------------------------

def keypair_generate() -> tuple[bytes, str]:
    """A new SM2 key pair: (private key, 32 bytes; public key hex 04||x||y)."""
    sk, pk = SM2(uid=DEFAULT_UID).generate_keypair()
    return sk.rjust(32, b"\0"), pk.hex()


def sign(private_key: bytes, public_key_hex: str, message: bytes) -> str:
    """SM2withSM3 signature of message, hex r||s."""
    if gmssl_pyx is not None:
        der = gmssl_pyx.sm2_sign(private_key, bytes.fromhex(public_key_hex)[1:], message, DEFAULT_UID)
        r, s = der_to_rs(der)
    else:
        r, s = SM2(sk=private_key, uid=DEFAULT_UID, pk=bytes.fromhex(public_key_hex)).sign(message)
    return r.rjust(32, b"\0").hex() + s.rjust(32, b"\0").hex()


def verify(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        raw = bytes.fromhex(signature_hex)
        public_key = bytes.fromhex(public_key_hex)
        if len(raw) != 64 or len(public_key) != 65 or public_key[0] != 4:
            return False
        if gmssl_pyx is not None:
            return bool(gmssl_pyx.sm2_verify(public_key[1:], message, rs_to_der(raw[:32], raw[32:]), DEFAULT_UID))
        return bool(SM2(uid=DEFAULT_UID, pk=public_key).verify(message, raw[:32], raw[32:]))
    except _NOT_VALID:
        return False


def _der_int(value: bytes) -> bytes:
    value = value.lstrip(b"\0") or b"\0"
    if value[0] & 0x80:
        value = b"\0" + value
    return b"\x02" + bytes([len(value)]) + value


def rs_to_der(r: bytes, s: bytes) -> bytes:
    """r, s as the ASN.1 DER SEQUENCE { INTEGER r, INTEGER s } that GmSSL reads (always < 128 bytes)."""
    body = _der_int(r) + _der_int(s)
    return b"\x30" + bytes([len(body)]) + body


def der_to_rs(der: bytes) -> tuple[bytes, bytes]:
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise ValueError("not an SM2 DER signature")
    out, i = [], 2
    for _ in range(2):
        if der[i] != 0x02:
            raise ValueError("not an SM2 DER signature")
        n = der[i + 1]
        out.append(der[i + 2:i + 2 + n].lstrip(b"\0").rjust(32, b"\0"))
        i += 2 + n
    return out[0], out[1]


# --- verification records ------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _record_key(master: bytes) -> bytes:
    return hmac_sm3(master, b"yiwang licence verification record")


def record_mac(fields: dict) -> str:
    """HMAC-SM3 of a licence's verification record under a key derived from the master key: the key
    is not in the database, so a row edited there cannot claim a verification it never had."""
    return hmac_sm3(_record_key(_master_key()), canonical_json(fields)).hex()


# --- private keys at rest -----------------------------------------------------------------------

def master_key_is_configured() -> bool:
    return bool(getattr(settings, "YIWANG_MASTER_KEY", None) or os.environ.get("YIWANG_MASTER_KEY"))


def _master_key() -> bytes:
    configured = getattr(settings, "YIWANG_MASTER_KEY", None) or os.environ.get("YIWANG_MASTER_KEY")
    if configured:
        return configured.encode()
    return b"derived-from-SECRET_KEY:" + settings.SECRET_KEY.encode()


def _keys(master: bytes) -> tuple[bytes, bytes]:
    return hmac_sm3(master, b"yiwang seal private key / SM4")[:16], hmac_sm3(master, b"yiwang seal private key / MAC")


def master_key_id() -> str:
    """A short fingerprint of the master key, stored beside each encrypted key (never the key)."""
    return _key_id(_master_key())


@lru_cache(maxsize=4)
def _key_id(master: bytes) -> str:
    return hmac_sm3(master, b"yiwang master key id").hex()[:16]


def _cbc_encrypt(key: bytes, iv: bytes, plain: bytes) -> bytes:
    cipher = SM4(key)
    pad = 16 - len(plain) % 16
    plain += bytes([pad]) * pad
    out, prev = bytearray(), iv
    for i in range(0, len(plain), 16):
        block = cipher.encrypt(bytes(a ^ b for a, b in zip(plain[i:i + 16], prev, strict=True)))
        out += block
        prev = block
    return bytes(out)


def _cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    if not data or len(data) % 16:
        raise SealKeyError("密文长度不正确")
    cipher = SM4(key)
    out, prev = bytearray(), iv
    for i in range(0, len(data), 16):
        block = data[i:i + 16]
        out += bytes(a ^ b for a, b in zip(cipher.decrypt(block), prev, strict=True))
        prev = block
    pad = out[-1]
    if not 1 <= pad <= 16 or out[-pad:] != bytes([pad]) * pad:
        raise SealKeyError("填充不正确")
    return bytes(out[:-pad])


def private_key_encrypt(private_key: bytes, *, public_key_hex: str) -> str:
    enc_key, mac_key = _keys(_master_key())
    iv = secrets.token_bytes(16)
    ciphertext = _cbc_encrypt(enc_key, iv, private_key)
    mac = hmac_sm3(mac_key, bytes.fromhex(public_key_hex) + iv + ciphertext)
    return ":".join([KEY_FORMAT, master_key_id(), iv.hex(), ciphertext.hex(), mac.hex()])


def private_key_decrypt(blob: str, *, public_key_hex: str) -> bytes:
    """The seal's private key, checked (format, master key, MAC, key pair) and decrypted.

    Kept per process for the blob it came from: decrypting is 4 HMAC-SM3, SM4 and k·G (~25 ms, a quarter
    of an approval's CPU) and the key is in this process's memory while signing anyway. The cache is keyed
    on the whole record and the master key's id, so an edited record or another master key is checked
    afresh, and only a key that passed every check is kept.
    """
    return _private_key_decrypt_cached(blob, public_key_hex.lower(), master_key_id())


@lru_cache(maxsize=256)
def _private_key_decrypt_cached(blob: str, public_key_hex: str, _master_id: str) -> bytes:
    try:
        fmt, key_id, iv_hex, ct_hex, mac_hex = blob.split(":")
        iv, ciphertext, mac = bytes.fromhex(iv_hex), bytes.fromhex(ct_hex), bytes.fromhex(mac_hex)
    except ValueError:
        raise SealKeyError("印章私钥记录格式不正确")
    if fmt != KEY_FORMAT:
        raise SealKeyError(f"未知的私钥加密格式：{fmt}")
    if key_id != master_key_id():
        raise SealKeyError("印章私钥由另一主密钥加密：请检查 YIWANG_MASTER_KEY")
    enc_key, mac_key = _keys(_master_key())
    expected = hmac_sm3(mac_key, bytes.fromhex(public_key_hex) + iv + ciphertext)
    if not secrets.compare_digest(expected, mac):
        raise SealKeyError("印章私钥记录校验失败（可能被篡改）")
    private_key = _cbc_decrypt(enc_key, iv, ciphertext)
    if SM2(uid=DEFAULT_UID).generate_pk(private_key).hex() != public_key_hex.lower():
        raise SealKeyError("印章私钥与公钥不匹配")
    return private_key
