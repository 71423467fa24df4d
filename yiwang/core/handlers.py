"""Error pages: Chinese templates (core/templates/404.html, 500.html) for pages, JSON under /api/."""

from django.http import JsonResponse
from django.views import defaults


def _api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _api(request):
        return JsonResponse({"error": "not_found", "message": "接口不存在，请核对地址", "field": "path"}, status=404,
                            json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _api(request):
        return JsonResponse({"error": "server_error", "message": "系统繁忙，请稍后再试", "field": None}, status=500,
                            json_dumps_params={"ensure_ascii": False})
    return defaults.server_error(request)
