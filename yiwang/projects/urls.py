from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/<str:code>/", views.project_chart, name="chart"),
    path("projects/<str:code>/act/", views.project_act, name="act"),
    path("projects/<str:code>/file/<str:member>/", views.project_file, name="file"),
]
