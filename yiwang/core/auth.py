"""Who is calling: a session for the web, a bearer token for other systems."""

import hashlib
import secrets

from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware

from .errors import Forbidden, NotAuthenticated
from .models import ApiToken

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, username: str, password: str) -> str:
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        raise NotAuthenticated("用户名或密码错误", field="password", code="bad_credentials")
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=_hash(key))
    return key


class BearerTokenMiddleware:
    """`Authorization: Bearer <token>` logs the request in as the token's user, without a session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        request.via_token = False
        if header.startswith("Bearer "):
            token = (
                ApiToken.objects.select_related("user").filter(key_hash=_hash(header[7:].strip())).first()
            )
            if token is None or not token.user.is_active:
                return JsonResponse(
                    {"error": "bad_token", "message": "令牌无效或已失效", "field": "Authorization"}, status=401
                )
            request.user = token.user
            request.via_token = True
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)


def _csrf_ok(request) -> bool:
    if request.method in SAFE_METHODS or getattr(request, "via_token", False):
        return True
    reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
    return reason is None


def require_user(request):
    """The calling user, or 401; for unsafe methods over a session, the CSRF token must be right."""
    user = getattr(request, "user", None) or AnonymousUser()
    if not user.is_authenticated:
        raise NotAuthenticated("请先登录", code="not_authenticated")
    if not _csrf_ok(request):
        raise Forbidden("CSRF 校验失败，请刷新页面后重试", code="csrf")
    return user
