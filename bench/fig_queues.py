"""Figure 3: the queues at scale — p50, p99 and SQL queries per request.

Each queue is the first page (20) of a filtered list sorted by deadline, as the workbench and the
API ask for it: the window's intake queue, a unit's running cases, its near-due and overdue ones,
the counters above the queue, and GET /api/v1/cases?due=overdue (through Django's test client,
the whole stack but the socket) when the API is there. The baseline is the cheapest read there is:
one case fetched by its number through the ORM.
"""

from __future__ import annotations

import time

from .common import Figure, SkipFigure, summary_ms

PAGE = 20


def measure(fn, *, seconds: float, max_n: int = 2000) -> tuple[dict, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm: plans, caches
    with CaptureQueriesContext(connection) as q:
        fn()
    queries = len(q)
    times = []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop and len(times) < max_n:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return summary_ms(times), queries


def run(ctx) -> list[Figure]:
    try:
        from yiwang.cases.models import Case
        from yiwang.cases.selectors import case_list, queue_counters, visible_cases
    except ImportError as exc:
        raise SkipFigure(f"the case engine is not there yet ({exc})")
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from yiwang.organisations.models import Role, Staff

    User = get_user_model()
    if not Case.objects.exists():
        raise SkipFigure("no cases: run the data figure first")
    # The HTTP and lifecycle figures have just added cases (thousands of submitted ones at 10 k): fresh
    # statistics, as autovacuum would have them after such a change, so the plans are the steady state's.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    clerk = User.objects.get(username="clerk")
    busiest = (Case.objects.filter(status__in=["accepted", "in_review", "paused"]).values("deciding_unit")
               .annotate(n=Count("id")).order_by("-n").first())
    unit_id = busiest["deciding_unit"] if busiest else Case.objects.values_list("deciding_unit", flat=True).first()
    staff = Staff.objects.filter(unit_id=unit_id, role=Role.APPROVER).select_related("user", "unit").first()
    approver, unit_code = staff.user, staff.unit.code
    numbers = list(Case.objects.order_by("?").values_list("number", flat=True)[:500])
    total = Case.objects.count()
    seconds = ctx.seconds(3, 10)

    def first_page(**kw):
        return lambda: list(case_list(**kw)[:PAGE])

    i = [0]

    def by_number():
        i[0] = (i[0] + 1) % len(numbers)
        return Case.objects.get(number=numbers[i[0]])

    base, base_q = measure(by_number, seconds=seconds)
    running = "accepted,in_review,paused"
    queues = [
        ("3a_window_intake", "窗口待受理队列", first_page(user=clerk, status="submitted")),
        ("3b_unit_running", f"单位办理中队列（{unit_code}）", first_page(user=approver, unit=unit_code, status=running)),
        ("3c_unit_near", "单位临期队列", first_page(user=approver, status=running, due="near")),
        ("3d_unit_overdue", "单位超期队列", first_page(user=approver, status=running, due="overdue")),
        ("3e_window_overdue", "窗口超期队列（全县）", first_page(user=clerk, due="overdue")),
        ("3f_counters", "队列计数（待受理/办理中/临期/超期）", lambda: queue_counters(visible_cases(approver))),
    ]
    client = Client()
    client.force_login(clerk)
    if client.get("/api/v1/cases?due=overdue").status_code == 200:
        queues.append(("3g_api_overdue", "GET /api/v1/cases?due=overdue",
                       lambda: client.get("/api/v1/cases?due=overdue")))
    else:
        ctx.log("GET /api/v1/cases?due=overdue is not there yet: measured through the selectors only")
    figures = []
    for key, title, fn in queues:
        s, nq = measure(fn, seconds=seconds)
        ctx.log(f"{title}: p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms, {nq} queries")
        figures.append(Figure(
            key=key, title=title, value=s["p99_ms"], unit="ms p99", baseline_name="case by number (p50)",
            baseline=base["p50_ms"], baseline_unit="ms", ratio=round(s["p50_ms"] / base["p50_ms"], 1),
            target="p99 < 20 ms (Open Zaak: 150 ms median at 1 M)", met=s["p99_ms"] < 20,
            detail={**s, "queries": nq, "cases_in_table": total, "baseline": base, "baseline_queries": base_q,
                    "page": PAGE}))
    return figures
