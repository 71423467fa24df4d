"""等保 2.0 level 3 identification and audit: lockout after repeated failures (per account and per
address) on the login page and the token endpoint, a password policy, tokens that expire and are
revoked (by their user and by a password change) and never open the admin, and an SM3-chained
audit log that only the auditor reads."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from yiwang.core.audit import audit_record, audit_seal, audit_verify
from yiwang.core.models import ApiToken, AuditAction, AuditEntry

pytestmark = pytest.mark.django_db
PASSWORD = "Demo@2026"


def _fail_logins(username: str, n: int, address: str = "10.9.8.7") -> Client:
    c = Client(REMOTE_ADDR=address)
    for _ in range(n):
        c.post("/accounts/login/", {"username": username, "password": "wrong-password"})
    return c


def test_five_failed_logins_lock_the_account_even_for_the_right_password():
    c = _fail_logins("clerk", 5)
    r = c.post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    assert r.status_code == 429 and "登录已暂时锁定" in r.content.decode()
    other = Client(REMOTE_ADDR="10.1.1.1").post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    assert other.status_code == 429  # per account: another address is locked out of it too
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, username="clerk").count() == 4
    assert AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT, username="clerk").exists()  # the 5th on


def test_failures_from_one_address_lock_that_address_for_every_account():
    c = _fail_logins("nobody-1", 5, address="10.2.2.2")
    r = c.post("/accounts/login/", {"username": "approver", "password": PASSWORD})
    assert r.status_code == 429
    fine = Client(REMOTE_ADDR="10.3.3.3").post("/accounts/login/", {"username": "approver", "password": PASSWORD})
    assert fine.status_code == 302


def test_the_token_endpoint_is_locked_out_too_and_answers_json():
    c = Client(REMOTE_ADDR="10.4.4.4")
    for attempt in range(1, 6):
        r = c.post("/api/v1/auth/token", {"username": "head", "password": "nope"}, content_type="application/json")
        assert r.status_code == (401 if attempt < 5 else 429)  # the fifth failure locks
    r = c.post("/api/v1/auth/token", {"username": "head", "password": PASSWORD}, content_type="application/json")
    assert r.status_code == 429 and r.json()["error"] == "locked_out" and "锁定" in r.json()["message"]


@pytest.mark.parametrize(("password", "refused"), [
    ("Demo@2026", False), ("Xk9#mq2Lp", False),
    ("abcdefgh", True),    # one class
    ("abcd1234", True),    # two classes
    ("Ab1!", True),        # too short
    ("Password1", True),   # three classes but a common password
    ("12345678", True),    # numeric and common
])
def test_the_password_policy(password, refused):
    user = User.objects.get(username="clerk")
    if refused:
        with pytest.raises(ValidationError):
            validate_password(password, user)
    else:
        validate_password(password, user)


def _token(username: str = "approver") -> str:
    r = Client(REMOTE_ADDR="10.5.5.5").post("/api/v1/auth/token", {"username": username, "password": PASSWORD},
                                             content_type="application/json")
    assert r.status_code == 200, r.content
    return r.json()["token"]


def _get_with(token: str, path: str = "/api/v1/auth/tokens"):
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_records_its_use_and_stops_working_when_expired():
    token = _token()
    assert _get_with(token).status_code == 200
    row = ApiToken.objects.filter(user__username="approver").latest("id")
    assert row.last_used_at is not None and row.expires_at > timezone.now() + timedelta(days=29)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    r = _get_with(token)
    assert r.status_code == 401 and "过期" in r.json()["message"]


def test_a_password_change_revokes_every_token_of_the_user():
    token = _token()
    user = User.objects.get(username="approver")
    user.set_password("New#Pass2026x")
    user.save()
    assert _get_with(token).status_code == 401
    assert AuditEntry.objects.filter(action=AuditAction.TOKEN_REVOKED, username="approver").exists()


def test_the_user_revokes_one_of_their_tokens():
    token = _token()
    mine = _get_with(token).json()
    r = Client().delete(f"/api/v1/auth/tokens/{mine[0]['id']}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 204
    assert _get_with(token).status_code == 401


def test_a_token_never_opens_the_admin_site():
    admin = User.objects.get(username="admin")
    admin.set_password(PASSWORD)
    admin.save()
    token = _token("admin")
    r = _get_with(token, "/admin/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_the_audit_chain_verifies_and_names_an_edited_row():
    Client().post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    for i in range(3):
        audit_record(action=AuditAction.READ_CASE, username="clerk", object_type="case", object_id=f"N{i}")
    assert audit_seal() >= 4
    assert audit_verify().ok
    victim = AuditEntry.objects.filter(object_id="N1").get()
    AuditEntry.objects.filter(pk=victim.pk).update(username="somebody-else")
    check = audit_verify()
    assert not check.ok and check.broken_at == victim.pk and str(victim.pk) in check.message


def test_a_row_committed_after_later_rows_were_sealed_is_chained_after_them():
    late = audit_record(action=AuditAction.READ_LICENCE, username="x", object_id="late")
    AuditEntry.objects.filter(pk=late.pk).update(chain_seq=None)  # as if its transaction committed late
    audit_record(action=AuditAction.READ_LICENCE, username="x", object_id="early-sealed")
    audit_seal()
    audit_record(action=AuditAction.READ_LICENCE, username="x", object_id="after")
    audit_seal()
    assert audit_verify().ok and AuditEntry.objects.filter(chain_seq__isnull=True).count() == 0


@pytest.mark.parametrize(("username", "status"), [("auditor", 200), ("secadmin", 200), ("clerk", 403),
                                                  ("leader", 403)])
def test_only_the_auditor_and_the_security_admin_read_the_audit_log(username, status):
    c = Client()
    c.post("/accounts/login/", {"username": username, "password": PASSWORD})
    r = c.get("/audit/?verify=1")
    assert r.status_code == status
    if status == 200:
        assert "审计链完整" in r.content.decode() and "登录" in r.content.decode()


def test_a_staff_read_of_a_case_is_audited_and_the_applicants_own_read_is_not():
    from datetime import date

    from tests.cases.conftest import XTKJ, at, form_for
    from yiwang.cases import services
    from yiwang.parties.models import Party

    party = Party.objects.get(number=XTKJ["number"])
    case = services.case_submit(actor=party.user, item="430321-QYSLDJ", applicant=party,
                                form=form_for("430321-QYSLDJ"), channel="online", now=at(date(2026, 9, 28)))
    own = Client()
    own.force_login(party.user)
    assert own.get(f"/api/v1/cases/{case.number}").status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.READ_CASE, object_id=case.number).exists()
    clerk = Client()
    clerk.force_login(User.objects.get(username="clerk"))
    assert clerk.get(f"/api/v1/cases/{case.number}").status_code == 200
    assert clerk.get(f"/workbench/cases/{case.number}/").status_code == 200
    rows = AuditEntry.objects.filter(action=AuditAction.READ_CASE, object_id=case.number)
    assert [r.username for r in rows] == ["clerk", "clerk"]
