"""The seams between cases and supervision: credit before commitment (a failed post-check closes
the commitment path, the ordinary path stays open) and 双推送 (an approval becomes the supervising
unit's task, after commit, once)."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.cases.conftest import SPJYXK, XTCY, at, form_for
from yiwang.cases import services
from yiwang.core.errors import DomainError
from yiwang.core.outbox import outbox_relay
from yiwang.parties.models import CreditRecord, Party

pytestmark = pytest.mark.django_db
DAY = timezone.localdate()  # the credit record is dated today: the bar looks back from the act


def _submitted():
    clerk = User.objects.get(username="clerk")
    return clerk, services.case_submit(actor=clerk, item=SPJYXK, applicant=XTCY, form=form_for(SPJYXK),
                                       channel="window", now=at(DAY))


def _paper(case):
    return [m.name for m in case.implementation.item.materials.filter(source="applicant")]


def test_a_failed_post_check_closes_the_commitment_path_and_says_why_but_not_the_ordinary_one():
    party = Party.objects.get(number=XTCY["number"])
    CreditRecord.objects.create(party=party, kind="false_commitment", reason="承诺不实（测试）", source="case:T")
    clerk, case = _submitted()
    with pytest.raises(DomainError) as refused:
        services.case_accept(case=case, actor=clerk, paper=_paper(case), commitment=True, now=at(DAY))
    assert (refused.value.code, refused.value.field) == ("commitment_barred", "commitment")
    assert "承诺不实" in refused.value.message and "一般程序" in refused.value.message
    accepted = services.case_accept(case=case.number, actor=clerk, paper=_paper(case), now=at(DAY))
    assert accepted.status == "accepted" and not accepted.commitment


def test_without_such_a_record_the_commitment_path_is_open():
    clerk, case = _submitted()
    decided = services.case_accept(case=case, actor=clerk, paper=_paper(case), commitment=True, now=at(DAY))
    assert decided.commitment and decided.status == "approved"


def test_an_approval_becomes_one_supervision_task_of_the_supervising_unit_after_commit():
    from yiwang.supervision.models import SupervisionTask

    clerk, case = _submitted()
    services.case_accept(case=case, actor=clerk, paper=_paper(case), commitment=True, now=at(DAY))
    assert not SupervisionTask.objects.filter(case_number=case.number).exists()  # not inside the approval
    outbox_relay(send=lambda m: None, limit=1000)
    outbox_relay(send=lambda m: None, limit=1000)  # a second relay repeats nothing
    tasks = SupervisionTask.objects.filter(case_number=case.number)
    assert tasks.count() == 1 and tasks.get().kind == "commitment"
