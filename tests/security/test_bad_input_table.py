"""Every bad value of its field class at every API field of that class: a 4xx in JSON, never a 500,
nothing saved (issue 12, "Tests and figures").

The fields come from the OpenAPI document (query and path parameters, JSON body properties and the
properties of nested objects), classified by their declared type: text, integer or number, date,
and identifiers (ID numbers, credit codes, accounts). Every other field of the body is filled with a
placeholder, so the bad value is what the request is refused for, or the request is refused before
it (401, 404). Called with a staff token, so that validation, not the login, is reached.
"""

import json
from collections import Counter

import pytest
from django.apps import apps
from django.db import connection

from yiwang.api import api
from yiwang.core.auth import token_issue

pytestmark = pytest.mark.django_db

BAD = {
    "text": [("NUL", "营业\x00执照"), ("lone surrogate", "营业\ud800执照"), ("over-long", "长")],
    "integer": [("huge", 10**30), ("Arabic-Indic digit", "٤"), ("full-width digit", "４")],
    "date": [("impossible date", "2026-02-30"), ("Arabic-Indic digits", "٢٠٢٦-٠٣-٠٢"),
             ("full-width digits", "２０２６-03-02")],
    "code": [("Arabic-Indic digit", "91٤30321MA4L16JQ95"), ("full-width digit", "91４30321MA4L16JQ95")],
}
# Identifier fields by name: their values are ASCII digits and capitals only.
CODE_FIELDS = {"uscc", "holder", "enterprise", "account", "number"}
# Rows written by a refused request on purpose (a failed login, an audited read, a token's last use).
NOT_DATA = {"core.auditentry", "axes.accessattempt", "axes.accessfailurelog", "axes.accesslog", "core.apitoken",
            "sessions.session"}


def _resolve(schema, root, comps):
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = comps.get(name) or root.get("$defs", {})[name]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        schema = _resolve(options[0], root, comps) if options else schema
    return schema


def _classes(name, schema, where):
    kind, fmt = schema.get("type"), schema.get("format", "")
    if kind in ("integer", "number"):
        return ["integer"]
    if kind == "string" and fmt in ("date", "date-time"):
        return ["date"]
    if kind == "string" and not schema.get("enum") and fmt != "binary":
        text = ["text"] if where == "body" or schema.get("maxLength") else ["text-no-limit"]
        return text + (["code"] if name in CODE_FIELDS and where != "path" else [])
    return []


def _placeholder(schema):
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    return {"integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}.get(
        schema.get("type"), "2026-03-02" if schema.get("format") == "date" else "x")


def _fields(doc):
    """(method, path, where, field path, schema, classes, base body) for every classified field."""
    comps = doc["components"]["schemas"]
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for p in op.get("parameters", []):
                schema = _resolve(p.get("schema", {}), {}, comps)
                yield method, path, p["in"], (p["name"],), schema, _classes(p["name"], schema, p["in"]), None
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            root = body["schema"]
            top = _resolve(root, root, comps)
            props = {k: _resolve(v, root, comps) for k, v in top.get("properties", {}).items()}
            base = {k: _placeholder(v) for k, v in props.items() if k in top.get("required", [])}
            for key, schema in props.items():
                yield method, path, "body", (key,), schema, _classes(key, schema, "body"), base
                for sub, sub_schema in schema.get("properties", {}).items():
                    sub_schema = _resolve(sub_schema, root, comps)
                    yield (method, path, "body", (key, sub), sub_schema, _classes(sub, sub_schema, "body"),
                           {**base, key: {k: _placeholder(_resolve(v, root, comps)) for k, v in
                                          schema.get("properties", {}).items() if k in schema.get("required", [])}})


def _value(label, value, schema):
    if label == "over-long":
        return value * ((schema.get("maxLength") or 100_000) + 1)
    return value


def _request(client, method, path, where, field, value, base, headers):
    params = {"fmt": "json", "number": "NOPE", "token": "NOPE", "code": "NOPE", "identifier": "NOPE",
              "impl_code": "NOPE", "token_id": "1", "document_id": "1", "uscc": "NOPE", "member": "NOPE"}
    query, body = {}, None
    if where == "path":
        params[field[0]] = value
    elif where == "query":
        query[field[0]] = value
    elif where == "header":  # Idempotency-Key: the header alone, the operation's body left out
        headers = {**headers, "HTTP_" + field[0].upper().replace("-", "_"): str(value)}
        body = {}
    else:
        body = json.loads(json.dumps(base))
        target = body
        for key in field[:-1]:
            target = target.setdefault(key, {}) if isinstance(target.get(key), dict) else target.setdefault(key, {})
        target[field[-1]] = value
    from urllib.parse import quote

    url = path.format(**{k: quote(str(v), safe="") for k, v in params.items()})
    call = getattr(client, method)
    if body is None:
        return call(url, query, **headers) if method == "get" else call(url + "?" + _qs(query), **headers)
    return call(url + ("?" + _qs(query) if query else ""), json.dumps(body), content_type="application/json",
                **headers)


def _qs(query):
    from urllib.parse import urlencode

    return urlencode(query)


def _counts():
    return {m._meta.label_lower: m.objects.count() for m in apps.get_models()
            if m._meta.label_lower not in NOT_DATA and not m._meta.proxy}


def test_every_bad_value_at_every_field_of_its_class_is_a_json_4xx_and_saves_nothing(api_client, artifacts_dir):
    doc = api.get_openapi_schema()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(username='clerk', password='Demo@2026')}"}
    before, failures, tally = _counts(), [], Counter()
    for method, path, where, field, schema, classes, base in _fields(doc):
        for cls in classes:
            for label, raw in BAD.get(cls.replace("-no-limit", ""), []):
                if where != "body" and label == "lone surrogate":
                    continue  # a URL cannot carry one: it is decoded with replacement characters
                if cls == "text-no-limit" and label == "over-long":
                    continue  # a filter with no column behind it: a long value finds nothing
                r = _request(api_client, method, path, where, field, _value(label, raw, schema), base, headers)
                tally[cls.replace("-no-limit", "")] += 1
                ok = 400 <= r.status_code < 500 and r["Content-Type"].startswith("application/json")
                if not ok:
                    failures.append(f"{method.upper()} {path} {where} {'.'.join(field)} {label}: "
                                    f"{r.status_code} {r.content[:200]!r}")
    after = _counts()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    report = (f"bad inputs: {sum(tally.values())} requests ("
              + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())) + f"), {len(failures)} not a JSON 4xx, "
              f"tables changed: {changed or 'none'}")
    print(report)
    with open(f"{artifacts_dir}/bad_inputs-{connection.vendor}.txt", "w") as out:
        out.write(report + "\n" + "\n".join(failures))
    assert not failures and not changed, report + "\n" + "\n".join(failures[:60])
