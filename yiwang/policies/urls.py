from django.urls import path

from . import editor, views

app_name = "policies"

urlpatterns = [
    path("policies/", views.policy_list, name="list"),
    path("policies/calculator/", views.calculator, name="calculator"),
    path("policies/mine/", views.mine, name="mine"),
    path("policies/grants/<str:number>/", views.grant_detail, name="grant"),
    path("policies/grants/<str:number>/act/", views.grant_act, name="grant_act"),
    path("policies/p/<str:code>/", views.policy_detail, name="detail"),
    path("policies/p/<str:code>/apply/", views.apply, name="apply"),
    path("policies/bundle/<str:code>/apply/", views.bundle_apply, name="bundle_apply"),
    path("workbench/policies/window/", views.window, name="window"),
    path("workbench/policies/window/<str:code>/apply/", views.window_apply, name="window_apply"),
    path("workbench/policies/", views.workbench, name="workbench"),
    path("workbench/policies/new/", editor.edit, name="new"),
    path("workbench/policies/preview/", editor.preview, name="preview"),
    path("workbench/policies/<str:code>/", views.workbench_policy, name="workbench_policy"),
    path("workbench/policies/<str:code>/edit/", editor.edit, name="edit"),
    path("workbench/policies/<str:code>/do/", views.workbench_policy_do, name="workbench_do"),
]
