from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 9, 28)  # a Monday, a working day
XTKJ = "91430321MA4L16JQ95"
XTCY = "91430321MA4T8K2P6K"
ZHANG = "430321198506120013"


def at(d: date = DAY, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour, 0), tzinfo=TZ)


def merged_form(code: str) -> dict:
    from yiwang.catalogue.selectors import bundle_get, bundle_view

    return {f.name: f"示例{f.name}" for f in bundle_view(bundle_get(code)).merged_form}


def asked(code: str) -> list[str]:
    from yiwang.bundlecases.services import asked_materials
    from yiwang.catalogue.selectors import bundle_get

    return [m.name for m in asked_materials(bundle_get(code))]


def user(name: str):
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.get(username=name)
    return u


def party(number: str):
    from yiwang.parties.models import Party

    return Party.objects.get(number=number)


def drive(case_number: str, *, now=None, deny: str = "", worker: bool = True) -> None:
    """The deciding unit's demo account (and co-reviewers' accounts) take a child case to a decision;
    worker: then the outbox is relayed, as `yiwang worker` would (the licence issued after commit)."""
    from yiwang.cases import selectors, services
    from yiwang.cases.models import Case

    case = Case.objects.select_related("deciding_unit", "reviewing_unit").get(number=case_number)
    for co in case.co_reviews.select_related("unit").all():
        if co.consent is None:
            services.case_act(case=case_number, actor=user(co.unit.code.lower()), action="co_review",
                              data={"consent": True, "opinion": "同意"}, now=now)
    reviewer = user(case.reviewing_unit.code.lower())
    decider = user(case.deciding_unit.code.lower())
    for _ in range(5):
        case = Case.objects.get(number=case_number)
        if case.current_step >= len(case.steps) - 1 or "review" not in selectors.allowed_actions(case, reviewer):
            break
        services.case_act(case=case_number, actor=reviewer, action="review", data={"opinion": "审核通过"}, now=now)
    if deny:
        services.case_act(case=case_number, actor=decider, action="deny", reason=deny, now=now)
    else:
        services.case_act(case=case_number, actor=decider, action="approve", reason="符合条件", now=now)
        if worker:
            relay()  # as `yiwang worker` does: the licence issued and signed after the approval's commit


def relay() -> int:
    """The worker's outbox relay until nothing is pending: the reactions it runs queue more (a
    licence's serial, then its signing; members started by it, instantly approved, their licences)."""
    from yiwang.core.outbox import outbox_relay

    sent = total = 0
    while (sent := outbox_relay(send=lambda message: None, limit=1000)):
        total += sent
    return total


def collect(number: str, *, now=None):
    """一次领取 at the bundle window: every approved member's result delivered in one go."""
    from yiwang.bundlecases import services

    return services.bundle_case_collect(bundle_case=number, actor=user("bundleclerk"), now=now or at())


@pytest.fixture
def submit_and_accept(db):
    from yiwang.bundlecases import services

    def run(code: str, applicant: str, *, now=None, channel="online", form=None):
        now = now or at()
        p = party(applicant)
        actor = p.user if channel == "online" else user("bundleclerk")
        bc = services.bundle_case_submit(actor=actor, bundle=code, applicant=p, form=form or merged_form(code),
                                         channel=channel, now=now)
        bc = services.bundle_case_accept(bundle_case=bc.number, actor=user("bundleclerk"), paper=asked(code),
                                         now=now)
        relay()  # the worker: licences of members decided at acceptance (instant items), after commit
        bc.refresh_from_db()
        return bc

    return run
