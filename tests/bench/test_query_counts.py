"""Query-count guards for the queue and detail endpoints (the benchmark's figure 3 and 2, in `make test`).

A page that starts issuing a query per row fails here long before anyone notices it at a million
cases. Each test builds several cases first, so that an N+1 would show, and pins the count both as
a ceiling and as independent of how many rows the page shows.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.lifecycle import lifecycle

pytestmark = pytest.mark.django_db

# The ceilings: raise one only with a reason in the commit message.
# Each includes one for the calendar's version check, which the index makes at most every 2 s.
MAX_LIST_QUERIES = 5  # session + user + staff roles + page (+ a capped count when the page is full) (+ calendar)
MAX_DETAIL_QUERIES = 10  # session + user + case + events + co-reviews + materials + documents + staff roles + the audit row of a staff read (等保 安全审计) (+ calendar)
MAX_SELECTOR_PAGE_QUERIES = 1


@pytest.fixture
def plan():
    from bench.fig_lifecycle import choose_plan

    class Ctx:
        url = ""

    return choose_plan(Ctx)


@pytest.fixture
def users(plan):
    User = get_user_model()
    return {"clerk": User.objects.get(username=plan["clerk"]), "approver": User.objects.get(username=plan["approver"])}


def make_cases(plan, users, n: int) -> list[str]:
    """n cases: every other one taken through its whole lifecycle, the rest left submitted."""
    from yiwang.cases.models import Case
    from yiwang.cases.services import case_submit
    from yiwang.parties.models import Party

    party = Party.objects.get(pk=plan["party_id"])
    p = dict(plan, party_id=party)
    before = set(Case.objects.values_list("number", flat=True))
    for i in range(n):
        if i % 2:
            lifecycle(p, users)
        else:
            case_submit(actor=users["clerk"], item=plan["item"], applicant=party, form=plan["form"], channel="window")
    return sorted(set(Case.objects.values_list("number", flat=True)) - before)


def count_queries(fn) -> int:
    """Queries fn issues, less the calendar's version check (made at most every 2 s, by the clock)."""
    with CaptureQueriesContext(connection) as q:
        fn()
    return len([x for x in q if "workcalendar_calendarversion" not in x["sql"]])


def test_case_list_queries_do_not_grow_with_the_rows_shown(plan, users, api_client):
    api_client.force_login(users["clerk"])
    make_cases(plan, users, 2)
    few = count_queries(lambda: api_client.get("/api/v1/cases"))
    make_cases(plan, users, 6)
    response = None

    def get():
        nonlocal response
        response = api_client.get("/api/v1/cases")

    many = count_queries(get)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 8
    assert many == few
    assert many <= MAX_LIST_QUERIES - 1


def test_a_full_page_adds_one_capped_count_and_says_there_is_more(plan, users, api_client):
    make_cases(plan, users, 6)
    api_client.force_login(users["clerk"])
    response = None

    def get(url):
        nonlocal response
        response = api_client.get(url)

    last = count_queries(lambda: get("/api/v1/cases?page_size=200"))
    body = response.json()
    assert not body["has_next"] and body["count"] == len(body["results"]) >= 6
    full = count_queries(lambda: get("/api/v1/cases?page_size=2"))
    body2 = response.json()
    assert body2["has_next"] and len(body2["results"]) == 2 and body2["count"] == body["count"]
    assert not body2["count_capped"]
    assert full == last + 1 <= MAX_LIST_QUERIES


@pytest.mark.parametrize("query", ["due=overdue", "due=near", "status=submitted", "status=accepted,in_review,paused"])
def test_queue_endpoint_stays_under_its_query_ceiling(plan, users, api_client, django_assert_max_num_queries, query):
    make_cases(plan, users, 6)
    api_client.force_login(users["clerk"])
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = api_client.get(f"/api/v1/cases?{query}")
    assert response.status_code == 200


def test_case_detail_queries_do_not_grow_with_the_history(plan, users, api_client, django_assert_max_num_queries):
    numbers = make_cases(plan, users, 2)
    api_client.force_login(users["clerk"])
    short, long_ = numbers[0], numbers[1]  # submitted (1 event) and delivered (whole lifecycle)
    responses = {}

    def get(number):
        responses[number] = api_client.get(f"/api/v1/cases/{number}")

    q_short = count_queries(lambda: get(short))
    q_long = count_queries(lambda: get(long_))
    assert responses[short].status_code == responses[long_].status_code == 200
    assert len(responses[long_].json()["history"]) > len(responses[short].json()["history"])
    assert q_long == q_short
    with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
        get(long_)


def test_selector_queue_page_is_one_query(plan, users):
    from yiwang.cases.selectors import case_list

    make_cases(plan, users, 6)
    for kw in ({"status": "submitted"}, {"due": "overdue"}, {"status": "delivered"}):
        n = count_queries(lambda kw=kw: [(c.implementation.name, c.applicant.name, c.deciding_unit.code)
                                         for c in case_list(user=users["clerk"], **kw)[:20]])
        assert n <= MAX_SELECTOR_PAGE_QUERIES


# session + user + item with materials and steps (3) + applicant + route (2) + staff roles + number
# + data sharing (2, 无证明) + case, event, outbox, timer (savepoints and the calendar check not counted)
MAX_SUBMIT_QUERIES = 17


def _sqls(fn) -> list[str]:
    with CaptureQueriesContext(connection) as q:
        fn()
    return [x["sql"] for x in q if "workcalendar_calendarversion" not in x["sql"]]


def test_case_submission_endpoint_stays_under_its_query_ceiling(plan, users, api_client):
    from yiwang.parties.models import Party

    party = Party.objects.get(pk=plan["party_id"])
    api_client.force_login(users["clerk"])
    body = {"item": plan["item"], "channel": "window", "form": plan["form"],
            "applicant": {"kind": party.kind, "number": party.number, "name": party.name}}
    response = None

    def post():
        nonlocal response
        response = api_client.post("/api/v1/cases", body, content_type="application/json")

    n = len([sql for sql in _sqls(post) if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))])
    assert response.status_code == 201, response.content
    assert [e["action"] for e in response.json()["history"]] == ["submit"]
    assert n <= MAX_SUBMIT_QUERIES
