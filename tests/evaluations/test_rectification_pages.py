"""Rectification pages: buttons for the unit and the supervisor, 403 for the wrong role, overdue flags."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from yiwang.evaluations import services
from yiwang.evaluations.models import Rectification
from yiwang.organisations.models import Unit

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def rect():
    unit = Unit.objects.get(code="XTX-SCJG")
    ev = services.evaluation_invite(subject_kind="case", subject_ref="PAGE-1", unit=unit)
    services.evaluation_rate(evaluation=ev, level=5, channel="web", text="窗口人员态度差", problem_type="attitude")
    return Rectification.objects.get(evaluation=ev)


def as_user(client, name):
    client.force_login(User.objects.get(username=name))
    return client


def test_unit_walks_the_rectification_with_buttons(client, rect):
    c = as_user(client, "xtx-scjg")
    page = c.get(f"/evaluations/rectifications/{rect.pk}/").content.decode()
    assert 'value="contact"' in page and 'value="appeal"' in page and 'value="void"' not in page
    for action in ("contact", "verify", "fix"):
        r = c.post(f"/evaluations/rectifications/{rect.pk}/", {"action": action, "note": f"{action} 记录"})
        assert r.status_code == 302
    rect.refresh_from_db()
    assert rect.status == "fixed" and rect.rerating is not None and rect.on_time


def test_empty_note_is_refused_with_a_message_and_nothing_changes(client, rect):
    c = as_user(client, "xtx-scjg")
    r = c.post(f"/evaluations/rectifications/{rect.pk}/", {"action": "contact", "note": ""}, follow=True)
    assert "请填写回访记录" in r.content.decode()
    rect.refresh_from_db()
    assert rect.status == "open"


@pytest.mark.parametrize("user,action", [
    ("xtx-ga", "contact"),       # another unit
    ("zhang", "contact"),        # an applicant
    ("xtx-scjg", "void"),        # the unit cannot decide its own appeal
    ("operator", "verify"),      # the hotline is not the rated unit
])
def test_wrong_role_gets_403(client, rect, user, action):
    if action == "void":
        services.rectification_appeal(rectification=rect, actor=User.objects.get(username="xtx-scjg"),
                                      reason="恶意差评")
    r = as_user(client, user).post(f"/evaluations/rectifications/{rect.pk}/", {"action": action, "note": "x"})
    assert r.status_code == 403
    before = rect.status
    rect.refresh_from_db()
    assert rect.status in (before, "appealed")


def test_supervisor_upholds_or_voids_an_appeal_by_button(client, rect):
    services.rectification_appeal(rectification=rect, actor=User.objects.get(username="xtx-scjg"), reason="恶意差评")
    c = as_user(client, "supervisor")
    page = c.get(f"/evaluations/rectifications/{rect.pk}/").content.decode()
    assert 'value="uphold"' in page and 'value="void"' in page
    # voiding is irreversible: without the confirmation tick nothing happens
    r = c.post(f"/evaluations/rectifications/{rect.pk}/", {"action": "void", "note": "经核实为误评"}, follow=True)
    assert "请勾选确认后再作废差评" in r.content.decode()
    rect.refresh_from_db()
    assert rect.status == "appealed"
    c.post(f"/evaluations/rectifications/{rect.pk}/", {"action": "void", "note": "经核实为误评", "confirmed": "1"})
    rect.refresh_from_db()
    assert rect.status == "voided" and rect.evaluation.status == "voided"


def test_supervisor_list_flags_overdue_and_units_see_only_their_own(client, rect):
    Rectification.objects.filter(pk=rect.pk).update(fix_due_at=timezone.now() - timedelta(days=1),
                                                    contact_due_at=timezone.now() - timedelta(days=2))
    page = as_user(client, "supervisor").get("/evaluations/rectifications/?overdue=1").content.decode()
    assert "PAGE-1" in page and "整改超期" in page and "回访超期" in page
    assert "PAGE-1" not in as_user(client, "xtx-ga").get("/evaluations/rectifications/").content.decode()
    assert as_user(client, "zhang").get("/evaluations/rectifications/").status_code == 403


def test_rater_identity_is_shown_to_those_who_handle_the_review_only(client):
    from yiwang.parties.models import Party

    unit = Unit.objects.get(code="XTX-SCJG")
    party = Party.objects.filter(user__username="zhang").first()
    ev = services.evaluation_invite(subject_kind="window", subject_ref="PAGE-2", unit=unit, rater_party=party,
                                    rater_name="张三", rater_phone="13800000099")
    services.evaluation_rate(evaluation=ev, level=4, channel="pad", text="办理时间太长了", problem_type="slow")
    pk = Rectification.objects.get(evaluation=ev).pk
    assert "13800000099" in as_user(client, "supervisor").get(f"/evaluations/rectifications/{pk}/").content.decode()
    # the rated unit's head must call the rater back (contact within 1 working day)
    assert "13800000099" in as_user(client, "xtx-scjg").get(f"/evaluations/rectifications/{pk}/").content.decode()
    r = as_user(client, "xtx-ga").get(f"/evaluations/rectifications/{pk}/")
    assert r.status_code == 403 and "13800000099" not in r.content.decode()
