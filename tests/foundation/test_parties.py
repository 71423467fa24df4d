"""Check digits of ID numbers (GB 11643) and USCCs (GB 32100), against hand-computed ones."""

import json

import pytest
from stdnum.cn import ric

from yiwang.core.errors import DomainError
from yiwang.parties.identifiers import check_id_number, check_uscc
from yiwang.parties.services import party_get_or_create, party_number_require

# ---- the standards, computed by hand in the test (not through python-stdnum)
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def gb11643(body17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(body17, ID_WEIGHTS, strict=True)) % 11]


def gb32100(body17: str) -> str:
    c = 31 - sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(body17, USCC_WEIGHTS, strict=True)) % 31
    return USCC_ALPHABET[0 if c == 31 else c]


ID_BODIES = ["43032119850612001", "43042119900308003", "11010519491231002", "44030619990101123",
             "43060020000229456", "43032119851231789", "51010419701001234", "43030020260214008"]
USCC_BODIES = ["91430321MA4L16JQ9", "91430321MA4T8K2P6", "11430321123456789", "9111000071093123X",
               "52430000MJ1234567", "93430321MA4PPQ0Y1", "12100000400000624", "31430000MD0012345"]


@pytest.mark.parametrize("body", ID_BODIES)
def test_id_number_check_digit_matches_gb11643(body):
    good = body + gb11643(body)
    assert check_id_number(good).valid
    for wrong in "0123456789X":
        if wrong != good[-1]:
            r = check_id_number(body + wrong, field="id_number")
            assert (r.valid, r.error) == (False, "check_digit")
            assert r.message == "居民身份证号码校验位错误"


@pytest.mark.parametrize("body", USCC_BODIES)
def test_uscc_check_digit_matches_gb32100(body):
    good = body + gb32100(body)
    assert check_uscc(good).valid
    wrong = next(c for c in "0123456789" if c != good[-1])
    r = check_uscc(body + wrong, field="uscc")
    assert (r.valid, r.error, r.message) == (False, "check_digit", "统一社会信用代码校验位错误")


def test_stdnum_calc_check_digit_wants_the_check_digit_included():
    """python-stdnum's cn.ric.calc_check_digit drops the last character: given 17 digits it
    computes over 16 and disagrees with GB 11643. Ours passes the full 18 characters."""
    disagree = [b for b in ID_BODIES if ric.calc_check_digit(b) != gb11643(b)]
    assert disagree  # the trap the demo file warns of
    assert all(ric.calc_check_digit(b + "0") == gb11643(b) for b in ID_BODIES)


@pytest.mark.parametrize("kind,number", [
    ("enterprise", "91430321MA4L16JQ95"), ("enterprise", "91430321MA4T8K2P6K"),
    ("person", "430321198506120013"), ("person", "43042119900308003X"), ("person", "43042119900308003x"),
])
def test_demo_numbers_are_valid(kind, number):
    assert party_number_require(kind=kind, number=number) == number.upper()


FORMAT_ERRORS = [
    ("person", "4303211985061200", "格式不正确"),           # too short
    ("person", "43032119850612001Y", "格式不正确"),         # bad last character
    ("person", "430321198513120013", "出生日期无效"),       # month 13
    ("person", "", "格式不正确"),
    ("enterprise", "91430321MA4L16JQ9", "格式不正确"),      # 17 characters
    ("enterprise", "91430321MA4L16JQI5", "格式不正确"),     # I is not in the alphabet
    ("enterprise", "9143O321MA4L16JQ95", "格式不正确"),     # O in the region code
]


@pytest.mark.parametrize("kind,number,words", FORMAT_ERRORS)
def test_malformed_numbers_say_the_format_is_wrong(kind, number, words):
    with pytest.raises(DomainError) as err:
        party_number_require(kind=kind, number=number, field="number")
    assert err.value.field == "number" and err.value.code == "invalid_format"
    assert not err.value.message.startswith("number") and words in err.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("payload,status,error,words", [
    ({"kind": "person", "number": "430321198506120013"}, 200, None, None),
    ({"kind": "person", "number": "430321198506120014"}, 400, "invalid_check_digit", "校验位错误"),
    ({"kind": "enterprise", "number": "91430321MA4L16JQ96"}, 400, "invalid_check_digit", "校验位错误"),
    ({"kind": "enterprise", "number": "123"}, 400, "invalid_format", "格式不正确"),
    ({"kind": "person", "number": "12345"}, 400, "invalid_format", "格式不正确"),
])
def test_parties_check_api(api_client, payload, status, error, words):
    r = api_client.post("/api/v1/parties/check", json.dumps(payload), content_type="application/json")
    assert r.status_code == status
    if error:
        assert r.json()["error"] == error and r.json()["field"] == "number" and words in r.json()["message"]
    else:
        assert r.json() == {"valid": True, "kind": "person", "number": payload["number"]}


@pytest.mark.django_db
def test_a_party_needs_a_name():
    with pytest.raises(DomainError, match="^名称不能为空"):
        party_get_or_create(kind="person", number="430321198506120013", name=" ")
