import importlib.util

from django.contrib import admin
from django.contrib.auth.views import PasswordChangeDoneView, PasswordChangeView
from django.urls import include, path

from .api import api
from .core.views import LoginView, audit_log, my_messages

admin.site.site_header = "一网通办 管理后台"
admin.site.site_title = "一网通办"
admin.site.index_title = "事项目录与系统管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/password_change/", PasswordChangeView.as_view(template_name="yiwang/password_change.html"),
         name="password_change"),
    path("accounts/password_change/done/",
         PasswordChangeDoneView.as_view(template_name="yiwang/password_change_done.html"), name="password_change_done"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("me/messages/", my_messages, name="my_messages"),
    path("audit/", audit_log, name="audit"),
    path("", include("yiwang.portal.urls")),
]

# Each module's pages, when it has them (workbench, licence verification, hotline console...).
for _module in ("bundlecases", "cases", "licences", "evaluations", "hotline", "kb", "supervision", "dashboards",
                "ledger", "policies", "agents", "projects", "documents"):
    if importlib.util.find_spec(f"yiwang.{_module}.urls") is not None:
        urlpatterns.insert(-1, path("", include(f"yiwang.{_module}.urls")))

handler404 = "yiwang.core.handlers.not_found"
handler500 = "yiwang.core.handlers.server_error"
