import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.licences.identifiers import (
    ALPHABET,
    check_character,
    identifier_build,
    identifier_is_valid,
    identifier_parse,
)

# Identifiers published in public code and documentation (research notes §5.1).
PUBLISHED = [
    "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
    "1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3",
    "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
]


@pytest.mark.parametrize("identifier", PUBLISHED)
def test_published_identifiers_have_the_check_character_we_compute(identifier):
    assert identifier_is_valid(identifier)


def test_the_issue_example_reproduces_check_character_f():
    assert check_character("11100000000013338W032", "11220000013544541J", "2430599", "001") == "F"


def test_a_placeholder_example_with_a_hex_serial_does_not_check():
    # Seen as a sample value in a public API model; its check character M is not what MOD 37,36
    # gives (D), so it was evidently typed by hand.
    assert not identifier_is_valid(
        "1.2.156.3005.2.11100000000013661B006.113700000045046442.209FA4E88F9E4C878F3E9BED2CE7EA49.001.M")


@pytest.mark.parametrize("position", range(len("11100000000013338W03211220000013544541J2430599")))
def test_a_changed_character_breaks_the_check(position):
    good = PUBLISHED[0]
    head = "1.2.156.3005.2."
    body = good[len(head):]
    # map the body position (without dots) to the string position
    indexes = [i for i, ch in enumerate(body) if ch != "."][:-4]  # not the version or check
    i = indexes[position]
    for replacement in "0A9Z":
        if body[i] != replacement:
            tampered = head + body[:i] + replacement + body[i + 1:]
            assert not identifier_is_valid(tampered)
            break


def test_a_changed_version_or_check_character_breaks_the_check():
    good = PUBLISHED[0]
    assert not identifier_is_valid(good.replace(".001.F", ".002.F"))
    assert not identifier_is_valid(good[:-1] + "G")


@given(
    serial=st.text(alphabet="0123456789", min_size=1, max_size=12),
    position=st.integers(min_value=0, max_value=100),
    replacement=st.sampled_from(ALPHABET),
)
def test_every_single_substitution_is_detected(serial, position, replacement):
    type_code, issuer = "11100000000013338W009", "11430321123456789X"
    built = identifier_build(type_code=type_code, issuer_code=issuer, serial=serial, version=1)
    parts = identifier_parse(built)
    body = parts.type_code + parts.issuer_code + parts.serial
    i = position % len(body)
    if body[i] == replacement:
        return
    changed = body[:i] + replacement + body[i + 1:]
    new_type, new_issuer, new_serial = changed[:21], changed[21:39], changed[39:]
    assert check_character(new_type, new_issuer, new_serial, "001") != parts.check


@pytest.mark.parametrize("text", [
    "", "1.2.156.3005.2", "1.2.156.3005.1.A.B.1.001.F", "1.2.156.3005.2.A.B.1.01.F",
    "1.2.156.3005.2.a.B.1.001.F", "1.2.156.3005.2.A.B.1.001.FF", "1.2.156.3005.2.A.B.001.F",
])
def test_malformed_identifiers_do_not_parse(text):
    assert identifier_parse(text) is None
    assert not identifier_is_valid(text)


def test_build_round_trips_through_parse():
    built = identifier_build(type_code="11100000000013338W009", issuer_code="11430321123456789X",
                             serial="00000042", version=3)
    parsed = identifier_parse(built)
    assert (parsed.serial, parsed.version) == ("00000042", "003")
    assert identifier_is_valid(built)
