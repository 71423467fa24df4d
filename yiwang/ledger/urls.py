from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("ledger/", views.home, name="home"),
    path("ledger/import/", views.plan_import, name="import"),
    path("ledger/<str:code>/", views.plan_month, name="plan"),
    path("ledger/<str:code>/bulletin/", views.bulletin, name="bulletin"),
    path("ledger/<str:code>/<str:unit>/<str:month>/", views.report_page, name="report"),
]
