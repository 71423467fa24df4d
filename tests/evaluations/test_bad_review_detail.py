"""A bad review (GB/T 39046 codes 4 不满意, 5 非常不满意) says what went wrong: a problem type and a
description, refused at the field otherwise, on the rating page and the API; the public rating page
never shows who rated."""

import pytest

from yiwang.core.errors import DomainError
from yiwang.evaluations import rules, services
from yiwang.evaluations.models import EvalStatus, Evaluation, Rectification
from yiwang.organisations.models import Window

pytestmark = pytest.mark.django_db


def _slot(ref="W-BAD-1", **kw):
    window = Window.objects.get(code="XTX-W01")
    return services.evaluation_invite(subject_kind="window", subject_ref=ref, unit=window.unit, window=window, **kw)


@pytest.mark.parametrize("level,problem_type,text,refused_at", [
    (1, "", "", None),
    (3, "", "", None),
    (4, "", "排队一个多小时", "problem_type"),
    (5, "nonsense", "排队一个多小时", "problem_type"),
    (4, "waiting", "", "text"),
    (5, "waiting", "太慢", "text"),  # fewer than 5 characters says nothing to verify
    (4, "waiting", "排队一个多小时", None),
    (5, "attitude", "窗口人员态度生硬", None),
])
def test_bad_review_needs_a_problem_type_and_a_description(level, problem_type, text, refused_at):
    found = rules.bad_review_problem(level, problem_type, text)
    assert (found[0] if found else None) == refused_at


def test_the_scale_in_use_is_gbt_39046_with_4_and_5_bad():
    assert [k for k, _ in sorted(rules.LEVEL_NAMES.items()) if rules.is_bad(k)] == [4, 5]
    assert rules.LEVEL_NAMES[4] == "不满意" and rules.LEVEL_NAMES[5] == "非常不满意"


def test_service_refuses_a_bad_review_without_type_and_saves_nothing():
    ev = _slot()
    with pytest.raises(DomainError) as e:
        services.evaluation_rate(evaluation=ev, level=5, channel="qr", text="很差很差很差")
    assert e.value.field == "problem_type" and "问题类型" in e.value.message and "：" not in e.value.message[:12]
    ev.refresh_from_db()
    assert ev.status == EvalStatus.INVITED and not Rectification.objects.filter(evaluation=ev).exists()
    ev = services.evaluation_rate(evaluation=ev, level=5, channel="qr", text="窗口人员态度生硬", problem_type="attitude")
    assert ev.problem_type == "attitude" and ev.bad and Rectification.objects.filter(evaluation=ev).exists()
    assert ev.events.get(action="rated").data["problem_type"] == "attitude"


def test_the_rating_page_shows_the_refusal_at_its_field_and_keeps_the_choice(client):
    ev = _slot("W-BAD-2")
    r = client.post(f"/rate/{ev.token}/", {"level": "4", "text": "排队一个多小时", "channel": "qr"})
    body = r.content.decode()
    assert r.status_code == 400 and 'id="err-problem_type"' in body and "请选择差评问题类型" in body
    assert 'value="4" required checked' in body and "排队一个多小时" in body
    r = client.post(f"/rate/{ev.token}/", {"level": "4", "problem_type": "waiting", "text": "", "channel": "qr"})
    assert r.status_code == 400 and 'id="err-text"' in r.content.decode()
    r = client.post(f"/rate/{ev.token}/", {"level": "4", "problem_type": "waiting", "text": "排队一个多小时",
                                           "channel": "qr"})
    assert r.status_code == 200 and "排队等候时间长" in r.content.decode()
    assert Evaluation.objects.get(pk=ev.pk).problem_type == "waiting"


def test_the_api_refuses_a_bad_review_without_description_at_the_field(client):
    ev = _slot("W-BAD-3")
    url = f"/api/v1/evaluations/by-token/{ev.token}"
    r = client.post(url, {"level": 5, "channel": "qr", "problem_type": "slow"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "text"
    r = client.post(url, {"level": 5, "channel": "qr", "problem_type": "slow", "text": "等了二十个工作日"},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["bad"] and r.json()["problem_type"] == "slow"


def test_a_good_review_needs_neither(client):
    ev = _slot("W-GOOD-1")
    r = client.post(f"/api/v1/evaluations/by-token/{ev.token}", {"level": 2, "channel": "qr"},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["problem_type"] == ""


def test_the_public_rating_page_never_shows_the_raters_phone_or_name(client):
    ev = _slot("W-PRIV-1", rater_name="赵评价人", rater_phone="13912345678")
    for body in (client.get(f"/rate/{ev.token}/").content.decode(),
                 client.post(f"/rate/{ev.token}/", {"level": "5", "channel": "qr", "problem_type": "attitude",
                                                    "text": "窗口人员态度生硬"}).content.decode(),
                 client.get(f"/rate/{ev.token}/").content.decode(),
                 client.get(f"/api/v1/evaluations/by-token/{ev.token}").content.decode()):
        assert "13912345678" not in body and "赵评价人" not in body
