"""Schemathesis over every operation of the OpenAPI document (issue 9 and issue 12, "Tests and figures").

Each operation is called with generated valid and invalid input, unauthenticated and with a staff
bearer token, against the Django WSGI application in this process (each call in a savepoint that is
rolled back, so no call sees another's data). Checks: no 5xx, the status code is one the operation
declares, the content type and the body match the declared response.

Bounded: YIWANG_SCHEMATHESIS_EXAMPLES examples per operation and mode (default 4) and a time budget
YIWANG_SCHEMATHESIS_SECONDS for the whole run (default 40): past it every operation still gets its
first example, the rest are skipped. The figures are printed (pytest -s) and kept in
test-artifacts/schemathesis.txt.
"""

import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_started
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from yiwang.core.auth import token_issue

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("YIWANG_SCHEMATHESIS_EXAMPLES", "4"))
SECONDS = float(os.environ.get("YIWANG_SCHEMATHESIS_SECONDS", "40"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
STAFF = "clerk"


def _real_path_values():
    """One real value per path parameter name, so that some calls reach a demo object, not only 404s."""
    from yiwang.cases.models import Case
    from yiwang.catalogue.models import ItemImplementation as Implementation
    from yiwang.hotline.models import Request
    from yiwang.licences.models import Licence

    case = Case.objects.order_by("pk").first()
    return {
        "number": [v for v in (case and case.number, Request.objects.values_list("number", flat=True).first()) if v],
        "impl_code": list(Implementation.objects.values_list("impl_code", flat=True)[:1]),
        "identifier": list(Licence.objects.values_list("identifier", flat=True)[:1]),
        "fmt": ["json", "xml"],
    }


@pytest.fixture
def wsgi_schema(db):
    from django.core.wsgi import get_wsgi_application

    # Django closes the connection at every request, which would end the test's transaction (the
    # test client disconnects it for the same reason).
    request_started.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)


def _strategy(operation, real):
    params = [p.name for p in operation.path_parameters]
    modes = [operation.as_strategy(generation_mode=m) for m in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    fixed = {p: real[p] for p in params if real.get(p)}
    if fixed and len(fixed) == len(params):
        modes.append(st.fixed_dictionaries({p: st.sampled_from(v) for p, v in fixed.items()}).flatmap(
            lambda values: operation.as_strategy(path_parameters=values)))
    return st.one_of(modes)


def _log_traceback(sender, request, **kwargs):
    import traceback

    traceback.print_exc()


def _run(operation, headers, real, stats, started):
    got_request_exception.connect(_log_traceback, weak=False, dispatch_uid="schemathesis")
    calls = [0]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=_strategy(operation, real))
    def fuzz(case):
        if calls[0] and time.monotonic() - started > SECONDS:
            stats["skipped"] += 1
            return
        calls[0] += 1
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        stats["requests"] += 1
        stats[f"status {response.status_code}"] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except BaseExceptionGroup as group:  # recorded, not raised: Hypothesis would replay and shrink it
            for failure in group.exceptions:
                found.setdefault((failure.title, response.status_code),
                                 f"{failure.title} ({response.status_code}): {case.method} {case.formatted_path} "
                                 f"{str(failure)[:400]}")

    found = {}
    try:
        fuzz()
    finally:
        got_request_exception.disconnect(dispatch_uid="schemathesis")
    return list(found.values())


def test_every_operation_answers_as_its_openapi_document_says(wsgi_schema, artifacts_dir):
    operations = [result.ok() for result in wsgi_schema.get_all_operations()]
    staff = {"Authorization": f"Bearer {token_issue(username=STAFF, password='Demo@2026')}"}
    real = _real_path_values()
    stats, failures, started = Counter(), [], time.monotonic()
    for operation in operations:
        for who, headers in (("anonymous", {}), (STAFF, staff)):
            failures += [f"{operation.label} as {who}: {f}" for f in _run(operation, headers, real, stats, started)]
    report = (f"schemathesis: {len(operations)} operations, {stats['requests']} requests "
              f"({EXAMPLES} examples per operation and mode, {stats['skipped']} skipped past "
              f"{SECONDS:.0f} s), {len(failures)} failures; "
              + ", ".join(f"{k}: {v}" for k, v in sorted(stats.items()) if k.startswith("status")))
    print(report)
    with open(os.path.join(artifacts_dir, f"schemathesis-{connection.vendor}.txt"), "w") as out:
        out.write(report + "\n\n" + "\n\n".join(failures))
    assert not failures, report + "\n\n" + "\n\n".join(failures)
