"""django-axes' lockout backend for logins that come with a request (the login page, the admin,
the token endpoint). Internal authentication without a request (a shell, a test client's login) is
not a login attempt from outside and is passed to the next backend."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


LOCKED_MESSAGE = "登录失败次数过多，该账号或地址已被锁定，请稍后再试或联系安全管理员解锁"


def lockout_response(request, original_response=None, credentials=None):
    """JSON for the API (the error shape every API answer has), the Chinese page elsewhere; 429."""
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path.startswith("/api/"):
        return JsonResponse({"error": "locked_out", "message": LOCKED_MESSAGE, "field": "username"}, status=429,
                            json_dumps_params={"ensure_ascii": False})
    return render(request, "registration/locked_out.html", status=429)
