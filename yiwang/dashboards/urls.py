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
    path("dashboard/efficiency/", views.efficiency_page, name="efficiency"),
    path("me/efficiency/", views.efficiency_mine, name="efficiency_mine"),
    path("haochaping/", views.public_ratings, name="public_ratings"),
]
