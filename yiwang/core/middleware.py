"""Chinese first, private pages not stored, idle sessions signed out."""

import time

from django.conf import settings
from django.contrib.auth import logout

from yiwang.organisations.selectors import is_staff_member


class ChineseFirstMiddleware:
    """Drop the browser's Accept-Language so that LocaleMiddleware follows only the switch's cookie.

    A service-hall PC or a phone set to English still gets the Chinese portal until someone
    presses "English".
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Pages for a signed-in user carry personal data: no shared cache or browser history keeps them
    (Cache-Control: no-store), unless the view set its own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


class SessionIdleTimeoutMiddleware:
    """Sign a user out after a configurable idle time (staff 30 minutes, applicants 120 by default:
    YIWANG_STAFF_IDLE_MINUTES, YIWANG_APPLICANT_IDLE_MINUTES). The last-seen time is written at most
    once a minute, so a busy page does not write its session on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and not getattr(request, "via_token", False):
            now = int(time.time())
            seen = request.session.get("_seen_at")
            limit = 60 * (settings.YIWANG_STAFF_IDLE_MINUTES if is_staff_member(user)
                          else settings.YIWANG_APPLICANT_IDLE_MINUTES)
            if seen is not None and now - seen > limit:
                logout(request)
                request.session["idle_logout"] = True
            elif seen is None or now - seen >= 60:
                request.session["_seen_at"] = now
        return self.get_response(request)

