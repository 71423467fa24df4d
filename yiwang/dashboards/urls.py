from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.home, name="home"),
    path("dashboard/export.xlsx", views.export_overview, name="export"),
    path("dashboard/drill/", views.drilldown, name="drill"),
    path("dashboard/drill.xlsx", views.export_drilldown, name="drill_export"),
    path("dashboard/ranking/", views.ranking_page, name="ranking"),
    path("dashboard/definitions/", views.definitions, name="definitions"),
    path("haochaping/", views.public_ratings, name="public_ratings"),
]
