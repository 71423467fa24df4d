"""A case on the agent channel rests on an authorisation in force for (party, agent, item, today):
refused at the field agent_authorisation otherwise, and recorded on the case when it passes."""

from datetime import timedelta

import pytest

from yiwang.agents import services
from yiwang.agents.models import Authorisation, AuthSource
from yiwang.cases.models import Case
from yiwang.cases.services import case_submit
from yiwang.core.errors import DomainError, Forbidden

from .conftest import XTCY, XTKJ, user

pytestmark = pytest.mark.django_db
SEAL = "430321-GZKZBA"  # 公章刻制备案: no required applicant material
INSURANCE = "430321-DWCBDJ"  # 单位参保登记: not in the test authorisations' scope
FORM = {"企业名称": "湘潭示范科技有限公司", "印章种类": "公章", "法定代表人": "王示范", "联系电话": "13800000000"}
FORM_INSURANCE = {"企业名称": "湘潭示范科技有限公司", "参保人数": "10", "联系电话": "13800000000"}


def _party(number):
    from yiwang.parties.models import Party

    return Party.objects.get(number=number)


def _expired(auth):
    services.authorisation_act(number=auth.number, actor=None, action="expire")


def _revoked(auth):
    services.authorisation_act(number=auth.number, actor=user("xtkj"), action="revoke", input={"reason": "更换代办人"})


def _lapsed_by_date(auth):
    # The expiry timer has not run yet: the dates alone refuse it.
    Authorisation.objects.filter(pk=auth.pk).update(valid_until=auth.valid_from - timedelta(days=1),
                                                    valid_from=auth.valid_from - timedelta(days=10))


def _not_yet(auth):
    Authorisation.objects.filter(pk=auth.pk).update(valid_from=auth.valid_from + timedelta(days=3))


@pytest.mark.parametrize("setup, item, code", [
    (None, SEAL, "authorisation_missing"),
    (_expired, SEAL, "authorisation_expired"),
    (_lapsed_by_date, SEAL, "authorisation_expired"),
    (_revoked, SEAL, "authorisation_revoked"),
    (_not_yet, SEAL, "authorisation_not_yet_valid"),
    ("keep", INSURANCE, "authorisation_out_of_scope"),
])
def test_a_filing_without_an_authorisation_in_force_and_in_scope_is_refused_at_the_field(
        grant, individual, setup, item, code):
    if setup is not None:
        auth = grant(agent="daiban", items=["GZKZBA"])
        if setup != "keep":
            setup(auth)
    before = Case.objects.count()
    with pytest.raises(DomainError) as exc:
        case_submit(actor=individual, item=item, applicant=_party(XTKJ), form=FORM if item == SEAL else FORM_INSURANCE, channel="agent")
    assert exc.value.field == "agent_authorisation" and exc.value.code == code
    assert exc.value.status == 400 and "：" not in exc.value.message[:3]  # plain Chinese, no key prefix
    assert Case.objects.count() == before  # nothing half-saved


def test_a_filing_under_an_authorisation_in_force_records_it_on_the_case(grant, individual):
    from yiwang.parties.models import Party

    auth = grant(agent="daiban", items=["GZKZBA"])
    case = case_submit(actor=individual, item=SEAL, applicant=Party.objects.get(number=XTKJ), form=FORM,
                       channel="agent")
    assert case.authorisation == auth and case.agent == individual and case.channel == "agent"
    assert case.events.get(seq=1).actor_kind == "applicant"


def test_an_authorisation_for_all_items_covers_any_item(grant, individual):
    from yiwang.parties.models import Party

    auth = grant(agent="daiban", items=[], all_items=True)
    case = case_submit(actor=individual, item=INSURANCE, applicant=Party.objects.get(number=XTKJ),
                       form=FORM_INSURANCE, channel="agent")
    assert case.authorisation == auth


def test_another_partys_authorisation_does_not_carry_a_filing_in_this_partys_name(grant, individual):
    grant(agent="daiban", items=["GZKZBA"])  # xtkj's, not xtcy's
    with pytest.raises(DomainError) as exc:
        case_submit(actor=individual, item=SEAL, applicant=_party(XTCY), form=FORM, channel="agent")
    assert exc.value.code == "authorisation_missing"


def test_a_named_authorisation_must_be_between_this_party_and_this_agent(grant, individual):
    from yiwang.parties.models import Party

    theirs = grant(agent="agent", items=["GZKZBA"])
    with pytest.raises(DomainError) as exc:
        case_submit(actor=individual, item=SEAL, applicant=Party.objects.get(number=XTKJ), form=FORM,
                    channel="agent", agent_authorisation=theirs.number)
    assert exc.value.field == "agent_authorisation" and theirs.number in exc.value.message


def test_an_anonymous_filing_on_the_agent_channel_is_forbidden():
    from yiwang.parties.models import Party

    with pytest.raises(Forbidden):
        case_submit(actor=None, item=SEAL, applicant=Party.objects.get(number=XTKJ), form=FORM, channel="agent")


def test_a_paper_authorisation_recorded_by_a_clerk_carries_a_filing(individual, today):
    from yiwang.parties.models import Party

    from .conftest import PDF

    auth = services.authorisation_record_paper(
        actor=user("clerk"), party=XTKJ, agent="daiban", items=["GZKZBA"], valid_from=today - timedelta(days=5),
        valid_until=today + timedelta(days=30), filename="授权书.pdf", content=PDF)
    assert auth.source == AuthSource.PAPER and auth.scan.name.endswith(".pdf") and auth.recorded_unit.code == "XTX-ZWZX"
    case = case_submit(actor=individual, item=SEAL, applicant=Party.objects.get(number=XTKJ), form=FORM,
                       channel="agent")
    assert case.authorisation == auth
