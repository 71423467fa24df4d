from django.urls import path

from . import views

app_name = "bundlecases"

# Included before the cases app's pages (yiwang/urls.py), so that /me/cases/ lists bundle cases as
# one case each and /me/cases/<number>/ shows a bundle case's one page (single cases are passed on).
urlpatterns = [
    path("apply/bundle/<str:code>/", views.apply, name="apply"),
    path("me/cases/", views.my_cases, name="my_cases"),
    path("me/cases/<str:number>/", views.my_case, name="my_case"),
    path("workbench/bundles/", views.workbench, name="workbench"),
    path("workbench/bundles/intake/", views.intake, name="intake"),
    path("workbench/bundles/<str:number>/", views.workbench_case, name="workbench_case"),
    path("bundle-cases/<str:number>/act/", views.act, name="act"),
]
