"""Logins, failed logins and logouts into the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import initial_password
from .audit import audit_record
from .models import AuditAction


@receiver(user_logged_in, dispatch_uid="core.audit.login")
def on_login(sender, request, user, **kwargs):
    import time

    audit_record(action=AuditAction.LOGIN, request=request, actor=user)
    if request is not None and hasattr(request, "session"):
        # The idle clock starts at login (so the first page does not write the session again).
        request.session["_seen_at"] = int(time.time())
        request.session.pop("idle_logout", None)
    initial_password.on_login(request, user)


@receiver(user_logged_out, dispatch_uid="core.audit.logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="core.audit.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    locked = bool(getattr(request, "axes_locked_out", False))
    audit_record(action=AuditAction.LOCKED_OUT if locked else AuditAction.LOGIN_FAILED, request=request,
                 username=str((credentials or {}).get("username", ""))[:150])
