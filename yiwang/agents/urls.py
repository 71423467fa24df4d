from django.urls import path

from . import apply, views

app_name = "agents"

urlpatterns = [
    path("me/authorisations/", views.mine, name="mine"),
    path("agents/a/<str:number>/", views.detail, name="detail"),
    path("agents/a/<str:number>/act/", views.act, name="act"),
    path("agents/a/<str:number>/rate/", views.rate, name="rate"),
    path("workbench/agents/", views.workbench, name="workbench"),
    path("workbench/agents/paper/", views.paper, name="paper"),
    path("workbench/agents/apply/", apply.apply, name="apply"),
]
