"""Forced change of the published demo password outside the demo (issue 12, item 5).

The demo is known by the setting YIWANG_DEMO (`make run` and `make worker` set YIWANG_DEMO=1; under
pytest it defaults to on). Without it, a login with a published initial password (the demo's
"Demo@2026") succeeds only as far as the change-password page: the web session is marked, every other
page redirects there and every session API call is a 403 until the password is changed; the token
endpoint refuses to issue a token with that password. The password itself is compared at login
(where it is in hand), so no column marks the accounts and an admin who later sets the demo password
again is caught the same way.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare

MESSAGE = "该账号仍在使用公开的初始密码，请先登录网页修改密码（至少8位，包含三类字符）后再使用"
SESSION_KEY = "must_change_password"


def initial_passwords() -> tuple[str, ...]:
    from yiwang.demo.loader import DEMO_PASSWORD

    return (DEMO_PASSWORD, *getattr(settings, "YIWANG_INITIAL_PASSWORDS", ()))


def must_change(password: str | None) -> bool:
    """True when a password that was just accepted is a published initial one and this is no demo."""
    if settings.YIWANG_DEMO or not password:
        return False
    return any(constant_time_compare(password, known) for known in initial_passwords())


class InitialPasswordBackend(ModelBackend):
    """ModelBackend that marks the request when the accepted password is an initial one."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and request is not None and must_change(password):
            request.initial_password = True
        return user


def on_login(request, user) -> None:
    """From the user_logged_in signal: remember in the session which password hash must go."""
    if request is not None and hasattr(request, "session") and getattr(request, "initial_password", False):
        request.session[SESSION_KEY] = user.password


class MustChangePasswordMiddleware:
    """Until the marked password is changed: pages redirect to the change-password page, session
    API calls are a 403 in JSON. A changed password (a new hash) lifts the mark."""

    ALLOWED = ("/accounts/password_change/", "/accounts/logout/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        marked = getattr(request, "session", None) and request.session.get(SESSION_KEY)
        user = getattr(request, "user", None)
        if marked and getattr(user, "is_authenticated", False) and not getattr(request, "via_token", False):
            if marked != user.password:
                request.session.pop(SESSION_KEY)
            elif not request.path.startswith(self.ALLOWED):
                if request.path.startswith("/api/"):
                    return JsonResponse({"error": "password_change_required", "message": MESSAGE,
                                         "field": "password"}, status=403, json_dumps_params={"ensure_ascii": False})
                return redirect(reverse("password_change"))
        return self.get_response(request)
