"""No internal key in a message (issue 11, item 4): a table of bad requests across the API, each a 4xx
in JSON whose every message is plain Chinese naming the field by its label, with the key in `field`."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db
KEY_PREFIX = re.compile(r"^[A-Za-z_][\w.]*：")  # "item：", "form.企业名称：", "applicant.number："
CASE = {"item": "430321-QYSLDJ", "channel": "window",
        "applicant": {"kind": "enterprise", "number": "91430321MA4T8K2P6K", "name": "湘潭示范餐饮有限公司"}}
REQUEST = {"kind": "consult", "category": "010101", "title": "营业执照怎么办", "content": "营业执照怎么办",
           "phone": "13800000009"}

# method, url, JSON body, who (None: anonymous), expected field (None: any)
BAD = [
    ("post", "/api/v1/cases", {**CASE, "item": "NOPE"}, "clerk", "item"),
    ("post", "/api/v1/cases", {**CASE, "item": None}, "clerk", "item"),
    ("post", "/api/v1/cases", {**CASE, "bundle": "QYKB"}, "clerk", "bundle"),
    ("post", "/api/v1/cases", {**CASE, "channel": "fax"}, "clerk", "channel"),
    ("post", "/api/v1/cases", {**CASE, "form": {"企业名称": ""}}, "clerk", "form.企业名称"),
    ("post", "/api/v1/cases", {**CASE, "form": {"不存在": "x"}}, "clerk", "form.不存在"),
    ("post", "/api/v1/cases", {**CASE, "applicant": {**CASE["applicant"], "number": "91430321MA4T8K2P6X"}},
     "clerk", "applicant.number"),
    ("post", "/api/v1/cases", {**CASE, "applicant": {"kind": "enterprise"}}, "clerk", "applicant.number"),
    ("post", "/api/v1/cases", {**CASE, "channel": "agent", "agent_authorisation": ""}, "clerk", None),
    ("get", "/api/v1/cases?due=soon", None, "clerk", "due"),
    ("get", "/api/v1/cases/430321-QYSLDJ202601010001", None, "clerk", None),
    ("post", "/api/v1/cases/430321-QYSLDJ202601010001/accept", {}, "clerk", None),
    ("post", "/api/v1/requests", {**REQUEST, "title": ""}, None, "title"),
    ("post", "/api/v1/requests", {**REQUEST, "kind": "robot"}, None, None),
    ("post", "/api/v1/requests", {**REQUEST, "category": "NOPE"}, None, None),
    ("get", "/api/v1/requests/NOPE", None, "operator", None),
    ("post", "/api/v1/parties/check", {"kind": "person", "number": "430321198506120014"}, None, "number"),
    ("post", "/api/v1/parties/check", {"kind": "robot", "number": "1"}, None, "kind"),
    ("get", "/api/v1/items/NOPE", None, None, "impl_code"),
    ("get", "/api/v1/routing?item=NOPE", None, None, "item"),
    ("get", "/api/v1/calendar/add?start=2026-02-30&days=1", None, None, "start"),
    ("get", "/api/v1/licences/NOPE", None, "clerk", None),
    ("get", "/api/v1/stats/overview?from=yesterday", None, "leader", None),
    ("get", "/api/v1/credit/NOPE", None, "clerk", None),
    ("post", "/api/v1/auth/token", {"username": "", "password": ""}, None, None),
]


def _token(client, username):
    r = client.post("/api/v1/auth/token", {"username": username, "password": "Demo@2026"},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


@pytest.mark.parametrize("method, url, body, who, field", BAD)
def test_no_api_error_message_starts_with_an_internal_key(api_client, method, url, body, who, field):
    auth = _token(api_client, who) if who else {}
    if method == "post":
        r = api_client.post(url, json.dumps(body), content_type="application/json", **auth)
    else:
        r = api_client.get(url, **auth)
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json")
    data = r.json()
    messages = [data["message"]] + [e["message"] for e in data["errors"]]
    for message in messages:
        assert not KEY_PREFIX.match(message), message
        assert any("\u4e00" <= c <= "\u9fff" for c in message), message
    if field:
        assert field in [data["field"]] + [e["field"] for e in data["errors"]], data


def test_pydantic_gives_every_error_of_a_body_each_at_its_field(api_client):
    body = {**REQUEST, "title": "长" * 201, "phone": "1" * 40}
    r = api_client.post("/api/v1/requests", json.dumps(body), content_type="application/json")
    assert r.status_code == 400
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert errors == {"title": "标题不能超过200个字", "phone": "联系电话不能超过32个字"}


@pytest.mark.parametrize("message, field, shown", [
    ("item：事项不存在", "item", "事项不存在"),
    ("form.企业名称：请填写企业名称", "form.企业名称", "请填写企业名称"),
    ("applicant.number：校验位错误", "applicant.number", "校验位错误"),
    ("file：文件为空", None, "文件为空"),
    ("附件未上传：文件为空", "file", "附件未上传：文件为空"),  # a Chinese label is not a key
    ("PDF：格式不正确", "file", "PDF：格式不正确"),
])
def test_a_straggler_key_prefix_is_stripped_at_the_source(message, field, shown):
    from yiwang.core.errors import DomainError

    err = DomainError(message, field=field)
    assert err.message == shown and err.as_dict()["message"] == shown and err.errors[0].message == shown
