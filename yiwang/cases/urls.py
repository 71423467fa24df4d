from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("apply/<str:impl_code>/", views.apply, name="apply"),
    path("me/cases/", views.my_cases, name="my_cases"),
    path("me/cases/<str:number>/", views.my_case, name="my_case"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/intake/", views.intake, name="intake"),
    path("workbench/cases/<str:number>/", views.workbench_case, name="workbench_case"),
    path("cases/<str:number>/act/", views.act, name="act"),
    path("cases/<str:number>/upload/", views.upload, name="upload"),
    path("cases/<str:number>/materials/<int:pk>/", views.material_file, name="material"),
]
