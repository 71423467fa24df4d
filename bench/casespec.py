"""What the bench needs to know about the case engine's API: who submits, and what."""

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
    return ""


def submit_bodies(rng, n: int) -> list[dict]:
    raise NotImplementedError


def detail_paths(rng, n: int) -> list[str]:
    raise NotImplementedError
