"""Who is calling: a session for the web, a bearer token for other systems.

Tokens expire (YIWANG_TOKEN_DAYS, default 30), are revoked by their user, by an administrator or by
a password change, record their last use (at most once a minute, so a busy client does not write on
every request), and never open the admin site (a bearer header is ignored there). Token issue goes through the same lockout (django-axes) as the login page.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone

from .errors import DomainError, Forbidden, NotAuthenticated
from .initial_password import MESSAGE as INITIAL_MESSAGE
from .initial_password import must_change
from .models import ApiToken, AuditAction

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
NO_TOKEN_PATHS = ("/admin/",)  # the admin site takes a staff session with its login, never a token
LAST_USED_RESOLUTION = timedelta(minutes=1)


class LockedOut(DomainError):
    status = 429
    code = "locked_out"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_days() -> int:
    return int(getattr(settings, "YIWANG_TOKEN_DAYS", 30))


def token_issue(*, username: str, password: str, request=None, name: str = "") -> str:
    from .audit import audit_record

    try:
        user = authenticate(request, username=username, password=password)
    except PermissionDenied:
        user = None
    if getattr(request, "axes_locked_out", False):
        from .lockout import LOCKED_MESSAGE

        raise LockedOut(LOCKED_MESSAGE, field="username")
    if user is None or not user.is_active:
        raise NotAuthenticated("用户名或密码错误", field="password", code="bad_credentials")
    if must_change(password):
        raise Forbidden(INITIAL_MESSAGE, field="password", code="password_change_required")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, key_hash=_hash(key), name=name[:64],
                                    expires_at=timezone.now() + timedelta(days=token_days()))
    audit_record(action=AuditAction.TOKEN_ISSUED, request=request, actor=user, object_type="token",
                 object_id=str(token.pk))
    return key


def tokens_revoke(*, user, reason: str, token_id: int | None = None, actor=None, request=None) -> int:
    """Revoke one of the user's tokens, or all of them; returns how many."""
    from .audit import audit_record

    qs = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if token_id is not None:
        qs = qs.filter(pk=token_id)
    ids = list(qs.values_list("pk", flat=True))
    n = ApiToken.objects.filter(pk__in=ids).update(revoked_at=timezone.now(), revoked_reason=reason[:64])
    for pk in ids:
        audit_record(action=AuditAction.TOKEN_REVOKED, request=request, actor=actor or user,
                     username=getattr(actor or user, "username", ""), object_type="token", object_id=str(pk),
                     detail={"reason": reason, "owner": user.username})
    return n


def token_live(key: str) -> ApiToken | None:
    now = timezone.now()
    return (ApiToken.objects.select_related("user")
            .filter(key_hash=_hash(key), revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).first())


class BearerTokenMiddleware:
    """`Authorization: Bearer <token>` logs an API request in as the token's user, without a session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        request.via_token = False
        if header.startswith("Bearer ") and not request.path.startswith(NO_TOKEN_PATHS):
            token = token_live(header[7:].strip())
            if token is None or not token.user.is_active:
                return JsonResponse(
                    {"error": "bad_token", "message": "令牌无效、已过期或已吊销", "field": "Authorization"},
                    status=401, json_dumps_params={"ensure_ascii": False},
                )
            now = timezone.now()
            if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            request.user = token.user
            request.via_token = True
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)


CSRF_FAILED = {"error": "csrf", "message": "CSRF 校验失败，请刷新页面后重试", "field": "csrfmiddlewaretoken"}


class ApiSessionCsrfMiddleware:
    """The API's views are exempt from Django's CSRF check (Ninja marks them so, for token callers);
    this puts it back for every unsafe request under /api/ that acts as a session user. A bearer
    token (no cookie, so nothing a foreign page can forge) and an anonymous caller are not checked.
    After BearerTokenMiddleware, which marks token requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.path.startswith("/api/") and request.method not in SAFE_METHODS
                and request.user.is_authenticated and not _csrf_ok(request)):
            return JsonResponse(CSRF_FAILED, status=403, json_dumps_params={"ensure_ascii": False})
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
