"""The pure rules: which authorisation carries a filing, and the refusal that helps most."""

from dataclasses import dataclass, field
from datetime import date

import pytest

from yiwang.agents import rules

TODAY = date(2026, 6, 15)


@dataclass
class A:
    status: str = "granted"
    valid_from: date = date(2026, 1, 1)
    valid_until: date = date(2026, 12, 31)
    items: list = field(default_factory=lambda: ["QYSLDJ"])
    all_items: bool = False
    number: str = "SQ202601010001"
    ended_on: date | None = None


@pytest.mark.parametrize("auth, item, code", [
    (A(), "QYSLDJ", None),
    (A(all_items=True, items=[]), "SGXK", None),
    (A(valid_from=TODAY, valid_until=TODAY), "QYSLDJ", None),  # both ends inclusive
    (A(), "SGXK", "authorisation_out_of_scope"),
    (A(valid_until=date(2026, 6, 14)), "QYSLDJ", "authorisation_expired"),  # before the timer ran
    (A(status="expired"), "QYSLDJ", "authorisation_expired"),
    (A(status="revoked", ended_on=date(2026, 5, 1)), "QYSLDJ", "authorisation_revoked"),
    (A(valid_from=date(2026, 7, 1)), "QYSLDJ", "authorisation_not_yet_valid"),
    (A(status="revoked", all_items=True), "SGXK", "authorisation_revoked"),
])
def test_one_authorisation_carries_a_filing_only_in_force_and_in_scope(auth, item, code):
    refusal = rules.refusal_for(auth, item_code=item, item_name="某事项", today=TODAY)
    assert (refusal.code if refusal else None) == code
    assert rules.in_force(auth, TODAY) == (code in (None, "authorisation_out_of_scope"))


@pytest.mark.parametrize("auths, code", [
    ([], "authorisation_missing"),
    ([A(status="revoked"), A(status="expired")], "authorisation_expired"),
    ([A(status="revoked"), A(items=["SGXK"])], "authorisation_out_of_scope"),
    ([A(status="revoked")], "authorisation_revoked"),
    ([A(status="revoked"), A(valid_from=date(2026, 7, 1))], "authorisation_not_yet_valid"),
])
def test_when_none_carries_the_filing_the_most_helpful_refusal_is_given(auths, code):
    chosen, refusal = rules.choose(auths, item_code="QYSLDJ", item_name="企业设立登记", today=TODAY)
    assert chosen is None and refusal.code == code and refusal.message


def test_the_first_authorisation_in_force_and_in_scope_is_chosen():
    good = A(number="SQ2")
    chosen, refusal = rules.choose([A(status="revoked", number="SQ1"), good], item_code="QYSLDJ", item_name="x",
                                   today=TODAY)
    assert chosen is good and refusal is None


@pytest.mark.parametrize("start, end, backdate, field", [
    (TODAY, date(2027, 6, 14), False, None),
    (TODAY, date(2029, 6, 14), False, None),  # three years, the last day included
    (TODAY, date(2029, 6, 15), False, "valid_until"),
    (None, TODAY, False, "valid_from"),
    (TODAY, None, False, "valid_until"),
    (date(2026, 6, 1), date(2026, 12, 1), False, "valid_from"),  # online: no backdating
    (date(2026, 6, 1), date(2026, 12, 1), True, None),  # paper: signed earlier
    (TODAY, date(2026, 6, 1), False, "valid_until"),
    (date(2026, 1, 1), date(2026, 6, 14), True, "valid_until"),  # already over
])
def test_a_validity_period_is_refused_at_its_field(start, end, backdate, field):
    bad = rules.validity_refusal(start, end, today=TODAY, backdate=backdate)
    assert (bad[0] if bad else None) == field


@pytest.mark.parametrize("score, comment, field", [
    (5, "", None), (3, "", None), (1, "没按时跟进", None),
    (2, "", "comment"), (0, "x", "score"), (6, "", "score"), (True, "", "score"), ("5", "", "score"),
])
def test_a_rating_is_one_to_five_and_a_low_one_says_why(score, comment, field):
    bad = rules.rating_refusal(score, comment)
    assert (bad[0] if bad else None) == field
