"""What the HTTP figure sends to the case API: window submissions by the clerk, and detail reads of
cases the clerk may see."""

from __future__ import annotations

CLERK = "clerk"
PASSWORD = "Demo@2026"


def http_ready(port, request, auth) -> str:
    """Empty when POST/GET /api/v1/cases exist on this server; otherwise why not."""
    status, doc = request(port, "GET", "/api/openapi.json")
    if status != 200 or not isinstance(doc, dict):
        return f"no OpenAPI document ({status})"
    paths = doc.get("paths", {})
    if "/api/v1/cases" not in paths or "post" not in paths["/api/v1/cases"]:
        return "POST /api/v1/cases is not there yet (case engine)"
    if "/api/v1/cases/{number}" not in paths:
        return "GET /api/v1/cases/{number} is not there yet (case engine)"
    return ""


def _hall_region() -> str:
    from django.contrib.auth import get_user_model

    from yiwang.organisations.models import Staff

    clerk = get_user_model().objects.get(username=CLERK)
    return Staff.objects.filter(user=clerk).select_related("unit").first().unit.region_id


def submit_bodies(rng, n: int, plan: dict) -> list[dict]:
    """n window submissions of the lifecycle figure's item, by applicants of the right kind taken in turn."""
    from yiwang.catalogue.models import ItemImplementation
    from yiwang.parties.models import Party

    impl = ItemImplementation.objects.select_related("item").get(impl_code=plan["item"])
    kind = impl.item.service_object or "person"
    parties = list(Party.objects.filter(kind=kind, park__isnull=True).order_by("id")
                   .values_list("kind", "number", "name")[:5000])
    rng.shuffle(parties)
    return [{"item": plan["item"], "channel": "window", "form": plan["form"],
             "applicant": {"kind": k, "number": num, "name": name}}
            for k, num, name in (parties[i % len(parties)] for i in range(n))]


def detail_paths(rng, n: int) -> list[str]:
    from yiwang.cases.models import Case

    numbers = list(Case.objects.filter(receiving_unit__region_id=_hall_region())
                   .order_by("?").values_list("number", flat=True)[:n])
    return [f"/api/v1/cases/{num}" for num in numbers]
